/**
 * Campaigns and their regions: the projections the campaign workflows keep
 * current, read by the API (GET /api/campaigns/:id answers from here).
 */
import type { Db } from './knex';

import type { CampaignConfig, Phase } from '../domain/campaign';

export type { CampaignConfig, Phase, WorkPhase } from '../domain/campaign';
export { PHASES } from '../domain/campaign';

export interface CampaignRow {
  id: string;
  name: string;
  year: number;
  cityOrg: string;
  cityOrgPath: string;
  config: CampaignConfig;
  phase: Phase;
  phaseStartedAt: Date | null;
  phaseEndsAt: Date | null;
  workflowId: string;
  createdBy: string;
  createdAt: Date;
  closedAt: Date | null;
}

const columns = {
  id: 'c.id',
  name: 'c.name',
  year: 'c.year',
  cityOrg: 'c.city_org',
  cityOrgPath: 'o.path',
  config: 'c.config',
  phase: 'c.phase',
  phaseStartedAt: 'c.phase_started_at',
  phaseEndsAt: 'c.phase_ends_at',
  workflowId: 'c.workflow_id',
  createdBy: 'c.created_by',
  createdAt: 'c.created_at',
  closedAt: 'c.closed_at',
};

export async function getCampaign(db: Db, id: string): Promise<CampaignRow | undefined> {
  return db('campaigns as c').join('orgs as o', 'o.id', 'c.city_org').select(columns).where('c.id', id).first();
}

export async function insertCampaign(
  db: Db,
  c: { id: string; config: CampaignConfig; workflowId: string; createdBy: string; regionTargets: Record<string, { newMembers: number; newUnions: number }> },
): Promise<boolean> {
  return db.transaction(async (trx) => {
    const inserted = await trx('campaigns')
      .insert({
        id: c.id,
        name: c.config.name,
        year: c.config.year,
        city_org: c.config.cityOrg,
        config: JSON.stringify(c.config),
        phase: 'pending',
        workflow_id: c.workflowId,
        created_by: c.createdBy,
      })
      .onConflict('id')
      .ignore()
      .returning('id');
    if (!inserted.length) return false;
    await trx('campaign_regions').insert(
      c.config.regions.map((org) => ({
        campaign_id: c.id,
        org_id: org,
        target_members: c.regionTargets[org]?.newMembers ?? 0,
        target_unions: c.regionTargets[org]?.newUnions ?? 0,
      })),
    );
    return true;
  });
}

export async function deleteCampaignIfUnstarted(db: Db, id: string): Promise<void> {
  await db.transaction(async (trx) => {
    const c = await trx('campaigns').where({ id }).first('phase');
    if (c?.phase !== 'pending') return;
    if (await trx('audit_log').where({ application_id: id }).first('id')) return;
    await trx('campaign_regions').where({ campaign_id: id }).delete();
    await trx('campaigns').where({ id }).delete();
  });
}

export async function listCampaigns(
  db: Db,
  scopePath: string,
  opts: { limit: number; cursor?: string; q?: string; year?: number; phase?: string; city?: string },
): Promise<(CampaignRow & { cityName: string })[]> {
  const q = db('campaigns as c')
    .join('orgs as o', 'o.id', 'c.city_org')
    .select({ ...columns, cityName: 'o.name' })
    .where((w) => void w.where('o.path', 'like', `${scopePath}%`).orWhereRaw('? like o.path || ?', [scopePath, '%']))
    .orderBy([
      { column: 'c.created_at', order: 'desc' },
      { column: 'c.id', order: 'desc' },
    ])
    .limit(opts.limit);
  // Newest first. Ids made from an Idempotency-Key are not time-ordered, so the
  // cursor (the last id of the previous page) is looked up for its creation time.
  if (opts.cursor) q.andWhereRaw('(c.created_at, c.id) < (select created_at, id from campaigns where id = ?)', [opts.cursor]);
  // Search and filters (GET /api/campaigns): the name contains q (case-insensitive), the year, the phase, the city.
  if (opts.q) q.andWhereRaw("c.name ilike '%' || ? || '%'", [opts.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)]);
  if (opts.year) q.andWhere('c.year', opts.year);
  if (opts.phase) q.andWhere('c.phase', opts.phase);
  if (opts.city) q.andWhere('c.city_org', opts.city);
  return q;
}

export async function setCampaignPhase(db: Db, id: string, phase: Phase, endsAt: string | null): Promise<void> {
  await db('campaigns')
    .where({ id })
    .update({
      phase,
      phase_started_at: db.fn.now(),
      phase_ends_at: endsAt,
      updated_at: db.fn.now(),
      ...(phase === 'closed' ? { closed_at: db.fn.now() } : {}),
    });
}

export interface RegionRow {
  orgId: string;
  orgName: string;
  status: string;
  targetMembers: number;
  targetUnions: number;
  plan: unknown;
  planSubmittedAt: Date | null;
  listApplicationId: string | null;
  listStatus: string | null;
  overdue: { phase: string; item: string; since: string; level: string }[];
  score: string | null;
  rank: number | null;
}

export async function listCampaignRegions(db: Db, campaignId: string): Promise<RegionRow[]> {
  return db('campaign_regions as r').join('orgs as o', 'o.id', 'r.org_id').where('r.campaign_id', campaignId).orderBy('r.org_id').select({
    orgId: 'r.org_id',
    orgName: 'o.name',
    status: 'r.status',
    targetMembers: 'r.target_members',
    targetUnions: 'r.target_unions',
    plan: 'r.plan',
    planSubmittedAt: 'r.plan_submitted_at',
    listApplicationId: 'r.list_application_id',
    listStatus: 'r.list_status',
    overdue: 'r.overdue',
    score: 'r.score',
    rank: 'r.rank',
  });
}

/** Per-region figures from the projections, one grouped query per table. */
export async function regionCounts(db: Db, campaignId: string) {
  const [enterprises, projects, members] = await Promise.all([
    db('enterprises')
      .where({ campaign_id: campaignId })
      .groupBy('region_org')
      .select('region_org')
      .select(db.raw('count(*)::int as screened'))
      .select(db.raw("count(*) filter (where ledger_status <> 'not_target')::int as targets"))
      .select(db.raw("count(*) filter (where ledger_status = 'crossed_off')::int as crossed_off")),
    db('projects')
      .where({ campaign_id: campaignId })
      .groupBy('region_org', 'status')
      .select('region_org', 'status')
      .select(db.raw('count(*)::int as n'))
      .select(db.raw('coalesce(sum(unions_established),0)::int as unions'))
      .select(db.raw('coalesce(sum(members_recruited),0)::int as members'))
      .select(db.raw('coalesce(sum(members_pending),0)::int as members_pending'))
      .select(db.raw('coalesce(sum(planned_members),0)::int as planned')),
    db('applications')
      .where({ campaign_id: campaignId })
      .whereIn('status', ['pending', 'returned'])
      .groupBy('applicant_org')
      .select('applicant_org')
      .select(db.raw('count(*)::int as pending')),
  ]);
  return { enterprises, projects, members };
}
