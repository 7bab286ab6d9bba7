/**
 * Applications (申请): subsidy, online membership, transfer. Creating one
 * starts its approval workflow; actions by the applicant (resubmit, withdraw,
 * retract, urge, comment, cc) go to that workflow as Updates.
 */
import { isOrgApplication } from '../domain/action-availability';
import express, { type Router } from 'express';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { APPLICATION_TYPES, type ApplicationType, type Condition, type FormDefinition, type Step } from '../domain/chain';
import { maskIdNumber, maskPhone, validateIdNumber } from '../domain/id-number';
import { chainSnapshot, resolveChain } from '../db/chain-repository';
import type { Db } from '../db/knex';
import { listApplications, listTimeline, type ApplicationRow } from '../db/approval-repository';
import { getOrg, listTargetGroups } from '../db/org-repository';
import { getUser } from '../db/user-repository';
import { getSubsidyNotice } from '../db/subsidy-repository';
import { calendarCache } from '../activities/route-resolution';
import {
  approversOf,
  diagramState,
  predictCondition,
  predictGroup,
  predictHumanStep,
  predictedDiagram,
  predictOpenStep,
  stepHistory,
  type RouteSubject,
} from '../activities/route-prediction';
import { skippedByConditionNote } from '../domain/conditions';
import type { PiiCipher } from '../runtime/pii';
import { getApplicationQuery } from '../workflows';
import type { ActionInput } from '../workflows/approval-types';
import { callerOf, requireAuth, type Caller } from './auth';
import { actForApplicant, applyForSubsidy, copyApplicationTarget, urgeApplication, type TargetFacts } from '../domain/policy';
import { appNames, namesForApps } from './names';
import { badRequest, conflict, enforce, HttpError, parseOr400, zodFieldErrors, type FieldError } from './errors';
import { idempotencyKeyOf, idempotent } from './idempotency';
import { admitTemporalWork } from './admission';
import {
  actionKey,
  applicationWorkflowId,
  applicationFacts,
  loadTargets,
  refuseTargets,
  idFromKey,
  loadVisibleApplication,
  newId,
  publicPayload,
  sendAction,
  startApplication,
  timelineFor,
} from './approvals-service';
import { idLookupGuard } from './id-lookups';
import { chainOfApplication, formDataErrors, loadFormView } from './forms';
import { mapTemporalError } from './temporal-errors';
import { PLAN_RESUBMIT_ELSEWHERE } from '../domain/campaign-plan';
import { withTemporalDeadline } from '../runtime/temporal-client';
import { assignPublicRef } from '../db/public-repository';
import { joinAreaProblem } from '../domain/join-areas';
import { attachmentsOf } from './attachment-view';
import { captchaField, issueViewerToken, missingCodeErrors, smsCodeField, type PhoneVerification } from './verification';

export interface ApplicationDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  pii: PiiCipher;
  jwtSecret: string;
  publicJoin: boolean;
  /** The key space of the shared rate-limit counters (ApiDeps.limitScope). */
  limitScope?: string;
  /** Look-ups by ID number per user per hour (transfers). */
  idLookupLimit?: number;
  /** SMS codes and the CAPTCHA of the public join page (api/sms.ts). */
  verification: PhoneVerification;
}

const text = (max: number) => z.string().trim().min(1, '不能为空 / required').max(max, `最多 ${max} 字 / at most ${max} characters`);
const mobile = z
  .string()
  .trim()
  .regex(/^1[3-9]\d{9}$/, '请输入 11 位手机号 / an 11-digit mainland mobile number');

type ParallelStep = Extract<Step, { type: 'parallel' }>;

/**
 * The answer of GET /api/applications/:id/route (and, with `chain` and `sample`, of
 * POST /api/chains/route-preview), for the OpenAPI document: per step, the prediction
 * fields and the diagram's (state, actors, skip reason, condition in words, reason).
 */
const approverOut = z.object({ name: z.string(), post: z.string() });
const routeStepOut = z.object({
  index: z.number(),
  id: z.string(),
  name: z.string().describe('“中文 / English”'),
  type: z.enum(['human', 'auto', 'parallel']).optional(),
  status: z.enum(['waiting', 'active', 'done', 'skipped']),
  remaining: z.boolean(),
  who: z.array(z.string()).optional().describe('logins (kept for current clients; never shown to people)'),
  approvers: z.array(approverOut).optional().describe('who would act now, by name and post'),
  why: z.string().nullable().optional(),
  rule: z.string().optional(),
  skip: z.boolean().optional(),
  condition: z.object({ holds: z.boolean(), zh: z.string(), en: z.string(), text: z.string() }).nullable().optional(),
  state: z
    .enum(['done', 'current', 'waiting', 'willSkip', 'skipped', 'notReached'])
    .describe('the diagram: done, open now, still to come, would be skipped as things stand, skipped, or never reached'),
  actors: z
    .array(
      z.object({
        name: z.string(),
        post: z.string(),
        action: z.string(),
        decision: z.string(),
        at: z.string(),
        atText: z.string(),
        comment: z.string().nullable(),
      }),
    )
    .describe('who acted on the step: name and post, the decision in words, when (ISO and Beijing time)'),
  skipReason: z.string().nullable().describe('why it was (or would be) skipped: the condition or the rule, in words'),
  conditionText: z.string().nullable().describe('the step’s condition in words, “中文 / English”'),
  reason: z.string().optional().describe('why this approver: 按角色：… / 指定人员 / 无人匹配→… / 申请人本人→跳过'),
});
const routeBranchOut = z.object({ index: z.number(), name: z.string(), status: z.string(), steps: z.array(routeStepOut) });
export const routeViewSchema = z.object({
  id: z.string().optional(),
  status: z.enum(['pending', 'returned', 'approved', 'rejected', 'withdrawn']).optional(),
  currentStepIndex: z.number().optional(),
  steps: z.array(routeStepOut.extend({ branches: z.array(routeBranchOut).optional() })),
});
/** The application type's form (申请表单), when its chain has one: validated against the chain's schema (api/forms.ts). */
const formData = z.record(z.string(), z.unknown(), { error: '表单须为对象 / form must be an object' }).optional();

const subsidySchema = z.object({
  type: z.literal('subsidy'),
  title: text(200),
  amount: z
    .number({ error: '金额须为数字（元）/ amount must be a number in yuan' })
    .positive('金额须大于 0 / must be positive')
    .max(100_000_000, '金额过大 / too large')
    .multipleOf(0.01, '最多两位小数 / at most 2 decimals'),
  reason: text(2000),
  projectId: z.string().trim().max(100).optional(),
  form: formData,
});
const membershipSchema = z.object({
  type: z.literal('membership'),
  name: text(50),
  idNumber: z.string().trim().max(18, '身份证号为 18 位 / 18 characters'),
  phone: mobile,
  group: text(50),
  employer: z.string().trim().max(200).optional(),
  area: text(100),
  /** 扫码入会 without an account: the code sent to `phone` (POST /api/public/sms-codes, purpose join). Staff applying for a worker send none. */
  smsCode: smsCodeField.optional(),
  /** Asked for after repeated failures from one address (a 400 naming `captcha` carries the challenge). */
  captcha: captchaField.optional(),
  form: formData,
});
const transferSchema = z.object({
  type: z.literal('transfer'),
  idNumber: z.string().trim().max(18, '身份证号为 18 位 / 18 characters'),
  toUnion: text(100),
  reason: z.string().trim().max(2000).optional(),
  form: formData,
});
export const createSchema = z.discriminatedUnion('type', [subsidySchema, membershipSchema, transferSchema], {
  error: '申请类型须为 subsidy、membership 或 transfer / type must be subsidy, membership or transfer',
});

export const applicationActionSchema = z.object({
  action: z.enum(['resubmit', 'withdraw', 'retract', 'comment', 'urge', 'cc'], { error: '不支持的操作 / unsupported action' }),
  comment: z.string().trim().max(2000).optional(),
  to: z.union([z.string().trim().min(1).max(100), z.array(z.string().trim().min(1).max(100)).min(1).max(50)]).optional(),
  changes: z
    .object({
      title: text(200).optional(),
      amount: subsidySchema.shape.amount.optional(),
      reason: text(2000).optional(),
      /** 申请表单: revised form fields (the rest stay as they were); the merged form is validated against the chain's schema. */
      form: z.record(z.string().max(50), z.unknown(), { error: '表单须为对象 / form must be an object' }).optional(),
    })
    .strict()
    .optional(),
});

export function applicationRoutes(deps: ApplicationDeps): Router {
  const router = express.Router();
  const auth = requireAuth({ db: deps.db, secret: deps.jwtSecret });
  const calendars = calendarCache(deps.db);
  const idLookups = idLookupGuard(deps);

  // Workers may apply to join without an account (扫码入会) where the deployment allows it.
  const optionalAuth: express.RequestHandler = (req, res, next) => {
    if (req.headers.authorization) return auth(req, res, next);
    if (deps.publicJoin && req.body && typeof req.body === 'object' && (req.body as { type?: unknown }).type === 'membership') return next();
    next(new HttpError(401, '缺少登录令牌 / missing bearer token'));
  };

  router.post('/api/applications', optionalAuth, admitTemporalWork, idempotent(deps.db), async (req, res) => {
    const caller = req.caller;
    const body = await parseCreateBody(deps, req.body, !caller);
    const key = idempotencyKeyOf(req);
    const id = key ? idFromKey(caller?.username ?? `public:${req.ip}`, key) : newId();
    const start = await prepare(deps, caller, body);
    // The applicant never chooses: the chain of the type owned nearest above the applicant's org applies.
    const chain = await resolveChain(deps.db, start.type, start.applicantOrg);
    if (!chain) throw new HttpError(500, `审批链 ${start.chainKey} 未配置 / chain not configured`);
    // 申请表单: the form of that chain, validated before anything is written (the ID look-up below writes).
    const form = checkedForm(chain.form, body.form);
    const payload: Record<string, unknown> = form ? { ...start.payload, form } : start.payload;
    // A transfer names a person by ID number: limited per user and audited, whatever the answer would be.
    if (start.type === 'transfer' && caller) await idLookups(caller, 'transfer', [String(start.payload.idNumberHash)], id);
    // 扫码入会 without an account: the phone is verified by its SMS code, spent only when the application starts.
    let codeId: string | undefined;
    if (!caller && body.type === 'membership') {
      await deps.verification.requireCaptcha(req, body.captcha);
      codeId = await deps.verification.check(req, body.phone, 'join', body.smsCode!);
      await deps.verification.consume(codeId);
    }
    let result;
    try {
      result = await startApplication(deps.db, deps.temporal, deps.taskQueue, { ...start, payload, id, chain: chainSnapshot(chain) });
    } catch (err) {
      if (codeId) await deps.verification.release(codeId).catch(() => undefined);
      throw err;
    }
    if (body.type !== 'membership') return void res.status(201).json(result);
    // The short reference a worker can read out (RH2611-4821); the worker who just verified their phone may follow
    // the application on the status page at once.
    const reference = await assignPublicRef(deps.db, id);
    const viewerToken = caller ? undefined : issueViewerToken(deps.jwtSecret, { ph: deps.pii.hash(body.phone), ref: reference });
    res.status(201).json({ ...result, reference, ...(viewerToken ? { viewerToken } : {}) });
  });

  router.get('/api/applications', auth, async (req, res) => {
    const caller = callerOf(req);
    const q = parseOr400(
      z.object({
        type: z.enum(APPLICATION_TYPES).optional(),
        status: z.enum(['pending', 'returned', 'approved', 'rejected', 'withdrawn']).optional(),
        mine: z.enum(['true', 'false']).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
        cursor: z.string().max(100).optional(),
      }),
      req.query,
    );
    const rows = await listApplications(deps.db, {
      scopePath: q.mine === 'true' ? '/__none__/' : caller.orgPath,
      applicant: caller.username,
      type: q.type,
      status: q.status,
      limit: q.limit + 1,
      cursor: q.cursor,
    });
    const page = rows.slice(0, q.limit);
    const book = await namesForApps(deps.db, page);
    res.json({
      items: page.map((a) => ({ ...summary(a), ...appNames(book, a) })),
      nextCursor: rows.length > q.limit ? page[page.length - 1]!.id : null,
    });
  });

  router.get('/api/applications/:id', auth, async (req, res) => {
    const caller = callerOf(req);
    const app = await loadVisibleApplication(deps.db, caller, req.params.id as string);
    const [timeline, notice, fv, attachments] = await Promise.all([
      listTimeline(deps.db, app.id),
      app.type === 'subsidy' ? getSubsidyNotice(deps.db, app.id) : undefined,
      loadFormView(deps.db, caller, app),
      attachmentsOf(deps.db, app.id),
    ]);
    const book = await namesForApps(deps.db, [app]);
    res.json({
      ...summary(app),
      ...appNames(book, app),
      // 字段权限: fields hidden from this viewer are absent from the payload, the form and the timeline's edits.
      payload: publicPayload(fv.payload),
      ...(fv.form ? { form: fv.form } : {}),
      formAccess: fv.formAccess,
      notice: notice ? { ...notice, amount: Number(notice.amount) } : undefined,
      attachments,
      timeline: (await timelineFor(deps.db, caller, app, timeline)).map((e) => ({ ...e, data: fv.timelineData(e.data) })),
    });
  });

  /**
   * The remaining steps (and the branches of parallel groups): whether each
   * one's condition holds now and in words, who would act (names and posts;
   * `who` keeps the logins for current clients) and why.
   */
  router.get('/api/applications/:id/route', auth, async (req, res) => {
    const caller = callerOf(req);
    const app = await loadVisibleApplication(deps.db, caller, req.params.id as string);
    let state;
    try {
      state = await withTemporalDeadline(deps.temporal, () => deps.temporal.workflow.getHandle(applicationWorkflowId(app.id)).query(getApplicationQuery));
    } catch (err) {
      throw mapTemporalError(err);
    }
    const payload = app.payload ?? {};
    const subject: RouteSubject = {
      applicationId: app.id,
      type: state.type,
      applicant: app.applicant,
      applicantOrg: app.applicantOrg,
      targetOrg: state.targetOrg,
      facts: {
        ...(payload.amount !== undefined ? { amount: payload.amount } : {}),
        ...(payload.group !== undefined ? { group: payload.group } : {}),
        ...(payload.form !== undefined ? { form: payload.form } : {}),
        ...(state.formLabels ? { labels: state.formLabels } : {}),
      },
    };
    const pending = state.status === 'pending';
    // The diagram: who acted on each step (from the timeline as this caller may read it) and why a step was skipped.
    const entries = await timelineFor(deps.db, caller, app, await listTimeline(deps.db, app.id));
    const appStatus = state.status;
    const conditionText = async (when: Condition | undefined) => (await predictCondition(deps.db, subject, when))?.text ?? null;
    const diagram = async (
      status: string,
      when: Condition | undefined,
      where: { stepIndex: number; branch?: number; branchStep?: number },
      o: { willSkip?: boolean; skipReason?: string; branchCancelled?: boolean } = {},
    ) => {
      const h = await stepHistory(deps.db, entries, state.tasks, where);
      const st = diagramState(status, appStatus, o);
      return {
        state: st,
        actors: h.actors,
        skipReason: h.skipReason ?? (st === 'willSkip' ? (o.skipReason ?? null) : null),
        conditionText: await conditionText(when),
      };
    };
    const willSkip = (p: { skip?: boolean; skipReason?: string }) => ({ willSkip: !!p.skip, skipReason: p.skipReason });
    const steps = [];
    for (const st of state.steps) {
      const at = { stepIndex: st.index };
      const when = st.def.type === 'auto' ? undefined : st.def.when;
      if (st.index < state.currentStepIndex || st.status === 'done' || st.status === 'skipped') {
        const branches = [];
        for (const b of st.branches ?? []) {
          const out = [];
          for (const x of b.steps)
            out.push({
              ...x,
              remaining: false,
              ...(await diagram(
                x.status,
                (st.def as ParallelStep).branches[b.index]![x.index]!.when,
                { ...at, branch: b.index, branchStep: x.index },
                { branchCancelled: b.status === 'cancelled' },
              )),
            });
          branches.push({ ...b, steps: out });
        }
        steps.push({ ...st, remaining: false, ...(st.branches ? { branches } : {}), ...(await diagram(st.status, when, at)) });
        continue;
      }
      if (st.def.type === 'auto' || !pending) {
        steps.push({
          ...st,
          remaining: pending,
          who: [],
          rule: st.def.type === 'auto' ? '自动步骤 / automated step' : st.rule,
          ...(st.def.type === 'auto' ? { reason: '自动步骤 / automated step' } : {}),
          ...(await diagram(st.status, when, at)),
        });
        continue;
      }
      if (st.def.type === 'parallel') {
        const def = st.def;
        if (!st.branches) {
          const g = await predictGroup(deps.db, calendars, subject, def);
          const groupSkip = g.condition ? !g.condition.holds : false;
          const groupSkipNote = groupSkip ? skippedByConditionNote(g.condition!) : undefined;
          const branches = g.branches.map((b) => ({ ...b, steps: b.steps.map((x) => ({ ...x, ...predictedDiagram(x, groupSkipNote) })) }));
          steps.push({
            ...st,
            remaining: true,
            who: [],
            approvers: [],
            condition: g.condition,
            branches,
            ...(await diagram(st.status, when, at, { willSkip: groupSkip, skipReason: groupSkipNote })),
          });
          continue;
        }
        const branches = [];
        for (const b of st.branches) {
          const out = [];
          for (const x of b.steps) {
            const stepDef = def.branches[b.index]![x.index]!;
            const where = { ...at, branch: b.index, branchStep: x.index };
            if (x.status === 'done' || x.status === 'skipped' || b.status !== 'active')
              out.push({ ...x, remaining: false, ...(await diagram(x.status, stepDef.when, where, { branchCancelled: b.status === 'cancelled' })) });
            else if (x.status === 'active') {
              const tasks = state.tasks.filter((t) => t.stepIndex === st.index && t.branch === b.index && t.branchStep === x.index && t.status === 'pending');
              out.push({ ...x, ...(await predictOpenStep(deps.db, subject, stepDef, x.rule, tasks)), ...(await diagram(x.status, stepDef.when, where)) });
            } else {
              const p = await predictHumanStep(deps.db, calendars, subject, stepDef);
              out.push({ ...x, ...p, ...(await diagram(x.status, stepDef.when, where, willSkip(p))) });
            }
          }
          branches.push({ ...b, steps: out });
        }
        const open = state.tasks.filter((t) => t.stepIndex === st.index && t.status === 'pending');
        const who = [...new Set(open.flatMap((t) => (t.assignee ? [t.assignee] : t.candidates)))];
        steps.push({
          ...st,
          remaining: true,
          who,
          approvers: await approversOf(deps.db, who, null, null),
          condition: await predictCondition(deps.db, subject, def.when),
          branches,
          ...(await diagram(st.status, when, at)),
        });
        continue;
      }
      if (st.status === 'active') {
        const tasks = state.tasks.filter((t) => t.stepIndex === st.index && t.status === 'pending');
        steps.push({ ...st, ...(await predictOpenStep(deps.db, subject, st.def, st.rule, tasks)), ...(await diagram(st.status, when, at)) });
        continue;
      }
      const p = await predictHumanStep(deps.db, calendars, subject, st.def);
      steps.push({ ...st, ...p, ...(await diagram(st.status, when, at, willSkip(p))) });
    }
    res.json({ id: app.id, status: state.status, currentStepIndex: state.currentStepIndex, steps });
  });

  router.post('/api/applications/:id/actions', auth, admitTemporalWork, idempotent(deps.db), async (req, res) => {
    const caller = callerOf(req);
    const app = await loadVisibleApplication(deps.db, caller, req.params.id as string);
    const body = parseOr400(applicationActionSchema, req.body);
    const to = body.to === undefined ? undefined : Array.isArray(body.to) ? body.to : [body.to];
    const facts = applicationFacts(app);
    let targets: TargetFacts[] | undefined;
    if (to && body.action === 'cc') {
      targets = await loadTargets(deps.db, to);
      refuseTargets(targets, (target) => copyApplicationTarget(facts, target));
    }
    // The city's action plan is resubmitted with its consolidated projects, as a new revision: on the plan, not here.
    if (app.type === 'campaign_plan' && body.action === 'resubmit') throw conflict(PLAN_RESUBMIT_ELSEWHERE);
    // Acting for the applicant is the policy's call; the workflow's validator asks it again with the same facts.
    if (body.action === 'resubmit' || body.action === 'withdraw')
      enforce(actForApplicant(caller, { applicant: app.applicant, applicantOrgId: app.applicantOrg, orgApplication: isOrgApplication(app.type) }));
    if (body.action === 'urge') enforce(urgeApplication(caller, facts));
    const revisedForm = body.changes?.form && body.action === 'resubmit' ? await revisedFormOf(deps.db, app, body.changes.form) : undefined;
    const changes = body.changes
      ? {
          title: body.changes.title,
          payload: Object.fromEntries(
            Object.entries({ amount: body.changes.amount, reason: body.changes.reason, form: revisedForm }).filter(([, v]) => v !== undefined),
          ),
        }
      : undefined;
    const input: ActionInput = {
      action: body.action,
      actor: actorOf(caller),
      idempotencyKey: actionKey(caller, idempotencyKeyOf(req)),
      comment: body.comment,
      to,
      targets,
      application: { applicantOrgPath: facts.applicantOrgPath, targetOrgPath: facts.targetOrgPath },
      changes,
    };
    res.json(await sendAction(deps.temporal, app.id, input));
  });

  return router;
}

function summary(a: Awaited<ReturnType<typeof listApplications>>[number]) {
  return {
    id: a.id,
    workflowId: a.workflowId,
    type: a.type,
    title: a.title,
    status: a.status,
    currentStep: a.currentStep,
    applicant: a.applicant,
    applicantOrg: a.applicantOrg,
    targetOrg: a.targetOrg,
    chain: { key: a.chainKey, version: a.chainVersion, owner: a.chainOwner },
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  };
}

/** The actor an action carries into its workflow: who, where (for the policy in the validator), which roles. */
export function actorOf(caller: Caller) {
  return {
    username: caller.username,
    orgId: caller.orgId,
    orgPath: caller.orgPath,
    roles: caller.roles,
    posts: caller.posts.map(({ orgId, orgPath, role }) => ({ orgId, orgPath, role })),
  };
}

export async function requireUsers(db: Db, usernames: string[], path = 'to'): Promise<void> {
  const errors: FieldError[] = [];
  for (const [i, u] of usernames.entries()) {
    const user = await getUser(db, u);
    if (!user || !user.active) errors.push({ path: usernames.length > 1 ? `${path}.${i}` : path, message: `用户 ${u} 不存在或已停用 / unknown user` });
  }
  if (errors.length) throw badRequest('请检查接收人 / unknown users', errors);
}

/**
 * Parses a new application. A 400 names every bad field at once: the
 * schema's and those only the database can judge (ID checksum, target
 * group, area, receiving union), so a worker filling in the form on a phone
 * sees all their mistakes in one answer.
 */
async function parseCreateBody(deps: ApplicationDeps, raw: unknown, anonymous: boolean): Promise<z.infer<typeof createSchema>> {
  const parsed = createSchema.safeParse(raw);
  const refs = await referenceErrors(deps, raw);
  const chosen = chainChoiceErrors(raw);
  // Without an account, a membership application carries the SMS code of its phone.
  if (anonymous && (raw as { type?: unknown } | null)?.type === 'membership') refs.push(...missingCodeErrors(raw));
  if (parsed.success && refs.length === 0 && chosen.length === 0) return parsed.data;
  const errors = parsed.success ? [] : zodFieldErrors(parsed.error);
  for (const e of [...chosen, ...refs]) if (!errors.some((x) => x.path === e.path)) errors.push(e);
  throw badRequest('请求内容有误，请检查标出的字段 / invalid fields', errors);
}

/**
 * 申请表单 on resubmission: the revised fields merged into the form as filed,
 * validated against the schema of the chain version the application runs on
 * (400 `changes.form.<field>`; `changes.form` where that chain has no form).
 */
async function revisedFormOf(db: Db, app: ApplicationRow, revised: Record<string, unknown>): Promise<Record<string, unknown>> {
  const chain = await chainOfApplication(db, app);
  if (!chain?.form)
    throw badRequest('此类申请没有表单 / this application type has no form', [{ path: 'changes.form', message: '此类申请没有表单 / no form here' }]);
  const current = app.payload.form && typeof app.payload.form === 'object' ? (app.payload.form as Record<string, unknown>) : {};
  const merged = { ...current, ...revised };
  const errors = formDataErrors(chain.form, merged).map((e) => ({ ...e, path: `changes.${e.path}` }));
  if (errors.length) throw badRequest('表单有误，请检查标出的字段 / invalid form fields', errors);
  return merged;
}

/**
 * 申请表单: the submitted form against the chain's. A chain with a form needs
 * one (400 `form`), and each bad field is named (`form.<field>`); a chain
 * without a form takes none.
 */
function checkedForm(def: FormDefinition | undefined, data: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!def) {
    if (data !== undefined)
      throw badRequest('此类申请没有表单 / this application type has no form', [{ path: 'form', message: '此类申请没有表单 / no form here' }]);
    return undefined;
  }
  if (data === undefined) throw badRequest('请填写申请表单 / the form is required', [{ path: 'form', message: '必填 / required' }]);
  const errors = formDataErrors(def, data);
  if (errors.length) throw badRequest('表单有误，请检查标出的字段 / invalid form fields', errors);
  return data;
}

/**
 * An applicant never chooses the chain their application climbs (a lenient
 * one would let them past review): the chain is the one owned nearest above
 * their org. A body naming `chain`, whatever its value, is refused.
 */
function chainChoiceErrors(raw: unknown): FieldError[] {
  if (!raw || typeof raw !== 'object' || !Object.prototype.hasOwnProperty.call(raw, 'chain')) return [];
  return [{ path: 'chain', message: '申请不能指定审批链，审批链由所属组织确定 / an application cannot choose its chain: its org’s chain applies' }];
}

/** Field errors of a membership or transfer body's references, for the fields that are at least strings. */
async function referenceErrors(deps: ApplicationDeps, raw: unknown): Promise<FieldError[]> {
  if (!raw || typeof raw !== 'object') return [];
  const b = raw as Record<string, unknown>;
  if (b.type !== 'membership' && b.type !== 'transfer') return [];
  const given = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;
  const errors: FieldError[] = [];
  if (given(b.idNumber)) {
    const check = validateIdNumber(b.idNumber);
    if (!check.ok) errors.push({ path: 'idNumber', message: check.reason });
  }
  if (b.type === 'membership') {
    if (given(b.group)) {
      const groups = await listTargetGroups(deps.db);
      if (!groups.some((g) => g.id === b.group))
        errors.push({ path: 'group', message: `未知群体 / unknown group; one of ${groups.map((g) => g.id).join(', ')}` });
    }
    if (given(b.area)) {
      const problem = joinAreaProblem(await getOrg(deps.db, b.area.trim()));
      if (problem) errors.push({ path: 'area', message: problem });
    }
  } else if (given(b.toUnion)) {
    const to = await getOrg(deps.db, b.toUnion.trim());
    if (!to || to.kind !== 'grassroots') errors.push({ path: 'toUnion', message: '须为基层工会的组织编号 / must be a grassroots union id' });
  }
  return errors;
}

/** Checks the business side of a new application and builds what its workflow starts with. */
async function prepare(deps: ApplicationDeps, caller: Caller | undefined, body: z.infer<typeof createSchema>) {
  const errors: FieldError[] = [];
  if (body.type === 'subsidy') {
    if (!caller) throw new HttpError(401, '请先登录 / sign in first');
    enforce(applyForSubsidy(caller));
    return {
      type: 'subsidy' as ApplicationType,
      chainKey: 'subsidy',
      applicant: caller.username,
      applicantOrg: caller.orgId,
      title: body.title,
      payload: { amount: body.amount, reason: body.reason, ...(body.projectId ? { projectId: body.projectId } : {}) },
    };
  }
  const check = validateIdNumber(body.idNumber);
  if (!check.ok) errors.push({ path: 'idNumber', message: check.reason });
  if (body.type === 'membership') {
    const [groups, area] = await Promise.all([listTargetGroups(deps.db), getOrg(deps.db, body.area)]);
    if (!groups.some((g) => g.id === body.group))
      errors.push({ path: 'group', message: `未知群体 / unknown group; one of ${groups.map((g) => g.id).join(', ')}` });
    const areaProblem = joinAreaProblem(area);
    if (areaProblem) errors.push({ path: 'area', message: areaProblem });
    if (errors.length || !check.ok) throw badRequest('请检查标出的字段 / invalid fields', errors);
    const idNumber = check.normalized;
    return {
      type: 'membership' as ApplicationType,
      chainKey: 'membership',
      applicant: caller?.username ?? null,
      applicantOrg: area!.id,
      title: `${body.name} 入会申请`,
      payload: {
        name: body.name,
        group: body.group,
        employer: body.employer ?? null,
        area: area!.id,
        idNumberEnc: deps.pii.encrypt(idNumber),
        idNumberHash: deps.pii.hash(idNumber),
        idNumberMasked: maskIdNumber(idNumber),
        phoneEnc: deps.pii.encrypt(body.phone),
        phoneHash: deps.pii.hash(body.phone),
        phoneMasked: maskPhone(body.phone),
      },
    };
  }
  // transfer
  const to = await getOrg(deps.db, body.toUnion);
  if (!to || to.kind !== 'grassroots') errors.push({ path: 'toUnion', message: '须为基层工会的组织编号 / must be a grassroots union id' });
  if (errors.length || !check.ok) throw badRequest('请检查标出的字段 / invalid fields', errors);
  if (!caller) throw new HttpError(401, '请先登录 / sign in first');
  // Filed whoever the number belongs to: the answer never depends on their membership. The receiving union's
  // reviewer sees whether they are a member (the task view), and the automated transfer step moves only a member.
  const idNumber = check.normalized;
  const idNumberMasked = maskIdNumber(idNumber);
  return {
    type: 'transfer' as ApplicationType,
    chainKey: 'transfer',
    applicant: caller.username,
    applicantOrg: caller.orgId,
    targetOrg: to!.id,
    title: `会籍转移至${to!.name}（${idNumberMasked}）`,
    payload: {
      toUnion: to!.id,
      reason: body.reason ?? null,
      idNumberEnc: deps.pii.encrypt(idNumber),
      idNumberHash: deps.pii.hash(idNumber),
      idNumberMasked,
    },
  };
}
