/**
 * Worker-thread entry (runtime/ts-worker.ts): parses and validates one survey
 * upload off the API's event loop, posting its progress and then its result.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { HttpError } from './errors';
import { readSurveyUpload, type ValidationContext } from './survey-import';
import type { ParseWorkerMessage } from './survey-parse';

const { input } = workerData as { input: { contentType: string | undefined; body: string; ctx: ValidationContext } };
const post = (m: ParseWorkerMessage) => parentPort!.postMessage(m);

try {
  const result = readSurveyUpload(input.contentType, input.body, input.ctx, (phase, done, total) => post({ type: 'progress', phase, done, total }));
  post({ type: 'done', result });
} catch (e) {
  if (e instanceof HttpError) post({ type: 'refused', status: e.status, detail: e.detail, errors: e.errors });
  else post({ type: 'crashed', message: e instanceof Error ? e.message : String(e) });
}
