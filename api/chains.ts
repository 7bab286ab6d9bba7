/**
 * Chain definitions (审批链配置), for admins (the working calendar: api/calendar.ts).
 * A chain belongs to an org and applies to applications from its subtree.
 * A change to it is itself an application (审批链变更): POST /api/chains
 * validates the proposal (refusing unsafe chains), computes the difference
 * from the version in force, and starts a chain_change application; the new
 * version takes effect only when a second admin at or above the owner
 * approves it. Applications already running keep the version they started with.
 */
import express, { type Router } from 'express';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { AUTO_STEPS, BUILTIN_ONLY_AUTO_STEPS, CONFIGURABLE_TYPES, humanStepsOf, TASK_ACTIONS, type Condition, type Step } from '../domain/chain';
import { conditionIssues, formFields, formLabels, skippedByConditionNote } from '../domain/conditions';
import { calendarCache } from '../activities/route-resolution';
import { predictedDiagram, predictGroup, predictHumanStep, type RouteSubject } from '../activities/route-prediction';
import { diffChains } from '../domain/chain-diff';
import { FORM_LIMITS, withExplicitOrder } from '../domain/form';
import { chainSafetyIssues } from '../domain/chain-safety';
import { isValidDuration, durationToMs } from '../domain/duration';
import { proposeChain, readChain, seeOrg } from '../domain/policy';
import {
  chainSnapshot,
  getApplicableChain,
  getLatestChain,
  listChainVersions,
  listVisibleChains,
  resolveChain,
  type StoredChain,
} from '../db/chain-repository';
import type { Db } from '../db/knex';
import { getOrg } from '../db/org-repository';
import type { ChainChangePayload } from '../activities/auto-steps';
import { callerOf } from './auth';
import { badRequest, enforce, HttpError, notFound, parseOr400, zodFieldErrors, type FieldError } from './errors';
import { idempotencyKeyOf, idempotent } from './idempotency';
import { admitTemporalWork } from './admission';
import { requireUsers } from './applications';
import { idFromKey, newId, startApplication } from './approvals-service';
import { formDefinitionErrors, formDefinitionSchema, stepFieldErrors } from './forms';

const duration = z
  .union([z.string().max(40), z.number().int().positive()])
  .refine(isValidDuration, '时长格式无效，如 P3D、PT2H 或毫秒数 / use an ISO 8601 duration like P3D or PT2H, or milliseconds');
const stepId = z
  .string()
  .trim()
  .regex(/^[a-z][\w-]{0,49}$/i, '步骤编号：字母开头，最多 50 个字母数字 / letters, digits, - or _');

/** A condition: any JSON here; superRefine checks it against the facts and the chain's form (domain/conditions.ts). */
const condition = z.custom<Condition>(() => true);

const humanStep = z
  .object({
    id: stepId,
    name: z.string().trim().min(1).max(100),
    type: z.literal('human'),
    who: z.discriminatedUnion('kind', [
      z.object({
        kind: z.literal('role'),
        role: z.enum(['reviewer', 'admin', 'staff', 'supervisor']),
        level: z.enum(['self', 'parent', 'region', 'city', 'province', 'target']),
      }),
      z.object({ kind: z.literal('users'), usernames: z.array(z.string().trim().min(1).max(100)).min(1).max(50) }),
    ]),
    mode: z.enum(['single', 'all', 'any']),
    sla: z
      .object({ limit: duration, remindBefore: duration.optional(), onTimeout: z.enum(['escalate', 'autoApprove', 'autoReject']) })
      .refine((s) => s.remindBefore === undefined || durationToMs(s.remindBefore) < durationToMs(s.limit), {
        message: '提醒须早于时限 / remindBefore must be shorter than limit',
        path: ['remindBefore'],
      })
      .optional(),
    onNoApprover: z.enum(['skip', 'admin']).optional(),
    onSelfApproval: z.enum(['skip', 'forbid']).optional(),
    dedupConsecutive: z.boolean().optional(),
    actions: z.array(z.enum(TASK_ACTIONS)).min(1).optional(),
    showsPersonalData: z.boolean().optional(),
    /** 字段权限: per form field (or built-in amount, reason, title) read (default), edit or hidden at this step. */
    fields: z
      .record(z.string().max(50), z.enum(['read', 'edit', 'hidden'], { error: "须为 read、edit 或 hidden / one of 'read', 'edit', 'hidden'" }))
      .refine((f) => Object.keys(f).length <= FORM_LIMITS.maxFields + 3, `最多 ${FORM_LIMITS.maxFields + 3} 个字段 / too many fields`)
      .optional(),
    /** JSON Logic over the application's facts (domain/conditions.ts); checked against the chain's form in superRefine. */
    when: condition.optional(),
  })
  .strict();
const autoStep = z
  .object({
    id: stepId,
    name: z.string().trim().min(1).max(100),
    type: z.literal('auto'),
    activity: z
      .enum(AUTO_STEPS)
      .refine(
        (a) => !BUILTIN_ONLY_AUTO_STEPS.includes(a),
        '此自动步骤只用于内置的审批链变更流程 / this automated step belongs to the built-in chain change only',
      ),
  })
  .strict();

/** 并行分支: two or more branches of human steps, joined when all (or the first) finish. */
const parallelGroup = z
  .object({
    id: stepId,
    name: z.string().trim().min(1).max(100),
    type: z.literal('parallel'),
    mode: z.enum(['all', 'any'], { error: '汇合方式须为 all（全部完成）或 any（任一完成）/ mode must be all or any' }),
    branches: z
      .array(
        z
          .array(humanStep, { error: '每个分支是人工审批步骤的列表 / each branch is a list of human steps' })
          .min(1, '分支至少一个步骤 / a branch needs at least one step')
          .max(10),
        { error: '分支须为列表 / branches must be a list of branches' },
      )
      .min(2, '并行分支至少两个分支 / a parallel group needs at least two branches')
      .max(10, '最多 10 个分支 / at most 10 branches'),
    when: condition.optional(),
  })
  .strict();

/** A step's condition, checked against the facts and the chain's form fields: each issue names its path. */
function checkCondition(when: unknown, fields: readonly string[], path: (string | number)[], ctx: z.RefinementCtx): void {
  if (when === undefined) return;
  for (const issue of conditionIssues(when, fields)) ctx.addIssue({ code: 'custom', path: [...path, 'when', ...issue.path], message: issue.message });
}

export const chainSchema = z
  .object({
    key: z
      .string()
      .trim()
      .regex(/^[a-z][a-z0-9_-]{1,49}$/, '链编号：小写字母开头 / lower-case letters, digits, - or _'),
    name: z.string().trim().min(1).max(100),
    type: z.enum(CONFIGURABLE_TYPES, { error: `类型须为 ${CONFIGURABLE_TYPES.join('、')} 之一 / type must be one of ${CONFIGURABLE_TYPES.join(', ')}` }),
    /** The org that owns the chain; default: the proposer's own org. */
    owner: z.string().trim().min(1).max(100).optional(),
    steps: z
      .array(z.discriminatedUnion('type', [humanStep, autoStep, parallelGroup]))
      .min(1, '至少一个步骤 / at least one step')
      .max(30),
    /** The application type's form (申请表单): JSON Schema 2020-12 and its rjsf uiSchema (api/forms.ts). */
    form: formDefinitionSchema.optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    const fields = formFields(c.form);
    c.steps.forEach((st, i) => {
      if (seen.has(st.id)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'id'], message: '步骤编号重复 / duplicate step id' });
      seen.add(st.id);
      if (st.type === 'parallel') checkCondition(st.when, fields, ['steps', i], ctx);
    });
    for (const { step, path } of humanStepsOf(c.steps)) {
      if (path.length > 2) {
        const id = path.join('.');
        if (seen.has(step.id)) ctx.addIssue({ code: 'custom', path: [...path, 'id'], message: `步骤编号重复 / duplicate step id (${id})` });
        seen.add(step.id);
      }
      if (step.who.kind === 'role' && step.who.level === 'target' && c.type !== 'membership' && c.type !== 'transfer')
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'who', 'level'],
          message: 'target 仅用于入会和转会 / target applies to membership and transfer only',
        });
      checkCondition(step.when, fields, path, ctx);
      // 身份审核 shows full personal data to its task holder: kept to plain steps, whose one holder the reveal checks.
      if (path.length > 2 && step.showsPersonalData)
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'showsPersonalData'],
          message: '显示完整个人信息的步骤不能放在并行分支中 / a step that shows full personal data cannot be inside a parallel branch',
        });
    }
    if (!c.steps.some((st) => st.type === 'human' || st.type === 'parallel'))
      ctx.addIssue({ code: 'custom', path: ['steps'], message: '至少需要一个人工审批步骤 / at least one human step' });
  });

/** POST /api/chains/route-preview: a draft chain and a sample application (the designer's preview). */
export const routePreviewSchema = z
  .object({
    /** The draft chain, as POST /api/chains takes it (not checked for safety: a draft may be incomplete). */
    chain: chainSchema,
    sample: z
      .object({
        amount: z.number({ error: '金额须为数字（元）/ amount must be a number' }).nonnegative().max(100_000_000).optional(),
        group: z.string().trim().min(1).max(50).optional(),
        /** The sample applicant's org: within the chain owner's subtree. */
        applicantOrg: z.string({ error: '请选择申请单位 / applicantOrg is required' }).trim().min(1).max(100),
        form: z.record(z.string(), z.unknown()).optional(),
      })
      .strict(),
  })
  .strict();

export interface ChainDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
}

/** What a chain looks like in the API: the definition with its owner's id and name. */
function chainView(c: StoredChain) {
  return {
    key: c.key,
    version: c.version,
    name: c.name,
    type: c.type,
    steps: c.steps,
    ...(c.form ? { form: c.form } : {}),
    owner: c.owner,
    ownerName: c.ownerName ?? '全省默认 / province-wide default',
    createdBy: c.createdBy,
    createdAt: c.createdAt,
    sourceApplication: c.sourceApplication,
  };
}

export function chainRoutes(deps: ChainDeps): Router {
  const router = express.Router();
  const calendars = calendarCache(deps.db);

  /** The chains the caller may read: those that apply to them (marked `applies`) and those of their subtree. */
  router.get('/api/chains', async (req, res) => {
    const caller = callerOf(req);
    const visible = (await listVisibleChains(deps.db, caller.orgPath)).filter((c) => c.ownerPath === null || readChain(caller, c.ownerPath).allow);
    const applying = new Set<string>();
    for (const type of new Set(visible.map((c) => c.type))) {
      const c = await resolveChain(deps.db, type, caller.orgId);
      if (c) applying.add(`${c.owner ?? ''}:${c.key}`);
    }
    res.json({ items: visible.map((c) => ({ ...chainView(c), applies: applying.has(`${c.owner ?? ''}:${c.key}`) })), nextCursor: null });
  });

  /** The chain `key` that applies to the caller's org, or `?owner=` a given owner's within the caller's reach. */
  router.get('/api/chains/:key', async (req, res) => {
    const caller = callerOf(req);
    const q = parseOr400(z.object({ owner: z.string().trim().min(1).max(100).optional() }), req.query);
    const key = req.params.key;
    let chain;
    if (q.owner) {
      const org = await getOrg(deps.db, q.owner);
      if (!org || !readChain(caller, org.path).allow) throw notFound('审批链不存在 / chain not found');
      chain = await getLatestChain(deps.db, key, org.id);
    } else {
      chain = await getApplicableChain(deps.db, key, caller.orgId);
    }
    if (!chain) throw notFound('审批链不存在 / chain not found');
    res.json({ ...chainView(chain), versions: await listChainVersions(deps.db, chain.key, chain.owner) });
  });

  /**
   * Proposes a new version of an org's chain (审批链变更) → 202 { id }: the
   * change is a chain_change application awaiting a second admin.
   */
  router.post('/api/chains', admitTemporalWork, idempotent(deps.db), async (req, res) => {
    const caller = callerOf(req);
    const raw = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
    // Who may propose is decided first, on the owner alone, so that a refused caller learns nothing of validation.
    const ownerId = typeof raw.owner === 'string' && raw.owner.trim() ? raw.owner.trim() : caller.orgId;
    const owner = await getOrg(deps.db, ownerId);
    // An unknown owner is judged at the caller's own org here (admins then get 400 naming `owner`).
    enforce(proposeChain(caller, owner?.path ?? caller.orgPath));

    const parsed = chainSchema.safeParse(raw);
    const errors: FieldError[] = parsed.success ? [] : zodFieldErrors(parsed.error);
    if (!owner) errors.push({ path: 'owner', message: '未知组织 / unknown org id' });
    if (parsed.success) errors.push(...chainSafetyIssues(parsed.data.steps));
    if (parsed.success && parsed.data.form) errors.push(...formDefinitionErrors(parsed.data.form, parsed.data.type));
    if (parsed.success) errors.push(...stepFieldErrors(parsed.data.steps, parsed.data));
    if (errors.length || !parsed.success || !owner) throw badRequest('审批链有误，请检查标出的字段 / invalid chain', errors);
    const { owner: _owner, ...parsedDef } = parsed.data;
    // The field order the owner wrote, kept where jsonb keeps it (domain/form.ts).
    const def = parsedDef.form ? { ...parsedDef, form: withExplicitOrder(parsedDef.form) } : parsedDef;
    const named = humanStepsOf(def.steps).flatMap(({ step, path }) => (step.who.kind === 'users' ? step.who.usernames.map((u) => ({ u, path })) : []));
    for (const { u, path } of named) await requireUsers(deps.db, [u], `${path.join('.')}.who.usernames`);

    const own = await getLatestChain(deps.db, def.key, owner.id);
    if (own && own.type !== def.type) throw badRequest('不能改变已有审批链的申请类型 / a chain keeps its type', [{ path: 'type', message: `is ${own.type}` }]);
    // Compared with what applies at the owner today: its own version, else the one it inherits.
    const inForce = own ?? (await resolveChain(deps.db, def.type, owner.id));
    const diff = diffChains(inForce, def);
    const payload: ChainChangePayload & Record<string, unknown> = {
      owner: owner.id,
      ownerName: owner.name,
      definition: def,
      baseVersion: own?.version ?? null,
      comparedWith: inForce ? { key: inForce.key, version: inForce.version, owner: inForce.owner } : null,
      diff,
    };
    const changeChain = await resolveChain(deps.db, 'chain_change', owner.id);
    if (!changeChain) throw new HttpError(500, '审批链变更流程未配置 / the chain_change chain is not configured');
    const key = idempotencyKeyOf(req);
    const id = key ? idFromKey(caller.username, `chain:${key}`) : newId();
    const started = await startApplication(deps.db, deps.temporal, deps.taskQueue, {
      id,
      type: 'chain_change',
      chain: chainSnapshot(changeChain),
      applicant: caller.username,
      // The owner is the applicant org: its admins decide, and its subtree sees the change.
      applicantOrg: owner.id,
      title: `审批链变更：${owner.name} ${def.name}（${def.key}）/ chain change`,
      payload,
    });
    res.status(202).json(started);
  });

  /**
   * The route a draft chain would take for a sample application: per step
   * (and branch) whether its condition holds, who would act and why. For the
   * designer; whoever may propose chains for the owner may preview them.
   */
  router.post('/api/chains/route-preview', async (req, res) => {
    const caller = callerOf(req);
    const raw = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
    const draft = (raw.chain && typeof raw.chain === 'object' ? raw.chain : {}) as Record<string, unknown>;
    const ownerId = typeof draft.owner === 'string' && draft.owner.trim() ? draft.owner.trim() : caller.orgId;
    const owner = await getOrg(deps.db, ownerId);
    enforce(proposeChain(caller, owner?.path ?? caller.orgPath));

    const body = routePreviewSchema.safeParse(raw);
    const errors: FieldError[] = body.success ? [] : zodFieldErrors(body.error);
    // The orgs are looked up once the body is well formed (then each bad one is named).
    const applicantOrg = body.success ? await getOrg(deps.db, body.data.sample.applicantOrg) : undefined;
    if (body.success && !owner) errors.push({ path: 'chain.owner', message: '未知组织 / unknown org id' });
    if (body.success && owner && (!applicantOrg || !applicantOrg.path.startsWith(owner.path)))
      errors.push({
        path: 'sample.applicantOrg',
        message: '申请单位须为审批链所属组织或其下级 / the sample applicant org must be the chain owner or below it',
      });
    if (errors.length || !body.success || !applicantOrg) throw badRequest('预览参数有误，请检查标出的字段 / invalid preview', errors);

    const { sample, chain: def } = body.data;
    const subject: RouteSubject = {
      applicationId: 'preview',
      type: def.type,
      applicant: null,
      applicantOrg: applicantOrg.id,
      canSee: (orgPath) => seeOrg(caller, { path: orgPath }),
      facts: {
        ...(sample.amount !== undefined ? { amount: sample.amount } : {}),
        ...(sample.group !== undefined ? { group: sample.group } : {}),
        ...(sample.form !== undefined ? { form: sample.form } : {}),
        labels: formLabels(def.form),
      },
    };
    const steps = [];
    for (const [index, st] of (def.steps as Step[]).entries()) {
      const base = { index, id: st.id, name: st.name, type: st.type, status: 'waiting', def: st };
      if (st.type === 'auto') {
        const auto = {
          remaining: true,
          who: [],
          approvers: [],
          why: null,
          rule: '自动步骤 / automated step',
          reason: '自动步骤 / automated step',
          condition: null,
        };
        // The diagram's fields: nothing has happened yet, so each step is waiting or, as the sample stands, would be skipped.
        steps.push({ ...base, ...auto, ...predictedDiagram(auto) });
      } else if (st.type === 'parallel') {
        const g = await predictGroup(deps.db, calendars, subject, st);
        const skip = g.condition ? !g.condition.holds : false;
        const groupSkip = skip && g.condition ? skippedByConditionNote(g.condition) : undefined;
        const branches = g.branches.map((b) => ({ ...b, steps: b.steps.map((x) => ({ ...x, ...predictedDiagram(x, groupSkip) })) }));
        steps.push({
          ...base,
          remaining: true,
          who: [],
          approvers: [],
          why: null,
          skip,
          ...g,
          branches,
          ...predictedDiagram({ skip, condition: g.condition }, groupSkip),
        });
      } else {
        const p = await predictHumanStep(deps.db, calendars, subject, st);
        steps.push({ ...base, ...p, ...predictedDiagram(p) });
      }
    }
    res.json({ chain: { key: def.key, name: def.name, type: def.type }, sample: { ...sample, applicantOrgName: applicantOrg.name }, steps });
  });

  return router;
}
