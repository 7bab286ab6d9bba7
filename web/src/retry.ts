/**
 * Retrying a call the server refused for now: a 503 with Retry-After (the API's admission control under a burst, or
 * Temporal not answering in time) is sent again after the seconds it names — the same request, so a mutating call
 * keeps its Idempotency-Key and takes effect once. Only reads and calls carrying an Idempotency-Key are retried;
 * a longer wait than {@link MAX_RETRY_WAIT_S}, or a fourth refusal, is shown to the user instead.
 * No imports: the tests run it in Node against the real API.
 */

/** Retries after the first answer. */
export const MAX_RETRIES = 3;
/** A Retry-After above this many seconds is not waited out. */
export const MAX_RETRY_WAIT_S = 30;

/** The seconds a Retry-After header asks for (delta-seconds or an HTTP date), if any. */
export function retryAfterSeconds(res: Response, now = Date.now()): number | undefined {
  const v = res.headers.get('retry-after')?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v);
  // An HTTP date names its day and month (Date.parse alone would take "-1" for a year).
  const at = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(v) ? Date.parse(v) : NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Sends (`send` makes the same request each time) and sends again while the answer is a 503 with a Retry-After of at
 * most {@link MAX_RETRY_WAIT_S}, up to {@link MAX_RETRIES} times; returns the last answer. `retryable`: a read, or a
 * call with an Idempotency-Key.
 */
export async function sendRetrying(send: () => Promise<Response>, opts: { retryable: boolean; signal?: AbortSignal }): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const res = await send();
    const seconds = res.status === 503 ? retryAfterSeconds(res) : undefined;
    if (!opts.retryable || seconds === undefined || seconds > MAX_RETRY_WAIT_S || attempt >= MAX_RETRIES) return res;
    await res.body?.cancel();
    await sleep(seconds * 1000, opts.signal);
  }
}
