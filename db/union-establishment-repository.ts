/**
 * 建会程序 (union establishments): one row per union a project establishes,
 * from its start to the higher union's approval of its election. The only
 * place that counts a union: {@link completeEstablishment} adds the union to
 * the org tree, crosses its enterprise off the ledger (销号) and increments
 * `projects.unions_established`, in one transaction, once.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from './knex';
import { kindForReportedUnion, unionNameKey, type UnionKind } from '../domain/union-establishment';

export interface EstablishmentRow {
  id: string;
  campaignId: string;
  projectId: string;
  regionOrg: string;
  enterpriseId: number | null;
  enterpriseName: string | null;
  name: string;
  kind: UnionKind;
  status: string;
  applicationId: string | null;
  workflowId: string | null;
  orgId: string | null;
  startedBy: string;
  source: string;
  reports: number;
  claimedOn: string | null;
  electionDate: string | null;
  chair: string | null;
  establishedAt: Date | null;
  createdAt: Date;
}

const columns = {
  id: 'u.id',
  campaignId: 'u.campaign_id',
  projectId: 'u.project_id',
  regionOrg: 'u.region_org',
  enterpriseId: 'u.enterprise_id',
  enterpriseName: 'e.name',
  name: 'u.name',
  kind: 'u.kind',
  status: 'u.status',
  applicationId: 'u.application_id',
  workflowId: 'u.workflow_id',
  orgId: 'u.org_id',
  startedBy: 'u.started_by',
  source: 'u.source',
  reports: 'u.reports',
  claimedOn: 'u.claimed_on',
  electionDate: 'u.election_date',
  chair: 'u.chair',
  establishedAt: 'u.established_at',
  createdAt: 'u.created_at',
};

const LIVE = ['in_progress', 'established'];

function base(db: Db) {
  return db('union_establishments as u').leftJoin('enterprises as e', 'e.id', 'u.enterprise_id').select(columns);
}

const fromRow = (r: EstablishmentRow): EstablishmentRow => ({
  ...r,
  enterpriseId: r.enterpriseId === null ? null : Number(r.enterpriseId),
  claimedOn: dateOnly(r.claimedOn),
  electionDate: dateOnly(r.electionDate),
});

function dateOnly(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return `${v.getFullYear()}-${String(v.getMonth() + 1).padStart(2, '0')}-${String(v.getDate()).padStart(2, '0')}`;
  return typeof v === 'string' ? v.slice(0, 10) : null;
}

export const applicationIdOf = (establishmentId: string) => `union-${establishmentId}`;
export const establishmentWorkflowId = (establishmentId: string) => `union-establishment-${establishmentId}`;

export async function getEstablishment(db: Db, id: string): Promise<EstablishmentRow | undefined> {
  const r = await base(db).where('u.id', id).first();
  return r ? fromRow(r) : undefined;
}

export async function listEstablishments(db: Db, projectId: string): Promise<EstablishmentRow[]> {
  const rows: EstablishmentRow[] = await base(db).where('u.project_id', projectId).orderBy('u.created_at').orderBy('u.id');
  return rows.map(fromRow);
}

/** The live (in progress or established) establishment of the campaign for this enterprise or this name, if any. */
export async function findLiveEstablishment(
  db: Db,
  campaignId: string,
  match: { enterpriseId?: number | null; name: string },
): Promise<EstablishmentRow | undefined> {
  const key = unionNameKey(match.name);
  const r = await base(db)
    .where('u.campaign_id', campaignId)
    .whereIn('u.status', LIVE)
    .andWhere((w) => {
      w.where('u.name_key', key);
      if (match.enterpriseId !== undefined && match.enterpriseId !== null) w.orWhere('u.enterprise_id', match.enterpriseId);
    })
    .orderByRaw('(u.enterprise_id is not distinct from ?) desc', [match.enterpriseId ?? null])
    .first();
  return r ? fromRow(r) : undefined;
}

/** Whether the enterprise is on this campaign's ledger in this region (and what its ledger says). */
export async function ledgerEnterprise(
  db: Db,
  p: { enterpriseId: number; campaignId: string; regionOrg: string },
): Promise<{ id: number; name: string; ledgerStatus: string; hasUnion: boolean } | undefined> {
  const r = await db('enterprises')
    .where({ id: p.enterpriseId, campaign_id: p.campaignId, region_org: p.regionOrg })
    .first({ id: 'id', name: 'name', ledgerStatus: 'ledger_status', hasUnion: 'has_union' });
  return r ? { ...r, id: Number(r.id) } : undefined;
}

export interface NewEstablishment {
  campaignId: string;
  projectId: string;
  regionOrg: string;
  enterpriseId: number | null;
  name: string;
  kind: UnionKind;
  startedBy: string;
  source: 'request' | 'progress';
  claimedOn?: string | null;
}

/**
 * Starts one establishment: inserted unless the campaign already has a live
 * one for the enterprise or the name (the partial unique indexes decide, so
 * two requests at once cannot both start it). Answers the new row, or the
 * existing one it ran into.
 */
export async function insertEstablishment(db: Db, n: NewEstablishment): Promise<{ created: boolean; row: EstablishmentRow }> {
  const id = `ue-${randomUUID()}`;
  const inserted = await db('union_establishments')
    .insert({
      id,
      campaign_id: n.campaignId,
      project_id: n.projectId,
      region_org: n.regionOrg,
      enterprise_id: n.enterpriseId,
      name: n.name,
      name_key: unionNameKey(n.name),
      kind: n.kind,
      status: 'in_progress',
      application_id: applicationIdOf(id),
      workflow_id: establishmentWorkflowId(id),
      started_by: n.startedBy,
      source: n.source,
      reports: n.source === 'progress' ? 1 : 0,
      claimed_on: n.claimedOn ?? null,
    })
    .onConflict()
    .ignore()
    .returning('id');
  if (inserted.length) return { created: true, row: (await getEstablishment(db, id))! };
  const existing = await findLiveEstablishment(db, n.campaignId, { enterpriseId: n.enterpriseId, name: n.name });
  if (!existing) throw new Error('union establishment conflicted with none');
  return { created: false, row: existing };
}

/** What a progress report's union became: a new establishment (started) or the one it matched. */
export interface ReportedUnion {
  id: string;
  name: string;
  status: string;
  started: boolean;
  kind: UnionKind;
}

/**
 * The unions a progress report names (inside the report's transaction): each
 * starts the establishment of that union, or matches the live one of the
 * campaign for its enterprise or name (then it only adds to how often it was
 * claimed). Nothing is counted here and nothing is crossed off: that waits for
 * the higher union's approval of the election. An enterprise id that is not
 * on the region's ledger is not kept (the union is matched by its name).
 */
export async function registerReportedUnions(
  trx: Db,
  p: {
    campaignId: string;
    projectId: string;
    regionOrg: string;
    actor: string;
    unions: readonly { enterpriseId?: number; name: string; establishedOn: string }[];
  },
): Promise<ReportedUnion[]> {
  if (!p.unions.length) return [];
  const project = await trx('projects').where({ id: p.projectId }).first('type');
  const out: ReportedUnion[] = [];
  for (const u of p.unions) {
    const onLedger =
      u.enterpriseId === undefined
        ? undefined
        : await ledgerEnterprise(trx, { enterpriseId: u.enterpriseId, campaignId: p.campaignId, regionOrg: p.regionOrg });
    const enterpriseId = onLedger ? onLedger.id : undefined;
    const r = await insertEstablishment(trx, {
      campaignId: p.campaignId,
      projectId: p.projectId,
      regionOrg: p.regionOrg,
      enterpriseId: enterpriseId ?? null,
      name: u.name,
      kind: kindForReportedUnion(project?.type ?? '', enterpriseId),
      startedBy: p.actor,
      source: 'progress',
      claimedOn: u.establishedOn,
    });
    if (!r.created)
      await trx('union_establishments')
        .where({ id: r.row.id })
        .update({ reports: trx.raw('reports + 1'), claimed_on: trx.raw('coalesce(claimed_on, ?)', [u.establishedOn]), updated_at: trx.fn.now() });
    out.push({ id: r.row.id, name: r.row.name, status: r.row.status, started: r.created, kind: r.row.kind });
  }
  return out;
}

/** What the final approval did: the new org, whether the enterprise was crossed off, the project's count now. */
export interface CompletedEstablishment {
  orgId: string;
  crossedOff: boolean;
  unionsEstablished: number;
  alreadyDone: boolean;
}

/**
 * The higher union approved the election: in one transaction the union joins
 * the org tree as a grassroots org under the project's region (its kind the
 * establishment's, its groups the project's), the enterprise is crossed off
 * the ledger (销号, dated the election), the project counts one union more, and
 * the establishment records its org, election date and chair. Once: a retry
 * (or a second call) answers what the first did.
 */
export async function completeEstablishment(db: Db, p: { id: string; electionDate: string | null; chair: string | null }): Promise<CompletedEstablishment> {
  return db.transaction(async (trx) => {
    const e = await trx('union_establishments').where({ id: p.id }).forUpdate().first();
    if (!e) throw new Error(`union establishment ${p.id} not found`);
    if (e.status === 'established') {
      const proj = await trx('projects').where({ id: e.project_id }).first('unions_established');
      return { orgId: e.org_id, crossedOff: false, unionsEstablished: proj.unions_established, alreadyDone: true };
    }
    const region = await trx('orgs').where({ id: e.region_org }).first('path');
    const project = await trx('projects').where({ id: e.project_id }).first('groups', 'location');
    const orgId = `${e.region_org}-${String(e.id).replace(/^ue-/, 'u').slice(0, 20)}`.slice(0, 64);
    await trx('orgs')
      .insert({
        id: orgId,
        name: e.name,
        kind: 'grassroots',
        parent_id: e.region_org,
        path: `${region.path}${orgId}/`,
        groups: project?.groups ?? [],
        area: project?.location ?? null,
        subkind: e.kind,
      })
      .onConflict('id')
      .ignore();
    let crossedOff = false;
    if (e.enterprise_id !== null) {
      const n = await trx('enterprises')
        .where({ id: e.enterprise_id, campaign_id: e.campaign_id })
        .whereNot({ ledger_status: 'crossed_off' })
        .update({ ledger_status: 'crossed_off', crossed_off_at: p.electionDate ?? trx.fn.now(), updated_at: trx.fn.now() });
      crossedOff = n > 0;
    }
    const [row] = await trx('projects').where({ id: e.project_id }).increment({ unions_established: 1 }).returning(['unions_established']);
    await trx('union_establishments').where({ id: p.id }).update({
      status: 'established',
      org_id: orgId,
      election_date: p.electionDate,
      chair: p.chair,
      established_at: trx.fn.now(),
      updated_at: trx.fn.now(),
    });
    await trx('project_events')
      .insert({
        event_key: `union-established:${p.id}`,
        project_id: e.project_id,
        actor: 'system',
        kind: 'union_established',
        data: JSON.stringify({ establishmentId: p.id, name: e.name, orgId, enterpriseId: e.enterprise_id, crossedOff }),
      })
      .onConflict('event_key')
      .ignore();
    return { orgId, crossedOff, unionsEstablished: row.unions_established, alreadyDone: false };
  });
}

/** The establishment ended without approval (rejected or withdrawn): it is not counted and leaves room for a new start. */
export async function endEstablishment(db: Db, p: { id: string; status: 'rejected' | 'withdrawn' }): Promise<void> {
  await db.transaction(async (trx) => {
    const e = await trx('union_establishments').where({ id: p.id }).first('status', 'project_id', 'name');
    if (!e || e.status !== 'in_progress') return;
    await trx('union_establishments').where({ id: p.id }).update({ status: p.status, updated_at: trx.fn.now() });
    await trx('project_events')
      .insert({
        event_key: `union-ended:${p.id}`,
        project_id: e.project_id,
        actor: 'system',
        kind: 'union_not_established',
        data: JSON.stringify({ establishmentId: p.id, name: e.name, status: p.status }),
      })
      .onConflict('event_key')
      .ignore();
  });
}

/** The form of the establishment's application (the fields its steps recorded). */
export async function establishmentForm(db: Db, applicationId: string): Promise<Record<string, unknown>> {
  const a = await db('applications').where({ id: applicationId }).first('payload');
  const form = (a?.payload as { form?: unknown } | undefined)?.form;
  return form && typeof form === 'object' ? (form as Record<string, unknown>) : {};
}

/** The tasks, statuses and attachments of the establishments' applications, for the project view. */
export async function establishmentProgress(db: Db, applicationIds: readonly string[]) {
  if (!applicationIds.length) return { tasks: [], applications: [], attachments: [] };
  const [tasks, applications, attachments] = await Promise.all([
    db('tasks').whereIn('application_id', applicationIds).orderBy('created_at').orderBy('id').select({
      id: 'id',
      applicationId: 'application_id',
      kind: 'kind',
      stepIndex: 'step_index',
      status: 'status',
      decision: 'decision',
      decidedBy: 'decided_by',
      assignee: 'assignee',
      completedAt: 'completed_at',
      createdAt: 'created_at',
    }),
    db('applications')
      .whereIn('id', applicationIds)
      .select({ id: 'id', status: 'status', chainKey: 'chain_key', chainVersion: 'chain_version', chainOwner: 'chain_owner', payload: 'payload' }),
    db('attachments').whereIn('application_id', applicationIds).orderBy('uploaded_at').orderBy('id').select({
      id: 'id',
      applicationId: 'application_id',
      taskId: 'task_id',
      name: 'name',
      size: 'size',
      uploadedBy: 'uploaded_by',
      uploadedAt: 'uploaded_at',
    }),
  ]);
  return {
    tasks: tasks as {
      id: string;
      applicationId: string;
      kind: string;
      stepIndex: number;
      status: string;
      decision: string | null;
      decidedBy: string | null;
      assignee: string | null;
      completedAt: Date | null;
      createdAt: Date;
    }[],
    applications: applications as {
      id: string;
      status: string;
      chainKey: string;
      chainVersion: number;
      chainOwner: string | null;
      payload: Record<string, unknown>;
    }[],
    attachments: (
      attachments as { id: string; applicationId: string; taskId: string | null; name: string; size: string | number; uploadedBy: string; uploadedAt: Date }[]
    ).map((a) => ({ ...a, size: Number(a.size) })),
  };
}
