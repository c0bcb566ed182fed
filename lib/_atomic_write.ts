/**
 * Internal: writing an output file atomically, after checking up front that
 * it can be written.
 *
 * @module
 */

/** A reserved output: `commit` writes it in one step; `abort` leaves nothing behind. */
export interface PendingOutput {
  /** The final path. */
  readonly path: string;
  /** Writes `text` to a temporary file beside `path`, then renames it over `path`. */
  commit(text: string): Promise<void>;
  /** Removes the temporary file (when the work failed). */
  abort(): Promise<void>;
}

function dirnameOf(path: string): string {
  const slash = path.lastIndexOf("/");
  if (slash < 0) return ".";
  return slash === 0 ? "/" : path.slice(0, slash);
}

/**
 * Checks that `path` can be written — its folder exists and accepts a file,
 * and `path` is not a folder — by creating the temporary file the result
 * will be written to. Throws an `Error` whose message starts with `label`
 * (e.g. `--out` or `runDemo: out`) and names the path and the reason.
 */
export async function reserveOutput(path: string, label: string): Promise<PendingOutput> {
  const fail = (reason: string): never => {
    throw new Error(`${label}: cannot write ${JSON.stringify(path)}: ${reason}`);
  };
  if (typeof path !== "string" || path === "") fail("expected a file path");
  try {
    if ((await Deno.stat(path)).isDirectory) fail("it is a folder");
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      if (error instanceof Error && error.message.startsWith(label)) throw error;
      fail(error instanceof Error ? error.message : String(error));
    }
  }
  const dir = dirnameOf(path);
  const base = path.slice(path.lastIndexOf("/") + 1);
  let temporary = "";
  try {
    temporary = await Deno.makeTempFile({ dir, prefix: `.${base}.`, suffix: ".partial" });
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  let done = false;
  const abort = async () => {
    if (done) return;
    done = true;
    await Deno.remove(temporary).catch(() => {});
  };
  return {
    path,
    async commit(text: string) {
      if (done) throw new Error(`${label}: the output ${JSON.stringify(path)} was already written`);
      try {
        await Deno.writeTextFile(temporary, text);
        // A temporary file is private (0600); the result gets an ordinary file's mode.
        await Deno.chmod(temporary, 0o644).catch(() => {});
        await Deno.rename(temporary, path);
        done = true;
      } catch (error) {
        await abort();
        fail(error instanceof Error ? error.message : String(error));
      }
    },
    abort,
  };
}
