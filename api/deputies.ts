/**
 * 代理/委托 (deputies while away): a person, or an admin above them, names a
 * deputy for a time range, optionally for some application types only. Steps
 * that start during the range go to the deputy (activities/route-resolution.ts);
 * the range ends by itself. Who may do this, and who may be a deputy, is the
 * policy's (domain/policy.ts `manageDeputy`, `deputyTarget`); every change is
 * in the administration record, in the same transaction.
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import { recordAdminChange } from '../db/admin-audit-repository';
import { currentDeputyRange, endDeputyRange, setDeputyRange, type DeputyRange } from '../db/deputy-repository';
import type { Db } from '../db/knex';
import { listUsersWithOrgPath } from '../db/user-repository';
import { APPLICATION_TYPES } from '../domain/chain';
import { deputyTarget, manageDeputy, type TargetFacts } from '../domain/policy';
import { callerOf } from './auth';
import { badRequest, enforce, parseOr400 } from './errors';
import { registerRoutes } from './openapi';
import { isoDate, isoDateTime } from './validation';

/** The longest range one may name a deputy for. */
export const MAX_DEPUTY_DAYS = 90;
const DAY_MS = 86_400_000;

/** A date is a whole day in Beijing time (UTC+8): `from` starts at its 00:00, `to` ends at the end of its day. */
const dateOrTime = z.union([isoDate(), isoDateTime()], {
  error: '须为日期（YYYY-MM-DD，北京时间）或带时区的 ISO 8601 时间 / a date (YYYY-MM-DD, Beijing time) or an ISO 8601 time with offset',
});

export const deputySchema = z.object({
  deputy: z.string().trim().min(1, '请选择代理人 / choose a deputy').max(100),
  from: dateOrTime,
  to: dateOrTime,
  types: z
    .array(z.enum(APPLICATION_TYPES, { error: `申请类型须为 ${APPLICATION_TYPES.join('、')} 之一 / one of ${APPLICATION_TYPES.join(', ')}` }))
    .min(1, '至少选择一种申请类型，或省略表示全部 / at least one type, or leave it out for all')
    .max(APPLICATION_TYPES.length)
    .nullable()
    .optional(),
});

registerRoutes({
  '/api/users/{username}/deputy': {
    get: { summary: '查看代理人设置（本人或其上级管理员）/ a person’s deputy range in force or ahead (the person, or an admin above them)' },
    put: {
      summary:
        '设置不在岗期间的代理人（本人或其上级管理员；替换现有设置）：期间开始的审批步骤交代理人办理 / name a deputy for a date range (the person, or an admin above them; replaces the current one): steps starting in the range go to the deputy',
      body: deputySchema,
    },
    delete: { summary: '提前结束代理 / end the deputy range now' },
  },
});

function instant(v: string, end: boolean): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const start = Date.parse(`${v}T00:00:00+08:00`);
    return new Date(end ? start + DAY_MS : start);
  }
  return new Date(v);
}

function rangeView(r: DeputyRange, now = new Date()) {
  return {
    deputy: r.deputy,
    deputyName: r.deputyName,
    from: r.startsAt.toISOString(),
    to: r.endsAt.toISOString(),
    types: r.types,
    active: r.startsAt <= now,
    createdBy: r.createdBy,
  };
}

async function person(db: Db, username: string): Promise<TargetFacts | undefined> {
  const [row] = await listUsersWithOrgPath(db, [username]);
  return row ? { username: row.username, active: row.active, orgPath: row.orgPath } : undefined;
}

export function deputyRoutes(deps: { db: Db }): Router {
  const router = express.Router();

  /** The person's deputy range in force or ahead (null when none). */
  router.get('/api/users/:username/deputy', async (req, res) => {
    const caller = callerOf(req);
    const subject = await person(deps.db, req.params.username);
    enforce(manageDeputy(caller, subject));
    const r = await currentDeputyRange(deps.db, subject!.username);
    res.json({ username: subject!.username, deputy: r ? rangeView(r) : null });
  });

  /** Names a deputy; replaces the range in force or ahead, if any (one at a time). */
  router.put('/api/users/:username/deputy', async (req, res) => {
    const caller = callerOf(req);
    const subject = await person(deps.db, req.params.username);
    enforce(manageDeputy(caller, subject));
    const absent = subject!;
    const body = parseOr400(deputySchema, req.body);
    const now = new Date();
    const startsAt = instant(body.from, false);
    const endsAt = instant(body.to, true);
    const bad: { path: string; message: string }[] = [];
    if (endsAt <= startsAt) bad.push({ path: 'to', message: '结束须晚于开始 / must be after `from`' });
    else if (endsAt.getTime() - startsAt.getTime() > MAX_DEPUTY_DAYS * DAY_MS)
      bad.push({ path: 'to', message: `代理期限最长 ${MAX_DEPUTY_DAYS} 天 / at most ${MAX_DEPUTY_DAYS} days` });
    if (endsAt <= now) bad.push({ path: 'to', message: '结束时间已过 / already in the past' });
    const deputy = await person(deps.db, body.deputy);
    if (!deputy || !deputy.active) bad.push({ path: 'deputy', message: `用户 ${body.deputy} 不存在或已停用 / unknown or inactive user` });
    else if (deputy.username === absent.username) bad.push({ path: 'deputy', message: '不能指定本人为代理人 / you cannot be your own deputy' });
    if (bad.length) throw badRequest('请求内容有误，请检查标出的字段 / invalid fields', bad);
    enforce(deputyTarget(absent, deputy));
    const types = body.types ? [...new Set(body.types)] : null;
    const result = await deps.db.transaction(async (trx) => {
      const set = await setDeputyRange(trx, { username: absent.username, deputy: deputy!.username, startsAt, endsAt, types, createdBy: caller.username }, now);
      await recordAdminChange(trx, {
        actor: caller.username,
        action: 'deputy.set',
        subjectKind: 'deputy',
        subjectId: absent.username,
        orgPath: absent.orgPath,
        data: {
          deputy: deputy!.username,
          from: startsAt.toISOString(),
          to: endsAt.toISOString(),
          types,
          ...(set.replaced ? { replaced: { deputy: set.replaced.deputy, from: set.replaced.startsAt, to: set.replaced.endsAt } } : {}),
        },
      });
      return set;
    });
    res.json({
      username: absent.username,
      deputy: rangeView(result.range, now),
      replaced: result.replaced ? rangeView(result.replaced, now) : null,
    });
  });

  /** Ends the range in force (or cancels the one ahead) now; the person's new steps are theirs again. */
  router.delete('/api/users/:username/deputy', async (req, res) => {
    const caller = callerOf(req);
    const subject = await person(deps.db, req.params.username);
    enforce(manageDeputy(caller, subject));
    const now = new Date();
    const ended = await deps.db.transaction(async (trx) => {
      const r = await endDeputyRange(trx, subject!.username, now);
      if (r)
        await recordAdminChange(trx, {
          actor: caller.username,
          action: 'deputy.end',
          subjectKind: 'deputy',
          subjectId: subject!.username,
          orgPath: subject!.orgPath,
          data: { deputy: r.deputy, from: r.startsAt, to: r.endsAt, endedAt: now.toISOString() },
        });
      return r;
    });
    res.json({ username: subject!.username, ended: ended ? rangeView(ended, now) : null });
  });

  return router;
}
