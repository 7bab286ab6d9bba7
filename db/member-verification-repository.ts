/**
 * Real-name verification (实名核验) of the members a project reports: they
 * wait in `member_reports` (counted in `projects.members_pending`) until a
 * reviewer of the project's region or of the city verifies them; only then do
 * they enter `members` and `projects.members_recruited` (the verified count,
 * which the dashboard, the bulletin and the ranking read). See
 * domain/member-admission.ts for the rules.
 */
import type { Knex } from 'knex';
import type { Db } from './knex';
import {
  ADMISSION_RULE_LABELS,
  ALREADY_COUNTED_REASON,
  admittingUnion,
  checkKind,
  normalizeName,
  unionNamesFor,
  type AdmissionRule,
  type CheckKind,
  type VerificationStatus,
} from '../domain/member-admission';

export interface ReportedMember {
  name: string;
  idNumberEnc: string;
  idNumberHash: string;
  idNumberMasked: string;
  phoneEnc?: string;
  phoneHash?: string;
  phoneMasked?: string;
  group: string;
  employer: string;
  /** 劳务派遣工: employed by `agency`, working at `employer` (the host). */
  dispatched?: boolean;
  agency?: string;
}

/** What a report's members came to: counts only (never which ID numbers were members anywhere). */
export interface ReportedMembersResult {
  /** Put to real-name verification by this report. */
  membersReported: number;
  /** Already reported by this same project (pending or verified): not put again. */
  alreadyCounted: number;
}

/** The grassroots unions of the campaign's city by their name as people write it (read once per report). */
async function unionsByName(trx: Knex.Transaction, cityPath: string): Promise<Map<string, string>> {
  const rows: { id: string; name: string }[] = await trx('orgs').where('path', 'like', `${cityPath}%`).andWhere({ kind: 'grassroots' }).select('id', 'name');
  const out = new Map<string, string>();
  for (const r of rows) if (!out.has(normalizeName(r.name))) out.set(normalizeName(r.name), r.id);
  return out;
}

/** The union of a workplace, by its name: the exact name first, then "…工会" and the rest (or null). */
function unionOfWorkplace(unions: Map<string, string>, workplace: string | undefined): string | null {
  for (const n of workplace ? unionNamesFor(workplace) : []) {
    const hit = unions.get(n);
    if (hit) return hit;
  }
  return null;
}

/**
 * The members of one progress report, inside the report's transaction: each
 * is checked (is the person a member already, and where) and the admitting
 * union chosen, then held as pending. Replaces the insert into `members`.
 */
export async function recordReportedMembers(
  trx: Knex.Transaction,
  p: { key: string; projectId: string; campaignId: string; regionOrg: string; actor: string; members: readonly ReportedMember[] },
): Promise<ReportedMembersResult> {
  if (!p.members.length) return { membersReported: 0, alreadyCounted: 0 };
  const city = await trx('campaigns as c').join('orgs as o', 'o.id', 'c.city_org').where('c.id', p.campaignId).first<{ path: string }>('o.path');
  const unions = await unionsByName(trx, city?.path ?? '/');
  const existing = new Map<string, string>(
    (
      await trx('members')
        .whereIn(
          'id_number_hash',
          p.members.map((m) => m.idNumberHash),
        )
        .select<{ id_number_hash: string; union_id: string }[]>('id_number_hash', 'union_id')
    ).map((r) => [r.id_number_hash, r.union_id]),
  );
  let membersReported = 0;
  let alreadyCounted = 0;
  for (const m of p.members) {
    const dispatched = !!m.dispatched;
    const admitted = admittingUnion({
      dispatched,
      agencyUnion: dispatched ? unionOfWorkplace(unions, m.agency) : null,
      employerUnion: unionOfWorkplace(unions, m.employer),
      regionOrg: p.regionOrg,
    });
    const was = existing.get(m.idNumberHash) ?? null;
    const inserted = await trx('member_reports')
      .insert({
        campaign_id: p.campaignId,
        project_id: p.projectId,
        region_org: p.regionOrg,
        report_key: p.key,
        reported_by: p.actor,
        name: m.name,
        id_number_hash: m.idNumberHash,
        id_number_enc: m.idNumberEnc,
        id_number_masked: m.idNumberMasked,
        phone_enc: m.phoneEnc ?? null,
        phone_hash: m.phoneHash ?? null,
        phone_masked: m.phoneMasked ?? null,
        group_id: m.group,
        employer: m.employer,
        dispatched,
        agency: dispatched ? (m.agency ?? null) : null,
        admitted_union: admitted.union,
        admission_rule: admitted.rule,
        check_kind: checkKind(was, admitted.union),
        check_from_union: was,
      })
      .onConflict()
      .ignore()
      .returning('id');
    if (inserted.length) membersReported += 1;
    else alreadyCounted += 1;
  }
  if (membersReported) await trx('projects').where({ id: p.projectId }).increment({ members_pending: membersReported });
  return { membersReported, alreadyCounted };
}

export interface MemberReportView {
  id: string;
  projectId: string;
  projectName: string;
  regionOrg: string;
  regionName: string;
  name: string;
  idNumberMasked: string;
  phoneMasked: string | null;
  group: string | null;
  employer: string;
  dispatched: boolean;
  agency: string | null;
  admittedUnion: string;
  admittedUnionName: string;
  admissionRule: AdmissionRule;
  status: VerificationStatus;
  outcome: 'new' | 'transfer' | null;
  reason: string | null;
  reportedBy: string;
  reportedAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  /** The automatic check (for the verifier only). */
  checkKind: CheckKind;
  checkFromUnion: string | null;
  checkFromUnionName: string | null;
  transferredFromName: string | null;
}

const viewColumns = {
  id: 'r.id',
  projectId: 'r.project_id',
  projectName: 'p.name',
  regionOrg: 'r.region_org',
  regionName: 'ro.name',
  name: 'r.name',
  idNumberMasked: 'r.id_number_masked',
  phoneMasked: 'r.phone_masked',
  group: 'r.group_id',
  employer: 'r.employer',
  dispatched: 'r.dispatched',
  agency: 'r.agency',
  admittedUnion: 'r.admitted_union',
  admittedUnionName: 'au.name',
  admissionRule: 'r.admission_rule',
  status: 'r.status',
  outcome: 'r.outcome',
  reason: 'r.reason',
  reportedBy: 'r.reported_by',
  reportedAt: 'r.reported_at',
  decidedBy: 'r.decided_by',
  decidedAt: 'r.decided_at',
  checkKind: 'r.check_kind',
  checkFromUnion: 'r.check_from_union',
  checkFromUnionName: 'fu.name',
  transferredFromName: 'tu.name',
};

/** Reported members, newest first: of one project, or (a verifier's queue) of every project in a scope. */
export async function listMemberReports(
  db: Db,
  q: { projectId?: string; campaignId?: string; verifierScopes?: readonly string[]; status?: VerificationStatus; limit: number; cursor?: string },
): Promise<MemberReportView[]> {
  const rows = db('member_reports as r')
    .join('projects as p', 'p.id', 'r.project_id')
    .join('orgs as ro', 'ro.id', 'r.region_org')
    .join('orgs as au', 'au.id', 'r.admitted_union')
    .leftJoin('orgs as fu', 'fu.id', 'r.check_from_union')
    .leftJoin('orgs as tu', 'tu.id', 'r.transferred_from_union')
    .select(viewColumns)
    .orderBy('r.id', 'desc')
    .limit(q.limit);
  if (q.projectId) rows.where('r.project_id', q.projectId);
  if (q.campaignId) rows.where('r.campaign_id', q.campaignId);
  // A verifier's subtrees: projects of regions within them, of campaigns whose city holds the subtree (the policy checks each row again).
  if (q.verifierScopes) {
    const scopes = q.verifierScopes;
    rows.where((w) => {
      if (!scopes.length) void w.whereRaw('false');
      for (const scope of scopes)
        void w.orWhere((o) => {
          void o.where('ro.path', 'like', `${scope}%`).whereExists((e) => {
            void e
              .select(db.raw('1'))
              .from('campaigns as c')
              .join('orgs as co', 'co.id', 'c.city_org')
              .whereRaw('c.id = r.campaign_id')
              .whereRaw("? like co.path || '%'", [scope]);
          });
        });
    });
  }
  if (q.status) rows.where('r.status', q.status);
  if (q.cursor) rows.where('r.id', '<', q.cursor);
  const out: MemberReportView[] = await rows;
  return out.map((r) => ({ ...r, id: String(r.id) }));
}

/** A project's reported members by status. */
export async function memberReportCounts(db: Db, projectId: string): Promise<Record<VerificationStatus, number> & { transfers: number }> {
  const r = await db('member_reports')
    .where({ project_id: projectId })
    .first<{ pending: number; verified: number; rejected: number; lapsed: number; transfers: number }>(
      db.raw("count(*) filter (where status = 'pending')::int as pending"),
      db.raw("count(*) filter (where status = 'verified')::int as verified"),
      db.raw("count(*) filter (where status = 'rejected')::int as rejected"),
      db.raw("count(*) filter (where status = 'lapsed')::int as lapsed"),
      db.raw("count(*) filter (where outcome = 'transfer')::int as transfers"),
    );
  return {
    pending: r?.pending ?? 0,
    verified: r?.verified ?? 0,
    rejected: r?.rejected ?? 0,
    lapsed: r?.lapsed ?? 0,
    transfers: r?.transfers ?? 0,
  };
}

export interface Decision {
  id: string;
  action: 'verify' | 'reject';
  reason?: string;
}

export interface DecisionResult {
  id: string;
  status: VerificationStatus;
  outcome: 'new' | 'transfer' | null;
  /** False when the row was decided before (nothing changed now). */
  changed: boolean;
  reason: string | null;
}

/**
 * A verifier's decisions on reported members of one project, in one
 * transaction. Verified: a person who is nobody's member yet enters `members`
 * at the admitting union; a member of another union is moved there (会籍转移:
 * counted at the place of work, and taken off the project that counted them
 * before); one already a member of the admitting union is not counted again
 * (rejected with that reason). Every decision moves one from
 * `members_pending`. Rows decided before are left as they are.
 */
export async function decideMemberReports(
  db: Db,
  p: { projectId: string; actor: string; decisions: readonly Decision[] },
): Promise<{ results: DecisionResult[]; totals: { membersRecruited: number; membersPending: number } }> {
  return db.transaction(async (trx) => {
    const results: DecisionResult[] = [];
    let pendingDone = 0;
    let counted = 0;
    for (const d of p.decisions) {
      const row = await trx('member_reports').where({ id: d.id, project_id: p.projectId }).forUpdate().first();
      if (!row) continue;
      if (row.status !== 'pending') {
        results.push({ id: d.id, status: row.status, outcome: row.outcome, changed: false, reason: row.reason });
        continue;
      }
      pendingDone += 1;
      const decided = { decided_by: p.actor, decided_at: trx.fn.now() };
      if (d.action === 'reject') {
        await trx('member_reports')
          .where({ id: d.id })
          .update({ status: 'rejected', reason: d.reason ?? null, ...decided });
        results.push({ id: d.id, status: 'rejected', outcome: null, changed: true, reason: d.reason ?? null });
        continue;
      }
      const member = await trx('members')
        .where({ id_number_hash: row.id_number_hash })
        .forUpdate()
        .first<{ union_id: string; project_id: string | null } | undefined>('union_id', 'project_id');
      if (!member) {
        await trx('members').insert({
          id_number_hash: row.id_number_hash,
          id_number_enc: row.id_number_enc,
          id_number_masked: row.id_number_masked,
          name: row.name,
          phone_enc: row.phone_enc,
          phone_hash: row.phone_hash,
          phone_masked: row.phone_masked,
          group_id: row.group_id,
          employer: row.employer,
          union_id: row.admitted_union,
          source_application: null,
          verified: true,
          campaign_id: row.campaign_id,
          project_id: row.project_id,
          admission_rule: row.admission_rule,
        });
        await trx('member_reports')
          .where({ id: d.id })
          .update({ status: 'verified', outcome: 'new', reason: d.reason ?? null, ...decided });
        counted += 1;
        results.push({ id: d.id, status: 'verified', outcome: 'new', changed: true, reason: d.reason ?? null });
      } else if (member.union_id === row.admitted_union) {
        await trx('member_reports')
          .where({ id: d.id })
          .update({ status: 'rejected', reason: ALREADY_COUNTED_REASON, ...decided });
        results.push({ id: d.id, status: 'rejected', outcome: null, changed: true, reason: ALREADY_COUNTED_REASON });
      } else {
        // 会籍转移: counted at the place of work from now on, and no longer where they were counted.
        await trx('members').where({ id_number_hash: row.id_number_hash }).update({
          union_id: row.admitted_union,
          transferred_from: member.union_id,
          campaign_id: row.campaign_id,
          project_id: row.project_id,
          employer: row.employer,
          group_id: row.group_id,
          verified: true,
          admission_rule: row.admission_rule,
          updated_at: trx.fn.now(),
        });
        if (member.project_id && member.project_id !== row.project_id)
          await trx('projects')
            .where({ id: member.project_id })
            .update({ members_recruited: trx.raw('greatest(members_recruited - 1, 0)'), updated_at: trx.fn.now() });
        await trx('member_reports')
          .where({ id: d.id })
          .update({ status: 'verified', outcome: 'transfer', transferred_from_union: member.union_id, reason: d.reason ?? null, ...decided });
        counted += 1;
        results.push({ id: d.id, status: 'verified', outcome: 'transfer', changed: true, reason: d.reason ?? null });
      }
    }
    const [totals] = await trx('projects')
      .where({ id: p.projectId })
      .update({
        members_recruited: trx.raw('members_recruited + ?', [counted]),
        members_pending: trx.raw('greatest(members_pending - ?, 0)', [pendingDone]),
        updated_at: trx.fn.now(),
      })
      .returning(['members_recruited', 'members_pending']);
    if (pendingDone) {
      const verified = results.filter((r) => r.changed && r.status === 'verified');
      await trx('project_events').insert({
        event_key: `verify:${p.projectId}:${p.actor}:${results
          .filter((r) => r.changed)
          .map((r) => r.id)
          .join(',')}`,
        project_id: p.projectId,
        actor: p.actor,
        kind: 'verification',
        data: JSON.stringify({
          verified: verified.length,
          transfers: verified.filter((r) => r.outcome === 'transfer').length,
          rejected: results.filter((r) => r.changed && r.status === 'rejected').length,
          totals: { membersRecruited: totals.members_recruited, membersPending: totals.members_pending },
        }),
      });
    }
    return { results, totals: { membersRecruited: totals?.members_recruited ?? 0, membersPending: totals?.members_pending ?? 0 } };
  });
}

/** Labels for a row's admission rule (re-exported for the API's views). */
export const admissionRuleLabel = (r: AdmissionRule) => ADMISSION_RULE_LABELS[r];

/**
 * The campaign closed: every report still pending lapses — not counted, taken off `members_pending`, the reason
 * kept on the row for the submitter — with one timeline entry per project. Idempotent (only pending rows move).
 */
export async function lapsePendingMemberReports(db: Db, p: { campaignId: string; reason: string }): Promise<{ lapsed: number }> {
  return db.transaction(async (trx) => {
    const rows = await trx('member_reports')
      .where({ campaign_id: p.campaignId, status: 'pending' })
      .update({ status: 'lapsed', reason: p.reason, decided_by: 'system', decided_at: trx.fn.now() })
      .returning<{ project_id: string }[]>(['project_id']);
    const byProject = new Map<string, number>();
    for (const r of rows) byProject.set(String(r.project_id), (byProject.get(String(r.project_id)) ?? 0) + 1);
    for (const [projectId, n] of byProject) {
      const [totals] = await trx('projects')
        .where({ id: projectId })
        .update({ members_pending: trx.raw('greatest(members_pending - ?, 0)', [n]), updated_at: trx.fn.now() })
        .returning(['members_recruited', 'members_pending']);
      await trx('project_events')
        .insert({
          event_key: `lapse-reports:${projectId}`,
          project_id: projectId,
          actor: 'system',
          kind: 'verification',
          data: JSON.stringify({
            lapsed: n,
            reason: p.reason,
            totals: { membersRecruited: totals?.members_recruited ?? 0, membersPending: totals?.members_pending ?? 0 },
          }),
        })
        .onConflict('event_key')
        .ignore();
    }
    return { lapsed: rows.length };
  });
}
