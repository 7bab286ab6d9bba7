/**
 * The API client: JSON over fetch with the session's bearer token, an
 * Idempotency-Key on every mutating call, a retry of a busy server's 503 after
 * its Retry-After (web/src/retry.ts), and one error type carrying the
 * server's problem+json so screens can show each error next to its cause.
 */
import { changesData } from './changes';
import { dataChanged } from './components/fresh';
import { sendRetrying } from './retry';

export interface FieldError {
  path: string;
  message: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  [extra: string]: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail);
  }
  get fieldErrors(): FieldError[] {
    return this.problem.errors ?? [];
  }
}

let token: string | null = null;
let onUnauthorized: (() => void) | null = null;

export function setToken(t: string | null): void {
  token = t;
}
export function getToken(): string | null {
  return token;
}
export function setUnauthorizedHandler(fn: (() => void) | null): void {
  onUnauthorized = fn;
}

/**
 * A random key for Idempotency-Key. `crypto.randomUUID` exists only in
 * secure contexts (https, localhost); an intranet deployment on plain http
 * still has `getRandomValues`.
 */
export function newKey(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

const UNREACHABLE: Problem = { status: 0, detail: '无法连接服务器，请检查网络后重试 / cannot reach the server; check the network and retry' };

async function toProblem(res: Response): Promise<Problem> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as Problem;
    if (body && typeof body.detail === 'string') return { ...body, status: res.status };
  } catch {
    /* not JSON */
  }
  return { status: res.status, detail: `服务器返回错误 ${res.status} / the server answered ${res.status}` };
}

export interface CallOptions {
  body?: unknown;
  /** A raw body (CSV text) with its content type. */
  raw?: { body: string; contentType: string };
  idempotencyKey?: string;
  signal?: AbortSignal;
  /** Public routes: send no token. */
  anonymous?: boolean;
}

export async function call<T = unknown>(method: string, path: string, opts: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token && !opts.anonymous) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (opts.raw) {
    headers['content-type'] = opts.raw.contentType;
    body = opts.raw.body;
  } else if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  if (method !== 'GET' && method !== 'HEAD') headers['idempotency-key'] = opts.idempotencyKey ?? newKey();
  let res: Response;
  try {
    // A 503 with Retry-After (the server is busy) is sent again after the wait it names, with the same key: every
    // call here is a read or carries an Idempotency-Key, so it takes effect once.
    res = await sendRetrying(() => fetch(path, { method, headers, body, signal: opts.signal }), { retryable: true, signal: opts.signal });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, UNREACHABLE);
  }
  if (!res.ok) {
    const problem = await toProblem(res);
    if (res.status === 401 && headers.authorization && onUnauthorized) onUnauthorized();
    throw new ApiError(res.status, problem);
  }
  const answer: unknown =
    res.status === 204 ? undefined : (res.headers.get('content-type') ?? '').includes('json') ? ((await res.json()) as unknown) : await res.text();
  if (changesData(method, path, opts.body)) dataChanged();
  return answer as T;
}

export const get = <T = unknown>(path: string, opts?: CallOptions) => call<T>('GET', path, opts);
export const post = <T = unknown>(path: string, body?: unknown, opts?: CallOptions) => call<T>('POST', path, { ...opts, body });

/**
 * POSTs a body with upload progress (fetch reports none): `onProgress` gets the
 * fraction sent; the promise settles with the parsed answer, or an ApiError
 * whose problem keeps any extra fields (a survey's `rejected`, 413 too large,
 * 415 a refused type…). A FormData body sets its own multipart content type.
 */
function sendWithProgress<T>(
  path: string,
  body: XMLHttpRequestBodyInit,
  headers: Record<string, string>,
  onProgress: (sent: number) => void,
  idempotencyKey: string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.setRequestHeader('idempotency-key', idempotencyKey);
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () => reject(new ApiError(0, UNREACHABLE));
    xhr.onload = () => {
      let answer: unknown;
      try {
        answer = JSON.parse(xhr.responseText);
      } catch {
        answer = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        dataChanged();
        return resolve(answer as T);
      }
      if (xhr.status === 401 && token && onUnauthorized) onUnauthorized();
      const p = answer as Problem | undefined;
      reject(
        new ApiError(
          xhr.status,
          p && typeof p.detail === 'string'
            ? { ...p, status: xhr.status }
            : { status: xhr.status, detail: `服务器返回错误 ${xhr.status} / the server answered ${xhr.status}` },
        ),
      );
    };
    xhr.send(body);
  });
}

/** Uploads a text body (or a file: an xlsx workbook) of the given content type, with progress. */
export function uploadText<T>(
  path: string,
  text: string | Blob,
  contentType: string,
  onProgress: (sent: number) => void,
  idempotencyKey = newKey(),
  headers: Record<string, string> = {},
): Promise<T> {
  return sendWithProgress<T>(path, text, { 'content-type': contentType, ...headers }, onProgress, idempotencyKey);
}

/** Uploads a file as multipart/form-data (field `file`, plus any text fields), with progress. */
export function uploadFile<T>(
  path: string,
  file: File,
  fields: Record<string, string>,
  onProgress: (sent: number) => void,
  idempotencyKey = newKey(),
): Promise<T> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', file, file.name);
  return sendWithProgress<T>(path, form, {}, onProgress, idempotencyKey);
}

/** Fetches a file with the token and hands it to the browser as a download. */
export async function download(path: string, filename: string): Promise<void> {
  saveBlob(await fetchBlob(path), filename);
}

/** Fetches a binary resource with the token (an image to show, a file to rasterize). */
export async function fetchBlob(path: string): Promise<Blob> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(path, { headers });
  } catch {
    throw new ApiError(0, UNREACHABLE);
  }
  if (!res.ok) throw new ApiError(res.status, await toProblem(res));
  return res.blob();
}

export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A CSV file Excel and WPS open in Chinese correctly (UTF-8 with BOM), cells quoted where needed. */
export function csvBlob(rows: (string | number | null | undefined)[][]): Blob {
  const cell = (v: string | number | null | undefined) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return new Blob(['\uFEFF' + rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' });
}

/** Parses CSV text into records of cells (quotes, doubled quotes, CRLF), as the server's parser numbers them. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const s = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  // Blank lines stay (as ['']): the server numbers rows by record, blank ones included.
  return rows;
}
