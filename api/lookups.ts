/**
 * Reads the web app needs around the contract's routes (the org tree is
 * api/orgs.ts's): the target groups, a staff directory for the
 * 转办 / 加签 pickers, the caller's notifications, and (api/allowed-actions.ts)
 * what the caller may do on a task or an application now.
 * Mounted after the authentication middleware.
 */
import express, { type Router } from 'express';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { countUnreadNotifications, listNotifications, markNotificationsRead, notificationOwners } from '../db/approval-repository';
import { listDirectoryUsers } from '../db/directory-repository';
import type { Db } from '../db/knex';
import { listAncestors, listIndustryUnionsByCity, listTargetGroups } from '../db/org-repository';
import { callerOf } from './auth';
import { directoryScope, readNotification } from '../domain/policy';
import { enforce, parseOr400 } from './errors';
import { beijingTime, EXPORT_MAX_ROWS, exportFormat, sendTable, zhOnly } from './list-export';
import { dateOrTime, timeRange } from './task-views';
import { allowedActionRoutes } from './allowed-actions';
import { idempotent } from './idempotency';
import { registerRoutes } from './openapi';

/** A notification id (its bigint key). */
const notificationId = z.string().regex(/^[1-9]\d{0,17}$/, '消息编号无效 / not a notification id');

/** Notification kinds, in Chinese (the filter's values and the export's 类别). */
export const NOTIFICATION_KINDS: Record<string, string> = {
  reminder: '提醒',
  urge: '催办',
  cc: '抄送',
  escalation: '督办',
  returned: '退回',
  decided: '办结',
  bulletin: '通报',
};

/** GET /api/notifications: filters by kind, read state, date and text; a page, or with format=csv|xlsx a download. */
const notificationListQuery = z.object({
  kind: z.enum(Object.keys(NOTIFICATION_KINDS) as [string, ...string[]], { error: '未知的消息类别 / unknown kind' }).optional(),
  read: z.enum(['true', 'false'], { error: '须为 true 或 false / true or false' }).optional(),
  from: dateOrTime.optional(),
  to: dateOrTime.optional(),
  q: z.string().trim().max(100, '最多 100 字 / at most 100 characters').optional(),
  limit: z.coerce.number({ error: '须为数字 / a number' }).int().min(1, '至少 1 / at least 1').max(200, '最多 200 / at most 200').default(50),
  cursor: notificationId.optional(),
  format: exportFormat,
});

const readSchema = z
  .object({
    ids: z.array(notificationId).min(1).max(500).optional(),
    all: z.literal(true).optional(),
  })
  .strict()
  .refine((b) => (b.ids === undefined) !== (b.all === undefined), {
    message: '须给出 ids 或 all（二选一）/ give either ids or all: true',
    path: ['ids'],
  });

registerRoutes({
  '/api/groups': { get: { summary: '重点群体 / target groups' } },
  '/api/directory': { get: { summary: '同事目录（转办、加签选人）/ colleagues for transfer and add-signer pickers', query: ['q', 'limit'] } },
  '/api/notifications': {
    get: {
      summary:
        '我的消息（最新在前，每条带所指页面 link 与已读时间 readAt；unread 为未读条数；nextCursor 取下一页）/ the caller’s notifications, newest first, each with the web route it is about and when it was read; the unread count; nextCursor for the next page',
      query: ['kind', 'read', 'from', 'to', 'q', 'limit', 'cursor', 'format'],
    },
  },
  '/api/notifications/read': {
    post: {
      summary:
        '标为已读：本人的指定消息（ids）或全部（all）；他人的或不存在的消息 404，一条也不改 / mark the caller’s notifications read: these ids, or all; an id that is not the caller’s answers 404 and nothing changes',
      body: readSchema,
    },
  },
});

export interface LookupDeps {
  db: Db;
  temporal: Client;
}

export function lookupRoutes(deps: LookupDeps): Router {
  const router = express.Router();
  const { db } = deps;

  router.get('/api/groups', async (_req, res) => {
    const [groups, byCity] = await Promise.all([listTargetGroups(db), listIndustryUnionsByCity(db)]);
    res.json({ items: groups.map((g) => ({ id: g.id, name: g.name, industryUnion: g.industryUnionId, industryUnionByCity: byCity[g.id] ?? {} })) });
  });

  /** Colleagues to hand a task to or add as signers: the caller's city (or province) and the orgs above it. */
  router.get('/api/directory', async (req, res) => {
    const caller = callerOf(req);
    const q = parseOr400(z.object({ q: z.string().trim().max(50).optional(), limit: z.coerce.number().int().min(1).max(500).default(200) }), req.query);
    const ancestors = await listAncestors(db, caller.orgId);
    const items = await listDirectoryUsers(db, {
      pathPrefix: directoryScope(caller).pathPrefix,
      orgIds: ancestors.map((o) => o.id),
      q: q.q || undefined,
      limit: q.limit,
    });
    res.json({ items });
  });

  /** The caller's notifications (reminders, escalations, returns, decisions, bulletins), a page at a time, and how many are unread. */
  router.get('/api/notifications', async (req, res) => {
    const caller = callerOf(req);
    const q = parseOr400(notificationListQuery, req.query);
    const filters = { kind: q.kind, read: q.read === undefined ? undefined : q.read === 'true', ...timeRange(q), q: q.q || undefined };
    if (q.format === 'csv' || q.format === 'xlsx') {
      const rows = await listNotifications(db, caller.username, { limit: EXPORT_MAX_ROWS }, filters);
      return sendTable(res, q.format, {
        title: '我的消息',
        ascii: 'notifications',
        columns: ['类别', '内容', '时间（北京时间）', '状态', '阅读时间（北京时间）'],
        rows: rows.map((n) => [
          NOTIFICATION_KINDS[n.kind] ?? '消息',
          zhOnly(n.message),
          beijingTime(n.createdAt),
          n.readAt ? '已读' : '未读',
          beijingTime(n.readAt),
        ]),
      });
    }
    const [rows, unread] = await Promise.all([
      listNotifications(db, caller.username, { limit: q.limit + 1, cursor: q.cursor }, filters),
      countUnreadNotifications(db, caller.username),
    ]);
    const items = rows.slice(0, q.limit);
    res.json({ items, nextCursor: rows.length > q.limit ? items[items.length - 1]!.id : null, unread });
  });

  /** Marks the caller's notifications read: the ids given (each must be theirs), or all of them. */
  router.post('/api/notifications/read', idempotent(db), async (req, res) => {
    const caller = callerOf(req);
    const body = parseOr400(readSchema, req.body);
    if (body.ids) {
      const ids = [...new Set(body.ids)];
      const owners = new Map((await notificationOwners(db, ids)).map((o) => [o.id, o]));
      for (const id of ids) enforce(readNotification(caller, owners.get(id)));
    }
    const marked = await markNotificationsRead(db, caller.username, body.ids ? [...new Set(body.ids)] : 'all');
    res.json({ marked, unread: await countUnreadNotifications(db, caller.username) });
  });

  // What the caller may do on a task or an application now, and why not the rest.
  router.use(allowedActionRoutes(deps));

  return router;
}
