/**
 * The province's view across its cities (全省概览) and its bulletins of
 * cities (全省通报): what they read and what they store. Each campaign's
 * figures are read by readBulletinFigures — the city bulletin's own
 * aggregates — so the province counts exactly as the cities do.
 */
import type { Db } from './knex';
import { readBulletinFigures } from './report-repository';
import type { RawCampaign, RawProvince, ProvinceBulletinData, ProvinceBulletinKind } from '../domain/province';

/**
 * Everything the overview of `orgId` (a province: its cities; a city: itself)
 * needs for one year, or undefined for an unknown org. Campaigns are read one
 * by one (a province has a few dozen cities, each a campaign or two a year).
 */
export async function readProvinceRaw(db: Db, orgId: string, year: number): Promise<RawProvince | undefined> {
  const org = await db('orgs').where({ id: orgId }).first('id', 'name', 'kind', 'path');
  if (!org) return undefined;
  const cities: { id: string; name: string }[] =
    org.kind === 'city'
      ? [{ id: org.id, name: org.name }]
      : await db('orgs').where({ parent_id: org.id, kind: 'city', active: true }).orderBy('id').select('id', 'name');
  const cityIds = cities.map((c) => c.id);
  const unions: { groupId: string; cityId: string; unionId: string; unionName: string }[] = await db('group_industry_unions as g')
    .join('orgs as u', 'u.id', 'g.union_id')
    .whereIn('g.city_id', cityIds)
    .select({ groupId: 'g.group_id', cityId: 'g.city_id', unionId: 'g.union_id', unionName: 'u.name' });
  const groups: { id: string; name: string }[] = await db('target_groups').select('id', 'name');
  const rows: {
    id: string;
    name: string;
    city_org: string;
    phase: string;
    phase_ends_at: Date | null;
    config: { groups?: string[]; targets?: { newMembers?: number; newUnions?: number } } | null;
  }[] = await db('campaigns')
    .whereIn('city_org', cityIds)
    .andWhere({ year })
    .whereNot({ phase: 'pending' })
    .orderBy(['city_org', 'created_at', 'id'])
    .select('id', 'name', 'city_org', 'phase', 'phase_ends_at', 'config');
  const campaigns: RawCampaign[] = [];
  for (const c of rows) {
    const figures = await readBulletinFigures(db, c.id);
    if (!figures) continue;
    const overdue: { overdue: { level: string; resolvedAt?: string | null }[] }[] = await db('campaign_regions').where({ campaign_id: c.id }).select('overdue');
    campaigns.push({
      id: c.id,
      name: c.name,
      cityOrg: c.city_org,
      phase: c.phase,
      phaseEndsAt: c.phase_ends_at ? c.phase_ends_at.toISOString() : null,
      groups: c.config?.groups ?? [],
      targets: { newMembers: Number(c.config?.targets?.newMembers ?? 0), newUnions: Number(c.config?.targets?.newUnions ?? 0) },
      overdue: overdue.flatMap((r) => r.overdue ?? []),
      figures,
    });
  }
  const now = (await db.raw('select now() as now')).rows[0].now as Date;
  return {
    org: { id: org.id, name: org.name, kind: org.kind },
    year,
    asOf: now.toISOString(),
    cities: cities.map((c) => ({
      id: c.id,
      name: c.name,
      groupUnions: Object.fromEntries(unions.filter((u) => u.cityId === c.id).map((u) => [u.groupId, { id: u.unionId, name: u.unionName }])),
    })),
    groupNames: Object.fromEntries(groups.map((g) => [g.id, g.name])),
    campaigns,
  };
}

// ---- Settings -------------------------------------------------------------------------------

export async function getProvinceBulletinSettings(db: Db, orgId: string): Promise<{ every: string; updatedBy: string; updatedAt: Date } | undefined> {
  return db('province_bulletin_settings').where({ org_id: orgId }).first({ every: 'every', updatedBy: 'updated_by', updatedAt: 'updated_at' });
}

export async function saveProvinceBulletinSettings(db: Db, orgId: string, every: string, by: string): Promise<void> {
  await db('province_bulletin_settings')
    .insert({ org_id: orgId, every, updated_by: by })
    .onConflict('org_id')
    .merge({ every, updated_by: by, updated_at: db.fn.now() });
}

// ---- Bulletins ------------------------------------------------------------------------------

export interface ProvinceBulletinRow {
  id: string;
  orgId: string;
  seq: number;
  period: string;
  kind: ProvinceBulletinKind;
  year: number;
  issuedBy: string;
  issuedAt: Date;
  workflowId: string | null;
}

const columns = {
  id: 'id',
  orgId: 'org_id',
  seq: 'seq',
  period: 'period',
  kind: 'kind',
  year: 'year',
  issuedBy: 'issued_by',
  issuedAt: 'issued_at',
  workflowId: 'workflow_id',
};

export async function getProvinceBulletin(db: Db, id: string): Promise<(ProvinceBulletinRow & { data: ProvinceBulletinData }) | undefined> {
  return db('province_bulletins')
    .select({ ...columns, data: 'data' })
    .where({ id })
    .first();
}

export async function getProvinceBulletinByPeriod(db: Db, orgId: string, period: string): Promise<ProvinceBulletinRow | undefined> {
  return db('province_bulletins').select(columns).where({ org_id: orgId, period }).first();
}

/** A province's bulletins, newest first, with their headline figures. */
export async function listProvinceBulletins(db: Db, orgId: string, limit: number) {
  return db('province_bulletins')
    .select({
      ...columns,
      label: db.raw("data->>'label'"),
      periodLabel: db.raw("data->'period'->>'label'"),
      totals: db.raw("data->'overview'->'totals'"),
      ranking: db.raw("data->'overview'->'ranking'"),
    })
    .where({ org_id: orgId })
    .orderBy('seq', 'desc')
    .limit(limit) as Promise<(ProvinceBulletinRow & { label: string; periodLabel: string; totals: unknown; ranking: unknown })[]>;
}

/** The province's supervisors (督办): the bulletin's recipients. */
export async function listProvinceSupervisors(db: Db, orgId: string): Promise<{ username: string; name: string }[]> {
  return db('users').where({ org_id: orgId, active: true }).whereRaw("'supervisor' = any(roles)").orderBy('username').select('username', 'name');
}

/**
 * Stores a bulletin and its in-app notices in one transaction, numbered per
 * province under a lock; a period already issued returns that bulletin.
 */
export async function storeProvinceBulletin(
  db: Db,
  s: {
    orgId: string;
    period: string;
    kind: ProvinceBulletinKind;
    year: number;
    issuedBy: string;
    workflowId: string;
    recipients: { username: string; name: string }[];
    compose: (ctx: { id: string; seq: number; issuedAt: string }) => ProvinceBulletinData;
  },
): Promise<{ outcome: 'created' | 'existing'; row: ProvinceBulletinRow }> {
  return db.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`province-bulletin:${s.orgId}`]);
    const existing = await trx('province_bulletins').select(columns).where({ org_id: s.orgId, period: s.period }).first();
    if (existing) return { outcome: 'existing' as const, row: existing as ProvinceBulletinRow };
    const last = await trx('province_bulletins').where({ org_id: s.orgId }).max<{ max: number | null }>('seq as max').first();
    const seq = (last?.max ?? 0) + 1;
    const id = `${s.orgId}-pb${String(seq).padStart(3, '0')}`;
    const issuedAt = (await trx.raw('select now() as now')).rows[0].now as Date;
    const data = s.compose({ id, seq, issuedAt: issuedAt.toISOString() });
    await trx('province_bulletins').insert({
      id,
      org_id: s.orgId,
      seq,
      period: s.period,
      kind: s.kind,
      year: s.year,
      issued_by: s.issuedBy,
      issued_at: issuedAt,
      data: JSON.stringify(data),
      recipients: JSON.stringify(s.recipients.map((r) => r.username)),
      workflow_id: s.workflowId,
    });
    if (s.recipients.length) {
      const first = data.overview.ranking[0];
      const message = `【全省通报】${data.province.name}${data.overview.year}年各市建会入会推进情况（${data.label}）已发布${first ? `：第一名 ${first.name}` : ''} / province bulletin ${seq} issued`;
      await trx('notifications')
        .insert(s.recipients.map((r) => ({ event_key: `province-bulletin:${id}:${r.username}`, username: r.username, kind: 'bulletin', message })))
        .onConflict('event_key')
        .ignore();
    }
    const row = await trx('province_bulletins').select(columns).where({ id }).first();
    return { outcome: 'created' as const, row: row as ProvinceBulletinRow };
  });
}
