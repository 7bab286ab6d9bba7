/**
 * The province bulletin's side effect: read every city's campaigns of the
 * year (the city bulletin's own aggregates), compose and store the bulletin
 * once per (province, period), with in-app notices to the province's
 * supervisors. Keyed, so a retry or a second run returns the same bulletin.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { composeProvinceBulletin, composeProvinceOverview } from '../domain/province';
import { getProvinceBulletinByPeriod, listProvinceSupervisors, readProvinceRaw, storeProvinceBulletin } from '../db/province-repository';
import type { IssueProvinceBulletinInput, ProvinceBulletinResult } from '../workflows/province-bulletin-types';
import type { ActivityDeps } from './index';

export function createProvinceBulletinActivities(deps: ActivityDeps) {
  const { db } = deps;
  return {
    async issueProvinceBulletin(p: IssueProvinceBulletinInput): Promise<ProvinceBulletinResult> {
      const periodKey = p.period?.key ?? `adhoc:${p.requestKey ?? p.workflowId}`;
      const known = await getProvinceBulletinByPeriod(db, p.provinceOrg, periodKey);
      if (known) return { outcome: 'existing', bulletinId: known.id, seq: known.seq, recipients: 0 };
      const raw = await readProvinceRaw(db, p.provinceOrg, p.year);
      if (!raw || raw.org.kind !== 'province')
        throw ApplicationFailure.create({ type: 'NotFound', message: `省总不存在 / province ${p.provinceOrg} not found`, nonRetryable: true });
      const overview = composeProvinceOverview(raw);
      const recipients = await listProvinceSupervisors(db, p.provinceOrg);
      const stored = await storeProvinceBulletin(db, {
        orgId: p.provinceOrg,
        period: periodKey,
        kind: p.kind,
        year: p.year,
        issuedBy: p.issuedBy,
        workflowId: p.workflowId,
        recipients,
        compose: (ctx) =>
          composeProvinceBulletin(overview, {
            ...ctx,
            kind: p.kind,
            period: p.period ? { key: p.period.key, label: p.period.label, start: p.period.start, end: p.period.end } : { key: periodKey },
            issuedBy: p.issuedBy,
            recipients: recipients.map((r) => r.name),
          }),
      });
      return { outcome: stored.outcome, bulletinId: stored.row.id, seq: stored.row.seq, recipients: stored.outcome === 'created' ? recipients.length : 0 };
    },
  };
}
