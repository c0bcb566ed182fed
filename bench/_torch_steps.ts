/**
 * A PyTorch process (bench/step_torch.py, one thread) that runs training
 * steps on request, so that its samples alternate with normlab's.
 *
 * @module
 */
import { STEP_SIZES, stepBatch } from "./_step_case.ts";

/** The OpenBLAS kernel family of this CPU, as bench:peers sets it. */
export function openblasCoreType(): string {
  const info = Deno.readTextFileSync("/proc/cpuinfo");
  if (/\bavx512f\b/.test(info)) return "SkylakeX";
  if (/AuthenticAMD/.test(info) && /\bavx2\b/.test(info)) return "Zen";
  return /\bavx2\b/.test(info) ? "Haswell" : "Prescott";
}

/** A running PyTorch step server. */
export interface TorchSteps {
  version: string;
  /** Milliseconds per step over `count` steps of case `name`. */
  sample(name: string, count: number): Promise<number>;
  close(): Promise<void>;
}

/** Starts bench/step_torch.py; null when /usr/bin/python3 has no torch. */
export async function startTorchSteps(): Promise<TorchSteps | null> {
  const coreType = Deno.env.get("OPENBLAS_CORETYPE") ?? openblasCoreType();
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("/usr/bin/python3", {
      args: [new URL("./step_torch.py", import.meta.url).pathname],
      env: { OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", OPENBLAS_CORETYPE: coreType },
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
  } catch (error) {
    console.error(`PyTorch skipped: ${error instanceof Error ? error.message : error}`);
    return null;
  }
  const writer = child.stdin.getWriter();
  const encoder = new TextEncoder();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const readLine = async (): Promise<string | null> => {
    while (!buffer.includes("\n")) {
      const { value, done } = await lines.read();
      if (done) return null;
      buffer += value;
    }
    const end = buffer.indexOf("\n");
    const line = buffer.slice(0, end);
    buffer = buffer.slice(end + 1);
    return line;
  };
  const batches = Object.fromEntries(STEP_SIZES.map((size) => [size.name, stepBatch(size)]));
  await writer.write(encoder.encode(JSON.stringify({ sizes: STEP_SIZES, batches }) + "\n"));
  const ready = await readLine();
  if (ready === null) {
    console.error("PyTorch skipped: bench/step_torch.py did not start");
    await child.status;
    return null;
  }
  return {
    version: JSON.parse(ready).version as string,
    async sample(name, count) {
      await writer.write(encoder.encode(`${name} ${count}\n`));
      const line = await readLine();
      if (line === null) throw new Error("bench/step_torch.py stopped");
      return JSON.parse(line).ms as number;
    },
    async close() {
      await writer.close();
      await child.status;
    },
  };
}
