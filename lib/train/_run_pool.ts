/**
 * Internal: runs of the training experiment side by side, each on a worker
 * thread of its own (./_run_worker.ts). A run depends only on the settings,
 * its norm and its seed, so each gives the same numbers as on this thread;
 * only its timings differ, as the runs share the machine.
 *
 * @module
 */
import type { NormKind } from "../nn/transformer.ts";
import type { ExperimentSettings } from "./_run.ts";
import type { RunResult } from "./experiment.ts";
import type { StepInfo } from "./trainer.ts";

/** What this thread sends a worker: a run to do, or stop the current one. */
export type RunRequest =
  | { kind: "run"; index: number; norm: NormKind; seed: number; settings: ExperimentSettings }
  | { kind: "stop" };

/** What a worker sends back: a step's progress, then the run's end. */
export type RunResponse =
  | { kind: "step"; index: number; step: StepInfo }
  | { kind: "done"; index: number; run: RunResult }
  | { kind: "stopped"; index: number }
  | { kind: "error"; index: number; message: string };

/** One run: a norm and a seed. */
export interface RunJob {
  norm: NormKind;
  seed: number;
}

/** The workers' module. */
const WORKER_MODULE = new URL("./_run_worker.ts", import.meta.url);

/**
 * Whether this process may load the workers' module: read access to it when
 * it is a local file (Deno asks for that to start a worker from a file).
 */
export function workerModuleReadable(): boolean {
  return WORKER_MODULE.protocol !== "file:" ||
    Deno.permissions.querySync({ name: "read", path: WORKER_MODULE }).state === "granted";
}

/**
 * Trains and measures `jobs` on `workers` worker threads, each taking the
 * next job in order when it is free, and returns each job's result at its
 * index (undefined for a run that did not finish). `onStep` hears every step
 * of every run, with the number of runs in progress; `signal` stops the
 * running runs within about 200 ms (a worker reads the stop when its training
 * yields; a run already being measured finishes) and starts no more. Throws
 * when `onStep` or a run throws, or a worker cannot start (its module needs
 * read permission).
 */
export async function runInWorkers(
  settings: ExperimentSettings,
  jobs: readonly RunJob[],
  workers: number,
  onStep: (index: number, step: StepInfo, running: number) => void,
  signal?: AbortSignal,
): Promise<(RunResult | undefined)[]> {
  const results: (RunResult | undefined)[] = jobs.map(() => undefined);
  if (jobs.length === 0 || signal?.aborted) return results;
  if (!workerModuleReadable()) {
    throw new Error(
      `runNormComparison: workers: ${workers} needs read access to ${WORKER_MODULE.pathname} ` +
        `(the worker's module): allow it (--allow-read) or use one worker`,
    );
  }
  const pool: Worker[] = [];
  const current = new Map<Worker, number>();
  let next = 0;
  let failure: Error | null = null;
  const stopAll = () => {
    for (const worker of current.keys()) worker.postMessage({ kind: "stop" } satisfies RunRequest);
  };
  try {
    await new Promise<void>((resolve) => {
      const settle = () => {
        if (current.size === 0) resolve();
      };
      const assign = (worker: Worker) => {
        if (failure !== null || signal?.aborted || next >= jobs.length) return settle();
        const index = next++;
        current.set(worker, index);
        const { norm, seed } = jobs[index]!;
        worker.postMessage({ kind: "run", index, norm, seed, settings } satisfies RunRequest);
      };
      signal?.addEventListener("abort", stopAll, { once: true });
      for (let i = 0; i < Math.min(workers, jobs.length); i++) {
        const worker = new Worker(WORKER_MODULE.href, { type: "module" });
        pool.push(worker);
        worker.onmessage = (event: MessageEvent<RunResponse>) => {
          const response = event.data;
          if (response.kind === "step") {
            try {
              onStep(response.index, response.step, current.size);
            } catch (error) {
              // As on one thread, the caller's error ends the experiment: stop the others.
              failure ??= error instanceof Error ? error : new Error(String(error));
              stopAll();
            }
            return;
          }
          current.delete(worker);
          if (response.kind === "done") results[response.index] = response.run;
          if (response.kind === "error") {
            failure ??= new Error(response.message);
            stopAll();
          }
          assign(worker);
        };
        worker.onerror = (event: ErrorEvent) => {
          event.preventDefault();
          failure ??= new Error(`runNormComparison: a worker thread failed: ${event.message}`);
          current.delete(worker);
          stopAll();
          settle();
        };
        assign(worker);
      }
    });
  } finally {
    signal?.removeEventListener("abort", stopAll);
    for (const worker of pool) worker.terminate();
  }
  if (failure !== null) throw failure;
  return results;
}
