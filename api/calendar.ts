/**
 * The working calendar (工作日历): the official holidays and 调休 working days
 * (the State Council's notices, from the library chinese-days) and the
 * overrides admins set on top for their org's subtree — a year announced
 * after the library's release, a local holiday. Everyone signed in reads it;
 * admins of a city or the province edit their org's overrides
 * (domain/policy.ts editCalendar). Every change is in the administration record.
 */
import express, { type Router } from 'express';
import { lookupNames } from './names';
import { z } from 'zod';
import { composeCalendar, officialYearCovered } from '../domain/official-calendar';
import { toCstDateString } from '../domain/calendar';
import { editCalendar, readCalendar } from '../domain/policy';
import { deleteOverride, getOverride, listOverridesFor, upsertOverride } from '../db/calendar-repository';
import type { Db } from '../db/knex';
import { getOrg } from '../db/org-repository';
import { recordAdminChange } from '../db/admin-audit-repository';
import { callerOf } from './auth';
import { enforce, notFound, parseOr400 } from './errors';
import { isoDate } from './validation';

const orgId = z.string().trim().min(1).max(64);
const dateParams = z.object({ date: isoDate() });

/** PUT /api/calendar/:date: the override of an org (the caller's own when `org` is left out). */
export const calendarOverrideSchema = z
  .object({ kind: z.enum(['holiday', 'workday']), name: z.string().trim().max(50).default(''), org: orgId.optional() })
  .strict();

export function calendarRoutes(deps: { db: Db }): Router {
  const router = express.Router();

  /** The caller's own org kind and the target org (the caller's own when not named). */
  async function target(caller: ReturnType<typeof callerOf>, org: string | undefined) {
    const own = await getOrg(deps.db, caller.orgId);
    const subject = org === undefined || org === caller.orgId ? own : await getOrg(deps.db, org);
    return { callerOrgKind: own?.kind ?? '', subject };
  }

  router.get('/api/calendar', async (req, res) => {
    const caller = callerOf(req);
    const q = parseOr400(z.object({ year: z.coerce.number().int().min(2000).max(2100).optional(), org: orgId.optional() }), req.query);
    enforce(readCalendar(caller));
    const year = q.year ?? Number(toCstDateString(new Date()).slice(0, 4));
    const { callerOrgKind, subject: org } = await target(caller, q.org);
    if (!org) throw notFound('组织不存在 / org not found');
    // Whether the caller may edit this org's overrides (the page offers editing only then).
    const canEdit = editCalendar(caller, callerOrgKind, org.path).allow;
    const rows = await listOverridesFor(deps.db, org.id, year);
    // Who set each override, by name (never a login).
    const book = await lookupNames(deps.db, { users: rows.map((o) => o.createdBy) });
    const overrides = rows.map((o) => ({ ...o, createdByName: book.people.get(o.createdBy)?.name ?? null }));
    const orgNames = new Map(overrides.map((o) => [o.orgId, o.orgName]));
    const items = composeCalendar([year], overrides).map((d) => (d.orgId ? { ...d, orgName: orgNames.get(d.orgId) } : d));
    res.json({ year, org: { id: org.id, name: org.name }, canEdit, officialCovered: officialYearCovered(year), items, overrides, nextCursor: null });
  });

  router.put('/api/calendar/:date', async (req, res) => {
    const caller = callerOf(req);
    const { date } = parseOr400(dateParams, req.params);
    const body = parseOr400(calendarOverrideSchema, req.body);
    const { callerOrgKind, subject } = await target(caller, body.org);
    enforce(editCalendar(caller, callerOrgKind, subject?.path ?? ''));
    const org = subject!;
    await deps.db.transaction(async (trx) => {
      const before = await getOverride(trx, date, org.id);
      await upsertOverride(trx, { date, kind: body.kind, name: body.name, orgId: org.id, createdBy: caller.username });
      await recordAdminChange(trx, {
        actor: caller.username,
        action: 'calendar.override',
        subjectKind: 'calendar',
        subjectId: `${org.id}:${date}`,
        orgPath: org.path,
        data: { before: before ? { kind: before.kind, name: before.name } : null, after: { kind: body.kind, name: body.name } },
      });
    });
    res.json({ date, kind: body.kind, name: body.name, org: org.id });
  });

  router.delete('/api/calendar/:date', async (req, res) => {
    const caller = callerOf(req);
    const { date } = parseOr400(dateParams, req.params);
    const q = parseOr400(z.object({ org: orgId.optional() }).strict(), req.query);
    const { callerOrgKind, subject } = await target(caller, q.org);
    enforce(editCalendar(caller, callerOrgKind, subject?.path ?? ''));
    const org = subject!;
    const deleted = await deps.db.transaction(async (trx) => {
      const before = await getOverride(trx, date, org.id);
      if (!before || !(await deleteOverride(trx, date, org.id))) return false;
      await recordAdminChange(trx, {
        actor: caller.username,
        action: 'calendar.override.delete',
        subjectKind: 'calendar',
        subjectId: `${org.id}:${date}`,
        orgPath: org.path,
        data: { before: { kind: before.kind, name: before.name }, after: null },
      });
      return true;
    });
    if (!deleted) throw notFound('该组织在该日期没有特别安排 / no override of that org on that date');
    res.status(204).end();
  });

  return router;
}
