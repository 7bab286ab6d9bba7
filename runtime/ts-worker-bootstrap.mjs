// Bootstrap of a worker thread that runs a TypeScript module (runtime/ts-worker.ts starts it).
// Plain JavaScript on purpose: under Node 20 a worker thread does not inherit the tsx loader
// of the process that starts it (nor vitest's), so this file registers tsx itself and then
// imports the module named in workerData.
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

await tsImport(workerData.moduleUrl, import.meta.url);
