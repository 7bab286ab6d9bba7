/**
 * Worker threads for CPU-bound work that must not hold the API's event loop
 * (a 20 MB survey upload is parsed and validated in one).
 */
import { Worker } from 'node:worker_threads';

const BOOTSTRAP = new URL('./ts-worker-bootstrap.mjs', import.meta.url);

/**
 * Starts a worker thread running the TypeScript module `moduleUrl`; the module
 * reads `input` from `workerData.input` and talks over `parentPort`.
 */
export function startTsWorker(moduleUrl: URL, input: unknown, opts: { maxOldGenerationSizeMb?: number } = {}): Worker {
  return new Worker(BOOTSTRAP, {
    workerData: { moduleUrl: moduleUrl.href, input },
    resourceLimits: opts.maxOldGenerationSizeMb ? { maxOldGenerationSizeMb: opts.maxOldGenerationSizeMb } : undefined,
    // The worker's console and logs go to this process's streams.
    stdout: false,
    stderr: false,
  });
}
