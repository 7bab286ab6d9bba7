/**
 * Records for the admins who answer for personal data:
 *
 * - GET /api/audit/reveals — the reveal audit (个人信息查看记录): each time
 *   someone was shown a worker's full ID or phone number (the audited
 *   `?reveal=personal` of a task): who, when, which application, which step,
 *   which fields. Admins, for applications in their subtree (policy
 *   `readRevealAudit`, `revealAuditScope`).
 * - GET /api/retention/runs — the daily retention runs (数据保留) with their
 *   counts. City and province admins (policy `readRetentionRuns`).
 *
 * Both newest first, paged by `limit` and an opaque `cursor`.
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import { listReveals } from '../db/audit-repository';
import type { Db } from '../db/knex';
import { listRetentionRuns } from '../db/retention-repository';
import { listAdminChanges } from '../db/admin-audit-repository';
import { getOrg } from '../db/org-repository';
import { readAdminAudit, readRetentionRuns, readRevealAudit, revealAuditScope, scopesWith, within } from '../domain/policy';
import { callerOf } from './auth';
import { badRequest, enforce, notFound, parseOr400 } from './errors';
import { registerRoutes } from './openapi';
import { isoDateTime } from './validation';

registerRoutes({
  '/api/audit/reveals': {
    get: {
      summary:
        '个人信息查看记录（管理员，本级及下级的申请）：谁、何时、哪个申请、哪一步、哪些字段 / the personal-data view log (admins, applications in their subtree): who, when, which application, step and fields',
      query: ['from', 'to', 'actor', 'limit', 'cursor'],
    },
  },
  '/api/audit/admin': {
    get: {
      summary: '管理操作记录（管理员，本级及下级）：组织、账号、岗位的变更 / the administration record (admins, their subtrees)',
      query: ['org', 'subject', 'limit', 'cursor'],
    },
  },
  '/api/retention/runs': {
    get: { summary: '数据保留运行记录（市总、省总管理员）/ the retention runs with their counts (city and province admins)', query: ['limit', 'cursor'] },
  },
});

export interface AuditDeps {
  db: Db;
}

const cursor = z
  .string()
  .regex(/^\d{1,18}$/, '无效的分页游标 / invalid cursor')
  .optional();
const limit = z.coerce.number().int().min(1).max(200).default(50);

const revealQuery = z.object({
  from: isoDateTime().optional(),
  to: isoDateTime().optional(),
  actor: z.string().trim().min(1).max(100).optional(),
  limit,
  cursor,
});

export function auditRoutes(deps: AuditDeps): Router {
  const router = express.Router();

  router.get('/api/audit/reveals', async (req, res) => {
    const caller = callerOf(req);
    enforce(readRevealAudit(caller));
    const q = parseOr400(revealQuery, req.query);
    if (q.from && q.to && Date.parse(q.from) > Date.parse(q.to))
      throw badRequest('起始时间晚于结束时间 / `from` is after `to`', [{ path: 'to', message: '须不早于起始时间 / must not be before `from`' }]);
    const rows = await listReveals(deps.db, {
      ...revealAuditScope(caller),
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
      actor: q.actor,
      beforeId: q.cursor,
      limit: q.limit + 1,
    });
    const page = rows.slice(0, q.limit);
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      items: page.map((r) => ({
        id: r.id,
        at: r.at,
        actor: { username: r.actor, name: r.actorName },
        application: { id: r.applicationId, type: r.applicationType, title: r.title, reference: r.reference },
        step: r.step,
        stepIndex: r.stepIndex,
        taskId: r.taskId,
        fields: r.fields,
      })),
      nextCursor: rows.length > q.limit ? page[page.length - 1]!.id : null,
    });
  });

  router.get('/api/audit/admin', async (req, res) => {
    const caller = callerOf(req);
    enforce(readAdminAudit(caller));
    const q = parseOr400(
      z.object({ org: z.string().trim().min(1).max(100).optional(), subject: z.string().trim().min(1).max(100).optional(), limit, cursor }),
      req.query,
    );
    const scopes = scopesWith(caller, 'admin');
    let prefixes: string[] = scopes;
    if (q.org) {
      const org = await getOrg(deps.db, q.org);
      if (!org || !scopes.some((s) => within(org.path, s))) throw notFound('组织不存在 / org not found');
      prefixes = [org.path];
    }
    const rows = await listAdminChanges(deps.db, { pathPrefix: prefixes, subjectId: q.subject, beforeId: q.cursor, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    res.setHeader('Cache-Control', 'no-store');
    res.json({ items: page.map((r) => ({ ...r, id: String(r.id) })), nextCursor: rows.length > q.limit ? String(page[page.length - 1]!.id) : null });
  });

  router.get('/api/retention/runs', async (req, res) => {
    const caller = callerOf(req);
    enforce(readRetentionRuns(caller));
    const q = parseOr400(z.object({ limit, cursor }), req.query);
    const rows = await listRetentionRuns(deps.db, { beforeId: q.cursor, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    res.json({
      items: page.map(({ runKey: _key, ...r }) => r),
      nextCursor: rows.length > q.limit ? page[page.length - 1]!.id : null,
    });
  });

  return router;
}
