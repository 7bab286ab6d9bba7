/**
 * The floor benchmark's worker process (bench/temporal-floor.ts): one Temporal worker with the SDK's defaults, as
 * runtime/worker.ts creates the product's, running only bench/floor/workflow.ts. TEMPORAL_ADDRESS and TASK_QUEUE say
 * where; it stops on SIGTERM (draining) or when STOP_WITH_PARENT's process is gone.
 */
import path from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { onShutdown } from '../../runtime/entry';
import * as activities from './activities';

const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
const worker = await Worker.create({
  connection,
  namespace: 'default',
  taskQueue: process.env.TASK_QUEUE!,
  workflowsPath: path.resolve(import.meta.dirname, 'workflow.ts'),
  activities,
  shutdownGraceTime: '10 seconds',
});
onShutdown(
  () => {
    worker.shutdown();
    return Promise.resolve();
  },
  Number(process.env.STOP_WITH_PARENT) || undefined,
);
console.log('floor worker polling');
await worker.run();
await connection.close();
