/**
 * Inspections that matter (issue 16): the rectification items (整改事项) an
 * inspection's findings open on a region — listed per campaign, reported done
 * by the region, accepted (closed) or sent back by the city — and the
 * self-assessment review's comparison of claims with records.
 *
 * The items' state changes are single conditional updates (db/rectification-
 * repository): two people acting at once, one wins and the other gets 409.
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import type { Db } from '../db/knex';
import { getCampaign, type CampaignRow } from '../db/campaign-repository';
import { getProject, listProjectEvents } from '../db/project-repository';
import { getRectification, listRectifications, transitionRectification, type RectificationRow } from '../db/rectification-repository';
import { beijingTime } from '../domain/beijing-time';
import { compareClaims, rectificationTransition, RECTIFICATION_STATUSES, type RectificationStatus } from '../domain/rectification';
import { decideRectification, inspectProject, reportRectification, seeProject } from '../domain/policy';
import { actionKey } from './approvals-service';
import { callerOf } from './auth';
import { campaignFacts, loadVisibleCampaign } from './campaign-access';
import { conflict, enforce, notFound, parseOr400 } from './errors';
import { idempotencyKeyOf, idempotent } from './idempotency';
import { lookupNames, personOf } from './names';
import { rectificationViews } from './rectification-view';
import { registerRoutes } from './openapi';

export const rectificationReportSchema = z
  .object({ note: z.string().trim().min(1, '请说明整改情况 / describe what was done').max(5000, '最多 5000 字 / at most 5000 characters') })
  .strict();

export const rectificationDecisionSchema = z
  .object({
    decision: z.enum(['accept', 'return'], { error: '须为 accept（验收通过）或 return（退回）/ accept or return' }),
    comment: z.string().trim().max(5000, '最多 5000 字 / at most 5000 characters').optional(),
  })
  .strict()
  .refine((b) => b.decision !== 'return' || !!b.comment, { path: ['comment'], message: '退回时请填写意见 / say why it goes back' });

export const rectificationListQuery = z.object({
  region: z.string().trim().max(100).optional(),
  status: z.enum(RECTIFICATION_STATUSES, { error: '未知的整改状态 / unknown status' }).optional(),
});

registerRoutes({
  '/api/campaigns/{id}/rectifications': {
    get: {
      summary: '整改事项（检查发现问题、限期整改）：按地区，含逾期标记 / rectification items of a campaign, per region, overdue flagged',
      query: ['region', 'status'],
    },
  },
  '/api/rectifications/{id}/report': {
    post: { summary: '地区报送整改完成（附说明）/ the region reports a rectification done', body: rectificationReportSchema },
  },
  '/api/rectifications/{id}/decision': {
    post: { summary: '市总验收整改：通过（销号）或退回 / the city accepts a rectification or sends it back', body: rectificationDecisionSchema },
  },
  '/api/projects/{id}/assessment-review': {
    get: {
      summary:
        '自评审核对照：自报与实名/台账记录的会员数、工会数并列，差异标出，附检查发现与整改事项 / claims beside records, discrepancies flagged, with inspection findings and rectifications',
    },
  },
});

export function rectificationRoutes({ db }: { db: Db }): Router {
  const router = express.Router();

  router.get('/api/campaigns/:id/rectifications', async (req, res) => {
    const caller = callerOf(req);
    const c = await loadVisibleCampaign(db, caller, req.params.id);
    const q = parseOr400(rectificationListQuery, req.query);
    // A region's people see their own subtree's items; the city and above see all (as for the project list).
    const scope = caller.orgPath.startsWith(c.cityOrgPath) && caller.orgId !== c.cityOrg ? caller.orgPath : undefined;
    const rows = await listRectifications(db, { campaignId: c.id, scopePath: scope, regionOrg: q.region, status: q.status });
    const facts = campaignFacts(c);
    res.json({
      items: await rectificationViews(db, rows, { caller, facts, closed: c.phase === 'closed' }),
      // Whether the caller may record an inspection (记录检查) of this campaign's projects: the form is offered only then.
      allowed: { inspect: inspectProject(caller, facts).allow },
    });
  });

  router.post('/api/rectifications/:id/report', idempotent(db), async (req, res) => {
    const caller = callerOf(req);
    const item = await loadItem(db, req.params.id as string);
    const campaign = (await getCampaign(db, item.campaignId))!;
    enforce(reportRectification(caller, campaignFacts(campaign), item));
    const body = parseOr400(rectificationReportSchema, req.body);
    requireRunning(campaign);
    const next = rectificationTransition(item.status, 'report');
    if (!next.ok) throw conflict(next.reason);
    const done = await transitionRectification(db, {
      id: item.id,
      from: item.status,
      to: next.to,
      actor: caller.username,
      note: body.note,
      eventKey: `rect:${item.id}:${actionKey(caller, idempotencyKeyOf(req))}`,
    });
    if (!done) throw conflict('整改事项刚被他人处理，请刷新 / the item was just acted on: reload');
    res.json((await rectificationViews(db, [done], { caller, facts: campaignFacts(campaign), closed: false }))[0]);
  });

  router.post('/api/rectifications/:id/decision', idempotent(db), async (req, res) => {
    const caller = callerOf(req);
    const item = await loadItem(db, req.params.id as string);
    const campaign = (await getCampaign(db, item.campaignId))!;
    enforce(decideRectification(caller, campaignFacts(campaign), item));
    const body = parseOr400(rectificationDecisionSchema, req.body);
    requireRunning(campaign);
    const next = rectificationTransition(item.status, body.decision);
    if (!next.ok) throw conflict(next.reason);
    const done = await transitionRectification(db, {
      id: item.id,
      from: item.status,
      to: next.to,
      actor: caller.username,
      note: body.comment ?? '',
      eventKey: `rect:${item.id}:${actionKey(caller, idempotencyKeyOf(req))}`,
    });
    if (!done) throw conflict('整改事项刚被他人处理，请刷新 / the item was just acted on: reload');
    res.json((await rectificationViews(db, [done], { caller, facts: campaignFacts(campaign), closed: false }))[0]);
  });

  router.get('/api/projects/:id/assessment-review', async (req, res) => {
    const caller = callerOf(req);
    const p = await getProject(db, req.params.id);
    if (!p) throw notFound('项目不存在 / project not found');
    const c = await getCampaign(db, p.campaignId);
    enforce(seeProject(caller, p, c && campaignFacts(c)));
    const [events, rows] = await Promise.all([listProjectEvents(db, p.id), listRectifications(db, { projectId: p.id })]);
    const claim = selfAssessmentOf(p.selfAssessment);
    const counted = { members: p.membersRecruited, unions: p.unionsEstablished, coverage: p.coverageDone };
    const claimed = claim
      ? { members: claim.membersRecruited ?? 0, unions: claim.unionsEstablished ?? 0, coverage: p.kind === 'service' ? (claim.coverage ?? null) : null }
      : null;
    const inspections = events.filter((e) => e.kind === 'inspection');
    const book = await lookupNames(db, { users: inspections.map((e) => e.actor) });
    res.json({
      projectId: p.id,
      projectName: p.name,
      kind: p.kind,
      status: p.status,
      summary: claim?.summary ?? null,
      claimed,
      counted: { ...counted, coverage: p.kind === 'service' ? counted.coverage : null },
      discrepancies: claimed ? compareClaims(claimed, { ...counted, coverage: p.kind === 'service' ? counted.coverage : null }) : [],
      inspections: inspections.map((e) => ({
        at: e.at,
        atBeijing: beijingTime(e.at),
        inspector: personOf(book, e.actor) ?? null,
        inspectedOn: e.data.inspectedOn ?? null,
        result: e.data.result ?? null,
        summary: e.data.findings ?? null,
        findings: Array.isArray(e.data.items) ? e.data.items : [],
      })),
      rectifications: await rectificationViews(db, rows, c && { caller, facts: campaignFacts(c), closed: c.phase === 'closed' }),
    });
  });

  return router;
}

async function loadItem(db: Db, id: string): Promise<RectificationRow & { status: RectificationStatus }> {
  const item = await getRectification(db, id);
  if (!item) throw notFound('整改事项不存在 / rectification item not found');
  return item;
}

/** Once the campaign closed, its items have lapsed: nothing more to report or accept. */
function requireRunning(c: CampaignRow): void {
  if (c.phase === 'closed') throw conflict('行动已结束，整改事项已终止 / the campaign is closed: its rectifications have ended');
}

/** The figures a stored self-assessment report claims (JSON from the projects row), or null before one was submitted. */
function selfAssessmentOf(v: unknown): { membersRecruited?: number; unionsEstablished?: number; coverage?: number; summary?: string } | null {
  if (!v || typeof v !== 'object') return null;
  const r = v as Record<string, unknown>;
  const num = (x: unknown) => (typeof x === 'number' ? x : undefined);
  return {
    membersRecruited: num(r.membersRecruited),
    unionsEstablished: num(r.unionsEstablished),
    coverage: num(r.coverage),
    summary: typeof r.summary === 'string' ? r.summary : undefined,
  };
}
