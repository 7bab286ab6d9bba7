/** The city's action plan (行动计划): its approved projects, the submissions kept by revision, the province's decisions. */
import type { Db } from './knex';
import type { PlanProjectInput } from '../domain/campaign-plan';
import type { PlanEntryChanges } from '../workflows/campaign-types';

/** The approved projects (any status past 立项) of a campaign, optionally of one subtree, with any open return. */
export async function listPlanProjects(db: Db, campaignId: string, scopePath?: string): Promise<PlanProjectInput[]> {
  const q = db('projects as p')
    .join('orgs as o', 'o.id', 'p.region_org')
    .where('p.campaign_id', campaignId)
    .whereNot('p.status', 'proposed')
    .orderBy('p.id')
    .select({
      id: 'p.id',
      regionOrg: 'p.region_org',
      regionPath: 'o.path',
      kind: 'p.kind',
      type: 'p.type',
      name: 'p.name',
      location: 'p.location',
      plannedMembers: 'p.planned_members',
      plannedCoverage: 'p.planned_coverage',
      groups: 'p.groups',
      responsibleUnit: 'p.responsible_unit',
      dueDate: db.raw("to_char(p.due_date, 'YYYY-MM-DD')"),
      status: 'p.status',
      returnedAt: 'p.plan_returned_at',
      returnedBy: 'p.plan_returned_by',
      returnComment: 'p.plan_return_comment',
    });
  if (scopePath) q.andWhere('o.path', 'like', `${scopePath}%`);
  const rows: (Omit<PlanProjectInput, 'returned'> & { returnedAt: Date | null; returnedBy: string | null; returnComment: string | null })[] = await q;
  return rows.map(({ returnedAt, returnedBy, returnComment, ...p }) => ({
    ...p,
    returned: returnedAt ? { at: returnedAt.toISOString(), by: returnedBy ?? '', comment: returnComment ?? '' } : null,
  }));
}

/** Marks a project returned to its region (the city's comments kept on the project until it is revised). */
export async function markPlanEntryReturned(db: Db, p: { projectId: string; actor: string; comment: string }): Promise<{ name: string }> {
  const [row] = await db('projects')
    .where({ id: p.projectId })
    .update({ plan_returned_at: db.fn.now(), plan_returned_by: p.actor, plan_return_comment: p.comment, updated_at: db.fn.now() })
    .returning(['name']);
  return { name: (row as { name: string } | undefined)?.name ?? p.projectId };
}

/** The region's revision: the fields sent change, the return is cleared; answers the values before and after. */
export async function applyPlanEntryRevision(
  db: Db,
  p: { projectId: string; changes: PlanEntryChanges },
): Promise<{ name: string; before: Record<string, unknown>; after: Record<string, unknown> }> {
  const columns: Record<keyof PlanEntryChanges, string> = {
    name: 'name',
    location: 'location',
    plannedMembers: 'planned_members',
    plannedCoverage: 'planned_coverage',
    responsibleUnit: 'responsible_unit',
    dueDate: 'due_date',
  };
  const before = await db('projects')
    .where({ id: p.projectId })
    .first({
      name: 'name',
      location: 'location',
      plannedMembers: 'planned_members',
      plannedCoverage: 'planned_coverage',
      responsibleUnit: 'responsible_unit',
      dueDate: db.raw("to_char(due_date, 'YYYY-MM-DD')"),
    });
  const set: Record<string, unknown> = {};
  const was: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p.changes) as [keyof PlanEntryChanges, unknown][]) {
    if (v === undefined) continue;
    set[columns[k]] = v;
    was[k] = before?.[k] ?? null;
  }
  await db('projects')
    .where({ id: p.projectId })
    .update({ ...set, plan_returned_at: null, plan_returned_by: null, plan_return_comment: null, updated_at: db.fn.now() });
  return {
    name: (p.changes.name ?? before?.name ?? p.projectId) as string,
    before: was,
    after: Object.fromEntries(Object.keys(was).map((k) => [k, p.changes[k as keyof PlanEntryChanges]])),
  };
}

export interface PlanSubmissionRow {
  revision: number;
  applicationId: string;
  submittedBy: string;
  submittedAt: Date;
  note: string | null;
  plan: unknown;
}

export async function listPlanSubmissions(db: Db, campaignId: string): Promise<PlanSubmissionRow[]> {
  return db('campaign_plan_submissions')
    .where({ campaign_id: campaignId })
    .orderBy('revision')
    .select({ revision: 'revision', applicationId: 'application_id', submittedBy: 'submitted_by', submittedAt: 'submitted_at', note: 'note', plan: 'plan' });
}

/** Records one submission under the next revision number; false when that revision was taken meanwhile. */
export async function insertPlanSubmission(
  db: Db,
  s: { campaignId: string; revision: number; applicationId: string; submittedBy: string; note: string | null; plan: unknown },
): Promise<boolean> {
  const r = await db('campaign_plan_submissions')
    .insert({
      campaign_id: s.campaignId,
      revision: s.revision,
      application_id: s.applicationId,
      submitted_by: s.submittedBy,
      note: s.note,
      plan: JSON.stringify(s.plan),
    })
    .onConflict(['campaign_id', 'revision'])
    .ignore()
    .returning('revision');
  return r.length > 0;
}

/** Removes a submission whose workflow call failed (nothing half-written stays). */
export async function deletePlanSubmission(db: Db, campaignId: string, revision: number): Promise<void> {
  await db('campaign_plan_submissions').where({ campaign_id: campaignId, revision }).delete();
}

/** The province's decisions on the plan (approve, return with comments), in order. */
export async function listPlanDecisions(db: Db, applicationId: string): Promise<{ at: Date; actor: string; action: string; comment: string | null }[]> {
  return db('audit_log')
    .where({ application_id: applicationId })
    .whereIn('action', ['approve', 'return'])
    .orderBy('id')
    .select({ at: 'at', actor: 'actor', action: 'action', comment: 'comment' });
}
