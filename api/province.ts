/**
 * The province's view across its cities (全省概览) and its bulletin of
 * cities (全省通报):
 *
 * - `GET /api/orgs/:id/overview?year=` — for a province, its cities'
 *   campaigns of the year (default: the current Beijing year) with completion
 *   by city against targets (counted as the city bulletin counts), the
 *   cities' ranking, overdue work per city (逾期事项 / 督办 / 问责 and approvals
 *   past their limit), each campaign's phase and each city's configuration
 *   (groups, the industry union of each group, targets). For a city, the same
 *   document with the city alone.
 * - `GET /api/orgs/:id/bulletins` — the province's bulletins and its schedule;
 *   `POST /api/orgs/:id/bulletins` issues one now (province admin);
 *   `POST /api/orgs/:id/bulletins/schedule` `{ every: 'P1M'…'P12M' }` sets the
 *   period and (re)creates the Temporal Schedule.
 * - `GET /api/province-bulletins/:id?format=json|html|csv|xlsx&lang=zh|en`.
 *
 * Who may: domain/policy.ts (readOrgOverview, readProvinceBulletins, runProvinceBulletins).
 */
import express, { type Router } from 'express';
import type { ScheduleOptionsAction } from '@temporalio/client';
import {
  MONTHS,
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  WorkflowExecutionAlreadyStartedError,
  type Client,
} from '@temporalio/client';
import { z } from 'zod';
import type { Db } from '../db/knex';
import { getOrg } from '../db/org-repository';
import {
  getProvinceBulletin,
  getProvinceBulletinSettings,
  listProvinceBulletins,
  readProvinceRaw,
  saveProvinceBulletinSettings,
} from '../db/province-repository';
import {
  beijingYear,
  composeProvinceOverview,
  PROVINCE_PERIOD,
  provinceBulletinScheduleId,
  provinceEveryLabel,
  provinceEveryMonths,
  provinceFireMonths,
} from '../domain/province';
import { renderProvinceBulletinHtml } from '../domain/province-html';
import { PROVINCE_TABLE_KEYS } from '../domain/province-tables';
import { readOrgOverview, readProvinceBulletins, runProvinceBulletins } from '../domain/policy';
import { provinceBulletinWorkflow } from '../workflows';
import type { ProvinceBulletinInput, ProvinceBulletinResult } from '../workflows/province-bulletin-types';
import { idFromKey, newId } from './approvals-service';
import { callerOf, type Caller } from './auth';
import { enforce, HttpError, notFound, parseOr400 } from './errors';
import { idempotencyKeyOf, idempotent } from './idempotency';
import { admitTemporalWork } from './admission';
import { lookupNames } from './names';
import { registerRoutes } from './openapi';
import { provinceBulletinCsv, provinceBulletinXlsx } from './province-formats';
import { mapTemporalError } from './temporal-errors';

const yearQuery = z.object({
  year: z.coerce
    .number({ error: '年度须为数字 / year must be a number' })
    .int('年度须为整数 / year must be a whole number')
    .min(2000, '年度须在 2000–2100 之间 / year between 2000 and 2100')
    .max(2100, '年度须在 2000–2100 之间 / year between 2000 and 2100')
    .optional(),
});
const issueSchema = z.strictObject({
  year: z
    .number({ error: '年度须为数字 / year must be a number' })
    .int('年度须为整数 / year must be a whole number')
    .min(2000, '年度须在 2000–2100 之间 / year between 2000 and 2100')
    .max(2100, '年度须在 2000–2100 之间 / year between 2000 and 2100')
    .optional(),
});
const scheduleSchema = z.strictObject({
  every: z
    .string({ error: '必填：P1M（每月）至 P12M（每年）/ required: P1M to P12M' })
    .regex(PROVINCE_PERIOD, '通报周期须为 P1M（每月）至 P12M（每年）/ the period must be P1M to P12M'),
});
const formatQuery = z.object({
  format: z.enum(['json', 'html', 'csv', 'xlsx'], { error: '格式须为 json、html、csv 或 xlsx / format must be json, html, csv or xlsx' }).default('json'),
  table: z.enum(PROVINCE_TABLE_KEYS as [string, ...string[]], { error: '表须为 cities、ranking、campaigns 或 configuration / unknown table' }).optional(),
  lang: z.enum(['zh', 'en'], { error: '语言须为 zh 或 en / lang must be zh or en' }).default('zh'),
});

registerRoutes({
  '/api/orgs/{id}/overview': {
    get: {
      summary:
        '全省概览：各市本年度行动的完成率（按各市通报口径）、排名、逾期（督办、问责）、阶段与配置；市总为本市 / the province’s view across its cities (a city: itself)',
      query: ['year'],
    },
  },
  '/api/orgs/{id}/bulletins': {
    get: { summary: '全省通报列表与通报计划 / the province’s bulletins of cities and their schedule' },
    post: { summary: '立即发布一期全省通报（省总管理员）/ issue a province bulletin now (province admin)', ok: 201, body: issueSchema },
  },
  '/api/orgs/{id}/bulletins/schedule': {
    post: { summary: '设置全省通报周期 P1M–P12M（省总管理员）/ set the province bulletin’s period', body: scheduleSchema },
  },
  '/api/province-bulletins/{id}': {
    get: { summary: '一期全省通报：json、html（可打印）、csv、xlsx；lang=zh|en / one province bulletin', query: ['format', 'table', 'lang'] },
  },
});

export interface ProvinceDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
}

/** How long POST …/bulletins waits for the bulletin before answering 503. */
const ISSUE_WAIT_MS = 60_000;
const PRINT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

async function loadOrg(db: Db, id: string) {
  const org = await getOrg(db, id);
  return org ? { id: org.id, name: org.name, path: org.path, kind: org.kind } : undefined;
}

/** Creates or updates the province's schedule: one run at each period end (Beijing time), the period's months in its input. */
export async function upsertProvinceSchedule(temporal: Client, taskQueue: string, orgId: string, every: string): Promise<void> {
  const months = provinceEveryMonths(every);
  const scheduleId = provinceBulletinScheduleId(orgId);
  const input: ProvinceBulletinInput = { provinceOrg: orgId, kind: 'scheduled', everyMonths: months };
  const action: ScheduleOptionsAction = {
    type: 'startWorkflow',
    workflowType: 'provinceBulletinWorkflow',
    args: [input],
    taskQueue,
    workflowId: `province-bulletin-${orgId}`,
    workflowRunTimeout: 3_600_000,
  };
  const spec = {
    calendars: [
      {
        month: provinceFireMonths(months).map((m) => MONTHS[m - 1]!),
        dayOfMonth: 1,
        hour: 0,
        minute: 0,
        second: 0,
        comment: provinceEveryLabel(every),
      },
    ],
    timezone: 'Asia/Shanghai',
  };
  const policies = { overlap: ScheduleOverlapPolicy.ALLOW_ALL, catchupWindow: 86_400_000, pauseOnFailure: false };
  const note = `全省通报：${provinceEveryLabel(every)}`;
  try {
    await temporal.schedule.create({ scheduleId, spec, action, policies, memo: { provinceOrg: orgId }, state: { note } });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await temporal.schedule.getHandle(scheduleId).update((prev) => ({ spec, action, policies, state: { paused: prev.state.paused, note } }));
  }
}

async function describeProvinceSchedule(temporal: Client, orgId: string) {
  try {
    const d = await temporal.schedule.getHandle(provinceBulletinScheduleId(orgId)).describe();
    return { scheduleId: d.scheduleId, paused: d.state.paused, nextRuns: d.info.nextActionTimes.slice(0, 3), recentRuns: d.info.recentActions.length };
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return null;
    throw mapTemporalError(err);
  }
}

const links = (id: string) => ({
  json: `/api/province-bulletins/${id}?format=json`,
  html: `/api/province-bulletins/${id}?format=html`,
  csv: `/api/province-bulletins/${id}?format=csv`,
  xlsx: `/api/province-bulletins/${id}?format=xlsx`,
});

export function provinceRoutes(deps: ProvinceDeps): Router {
  const router = express.Router();
  const { db, temporal } = deps;

  const provinceFor = async (caller: Caller, id: string, decide: typeof readProvinceBulletins) => {
    const org = await loadOrg(db, id);
    enforce(decide(caller, org));
    return org!;
  };

  router.get('/api/orgs/:id/overview', async (req, res) => {
    const caller = callerOf(req);
    const org = await loadOrg(db, req.params.id);
    enforce(readOrgOverview(caller, org));
    const q = parseOr400(yearQuery, req.query);
    const year = q.year ?? beijingYear(Date.now());
    const raw = await readProvinceRaw(db, org!.id, year);
    if (!raw) throw notFound('组织不存在 / org not found');
    res.json(composeProvinceOverview(raw));
  });

  router.get('/api/orgs/:id/bulletins', async (req, res) => {
    const caller = callerOf(req);
    const org = await provinceFor(caller, req.params.id, readProvinceBulletins);
    const settings = await getProvinceBulletinSettings(db, org.id);
    const rows = await listProvinceBulletins(db, org.id, 100);
    const book = await lookupNames(db, { users: rows.map((r) => r.issuedBy) });
    res.json({
      settings: settings ? { every: settings.every, label: provinceEveryLabel(settings.every), updatedAt: settings.updatedAt } : null,
      schedule: settings ? await describeProvinceSchedule(temporal, org.id) : null,
      items: rows.map((r) => ({
        id: r.id,
        seq: r.seq,
        label: r.label,
        kind: r.kind,
        year: r.year,
        period: { key: r.period, label: r.periodLabel },
        issuedAt: r.issuedAt,
        issuedByName: book.people.get(r.issuedBy)?.name ?? (r.issuedBy === 'system' ? '系统定期发布 / scheduled' : null),
        totals: r.totals,
        ranking: r.ranking,
        links: links(r.id),
      })),
    });
  });

  /** 临时通报: a province admin issues one now (201 with its id); the same Idempotency-Key gives the same bulletin. */
  router.post('/api/orgs/:id/bulletins', admitTemporalWork, idempotent(db), async (req, res) => {
    const caller = callerOf(req);
    const org = await provinceFor(caller, req.params.id as string, runProvinceBulletins);
    const body = parseOr400(issueSchema, req.body);
    const key = idempotencyKeyOf(req);
    const requestKey = key ? idFromKey(caller.username, key) : newId();
    const workflowId = `province-bulletin-${org.id}-adhoc-${requestKey}`;
    const input: ProvinceBulletinInput = { provinceOrg: org.id, kind: 'on_demand', issuedBy: caller.username, requestKey };
    let result: ProvinceBulletinResult;
    try {
      const handle = await temporal.workflow
        .start(provinceBulletinWorkflow, { taskQueue: deps.taskQueue, workflowId, args: [body.year ? { ...input, year: body.year } : input] })
        .catch((err) => {
          if (err instanceof WorkflowExecutionAlreadyStartedError) return temporal.workflow.getHandle(workflowId);
          throw err;
        });
      let timer: NodeJS.Timeout | undefined;
      result = await Promise.race([
        handle.result() as Promise<ProvinceBulletinResult>,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new HttpError(503, '通报仍在生成，请稍后查看 / the bulletin is still being built')), ISSUE_WAIT_MS);
        }),
      ]).finally(() => clearTimeout(timer));
    } catch (err) {
      throw mapTemporalError(err);
    }
    const b = await getProvinceBulletin(db, result.bulletinId);
    if (!b) throw new HttpError(500, '通报未保存 / the bulletin was not stored');
    res
      .status(201)
      .json({ id: b.id, seq: b.seq, label: b.data.label, kind: b.kind, year: b.year, period: b.data.period, issuedAt: b.issuedAt, links: links(b.id) });
  });

  /** The province's period: saved, and its Temporal Schedule created or brought up to date. */
  router.post('/api/orgs/:id/bulletins/schedule', admitTemporalWork, idempotent(db), async (req, res) => {
    const caller = callerOf(req);
    const org = await provinceFor(caller, req.params.id as string, runProvinceBulletins);
    const body = parseOr400(scheduleSchema, req.body);
    try {
      await upsertProvinceSchedule(temporal, deps.taskQueue, org.id, body.every);
    } catch (err) {
      throw mapTemporalError(err);
    }
    await saveProvinceBulletinSettings(db, org.id, body.every, caller.username);
    res.json({ every: body.every, label: provinceEveryLabel(body.every), schedule: await describeProvinceSchedule(temporal, org.id) });
  });

  router.get('/api/province-bulletins/:id', async (req, res) => {
    const caller = callerOf(req);
    const q = parseOr400(formatQuery, req.query);
    const b = await getProvinceBulletin(db, req.params.id);
    if (!b) throw notFound('通报不存在 / bulletin not found');
    const decision = readProvinceBulletins(caller, await loadOrg(db, b.orgId));
    // Whoever may not see the province learns nothing of its bulletins.
    if (!decision.allow && decision.status === 404) throw notFound('通报不存在 / bulletin not found');
    enforce(decision);
    const d = b.data;
    const name = `${d.province.name}-全省通报-${d.label}`.replace(/[\\/:*?"<>|\r\n]/g, '_');
    const attach = (ext: string) =>
      res.setHeader('Content-Disposition', `attachment; filename="province-bulletin-${d.id}.${ext}"; filename*=UTF-8''${encodeURIComponent(`${name}.${ext}`)}`);
    switch (q.format) {
      case 'json':
        res.json(d);
        return;
      case 'html':
        res.setHeader('Content-Security-Policy', PRINT_CSP);
        res.type('html').send(renderProvinceBulletinHtml(d, q.lang));
        return;
      case 'csv':
        attach('csv');
        res.type('text/csv; charset=utf-8').send(provinceBulletinCsv(d, q.table as never, q.lang));
        return;
      case 'xlsx':
        attach('xlsx');
        res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(await provinceBulletinXlsx(d, q.lang));
        return;
    }
  });

  return router;
}
