/**
 * One error type carrying an HTTP status, and the middleware that turns every
 * error into application/problem+json.
 */
import type { ErrorRequestHandler } from 'express';
import { type z } from 'zod';
import type { Decision } from '../domain/policy';
import { logger } from '../runtime/logger';

export interface FieldError {
  path: string;
  message: string;
}

const TITLES: Record<number, string> = {
  400: '请求参数有误 / Bad request',
  401: '未登录或登录已过期 / Unauthorized',
  403: '无权执行此操作 / Forbidden',
  404: '未找到 / Not found',
  409: '状态冲突 / Conflict',
  413: '请求体过大 / Payload too large',
  415: '不支持的内容类型 / Unsupported media type',
  429: '请求过于频繁 / Too many requests',
  500: '服务器内部错误 / Internal server error',
  503: '服务暂不可用 / Service unavailable',
};

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly errors?: FieldError[],
    /** 429/503: seconds until a retry may succeed, sent as Retry-After. */
    readonly retryAfterSeconds?: number,
    /** More members of the problem document (e.g. a fresh CAPTCHA challenge, the cool-down's remaining seconds). */
    readonly extra?: Record<string, unknown>,
  ) {
    super(detail);
  }
}

export const badRequest = (detail: string, errors?: FieldError[]) => new HttpError(400, detail, errors);
export const forbidden = (detail = '超出您的角色或组织范围 / outside your role or org scope') => new HttpError(403, detail);
export const notFound = (detail = '资源不存在 / not found') => new HttpError(404, detail);
export const conflict = (detail: string) => new HttpError(409, detail);
/** 429 with Retry-After (whole seconds, at least 1). */
export const tooManyRequests = (detail: string, retryAfterMs: number) => new HttpError(429, detail, undefined, Math.max(1, Math.ceil(retryAfterMs / 1000)));

/** Throws the policy's refusal (403 or 404 with its reason) unless it allows; returns whether an override made it allowed. */
export function enforce(decision: Decision): { override: boolean } {
  if (!decision.allow) throw new HttpError(decision.status, decision.reason);
  return { override: !!decision.override };
}

/** Turns zod issues into the contract's `errors` list, one entry per bad field. */
export function zodFieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((i) => ({ path: i.path.length ? i.path.join('.') : '(body)', message: i.message }));
}

/** NUL, or half of a surrogate pair: text Postgres cannot store (a workflow would retry its write for ever). */
const UNSTORABLE = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The path of the first string (or key) in a request body that Postgres
 * cannot store, if any. Iterative, so a body nested 100,000 deep is no problem.
 */
export function findUnstorableText(value: unknown): string | undefined {
  const stack: [unknown, string][] = [[value, '(body)']];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (UNSTORABLE.test(v)) return path;
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push([v[i], path === '(body)' ? String(i) : `${path}.${i}`]);
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        const p = path === '(body)' ? k : `${path}.${k}`;
        if (UNSTORABLE.test(k)) return p;
        stack.push([x, p]);
      }
    }
  }
  return undefined;
}

/** Refuses (400) a body with text that cannot be stored: NUL characters or unpaired surrogates. */
export function requireStorableText(value: unknown): void {
  const path = findUnstorableText(value);
  if (path)
    throw badRequest(
      '请求含有无法保存的字符（空字符或不成对的代理字符）/ the request contains characters that cannot be stored (NUL or an unpaired surrogate)',
      [{ path, message: 'invalid character' }],
    );
}

/** Parses with a schema or throws a 400 listing every bad field. */
export function parseOr400<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  requireStorableText(value);
  const result = schema.safeParse(value);
  if (!result.success) throw badRequest('请求内容有误，请检查标出的字段 / invalid fields', zodFieldErrors(result.error));
  return result.data;
}

export function problem(status: number, detail: string, errors?: FieldError[], extra?: Record<string, unknown>) {
  return {
    ...extra,
    type: `https://union-drive.example/problems/${status}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    ...(errors ? { errors } : {}),
  };
}

export const errorMiddleware: ErrorRequestHandler = (err, req, res, _next) => {
  let status = 500;
  let detail = '服务器内部错误 / internal error';
  let errors: FieldError[] | undefined;
  let extra: Record<string, unknown> | undefined;
  if (err instanceof HttpError) {
    status = err.status;
    detail = err.detail;
    errors = err.errors;
    extra = err.extra;
  } else if (err && typeof err === 'object' && 'type' in err && (err as { type: string }).type === 'entity.too.large') {
    status = 413;
    detail = '请求体超过大小限制 / request body too large';
  } else if (err && typeof err === 'object' && 'type' in err && (err as { type: string }).type === 'entity.parse.failed') {
    status = 400;
    detail = '请求体不是有效的 JSON / body is not valid JSON';
    errors = [{ path: '(body)', message: 'invalid JSON' }];
  } else if (isClientHttpError(err)) {
    // Other refusals of the body parser and the router: an unsupported charset or encoding (415), a body
    // cut short, a path with broken percent-encoding (400)…
    status = err.status;
    detail =
      status === 415
        ? '不支持的字符集或编码，请用 UTF-8 JSON / unsupported charset or encoding: send UTF-8 JSON'
        : err instanceof URIError
          ? '路径中的编码无效 / the path has invalid percent-encoding'
          : '请求无法读取 / the request could not be read';
  } else if (isPostgresDataError(err)) {
    // A value the schema let through but the database cannot represent (e.g. a number or date out of its range).
    status = 400;
    detail = '请求中的值超出允许范围 / a value in the request is out of range';
  } else if (isUnavailable(err)) {
    status = 503;
    detail = isTemporalError(err)
      ? '工作流服务暂不可用，请稍后重试 / Temporal unavailable, retry shortly'
      : '数据库暂不可用，请稍后重试 / database unavailable, retry shortly';
  }
  // An outage answers every request with 503: one line each, without a stack, is enough.
  if (err instanceof HttpError && err.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(err.retryAfterSeconds));
  if (status === 503) logger.warn({ path: req.path, reason: err instanceof Error ? err.message : String(err), cause: causeOf(err) }, 'service unavailable');
  else if (status >= 500) logger.error({ err, path: req.path }, 'request failed');
  res
    .status(status)
    .type('application/problem+json')
    .send(JSON.stringify(problem(status, detail, errors, extra)));
};

/** An error a library marked as the client's fault (http-errors of the body parser, the router's URIError): 4xx. */
function isClientHttpError(err: unknown): err is { status: number } {
  const e = err as { status?: unknown };
  return !!err && typeof err === 'object' && typeof e.status === 'number' && Number.isInteger(e.status) && e.status >= 400 && e.status < 500;
}

/** Postgres "data exception" (class 22): the value, not the server, is at fault. */
function isPostgresDataError(err: unknown): boolean {
  const e = err as { code?: unknown; severity?: unknown };
  return !!err && typeof err === 'object' && typeof e.code === 'string' && /^22[0-9A-Z]{3}$/.test(e.code) && typeof e.severity === 'string';
}

/** What lies under a mapped error (e.g. the Temporal call's own message), for the log; undefined when nothing does. */
function causeOf(err: unknown): string | undefined {
  const cause = err instanceof Error ? err.cause : undefined;
  if (!(cause instanceof Error)) return undefined;
  const inner = cause.cause instanceof Error ? ` (${cause.cause.message})` : '';
  return `${cause.name}: ${cause.message}${inner}`;
}

/** Errors of the Temporal client (gRPC), as opposed to the database's. */
function isTemporalError(err: unknown): boolean {
  const e = err as { name?: string };
  return e.name === 'ServiceError' || e.name === 'ConnectionError' || e.name === 'WorkflowUpdateRPCTimeoutOrCancelledError';
}

/** gRPC statuses of a call that may succeed when retried: CANCELLED, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, UNAVAILABLE. */
const TRANSIENT_GRPC_CODES = new Set([1, 4, 8, 10, 14]);

/** Connection failures to Postgres or Temporal, which the API reports as 503. */
export function isUnavailable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: string; name?: string; message?: string };
  if (
    e.code &&
    [
      'ECONNREFUSED',
      'ECONNRESET',
      'ETIMEDOUT',
      'EPIPE',
      'EHOSTUNREACH',
      'ENOTFOUND',
      '57P01',
      '57P02',
      '57P03',
      '08000',
      '08001',
      '08003',
      '08004',
      '08006',
    ].includes(e.code)
  )
    return true;
  if (e.name === 'KnexTimeoutError') return true;
  if (e.name === 'ConnectionError') return true;
  // A Temporal call that failed: transient only when its gRPC status says so. A refusal (INVALID_ARGUMENT,
  // NOT_FOUND…) is a fault to see as one (500), not an outage for clients to retry.
  if (e.name === 'ServiceError') {
    const code = (err as { cause?: { code?: unknown } }).cause?.code;
    return typeof code !== 'number' || TRANSIENT_GRPC_CODES.has(code);
  }
  return /Connection terminated|Query read timeout|^timeout expired$|ECONNREFUSED|UNAVAILABLE|Failed to connect|database system is (?:shutting down|starting up|in recovery)/i.test(
    e.message ?? '',
  );
}
