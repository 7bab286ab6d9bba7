/**
 * Chain definitions (审批链配置) and the working-day calendar, for admins.
 * A saved chain is validated, then stored as the next version of its key;
 * applications already running keep the version they started with.
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import { APPLICATION_TYPES, AUTO_STEPS, TASK_ACTIONS } from '../domain/chain';
import { isValidDuration, durationToMs } from '../domain/duration';
import { deleteCalendarDay, listCalendarDays, upsertCalendarDays } from '../db/calendar-repository';
import { getLatestChain, listChainVersions, listLatestChains, saveChainVersion } from '../db/chain-repository';
import type { Db } from '../db/knex';
import { callerOf, hasRole } from './auth';
import { badRequest, forbidden, notFound, parseOr400 } from './errors';
import { idempotent } from './idempotency';
import { requireUsers } from './applications';

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
  })
  .strict();
const autoStep = z.object({ id: stepId, name: z.string().trim().min(1).max(100), type: z.literal('auto'), activity: z.enum(AUTO_STEPS) }).strict();

export const chainSchema = z
  .object({
    key: z
      .string()
      .trim()
      .regex(/^[a-z][a-z0-9_-]{1,49}$/, '链编号：小写字母开头 / lower-case letters, digits, - or _'),
    name: z.string().trim().min(1).max(100),
    type: z.enum(APPLICATION_TYPES),
    steps: z
      .array(z.discriminatedUnion('type', [humanStep, autoStep]))
      .min(1, '至少一个步骤 / at least one step')
      .max(30),
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

export function chainRoutes(deps: { db: Db }): Router {
  const router = express.Router();

  router.get('/api/chains', async (_req, res) => {
    res.json({ items: await listLatestChains(deps.db), nextCursor: null });
  });

  router.get('/api/chains/:key', async (req, res) => {
    const chain = await getLatestChain(deps.db, req.params.key);
    if (!chain) throw notFound('审批链不存在 / chain not found');
    res.json({ ...chain, versions: await listChainVersions(deps.db, chain.key) });
  });

  router.post('/api/chains', idempotent(deps.db), async (req, res) => {
    const caller = callerOf(req);
    if (!hasRole(caller, 'admin')) throw forbidden('只有管理员可以配置审批链 / only admins configure chains');
    const def = parseOr400(chainSchema, req.body);
    const named = def.steps.flatMap((st, i) => (st.type === 'human' && st.who.kind === 'users' ? st.who.usernames.map((u) => ({ u, i })) : []));
    for (const { u, i } of named) await requireUsers(deps.db, [u], `steps.${i}.who.usernames`);
    const existing = await getLatestChain(deps.db, def.key);
    if (existing && existing.type !== def.type)
      throw badRequest('不能改变已有审批链的申请类型 / a chain keeps its type', [{ path: 'type', message: `is ${existing.type}` }]);
    const saved = await saveChainVersion(deps.db, def, caller.username);
    res.status(201).json(saved);
  });

  router.get('/api/calendar', async (req, res) => {
    const q = parseOr400(z.object({ year: z.coerce.number().int().min(2000).max(2100).optional() }), req.query);
    res.json({ items: await listCalendarDays(deps.db, q.year), nextCursor: null });
  });

  const dateParam = z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式为 YYYY-MM-DD / date must be YYYY-MM-DD')
    .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), '无效日期 / invalid date');

  router.put('/api/calendar/:date', async (req, res) => {
    const caller = callerOf(req);
    if (!hasRole(caller, 'admin')) throw forbidden('只有管理员可以修改工作日历 / only admins edit the calendar');
    const date = parseOr400(dateParam, req.params.date);
    const body = parseOr400(z.object({ kind: z.enum(['holiday', 'workday']), name: z.string().trim().max(50).default('') }).strict(), req.body);
    await upsertCalendarDays(deps.db, [{ date, kind: body.kind, name: body.name }]);
    res.json({ date, ...body });
  });

  router.delete('/api/calendar/:date', async (req, res) => {
    const caller = callerOf(req);
    if (!hasRole(caller, 'admin')) throw forbidden('只有管理员可以修改工作日历 / only admins edit the calendar');
    const date = parseOr400(dateParam, req.params.date);
    if (!(await deleteCalendarDay(deps.db, date))) throw notFound('该日期没有特别安排 / no entry for that date');
    res.status(204).end();
  });

  return router;
}
