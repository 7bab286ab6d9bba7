/**
 * The web client's reading of Retry-After (web/src/retry.ts): whole seconds or an HTTP date; anything else is no
 * instruction to retry. Its retrying against the real API is in test/api/admission-control.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { retryAfterSeconds } from '../../web/src/retry';

const answer = (retryAfter?: string) => new Response(null, { status: 503, headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter } });

describe('retryAfterSeconds', () => {
  it('reads whole seconds and HTTP dates', () => {
    expect(retryAfterSeconds(answer('3'))).toBe(3);
    expect(retryAfterSeconds(answer(' 0 '))).toBe(0);
    const now = Date.parse('2026-12-01T03:00:00Z');
    expect(retryAfterSeconds(answer('Tue, 01 Dec 2026 03:00:05 GMT'), now)).toBe(5);
    expect(retryAfterSeconds(answer('Tue, 01 Dec 2026 02:59:00 GMT'), now)).toBe(0);
  });

  it('is undefined without the header or with one it cannot read', () => {
    expect(retryAfterSeconds(answer())).toBeUndefined();
    expect(retryAfterSeconds(answer('soon'))).toBeUndefined();
    expect(retryAfterSeconds(answer('-1'))).toBeUndefined();
  });
});
