/**
 * Progress bulletins (通报): the SQL aggregates a bulletin is built from, the
 * immutable bulletin rows, and their per-recipient deliveries (app, email).
 */
import { allowLongStatements, type Db } from './knex';
import type { BulletinData, BulletinKind, RawFigures, RawRectification } from '../domain/bulletin';

/**
 * Reads every figure of a bulletin from the projections, in one REPEATABLE
 * READ, read-only transaction, so all tables show the same moment; returns
 * undefined for an unknown campaign.
 *
 * What counts, per participating region (its org and everything below it):
 * - new members: members recorded by the campaign's projects (campaign_id) —
 *   verified ones only (实名核验); those still waiting are counted apart
 *   (projects.members_pending, 待核验) and never in the completion —
 *   plus members who joined online (网上入会) since the campaign started and
 *   belong to no campaign project — each person once (members are unique by
 *   ID number). An online member counts where they applied (the area of their
 *   application, i.e. where they work — members.area_org), even when sorted to
 *   a city-wide industry union, so the region that recruited them gets the credit;
 * - online applications: membership applications whose area lies in the
 *   region, created since the campaign started;
 * - projects by status, unions established (from progress reports) and the
 *   unions the approved organizing projects plan to build;
 * - overdue: the region's overdue deliverables (督办/问责) and pending
 *   approvals of the campaign or of its online applications past their limit;
 * - the enterprise ledger: targets and those crossed off (销号).
 */
export async function readBulletinFigures(db: Db, campaignId: string): Promise<RawFigures | undefined> {
  return db.transaction(
    async (trx) => {
      // Aggregates over a whole city or province: the bulletin's own, longer statement timeout.
      await allowLongStatements(db, trx);
      const head = await trx.raw(
        `select c.id, c.name, c.year, c.city_org, o.name as city_name, c.phase, c.config->'groups' as groups,
                least(c.created_at, (c.config->'phases'->'survey'->>'start')::timestamptz) as since,
                now() as as_of, pg_snapshot_xmin(pg_current_snapshot())::text as xmin
           from campaigns c join orgs o on o.id = c.city_org where c.id = ?`,
        [campaignId],
      );
      const c = head.rows[0];
      if (!c) return undefined;
      const since: Date = c.since;
      // Every org within a participating region, and its region. The aggregates group by org and
      // filter on this list (a hashed = ANY); the orgs are folded into their regions here, which
      // keeps the prefix match on org paths out of the large joins.
      const scope = await trx.raw(
        `select o.id as org, r.org_id as region
           from campaign_regions r
           join orgs ro on ro.id = r.org_id
           join orgs o on o.path like ro.path || '%'
          where r.campaign_id = ?`,
        [campaignId],
      );
      const regionOf = new Map<string, string>(scope.rows.map((r: { org: string; region: string }) => [r.org, r.region]));
      const orgs = [...regionOf.keys()];
      const p = { campaignId, since, orgs };
      const regions = await trx.raw(
        `select r.org_id as org, o.name, r.target_members, r.target_unions,
                (select count(*) from jsonb_array_elements(r.overdue) e where e->>'resolvedAt' is null)::int as overdue
           from campaign_regions r join orgs o on o.id = r.org_id
          where r.campaign_id = :campaignId order by r.org_id`,
        p,
      );
      const groups = await trx.raw('select id, name from target_groups');
      // The campaign's project members (progress reports), at the region of their project…
      const projectMembers = await trx.raw(
        `select m.area_org as org, m.group_id as "group", count(*)::int as count
           from members m
          where m.campaign_id = :campaignId and m.area_org = any(:orgs)
          group by 1, 2`,
        p,
      );
      // …and members who joined since the campaign started outside any campaign project (online), where they work.
      const otherMembers = await trx.raw(
        `select m.area_org as org, m.group_id as "group", count(*)::int as count,
                count(m.source_application)::int as online
           from members m
          where m.campaign_id is null and m.joined_at >= :since and m.area_org = any(:orgs)
          group by 1, 2`,
        p,
      );
      const applications = await trx.raw(
        `select a.applicant_org as org, a.member_group as "group", count(*)::int as received,
                count(*) filter (where a.status = 'approved')::int as approved,
                count(*) filter (where a.status in ('pending', 'returned'))::int as pending,
                count(*) filter (where a.status = 'rejected')::int as rejected,
                count(*) filter (where a.status = 'withdrawn')::int as withdrawn
           from applications a
          where a.type = 'membership' and a.created_at >= :since and a.applicant_org = any(:orgs)
          group by 1, 2`,
        p,
      );
      const projects = await trx.raw(
        `select region_org as region, status, count(*)::int as count,
                coalesce(sum(unions_established), 0)::int as unions_established,
                count(*) filter (where kind = 'organizing' and type <> 'existing_union_growth')::int as planned_unions,
                coalesce(sum(planned_members), 0)::int as planned_members,
                coalesce(sum(members_pending), 0)::int as members_pending
           from projects where campaign_id = :campaignId group by 1, 2`,
        p,
      );
      const projectGroups = await trx.raw(
        `select g as "group", count(*)::int as count, coalesce(sum(p.planned_members), 0)::int as planned_members
           from projects p cross join unnest(p.groups) g
          where p.campaign_id = :campaignId and p.status <> 'proposed' and p.kind = 'organizing'
          group by 1`,
        p,
      );
      const ledger = await trx.raw(
        `select region_org as region, count(*) filter (where ledger_status <> 'not_target')::int as targets,
                count(*) filter (where ledger_status = 'crossed_off')::int as crossed_off
           from enterprises where campaign_id = :campaignId group by 1`,
        p,
      );
      // Approvals past their limit: from the few pending tasks that are overdue (a partial index), looking
      // their applications up by primary key rather than scanning all applications.
      const overdue = await trx.raw(
        `with late as materialized (
           select application_id, count(*)::int as n from tasks
            where status = 'pending' and due_at < now() and kind <> 'cc'
            group by 1)
         select a.applicant_org as org, sum(late.n)::int as count
           from late join applications a on a.id = late.application_id
          where a.id = any(array(select application_id from late))
            and a.applicant_org = any(:orgs)
            and (a.campaign_id = :campaignId or (a.type = 'membership' and a.created_at >= :since))
          group by 1`,
        p,
      );

      // Fold the per-org rows into their regions.
      const fold = <R extends { org: string }>(rows: R[], key: (r: R) => string, add: (into: R, r: R) => void): (R & { region: string })[] => {
        const out = new Map<string, R & { region: string }>();
        for (const r of rows) {
          const region = regionOf.get(r.org);
          if (!region) continue;
          const k = `${region}\u0000${key(r)}`;
          const prev = out.get(k);
          if (prev) add(prev, r);
          else out.set(k, { ...r, region });
        }
        return [...out.values()];
      };
      type MemberRow = { org: string; group: string | null; count: number; online: number };
      const memberRows: MemberRow[] = [...projectMembers.rows.map((r: MemberRow) => ({ ...r, online: 0 })), ...otherMembers.rows];
      const members = fold(
        memberRows,
        (r) => r.group ?? '',
        (a, b) => {
          a.count += b.count;
          a.online += b.online;
        },
      );
      type AppRow = { org: string; group: string | null; received: number; approved: number; pending: number; rejected: number; withdrawn: number };
      const apps = fold(
        applications.rows as AppRow[],
        (r) => r.group ?? '',
        (a, b) => {
          a.received += b.received;
          a.approved += b.approved;
          a.pending += b.pending;
          a.rejected += b.rejected;
          a.withdrawn += b.withdrawn;
        },
      );
      const rectifications = await trx.raw(
        `select r.region_org as region, p.name as project, r.finding, r.severity, to_char(r.deadline, 'YYYY-MM-DD') as deadline, r.status
           from rectifications r join projects p on p.id = r.project_id
          where r.campaign_id = ? and r.status in ('open', 'reported', 'returned')
          order by r.deadline, r.id`,
        [campaignId],
      );
      const late = fold(
        overdue.rows as { org: string; count: number }[],
        () => '',
        (a, b) => {
          a.count += b.count;
        },
      );

      return {
        campaign: { id: c.id, name: c.name, year: c.year, cityOrg: c.city_org, cityName: c.city_name, phase: c.phase, groups: (c.groups ?? []) as string[] },
        since: since.toISOString(),
        asOf: (c.as_of as Date).toISOString(),
        dataVersion: `xmin:${c.xmin}`,
        regions: regions.rows.map((r: { org: string; name: string; target_members: number; target_unions: number; overdue: number }) => ({
          org: r.org,
          name: r.name,
          targetMembers: r.target_members,
          targetUnions: r.target_unions,
          overdueDeliverables: r.overdue,
        })),
        groupNames: Object.fromEntries(groups.rows.map((g: { id: string; name: string }) => [g.id, g.name])),
        members: members.map((m) => ({ region: m.region, group: m.group, count: m.count, online: m.online })),
        applications: apps.map(({ org: _org, ...a }) => a),
        projects: projects.rows.map(
          (r: {
            region: string;
            status: string;
            count: number;
            unions_established: number;
            planned_unions: number;
            planned_members: number;
            members_pending: number;
          }) => ({
            region: r.region,
            status: r.status,
            count: r.count,
            unionsEstablished: r.unions_established,
            plannedUnions: r.planned_unions,
            plannedMembers: r.planned_members,
            membersPending: r.members_pending,
          }),
        ),
        projectGroups: projectGroups.rows.map((r: { group: string; count: number; planned_members: number }) => ({
          group: r.group,
          count: r.count,
          plannedMembers: r.planned_members,
        })),
        ledger: ledger.rows.map((r: { region: string; targets: number; crossed_off: number }) => ({
          region: r.region,
          targets: r.targets,
          crossedOff: r.crossed_off,
        })),
        overdueApprovals: late.map((r) => ({ region: r.region, count: r.count })),
        rectifications: rectifications.rows as RawRectification[],
      };
    },
    { isolationLevel: 'repeatable read', readOnly: true },
  );
}

export interface ReportRow {
  id: string;
  campaignId: string;
  seq: number;
  period: string;
  periodIndex: number | null;
  periodStart: Date | null;
  periodEnd: Date | null;
  kind: BulletinKind;
  issuedBy: string;
  issuedAt: Date;
  dataVersion: string;
  dataAsOf: Date;
  workflowId: string | null;
}

const reportColumns = {
  id: 'r.id',
  campaignId: 'r.campaign_id',
  seq: 'r.seq',
  period: 'r.period',
  periodIndex: 'r.period_index',
  periodStart: 'r.period_start',
  periodEnd: 'r.period_end',
  kind: 'r.kind',
  issuedBy: 'r.issued_by',
  issuedAt: 'r.issued_at',
  dataVersion: 'r.data_version',
  dataAsOf: 'r.data_as_of',
  workflowId: 'r.workflow_id',
};

/** One bulletin with its stored document. */
export async function getReport(db: Db, id: string): Promise<(ReportRow & { data: BulletinData }) | undefined> {
  return db('reports as r')
    .select({ ...reportColumns, data: 'r.data' })
    .where('r.id', id)
    .first();
}

/** The campaign's bulletin for a period key ('P3', 'adhoc:…'), if issued. */
export async function getReportByPeriod(db: Db, campaignId: string, period: string): Promise<ReportRow | undefined> {
  return db('reports as r').select(reportColumns).where({ 'r.campaign_id': campaignId, 'r.period': period }).first();
}

/** A campaign's bulletins, newest first, with their headline figures; paged by seq. */
export async function listCampaignReports(db: Db, campaignId: string, opts: { limit: number; beforeSeq?: number }) {
  const q = db('reports as r')
    .select({ ...reportColumns, totals: db.raw("r.data->'totals'"), label: db.raw("r.data->>'label'"), periodLabel: db.raw("r.data->'period'->>'label'") })
    .where('r.campaign_id', campaignId)
    .orderBy('r.seq', 'desc')
    .limit(opts.limit);
  if (opts.beforeSeq !== undefined) q.andWhere('r.seq', '<', opts.beforeSeq);
  return q as Promise<(ReportRow & { totals: BulletinData['totals']; label: string; periodLabel: string })[]>;
}

/** The bulletins delivered in the app to `username` ("my bulletins"), newest first; paged by delivery id. */
export async function listReportsDeliveredTo(db: Db, username: string, opts: { limit: number; beforeId?: number }) {
  const q = db('report_deliveries as d')
    .join('reports as r', 'r.id', 'd.report_id')
    .join('campaigns as c', 'c.id', 'r.campaign_id')
    .select({
      ...reportColumns,
      deliveryId: 'd.id',
      readAt: 'd.read_at',
      campaignName: 'c.name',
      totals: db.raw("r.data->'totals'"),
      label: db.raw("r.data->>'label'"),
      periodLabel: db.raw("r.data->'period'->>'label'"),
    })
    .where({ 'd.username': username, 'd.channel': 'app' })
    .orderBy('d.id', 'desc')
    .limit(opts.limit);
  if (opts.beforeId !== undefined) q.andWhere('d.id', '<', opts.beforeId);
  return q as Promise<
    (ReportRow & { deliveryId: string; readAt: Date | null; campaignName: string; totals: BulletinData['totals']; label: string; periodLabel: string })[]
  >;
}

/** Marks the caller's in-app copy read (a no-op for anyone who was not a recipient). */
export async function markReportRead(db: Db, reportId: string, username: string): Promise<void> {
  await db('report_deliveries').where({ report_id: reportId, username, channel: 'app' }).whereNull('read_at').update({ read_at: db.fn.now() });
}

export interface DeliveryRow {
  id: string;
  reportId: string;
  username: string;
  channel: 'app' | 'email';
  status: 'pending' | 'sending' | 'sent' | 'failed' | 'skipped';
  address: string | null;
  attempts: number;
  lastError: string | null;
  sentAt: Date | null;
  readAt: Date | null;
  messageId: string | null;
}

const deliveryColumns = {
  id: 'id',
  reportId: 'report_id',
  username: 'username',
  channel: 'channel',
  status: 'status',
  address: 'address',
  attempts: 'attempts',
  lastError: 'last_error',
  sentAt: 'sent_at',
  readAt: 'read_at',
  messageId: 'message_id',
};

/** Every delivery of a bulletin: app and email, per recipient. */
export async function listDeliveries(db: Db, reportId: string): Promise<DeliveryRow[]> {
  return db('report_deliveries').select(deliveryColumns).where({ report_id: reportId }).orderBy(['channel', 'username']);
}

/**
 * Claims an email delivery for one sending attempt: counts the attempt and
 * marks it `sending`. Returns the row, `sent` when it already went out (never
 * send twice), or `busy` while another attempt holds a fresh claim.
 */
export async function claimEmailDelivery(
  db: Db,
  reportId: string,
  username: string,
  leaseSeconds: number,
): Promise<{ state: 'claimed'; row: DeliveryRow } | { state: 'sent' | 'busy' | 'missing'; row?: DeliveryRow }> {
  const [row] = await db('report_deliveries')
    .where({ report_id: reportId, username, channel: 'email' })
    .andWhere(
      (w) =>
        void w
          .whereIn('status', ['pending', 'failed'])
          .orWhere((o) => void o.where('status', 'sending').andWhere('claimed_at', '<', db.raw(`now() - make_interval(secs => ?)`, [leaseSeconds]))),
    )
    .update({ status: 'sending', attempts: db.raw('attempts + 1'), claimed_at: db.fn.now() })
    .returning(Object.values(deliveryColumns));
  if (row) return { state: 'claimed', row: toDelivery(row) };
  const current = await db('report_deliveries').select(deliveryColumns).where({ report_id: reportId, username, channel: 'email' }).first();
  if (!current) return { state: 'missing' };
  return { state: current.status === 'sent' ? 'sent' : 'busy', row: current };
}

function toDelivery(r: Record<string, unknown>): DeliveryRow {
  return {
    id: String(r.id),
    reportId: r.report_id as string,
    username: r.username as string,
    channel: r.channel as DeliveryRow['channel'],
    status: r.status as DeliveryRow['status'],
    address: (r.address as string | null) ?? null,
    attempts: r.attempts as number,
    lastError: (r.last_error as string | null) ?? null,
    sentAt: (r.sent_at as Date | null) ?? null,
    readAt: (r.read_at as Date | null) ?? null,
    messageId: (r.message_id as string | null) ?? null,
  };
}

/** The email copy went out: recorded with its Message-ID (never sent again). */
export async function markEmailSent(db: Db, reportId: string, username: string, messageId: string): Promise<void> {
  await db('report_deliveries')
    .where({ report_id: reportId, username, channel: 'email' })
    .update({ status: 'sent', sent_at: db.fn.now(), message_id: messageId, last_error: null });
}

/** Records a failed attempt: back to `pending` for the next retry, or `failed` after the last one. */
export async function markEmailAttemptFailed(db: Db, reportId: string, username: string, error: string, final: boolean): Promise<void> {
  await db('report_deliveries')
    .where({ report_id: reportId, username, channel: 'email' })
    .whereNot({ status: 'sent' })
    .update({ status: final ? 'failed' : 'pending', last_error: error.slice(0, 2000) });
}

/** The usernames whose email copy of the bulletin still has to go out. */
export async function listUnsentEmail(db: Db, reportId: string): Promise<string[]> {
  const rows = await db('report_deliveries')
    .where({ report_id: reportId, channel: 'email' })
    .whereIn('status', ['pending', 'sending', 'failed'])
    .orderBy('username')
    .select('username');
  return rows.map((r: { username: string }) => r.username);
}

/** Supervisors (督办) of the city and of every org above it: the bulletin's recipients. */
export async function listBulletinRecipients(db: Db, cityOrg: string): Promise<{ username: string; name: string; email: string | null; orgId: string }[]> {
  return db('users as u')
    .join('orgs as city', 'city.id', db.raw('?', [cityOrg]))
    .join('orgs as o', 'o.id', 'u.org_id')
    .whereRaw("city.path like o.path || '%'")
    .andWhere('u.active', true)
    .whereRaw("'supervisor' = any(u.roles)")
    .orderBy('u.username')
    .select({ username: 'u.username', name: 'u.name', email: 'u.email', orgId: 'u.org_id' });
}

export interface StoreBulletinInput {
  campaignId: string;
  kind: BulletinKind;
  period: { key: string; index?: number; start?: string; end?: string };
  issuedBy: string;
  workflowId: string | null;
  /** Builds the stored document once the number, the previous bulletin and the missed periods are known. */
  compose: (ctx: { id: string; seq: number; issuedAt: string; previous: BulletinData | null; missedPeriods: number[] }) => BulletinData;
  deliveries: { username: string; channel: 'app' | 'email'; status: DeliveryRow['status']; address: string | null; lastError?: string }[];
  notice: (data: BulletinData) => string;
}

export type StoreBulletinResult = { outcome: 'created' | 'existing'; report: ReportRow } | { outcome: 'skipped'; reason: string };

/**
 * Stores a bulletin, its deliveries and in-app notices in one transaction,
 * under a per-campaign lock so that numbering (第N期) and the "one bulletin
 * per period" check cannot race; the unique (campaign, period) constraint is
 * the last word. A scheduled period is skipped when a later period has
 * already been issued (a stale catch-up).
 */
export async function storeBulletin(db: Db, s: StoreBulletinInput): Promise<StoreBulletinResult> {
  return db.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`bulletin:${s.campaignId}`]);
    const existing = await trx('reports as r').select(reportColumns).where({ 'r.campaign_id': s.campaignId, 'r.period': s.period.key }).first();
    if (existing) return { outcome: 'existing' as const, report: existing as ReportRow };
    const missedPeriods: number[] = [];
    if (s.kind === 'scheduled' && s.period.index !== undefined) {
      const last = await trx('reports').where({ campaign_id: s.campaignId, kind: 'scheduled' }).max<{ max: number | null }>('period_index as max').first();
      const lastIndex = last?.max ?? 0;
      if (lastIndex > s.period.index)
        return { outcome: 'skipped' as const, reason: `第${lastIndex}个周期已通报，不再补发第${s.period.index}个周期 / a later period was already issued` };
      for (let i = lastIndex + 1; i < s.period.index && missedPeriods.length < 100; i++) missedPeriods.push(i);
    }
    const prevRow = await trx('reports').where({ campaign_id: s.campaignId }).orderBy('seq', 'desc').first('seq', 'data');
    const seq = (prevRow?.seq ?? 0) + 1;
    const id = `${s.campaignId}-b${String(seq).padStart(3, '0')}`;
    const issuedAt = (await trx.raw('select now() as now')).rows[0].now as Date;
    const data = s.compose({ id, seq, issuedAt: issuedAt.toISOString(), previous: (prevRow?.data as BulletinData | undefined) ?? null, missedPeriods });
    await trx('reports').insert({
      id,
      campaign_id: s.campaignId,
      seq,
      period: s.period.key,
      period_index: s.period.index ?? null,
      period_start: s.period.start ?? null,
      period_end: s.period.end ?? null,
      kind: s.kind,
      issued_by: s.issuedBy,
      issued_at: issuedAt,
      data: JSON.stringify(data),
      data_version: data.dataVersion,
      data_as_of: data.asOf,
      workflow_id: s.workflowId,
    });
    if (s.deliveries.length) {
      await trx('report_deliveries').insert(
        s.deliveries.map((d) => ({
          report_id: id,
          username: d.username,
          channel: d.channel,
          status: d.status,
          address: d.address,
          last_error: d.lastError ?? null,
          sent_at: d.channel === 'app' ? issuedAt : null,
        })),
      );
      const message = s.notice(data);
      await trx('notifications')
        .insert(
          s.deliveries
            .filter((d) => d.channel === 'app')
            .map((d) => ({ event_key: `bulletin:${id}:${d.username}`, username: d.username, kind: 'bulletin', message })),
        )
        .onConflict('event_key')
        .ignore();
    }
    const report = await trx('reports as r').select(reportColumns).where('r.id', id).first();
    return { outcome: 'created' as const, report: report as ReportRow };
  });
}

/** When the campaign's implementation phase closed (its phase summary), if it has. */
export async function implementationClosedAt(db: Db, campaignId: string): Promise<Date | undefined> {
  const row = await db('phase_summaries').where({ campaign_id: campaignId, phase: 'implementation' }).first('closed_at');
  return row?.closed_at;
}
