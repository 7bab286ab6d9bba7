/**
 * 全省通报: the province's bulletin of its cities. Started by the province's
 * Temporal Schedule at the end of each period the province has set (每月 …
 * 每年), or on demand by a province admin. It names the period that has just
 * ended (from the schedule's scheduled start time, so a late run still names
 * its own period), gathers every city's campaigns of that year as each
 * city's bulletin counts them, ranks the cities, and stores the bulletin once
 * per period, delivered in the app to the province's supervisors.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from './activity-options';
import { beijingYear, provincePeriodEndedAt } from '../domain/province';
import type { ProvinceBulletinInput, ProvinceBulletinResult } from './province-bulletin-types';

const act = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

/** The time a Schedule meant this run for (set on scheduled, triggered and backfilled runs). */
function scheduledStartTime(): Date | undefined {
  const pair = workflowInfo()
    .typedSearchAttributes.getAll()
    .find((p) => p.key.name === 'TemporalScheduledStartTime');
  return pair?.value instanceof Date ? pair.value : undefined;
}

export async function provinceBulletinWorkflow(input: ProvinceBulletinInput): Promise<ProvinceBulletinResult> {
  const info = workflowInfo();
  const meantFor = scheduledStartTime() ?? info.startTime;

  // Which period does this bulletin stand for?
  const period = input.kind === 'scheduled' ? provincePeriodEndedAt(input.everyMonths ?? 3, meantFor.getTime()) : undefined;

  // Rank the cities on their campaigns of that year, store it once, and tell the province's supervisors.
  return act.issueProvinceBulletin({
    provinceOrg: input.provinceOrg,
    kind: input.kind,
    period,
    year: period?.year ?? input.year ?? beijingYear(meantFor.getTime()),
    issuedBy: input.issuedBy ?? 'system',
    requestKey: input.requestKey,
    workflowId: info.workflowId,
  });
}
