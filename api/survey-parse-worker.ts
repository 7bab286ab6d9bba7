/**
 * Worker-thread entry (runtime/ts-worker.ts): parses and validates one survey
 * upload off the API's event loop, posting its progress and then its result.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { HttpError } from './errors';
import type { ValidationContext } from './survey-import';
import { readSurveyFile, type ParseWorkerMessage } from './survey-parse';

const { input } = workerData as { input: { contentType: string | undefined; body: string | Uint8Array; ctx: ValidationContext } };
const post = (m: ParseWorkerMessage) => parentPort!.postMessage(m);

readSurveyFile(input.contentType, input.body, input.ctx, (phase, done, total) => post({ type: 'progress', phase, done, total })).then(
  (result) => post({ type: 'done', result }),
  (e: unknown) => {
    if (e instanceof HttpError) post({ type: 'refused', status: e.status, detail: e.detail, errors: e.errors });
    else post({ type: 'crashed', message: e instanceof Error ? e.message : String(e) });
  },
);
