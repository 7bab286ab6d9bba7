/**
 * Campaigns (建会入会集中行动): launch, the campaign view, early advance, and
 * the regions' and projects' submissions. Every submission is gated by phase
 * (409 naming the current phase) and goes to its workflow as an Update.
 */
import express, { type Router } from 'express';
import { lookupNames } from './names';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { PHASES, PHASE_LABELS, regionTargets, submissionState, SUBMISSION_PHASES, type CampaignConfig, type Submission } from '../domain/campaign';
import { isValidDuration } from '../domain/duration';
import { isValidReportEvery, reportEveryLabel } from '../domain/bulletin';
import { maskIdNumber, maskPhone, validateIdNumber } from '../domain/id-number';
import { SEVERITIES } from '../domain/rectification';
import { beijingDate } from '../domain/beijing-time';
import { listRectifications, rectificationCounts } from '../db/rectification-repository';
import { rectificationViews } from './rectification-view';
import {
  deleteCampaignIfUnstarted,
  getCampaign,
  insertCampaign,
  listCampaignRegions,
  listCampaigns,
  regionCounts,
  type CampaignRow,
} from '../db/campaign-repository';
import type { Db } from '../db/knex';
import { getOrg, listOrgs, listTargetGroups } from '../db/org-repository';
import { countsOnly, getProject, listProjectEvents, listProjects, type ProjectRow } from '../db/project-repository';
import type { PiiCipher } from '../runtime/pii';
import {
  advancePhaseUpdate,
  campaignWorkflow,
  getProjectQuery,
  recordInspectionUpdate,
  reportProgressUpdate,
  submitPlanUpdate,
  submitProjectListUpdate,
  submitSelfAssessmentUpdate,
} from '../workflows';
import { regionWorkflowId } from '../workflows/campaign';
import { projectWorkflowId } from '../workflows/region-campaign';
import { actionKey, idFromKey, newId } from './approvals-service';
import { callerOf, type Caller } from './auth';
import { inspectProject, launchCampaign, runCampaign, seeCampaign, seeProject, submitForRegion } from '../domain/policy';
import { beijingTime, EXPORT_MAX_ROWS, exportFormat, sendTable, zhOnly } from './list-export';
import { campaignFacts, loadCampaignForRegion, loadVisibleCampaign, requireOpen } from './campaign-access';
import { badRequest, conflict, enforce, HttpError, notFound, parseOr400, type FieldError } from './errors';
import { idLookupGuard } from './id-lookups';
import { idempotencyKeyOf, idempotent } from './idempotency';
import { admitTemporalWork } from './admission';
import { mapTemporalError } from './temporal-errors';
import { isoDate, isoDateTime, rowId } from './validation';
import { withTemporalDeadline } from '../runtime/temporal-client';
import { enterpriseBrief, enterprisesByIds } from '../db/submission-repository';
import { unionsOfProject } from './union-establishment-view';

export interface CampaignDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  pii: PiiCipher;
  /** The key space of the shared rate-limit counters (ApiDeps.limitScope). */
  limitScope?: string;
  /** Look-ups by ID number per user per hour (progress reports' members). */
  idLookupLimit?: number;
}

const isoTime = isoDateTime();
const window = z
  .object({ start: isoTime, end: isoTime })
  .refine((w) => Date.parse(w.start) < Date.parse(w.end), { message: '开始须早于结束 / start must be before end', path: ['end'] });
const positiveInt = z.number({ error: '须为正整数 / a positive integer' }).int('须为整数 / an integer').positive('须大于 0 / must be positive').max(10_000_000);

export const launchSchema = z
  .object({
    id: z
      .string()
      .trim()
      .regex(/^[a-z0-9][a-z0-9-]{2,60}$/, '编号：小写字母、数字和连字符 / lower-case letters, digits and -')
      .optional(),
    name: z.string().trim().min(1, '请填写名称 / required').max(200),
    year: z.number().int().min(2000).max(2100),
    cityOrg: z.string().trim().min(1).max(100),
    regions: z.array(z.string().trim().min(1).max(100)).min(1, '至少一个地区 / at least one region').max(100),
    groups: z.array(z.string().trim().min(1).max(50)).min(1, '至少一个重点群体 / at least one target group').max(20),
    targets: z.object({
      newMembers: positiveInt,
      newUnions: positiveInt.optional(),
      perRegion: z.record(z.string(), z.object({ newMembers: positiveInt, newUnions: positiveInt.optional() })).optional(),
    }),
    phases: z.object({ survey: window, listing: window, implementation: window, assessment: window }),
    reportEvery: z
      .union([z.string().max(40), z.number().int().positive()])
      .refine(
        isValidReportEvery,
        '通报周期无效：每月 P1M、每两个月 P2M、每季度 P3M，或按天的时长如 P14D / invalid report period: P1M, P2M, P3M or a duration such as P14D',
      )
      .optional(),
    remindBefore: z
      .union([z.string().max(40), z.number().int().positive()])
      .refine(isValidDuration, '时长格式无效 / invalid duration')
      .optional(),
    /** Operations: continue-as-new after this many history events (default: when Temporal suggests). */
    historyLimit: z.number().int().min(30).max(50_000).optional(),
  })
  .strict();

/** GET /api/campaigns: search, filters, a page (or, with format=csv|xlsx, the whole filtered list as a download). */
export const campaignListQuery = z.object({
  q: z.string().trim().max(100, '最多 100 字 / at most 100 characters').optional(),
  year: z.coerce
    .number({ error: '年度须为数字 / year must be a number' })
    .int()
    .min(2000, '年度须在 2000–2100 / 2000–2100')
    .max(2100, '年度须在 2000–2100 / 2000–2100')
    .optional(),
  phase: z.enum(['pending', 'survey', 'listing', 'implementation', 'assessment', 'closed'], { error: '未知的阶段 / unknown phase' }).optional(),
  city: z.string().trim().min(1).max(100).optional(),
  limit: z.coerce.number({ error: '须为数字 / a number' }).int().min(1, '至少 1 / at least 1').max(200, '最多 200 / at most 200').default(50),
  cursor: z.string().max(100).optional(),
  format: exportFormat,
});

export const planSchema = z
  .object({
    summary: z.string().trim().min(1, '请填写方案概述 / required').max(5000),
    measures: z.array(z.string().trim().min(1).max(1000)).min(1, '至少一项措施 / at least one measure').max(100),
    dueDates: z.record(z.string().max(100), isoDate()).optional(),
  })
  .strict();

const organizingProject = z
  .object({
    kind: z.literal('organizing'),
    type: z.enum(['enterprise_union', 'industry_federation', 'regional_federation', 'joint_union', 'existing_union_growth']),
    name: z.string().trim().min(1).max(200),
    location: z.string().trim().min(1).max(200),
    plannedMembers: z.number().int().min(0).max(1_000_000),
    groups: z.array(z.string().trim().min(1).max(50)).min(1).max(20),
    responsibleUnit: z.string().trim().min(1).max(200),
    dueDate: isoDate(),
    enterprises: z.array(rowId).max(1000).optional(),
    subsidyAmount: z.number().positive().max(100_000_000).optional(),
  })
  .strict();
const serviceProject = z
  .object({
    kind: z.literal('service'),
    type: z.enum(['inclusive_service', 'training', 'seasonal_care', 'democratic_management', 'service_station']),
    name: z.string().trim().min(1).max(200),
    responsibleUnit: z.string().trim().min(1).max(200),
    date: isoDate(),
    plannedCoverage: z.number().int().min(0).max(10_000_000),
    subsidyAmount: z.number().positive().max(100_000_000).optional(),
  })
  .strict();
export const projectListSchema = z
  .object({
    projects: z
      .array(z.discriminatedUnion('kind', [organizingProject, serviceProject]))
      .min(1, '至少一个项目 / at least one project')
      .max(2000),
  })
  .strict();

export const progressSchema = z
  .object({
    unionsEstablished: z
      .array(z.object({ enterpriseId: rowId.optional(), name: z.string().trim().min(1).max(200), establishedOn: isoDate() }).strict())
      .max(1000)
      .optional(),
    members: z
      .array(
        z
          .object({
            name: z.string().trim().min(1).max(50),
            idNumber: z.string().trim().max(18),
            phone: z
              .string()
              .trim()
              .regex(/^1[3-9]\d{9}$/, '11 位手机号 / an 11-digit mobile')
              .optional(),
            group: z.string().trim().min(1).max(50),
            /** Where the member works: for a dispatched worker, the host employer (用工单位). */
            employer: z.string().trim().min(1).max(200),
            /** 劳务派遣工, employed by the dispatch agency `agency`. */
            dispatched: z.boolean().optional(),
            agency: z.string().trim().min(1).max(200).optional(),
          })
          .strict()
          .refine((m) => !m.dispatched || !!m.agency, {
            message: '劳务派遣工须填写派遣单位 / a dispatched worker needs the dispatch agency',
            path: ['agency'],
          }),
      )
      .max(5000)
      .optional(),
    serviceDone: z
      .object({ coverage: z.number().int().min(0).max(10_000_000), note: z.string().trim().max(2000).optional() })
      .strict()
      .optional(),
    note: z.string().trim().max(5000).optional(),
  })
  .strict()
  .refine((b) => b.unionsEstablished?.length || b.members?.length || b.serviceDone, {
    message: '请至少报送一项进展 / report at least one kind of progress',
    path: ['(body)'],
  });

/** One finding of an inspection: text, severity and, for one the region must put right, a deadline (整改期限). */
export const findingSchema = z
  .object({
    text: z.string().trim().min(1, '请填写发现的问题 / describe the finding').max(2000, '最多 2000 字 / at most 2000 characters'),
    severity: z.enum(SEVERITIES, { error: '须为 minor（一般）、major（较重）或 serious（严重）/ minor, major or serious' }),
    deadline: isoDate('整改期限须为日期 YYYY-MM-DD / the deadline must be a date YYYY-MM-DD').optional(),
  })
  .strict();

export const inspectionSchema = z
  .object({
    findings: z.string().trim().min(1).max(5000),
    result: z.enum(['good', 'needs_improvement', 'problem']),
    inspectedOn: isoDate(),
    /** The findings one by one; each with a deadline opens a rectification item on the project's region. */
    items: z.array(findingSchema).max(50, '最多 50 条 / at most 50 findings').optional(),
  })
  .strict()
  .superRefine((b, ctx) =>
    (b.items ?? []).forEach((f, i) => {
      if (f.deadline && f.deadline < b.inspectedOn)
        ctx.addIssue({ code: 'custom', path: ['items', i, 'deadline'], message: '整改期限不能早于检查日期 / the deadline must not be before the inspection' });
    }),
  );

export const selfAssessmentSchema = z
  .object({
    summary: z.string().trim().min(1).max(10_000),
    membersRecruited: z.number().int().min(0).max(10_000_000),
    unionsEstablished: z.number().int().min(0).max(1_000_000),
    coverage: z.number().int().min(0).max(10_000_000).optional(),
  })
  .strict();

const actorOf = (c: Caller) => ({ username: c.username, orgId: c.orgId, roles: c.roles });
/**
 * The Update id (and the workflow's own dedupe key) of a request: the caller's Idempotency-Key in the caller's
 * own namespace, so two people sending the same key never get each other's result; without a key, a fresh one.
 */
const keyOf = (req: express.Request) => actionKey(callerOf(req), idempotencyKeyOf(req));

/** One Temporal call (or several) of a request, bounded by the API's deadline, its errors mapped. */
async function update<T>(temporal: Client, fn: () => Promise<T>): Promise<T> {
  try {
    return await withTemporalDeadline(temporal, fn);
  } catch (err) {
    throw mapTemporalError(err);
  }
}

export function campaignRoutes(deps: CampaignDeps): Router {
  const router = express.Router();
  const { db, temporal } = deps;
  const idLookups = idLookupGuard(deps);

  router.post('/api/campaigns', admitTemporalWork, idempotent(db), async (req, res) => {
    const caller = callerOf(req);
    enforce(launchCampaign(caller, caller.orgPath));
    const body = parseOr400(launchSchema, req.body);
    await validateLaunch(db, caller, body);
    const key = idempotencyKeyOf(req);
    const id = body.id ?? (key ? idFromKey(caller.username, key) : newId());
    const { historyLimit, id: _id, ...rest } = body;
    void _id;
    const config: CampaignConfig = rest;
    const workflowId = `campaign-${id}`;
    const targets = Object.fromEntries(config.regions.map((r) => [r, regionTargets(config, r)]));
    const fresh = await insertCampaign(db, { id, config, workflowId, createdBy: caller.username, regionTargets: targets });
    // The row may exist from an earlier attempt of this very launch (same caller, same key or id) whose process died
    // before the workflow started: the retry starts it, with the configuration that was recorded.
    const existing = fresh ? undefined : await getCampaign(db, id);
    if (!fresh && existing?.createdBy !== caller.username) throw conflict(`行动 ${id} 已存在，不会重复发起 / campaign ${id} already exists`);
    try {
      await withTemporalDeadline(temporal, () =>
        temporal.workflow.start(campaignWorkflow, {
          taskQueue: deps.taskQueue,
          workflowId,
          args: [{ campaignId: id, config: existing?.config ?? config, createdBy: caller.username, historyLimit }],
          searchAttributes: { CampaignId: [id] },
        }),
      );
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        // Launched before: with the same Idempotency-Key this is the first call's answer; otherwise a duplicate.
        if (!fresh && key) return res.status(201).json({ id, workflowId });
        throw conflict(`行动 ${id} 已在运行 / campaign ${id} is already running`);
      }
      if (fresh) await deleteCampaignIfUnstarted(db, id).catch(() => undefined);
      throw mapTemporalError(err);
    }
    res.status(201).json({ id, workflowId });
  });

  router.get('/api/campaigns', async (req, res) => {
    const caller = callerOf(req);
    const q = parseOr400(campaignListQuery, req.query);
    const exporting = q.format !== 'json';
    const limit = exporting ? EXPORT_MAX_ROWS : q.limit;
    const rows = await listCampaigns(db, caller.orgPath, { limit: limit + 1, cursor: q.cursor, q: q.q, year: q.year, phase: q.phase, city: q.city });
    // The scope query is wide (the caller's subtree and the cities above); the policy decides row by row.
    const visible = rows
      .slice(0, limit)
      .filter((c) => seeCampaign(caller, campaignFacts(c)).allow)
      .map((c) => ({
        id: c.id,
        name: c.name,
        year: c.year,
        cityOrg: c.cityOrg,
        cityName: c.cityName,
        phase: c.phase,
        phaseLabel: PHASE_LABELS[c.phase],
        phaseEndsAt: c.phaseEndsAt,
        phases: c.config.phases,
        regions: c.config.regions.length,
        reportPeriod: reportEveryLabel(c.config.reportEvery),
        createdAt: c.createdAt,
      }));
    if (q.format === 'csv' || q.format === 'xlsx')
      return sendTable(res, q.format, {
        title: '集中行动列表',
        ascii: 'campaigns',
        columns: ['行动名称', '年度', '市总工会', '当前阶段', '本阶段截止（北京时间）', '参加地区数', '通报周期', '发起时间（北京时间）'],
        rows: visible.map((c) => [
          c.name,
          c.year,
          c.cityName,
          zhOnly(c.phaseLabel),
          beijingTime(c.phaseEndsAt),
          c.regions,
          zhOnly(c.reportPeriod),
          beijingTime(c.createdAt),
        ]),
      });
    res.json({ items: visible, nextCursor: rows.length > limit ? rows[limit - 1]!.id : null });
  });

  router.get('/api/campaigns/:id', async (req, res) => {
    const caller = callerOf(req);
    const c = await loadVisibleCampaign(db, caller, req.params.id);
    res.json(await campaignView(db, c));
  });

  router.post('/api/campaigns/:id/advance', admitTemporalWork, idempotent(db), async (req, res) => {
    const caller = callerOf(req);
    const c = await loadVisibleCampaign(db, caller, req.params.id as string);
    enforce(runCampaign(caller, campaignFacts(c), '提前结束阶段'));
    const body = parseOr400(z.object({ reason: z.string().trim().min(1, '请说明理由 / a reason is required').max(2000) }).strict(), req.body);
    const key = keyOf(req);
    const r = await update(temporal, () =>
      temporal.workflow
        .getHandle(c.workflowId)
        .executeUpdate(advancePhaseUpdate, { args: [{ actor: actorOf(caller), reason: body.reason, idempotencyKey: key }], updateId: key }),
    );
    res.json({ id: c.id, phase: r.phase, phaseEndsAt: r.phaseEndsAt });
  });

  router.post('/api/campaigns/:id/regions/:org/plan', admitTemporalWork, idempotent(db), async (req, res) => {
    const caller = callerOf(req);
    const { campaign } = await loadCampaignForRegion(db, caller, req.params.id as string, req.params.org as string, { submission: 'plan' });
    const plan = parseOr400(planSchema, req.body);
    const key = keyOf(req);
    const r = await update(temporal, () =>
      temporal.workflow
        .getHandle(regionWorkflowId(campaign.id, req.params.org as string))
        .executeUpdate(submitPlanUpdate, { args: [{ actor: actorOf(caller), phaseSeen: campaign.phase, plan, idempotencyKey: key }], updateId: key }),
    );
    res.json({ ok: r.ok, phase: r.phase });
  });

  router.post('/api/campaigns/:id/regions/:org/projects', admitTemporalWork, idempotent(db), async (req, res) => {
    const caller = callerOf(req);
    const regionOrg = req.params.org as string;
    const { campaign } = await loadCampaignForRegion(db, caller, req.params.id as string, regionOrg, { submission: 'projectList' });
    const body = parseOr400(projectListSchema, req.body);
    const errors: FieldError[] = [];
    body.projects.forEach((p, i) => {
      if (p.kind === 'organizing')
        p.groups.forEach(
          (g, j) =>
            !campaign.config.groups.includes(g) &&
            errors.push({ path: `projects.${i}.groups.${j}`, message: `不是本次行动的重点群体 / not a group of this campaign: ${g}` }),
        );
    });
    const enterpriseIds = body.projects.flatMap((p) => (p.kind === 'organizing' ? (p.enterprises ?? []) : []));
    if (enterpriseIds.length) {
      const found = new Set(
        (await db('enterprises').whereIn('id', enterpriseIds).andWhere({ campaign_id: campaign.id, region_org: regionOrg }).select('id')).map(
          (r: { id: string }) => Number(r.id),
        ),
      );
      body.projects.forEach((p, i) => {
        if (p.kind === 'organizing')
          (p.enterprises ?? []).forEach(
            (e, j) => !found.has(e) && errors.push({ path: `projects.${i}.enterprises.${j}`, message: `台账中没有该企业 / not on this region's ledger: ${e}` }),
          );
      });
    }
    if (errors.length) throw badRequest('项目清单有误 / invalid project list', errors);
    const key = keyOf(req);
    const r = await update(temporal, () =>
      temporal.workflow.getHandle(regionWorkflowId(campaign.id, regionOrg)).executeUpdate(submitProjectListUpdate, {
        args: [{ actor: actorOf(caller), phaseSeen: campaign.phase, projects: body.projects, idempotencyKey: key }],
        updateId: key,
      }),
    );
    res.status(201).json({ applicationId: r.listApplicationId, status: r.listStatus, projectIds: r.projectIds });
  });

  router.get('/api/campaigns/:id/projects', async (req, res) => {
    const caller = callerOf(req);
    const c = await loadVisibleCampaign(db, caller, req.params.id);
    const q = parseOr400(
      z.object({
        region: z.string().max(100).optional(),
        status: z.enum(['proposed', 'approved', 'in_progress', 'rectifying', 'qualified', 'unqualified']).optional(),
        limit: z.coerce.number().int().min(1).max(500).default(100),
        cursor: z.string().max(200).optional(),
      }),
      req.query,
    );
    const scope = caller.orgPath.startsWith(c.cityOrgPath) && caller.orgId !== c.cityOrg ? caller.orgPath : undefined;
    const rows = await listProjects(db, { campaignId: c.id, scopePath: scope, regionOrg: q.region, status: q.status, limit: q.limit + 1, cursor: q.cursor });
    const page = rows.slice(0, q.limit);
    const linked = await linkedEnterprises(db, page);
    res.json({ items: page.map((p) => ({ ...projectView(p), enterprises: linked(p) })), nextCursor: rows.length > q.limit ? page[page.length - 1]!.id : null });
  });

  router.get('/api/projects/:id', async (req, res) => {
    const caller = callerOf(req);
    // One snapshot of the project's rows, so its counts, timeline and unions agree (a union established meanwhile is
    // in all of them or in none).
    const body = await db.transaction(async (trx) => {
      await trx.raw('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const p = await loadVisibleProject(trx, caller, req.params.id);
      // A progress report's members (names, masked ID numbers) are read only through GET /api/projects/:id/reports,
      // under its own policy: the project's timeline keeps the counts.
      const events = (await listProjectEvents(trx, p.id)).map((e: { kind: string; data: unknown; at: Date }) =>
        e.kind === 'progress' && e.data && typeof e.data === 'object' && 'members' in e.data
          ? { ...e, data: Object.fromEntries(Object.entries(e.data).filter(([k]) => k !== 'members')) }
          : e,
      );
      const c = await getCampaign(trx, p.campaignId);
      const rectifications = await rectificationViews(
        trx,
        await listRectifications(trx, { projectId: p.id }),
        c && { caller, facts: campaignFacts(c), closed: c.phase === 'closed' },
      );
      return {
        ...projectView(p),
        enterprises: (await linkedEnterprises(trx, [p]))(p),
        milestones: events
          .filter((e: { kind: string }) => e.kind === 'milestone')
          .map((e: { data: unknown; at: Date }) => ({ ...(e.data as object), at: e.at })),
        history: events,
        rectifications,
        unions: await unionsOfProject(trx, p.id),
      };
    });
    // The running project's own milestones where Temporal answers in time; else those its events recorded.
    const live = await withTemporalDeadline(temporal, () => temporal.workflow.getHandle(projectWorkflowId(body.id)).query(getProjectQuery), 5_000).then(
      (v) => v.milestones as unknown,
      () => undefined,
    );
    res.json(live === undefined ? body : { ...body, milestones: live });
  });

  router.post('/api/projects/:id/progress', admitTemporalWork, idempotent(db), async (req, res) => {
    const caller = callerOf(req);
    const p = await loadVisibleProject(db, caller, req.params.id as string);
    const campaign = (await getCampaign(db, p.campaignId))!;
    requireRegionActor(caller, p);
    requireOpen(campaign, 'progress');
    const body = parseOr400(progressSchema, req.body);
    const r = await submitProgress(deps, idLookups, { caller, project: p, campaign, body, key: keyOf(req) });
    // Counts only, also for a result recorded before (which listed the members already counted).
    res.json({ projectId: p.id, status: r.status, ...(r.result ? countsOnly(r.result) : {}) });
  });

  router.post('/api/projects/:id/inspections', admitTemporalWork, idempotent(db), async (req, res) => {
    const caller = callerOf(req);
    const p = await loadVisibleProject(db, caller, req.params.id as string);
    const campaign = (await getCampaign(db, p.campaignId))!;
    enforce(inspectProject(caller, campaignFacts(campaign)));
    const body = parseOr400(inspectionSchema, req.body);
    const key = keyOf(req);
    const r = await update(temporal, () =>
      temporal.workflow
        .getHandle(projectWorkflowId(p.id))
        .executeUpdate(recordInspectionUpdate, { args: [{ actor: actorOf(caller), idempotencyKey: key, ...body }], updateId: key }),
    );
    res.status(201).json({ projectId: p.id, status: r.status });
  });

  router.post('/api/projects/:id/self-assessment', admitTemporalWork, idempotent(db), async (req, res) => {
    const caller = callerOf(req);
    const p = await loadVisibleProject(db, caller, req.params.id as string);
    const campaign = (await getCampaign(db, p.campaignId))!;
    requireRegionActor(caller, p);
    requireOpen(campaign, 'selfAssessment');
    const report = parseOr400(selfAssessmentSchema, req.body);
    const key = keyOf(req);
    const r = await update(temporal, () =>
      temporal.workflow.getHandle(projectWorkflowId(p.id)).executeUpdate(submitSelfAssessmentUpdate, {
        args: [{ actor: actorOf(caller), phaseSeen: campaign.phase, idempotencyKey: key, report }],
        updateId: key,
      }),
    );
    res.status(201).json({ projectId: p.id, status: r.status, assessmentApplicationId: r.assessmentApplicationId });
  });

  return router;
}

/** A progress report's body, as the route's schema reads it. */
export type ProgressBody = z.infer<typeof progressSchema>;

/**
 * The one path a progress report takes (进展报送) — the form's and the bulk member upload's (api/member-uploads.ts):
 * the members' ID numbers are checked and encrypted, the look-ups by ID number counted and audited, and the report
 * goes to the project's workflow as its reportProgress Update under `key` (the Update id and the workflow's own
 * dedupe key). The caller has checked who may report and the phase. `pathOf` names a bad member's field (400).
 */
export async function submitProgress(
  deps: CampaignDeps,
  idLookups: ReturnType<typeof idLookupGuard>,
  s: { caller: Caller; project: ProjectRow; campaign: CampaignRow; body: ProgressBody; key: string; pathOf?: (i: number, field: string) => string },
) {
  const { caller, project: p, campaign, body, key } = s;
  const pathOf = s.pathOf ?? ((i: number, field: string) => `members.${i}.${field}`);
  const errors: FieldError[] = [];
  const members = (body.members ?? []).map((m, i) => {
    const check = validateIdNumber(m.idNumber);
    if (!check.ok) errors.push({ path: pathOf(i, 'idNumber'), message: check.reason });
    if (!campaign.config.groups.includes(m.group))
      errors.push({ path: pathOf(i, 'group'), message: `不是本次行动的重点群体 / not a group of this campaign: ${m.group}` });
    const id = check.ok ? check.normalized : m.idNumber;
    return {
      name: m.name,
      group: m.group,
      employer: m.employer,
      ...(m.dispatched ? { dispatched: true, agency: m.agency } : {}),
      idNumberEnc: deps.pii.encrypt(id),
      idNumberHash: deps.pii.hash(id),
      idNumberMasked: maskIdNumber(id),
      ...(m.phone ? { phoneEnc: deps.pii.encrypt(m.phone), phoneHash: deps.pii.hash(m.phone), phoneMasked: maskPhone(m.phone) } : {}),
    };
  });
  const seen = new Set<string>();
  members.forEach((m, i) => {
    if (seen.has(m.idNumberHash)) errors.push({ path: pathOf(i, 'idNumber'), message: '本次报送中重复 / repeated in this report' });
    seen.add(m.idNumberHash);
  });
  if (errors.length) throw badRequest('进展报送有误 / invalid progress report', errors);
  // The members are looked up by ID number (counted once): limited per user and audited.
  if (members.length)
    await idLookups(
      caller,
      'progress',
      members.map((m) => m.idNumberHash),
      p.id,
    );
  return update(deps.temporal, () =>
    deps.temporal.workflow.getHandle(projectWorkflowId(p.id)).executeUpdate(reportProgressUpdate, {
      args: [
        {
          actor: actorOf(caller),
          phaseSeen: campaign.phase,
          idempotencyKey: key,
          unionsEstablished: body.unionsEstablished,
          members,
          serviceDone: body.serviceDone,
          note: body.note,
        },
      ],
      updateId: key,
    }),
  );
}

/** Launch checks against the org tree and the target groups; every bad field is listed. */
async function validateLaunch(db: Db, caller: Caller, body: z.infer<typeof launchSchema>): Promise<void> {
  const errors: FieldError[] = [];
  const city = await getOrg(db, body.cityOrg);
  if (!city || city.kind !== 'city') errors.push({ path: 'cityOrg', message: '须为市总工会的组织编号 / must be a city federation id' });
  else enforce(launchCampaign(caller, city.path));
  const orgs = new Map((await listOrgs(db)).map((o) => [o.id, o]));
  const seen = new Set<string>();
  body.regions.forEach((r, i) => {
    const o = orgs.get(r);
    if (!o) errors.push({ path: `regions.${i}`, message: `未知组织 / unknown org: ${r}` });
    else if (o.parentId !== body.cityOrg || (o.kind !== 'county' && o.kind !== 'industry'))
      errors.push({ path: `regions.${i}`, message: `须为本市的县区总工会或产业工会 / must be a county or industry union of the city: ${r}` });
    if (seen.has(r)) errors.push({ path: `regions.${i}`, message: '重复 / duplicate' });
    seen.add(r);
  });
  const groups = new Set((await listTargetGroups(db)).map((g) => g.id));
  body.groups.forEach((g, i) => !groups.has(g) && errors.push({ path: `groups.${i}`, message: `未知重点群体 / unknown group: ${g}` }));
  for (const r of Object.keys(body.targets.perRegion ?? {}))
    if (!body.regions.includes(r)) errors.push({ path: `targets.perRegion.${r}`, message: '不是参加行动的地区 / not a participating region' });
  for (let i = 1; i < PHASES.length; i++) {
    const prev = body.phases[PHASES[i - 1]!];
    const cur = body.phases[PHASES[i]!];
    if (Date.parse(cur.start) < Date.parse(prev.end))
      errors.push({
        path: `phases.${PHASES[i]}.start`,
        message: `须不早于“${PHASE_LABELS[PHASES[i - 1]!]}”结束 / must not start before the previous phase ends`,
      });
  }
  if (Date.parse(body.phases.assessment.end) < Date.now())
    errors.push({ path: 'phases.assessment.end', message: '行动已全部过期 / the whole campaign lies in the past' });
  if (errors.length) throw badRequest('行动配置有误 / invalid campaign configuration', errors);
}

export async function loadVisibleProject(db: Db, caller: Caller, id: string): Promise<ProjectRow> {
  const p = await getProject(db, id);
  if (!p) throw notFound('项目不存在 / project not found');
  const c = await getCampaign(db, p.campaignId);
  enforce(seeProject(caller, p, c && campaignFacts(c)));
  return p;
}

export function requireRegionActor(caller: Caller, p: ProjectRow): void {
  const d = submitForRegion(caller, p.regionPath);
  if (!d.allow) throw new HttpError(403, '只有项目所属地区的干事可以报送 / only the region’s staff report on its projects');
}

/** The ledger enterprises the projects link (报送时关联的台账企业), by name, looked up once per page. */
async function linkedEnterprises(db: Db, rows: ProjectRow[]) {
  const byRegion = new Map<string, Set<string>>();
  for (const p of rows)
    for (const e of p.enterpriseIds ?? [])
      byRegion.set(`${p.campaignId}\u0000${p.regionOrg}`, (byRegion.get(`${p.campaignId}\u0000${p.regionOrg}`) ?? new Set()).add(String(e)));
  const found = new Map<string, ReturnType<typeof enterpriseBrief>>();
  for (const [k, ids] of byRegion) {
    const [campaignId, regionOrg] = k.split('\u0000') as [string, string];
    for (const e of await enterprisesByIds(db, campaignId, regionOrg, [...ids])) found.set(String(e.id), enterpriseBrief(e));
  }
  return (p: ProjectRow) =>
    (p.enterpriseIds ?? []).map((id) => found.get(String(id)) ?? { id: Number(id), name: '（台账中已无此企业）/ (no longer on the ledger)' });
}

function projectView(p: ProjectRow) {
  return {
    id: p.id,
    campaignId: p.campaignId,
    region: p.regionOrg,
    kind: p.kind,
    type: p.type,
    name: p.name,
    location: p.location,
    plannedMembers: p.plannedMembers,
    plannedCoverage: p.plannedCoverage,
    groups: p.groups,
    responsibleUnit: p.responsibleUnit,
    dueDate: p.dueDate,
    subsidyAmount: p.subsidyAmount === null ? null : Number(p.subsidyAmount),
    status: p.status,
    progress: { membersRecruited: p.membersRecruited, membersPending: p.membersPending, unionsEstablished: p.unionsEstablished, coverageDone: p.coverageDone },
    listApplicationId: p.listApplicationId,
    subsidyApplicationId: p.subsidyApplicationId,
    assessmentApplicationId: p.assessmentApplicationId,
    selfAssessment: p.selfAssessment,
    rectifyDeadline: p.rectifyDeadline,
    updatedAt: p.updatedAt,
  };
}

/** Who closed each phase, by name (`closedByName`; the timer: 系统（阶段到期）), beside the login. */
async function closersNamed<T extends { closedBy: string }>(db: Db, rows: T[]): Promise<(T & { closedByName: string | null })[]> {
  const book = await lookupNames(db, { users: rows.map((r) => r.closedBy) });
  return rows.map((r) => ({
    ...r,
    closedByName: book.people.get(r.closedBy)?.name ?? (r.closedBy === 'system' ? '系统（阶段到期） / system (phase ended)' : null),
  }));
}

/** GET /api/campaigns/:id — from the projections only (no workflow queries). */
export async function campaignView(db: Db, c: CampaignRow) {
  const [regions, counts, summaries, rect] = await Promise.all([
    listCampaignRegions(db, c.id),
    regionCounts(db, c.id),
    db('phase_summaries')
      .where({ campaign_id: c.id })
      .orderBy('closed_at')
      .select({ phase: 'phase', closedAt: 'closed_at', closedBy: 'closed_by', reason: 'reason', summary: 'summary' }),
    rectificationCounts(db, c.id, beijingDate(new Date())),
  ]);
  const ent = new Map(counts.enterprises.map((r: { region_org: string; screened: number; targets: number; crossed_off: number }) => [r.region_org, r]));
  const pending = new Map(counts.members.map((r: { applicant_org: string; pending: number }) => [r.applicant_org, r.pending]));
  const items = regions.map((r) => {
    const e = ent.get(r.orgId);
    const ps = counts.projects.filter((p: { region_org: string }) => p.region_org === r.orgId) as {
      status: string;
      n: number;
      unions: number;
      members: number;
      members_pending: number;
      planned: number;
    }[];
    // Verified members only (实名核验); those waiting for verification are shown apart.
    const members = ps.reduce((n, p) => n + p.members, 0);
    return {
      org: r.orgId,
      name: r.orgName,
      status: r.status,
      targets: { newMembers: r.targetMembers, newUnions: r.targetUnions },
      planSubmitted: !!r.planSubmittedAt,
      listApplicationId: r.listApplicationId,
      listStatus: r.listStatus,
      counts: {
        enterprisesScreened: e?.screened ?? 0,
        targets: e?.targets ?? 0,
        crossedOff: e?.crossed_off ?? 0,
        projectsByStatus: Object.fromEntries(ps.map((p) => [p.status, p.n])),
        unionsEstablished: ps.reduce((n, p) => n + p.unions, 0),
        membersRecruited: members,
        membersPending: ps.reduce((n, p) => n + p.members_pending, 0),
        memberCompletion: r.targetMembers ? Math.round((members / r.targetMembers) * 1000) / 10 : null,
        pendingApprovals: pending.get(r.orgId) ?? 0,
        overdue: r.overdue.length,
        /** 整改事项 still to act on (open, reported, sent back) and, of those, past their deadline. */
        rectificationsOpen: rect.find((x) => x.region === r.orgId)?.open ?? 0,
        rectificationsOverdue: rect.find((x) => x.region === r.orgId)?.overdue ?? 0,
      },
      overdue: r.overdue,
      score: r.score === null ? null : Number(r.score),
      rank: r.rank,
    };
  });
  const sum = (f: (x: (typeof items)[number]) => number) => items.reduce((n, x) => n + f(x), 0);
  return {
    id: c.id,
    name: c.name,
    year: c.year,
    cityOrg: c.cityOrg,
    workflowId: c.workflowId,
    phase: c.phase,
    phaseLabel: PHASE_LABELS[c.phase],
    phaseEndsAt: c.phaseEndsAt,
    /** Which submissions the current phase accepts, and why not (the web app locks the others' forms). */
    submissions: Object.fromEntries((Object.keys(SUBMISSION_PHASES) as Submission[]).map((k) => [k, submissionState(c.phase, k)])),
    phases: c.config.phases,
    groups: c.config.groups,
    targets: c.config.targets,
    /** The report period in words ("每两个月 / every two months"), never an ISO duration. */
    reportPeriod: reportEveryLabel(c.config.reportEvery),
    regions: items,
    totals: {
      enterprisesScreened: sum((x) => x.counts.enterprisesScreened),
      targets: sum((x) => x.counts.targets),
      crossedOff: sum((x) => x.counts.crossedOff),
      unionsEstablished: sum((x) => x.counts.unionsEstablished),
      membersRecruited: sum((x) => x.counts.membersRecruited),
      membersPending: sum((x) => x.counts.membersPending),
      targetMembers: c.config.targets.newMembers,
      memberCompletion: Math.round((sum((x) => x.counts.membersRecruited) / c.config.targets.newMembers) * 1000) / 10,
      overdue: sum((x) => x.counts.overdue),
      pendingApprovals: sum((x) => x.counts.pendingApprovals),
      rectificationsOpen: sum((x) => x.counts.rectificationsOpen),
      rectificationsOverdue: sum((x) => x.counts.rectificationsOverdue),
    },
    phaseSummaries: await closersNamed(db, summaries as { closedBy: string }[]),
    ranking: items
      .filter((x) => x.rank !== null)
      .sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0))
      .map((x) => ({ org: x.org, name: x.name, score: x.score, rank: x.rank })),
    closedAt: c.closedAt,
  };
}
