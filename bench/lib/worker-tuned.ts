/**
 * A benchmark-only worker entry: the real runtime/worker-main.ts, with
 * Temporal WorkerOptions from BENCH_WORKER_OPTIONS (JSON, e.g.
 * {"maxConcurrentWorkflowTaskExecutions":100,"maxConcurrentWorkflowTaskPolls":20})
 * merged into its Worker.create call. runtime/worker.ts exposes no tuning
 * through the environment yet; this lets the benchmark try some without
 * touching the engine (and follows whatever worker-main.ts does otherwise).
 */
import { Worker, type WorkerOptions } from '@temporalio/worker';

const tuning = JSON.parse(process.env.BENCH_WORKER_OPTIONS || '{}') as Partial<WorkerOptions>;
const create = Worker.create.bind(Worker);
(Worker as unknown as { create: (o: WorkerOptions) => Promise<Worker> }).create = (options: WorkerOptions) => {
  console.error(`[bench worker] WorkerOptions overridden: ${JSON.stringify(tuning)}`);
  return create({ ...options, ...tuning });
};

await import('../../runtime/worker-main');
