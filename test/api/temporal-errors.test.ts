/**
 * Which Temporal failures the API answers as an outage (503, retry) and which as a fault (500). A workflow start
 * refused with INVALID_ARGUMENT (a search attribute the frontend does not know yet) was once answered 503, so a
 * misconfigured server looked like a busy one.
 */
import { ServiceError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { HttpError, isUnavailable } from '../../api/errors';
import { mapTemporalError } from '../../api/temporal-errors';

/** A gRPC failure as @temporalio/client wraps it: its status code is on the cause. */
function serviceError(code: number, text: string): ServiceError {
  return new ServiceError(`Failed to start Workflow (${code} ${text})`, { cause: Object.assign(new Error(text), { code }) });
}

describe('Temporal failures and the API’s answer', () => {
  it('UNAVAILABLE, DEADLINE_EXCEEDED and RESOURCE_EXHAUSTED are an outage: 503 keeping what Temporal said', () => {
    for (const [code, text] of [
      [14, 'UNAVAILABLE: connection refused'],
      [4, 'DEADLINE_EXCEEDED: deadline exceeded'],
      [8, 'RESOURCE_EXHAUSTED: namespace rate limit exceeded'],
    ] as const) {
      const err = serviceError(code, text);
      expect(isUnavailable(err), text).toBe(true);
      const mapped = mapTemporalError(err);
      expect(mapped).toBeInstanceOf(HttpError);
      expect((mapped as HttpError).status).toBe(503);
      expect((mapped as HttpError).cause).toBe(err);
    }
  });

  it('INVALID_ARGUMENT and NOT_FOUND are not an outage: the error passes on unchanged (the API answers 500)', () => {
    for (const [code, text] of [
      [3, 'INVALID_ARGUMENT: Namespace default has no mapping defined for search attribute ApplicantOrg'],
      [5, 'NOT_FOUND: Namespace default is not found.'],
    ] as const) {
      const err = serviceError(code, text);
      expect(isUnavailable(err), text).toBe(false);
      expect(mapTemporalError(err)).toBe(err);
    }
  });
});
