/**
 * 数据保留 (retention): the daily Temporal Schedule and the run it starts.
 * The schedule is created (or brought up to date) at worker start, idempotent
 * by its id; the run is one keyed transaction (db/retention-repository.ts).
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptionsAction, type ScheduleUpdateOptions } from '@temporalio/client';
import { runRetention, type RetentionRun } from '../db/retention-repository';
import { DEFAULT_RETENTION_DAYS, IDEMPOTENCY_KEY_RETENTION_DAYS, READ_NOTIFICATION_RETENTION_DAYS, RETENTION_SCHEDULE_ID } from '../domain/retention';
import type { ActivityDeps } from './index';

const DAY_MS = 24 * 60 * 60 * 1000;

export function createRetentionActivities(deps: ActivityDeps) {
  return {
    /** One retention run under the workflow's key: erase, purge, record. A retry answers from the recorded run. */
    async runRetention(input: { runKey: string }): Promise<RetentionRun> {
      const now = Date.now();
      const days = deps.retentionDays ?? DEFAULT_RETENTION_DAYS;
      return runRetention(deps.db, {
        runKey: input.runKey,
        startedAt: new Date(now),
        retentionDays: days,
        eraseBefore: new Date(now - days * DAY_MS),
        keysBefore: new Date(now - IDEMPOTENCY_KEY_RETENTION_DAYS * DAY_MS),
        readBefore: new Date(now - READ_NOTIFICATION_RETENTION_DAYS * DAY_MS),
      });
    },
  };
}

/**
 * Creates the daily retention schedule, or brings an existing one up to date
 * (its paused state kept): a run every day at 03:00 Beijing time (19:00 UTC),
 * one at a time, a missed run caught up within a day.
 */
export async function ensureRetentionSchedule(client: Client, opts: { taskQueue: string; scheduleId?: string }): Promise<string> {
  const scheduleId = opts.scheduleId ?? RETENTION_SCHEDULE_ID;
  const action: ScheduleOptionsAction = {
    type: 'startWorkflow',
    workflowType: 'retentionWorkflow',
    args: [],
    taskQueue: opts.taskQueue,
    // Temporal appends each run's scheduled time to this id.
    workflowId: scheduleId,
    workflowRunTimeout: '2 hours',
  };
  const spec = { calendars: [{ hour: 19, minute: 0 }] };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: DAY_MS, pauseOnFailure: false };
  const note = '数据保留：每日 03:00（北京时间）/ retention: daily at 03:00 Beijing time';
  try {
    await client.schedule.create({ scheduleId, spec, action, policies, state: { note } });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule
      .getHandle(scheduleId)
      .update((prev): ScheduleUpdateOptions => ({ spec, action, policies, state: { paused: prev.state.paused, note: prev.state.note ?? note } }));
  }
  return scheduleId;
}
