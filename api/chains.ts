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
import { AUTO_STEPS, BUILTIN_ONLY_AUTO_STEPS, CONFIGURABLE_TYPES, TASK_ACTIONS } from '../domain/chain';
import { diffChains } from '../domain/chain-diff';
import { FORM_LIMITS, withExplicitOrder } from '../domain/form';
import { chainSafetyIssues } from '../domain/chain-safety';
import { isValidDuration, durationToMs } from '../domain/duration';
import { proposeChain, readChain } from '../domain/policy';
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
      .array(z.discriminatedUnion('type', [humanStep, autoStep]))
      .min(1, '至少一个步骤 / at least one step')
      .max(30),
    /** The application type's form (申请表单): JSON Schema 2020-12 and its rjsf uiSchema (api/forms.ts). */
    form: formDefinitionSchema.optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.steps.forEach((st, i) => {
      if (seen.has(st.id)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'id'], message: '步骤编号重复 / duplicate step id' });
      seen.add(st.id);
      if (st.type === 'human' && st.who.kind === 'role' && st.who.level === 'target' && c.type !== 'membership' && c.type !== 'transfer')
        ctx.addIssue({
          code: 'custom',
          path: ['steps', i, 'who', 'level'],
          message: 'target 仅用于入会和转会 / target applies to membership and transfer only',
        });
    });
    if (!c.steps.some((st) => st.type === 'human'))
      ctx.addIssue({ code: 'custom', path: ['steps'], message: '至少需要一个人工审批步骤 / at least one human step' });
  });

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
  router.post('/api/chains', idempotent(deps.db), async (req, res) => {
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
    const named = def.steps.flatMap((st, i) => (st.type === 'human' && st.who.kind === 'users' ? st.who.usernames.map((u) => ({ u, i })) : []));
    for (const { u, i } of named) await requireUsers(deps.db, [u], `steps.${i}.who.usernames`);

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

  return router;
}
