/**
 * Admission control (准入控制) of the work this API hands to Temporal: starting workflows and sending them Updates and
 * signals. Under a burst the API refuses, at once and before it writes anything, the requests that would otherwise
 * wait longer than `maxQueueMs` (ADMISSION_MAX_QUEUE_MS) to be started — 503 with Retry-After, so that a client comes
 * back later with the same Idempotency-Key instead of leaving work queued for a minute.
 *
 * Two measures, either of which refuses:
 * - this process's own queue: at most `concurrency` such requests run at once (p-limit); the others wait in order.
 *   A newcomer's expected wait is, by Little's law, its place in the queue times the recent service time of one
 *   request divided by the concurrency. Updates (approve, reject…) wait for the worker to run them, so a slow worker
 *   shows here.
 * - Temporal's own queue: a workflow start returns as soon as the server stored it, while its first workflow task may
 *   wait in the task queue for the workers. The task queue's backlog (`describeTaskQueue` with stats: the age of the
 *   oldest waiting task and the count a worker must take first at the rate they are taken) is sampled about once a
 *   second while requests arrive, and only then, so an idle API asks nothing.
 */
import type { Client } from '@temporalio/client';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import pLimit from 'p-limit';
import { logger } from '../runtime/logger';
import { withTemporalDeadline } from '../runtime/temporal-client';
import { HttpError } from './errors';

export interface AdmissionSettings {
  /** The longest a request may expect to wait before its work starts (ADMISSION_MAX_QUEUE_MS). */
  maxQueueMs: number;
  /** Requests handing work to Temporal that this API process runs at once (ADMISSION_CONCURRENCY); more queue. */
  concurrency: number;
  /** Sample the task queue's backlog (default true); off, only this process's queue is measured. */
  taskQueueBacklog?: boolean;
}

/**
 * Two seconds: a person clicking 同意 notices a longer wait, and a worker that is that far behind is better told to
 * come back than queued. 32 at once: the benchmark's 16–32 concurrent approvers never queue in one API process.
 */
export const DEFAULT_ADMISSION: AdmissionSettings = { maxQueueMs: 2_000, concurrency: 32 };

/** What the admission measured last (GET /metrics shows it). */
export interface AdmissionState {
  running: number;
  queued: number;
  /** Recent service time of one admitted request, ms. */
  serviceMs: number;
  /** The task queue's expected wait from the last sample, ms (0 without a recent sample). */
  backlogMs: number;
  refused: number;
}

export interface Admission {
  /** The middleware: refuses with 503, or runs the request in its turn. */
  admit: RequestHandler;
  state(): AdmissionState;
}

/** Until a request has been measured, one is assumed to take this long (a start or an Update on a busy machine). */
const INITIAL_SERVICE_MS = 100;
/** Weight of the newest measurement in the moving average of the service time. */
const SERVICE_WEIGHT = 0.2;
/** How often the task queue is described while requests arrive. */
const SAMPLE_EVERY_MS = 1_000;
/** A sample older than this (the API was idle) is not used. */
const SAMPLE_VALID_MS = 5_000;
/** The describe call's own deadline: a slow answer must not pile up samples. */
const SAMPLE_DEADLINE_MS = 2_000;
/** Retry-After stays within these seconds. */
const RETRY_MIN_S = 1;
const RETRY_MAX_S = 60;

const TASK_QUEUE_KIND_NORMAL = 1;
const TASK_QUEUE_TYPE_WORKFLOW = 1;

export function createAdmission(temporal: Client, taskQueue: string, settings: AdmissionSettings): Admission {
  const limit = pLimit(settings.concurrency);
  let serviceMs = INITIAL_SERVICE_MS;
  let refused = 0;
  let backlog: { at: number; waitMs: number } | undefined;
  let sampling = false;
  let lastSampleStart = -Infinity;

  const sampleBacklog = () => {
    const now = performance.now();
    if (settings.taskQueueBacklog === false || sampling || now - lastSampleStart < SAMPLE_EVERY_MS) return;
    sampling = true;
    lastSampleStart = now;
    withTemporalDeadline(
      temporal,
      () =>
        temporal.workflowService.describeTaskQueue({
          namespace: temporal.options.namespace,
          taskQueue: { name: taskQueue, kind: TASK_QUEUE_KIND_NORMAL },
          taskQueueType: TASK_QUEUE_TYPE_WORKFLOW,
          reportStats: true,
        }),
      SAMPLE_DEADLINE_MS,
    )
      .then((r) => {
        const s = r.stats;
        const ageMs = s?.approximateBacklogAge ? Number(s.approximateBacklogAge.seconds ?? 0) * 1000 + (s.approximateBacklogAge.nanos ?? 0) / 1e6 : 0;
        const count = Number(s?.approximateBacklogCount ?? 0);
        const rate = s?.tasksDispatchRate ?? 0;
        // The oldest task has waited `ageMs`; a new one waits at least until the tasks ahead of it are taken.
        const drainMs = count > 0 && rate > 0 ? (count / rate) * 1000 : 0;
        backlog = { at: performance.now(), waitMs: Math.max(ageMs, drainMs) };
      })
      .catch((err: unknown) => {
        // Without a sample only this process's queue is judged; an unreachable Temporal answers 503 on its own.
        logger.debug({ reason: err instanceof Error ? err.message : String(err) }, 'task queue backlog sample failed');
      })
      .finally(() => {
        sampling = false;
      });
  };

  const backlogMs = () => (backlog && performance.now() - backlog.at < SAMPLE_VALID_MS ? backlog.waitMs : 0);

  /** The expected wait of a request arriving now in this process's queue, ms. */
  const localWaitMs = () => (limit.activeCount < settings.concurrency ? 0 : ((limit.pendingCount + 1) * serviceMs) / settings.concurrency);

  const refuse = (waitMs: number) => {
    refused++;
    const retryAfter = Math.min(RETRY_MAX_S, Math.max(RETRY_MIN_S, Math.ceil(waitMs / 1000)));
    const limitS = settings.maxQueueMs / 1000;
    return new HttpError(
      503,
      `系统繁忙：预计排队超过 ${limitS} 秒，请 ${retryAfter} 秒后用相同的 Idempotency-Key 重试 / ` +
        `overloaded: the expected wait exceeds ${limitS} s; retry in ${retryAfter} s with the same Idempotency-Key`,
      undefined,
      retryAfter,
    );
  };

  const admit = (_req: Request, res: Response, next: NextFunction) => {
    sampleBacklog();
    const waitMs = Math.max(localWaitMs(), backlogMs());
    // The error middleware logs the refusal (one line, as every 503).
    if (waitMs > settings.maxQueueMs) return next(refuse(waitMs));
    // The request holds its place from here until its answer is sent or its client went away.
    let closed = false;
    let release: (() => void) | undefined;
    res.once('close', () => {
      closed = true;
      release?.();
    });
    void limit(
      () =>
        new Promise<void>((resolve) => {
          if (closed) return resolve(); // the client left while queued
          const started = performance.now();
          release = () => {
            serviceMs += SERVICE_WEIGHT * (performance.now() - started - serviceMs);
            resolve();
          };
          next();
        }),
    );
  };

  return {
    admit,
    state: () => ({ running: limit.activeCount, queued: limit.pendingCount, serviceMs, backlogMs: backlogMs(), refused }),
  };
}

/**
 * The middleware a route that hands work to Temporal puts before `idempotent(db)`: the app's admission (createApp puts
 * it in `app.locals.admission`) refuses or queues the request before anything is written.
 */
export const admitTemporalWork: RequestHandler = (req, res, next) => {
  const admission = req.app.locals.admission as Admission | undefined;
  if (!admission) return next();
  admission.admit(req, res, next);
};
