/**
 * Where a survey upload is parsed: small ones on the event loop (a few
 * milliseconds), large ones in a worker thread so that the API keeps answering
 * every other request while a 20 MB file is read. Either way the work is
 * {@link readSurveyUpload}: linear in the upload, cell and row limits first.
 */
import { HttpError, type FieldError } from './errors';
import { readSurveyUpload, type ReadUpload, type ValidationContext } from './survey-import';
import { startTsWorker } from '../runtime/ts-worker';
import { surveyWorkbookToCsv } from './survey-workbook';

/**
 * Reads one upload: text (JSON or CSV) as {@link readSurveyUpload} does; an
 * xlsx workbook (bytes) by reading its first sheet into CSV text first
 * (api/survey-workbook.ts), so its rows meet the same checks.
 */
export async function readSurveyFile(
  contentType: string | undefined,
  body: string | Uint8Array,
  ctx: ValidationContext,
  onProgress?: (phase: 'parsing' | 'validating', done: number, total: number) => void,
): Promise<ReadUpload> {
  if (typeof body === 'string') return readSurveyUpload(contentType, body, ctx, onProgress);
  onProgress?.('parsing', 0, 0);
  const csv = await surveyWorkbookToCsv(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  return { ...readSurveyUpload('text/csv', csv, ctx, onProgress), format: 'xlsx' };
}

/** Uploads up to this many characters (bytes for a workbook) are parsed on the event loop (about 1,000 rows, a few ms). */
export const INLINE_UPLOAD_CHARS = 256 * 1024;
/** Parse workers at once; more uploads wait for a free one (each holds its file and its rows in memory). */
export const MAX_PARSE_WORKERS = 2;

export type ParsePhase = 'queued' | 'parsing' | 'validating';
export type ParseProgress = (phase: ParsePhase, done: number, total: number) => void;

/** What the worker thread (api/survey-parse-worker.ts) posts. */
export type ParseWorkerMessage =
  | { type: 'progress'; phase: 'parsing' | 'validating'; done: number; total: number }
  | { type: 'done'; result: ReadUpload }
  | { type: 'refused'; status: number; detail: string; errors?: FieldError[] }
  | { type: 'crashed'; message: string };

const WORKER_MODULE = new URL('./survey-parse-worker.ts', import.meta.url);

let running = 0;
const waiting: (() => void)[] = [];

async function acquireSlot(): Promise<void> {
  if (running < MAX_PARSE_WORKERS) {
    running++;
    return;
  }
  // The releasing upload hands its slot over (running stays the same).
  await new Promise<void>((resolve) => waiting.push(resolve));
}

function releaseSlot(): void {
  const next = waiting.shift();
  if (next) next();
  else running--;
}

/**
 * Parses and validates an upload (JSON array or CSV text, or xlsx bytes) off the event loop
 * when it is large. Refusals of the file itself (400, 413, 415) reject with
 * their {@link HttpError}; `onProgress` hears the phase and the rows validated.
 */
export async function parseSurveyUpload(
  contentType: string | undefined,
  body: string | Uint8Array,
  ctx: ValidationContext,
  onProgress?: ParseProgress,
): Promise<ReadUpload> {
  // A workbook is zipped: its rows take several times its bytes, so its inline limit is a quarter.
  if (body.length <= (typeof body === 'string' ? INLINE_UPLOAD_CHARS : INLINE_UPLOAD_CHARS / 4)) return readSurveyFile(contentType, body, ctx, onProgress);
  onProgress?.('queued', 0, 0);
  await acquireSlot();
  try {
    return await inWorker(contentType, body, ctx, onProgress);
  } finally {
    releaseSlot();
  }
}

function inWorker(contentType: string | undefined, body: string | Uint8Array, ctx: ValidationContext, onProgress?: ParseProgress): Promise<ReadUpload> {
  return new Promise<ReadUpload>((resolve, reject) => {
    // 20 MB of text becomes about ten times that as parsed rows; the cap keeps a hostile file from taking the process down.
    const worker = startTsWorker(WORKER_MODULE, { contentType, body, ctx }, { maxOldGenerationSizeMb: 1024 });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
      void worker.terminate();
    };
    worker.on('message', (m: ParseWorkerMessage) => {
      if (m.type === 'progress') onProgress?.(m.phase, m.done, m.total);
      else if (m.type === 'done') settle(() => resolve(m.result));
      else if (m.type === 'refused') settle(() => reject(new HttpError(m.status, m.detail, m.errors)));
      else settle(() => reject(new Error(`survey parse worker failed: ${m.message}`)));
    });
    worker.on('error', (e) => settle(() => reject(e)));
    worker.on('exit', (code) => settle(() => reject(new Error(`survey parse worker exited (${code}) without a result`))));
  });
}
