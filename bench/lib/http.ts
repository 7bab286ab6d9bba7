/**
 * A small HTTP client for the API on 127.0.0.1: JSON in and out, bearer
 * tokens cached per user, each call timed (request sent → body read).
 */
import { performance } from 'node:perf_hooks';

export interface CallResult<T = any> {
  status: number;
  body: T;
  ms: number;
  /** A 429/503's Retry-After, in ms (the API's admission control says when to come back). */
  retryAfterMs?: number;
}

export class ApiClient {
  private tokens = new Map<string, string>();
  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 60_000,
  ) {
    const u = new URL(baseUrl);
    if (u.hostname !== '127.0.0.1') throw new Error(`the benchmark only sends traffic to 127.0.0.1 (got ${baseUrl})`);
  }

  /** status 0 = the request failed without an HTTP answer (connection error, timeout). */
  async call<T = any>(
    method: string,
    path: string,
    opts: { token?: string; body?: unknown; raw?: string; contentType?: string; headers?: Record<string, string> } = {},
  ): Promise<CallResult<T>> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.raw !== undefined) {
      body = opts.raw;
      headers['content-type'] = opts.contentType ?? 'text/plain';
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    const t0 = performance.now();
    try {
      const res = await fetch(this.baseUrl + path, { method, headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
      const text = await res.text();
      const ms = performance.now() - t0;
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON */
      }
      const retryAfter = Number(res.headers.get('retry-after'));
      return { status: res.status, body: parsed as T, ms, ...(retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}) };
    } catch (e) {
      return { status: 0, body: { error: String(e) } as T, ms: performance.now() - t0 };
    }
  }

  /** Logs in once per user (the API allows 20 logins per address per 15 minutes). */
  async login(username: string, password = 'demo-password'): Promise<string> {
    const cached = this.tokens.get(username);
    if (cached) return cached;
    const r = await this.call<{ token: string }>('POST', '/api/auth/login', { body: { username, password } });
    if (r.status !== 200) throw new Error(`login ${username} failed: ${r.status} ${JSON.stringify(r.body)}`);
    this.tokens.set(username, r.body.token);
    return r.body.token;
  }
}
