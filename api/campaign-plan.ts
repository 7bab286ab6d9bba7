/**
 * One plan up the tree (行动计划, seed 004): the city's 项目清单+责任制 consolidating every region's approved
 * organizing and service projects, read as json or an xlsx in the seed's shape; submitted by the city admin to
 * the province, where the 基层工作部 reviews it as ONE application (type campaign_plan, through the approval
 * workflow: it lands in the province reviewers' 待办) — approve, or return with comments to the city. While the
 * plan is not under review, the city may return a single project to its region; the region revises the
 * project's columns (an Update on the project's workflow) and the city resubmits the plan. Every submission is
 * kept with its revision number; the province's decisions come from the application's audit trail.
 */
import express, { type Router } from 'express';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { consolidatePlan, planOpen, returnRefusal, submitRefusal, type CampaignPlan, type PlanStatus } from '../domain/campaign-plan';
import { readCampaignPlan, returnPlanProject, revisePlanProject, seeProject, submitCampaignPlan } from '../domain/policy';
import { getApplication } from '../db/approval-repository';
import { getCampaign, listCampaignRegions, type CampaignRow } from '../db/campaign-repository';
import { chainSnapshot, resolveChain } from '../db/chain-repository';
import type { Db } from '../db/knex';
import { getOrg, listTargetGroups } from '../db/org-repository';
import { deletePlanSubmission, insertPlanSubmission, listPlanDecisions, listPlanProjects, listPlanSubmissions } from '../db/plan-repository';
import { getProject } from '../db/project-repository';
import { returnPlanEntryUpdate, revisePlanEntryUpdate } from '../workflows';
import { projectWorkflowId } from '../workflows/region-campaign';
import { actionKey, sendAction, startApplication } from './approvals-service';
import { callerOf, type Caller } from './auth';
import { campaignFacts, loadVisibleCampaign } from './campaign-access';
import { badRequest, conflict, enforce, HttpError, notFound, parseOr400, type FieldError } from './errors';
import { idempotencyKeyOf, idempotent } from './idempotency';
import { admitTemporalWork } from './admission';
import { lookupNames, personOf } from './names';
import { registerRoutes } from './openapi';
import { planWorkbook } from './plan-workbook';
import { mapTemporalError } from './temporal-errors';
import { isoDate } from './validation';
import { withTemporalDeadline } from '../runtime/temporal-client';

export interface PlanDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
}

export const planQuery = z.object({
  format: z.enum(['json', 'xlsx'], { error: '格式须为 json 或 xlsx / format must be json or xlsx' }).default('json'),
});

export const planSubmitSchema = z.object({ note: z.string().trim().max(2000, '最多 2000 字 / at most 2000 characters').optional() }).strict();

export const planReturnSchema = z
  .object({ comment: z.string().trim().min(1, '请填写退回意见 / comments are required').max(2000, '最多 2000 字 / at most 2000 characters') })
  .strict();

export const planRevisionSchema = z
  .object({
    name: z.string().trim().min(1, '请填写项目名称 / required').max(200).optional(),
    location: z.string().trim().min(1, '请填写地点 / required').max(200).optional(),
    plannedMembers: z.number({ error: '须为整数 / an integer' }).int('须为整数 / an integer').min(0).max(1_000_000).optional(),
    plannedCoverage: z.number({ error: '须为整数 / an integer' }).int('须为整数 / an integer').min(0).max(10_000_000).optional(),
    responsibleUnit: z.string().trim().min(1, '请填写责任单位 / required').max(200).optional(),
    dueDate: isoDate().optional(),
    note: z.string().trim().max(2000).optional(),
  })
  .strict()
  .refine((b) => Object.entries(b).some(([k, v]) => k !== 'note' && v !== undefined), {
    message: '请至少修改一项 / change at least one column',
    path: ['(body)'],
  });

registerRoutes({
  '/api/campaigns/{id}/plan': {
    get: {
      summary:
        '市总“项目清单+责任制”行动计划：各地区已批准的建会入会与维护服务项目（按地区、按重点群体，含合计）、省总审核状态、退回意见与历次报送；format=xlsx 导出 / the city’s consolidated action plan, its review status and submissions; format=xlsx exports it',
      query: ['format'],
    },
  },
  '/api/campaigns/{id}/plan/submit': {
    post: {
      summary:
        '汇总上报省总（本市总管理员；立项审核或推进实施阶段；退回后修改重新上报，版次递增）/ submit the plan to the province (city admin); resubmit after a return',
      body: planSubmitSchema,
      ok: 201,
    },
  },
  '/api/campaigns/{id}/plan/projects/{projectId}/return': {
    post: { summary: '退回单个项目至所属地区修改（本市总管理员）/ return one project of the plan to its region (city admin)', body: planReturnSchema },
  },
  '/api/projects/{id}/plan-revision': {
    post: {
      summary: '地区修改被退回的项目（名称、地点、拟发展会员数、拟覆盖人数、责任单位、完成时间）/ the region revises a returned project',
      body: planRevisionSchema,
    },
  },
});

/** The plan application of a campaign: one per campaign, resubmitted after each return. */
export const planApplicationId = (campaignId: string) => `plan-${campaignId}`;

const planStatusOf = (status: string | undefined): PlanStatus => (status === 'pending' || status === 'returned' || status === 'approved' ? status : 'draft');

async function update<T>(temporal: Client, fn: () => Promise<T>): Promise<T> {
  try {
    return await withTemporalDeadline(temporal, fn);
  } catch (err) {
    throw mapTemporalError(err);
  }
}

/** The consolidated plan of the campaign (a region's own section only, for a caller inside a region). */
async function buildPlan(db: Db, c: CampaignRow, scopePath?: string): Promise<CampaignPlan> {
  const [regions, groups, projects] = await Promise.all([listCampaignRegions(db, c.id), listTargetGroups(db), listPlanProjects(db, c.id)]);
  const groupName = new Map(groups.map((g) => [g.id, g.name]));
  // Inside a region (its union or one below it), the region's own section: the region whose subtree holds the caller.
  const shown = regions.filter((r) => !scopePath || scopePath.includes(`/${r.orgId}/`));
  const kept = new Set(shown.map((r) => r.orgId));
  return consolidatePlan({
    regions: shown.map((r) => ({ org: r.orgId, name: r.orgName, listStatus: r.listStatus ?? null })),
    groups: c.config.groups.map((g) => ({ id: g, name: groupName.get(g) ?? g })),
    projects: projects.filter((p) => kept.has(p.regionOrg)),
  });
}

export function campaignPlanRoutes(deps: PlanDeps): Router {
  const router = express.Router();
  const { db, temporal } = deps;

  router.get('/api/campaigns/:id/plan', async (req, res) => {
    const caller = callerOf(req);
    const c = await loadVisibleCampaign(db, caller, req.params.id);
    const read = readCampaignPlan(caller, campaignFacts(c));
    enforce(read);
    const q = parseOr400(planQuery, req.query);
    const scopePath = read.allow ? read.scopePath : undefined;
    const plan = await buildPlan(db, c, scopePath);
    const appId = planApplicationId(c.id);
    const [app, submissions, decisions, city] = await Promise.all([
      getApplication(db, appId),
      listPlanSubmissions(db, c.id),
      listPlanDecisions(db, appId),
      getOrg(db, c.cityOrg),
    ]);
    const status = planStatusOf(app?.status);
    const latest = submissions[submissions.length - 1];
    const groups = new Map((await listTargetGroups(db)).map((g) => [g.id, g.name]));
    const title = `${c.name}“项目清单+责任制”行动计划`;
    if (q.format === 'xlsx') {
      const buf = await planWorkbook({
        title,
        cityName: city?.name ?? c.cityOrg,
        revisionLabel: latest ? `第 ${latest.revision} 版（${statusZh(status)}）` : '未上报',
        plan,
        groupName: (g) => groups.get(g) ?? g,
      });
      const name = `${title}.xlsx`.replace(/[\\/:*?"<>|\r\n]/g, '_');
      res.setHeader('Content-Disposition', `attachment; filename="action-plan.xlsx"; filename*=UTF-8''${encodeURIComponent(name)}`);
      res.setHeader('Cache-Control', 'no-store');
      res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(buf);
      return;
    }
    const returnedBy = plan.regions.flatMap((r) => [...r.organizing, ...r.service]).flatMap((p) => (p.returned ? [p.returned.by] : []));
    const book = await lookupNames(db, { users: [...submissions.map((s) => s.submittedBy), ...decisions.map((d) => d.actor), ...returnedBy] });
    const named = (u: string) => personOf(book, u)?.name ?? null;
    const withNames = (rows: CampaignPlan['regions'][number]['organizing']) =>
      rows.map(({ regionPath, ...p }) => ({
        ...p,
        /** The caller may revise it now (a returned project of their region, in an open phase). */
        mayRevise: !!p.returned && planOpen(c.phase).open && revisePlanProject(caller, { regionPath }).allow,
        groupNames: p.groups.map((g) => groups.get(g) ?? g),
        returned: p.returned ? { at: p.returned.at, comment: p.returned.comment, byName: named(p.returned.by) } : null,
      }));
    // The province's n-th decision answers the n-th submission (a submission waits for one decision at a time).
    const history = submissions.map((s, i) => {
      const d = decisions[i];
      const snap = s.plan as CampaignPlan | null;
      return {
        revision: s.revision,
        submittedAt: s.submittedAt,
        submittedByName: named(s.submittedBy),
        note: s.note,
        totals: snap?.totals ?? null,
        decision: d ? { action: d.action, comment: d.comment, at: d.at, byName: named(d.actor) } : null,
      };
    });
    const lastReturn = status === 'returned' ? [...decisions].reverse().find((d) => d.action === 'return') : undefined;
    const facts = campaignFacts(c);
    const mayRun = submitCampaignPlan(caller, facts).allow;
    const open = planOpen(c.phase);
    const refusal = !open.open ? open.reason : submitRefusal(status, plan);
    res.json({
      campaignId: c.id,
      campaignName: c.name,
      cityName: city?.name ?? null,
      title,
      phase: c.phase,
      scope: scopePath ? 'region' : 'city',
      status,
      applicationId: app ? app.id : null,
      revision: latest?.revision ?? 0,
      provinceComment: lastReturn ? { comment: lastReturn.comment, at: lastReturn.at, byName: named(lastReturn.actor) } : null,
      /** What the caller may do now, and why not (the web app shows the reason beside a disabled button). */
      can: {
        submit: mayRun && !refusal && !scopePath,
        submitReason: mayRun ? (refusal ?? null) : null,
        returnProjects: mayRun && open.open && status !== 'pending' && status !== 'approved',
      },
      regions: plan.regions.map((r) => ({ ...r, organizing: withNames(r.organizing), service: withNames(r.service) })),
      groups: plan.groups,
      totals: plan.totals,
      submissions: history,
    });
  });

  router.post('/api/campaigns/:id/plan/submit', admitTemporalWork, idempotent(db), async (req, res) => {
    const caller = callerOf(req);
    const c = await loadVisibleCampaign(db, caller, req.params.id as string);
    enforce(submitCampaignPlan(caller, campaignFacts(c)));
    const body = parseOr400(planSubmitSchema, req.body);
    const open = planOpen(c.phase);
    if (!open.open) throw conflict(open.reason);
    const appId = planApplicationId(c.id);
    const app = await getApplication(db, appId);
    const status = planStatusOf(app?.status);
    const plan = await buildPlan(db, c);
    const refusal = submitRefusal(status, plan);
    if (refusal) throw conflict(refusal);
    const revision = ((await listPlanSubmissions(db, c.id)).at(-1)?.revision ?? 0) + 1;
    if (!(await insertPlanSubmission(db, { campaignId: c.id, revision, applicationId: appId, submittedBy: caller.username, note: body.note ?? null, plan })))
      throw conflict('行动计划刚刚已被上报 / the plan was just submitted');
    const title = `${c.name}行动计划（第 ${revision} 版）`;
    const payload = {
      campaignId: c.id,
      revision,
      projectCount: plan.totals.projects,
      plannedMembers: plan.totals.plannedMembers,
      plannedCoverage: plan.totals.plannedCoverage,
      ...(body.note ? { note: body.note } : {}),
    };
    try {
      if (!app) {
        const stored = await resolveChain(db, 'campaign_plan', c.cityOrg);
        if (!stored) throw new HttpError(503, '行动计划审核链未配置 / the action plan chain is not configured');
        await startApplication(db, temporal, deps.taskQueue, {
          id: appId,
          type: 'campaign_plan',
          chain: chainSnapshot(stored),
          applicant: caller.username,
          applicantOrg: c.cityOrg,
          title,
          payload,
        });
        await db('applications').where({ id: appId }).update({ campaign_id: c.id });
      } else {
        await sendAction(temporal, appId, {
          action: 'resubmit',
          actor: { username: caller.username, orgId: caller.orgId, roles: caller.roles },
          idempotencyKey: actionKey(caller, idempotencyKeyOf(req), 'plan', String(revision)),
          comment: body.note,
          changes: { title, payload },
        });
      }
    } catch (err) {
      await deletePlanSubmission(db, c.id, revision).catch(() => undefined);
      throw err;
    }
    res.status(201).json({ applicationId: appId, revision, status: 'pending' });
  });

  router.post('/api/campaigns/:id/plan/projects/:projectId/return', admitTemporalWork, idempotent(db), async (req, res) => {
    const caller = callerOf(req);
    const c = await loadVisibleCampaign(db, caller, req.params.id as string);
    enforce(returnPlanProject(caller, campaignFacts(c)));
    const p = await getProject(db, req.params.projectId as string);
    if (!p || p.campaignId !== c.id || p.status === 'proposed') throw notFound('行动计划中没有该项目 / no such project in the plan');
    const body = parseOr400(planReturnSchema, req.body);
    const open = planOpen(c.phase);
    if (!open.open) throw conflict(open.reason);
    const app = await getApplication(db, planApplicationId(c.id));
    const returned = (await listPlanProjects(db, c.id)).find((x) => x.id === p.id)?.returned;
    const refusal = returnRefusal(planStatusOf(app?.status), { returned });
    if (refusal) throw conflict(refusal);
    const key = actionKey(caller, idempotencyKeyOf(req));
    const r = await update(temporal, () =>
      temporal.workflow.getHandle(projectWorkflowId(p.id)).executeUpdate(returnPlanEntryUpdate, {
        args: [{ actor: actorOf(caller), idempotencyKey: key, comment: body.comment, campaignName: c.name }],
        updateId: key,
      }),
    );
    res.json({ projectId: p.id, status: r.status, returned: true });
  });

  router.post('/api/projects/:id/plan-revision', admitTemporalWork, idempotent(db), async (req, res) => {
    const caller = callerOf(req);
    const p = await getProject(db, req.params.id as string);
    if (!p) throw notFound('项目不存在 / project not found');
    const c = await getCampaign(db, p.campaignId);
    enforce(seeProject(caller, p, c && campaignFacts(c)));
    enforce(revisePlanProject(caller, p));
    const body = parseOr400(planRevisionSchema, req.body);
    const errors: FieldError[] = [];
    if (p.kind === 'service') {
      if (body.location !== undefined) errors.push({ path: 'location', message: '维护服务项目没有地点一栏 / a service project has no location' });
      if (body.plannedMembers !== undefined)
        errors.push({ path: 'plannedMembers', message: '维护服务项目填拟覆盖职工人数 / a service project plans coverage' });
    } else if (body.plannedCoverage !== undefined)
      errors.push({ path: 'plannedCoverage', message: '建会入会项目填拟发展会员数 / an organizing project plans members' });
    if (errors.length) throw badRequest('修改有误 / invalid revision', errors);
    const open = planOpen(c!.phase);
    if (!open.open) throw conflict(open.reason);
    const { note, ...changes } = body;
    const key = actionKey(caller, idempotencyKeyOf(req));
    const r = await update(temporal, () =>
      temporal.workflow
        .getHandle(projectWorkflowId(p.id))
        .executeUpdate(revisePlanEntryUpdate, { args: [{ actor: actorOf(caller), idempotencyKey: key, changes, note }], updateId: key }),
    );
    res.json({ projectId: p.id, status: r.status, revised: true });
  });

  return router;
}

const actorOf = (c: Caller) => ({ username: c.username, orgId: c.orgId, roles: c.roles });

function statusZh(s: PlanStatus): string {
  return { draft: '未上报', pending: '省总审核中', returned: '省总退回修改', approved: '省总审核通过' }[s];
}
