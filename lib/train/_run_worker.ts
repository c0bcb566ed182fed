/**
 * Internal: the worker thread of {@linkcode runInWorkers} (./_run_pool.ts).
 * It rebuilds the experiment's data from the settings (the same split and
 * vocabulary on every thread), then trains and measures the runs it is sent,
 * one at a time, and posts each step's progress and each run's result.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import type { RunRequest, RunResponse } from "./_run_pool.ts";
import { type ExperimentSetup, prepareExperiment, trainAndMeasure } from "./_run.ts";

// A worker serves one runInWorkers call, whose runs share the settings: the data is built once.
let setup: ExperimentSetup | null = null;
let controller: AbortController | null = null;

function post(response: RunResponse): void {
  self.postMessage(response);
}

self.onmessage = async (event: MessageEvent<RunRequest>) => {
  const request = event.data;
  if (request.kind === "stop") {
    controller?.abort();
    return;
  }
  const { index, norm, seed, settings } = request;
  try {
    setup ??= prepareExperiment(settings);
    controller = new AbortController();
    const outcome = await trainAndMeasure(setup, norm, seed, {
      signal: controller.signal,
      onStep: (step) => post({ kind: "step", index, step }),
    });
    controller = null;
    post(outcome === null ? { kind: "stopped", index } : { kind: "done", index, run: outcome.run });
  } catch (error) {
    post({ kind: "error", index, message: error instanceof Error ? error.message : String(error) });
  }
};
