/**
 * 通报: one progress bulletin of a campaign. Started by the campaign's
 * Temporal Schedule at the end of each reporting period of the
 * implementation phase (推进实施), or on demand by the city admin. It reads
 * the period from the schedule's scheduled start time (so a late or
 * caught-up run still names the period it stands for), stores the bulletin
 * once — the (campaign, period) key makes a second run for the same period a
 * no-op, however runs race — and hands the email copies to a delivery
 * workflow of their own, so a slow mail server never holds the bulletin up.
 *
 * Delivery sends one email per supervisor, each an activity keyed by
 * (bulletin, user), retried with backoff for about an hour and a half; a copy
 * already sent is never sent again, and the last failure is recorded.
 */
import { ParentClosePolicy, WorkflowIdReusePolicy, proxyActivities, startChild, workflowInfo, ActivityFailure } from '@temporalio/workflow';
import type { Activities } from './activity-options';
import { lastPeriodIndex, periodBounds, periodIndexAt } from '../domain/bulletin';
import { scheduleEvery, type BulletinDeliveryInput, type BulletinDeliveryResult, type BulletinInput, type BulletinResult } from './bulletin-types';

const act = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

/** SMTP: 1 s, 3 s, 9 s … capped at 10 min, 12 attempts (≈ 1.5 h) before the copy is marked failed. */
const mail = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 3, maximumInterval: '10 minutes', maximumAttempts: 12 },
});

/** The time a Schedule meant a run for (set by Temporal on every scheduled, triggered or backfilled run). */
function scheduledStartTime(): Date | undefined {
  const pair = workflowInfo()
    .typedSearchAttributes.getAll()
    .find((p) => p.key.name === 'TemporalScheduledStartTime');
  return pair?.value instanceof Date ? pair.value : undefined;
}

export const bulletinDeliveryWorkflowId = (reportId: string) => `bulletin-delivery-${reportId}`;

/**
 * Issues one bulletin (scheduled: for the period its run was scheduled for;
 * on demand: for the request) and starts the email delivery of a new one.
 * Activities retry with backoff (1 s → 1 min); the store is keyed by
 * (campaign, period), so a retry or a second run returns the same bulletin.
 */
export async function bulletinWorkflow(input: BulletinInput): Promise<BulletinResult> {
  const info = workflowInfo();
  let period: { index: number; start: string; end: string } | undefined;
  if (input.kind === 'scheduled') {
    if (!input.schedule) return { outcome: 'skipped', reason: 'no schedule spec', emails: 0 };
    const anchor = Date.parse(input.schedule.anchor);
    const every = scheduleEvery(input.schedule);
    // The time the schedule meant this run for (a trigger or backfill sets it too); else when it started.
    const scheduledAt = scheduledStartTime() ?? info.startTime;
    // A trigger after the phase's planned end still stands for the last period.
    const index = Math.min(periodIndexAt(anchor, every, scheduledAt.getTime()), lastPeriodIndex(anchor, every, Date.parse(input.schedule.endAt)));
    if (index < 1) return { outcome: 'skipped', reason: '首个通报周期尚未结束 / no period has ended yet', emails: 0 };
    period = { index, ...periodBounds(anchor, every, index) };
  }
  const result = await act.issueBulletin({
    campaignId: input.campaignId,
    kind: input.kind,
    period,
    schedule: input.schedule,
    issuedBy: input.issuedBy ?? 'system',
    requestKey: input.requestKey,
    workflowId: info.workflowId,
    startedAt: info.startTime.toISOString(),
  });
  if (result.outcome === 'created' && result.reportId && result.emails > 0) {
    await startChild(bulletinDeliveryWorkflow, {
      workflowId: bulletinDeliveryWorkflowId(result.reportId),
      args: [{ reportId: result.reportId }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  }
  return result;
}

/**
 * Emails a bulletin to each recipient whose copy has not gone out, one
 * activity per recipient (12 attempts, 1 s → 10 min backoff); after the last
 * attempt the copy is recorded as failed. Running it again sends nothing
 * already sent (workflow id bulletin-delivery-<bulletin>).
 */
export async function bulletinDeliveryWorkflow(input: BulletinDeliveryInput): Promise<BulletinDeliveryResult> {
  const usernames = await act.listUnsentBulletinEmails({ reportId: input.reportId });
  const sent: string[] = [];
  const failed: string[] = [];
  await Promise.all(
    usernames.map(async (username) => {
      try {
        await mail.sendBulletinEmail({ reportId: input.reportId, username });
        sent.push(username);
      } catch (err) {
        const cause = err instanceof ActivityFailure && err.cause ? err.cause.message : String(err);
        await act.markBulletinEmailFailed({ reportId: input.reportId, username, error: cause });
        failed.push(username);
      }
    }),
  );
  return { sent: sent.sort(), failed: failed.sort() };
}
