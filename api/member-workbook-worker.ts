/**
 * Worker-thread entry (runtime/ts-worker.ts): reads one large bulk member upload (CSV text or xlsx bytes) off the
 * API's event loop and posts its records, or the refusal of the file.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { HttpError } from './errors';
import { readMemberCsv, readMemberXlsx, type MemberWorkerMessage } from './member-workbook';

const { input } = workerData as { input: { body: string | Uint8Array } };
const post = (m: MemberWorkerMessage) => parentPort!.postMessage(m);

(typeof input.body === 'string' ? Promise.resolve().then(() => readMemberCsv(input.body as string)) : readMemberXlsx(input.body)).then(
  (result) => post({ type: 'done', result }),
  (e: unknown) => {
    if (e instanceof HttpError) post({ type: 'refused', status: e.status, detail: e.detail, errors: e.errors });
    else post({ type: 'crashed', message: e instanceof Error ? e.message : String(e) });
  },
);
