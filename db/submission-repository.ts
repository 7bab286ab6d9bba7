/**
 * What was submitted, read back (报送留痕): the versions of a region's plan, the
 * revisions of its project list, a project's progress reports and
 * self-assessments, the ledger enterprises a project links, and the member
 * roster (会员名册) of a campaign.
 */
import type { Db } from './knex';

/** Adds a plan version keyed by the submission (a retry returns the version it made); answers the version number. */
export async function addPlanVersion(db: Db, p: { campaignId: string; regionOrg: string; plan: unknown; actor: string; key: string }): Promise<number> {
  const prior = await db('region_plan_versions').where({ event_key: p.key }).first<{ version: number } | undefined>('version');
  if (prior) return prior.version;
  const row = await db('region_plan_versions')
    .where({ campaign_id: p.campaignId, region_org: p.regionOrg })
    .max<{ max: number | null }>('version as max')
    .first();
  const version = (row?.max ?? 0) + 1;
  await db('region_plan_versions').insert({
    campaign_id: p.campaignId,
    region_org: p.regionOrg,
    version,
    plan: JSON.stringify(p.plan),
    submitted_by: p.actor,
    event_key: p.key,
  });
  return version;
}

export interface PlanVersionRow {
  version: number;
  plan: { summary: string; measures: string[]; dueDates?: Record<string, string> };
  submittedBy: string | null;
  submittedAt: Date;
}

/** Newest first. */
export async function listPlanVersions(db: Db, campaignId: string, regionOrg: string): Promise<PlanVersionRow[]> {
  return db('region_plan_versions')
    .where({ campaign_id: campaignId, region_org: regionOrg })
    .orderBy('version', 'desc')
    .select({ version: 'version', plan: 'plan', submittedBy: 'submitted_by', submittedAt: 'submitted_at' });
}

/** Stores one revision of a region's project list as sent (a retry rewrites the same row). */
export async function saveListRevision(
  db: Db,
  p: { campaignId: string; regionOrg: string; revision: number; applicationId: string; projects: Record<string, unknown>[]; actor: string },
): Promise<void> {
  await db('project_list_revisions')
    .insert({
      campaign_id: p.campaignId,
      region_org: p.regionOrg,
      revision: p.revision,
      application_id: p.applicationId,
      projects: JSON.stringify(p.projects),
      submitted_by: p.actor,
    })
    .onConflict(['campaign_id', 'region_org', 'revision'])
    .merge(['projects', 'application_id']);
}

export interface ListRevisionRow {
  revision: number;
  applicationId: string;
  projects: Record<string, unknown>[];
  submittedBy: string | null;
  submittedAt: Date;
}

/** Newest first; by region, or by the list's application. */
export async function listListRevisions(db: Db, where: { campaignId: string; regionOrg: string } | { applicationId: string }): Promise<ListRevisionRow[]> {
  const q = db('project_list_revisions')
    .orderBy('revision', 'desc')
    .select({ revision: 'revision', applicationId: 'application_id', projects: 'projects', submittedBy: 'submitted_by', submittedAt: 'submitted_at' });
  if ('applicationId' in where) q.where({ application_id: where.applicationId });
  else q.where({ campaign_id: where.campaignId, region_org: where.regionOrg });
  return q;
}

export interface EnterpriseBrief {
  id: number;
  name: string;
  address: string | null;
  employees: number;
  classification: string;
  ledgerStatus: string;
  crossedOffAt: Date | null;
}

/** Ledger enterprises by id, within one campaign's region. */
export async function enterprisesByIds(db: Db, campaignId: string, regionOrg: string, ids: readonly (string | number)[]): Promise<EnterpriseBrief[]> {
  if (!ids.length) return [];
  const rows = await db('enterprises')
    .where({ campaign_id: campaignId, region_org: regionOrg })
    .whereIn(
      'id',
      ids.map((x) => Number(x)),
    )
    .orderBy('id')
    .select({
      id: 'id',
      name: 'name',
      address: 'address',
      employees: 'employees',
      classification: 'classification',
      ledgerStatus: 'ledger_status',
      crossedOffAt: 'crossed_off_at',
    });
  return rows.map((r: EnterpriseBrief) => ({ ...r, id: Number(r.id) }));
}

/** A ledger enterprise as a project shows it: by name, with its ledger status (挂号/销号). */
export const enterpriseBrief = (e: EnterpriseBrief) => ({
  id: e.id,
  name: e.name,
  address: e.address,
  employees: e.employees,
  ledgerStatus: e.ledgerStatus,
  crossedOffAt: e.crossedOffAt,
});

export interface ProjectEventRow {
  id: number;
  at: Date;
  actor: string;
  data: Record<string, unknown>;
}

/** A project's events of one kind (progress | assessment), oldest first. */
export async function listProjectEventsOfKind(db: Db, projectId: string, kind: 'progress' | 'assessment'): Promise<ProjectEventRow[]> {
  return db('project_events').where({ project_id: projectId, kind }).orderBy('id').select({ id: 'id', at: 'at', actor: 'actor', data: 'data' });
}

export interface RosterFilter {
  campaignId: string;
  /** The caller's scope: members whose union, or whose project's region, lies in this subtree. */
  scopePath: string;
  project?: string;
  region?: string;
  union?: string;
  group?: string;
  /** Name, employer, or the tail of the (masked) ID number. */
  q?: string;
  limit: number;
  offset: number;
}

export interface RosterRow {
  id: number;
  name: string;
  idNumberMasked: string;
  group: string | null;
  employer: string | null;
  unionId: string;
  unionName: string;
  projectId: string | null;
  projectName: string | null;
  regionOrg: string | null;
  regionName: string | null;
  verified: boolean;
  joinedAt: Date;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (ch) => `\\${ch}`);

function rosterQuery(db: Db, f: RosterFilter) {
  const q = db('members as m')
    .join('orgs as u', 'u.id', 'm.union_id')
    .leftJoin('projects as p', 'p.id', 'm.project_id')
    .leftJoin('orgs as r', 'r.id', 'p.region_org')
    .where('m.campaign_id', f.campaignId)
    .andWhere((w) => void w.where('u.path', 'like', `${escapeLike(f.scopePath)}%`).orWhere('r.path', 'like', `${escapeLike(f.scopePath)}%`));
  if (f.project) q.andWhere('m.project_id', f.project);
  if (f.region) q.andWhere((w) => void w.where('p.region_org', f.region!).orWhereRaw("u.path like '%/' || ? || '/%'", [escapeLike(f.region!)]));
  if (f.union) q.andWhere('m.union_id', f.union);
  if (f.group) q.andWhere('m.group_id', f.group);
  if (f.q) {
    const like = `%${escapeLike(f.q)}%`;
    q.andWhere(
      (w) =>
        void w
          .where('m.name', 'ilike', like)
          .orWhere('m.employer', 'ilike', like)
          .orWhereRaw('right(m.id_number_masked, 4) ilike ?', [`%${escapeLike(f.q!)}`]),
    );
  }
  return q;
}

/** One page of the roster (by union, then name) and the total the filters match. */
export async function listRoster(db: Db, f: RosterFilter): Promise<{ total: number; rows: RosterRow[] }> {
  const [count, rows] = await Promise.all([
    rosterQuery(db, f).count<{ n: string }[]>('m.id as n'),
    rosterQuery(db, f)
      .orderBy([{ column: 'u.name' }, { column: 'm.name' }, { column: 'm.id' }])
      .limit(f.limit)
      .offset(f.offset)
      .select({
        id: 'm.id',
        name: 'm.name',
        idNumberMasked: 'm.id_number_masked',
        group: 'm.group_id',
        employer: 'm.employer',
        unionId: 'm.union_id',
        unionName: 'u.name',
        projectId: 'm.project_id',
        projectName: 'p.name',
        regionOrg: 'p.region_org',
        regionName: 'r.name',
        verified: 'm.verified',
        joinedAt: 'm.joined_at',
      }),
  ]);
  return { total: Number(count[0]?.n ?? 0), rows: rows.map((r: RosterRow) => ({ ...r, id: Number(r.id) })) };
}
