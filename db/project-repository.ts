/** Tracked projects (项目) of campaigns: the list, status, progress and events. */
import type { Db } from './knex';
import { recordReportedMembers, type ReportedMember } from './member-verification-repository';
import { registerReportedUnions, type ReportedUnion } from './union-establishment-repository';

export interface ProjectRow {
  id: string;
  campaignId: string;
  regionOrg: string;
  kind: string;
  type: string;
  name: string;
  location: string | null;
  plannedMembers: number;
  plannedCoverage: number;
  groups: string[];
  responsibleUnit: string;
  dueDate: string | null;
  enterpriseIds: string[];
  subsidyAmount: string | null;
  status: string;
  listApplicationId: string | null;
  subsidyApplicationId: string | null;
  assessmentApplicationId: string | null;
  membersRecruited: number;
  /** Reported members waiting for real-name verification (待核验), apart from the verified count. */
  membersPending: number;
  unionsEstablished: number;
  coverageDone: number;
  selfAssessment: unknown;
  rectifyDeadline: Date | null;
  workflowId: string | null;
  regionPath?: string;
  createdAt: Date;
  updatedAt: Date;
}

const columns = {
  id: 'p.id',
  campaignId: 'p.campaign_id',
  regionOrg: 'p.region_org',
  kind: 'p.kind',
  type: 'p.type',
  name: 'p.name',
  location: 'p.location',
  plannedMembers: 'p.planned_members',
  plannedCoverage: 'p.planned_coverage',
  groups: 'p.groups',
  responsibleUnit: 'p.responsible_unit',
  dueDate: 'p.due_date',
  enterpriseIds: 'p.enterprise_ids',
  subsidyAmount: 'p.subsidy_amount',
  status: 'p.status',
  listApplicationId: 'p.list_application_id',
  subsidyApplicationId: 'p.subsidy_application_id',
  assessmentApplicationId: 'p.assessment_application_id',
  membersRecruited: 'p.members_recruited',
  membersPending: 'p.members_pending',
  unionsEstablished: 'p.unions_established',
  coverageDone: 'p.coverage_done',
  selfAssessment: 'p.self_assessment',
  rectifyDeadline: 'p.rectify_deadline',
  workflowId: 'p.workflow_id',
  regionPath: 'o.path',
  createdAt: 'p.created_at',
  updatedAt: 'p.updated_at',
};

export async function getProject(db: Db, id: string): Promise<ProjectRow | undefined> {
  return db('projects as p').join('orgs as o', 'o.id', 'p.region_org').select(columns).where('p.id', id).first();
}

export async function listProjects(
  db: Db,
  opts: { campaignId: string; scopePath?: string; regionOrg?: string; status?: string; limit: number; cursor?: string },
): Promise<ProjectRow[]> {
  const q = db('projects as p')
    .join('orgs as o', 'o.id', 'p.region_org')
    .select(columns)
    .where('p.campaign_id', opts.campaignId)
    .orderBy('p.id')
    .limit(opts.limit);
  if (opts.scopePath) q.andWhere('o.path', 'like', `${opts.scopePath}%`);
  if (opts.regionOrg) q.andWhere('p.region_org', opts.regionOrg);
  if (opts.status) q.andWhere('p.status', opts.status);
  if (opts.cursor) q.andWhere('p.id', '>', opts.cursor);
  return q;
}

export async function listProjectEvents(db: Db, projectId: string) {
  const rows: { at: Date; actor: string; kind: string; data: Record<string, unknown> }[] = await db('project_events')
    .where({ project_id: projectId })
    .orderBy('id')
    .select({ at: 'at', actor: 'actor', kind: 'kind', data: 'data' });
  // Progress events recorded before counts-only kept the list of members already counted: they show the count.
  return rows.map((e) =>
    e.kind === 'progress' && e.data?.result ? { ...e, data: { ...e.data, result: countsOnly(e.data.result as { duplicates?: unknown }) } } : e,
  );
}

/** A progress result as answered: counts, never which ID numbers (results stored before carried a `duplicates` list). */
export function countsOnly<T extends { duplicates?: unknown; alreadyCounted?: unknown }>(r: T): Omit<T, 'duplicates'> & { alreadyCounted: number } {
  const { duplicates, ...rest } = r;
  const already = typeof rest.alreadyCounted === 'number' ? rest.alreadyCounted : Array.isArray(duplicates) ? duplicates.length : 0;
  return { ...rest, alreadyCounted: already };
}

export async function insertProjectEvent(
  db: Db,
  e: { key: string; projectId: string; actor: string; kind: string; data: Record<string, unknown> },
): Promise<boolean> {
  const r = await db('project_events')
    .insert({ event_key: e.key, project_id: e.projectId, actor: e.actor, kind: e.kind, data: JSON.stringify(e.data) })
    .onConflict('event_key')
    .ignore()
    .returning('id');
  return r.length > 0;
}

export interface ProgressReport {
  unionsEstablished?: { enterpriseId?: number; name: string; establishedOn: string }[];
  members?: ReportedMember[];
  serviceDone?: { coverage: number; note?: string };
  note?: string;
}

/**
 * What a progress report answers: counts only. Which of the ID numbers sent
 * were members already is nobody's business here (it would make the report a
 * membership oracle): `alreadyCounted` says how many, never which.
 */
export interface ProgressResult {
  /** Members counted by this report itself: none since real-name verification (they count when verified). */
  membersAccepted: number;
  /** Members put to real-name verification (待核验) by this report. */
  membersReported?: number;
  /** Members of the report already reported by this project (pending or verified): not put again. */
  alreadyCounted: number;
  /** Unions counted by this report: none since 建会 is a process (counted at the higher union's approval). */
  unionsEstablished: number;
  /** Enterprises crossed off by this report: none (crossed off at the approval). */
  crossedOff: number;
  /** What each union the report names became: the establishment it started or matched. */
  unions?: ReportedUnion[];
  coverage: number;
  totals: { membersRecruited: number; membersPending?: number; unionsEstablished: number; coverageDone: number; plannedMembers: number };
}

/**
 * Applies one progress report in one transaction, keyed by `key`: a retry
 * returns the first result and writes nothing more. Reported members wait for
 * real-name verification (db/member-verification-repository.ts; one this
 * project reported before adds to `alreadyCounted`, nothing is said about
 * membership elsewhere). A union the report names starts (or matches) its
 * establishment (建会程序, union-establishment-repository): nothing is counted
 * or crossed off (销号) here; that waits for the higher union's approval of
 * its election.
 */
export async function applyProgress(
  db: Db,
  p: { key: string; projectId: string; campaignId: string; regionOrg: string; actor: string; report: ProgressReport },
): Promise<ProgressResult> {
  return db.transaction(async (trx) => {
    const prior = await trx('project_events').where({ event_key: p.key }).first('data');
    if (prior) return countsOnly((prior.data as { result: ProgressResult & { duplicates?: unknown[] } }).result);
    // Reported members wait for real-name verification (实名核验): counted only once a verifier confirms them.
    const { membersReported, alreadyCounted } = await recordReportedMembers(trx, { ...p, members: p.report.members ?? [] });
    // 建会是一个程序: a reported union starts (or matches) its establishment; it is counted, and its
    // enterprise crossed off, only when the higher union approves its election (union-establishment-repository).
    const reportedUnions = await registerReportedUnions(trx, { ...p, unions: p.report.unionsEstablished ?? [] });
    const coverage = p.report.serviceDone?.coverage ?? 0;
    const [row] = await trx('projects')
      .where({ id: p.projectId })
      .increment({ coverage_done: coverage })
      .returning(['members_recruited', 'members_pending', 'unions_established', 'coverage_done', 'planned_members']);
    // Nothing is accepted, established or crossed off by a report itself (see above): those counts are 0 here.
    const result: ProgressResult = {
      membersAccepted: 0,
      membersReported,
      alreadyCounted,
      unionsEstablished: 0,
      crossedOff: 0,
      unions: reportedUnions,
      coverage,
      totals: {
        membersRecruited: row.members_recruited,
        membersPending: row.members_pending,
        unionsEstablished: row.unions_established,
        coverageDone: row.coverage_done,
        plannedMembers: row.planned_members,
      },
    };
    await trx('project_events').insert({
      event_key: p.key,
      project_id: p.projectId,
      actor: p.actor,
      kind: 'progress',
      data: JSON.stringify({
        result,
        note: p.report.note ?? null,
        serviceNote: p.report.serviceDone?.note ?? null,
        unions: p.report.unionsEstablished ?? [],
        // Who was reported, as read back to the region and its reviewers: names and masked ID numbers only.
        members: (p.report.members ?? []).map((m) => ({ name: m.name, idNumberMasked: m.idNumberMasked, group: m.group, employer: m.employer })),
      }),
    });
    return result;
  });
}
