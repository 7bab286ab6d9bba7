import path from 'node:path';
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { ensureRetentionSchedule } from '../activities/retention';

export const WORKFLOWS_PATH = path.resolve(import.meta.dirname, '../workflows/index.ts');

/**
 * Creates the worker that runs every workflow and activity of the project on
 * one task queue. Pass `workflowBundle` (tests bundle once) or let it bundle
 * from WORKFLOWS_PATH.
 */
export async function createWorker(opts: {
  address: string;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  workflowBundle?: { codePath: string };
  tuning?: Partial<
    Pick<
      WorkerOptions,
      'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'maxConcurrentLocalActivityExecutions' | 'maxCachedWorkflows'
    >
  >;
}): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = await NativeConnection.connect({ address: opts.address });
  const worker = await Worker.create({
    connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: createActivities(opts.deps),
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    shutdownGraceTime: '10 seconds',
    ...opts.tuning,
  });
  return { worker, connection };
}

/**
 * The schedules a worker keeps in place, created or brought up to date at
 * every start (idempotent by schedule id): the daily retention run (数据保留).
 * Campaign bulletin schedules are made by their campaigns instead.
 */
export async function ensureWorkerSchedules(client: Client, taskQueue: string): Promise<{ retention: string }> {
  return { retention: await ensureRetentionSchedule(client, { taskQueue }) };
}
