/**
 * GET /api/campaigns/:id/online-joins: online-join figures (网上入会) per
 * participating region by Beijing day, ISO week or calendar month — seed 001's
 * 日收集、周调度、月督查 — as JSON or a download (csv, xlsx). Whoever sees the
 * campaign dashboard reads them (policy `seeCampaign`); anyone else gets 404.
 */
import { Router } from 'express';
import { z } from 'zod';
import { beijingDayStart } from '../domain/beijing-time';
import { CADENCES, foldByPeriod, type JoinCounts } from '../domain/join-cadence';
import { readOnlineJoinHours } from '../db/online-join-repository';
import type { Db } from '../db/knex';
import { callerOf } from './auth';
import { loadVisibleCampaign } from './campaign-access';
import { notFound, parseOr400 } from './errors';
import { exportFormat, sendTable, type ExportCell } from './list-export';
import { registerRoutes } from './openapi';

/** A Beijing day as YYYY-MM-DD that exists on the calendar (not 2026-02-30). */
const day = (what: string) =>
  z.string().refine((s) => {
    const ms = /^\d{4}-\d{2}-\d{2}$/.test(s) ? Date.parse(`${s}T00:00:00Z`) : NaN;
    return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === s;
  }, `${what}须为日期 YYYY-MM-DD / must be a date YYYY-MM-DD`);

export const onlineJoinQuery = z
  .object({
    by: z.enum(CADENCES as [string, ...string[]], { error: '须为 day、week 或 month / by must be day, week or month' }).default('day'),
    from: day('开始').optional(),
    to: day('结束').optional(),
    format: exportFormat,
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ['to'], message: '结束日期不能早于开始日期 / to must not be before from' });

registerRoutes({
  '/api/campaigns/{id}/online-joins': {
    get: {
      summary: '网上入会按日/周/月、按地区统计（收到、已入会、未通过、待审批）/ online-join figures per region by day, week or month',
      query: ['by', 'from', 'to', 'format'],
    },
  },
});

const BY_LABEL: Record<string, string> = { day: '按日', week: '按周', month: '按月' };

export function onlineJoinRoutes(deps: { db: Db }): Router {
  const { db } = deps;
  const router = Router();

  router.get('/api/campaigns/:id/online-joins', async (req, res) => {
    const caller = callerOf(req);
    const campaign = await loadVisibleCampaign(db, caller, req.params.id);
    const q = parseOr400(onlineJoinQuery, req.query);
    const by = q.by as (typeof CADENCES)[number];
    // Beijing days, `to` inclusive: up to the next day's Beijing midnight.
    const to = q.to ? new Date(beijingDayStart(q.to).getTime() + 86_400_000) : undefined;
    const data = await readOnlineJoinHours(db, campaign.id, { from: q.from ? beijingDayStart(q.from) : undefined, to });
    if (!data) throw notFound('行动不存在 / campaign not found');
    const folded = foldByPeriod(
      data.hours.map((h) => ({ ...h, at: h.hour })),
      by,
    );
    const counts = (c: JoinCounts | undefined): JoinCounts =>
      c
        ? { received: c.received, approved: c.approved, rejected: c.rejected, pending: c.pending, withdrawn: c.withdrawn }
        : { received: 0, approved: 0, rejected: 0, pending: 0, withdrawn: 0 };
    const cell = (period: string, region: string) => folded.cells.find((c) => c.period === period && c.region === region);
    const regions = data.regions.map((r) => ({
      org: r.org,
      name: r.name,
      periods: folded.periods.map((p) => ({ key: p.key, ...counts(cell(p.key, r.org)) })),
      total: counts(folded.regions[r.org]),
    }));
    const body = {
      campaign: { id: campaign.id, name: campaign.name },
      by,
      from: q.from ?? null,
      to: q.to ?? null,
      since: data.since.toISOString(),
      periods: folded.periods.map((p) => ({ key: p.key, label: p.label, first: p.first, last: p.last, total: p.total })),
      regions,
      total: folded.total,
    };
    if (q.format === 'csv' || q.format === 'xlsx') {
      const nums = (c: JoinCounts): ExportCell[] => [c.received, c.approved, c.rejected, c.pending, c.withdrawn];
      const rows: ExportCell[][] = [];
      for (const p of folded.periods) {
        for (const r of regions) rows.push([p.label, r.name, ...nums(r.periods.find((x) => x.key === p.key)!)]);
        rows.push([p.label, '合计', ...nums(p.total)]);
      }
      for (const r of regions) rows.push(['全部期间', r.name, ...nums(r.total)]);
      rows.push(['全部期间', '合计', ...nums(folded.total)]);
      return sendTable(res, q.format, {
        title: `${campaign.name} 网上入会${BY_LABEL[by]}统计`,
        ascii: `online-joins-${by}`,
        columns: ['期间', '地区', '收到申请', '已入会', '未通过', '待审批', '已撤回'],
        rows,
      });
    }
    res.json(body);
  });

  return router;
}
