import { isGrpcDeadlineError, WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { HttpError, isUnavailable } from './errors';

/** Maps a Temporal client error to the API's errors (validator refusals → 403/409/400). */
export function mapTemporalError(err: unknown): unknown {
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure) {
      const status = cause.type === 'Forbidden' ? 403 : cause.type === 'BadRequest' ? 400 : 409;
      return new HttpError(status, cause.message);
    }
    return new HttpError(409, err.message);
  }
  if (err instanceof WorkflowNotFoundError) return new HttpError(404, '流程不存在 / workflow not found');
  // The call's deadline passed (no worker picked the work up in time, e.g. while it restarts): the
  // work may still be done later, so the client retries with the same Idempotency-Key.
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || isGrpcDeadlineError(err))
    return withCause(
      new HttpError(
        503,
        '工作流服务未能及时处理，请稍后用相同的 Idempotency-Key 重试 / Temporal did not finish in time; retry shortly with the same Idempotency-Key',
      ),
      err,
    );
  if (isUnavailable(err)) return withCause(new HttpError(503, '工作流服务暂不可用，请稍后重试 / Temporal unavailable, retry shortly'), err);
  return err;
}

/** Keeps what Temporal said on the mapped error: the API's 503 log line names it for the operator. */
function withCause(mapped: HttpError, cause: unknown): HttpError {
  (mapped as Error).cause = cause;
  return mapped;
}
