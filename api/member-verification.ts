/**
 * Real-name verification (实名核验) of the members a project reports (issue 16).
 *
 * How verification happens: a progress report's members are checked
 * automatically as they arrive (a valid ID number, or the report is refused
 * with the reason per member; whether the person is already a member, and
 * where; which union admits them — a dispatched worker the dispatch agency's
 * union, else the host employer's) and then wait, pending (待核验), for a
 * reviewer of the project's region or city, who checks each person against
 * their papers and verifies or rejects them with a reason. Only verified
 * members count (projects.members_recruited, the dashboard, the bulletin and
 * the ranking); a member of another union is verified as a transfer (会籍转移),
 * counted at the place of work and no longer where they were.
 *
 * - GET  /api/projects/:id/members-reported            the project's reported members, their status and union
 * - POST /api/projects/:id/members-reported/decisions  the verifier's decisions (verify / reject with a reason)
 * - GET  /api/member-verifications                     the verifier's queue across the projects they verify
 *
 * What the automatic check found (a member elsewhere) is shown to the verifier
 * only (policy `verifyReportedMembers`), never in a progress report's answer.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../db/knex';
import { getCampaign, type CampaignRow } from '../db/campaign-repository';
import { getProject, type ProjectRow } from '../db/project-repository';
import { decideMemberReports, listMemberReports, memberReportCounts, type MemberReportView } from '../db/member-verification-repository';
import { ADMISSION_RULE_LABELS, CHECK_LABELS, OUTCOME_LABELS, VERIFICATION_STATUS_LABELS } from '../domain/member-admission';
import { memberVerificationScopes, seeProject, seeReportedMembers, verifyReportedMembers } from '../domain/policy';
import { callerOf, type Caller } from './auth';
import { campaignFacts } from './campaign-access';
import { badRequest, conflict, enforce, notFound, parseOr400, type FieldError } from './errors';
import { idempotent } from './idempotency';
import { lookupNames } from './names';
import { registerRoutes } from './openapi';

const statusQuery = z.enum(['pending', 'verified', 'rejected', 'lapsed'], {
  error: '须为 pending、verified、rejected 或 lapsed / pending, verified, rejected or lapsed',
});
const limit = z.coerce.number({ error: '须为数字 / a number' }).int().min(1, '至少 1 / at least 1').max(500, '最多 500 / at most 500').default(100);
const cursor = z
  .string()
  .regex(/^\d{1,18}$/, '无效的游标 / invalid cursor')
  .optional();

export const reportedMembersQuery = z.object({ status: statusQuery.optional(), limit, cursor });
export const verificationQueueQuery = z.object({
  status: statusQuery.default('pending'),
  campaign: z.string().trim().min(1).max(100).optional(),
  limit,
  cursor,
});

export const decisionsSchema = z
  .object({
    decisions: z
      .array(
        z
          .object({
            id: z.string().regex(/^\d{1,18}$/, '无效的编号 / invalid id'),
            action: z.enum(['verify', 'reject'], { error: '须为 verify 或 reject / verify or reject' }),
            reason: z.string().trim().min(1).max(500).optional(),
          })
          .strict()
          .refine((d) => d.action !== 'reject' || !!d.reason, { message: '驳回须填写原因 / a rejection needs a reason', path: ['reason'] }),
      )
      .min(1, '至少一项 / at least one')
      .max(500, '每次最多 500 项 / at most 500 at a time'),
  })
  .strict();

registerRoutes({
  '/api/projects/{id}/members-reported': {
    get: {
      summary:
        '项目报送的会员及实名核验状态（待核验、已核验、未通过，入会工会及原因；核验员另见自动核查结果）/ a project’s reported members and their verification',
      query: ['status', 'limit', 'cursor'],
    },
  },
  '/api/projects/{id}/members-reported/decisions': {
    post: {
      summary: '实名核验：通过或驳回（须填原因）；已是他处会员者按会籍转移计入务工地 / verify or reject reported members',
      body: decisionsSchema,
    },
  },
  '/api/member-verifications': {
    get: {
      summary: '我的实名核验任务：本地区（或本市）各项目待核验的会员 / the verifier’s queue of reported members',
      query: ['status', 'campaign', 'limit', 'cursor'],
    },
  },
});

async function loadProject(db: Db, caller: Caller, id: string): Promise<{ project: ProjectRow; campaign: CampaignRow }> {
  if (!/^[\w-]{1,100}$/.test(id)) throw notFound('项目不存在 / project not found');
  const project = await getProject(db, id);
  if (!project) throw notFound('项目不存在 / project not found');
  const campaign = await getCampaign(db, project.campaignId);
  if (!campaign) throw notFound('项目不存在 / project not found');
  enforce(seeProject(caller, project, campaignFacts(campaign)));
  return { project, campaign };
}

/** One reported member as the API shows it; `check` (what the automatic check found) only for the verifier. */
function shown(r: MemberReportView, names: Awaited<ReturnType<typeof lookupNames>>, verifier: boolean) {
  return {
    id: r.id,
    project: { id: r.projectId, name: r.projectName },
    region: { id: r.regionOrg, name: r.regionName },
    name: r.name,
    idNumberMasked: r.idNumberMasked,
    phoneMasked: r.phoneMasked,
    group: r.group,
    groupName: r.group ? (names.groups.get(r.group) ?? null) : null,
    employer: r.employer,
    dispatched: r.dispatched,
    agency: r.agency,
    admittedUnion: { id: r.admittedUnion, name: r.admittedUnionName },
    admissionRule: r.admissionRule,
    admissionReason: ADMISSION_RULE_LABELS[r.admissionRule],
    status: r.status,
    statusLabel: VERIFICATION_STATUS_LABELS[r.status],
    outcome: r.status === 'verified' ? r.outcome : null,
    outcomeLabel: r.status === 'verified' && r.outcome ? OUTCOME_LABELS[r.outcome] : null,
    transferredFrom: r.status === 'verified' && r.outcome === 'transfer' ? r.transferredFromName : null,
    reason: r.reason,
    reportedByName: names.people.get(r.reportedBy)?.name ?? null,
    reportedAt: r.reportedAt,
    decidedByName: r.decidedBy ? (names.people.get(r.decidedBy)?.name ?? null) : null,
    decidedAt: r.decidedAt,
    ...(verifier ? { check: { kind: r.checkKind, label: CHECK_LABELS[r.checkKind], fromUnionName: r.checkFromUnionName } } : {}),
  };
}

export function memberVerificationRoutes(deps: { db: Db }): Router {
  const { db } = deps;
  const router = Router();

  router.get('/api/projects/:id/members-reported', async (req, res) => {
    const caller = callerOf(req);
    const { project, campaign } = await loadProject(db, caller, req.params.id);
    const facts = campaignFacts(campaign);
    enforce(seeReportedMembers(caller, project, facts));
    const q = parseOr400(reportedMembersQuery, req.query);
    const verifier = verifyReportedMembers(caller, project, facts).allow;
    const rows = await listMemberReports(db, { projectId: project.id, status: q.status, limit: q.limit + 1, cursor: q.cursor });
    const page = rows.slice(0, q.limit);
    const names = await lookupNames(db, { users: page.flatMap((r) => [r.reportedBy, r.decidedBy]), groups: page.map((r) => r.group) });
    res.json({
      projectId: project.id,
      projectName: project.name,
      canVerify: verifier && campaign.phase !== 'closed',
      counts: await memberReportCounts(db, project.id),
      progress: { membersRecruited: project.membersRecruited, membersPending: project.membersPending },
      items: page.map((r) => shown(r, names, verifier)),
      nextCursor: rows.length > q.limit ? page[page.length - 1]!.id : null,
    });
  });

  router.post('/api/projects/:id/members-reported/decisions', idempotent(db), async (req, res) => {
    const caller = callerOf(req);
    const { project, campaign } = await loadProject(db, caller, req.params.id as string);
    enforce(verifyReportedMembers(caller, project, campaignFacts(campaign)));
    const body = parseOr400(decisionsSchema, req.body);
    const errors: FieldError[] = [];
    const ids = body.decisions.map((d) => d.id);
    const known = new Set(
      (await db('member_reports').where({ project_id: project.id }).whereIn('id', ids).select<{ id: string }[]>('id')).map((r) => String(r.id)),
    );
    const seen = new Set<string>();
    body.decisions.forEach((d, i) => {
      if (!known.has(d.id)) errors.push({ path: `decisions.${i}.id`, message: '不是本项目报送的会员 / not a member reported by this project' });
      if (seen.has(d.id)) errors.push({ path: `decisions.${i}.id`, message: '重复 / repeated' });
      seen.add(d.id);
    });
    if (errors.length) throw badRequest('核验内容有误 / invalid decisions', errors);
    if (campaign.phase === 'closed') throw conflict('行动已结束，不再核验 / the campaign is closed');
    const r = await decideMemberReports(db, { projectId: project.id, actor: caller.username, decisions: body.decisions });
    res.json({
      projectId: project.id,
      results: r.results.map((x) => ({
        ...x,
        statusLabel: VERIFICATION_STATUS_LABELS[x.status],
        outcomeLabel: x.outcome ? OUTCOME_LABELS[x.outcome] : null,
      })),
      counts: await memberReportCounts(db, project.id),
      progress: r.totals,
    });
  });

  router.get('/api/member-verifications', async (req, res) => {
    const caller = callerOf(req);
    const q = parseOr400(verificationQueueQuery, req.query);
    const scopes = memberVerificationScopes(caller);
    if (!scopes.length) enforce({ allow: false, status: 403, reason: '只有审核员有实名核验任务 / only reviewers verify members' });
    // Rows from the caller's reviewer subtrees within a campaign's city (the SQL), each allowed again by the policy.
    const rows = await listMemberReports(db, {
      verifierScopes: scopes,
      campaignId: q.campaign,
      status: q.status,
      limit: q.limit + 1,
      cursor: q.cursor,
    });
    const page = rows.slice(0, q.limit);
    const names = await lookupNames(db, { users: page.flatMap((r) => [r.reportedBy, r.decidedBy]), groups: page.map((r) => r.group) });
    const campaigns = new Map<string, CampaignRow | undefined>();
    const projects = new Map<string, ProjectRow | undefined>();
    const items: ReturnType<typeof shown>[] = [];
    for (const r of page) {
      if (!projects.has(r.projectId)) projects.set(r.projectId, await getProject(db, r.projectId));
      const p = projects.get(r.projectId);
      if (p && !campaigns.has(p.campaignId)) campaigns.set(p.campaignId, await getCampaign(db, p.campaignId));
      const c = p && campaigns.get(p.campaignId);
      if (p && c && verifyReportedMembers(caller, p, campaignFacts(c)).allow) items.push(shown(r, names, true));
    }
    res.json({ status: q.status, items, nextCursor: rows.length > q.limit ? page[page.length - 1]!.id : null });
  });

  return router;
}
