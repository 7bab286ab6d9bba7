/**
 * Progress bulletins (通报): a campaign's list, the city admin's on-demand
 * issue, the bulletin schedule (pause / resume), one bulletin as JSON, a
 * print-friendly HTML page, CSV or an Excel workbook, its deliveries, and a
 * supervisor's "my bulletins".
 *
 * Who reads bulletins: at the city federation and above (the province sees
 * all its cities), supervisors, admins and staff; in a participating region
 * (县区总工会 / 产业工会) its own staff and admins — a 通报 is circulated to
 * every region, so they see the whole bulletin, other regions and the
 * ranking included. Anyone else who can see the campaign gets 403; whoever
 * cannot see it, 404.
 */
import express, { type Router } from 'express';
import { ScheduleNotFoundError, ScheduleOverlapPolicy, WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { bulletinScheduleId, reportEveryLabel, type BulletinData } from '../domain/bulletin';
import { renderBulletinHtml } from '../domain/bulletin-html';
import { TABLE_KEYS } from '../domain/bulletin-tables';
import { getCampaign, type CampaignRow } from '../db/campaign-repository';
import type { Db } from '../db/knex';
import { getReport, listCampaignReports, listDeliveries, listReportsDeliveredTo, markReportRead, type ReportRow } from '../db/report-repository';
import { bulletinWorkflow } from '../workflows';
import type { BulletinResult } from '../workflows/bulletin-types';
import { idFromKey, newId } from './approvals-service';
import jwt from 'jsonwebtoken';
import { callerForUser, callerOf, hmacKey, type Caller } from './auth';
import { campaignFacts, loadVisibleCampaign } from './campaign-access';
import { conflict, enforce, HttpError, notFound, parseOr400 } from './errors';
import { readBulletinDeliveries, readBulletins, runCampaign } from '../domain/policy';
import { idempotencyKeyOf, idempotent } from './idempotency';
import { admitTemporalWork } from './admission';
import { registerRoutes } from './openapi';
import { bulletinCsv, bulletinXlsx } from './report-formats';
import { lookupNames } from './names';
import { mapTemporalError } from './temporal-errors';

const scheduleSchema = z.object({ paused: z.boolean({ error: '须为 true 或 false / true or false' }), note: z.string().trim().max(500).optional() }).strict();

registerRoutes({
  '/api/campaigns/{id}/reports': {
    get: { summary: '行动的通报列表 / the campaign’s bulletins', query: ['limit', 'cursor'] },
    post: { summary: '立即发布一期通报（本市总管理员）/ issue a bulletin now (city admin)', ok: 201 },
  },
  '/api/campaigns/{id}/reports/schedule': {
    get: { summary: '通报计划：周期、是否暂停、下次与最近发布 / the bulletin schedule' },
    post: { summary: '暂停或恢复通报（恢复时补发一次）/ pause or resume the schedule (resuming catches up once)', body: scheduleSchema },
  },
  '/api/reports': { get: { summary: '我的通报 / bulletins delivered to the caller', query: ['limit', 'cursor'] } },
  '/api/reports/{id}': { get: { summary: '一期通报：json、html（可打印，含图表）、csv、xlsx / one bulletin', query: ['format', 'table', 'lang'] } },
  '/api/reports/{id}/print-link': {
    post: { summary: '打印版链接（5 分钟有效，打开 /print/reports/{id}）/ a 5-minute signed link to the print page', ok: 201 },
  },
  '/api/reports/{id}/deliveries': { get: { summary: '通报送达情况（市总及以上管理员、督办）/ deliveries per recipient and channel' } },
});

export interface ReportDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  /** Signs the bulletin print page's short-lived links. */
  jwtSecret: string;
}

/** How long a print link works: long enough to open it, too short to be worth forwarding. */
const PRINT_LINK_TTL_S = 300;
const PRINT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** How long POST …/reports waits for the bulletin to be built before answering 503. */
const ISSUE_WAIT_MS = 60_000;

const pageSchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(20),
  cursor: z
    .string()
    .regex(/^\d{1,12}$/, '无效的游标 / invalid cursor')
    .optional(),
});

export function mayReadBulletins(caller: Caller, c: CampaignRow): boolean {
  return readBulletins(caller, campaignFacts(c)).allow;
}

/** The campaign, if the caller may read its bulletins: 404 when it is out of their scope, 403 for their role. */
async function loadBulletinCampaign(db: Db, caller: Caller, campaignId: string): Promise<CampaignRow> {
  const c = await loadVisibleCampaign(db, caller, campaignId);
  enforce(readBulletins(caller, campaignFacts(c)));
  return c;
}

async function loadReadableReport(db: Db, caller: Caller, id: string) {
  const r = await getReport(db, id);
  if (!r) throw notFound('通报不存在 / bulletin not found');
  const c = await getCampaign(db, r.campaignId);
  if (!c) throw notFound('通报不存在 / bulletin not found');
  try {
    await loadVisibleCampaign(db, caller, c.id);
  } catch {
    throw notFound('通报不存在 / bulletin not found');
  }
  enforce(readBulletins(caller, campaignFacts(c)));
  return { report: r, campaign: c };
}

const links = (id: string) => ({
  json: `/api/reports/${id}?format=json`,
  html: `/api/reports/${id}?format=html`,
  csv: `/api/reports/${id}?format=csv`,
  xlsx: `/api/reports/${id}?format=xlsx`,
});

function headline(t: BulletinData['totals']) {
  return {
    newMembers: t.members.count,
    targetMembers: t.members.target,
    completion: t.completion,
    unionsEstablished: t.unions.established,
    onlineApplications: t.online.received,
    onlinePending: t.online.pending,
    overdue: t.overdue.deliverables,
    approvalsPastLimit: t.overdue.approvals,
    rectifying: t.rectifying,
  };
}

function summaryOf(r: ReportRow & { totals: BulletinData['totals']; label: string; periodLabel: string }) {
  return {
    id: r.id,
    campaignId: r.campaignId,
    seq: r.seq,
    label: r.label,
    kind: r.kind,
    period: { key: r.period, index: r.periodIndex, start: r.periodStart, end: r.periodEnd, label: r.periodLabel },
    issuedAt: r.issuedAt,
    issuedBy: r.issuedBy,
    dataAsOf: r.dataAsOf,
    headline: headline(r.totals),
    links: links(r.id),
  };
}

/** Who issued each bulletin of a page, by name (the schedule: 系统定期发布). */
async function issuerNames(db: Db, rows: { issuedBy: string }[]): Promise<(r: { issuedBy: string }) => { issuedByName: string | null }> {
  const book = await lookupNames(db, { users: rows.map((r) => r.issuedBy) });
  return (r) => ({ issuedByName: book.people.get(r.issuedBy)?.name ?? (r.issuedBy === 'system' ? '系统定期发布 / scheduled' : null) });
}

/** A download name such as 平顶山…通报-第3期.csv, sent RFC 5987-encoded with an ASCII fallback. */
function attachment(res: express.Response, d: BulletinData, ext: string) {
  const name = `${d.campaign.name}-通报-${d.label}.${ext}`.replace(/[\\/:*?"<>|\r\n]/g, '_');
  res.setHeader('Content-Disposition', `attachment; filename="bulletin-${d.id}.${ext}"; filename*=UTF-8''${encodeURIComponent(name)}`);
}

export function reportRoutes(deps: ReportDeps): Router {
  const router = express.Router();
  const { db, temporal } = deps;

  router.get('/api/campaigns/:id/reports', async (req, res) => {
    const caller = callerOf(req);
    const c = await loadBulletinCampaign(db, caller, req.params.id);
    const q = parseOr400(pageSchema, req.query);
    const rows = await listCampaignReports(db, c.id, { limit: q.limit + 1, beforeSeq: q.cursor === undefined ? undefined : Number(q.cursor) });
    const page = rows.slice(0, q.limit);
    const issuer = await issuerNames(db, page);
    res.json({ items: page.map((r) => ({ ...summaryOf(r), ...issuer(r) })), nextCursor: rows.length > q.limit ? String(page[page.length - 1]!.seq) : null });
  });

  /** 临时通报: the city admin issues a bulletin now (201 with its id). */
  router.post('/api/campaigns/:id/reports', admitTemporalWork, idempotent(db), async (req, res) => {
    const caller = callerOf(req);
    const c = await loadBulletinCampaign(db, caller, req.params.id as string);
    enforce(runCampaign(caller, campaignFacts(c), '发布通报'));
    if (c.phase === 'pending') throw conflict('行动尚未开始，暂无可通报的进展 / the campaign has not started yet');
    const key = idempotencyKeyOf(req);
    const requestKey = key ? idFromKey(caller.username, key) : newId();
    const workflowId = `bulletin-${c.id}-adhoc-${requestKey}`;
    let result: BulletinResult;
    try {
      const handle = await temporal.workflow
        .start(bulletinWorkflow, {
          taskQueue: deps.taskQueue,
          workflowId,
          args: [{ campaignId: c.id, kind: 'on_demand', issuedBy: caller.username, requestKey }],
          searchAttributes: { CampaignId: [c.id] },
        })
        .catch((err) => {
          if (err instanceof WorkflowExecutionAlreadyStartedError) return temporal.workflow.getHandle(workflowId);
          throw err;
        });
      let timer: NodeJS.Timeout | undefined;
      result = await Promise.race([
        handle.result() as Promise<BulletinResult>,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new HttpError(503, '通报仍在生成，请稍后在通报列表中查看 / the bulletin is still being built; see the list shortly')),
            ISSUE_WAIT_MS,
          );
        }),
      ]).finally(() => clearTimeout(timer));
    } catch (err) {
      throw mapTemporalError(err);
    }
    if (!result.reportId) throw conflict(result.reason ?? '未生成通报 / no bulletin was issued');
    const r = await getReport(db, result.reportId);
    if (!r) throw new HttpError(500, '通报未保存 / the bulletin was not stored');
    res.status(201).json({
      id: r.id,
      campaignId: r.campaignId,
      seq: r.seq,
      label: r.data.label,
      kind: r.kind,
      period: r.data.period,
      issuedAt: r.issuedAt,
      headline: headline(r.data.totals),
      links: links(r.id),
    });
  });

  /** The bulletin schedule: period, paused or not, the next and the recent runs. */
  router.get('/api/campaigns/:id/reports/schedule', async (req, res) => {
    const caller = callerOf(req);
    const c = await loadBulletinCampaign(db, caller, req.params.id);
    res.json({ ...(await describeSchedule(temporal, c.id)), period: reportEveryLabel(c.config.reportEvery) });
  });

  /**
   * Pauses or resumes the schedule (city admin). Resuming catches up once: if
   * a period ended while it was paused, one bulletin is issued for the latest
   * such period at once (an earlier missed period is not issued separately;
   * its figures are in this one, and it is named in the bulletin).
   */
  router.post('/api/campaigns/:id/reports/schedule', admitTemporalWork, idempotent(db), async (req, res) => {
    const caller = callerOf(req);
    const c = await loadBulletinCampaign(db, caller, req.params.id as string);
    enforce(runCampaign(caller, campaignFacts(c), '暂停或恢复通报'));
    const body = parseOr400(scheduleSchema, req.body);
    const handle = temporal.schedule.getHandle(bulletinScheduleId(c.id));
    // The schedule applies a change asynchronously, and a second change sent before the first has been
    // applied can be lost: wait for each to show before the next.
    const applied = async () => {
      let view = await describeSchedule(temporal, c.id);
      for (let i = 0; i < 150 && view.paused !== body.paused; i++) {
        await new Promise((r) => setTimeout(r, 100));
        view = await describeSchedule(temporal, c.id);
      }
      return view;
    };
    let view;
    try {
      if (body.paused) {
        await handle.pause(body.note || `${caller.username} 暂停通报 / paused`);
        view = await applied();
      } else {
        await handle.unpause(body.note || `${caller.username} 恢复通报 / resumed`);
        view = await applied();
        // The run stands for the latest period ended by now; one already issued makes it a no-op.
        await handle.trigger(ScheduleOverlapPolicy.ALLOW_ALL);
      }
    } catch (err) {
      if (err instanceof ScheduleNotFoundError)
        throw conflict('当前没有通报计划（仅在推进实施阶段运行）/ no bulletin schedule: it runs during the implementation phase');
      throw mapTemporalError(err);
    }
    res.json(view);
  });

  /** "My bulletins": those delivered to the caller in the app, newest first, with read state. */
  router.get('/api/reports', async (req, res) => {
    const caller = callerOf(req);
    const q = parseOr400(pageSchema, req.query);
    const rows = await listReportsDeliveredTo(db, caller.username, { limit: q.limit + 1, beforeId: q.cursor === undefined ? undefined : Number(q.cursor) });
    const page = rows.slice(0, q.limit);
    const issuer = await issuerNames(db, page);
    res.json({
      items: page.map((r) => ({ ...summaryOf(r), ...issuer(r), campaignName: r.campaignName, readAt: r.readAt })),
      nextCursor: rows.length > q.limit ? String(page[page.length - 1]!.deliveryId) : null,
    });
  });

  router.get('/api/reports/:id', async (req, res) => {
    const caller = callerOf(req);
    const q = parseOr400(
      z.object({
        format: z.enum(['json', 'html', 'csv', 'xlsx'], { error: '格式须为 json、html、csv 或 xlsx / format must be json, html, csv or xlsx' }).default('json'),
        table: z.enum(TABLE_KEYS as [string, ...string[]]).optional(),
        lang: z.enum(['zh', 'en'], { error: '语言须为 zh 或 en / lang must be zh or en' }).default('zh'),
      }),
      req.query,
    );
    const { report } = await loadReadableReport(db, caller, req.params.id);
    const d = report.data;
    await markReportRead(db, report.id, caller.username);
    switch (q.format) {
      case 'json':
        res.json(d);
        return;
      case 'html':
        // Nothing active in a bulletin page: inline styles and SVG only.
        res.setHeader('Content-Security-Policy', PRINT_CSP);
        res.type('html').send(renderBulletinHtml(d, q.lang));
        return;
      case 'csv':
        attachment(res, d, 'csv');
        res.type('text/csv; charset=utf-8').send(bulletinCsv(d, q.table as never, q.lang));
        return;
      case 'xlsx':
        attachment(res, d, 'xlsx');
        res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(await bulletinXlsx(d, q.lang));
        return;
    }
  });

  /**
   * The print page's own URL (打印版): a link to GET /print/reports/:id signed for this
   * caller and this bulletin, valid {@link PRINT_LINK_TTL_S} seconds, so that the web
   * app opens the page in a tab of its own (a bearer token cannot follow a link).
   */
  router.post('/api/reports/:id/print-link', async (req, res) => {
    const caller = callerOf(req);
    const { report } = await loadReadableReport(db, caller, req.params.id);
    const token = jwt.sign({ sub: caller.username, rid: report.id, use: 'print' }, hmacKey(deps.jwtSecret), {
      algorithm: 'HS256',
      expiresIn: PRINT_LINK_TTL_S,
    });
    res.status(201).json({
      url: `/print/reports/${encodeURIComponent(report.id)}?token=${encodeURIComponent(token)}`,
      expiresAt: new Date(Date.now() + PRINT_LINK_TTL_S * 1000).toISOString(),
    });
  });

  /** The bulletin's print page (A4, no script), opened with a link from POST …/print-link; the same checks as GET …?format=html. */
  router.get('/print/reports/:id', async (req, res) => {
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    const q = parseOr400(z.object({ lang: z.enum(['zh', 'en'], { error: '语言须为 zh 或 en / lang must be zh or en' }).default('zh') }), {
      lang: req.query.lang,
    });
    let claims: { sub?: string; rid?: string; use?: string };
    try {
      claims = jwt.verify(token, hmacKey(deps.jwtSecret), { algorithms: ['HS256'] }) as typeof claims;
    } catch {
      throw new HttpError(401, '打印链接无效或已过期，请在通报页面重新打开 / the print link is invalid or expired; open it again from the bulletin');
    }
    if (claims.use !== 'print' || claims.rid !== req.params.id || !claims.sub) throw new HttpError(401, '打印链接无效 / invalid print link');
    const caller = await callerForUser(db, claims.sub);
    if (!caller) throw new HttpError(401, '账号不存在或已停用 / account disabled');
    const { report } = await loadReadableReport(db, caller, req.params.id);
    await markReportRead(db, report.id, caller.username);
    res.setHeader('Content-Security-Policy', PRINT_CSP);
    res.setHeader('Cache-Control', 'no-store');
    // The signed link must not leak to anything the page might reach.
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.type('html').send(renderBulletinHtml(report.data, q.lang));
  });

  /** Who got the bulletin, by channel, with attempts and errors (city and province admins and supervisors). */
  router.get('/api/reports/:id/deliveries', async (req, res) => {
    const caller = callerOf(req);
    const { report, campaign } = await loadReadableReport(db, caller, req.params.id);
    enforce(readBulletinDeliveries(caller, campaignFacts(campaign)));
    res.json({ items: await listDeliveries(db, report.id) });
  });

  return router;
}

async function describeSchedule(temporal: Client, campaignId: string) {
  try {
    const d = await temporal.schedule.getHandle(bulletinScheduleId(campaignId)).describe();
    const every = d.spec.intervals?.[0]?.every ?? null;
    return {
      scheduleId: d.scheduleId,
      paused: d.state.paused,
      note: d.state.note ?? null,
      everyMs: every,
      startAt: d.spec.startAt ?? null,
      endAt: d.spec.endAt ?? null,
      nextRuns: d.info.nextActionTimes.slice(0, 5),
      recentRuns: d.info.recentActions.map((a) => ({
        scheduledAt: a.scheduledAt,
        takenAt: a.takenAt,
        workflowId: a.action.type === 'startWorkflow' ? a.action.workflow.workflowId : null,
      })),
    };
  } catch (err) {
    if (err instanceof ScheduleNotFoundError)
      throw notFound('当前没有通报计划（仅在推进实施阶段运行）/ no bulletin schedule: it runs during the implementation phase');
    throw mapTemporalError(err);
  }
}
