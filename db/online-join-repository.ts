/**
 * Online-join figures (网上入会) of a campaign per region, in hourly buckets:
 * the domain (domain/join-cadence.ts) folds the hours into Beijing days, weeks
 * and months — Beijing's offset is a whole number of hours, so an hour never
 * straddles two Beijing days.
 */
import type { Db } from './knex';

export interface JoinHour {
  region: string;
  /** The hour's start (UTC). */
  hour: Date;
  received: number;
  approved: number;
  rejected: number;
  pending: number;
  withdrawn: number;
}

/**
 * What counts is what the bulletin counts as online applications: membership
 * applications whose area lies in a participating region (its org or below),
 * created in [from, to) — from defaults to the campaign's start (its creation
 * or its survey's start, whichever is earlier). Each is counted in the period
 * it was received, with the status it has now. Undefined for an unknown campaign.
 */
export async function readOnlineJoinHours(
  db: Db,
  campaignId: string,
  range: { from?: Date; to?: Date },
): Promise<{ since: Date; regions: { org: string; name: string }[]; hours: JoinHour[] } | undefined> {
  const head = await db.raw(`select least(c.created_at, (c.config->'phases'->'survey'->>'start')::timestamptz) as since from campaigns c where c.id = ?`, [
    campaignId,
  ]);
  if (!head.rows[0]) return undefined;
  const since: Date = head.rows[0].since;
  const regions = await db.raw(
    `select r.org_id as org, o.name from campaign_regions r join orgs o on o.id = r.org_id where r.campaign_id = ? order by o.name, r.org_id`,
    [campaignId],
  );
  const hours = await db.raw(
    `select r.org_id as region, date_trunc('hour', a.created_at at time zone 'UTC') at time zone 'UTC' as hour,
            count(*)::int as received,
            count(*) filter (where a.status = 'approved')::int as approved,
            count(*) filter (where a.status = 'rejected')::int as rejected,
            count(*) filter (where a.status in ('pending', 'returned'))::int as pending,
            count(*) filter (where a.status = 'withdrawn')::int as withdrawn
       from campaign_regions r
       join orgs ro on ro.id = r.org_id
       join orgs o on o.path like ro.path || '%'
       join applications a on a.applicant_org = o.id
      where r.campaign_id = ? and a.type = 'membership' and a.created_at >= ?${range.to ? ' and a.created_at < ?' : ''}
      group by 1, 2`,
    [campaignId, range.from ?? since, ...(range.to ? [range.to] : [])],
  );
  return { since, regions: regions.rows, hours: hours.rows };
}
