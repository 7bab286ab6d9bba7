/**
 * Worker-thread entry (runtime/ts-worker.ts): reads one uploaded org tree
 * workbook off the API's event loop, posting its progress and then its rows.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { HttpError } from './errors';
import { readOrgWorkbook, type WorkbookWorkerMessage } from './org-workbook';

const { input } = workerData as { input: { data: Uint8Array } };
const post = (m: WorkbookWorkerMessage) => parentPort!.postMessage(m);

readOrgWorkbook(input.data, (done, total) => post({ type: 'progress', done, total })).then(
  (rows) => post({ type: 'done', rows }),
  (e: unknown) => {
    if (e instanceof HttpError) post({ type: 'refused', status: e.status, detail: e.detail, errors: e.errors });
    else post({ type: 'crashed', message: e instanceof Error ? e.message : String(e) });
  },
);
