/**
 * 报送留痕 — what was submitted, read back with its history to whoever sent it and whoever reviews it:
 * a region's implementation plan (every version), its project lists (every revision, with the ledger
 * enterprises each project links, by name), a project's progress reports (who, when, what: counts and names,
 * masked ID numbers only) and its self-assessments (every version); and the member roster (会员名册) of a
 * campaign, searched, paged and exported. Every decision comes from domain/policy.ts.
 */
import { Router } from 'express';
import { z } from 'zod';
import { beijingTime as beijing } from '../domain/beijing-time';
import { maskIdNumber } from '../domain/id-number';
import { memberRosterScope, readProjectReports, readRegionSubmissions } from '../domain/policy';
import { getApplication } from '../db/approval-repository';
import { getCampaign, type CampaignRow } from '../db/campaign-repository';
import type { Db } from '../db/knex';
import { getOrg } from '../db/org-repository';
import { getProject, type ProjectRow } from '../db/project-repository';
import { enterpriseBrief, enterprisesByIds, listListRevisions, listPlanVersions, listProjectEventsOfKind, listRoster } from '../db/submission-repository';
import { canSee } from './approvals-service';
import { callerOf, type Caller } from './auth';
import { campaignFacts, loadVisibleCampaign } from './campaign-access';
import { enforce, notFound, parseOr400 } from './errors';
import { EXPORT_MAX_ROWS, exportFormat, sendTable } from './list-export';
import { lookupNames, personOf, type NameBook } from './names';
import { registerRoutes } from './openapi';

export const rosterQuery = z.object({
  q: z.string().trim().max(100, '最多 100 字 / at most 100 characters').optional(),
  project: z.string().trim().min(1).max(200).optional(),
  region: z.string().trim().min(1).max(100).optional(),
  union: z.string().trim().min(1).max(100).optional(),
  group: z.string().trim().min(1).max(50).optional(),
  limit: z.coerce.number({ error: '须为数字 / a number' }).int().min(1, '至少 1 / at least 1').max(200, '最多 200 / at most 200').default(50),
  offset: z.coerce.number({ error: '须为数字 / a number' }).int().min(0, '不能为负 / not negative').max(1_000_000).default(0),
  format: exportFormat,
});

registerRoutes({
  '/api/campaigns/{id}/regions/{org}/plan': {
    get: { summary: '实施方案：当前版本与历次版本（报送人、北京时间）/ the region’s plan, current and earlier versions' },
  },
  '/api/campaigns/{id}/regions/{org}/project-lists': {
    get: { summary: '项目清单历次报送（含各项目关联的台账企业名称）/ every revision of the region’s project list, with linked enterprises by name' },
  },
  '/api/projects/{id}/reports': {
    get: { summary: '项目进展报送记录：谁、何时、报送了什么（人数与姓名，身份证号脱敏）/ a project’s progress reports' },
  },
  '/api/projects/{id}/self-assessments': { get: { summary: '项目绩效自评各版本 / every version of a project’s self-assessment' } },
  '/api/campaigns/{id}/members': {
    get: {
      summary: '会员名册：按项目、地区、工会、群体筛选，按姓名、身份证号后四位、单位搜索，分页或导出（身份证号脱敏）/ the member roster',
      query: ['q', 'project', 'region', 'union', 'group', 'limit', 'offset', 'format'],
    },
  },
});

const person = (book: NameBook, username: string | null) => {
  const p = personOf(book, username);
  return { by: username, byName: p?.name ?? (username ? null : '（迁移前报送，报送人未记录）/ (sent before records were kept)'), byPost: p?.post ?? null };
};

export function submissionRoutes(deps: { db: Db }): Router {
  const { db } = deps;
  const router = Router();

  /** The campaign and the region, if the caller may read the region's submissions (policy readRegionSubmissions); else 404. */
  async function loadRegion(caller: Caller, campaignId: string, regionOrg: string) {
    const campaign = await getCampaign(db, campaignId);
    const region = campaign?.config.regions.includes(regionOrg) ? await getOrg(db, regionOrg) : undefined;
    if (!campaign || !region) throw notFound('地区不存在 / region not found');
    let decision = readRegionSubmissions(caller, { orgId: region.id, path: region.path });
    if (!decision.allow) {
      // Whoever holds (or held) a task on the region's project list reads what it was asked to review.
      const row = await db('campaign_regions')
        .where({ campaign_id: campaign.id, org_id: region.id })
        .first<{ list_application_id: string | null } | undefined>('list_application_id');
      const app = row?.list_application_id ? await getApplication(db, row.list_application_id) : undefined;
      decision = readRegionSubmissions(caller, { orgId: region.id, path: region.path }, { onListTask: !!app && (await canSee(db, caller, app)) });
    }
    enforce(decision);
    return { campaign, region };
  }

  router.get('/api/campaigns/:id/regions/:org/plan', async (req, res) => {
    const caller = callerOf(req);
    const { campaign, region } = await loadRegion(caller, req.params.id, req.params.org);
    const versions = await listPlanVersions(db, campaign.id, region.id);
    const book = await lookupNames(db, { users: versions.map((v) => v.submittedBy) });
    const items = versions.map((v) => ({
      version: v.version,
      plan: v.plan,
      ...person(book, v.submittedBy),
      submittedAt: v.submittedAt,
      submittedAtBeijing: beijing(v.submittedAt),
    }));
    res.json({ campaignId: campaign.id, region: region.id, regionName: region.name, current: items[0] ?? null, versions: items });
  });

  router.get('/api/campaigns/:id/regions/:org/project-lists', async (req, res) => {
    const caller = callerOf(req);
    const { campaign, region } = await loadRegion(caller, req.params.id, req.params.org);
    const revisions = await listListRevisions(db, { campaignId: campaign.id, regionOrg: region.id });
    const ids = revisions.flatMap((r) => r.projects.flatMap((p) => (Array.isArray(p.enterprises) ? (p.enterprises as number[]) : [])));
    const enterprises = new Map((await enterprisesByIds(db, campaign.id, region.id, [...new Set(ids)])).map((e) => [e.id, e]));
    const book = await lookupNames(db, { users: revisions.map((r) => r.submittedBy), groups: campaign.config.groups });
    res.json({
      campaignId: campaign.id,
      region: region.id,
      regionName: region.name,
      revisions: revisions.map((r) => ({
        revision: r.revision,
        applicationId: r.applicationId,
        ...person(book, r.submittedBy),
        submittedAt: r.submittedAt,
        submittedAtBeijing: beijing(r.submittedAt),
        projects: r.projects.map((p) => ({
          ...p,
          groupNames: Array.isArray(p.groups) ? (p.groups as string[]).map((g) => book.groups.get(g) ?? g) : undefined,
          enterprises: Array.isArray(p.enterprises)
            ? (p.enterprises as number[]).map((id) => {
                const e = enterprises.get(Number(id));
                return e ? enterpriseBrief(e) : { id: Number(id), name: '（台账中已无此企业）/ (no longer on the ledger)' };
              })
            : undefined,
        })),
      })),
    });
  });

  /** The project, if the caller may read its reports (policy readProjectReports); else 404. */
  async function loadProject(caller: Caller, id: string): Promise<{ project: ProjectRow; campaign: CampaignRow }> {
    const project = await getProject(db, id);
    const campaign = project && (await getCampaign(db, project.campaignId));
    if (!project || !campaign) throw notFound('项目不存在 / project not found');
    enforce(readProjectReports(caller, project, campaignFacts(campaign)));
    return { project, campaign };
  }

  router.get('/api/projects/:id/reports', async (req, res) => {
    const caller = callerOf(req);
    const { project, campaign } = await loadProject(caller, req.params.id);
    const events = await listProjectEventsOfKind(db, project.id, 'progress');
    const enterpriseIds = events.flatMap((e) => ((e.data.unions as { enterpriseId?: number }[] | undefined) ?? []).map((u) => u.enterpriseId));
    const enterprises = new Map(
      (await enterprisesByIds(db, campaign.id, project.regionOrg, [...new Set(enterpriseIds.filter((x): x is number => x !== undefined))])).map((e) => [
        e.id,
        e.name,
      ]),
    );
    const members = (e: (typeof events)[number]) =>
      (e.data.members as { name: string; idNumberMasked: string; group: string; employer: string }[] | undefined) ?? [];
    const book = await lookupNames(db, { users: events.map((e) => e.actor), groups: events.flatMap((e) => members(e).map((m) => m.group)) });
    const items = events.map((e, i) => {
      const result = (e.data.result ?? {}) as {
        membersAccepted?: number;
        alreadyCounted?: number;
        duplicates?: unknown[];
        coverage?: number;
        crossedOff?: number;
      };
      const unions = (e.data.unions as { enterpriseId?: number; name: string; establishedOn: string }[] | undefined) ?? [];
      return {
        no: i + 1,
        ...person(book, e.actor),
        at: e.at,
        atBeijing: beijing(e.at),
        counts: {
          membersReported: members(e).length || (result.membersAccepted ?? 0) + (result.alreadyCounted ?? result.duplicates?.length ?? 0),
          membersAccepted: result.membersAccepted ?? 0,
          alreadyCounted: result.alreadyCounted ?? result.duplicates?.length ?? 0,
          unionsEstablished: unions.length,
          crossedOff: result.crossedOff ?? 0,
          coverage: result.coverage ?? 0,
        },
        unions: unions.map((u) => ({
          name: u.name,
          establishedOn: u.establishedOn,
          enterpriseName: u.enterpriseId !== undefined ? (enterprises.get(Number(u.enterpriseId)) ?? null) : null,
        })),
        // Names and masked ID numbers only; reports sent before the names were kept show their counts.
        members: members(e).map((m) => ({
          name: m.name,
          idNumberMasked: maskIdNumber(m.idNumberMasked),
          groupName: book.groups.get(m.group) ?? m.group,
          employer: m.employer,
        })),
        note: (e.data.note as string | null) ?? null,
        serviceNote: (e.data.serviceNote as string | null) ?? null,
      };
    });
    res.json({ projectId: project.id, projectName: project.name, items: items.reverse() });
  });

  router.get('/api/projects/:id/self-assessments', async (req, res) => {
    const caller = callerOf(req);
    const { project } = await loadProject(caller, req.params.id);
    const events = await listProjectEventsOfKind(db, project.id, 'assessment');
    const book = await lookupNames(db, { users: events.map((e) => e.actor) });
    const versions = events
      .map((e, i) => ({
        version: i + 1,
        ...person(book, e.actor),
        at: e.at,
        atBeijing: beijing(e.at),
        summary: (e.data.summary as string | undefined) ?? '',
        membersRecruited: (e.data.membersRecruited as number | undefined) ?? 0,
        unionsEstablished: (e.data.unionsEstablished as number | undefined) ?? 0,
        coverage: (e.data.coverage as number | undefined) ?? null,
      }))
      .reverse();
    res.json({ projectId: project.id, projectName: project.name, current: versions[0] ?? null, versions });
  });

  router.get('/api/campaigns/:id/members', async (req, res) => {
    const caller = callerOf(req);
    const campaign = await loadVisibleCampaign(db, caller, req.params.id);
    const scope = memberRosterScope(caller, campaignFacts(campaign));
    if (!scope.allow) return enforce(scope);
    const q = parseOr400(rosterQuery, req.query);
    const exporting = q.format !== 'json';
    const { total, rows } = await listRoster(db, {
      campaignId: campaign.id,
      scopePath: scope.scopePath,
      project: q.project,
      region: q.region,
      union: q.union,
      group: q.group,
      q: q.q,
      limit: exporting ? EXPORT_MAX_ROWS : q.limit,
      offset: exporting ? 0 : q.offset,
    });
    const book = await lookupNames(db, { groups: rows.map((r) => r.group) });
    const items = rows.map((r) => ({
      id: r.id,
      name: r.name,
      // Masked again on the way out, whatever was stored: full ID numbers are never part of the roster.
      idNumberMasked: maskIdNumber(r.idNumberMasked),
      group: r.group,
      groupName: r.group ? (book.groups.get(r.group) ?? r.group) : null,
      employer: r.employer,
      union: r.unionId,
      unionName: r.unionName,
      project: r.projectId,
      projectName: r.projectName,
      region: r.regionOrg,
      regionName: r.regionName,
      verified: r.verified,
      joinedAt: r.joinedAt,
      joinedAtBeijing: beijing(r.joinedAt),
    }));
    if (q.format === 'csv' || q.format === 'xlsx')
      return sendTable(res, q.format, {
        title: `会员名册（${campaign.name}）`,
        ascii: 'member-roster',
        columns: ['姓名', '身份证号（脱敏）', '重点群体', '工作单位', '所属工会', '所属地区', '项目', '实名核验', '入会时间（北京时间）'],
        rows: items.map((m) => [
          m.name,
          m.idNumberMasked,
          m.groupName ?? '',
          m.employer ?? '',
          m.unionName,
          m.regionName ?? '',
          m.projectName ?? '',
          m.verified ? '已核验' : '未核验',
          m.joinedAtBeijing,
        ]),
      });
    res.json({ campaign: { id: campaign.id, name: campaign.name }, total, offset: q.offset, limit: q.limit, items });
  });

  return router;
}
