/**
 * The authorization matrix as data: every route × role × the caller's
 * relation to the subject, and the exact answer each cell must get. The
 * answers are those of the one authorization policy, domain/policy.ts
 * (授权规则): out of scope → 404, in scope but the wrong role → 403, no token
 * → 401. Every request is valid — a body that succeeds for an allowed caller
 * — so a 400 can never stand in for a decision.
 *
 * Columns: one demo user per (role, relation); the relation is worked out
 * from the org tree for each subject (see {@link relation}).
 *
 *   xinhua  新华区   staff reviewer admin      | express 新华区快递行业工会联合会 reviewer
 *   city    平顶山   staff reviewer admin lead | weidong 卫东区 staff reviewer
 *   xc      许昌     staff reviewer admin lead | province 河南 reviewer admin lead | anonymous
 *
 * Cells: 2 = allowed (the route's success status), F = 403, N = 404, U = 401;
 * for lists V / H = the subject is / is not in the caller's list. Spaces in
 * the strings only group the columns.
 */
import crypto from 'node:crypto';
import ExcelJS from 'exceljs';
import jwt from 'jsonwebtoken';
import { inject } from 'vitest';
import { Approvals, runBulkJob } from '../support/approvals';
import { eventually, type Harness } from '../support/harness';
import { buildChain, buildMember, buildSubsidy, humanStep, uniqueIdNumber, uniquePhone } from '../support/factories';
import { maskIdNumber } from '../../domain/id-number';
import { withSmsCode } from '../support/approvals';
import { multipart, samplePdf, storedFiles } from '../support/attachments';
import { buildLaunch, memberRecords, organizingProject } from '../support/campaigns';
import { eventLoopWatch } from '../../api/event-loop';
import { regionWorkflowId } from '../../workflows/campaign';
import { projectWorkflowId } from '../../workflows/region-campaign';
import { REGION, type CampaignSubject, type MemberSubject, type Pool, type Subjects, type TaskSubject } from './authorization-matrix.subjects';

export type Role = 'staff' | 'reviewer' | 'admin' | 'supervisor' | 'anonymous';

export interface Caller {
  user: string | null;
  role: Role;
  org: string | null;
}

/** The callers, in the column order of every expectation string. */
export const CALLERS: readonly Caller[] = [
  { user: 'xinhua.staff', role: 'staff', org: 'pds-xinhua' },
  { user: 'xinhua.reviewer', role: 'reviewer', org: 'pds-xinhua' },
  { user: 'xinhua.admin', role: 'admin', org: 'pds-xinhua' },
  { user: 'xinhua-express.reviewer', role: 'reviewer', org: 'pds-xinhua-express' },
  { user: 'city.staff', role: 'staff', org: 'pds' },
  { user: 'city.reviewer', role: 'reviewer', org: 'pds' },
  { user: 'city.admin', role: 'admin', org: 'pds' },
  { user: 'city.lead', role: 'supervisor', org: 'pds' },
  { user: 'weidong.staff', role: 'staff', org: 'pds-weidong' },
  { user: 'weidong.reviewer', role: 'reviewer', org: 'pds-weidong' },
  { user: 'xc.staff', role: 'staff', org: 'xc' },
  { user: 'xc.reviewer', role: 'reviewer', org: 'xc' },
  { user: 'xc.admin', role: 'admin', org: 'xc' },
  { user: 'xc.lead', role: 'supervisor', org: 'xc' },
  { user: 'prov.reviewer', role: 'reviewer', org: 'henan' },
  { user: 'prov.admin', role: 'admin', org: 'henan' },
  { user: 'prov.lead', role: 'supervisor', org: 'henan' },
  { user: null, role: 'anonymous', org: null },
];

/** Ancestor paths of the orgs the matrix uses (as in db/seeds/demo-org.json). */
const PATHS: Record<string, string> = {
  henan: '/henan/',
  pds: '/henan/pds/',
  'pds-xinhua': '/henan/pds/pds-xinhua/',
  'pds-xinhua-express': '/henan/pds/pds-xinhua/pds-xinhua-express/',
  'pds-weidong': '/henan/pds/pds-weidong/',
  xc: '/henan/xc/',
};

/** The subject's org for things of the caller's own org (their account, their own application or chain). */
export const OWN_ORG = 'own';

/** The caller's relation to the subject's org: same org, parent (above it), child (below it), sibling county, other city, province. */
export function relation(caller: Caller, subjectOrg: string): string {
  if (!caller.org) return 'no account';
  if (subjectOrg === OWN_ORG) return 'same org';
  const c = PATHS[caller.org]!;
  const s = PATHS[subjectOrg]!;
  if (c === s) return 'same org';
  if (s.startsWith(c)) return caller.org === 'henan' ? 'province' : 'parent';
  if (c.startsWith(s)) return 'child';
  return c.split('/')[2] === s.split('/')[2] ? 'sibling county' : 'other city';
}

/** What the runner sends, and how it reads what the subject holds before and after (for denied calls: nothing written). */
export interface Probe {
  method: string;
  path: string;
  body?: unknown;
  /** A body sent as is (CSV text, an xlsx workbook's bytes). */
  raw?: string | Uint8Array;
  contentType?: string;
  /** The caller's bearer token when the case needs one of its own (logout, password change); else the caller's usual one. */
  token?: string;
  /** The rows and workflow histories the call could change. */
  footprint?: () => Promise<Record<string, unknown>>;
}

/** The subjects built once (read-only, or shared by denied calls), and the pools allowed mutating calls take from. */
export interface Fixtures {
  subsidy: TaskSubject;
  member: MemberSubject;
  filed: { appId: string; phone: string; reference: string; viewerToken: string };
  survey: CampaignSubject;
  listing: CampaignSubject;
  impl: CampaignSubject;
  assess: CampaignSubject;
  report: string;
  /** A bulk approve job city.reviewer started (made on first use). */
  job?: Promise<string>;
  /** The card code of a member of 新华区快递行业工会联合会 (made on first use). */
  memberCard?: Promise<string>;
  /** A survey upload of xinhua.staff sent with `Prefer: respond-async`, finished (made on first use). */
  surveyImport?: Promise<string>;
  /** A subsidy at a city review that may correct its amount (字段权限), for the denied calls (made on first use). */
  correctable?: Promise<TaskSubject>;
  /** A member reported by the implementation campaign's first project, pending verification (made on first use). */
  pendingMember?: Promise<string>;
  /** …its id, once made (for the verifier queue's list check). */
  pendingMemberId?: string;
  /** 行动计划: projects of an implementation campaign returned by city.admin to 新华区, the first for the denied calls (made on first use). */
  planReturned?: Promise<{ shared: string; pool: string[] }>;
  /** 整改事项 on the implementation campaign's first project, open and reported, for the denied calls (made on first use). */
  rectifications?: Promise<{ open: string; reported: string }>;
  pools: {
    listing: Pool<CampaignSubject>;
    survey: Pool<CampaignSubject>;
    progress: Pool<string>;
    selfAssessment: Pool<string>;
  };
}

export interface Ctx {
  h: Harness;
  s: Subjects;
  fx: Fixtures;
  /** The case's Idempotency-Key (every mutating call sends one, so a denied call must leave no replay row either). */
  key: string;
}

export interface RouteCase {
  /** `METHOD /path` and, where one route is probed several ways, what this probe does. */
  route: string;
  /** Whose thing it is, for the test's name. */
  subject: string;
  /** The org the relation is judged against. */
  subjectOrg: string;
  expect: string;
  /** The status of an allowed call. */
  ok: number;
  mutating: boolean;
  /** How a list shows the subject (V / H cells). */
  lists?: (body: any, ctx: Ctx) => boolean;
  /** The route starts a job (202) that answers per item (bulk approve): the cell is the item's outcome in GET /api/jobs/:id. */
  perItem?: boolean;
  /** An allowed call answers 202 with a job: the runner follows it (GET /api/jobs/:id) until it is done. */
  job?: boolean;
  /** `fresh`: this call is allowed and changes its subject, so it takes a subject of its own. */
  probe(ctx: Ctx, caller: Caller, fresh: boolean): Probe | Promise<Probe>;
}

// ---------------------------------------------------------------------------
// Footprints: what a call could have written
// ---------------------------------------------------------------------------

async function count(h: Harness, table: string, where: (q: any) => any): Promise<number> {
  const [row] = await where(h.db(table)).count({ n: '*' });
  return Number(row.n);
}

/** History length of a workflow: an Update that got in (past its validator) adds events. */
async function history(h: Harness, workflowId: string): Promise<number> {
  // Count once the workflow is at rest: a subject whose last workflow task (or activity) is still running
  // would grow its history on its own between "before" and "after".
  const handle = h.temporal.workflow.getHandle(workflowId);
  for (let i = 0; ; i++) {
    const d = await handle.describe();
    const busy = !!d.raw.pendingWorkflowTask || (d.raw.pendingActivities?.length ?? 0) > 0;
    if (!busy || i >= 100) return d.historyLength;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Replay rows stored under the case's Idempotency-Key (any caller). */
const replayRows = (ctx: Ctx) => count(ctx.h, 'idempotency_keys', (q) => q.where({ key: ctx.key }));

/** An application's footprint: its audit trail, tasks (with their state), notifications, status and workflow history. */
export function applicationFootprint(ctx: Ctx, appId: string) {
  return async () => {
    const h = ctx.h;
    const tasks = await h.db('tasks').where({ application_id: appId }).orderBy('id').select('id', 'status', 'assignee', 'owner', 'decision');
    const app = await h.db('applications').where({ id: appId }).first('status', 'current_step', 'payload');
    return {
      audit: await count(h, 'audit_log', (q) => q.where({ application_id: appId })),
      notifications: await count(h, 'notifications', (q) => q.where({ application_id: appId })),
      tasks,
      app,
      history: await history(h, `application-${appId}`),
      replay: await replayRows(ctx),
    };
  };
}

/**
 * A campaign's footprint: its rows (regions, enterprises, projects, bulletins,
 * phase summaries), its workflows' histories, and of its projects only the
 * first — the one denied calls share; the others belong to allowed calls,
 * whose effects (a self-assessment's review starting…) may still be landing.
 */
export function campaignFootprint(ctx: Ctx, c: CampaignSubject) {
  const watched = c.projects.slice(0, 1);
  return async () => {
    const h = ctx.h;
    const where = (q: any) => q.where({ campaign_id: c.id });
    return {
      campaign: await h.db('campaigns').where({ id: c.id }).first('phase'),
      regions: await h.db('campaign_regions').where({ campaign_id: c.id }).select('org_id', 'status', 'plan_submitted_at', 'list_application_id'),
      enterprises: await count(h, 'enterprises', where),
      projects: await count(h, 'projects', where),
      unions: await count(h, 'union_establishments', where),
      reports: await count(h, 'reports', where),
      phases: await count(h, 'phase_summaries', where),
      projectStates: await h.db('projects').whereIn('id', watched).select('status', 'assessment_application_id', 'members_recruited'),
      projectEvents: await count(h, 'project_events', (q) => q.whereIn('project_id', watched)),
      campaignHistory: await history(h, `campaign-${c.id}`),
      regionHistory: await history(h, regionWorkflowId(c.id, c.region)),
      projectHistories: await Promise.all(watched.map((p) => history(h, projectWorkflowId(p)))),
      replay: await replayRows(ctx),
    };
  };
}

/** Creation footprint: rows carrying the request's unique title or name, replay rows, chains, calendar. */
function createdFootprint(ctx: Ctx, where: { table: string; column: string; value: string }) {
  return async () => ({
    rows: await count(ctx.h, where.table, (q) => q.where(where.column, where.value)),
    replay: await replayRows(ctx),
  });
}

// ---------------------------------------------------------------------------
// The org tree (组织机构管理)
// ---------------------------------------------------------------------------

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A grassroots union under 新华区 made by city.admin for the matrix (fresh, or one shared by the denied calls). */
async function orgUnderXinhua(ctx: Ctx): Promise<string> {
  const id = `mx-${crypto.randomBytes(5).toString('hex')}`;
  const r = await ctx.h.call('POST', '/api/orgs', {
    token: await ctx.h.login('city.admin'),
    body: { id, name: `矩阵工会 ${id}`, kind: 'grassroots', parent: 'pds-xinhua' },
  });
  if (r.status !== 201) throw new Error(`setup: POST /api/orgs → ${r.status} ${JSON.stringify(r.body)}`);
  return id;
}
const sharedOrgs = new WeakMap<Fixtures, Promise<string>>();
const sharedOrg = (ctx: Ctx) => {
  if (!sharedOrgs.has(ctx.fx)) sharedOrgs.set(ctx.fx, orgUnderXinhua(ctx));
  return sharedOrgs.get(ctx.fx)!;
};

/** A PDF the applicant attached to a 新华区 subsidy of its own (made on first use), for the download row. */
const sharedAttachments = new WeakMap<Fixtures, Promise<string>>();
function sharedAttachment(ctx: Ctx): Promise<string> {
  if (!sharedAttachments.has(ctx.fx))
    sharedAttachments.set(
      ctx.fx,
      (async () => {
        const t = await ctx.s.subsidyAtCityReview();
        const body = await multipart({ bytes: await samplePdf('matrix download'), name: '矩阵下载.pdf', type: 'application/pdf' });
        const r = await ctx.h.call('POST', `/api/applications/${t.appId}/attachments`, {
          token: await ctx.h.login('xinhua.staff'),
          raw: body.raw,
          headers: { 'content-type': body.contentType },
        });
        if (r.status !== 201) throw new Error(`setup: attachment → ${r.status} ${JSON.stringify(r.body)}`);
        return r.body.id as string;
      })(),
    );
  return sharedAttachments.get(ctx.fx)!;
}

/** An org's footprint: its row, its administration records, replay rows. */
function orgFootprint(ctx: Ctx, id: string) {
  return async () => ({
    org: await ctx.h.db('orgs').where({ id }).first('name', 'path', 'active', 'parent_id'),
    audit: await count(ctx.h, 'admin_audit', (q) => q.where({ subject_kind: 'org', subject_id: id })),
    replay: await replayRows(ctx),
  });
}

/** An import workbook of one new org under the caller's own org (新华区 for callers without one). */
async function importWorkbook(id: string, parent: string): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('组织机构');
  sheet.addRow(['机构编码', '机构名称', '类型', '上级机构编码']);
  sheet.addRow([id, `矩阵导入 ${id}`, parent === 'henan' ? '市总工会' : '基层工会', parent]);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

const orgImports = new WeakMap<Fixtures, Promise<string>>();
/** xinhua.admin's org import sent with `Prefer: respond-async`, finished. */
function orgImportOfXinhuaAdmin(ctx: Ctx): Promise<string> {
  if (!orgImports.has(ctx.fx))
    orgImports.set(
      ctx.fx,
      (async () => {
        const token = await ctx.h.login('xinhua.admin');
        const r = await ctx.h.call('POST', '/api/orgs/import', {
          token,
          headers: { Prefer: 'respond-async', 'content-type': XLSX },
          raw: await importWorkbook(`mx-${crypto.randomBytes(5).toString('hex')}`, 'pds-xinhua'),
        });
        if (r.status !== 202) throw new Error(`setup: async org import → ${r.status} ${JSON.stringify(r.body)}`);
        await eventually(async () => (await ctx.h.call('GET', r.body.statusUrl as string, { token })).body.status === 'done');
        return r.body.importId as string;
      })(),
    );
  return orgImports.get(ctx.fx)!;
}

/** manageOrg / placeOrgUnder below 新华区: admins of 新华区 or above; others in scope 403; outside 404. */
const MANAGE_BELOW_XINHUA = 'FF2 N FF2F NN NNNN F2F U';

// ---------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------

// Recurring rows (columns as in the file's header).
const EVERYONE = '222 2 2222 22 2222 222 U';
const PUBLIC = '222 2 2222 22 2222 222 2';
/** seeApplication / seeProject on 新华区's things: 新华区 and above; not its grassroots union below, not a sibling, not 许昌. */
const SEE_XINHUA = '222 N 2222 NN NNNN 222 U';
/** seeCampaign on a pds campaign with 新华区 as its region: the city and above, and 新华区's subtree. */
const SEE_CAMPAIGN = '222 2 2222 NN NNNN 222 U';
/** decideTask on the city review task (org pds): its holders (pds reviewers), admins whose subtree holds pds; seers 403. */
const DECIDE_CITY_TASK = 'FFF N F22F NN NNNN F2F U';
/** submitForRegion(新华区): staff and admins of 新华区 or above. */
const REGION_SUBMIT = '2F2 N 2F2F NN NNNN F2F U';
/** runCampaign: pds's own admin; others who see the campaign 403. */
const RUN_CAMPAIGN = 'FFF F FF2F NN NNNN FFF U';
/** readBulletins: supervisors, admins, staff of the city or above; staff and admins of a region taking part. */
const BULLETIN_READERS = '2F2 F 2F22 NN NNNN F22 U';
/** The province's overview and bulletins: its admins, supervisors and reviewers; everyone below sees the province, so 403. */
const PROVINCE_READERS = 'FFF F FFFF FF FFFF 222 U';
/** Setting and issuing the province bulletin: a province admin. */
const PROVINCE_ADMIN = 'FFF F FFFF FF FFFF F2F U';

/** What a province bulletin call could change: the bulletins, the settings, the notices. */
function provinceBulletinFootprint(ctx: Ctx) {
  return async () => ({
    bulletins: await count(ctx.h, 'province_bulletins', (q) => q.where({ org_id: 'henan' })),
    settings: (await ctx.h.db('province_bulletin_settings').where({ org_id: 'henan' }).first()) ?? null,
    notices: await count(ctx.h, 'notifications', (q) => q.where('event_key', 'like', 'province-bulletin:%')),
  });
}

let provinceBulletinId: Promise<string> | undefined;
/** One province bulletin, issued by prov.admin on first use. */
function provinceBulletin(ctx: Ctx): Promise<string> {
  provinceBulletinId ??= (async () => {
    const r = await ctx.h.call('POST', '/api/orgs/henan/bulletins', { token: await ctx.h.login('prov.admin'), body: { year: 2026 } });
    if (r.status !== 201) throw new Error(`province bulletin: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.id as string;
  })();
  return provinceBulletinId;
}
/** Any admin (reassignTasks, proposing a chain of one's own org). */
const ANY_ADMIN = 'FF2 F FF2F FF FF2F F2F U';
/** manageUser / grantPost on a 新华区 staff account: admins whose subtree holds 新华区; to everyone else the person does not exist. */
const MANAGE_XINHUA_PERSON = 'NN2 N NN2N NN NNNN N2N U';

const titleOf = (body: unknown) => (body as { title: string }).title;

/**
 * 干部轮岗 subjects: a reviewer of a township union of its own under 新华区
 * (their post comes from the account trigger) — one per allowed call, one
 * shared by the refused calls. Its own org, so no pool of the demo orgs grows.
 */
let sharedRotatee: Promise<{ username: string; postId: string }> | undefined;
async function rotatee(ctx: Ctx, fresh: boolean): Promise<{ username: string; postId: string }> {
  const make = async () => {
    const id = `rot-${crypto.randomBytes(5).toString('hex')}`;
    await ctx.h
      .db('orgs')
      .insert({ id, name: `轮岗测试乡镇 ${id}`, kind: 'township', parent_id: 'pds-xinhua', path: `${PATHS['pds-xinhua']}${id}/`, groups: [] });
    const username = `${id}.reviewer`;
    await ctx.h.db('users').insert({ username, name: '轮岗测试', org_id: id, roles: ['reviewer'], password_hash: 'not-a-login' });
    const post = await ctx.h.db('user_posts').where({ username, role: 'reviewer' }).whereNull('ended_at').first('id');
    return { username, postId: String(post.id) };
  };
  if (fresh) return make();
  sharedRotatee ??= make();
  return sharedRotatee;
}

/** What a rotation could write: the person's posts, the administration record of them, replay rows. */
function rotationFootprint(ctx: Ctx, username: string) {
  return async () => ({
    posts: await ctx.h.db('user_posts').where({ username }).orderBy('id').select('id', 'org_id', 'role', 'ended_at'),
    audit: await count(ctx.h, 'admin_audit', (q) => q.where({ subject_id: username })),
    replay: await replayRows(ctx),
  });
}

/** Probes that act on the city review task of a 新华区 subsidy. */
function taskAction(action: string, extra: Record<string, unknown> = {}): RouteCase {
  return {
    route: `POST /api/tasks/:id/actions ${action}`,
    subject: "新华区's subsidy at the city review",
    subjectOrg: 'pds-xinhua',
    expect: DECIDE_CITY_TASK,
    ok: 200,
    mutating: true,
    async probe(ctx, _c, fresh) {
      const t = fresh ? await ctx.s.subsidyAtCityReview() : ctx.fx.subsidy;
      return {
        method: 'POST',
        path: `/api/tasks/${t.taskId}/actions`,
        body: { action, comment: `权限矩阵 / matrix ${action}`, ...extra },
        footprint: applicationFootprint(ctx, t.appId),
      };
    },
  };
}

/**
 * 字段权限: a subsidy of a township under 新华区 whose chain lets the city review correct the amount; the chain is
 * installed once per run (the township owns it, so no other case meets it), each subject is a fresh application.
 */
const correctableChains = new WeakMap<Fixtures, Promise<string>>();
async function subsidyWithCorrectableAmount(ctx: Ctx): Promise<TaskSubject> {
  if (!correctableChains.has(ctx.fx))
    correctableChains.set(
      ctx.fx,
      ctx.s.a
        .saveChain(
          buildChain({
            steps: [
              humanStep({
                id: 'cityReview',
                name: '市总初审 / city review',
                who: { kind: 'role', role: 'reviewer', level: 'city' },
                fields: { amount: 'edit' },
              }),
            ],
          }),
        )
        .then((c) => c.staff),
    );
  const applicant = await correctableChains.get(ctx.fx)!;
  const appId = await ctx.s.a.start(applicant, buildSubsidy({ amount: 30_000 }));
  const task = await ctx.s.a.task('city.reviewer', appId, 0);
  return { appId, taskId: task.id };
}

/** An approval that corrects a field the step lets its approvers edit: whoever may decide the task (editFormFields after decideTask). */
function taskCorrection(): RouteCase {
  return {
    route: 'POST /api/tasks/:id/actions approve with a correction',
    subject: "a 新华区 township's subsidy at the city review, amount correctable there",
    subjectOrg: 'pds-xinhua',
    expect: DECIDE_CITY_TASK,
    ok: 200,
    mutating: true,
    async probe(ctx, _c, fresh) {
      const t = fresh ? await subsidyWithCorrectableAmount(ctx) : await (ctx.fx.correctable ??= subsidyWithCorrectableAmount(ctx));
      return {
        method: 'POST',
        path: `/api/tasks/${t.taskId}/actions`,
        body: { action: 'approve', comment: '权限矩阵 / matrix correction', form: { amount: 25_000 } },
        footprint: applicationFootprint(ctx, t.appId),
      };
    },
  };
}

/** Probes of the applicant's actions on a 新华区 subsidy. */
function applicationAction(action: string, expect: string): RouteCase {
  return {
    route: `POST /api/applications/:id/actions ${action}`,
    subject: "新华区's subsidy at the city review",
    subjectOrg: 'pds-xinhua',
    expect,
    ok: 200,
    mutating: true,
    async probe(ctx, _c, fresh) {
      const t = fresh ? await ctx.s.subsidyAtCityReview() : ctx.fx.subsidy;
      return {
        method: 'POST',
        path: `/api/applications/${t.appId}/actions`,
        body: { action, comment: `权限矩阵 / matrix ${action}` },
        footprint: applicationFootprint(ctx, t.appId),
      };
    },
  };
}

/** A read of `path` about the subject; no footprint. */
/** The shared rectification items the denied calls are refused on (made once). */
function sharedRectifications(ctx: Ctx): Promise<{ open: string; reported: string }> {
  ctx.fx.rectifications ??= (async () => ({
    open: await ctx.s.rectification(ctx.fx.impl.projects[0]!, 'open'),
    reported: await ctx.s.rectification(ctx.fx.impl.projects[0]!, 'reported'),
  }))();
  return ctx.fx.rectifications;
}

/** A rectification call's footprint: the campaign's, and the item's row as it stands. */
function rectificationFootprint(ctx: Ctx, c: CampaignSubject, id: string) {
  const campaign = campaignFootprint(ctx, c);
  return async () => ({
    campaign: await campaign(),
    item: await ctx.h.db('rectifications').where({ id }).first('status', 'reported_by', 'report_note', 'decided_by', 'decision_note', 'updated_at'),
  });
}

function read(route: string, subject: string, subjectOrg: string, expect: string, path: (ctx: Ctx) => string, extra: Partial<RouteCase> = {}): RouteCase {
  return {
    route,
    subject,
    subjectOrg,
    expect,
    ok: 200,
    mutating: false,
    probe: (ctx) => ({ method: 'GET', path: path(ctx) }),
    ...extra,
  };
}

/** A region's submission to the 新华区 region of a campaign. */
function regionSubmission(
  route: string,
  phase: 'survey' | 'listing',
  ok: number,
  body: () => { body?: unknown; raw?: string; contentType?: string },
): RouteCase {
  const [, path] = route.split(' ') as [string, string];
  return {
    route,
    subject: `新华区 in a pds campaign (${phase})`,
    subjectOrg: REGION,
    expect: REGION_SUBMIT,
    ok,
    mutating: true,
    probe(ctx, _c, fresh) {
      const c = phase === 'listing' ? (fresh ? ctx.fx.pools.listing.take() : ctx.fx.listing) : ctx.fx.survey;
      return { method: 'POST', path: path.replace(':id', c.id).replace(':org', c.region), ...body(), footprint: campaignFootprint(ctx, c) };
    },
  };
}

/** A submission on one of 新华区's projects (progress in implementation, self-assessment in assessment). */
function projectSubmission(route: string, campaign: 'impl' | 'assess', expect: string, ok: number, body: () => unknown): RouteCase {
  const [, path] = route.split(' ') as [string, string];
  return {
    route,
    subject: `a 新华区 project (${campaign === 'impl' ? 'implementation' : 'assessment'})`,
    subjectOrg: REGION,
    expect,
    ok,
    mutating: true,
    probe(ctx, _c, fresh) {
      const c = ctx.fx[campaign];
      const pool = route.endsWith('self-assessment') ? ctx.fx.pools.selfAssessment : ctx.fx.pools.progress;
      // Denied calls share the campaign's first project; each allowed call takes a project of its own.
      const project = fresh ? pool.take() : c.projects[0]!;
      return { method: 'POST', path: path.replace(':id', project), body: body(), footprint: campaignFootprint(ctx, c) };
    },
  };
}

/** A member 新华区's project reported (by xinhua.staff), pending real-name verification: its row id. */
async function pendingMember(ctx: Ctx, project: string): Promise<string> {
  const r = await ctx.h.call('POST', `/api/projects/${project}/progress`, { token: await ctx.h.login('xinhua.staff'), body: { members: memberRecords(1) } });
  if (r.status !== 200) throw new Error(`progress for the matrix: ${r.status} ${JSON.stringify(r.body)}`);
  const row = await ctx.h.db('member_reports').where({ project_id: project, status: 'pending' }).orderBy('id', 'desc').first('id');
  return String(row.id);
}

/** The pending member of the implementation campaign's first project that the refused calls share (made on first use). */
function sharedPendingMember(ctx: Ctx): Promise<string> {
  ctx.fx.pendingMember ??= pendingMember(ctx, ctx.fx.impl.projects[0]!);
  return ctx.fx.pendingMember;
}

const validChain = (key: string) =>
  buildChain({
    key,
    steps: [
      humanStep({ id: 'review', who: { kind: 'role', role: 'reviewer', level: 'city' } }),
      { id: 'notice', name: '通知', type: 'auto', activity: 'issueSubsidyNotice' },
    ],
  });

/** A lenient subsidy chain for the province's own subsidy chain: city.admin alone signs off (the change the issue shows taking effect unreviewed). */
export const lenientSubsidyChain = () => ({
  owner: 'henan',
  key: 'subsidy',
  name: '经费补助（快速）/ subsidy, fast track',
  type: 'subsidy' as const,
  steps: [humanStep({ id: 'adminOnly', who: { kind: 'users', usernames: ['city.admin'] } })],
});

const chainFootprint = (ctx: Ctx, key: string) => async () => ({
  versions: await count(ctx.h, 'chain_definitions', (q) => q.where({ key })),
  proposals: await count(ctx.h, 'applications', (q) => q.where('title', 'like', `%${key}%`)),
  replay: await replayRows(ctx),
});

/**
 * A throwaway account of the caller's org and roles, signed in with a token of its own: logout and a password change
 * end every earlier session of the user, so they must never touch a demo user the other cases sign in as.
 */
async function twinOf(ctx: Ctx, caller: Caller): Promise<{ username: string; token?: string }> {
  const like = caller.user ?? 'xinhua.staff';
  const demo = await ctx.h.db('users').where({ username: like }).first('name', 'org_id', 'roles', 'password_hash');
  const username = `matrix-${crypto.randomBytes(4).toString('hex')}.${caller.role}`;
  await ctx.h.db('users').insert({ username, name: `${demo.name}（矩阵）`, org_id: demo.org_id, roles: demo.roles, password_hash: demo.password_hash });
  if (!caller.user) return { username };
  const r = await ctx.h.call('POST', '/api/auth/login', { body: { username, password: 'demo-password' } });
  if (r.status !== 200) throw new Error(`setup: login ${username} → ${r.status} ${JSON.stringify(r.body)}`);
  return { username, token: r.body.token as string };
}

/** An unread notification of `username`'s (for the read-marking cases); its id. */
async function notificationOf(ctx: Ctx, username: string): Promise<string> {
  const [row] = await ctx.h
    .db('notifications')
    .insert({
      event_key: `matrix-note:${crypto.randomBytes(6).toString('hex')}`,
      username,
      kind: 'reminder',
      message: '矩阵测试消息。 / A matrix test message.',
    })
    .returning('id');
  return String(row.id);
}

/** What marking a notification read could change: its read time. */
const notificationFootprint = (ctx: Ctx, id: string) => async () => ({
  readAt: (await ctx.h.db('notifications').where({ id }).first('read_at'))?.read_at ?? null,
  replay: await replayRows(ctx),
});

/** A throwaway staff account of 新华区 (one post there; a demo user's password hash), for the people routes. */
async function personOfXinhua(ctx: Ctx): Promise<{ username: string; postId: string }> {
  const demo = await ctx.h.db('users').where({ username: 'xinhua.staff' }).first('password_hash');
  const username = `matrix-person-${crypto.randomBytes(4).toString('hex')}`;
  await ctx.h.db('users').insert({ username, name: '矩阵人员', org_id: 'pds-xinhua', roles: ['staff'], password_hash: demo.password_hash });
  const post = await ctx.h.db('user_posts').where({ username }).first('id');
  return { username, postId: String(post.id) };
}

/** What the people routes could write of a person: the account, its posts, its admin_audit rows. */
const personFootprint = (ctx: Ctx, username: string) => async () => ({
  user: await ctx.h
    .db('users')
    .where({ username })
    .first('name', 'active', 'password_hash', 'must_change_password', 'tokens_valid_after', 'roles', 'email', 'phone'),
  posts: await ctx.h.db('user_posts').where({ username }).orderBy('id').select('id', 'org_id', 'role', 'ended_at'),
  audit: await count(ctx.h, 'admin_audit', (q) => q.where({ subject_id: username })),
  replay: await replayRows(ctx),
});

/** A people route on a fresh 新华区 staff account. */
function personAction(route: string, ok: number, body?: (postId: string) => unknown): RouteCase {
  const [method, path] = route.split(' ') as [string, string];
  return {
    route,
    subject: 'a 新华区 staff account',
    subjectOrg: 'pds-xinhua',
    expect: MANAGE_XINHUA_PERSON,
    ok,
    mutating: true,
    async probe(ctx) {
      const p = await personOfXinhua(ctx);
      return {
        method,
        path: path.replace(':username', p.username).replace(':postId', p.postId),
        ...(body ? { body: body(p.postId) } : {}),
        footprint: personFootprint(ctx, p.username),
      };
    },
  };
}

/** A user's sessions and password, as logout and a password change write them. */
const accountFootprint = (ctx: Ctx, username: string) => async () => ({
  user: await ctx.h.db('users').where({ username }).first('password_hash', 'tokens_valid_after', 'must_change_password'),
  replay: await replayRows(ctx),
});

/** Deputies (代理): the person themselves, or an admin whose subtree covers them; outside it 404. */
const DEPUTY_OF_XINHUA = 'FF2 N FF2F NN NNNN F2F U';

/** A range starting in a month (nobody's steps meet it during the run), to the person's colleague `deputy`. */
function deputyRange(deputy: string) {
  const day = (n: number) => new Date(Date.now() + n * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
  return { deputy, from: day(30), to: day(37) };
}

/** A person's deputy rows and their administration record. */
const deputyFootprint = (ctx: Ctx, username: string) => async () => ({
  ranges: await ctx.h.db('deputies').where({ username }).orderBy('id').select('deputy', 'starts_at', 'ends_at', 'ended_at', 'types'),
  audit: await count(ctx.h, 'admin_audit', (q) => q.where({ subject_kind: 'deputy', subject_id: username })),
});

/**
 * PUT / DELETE / GET /api/users/:username/deputy. The subject is a fresh copy of `like` (a 新华区 user), or with
 * `like` null a fresh copy of the caller (their own deputy); a DELETE or GET subject already has a range.
 */
function deputyCase(method: 'PUT' | 'DELETE' | 'GET', subject: string, subjectOrg: string, expect: string, like: string | null): RouteCase {
  return {
    route: `${method} /api/users/:username/deputy${like ? '' : ' own'}`,
    subject,
    subjectOrg,
    expect,
    ok: 200,
    mutating: method !== 'GET',
    async probe(ctx, c) {
      const person = await twinOf(ctx, like ? { user: like, role: 'staff', org: 'pds-xinhua' } : c);
      const demo = await ctx.h.db('users').where({ username: person.username }).first('org_id');
      const colleague = (await twinOf(ctx, { user: like ?? c.user ?? 'xinhua.staff', role: c.role, org: demo.org_id })).username;
      if (method !== 'PUT') {
        const r = deputyRange(colleague);
        await ctx.h.db('deputies').insert({
          username: person.username,
          deputy: colleague,
          starts_at: new Date(`${r.from}T00:00:00+08:00`),
          ends_at: new Date(`${r.to}T23:59:59+08:00`),
          created_by: person.username,
        });
      }
      return {
        method,
        path: `/api/users/${person.username}/deputy`,
        ...(person.token && !like ? { token: person.token } : {}),
        ...(method === 'PUT' ? { body: deputyRange(colleague) } : {}),
        ...(method !== 'GET' ? { footprint: deputyFootprint(ctx, person.username) } : {}),
      };
    },
  };
}

/** city.reviewer's bulk approve of a fresh subsidy's city review task, done. */
function bulkJobOfCityReviewer(ctx: Ctx): Promise<string> {
  ctx.fx.job ??= (async () => {
    const t = await ctx.s.subsidyAtCityReview();
    const done = await runBulkJob(ctx.h, await ctx.h.login('city.reviewer'), '/api/tasks/bulk-approve', { taskIds: [t.taskId] });
    if (done.succeeded !== 1) throw new Error(`setup: city.reviewer's bulk approve → ${JSON.stringify(done)}`);
    return done.jobId;
  })();
  return ctx.fx.job;
}

/**
 * 在办申请迁移: a chain of a township of its own under 新华区 with a version 1 (one application running on it,
 * waiting at its review) and, in force, a version 2. Its steps name a demo reviewer: nobody's role changes.
 */
const migratableChains = new WeakMap<Fixtures, Promise<{ key: string; org: string; appId: string }>>();
async function newMigratableChain(ctx: Ctx): Promise<{ key: string; org: string; appId: string }> {
  const api = new Approvals(ctx.h);
  const chain = buildChain({ steps: [humanStep({ id: 'review' })] });
  const v1 = await api.saveChain(chain);
  const appId = await api.start(v1.staff, buildSubsidy());
  await api.task('city.reviewer', appId);
  await api.installChain({ ...chain, steps: [humanStep({ id: 'review2' })] }, v1.org);
  return { key: chain.key, org: v1.org, appId };
}
/** The chain the denied calls share, or (`fresh`) one of its own for an allowed call that moves its application. */
function migratableChain(ctx: Ctx, fresh = false): Promise<{ key: string; org: string; appId: string }> {
  if (fresh) return newMigratableChain(ctx);
  if (!migratableChains.has(ctx.fx)) migratableChains.set(ctx.fx, newMigratableChain(ctx));
  return migratableChains.get(ctx.fx)!;
}

/** A verified member of 新华区快递行业工会联合会 (as the membership chain's collect and verify steps write one): its card code. */
function memberCardCode(ctx: Ctx): Promise<string> {
  ctx.fx.memberCard ??= (async () => {
    const idNumber = uniqueIdNumber();
    const [row] = await ctx.h
      .db('members')
      .insert({
        id_number_hash: ctx.h.pii.hash(idNumber),
        id_number_enc: ctx.h.pii.encrypt(idNumber),
        id_number_masked: maskIdNumber(idNumber),
        name: '王卡',
        union_id: 'pds-xinhua-express',
        verified: true,
      })
      .returning('card_code');
    return (row as { card_code: string }).card_code;
  })();
  return ctx.fx.memberCard;
}

/** 行动计划: an implementation campaign of 新华区 whose projects city.admin has returned to the region (退回单个项目). */
function planReturnedProjects(ctx: Ctx): Promise<{ shared: string; pool: string[] }> {
  ctx.fx.planReturned ??= (async () => {
    const c = await ctx.s.implementationCampaign(1 + allowedCount('POST /api/projects/:id/plan-revision'));
    const token = await ctx.h.login('city.admin');
    for (const id of c.projects) {
      const r = await ctx.h.call('POST', `/api/campaigns/${c.id}/plan/projects/${id}/return`, { token, body: { comment: '矩阵 / matrix' } });
      if (r.status !== 200) throw new Error(`setup: return ${id} → ${r.status} ${JSON.stringify(r.body)}`);
    }
    return { shared: c.projects[0]!, pool: c.projects.slice(1) };
  })();
  return ctx.fx.planReturned;
}

/** The plan's rows a call could write: its submissions and application, the returns and revisions of its projects. */
function planFootprint(ctx: Ctx, campaignId: string, projectIds: string[]) {
  return async () => ({
    submissions: await count(ctx.h, 'campaign_plan_submissions', (q) => q.where({ campaign_id: campaignId })),
    application: await count(ctx.h, 'applications', (q) => q.where({ id: `plan-${campaignId}` })),
    projects: await ctx.h.db('projects').whereIn('id', projectIds).orderBy('id').select('planned_members', 'responsible_unit', 'plan_returned_at'),
    events: await count(ctx.h, 'project_events', (q) => q.whereIn('project_id', projectIds).andWhere('kind', 'like', 'plan_%')),
  });
}

/** Allowed callers of a route (its 2 cells). */
function allowedCount(route: string): number {
  const rc = CASES.find((c) => c.route === route);
  return rc ? [...rc.expect.replace(/ /g, '')].filter((x) => x === '2').length : 0;
}

/** xinhua.staff's survey upload to 新华区 sent with `Prefer: respond-async`, finished (so its rows land before later cases count). */
function surveyImportOfXinhuaStaff(ctx: Ctx): Promise<string> {
  ctx.fx.surveyImport ??= (async () => {
    const token = await ctx.h.login('xinhua.staff');
    const c = ctx.fx.survey;
    const r = await ctx.h.call('POST', `/api/campaigns/${c.id}/regions/${c.region}/enterprises`, {
      token,
      headers: { Prefer: 'respond-async' },
      body: [{ name: `矩阵导入网点 ${crypto.randomBytes(3).toString('hex')}`, region: REGION, employees: 12, hasUnion: false, groupCounts: { courier: 4 } }],
    });
    if (r.status !== 202) throw new Error(`setup: async survey upload → ${r.status} ${JSON.stringify(r.body)}`);
    await eventually(async () => {
      const s = await ctx.h.call('GET', r.body.statusUrl as string, { token });
      return s.status === 200 && s.body.status === 'done';
    });
    return r.body.importId as string;
  })();
  return ctx.fx.surveyImport;
}

/** A print link for the caller and the bulletin, signed as POST /api/reports/:id/print-link signs it (also for callers it would refuse). */
const printLink = (caller: Caller, reportId: string) =>
  caller.user
    ? `/print/reports/${reportId}?token=${jwt.sign({ sub: caller.user, rid: reportId, use: 'print' }, inject('jwtSecret'), { algorithm: 'HS256', expiresIn: 300 })}`
    : `/print/reports/${reportId}`;

/** A 审批单 link for the caller and the application, signed as POST /api/applications/:id/print-link signs it (also for callers it would refuse). */
const applicationPrintLink = (caller: Caller, appId: string) =>
  caller.user
    ? `/print/applications/${appId}?token=${jwt.sign({ sub: caller.user, aid: appId, use: 'print-application' }, inject('jwtSecret'), { algorithm: 'HS256', expiresIn: 300 })}`
    : `/print/applications/${appId}`;

let calendarDay = 0;
/** A far-future day per call, so calendar edits never touch the days other cases count on. */
const nextDay = () => {
  calendarDay += 1;
  return new Date(Date.UTC(2099, 0, 1) + calendarDay * 86_400_000).toISOString().slice(0, 10);
};

export const CASES: RouteCase[] = [
  // --- auth and the caller --------------------------------------------------------------
  {
    route: 'POST /api/auth/login',
    subject: 'the caller’s own account (anonymous: xinhua.staff’s)',
    subjectOrg: OWN_ORG,
    expect: PUBLIC,
    ok: 200,
    mutating: false,
    probe: (_ctx, c) => ({ method: 'POST', path: '/api/auth/login', body: { username: c.user ?? 'xinhua.staff', password: 'demo-password' } }),
  },
  read('GET /api/me', 'the caller', OWN_ORG, EVERYONE, () => '/api/me'),
  {
    route: 'POST /api/auth/logout',
    subject: 'the caller’s own session (an account of the caller’s org and roles, so no demo user’s session ends)',
    subjectOrg: OWN_ORG,
    expect: EVERYONE,
    ok: 204,
    mutating: true,
    async probe(ctx, c) {
      const twin = await twinOf(ctx, c);
      return { method: 'POST', path: '/api/auth/logout', token: twin.token, footprint: accountFootprint(ctx, twin.username) };
    },
  },
  {
    route: 'POST /api/auth/password',
    subject: 'the caller’s own password (an account of the caller’s org and roles, so no demo user’s password changes)',
    subjectOrg: OWN_ORG,
    expect: EVERYONE,
    ok: 200,
    mutating: true,
    async probe(ctx, c) {
      const twin = await twinOf(ctx, c);
      return {
        method: 'POST',
        path: '/api/auth/password',
        token: twin.token,
        body: { currentPassword: 'demo-password', newPassword: 'Matrix-Pass-2026' },
        footprint: accountFootprint(ctx, twin.username),
      };
    },
  },

  // --- applications (申请) ----------------------------------------------------------------
  {
    route: 'POST /api/applications subsidy',
    subject: 'a subsidy of the caller’s own org',
    subjectOrg: OWN_ORG,
    // applyForSubsidy: staff or admins, for their own org.
    expect: '2F2 F 2F2F 2F 2F2F F2F U',
    ok: 201,
    mutating: true,
    probe(ctx) {
      const body = buildSubsidy();
      return {
        method: 'POST',
        path: '/api/applications',
        body,
        footprint: createdFootprint(ctx, { table: 'applications', column: 'title', value: titleOf(body) }),
      };
    },
  },
  {
    route: 'POST /api/applications membership',
    subject: 'a courier joining in 新华区',
    subjectOrg: 'pds-xinhua',
    // 网上入会: anyone, with an account or without (扫码入会).
    expect: PUBLIC,
    ok: 201,
    mutating: true,
    async probe(ctx, caller) {
      const body = buildMember({ area: REGION, group: 'courier' });
      return {
        method: 'POST',
        path: '/api/applications',
        // Without an account, with the phone's SMS code (read from the development outbox).
        body: caller.user ? body : await withSmsCode(ctx.h, null, body),
        footprint: createdFootprint(ctx, { table: 'applications', column: 'title', value: `${body.name} 入会申请` }),
      };
    },
  },
  read('GET /api/applications', "新华区's subsidy", 'pds-xinhua', 'VVV H VVVV HH HHHH VVV U', () => '/api/applications?limit=200', {
    lists: (b, ctx) => b.items.some((a: { id: string }) => a.id === ctx.fx.subsidy.appId),
  }),
  read('GET /api/applications/:id', "新华区's subsidy", 'pds-xinhua', SEE_XINHUA, (ctx) => `/api/applications/${ctx.fx.subsidy.appId}`),
  // What one may do on it (and why not): whoever sees the application (seeApplication), else 404.
  read('GET /api/applications/:id/allowed', "新华区's subsidy", 'pds-xinhua', SEE_XINHUA, (ctx) => `/api/applications/${ctx.fx.subsidy.appId}/allowed`),
  read('GET /api/applications/:id/route', "新华区's subsidy", 'pds-xinhua', SEE_XINHUA, (ctx) => `/api/applications/${ctx.fx.subsidy.appId}/route`),
  read('GET /api/applications/:id/print', "新华区's subsidy", 'pds-xinhua', SEE_XINHUA, (ctx) => `/api/applications/${ctx.fx.subsidy.appId}/print`),
  // The 审批单's signed link, and the page opened with it (no link: 401): seeApplication, as GET /api/applications/:id.
  {
    route: 'POST /api/applications/:id/print-link',
    subject: "新华区's subsidy",
    subjectOrg: 'pds-xinhua',
    expect: SEE_XINHUA,
    ok: 201,
    mutating: false,
    probe: (ctx) => ({ method: 'POST', path: `/api/applications/${ctx.fx.subsidy.appId}/print-link` }),
  },
  read('GET /print/applications/:id', "新华区's subsidy", 'pds-xinhua', SEE_XINHUA, () => '', {
    probe: (ctx, c) => ({ method: 'GET', path: applicationPrintLink(c, ctx.fx.subsidy.appId) }),
  }),
  read('GET /api/applications/:id/attachments', "新华区's subsidy", 'pds-xinhua', SEE_XINHUA, (ctx) => `/api/applications/${ctx.fx.subsidy.appId}/attachments`),
  {
    route: 'GET /api/attachments/:id',
    subject: "an attachment of 新华区's subsidy",
    subjectOrg: 'pds-xinhua',
    // seeApplication of the attachment's application.
    expect: SEE_XINHUA,
    ok: 200,
    mutating: false,
    async probe(ctx) {
      return { method: 'GET', path: `/api/attachments/${await sharedAttachment(ctx)}` };
    },
  },
  {
    route: 'POST /api/applications/:id/attachments',
    subject: "新华区's subsidy at the city review",
    subjectOrg: 'pds-xinhua',
    // attachToApplication: the applicant and the applicant org's staff and admins (an org's own application), the
    // city review's holders and the admins who may override it; others who see it 403.
    expect: '2F2 N F22F NN NNNN F2F U',
    ok: 201,
    mutating: true,
    async probe(ctx, _c, fresh) {
      const t = fresh ? await ctx.s.subsidyAtCityReview() : ctx.fx.subsidy;
      const body = await multipart({ bytes: await samplePdf(`matrix ${ctx.key}`), name: '权限矩阵.pdf', type: 'application/pdf' }, { comment: '矩阵附件' });
      const application = applicationFootprint(ctx, t.appId);
      return {
        method: 'POST',
        path: `/api/applications/${t.appId}/attachments`,
        raw: body.raw,
        contentType: body.contentType,
        footprint: async () => ({
          ...(await application()),
          attachments: await count(ctx.h, 'attachments', (q) => q.where({ application_id: t.appId })),
          files: storedFiles(ctx.h.attachmentsDir).length,
        }),
      };
    },
  },
  // actForApplicant: the applicant, or staff and admins of the applicant org (an org's own application).
  applicationAction('withdraw', '2F2 N FFFF NN NNNN FFF U'),
  // urgeApplication: the applicant, or an admin whose subtree covers it.
  applicationAction('urge', '2F2 N FF2F NN NNNN F2F U'),

  // --- tasks (待办) -----------------------------------------------------------------------
  read('GET /api/tasks', "新华区's subsidy's city review task", 'pds', 'HHH H HVHH HH HHHH HHH U', () => '/api/tasks?status=pending&limit=200', {
    lists: (b, ctx) => b.items.some((t: { id: string }) => t.id === ctx.fx.subsidy.taskId),
  }),
  // The workbench's views (待办 / 已办 / 我发起的 / 抄送我的): each the caller's own rows only (policy taskViewFilter).
  read('GET /api/tasks?view=todo', "新华区's subsidy's city review task", 'pds', 'HHH H HVHH HH HHHH HHH U', () => '/api/tasks?view=todo&limit=200', {
    lists: (b, ctx) => b.items.some((t: { id: string }) => t.id === ctx.fx.subsidy.taskId),
  }),
  // Nobody has decided it yet, nor been copied: it is in nobody's 已办 or 抄送我的.
  read('GET /api/tasks?view=done', "新华区's subsidy's city review task", 'pds', 'HHH H HHHH HH HHHH HHH U', () => '/api/tasks?view=done&limit=200', {
    lists: (b, ctx) => b.items.some((t: { id: string }) => t.id === ctx.fx.subsidy.taskId),
  }),
  read('GET /api/tasks?view=cc', "新华区's subsidy", 'pds-xinhua', 'HHH H HHHH HH HHHH HHH U', () => '/api/tasks?view=cc&limit=200', {
    lists: (b, ctx) => b.items.some((t: { applicationId: string }) => t.applicationId === ctx.fx.subsidy.appId),
  }),
  // 我发起的: the applicant (xinhua.staff) only.
  read('GET /api/tasks?view=started', "新华区's subsidy", 'pds-xinhua', 'VHH H HHHH HH HHHH HHH U', () => '/api/tasks?view=started&limit=200', {
    lists: (b, ctx) => b.items.some((a: { applicationId: string }) => a.applicationId === ctx.fx.subsidy.appId),
  }),
  read('GET /api/tasks/:id', "新华区's subsidy's city review task", 'pds-xinhua', SEE_XINHUA, (ctx) => `/api/tasks/${ctx.fx.subsidy.taskId}`),
  read('GET /api/tasks/:id/allowed', "新华区's subsidy's city review task", 'pds-xinhua', SEE_XINHUA, (ctx) => `/api/tasks/${ctx.fx.subsidy.taskId}/allowed`),
  {
    route: 'GET /api/tasks/:id?reveal=personal',
    subject: "a 新华区 courier's identity review (身份审核)",
    subjectOrg: 'pds-xinhua',
    // revealPersonalData: the holder only (the union's reviewer); an admin's override does not reach personal data.
    expect: 'FFF 2 FFFF NN NNNN FFF U',
    ok: 200,
    mutating: true, // every view is audited: a refused one must leave no trace
    probe(ctx) {
      const m = ctx.fx.member;
      return { method: 'GET', path: `/api/tasks/${m.taskId}?reveal=personal`, footprint: applicationFootprint(ctx, m.appId) };
    },
  },
  taskAction('approve'),
  taskCorrection(),
  taskAction('reject'),
  taskAction('return', { returnTo: 'applicant' }),
  taskAction('transfer', { to: 'city.reviewer2' }),
  taskAction('delegate', { to: 'city.reviewer2' }),
  taskAction('addSigner', { to: 'city.reviewer2', position: 'after' }),
  taskAction('cc', { to: 'xinhua.reviewer' }),
  {
    route: 'POST /api/tasks/bulk-approve',
    subject: "新华区's subsidy's city review task",
    subjectOrg: 'pds-xinhua',
    // A job (202); per task, decideTask: the holder or an admin whose subtree holds the task's org; a task one sees but may not decide 403, else 404.
    expect: DECIDE_CITY_TASK,
    ok: 202,
    mutating: true,
    perItem: true,
    async probe(ctx, _c, fresh) {
      const t = fresh ? await ctx.s.subsidyAtCityReview() : ctx.fx.subsidy;
      return { method: 'POST', path: '/api/tasks/bulk-approve', body: { taskIds: [t.taskId] }, footprint: applicationFootprint(ctx, t.appId) };
    },
  },
  {
    route: 'POST /api/tasks/reassign',
    subject: "city.reviewer2's tasks",
    subjectOrg: 'pds',
    // reassignTasks: admins, as a job (202); each task then within the admin's subtree, to a successor inside the task's org.
    expect: ANY_ADMIN,
    ok: 202,
    mutating: true,
    job: true,
    probe(ctx) {
      const t = ctx.fx.subsidy;
      return {
        method: 'POST',
        path: '/api/tasks/reassign',
        body: { from: 'city.reviewer2', to: 'city.reviewer', comment: '岗位调整 / rotation' },
        footprint: applicationFootprint(ctx, t.appId),
      };
    },
  },
  {
    route: 'POST /api/users/:username/rotate',
    subject: 'a reviewer of a township union under 新华区',
    subjectOrg: 'pds-xinhua',
    // rotateCadre (= grantPost for the post ended and the post started): admins over the person's post (新华区 and
    // above); other admins do not see the person (404); everyone else 403. As a job (202).
    expect: 'FF2 F FF2F FF FFNF F2F U',
    ok: 202,
    mutating: true,
    job: true,
    async probe(ctx, _c, fresh) {
      const p = await rotatee(ctx, fresh);
      return {
        method: 'POST',
        path: `/api/users/${p.username}/rotate`,
        body: { fromPost: p.postId, successor: 'xinhua.staff' },
        footprint: rotationFootprint(ctx, p.username),
      };
    },
  },
  {
    route: 'POST /api/users/:username/rotate dryRun',
    subject: 'a reviewer of a township union under 新华区',
    subjectOrg: 'pds-xinhua',
    // The preview: the same decision, 200 and nothing written.
    expect: 'FF2 F FF2F FF FFNF F2F U',
    ok: 200,
    mutating: true,
    async probe(ctx) {
      const p = await rotatee(ctx, false);
      return {
        method: 'POST',
        path: `/api/users/${p.username}/rotate`,
        body: { fromPost: p.postId, successor: 'xinhua.staff', dryRun: true },
        footprint: rotationFootprint(ctx, p.username),
      };
    },
  },
  // followJob: only who started the job; to anyone else it does not exist.
  read('GET /api/jobs/:id', "city.reviewer's bulk approve job", 'pds', 'NNN N N2NN NN NNNN NNN U', () => '', {
    probe: async (ctx) => ({ method: 'GET', path: `/api/jobs/${await bulkJobOfCityReviewer(ctx)}` }),
  }),

  // --- chains (审批链) and the calendar ------------------------------------------------------
  read('GET /api/chains', 'the chains', 'henan', EVERYONE, () => '/api/chains'),
  // 发起申请: everyone signed in reads the form of the chain in force for them; `canApply` carries the policy's answer.
  read('GET /api/applications/form', 'the subsidy form in force for the caller', OWN_ORG, EVERYONE, () => '/api/applications/form?type=subsidy'),
  read('GET /api/chains/:key', 'the built-in subsidy chain', 'henan', EVERYONE, () => '/api/chains/subsidy'),
  {
    route: 'POST /api/chains lenient subsidy',
    subject: 'the built-in subsidy chain (the province’s)',
    subjectOrg: 'henan',
    // proposeChain(owner henan): only an admin of the province proposes (202: a proposal a second admin approves).
    expect: 'FFF F FFFF FF FFFF F2F U',
    ok: 202,
    mutating: true,
    probe(ctx) {
      return { method: 'POST', path: '/api/chains', body: lenientSubsidyChain(), footprint: chainFootprint(ctx, 'subsidy') };
    },
  },
  {
    route: 'POST /api/chains new',
    subject: 'a new chain of the caller’s own org',
    subjectOrg: OWN_ORG,
    // proposeChain(own org): any admin; the change waits for a second admin (202).
    expect: ANY_ADMIN,
    ok: 202,
    mutating: true,
    probe(ctx) {
      const key = `t-${crypto.randomBytes(4).toString('hex')}`;
      return { method: 'POST', path: '/api/chains', body: validChain(key), footprint: chainFootprint(ctx, key) };
    },
  },
  {
    route: 'POST /api/chains/:key/migrations',
    subject: 'a chain of a township under 新华区 (its v1 applications to v2)',
    subjectOrg: 'pds-xinhua',
    // migrateChain: admins of the owner or above (新华区, 平顶山, 河南), as a job (202) that moves the application;
    // others who read the chain 403; beside it 404.
    expect: MANAGE_BELOW_XINHUA,
    ok: 202,
    mutating: true,
    job: true,
    async probe(ctx, _c, fresh) {
      const c = await migratableChain(ctx, fresh);
      return {
        method: 'POST',
        path: `/api/chains/${c.key}/migrations?owner=${c.org}`,
        body: { fromVersion: 1, toVersion: 2, stepMap: { review: 'review2' } },
        footprint: applicationFootprint(ctx, c.appId),
      };
    },
  },
  {
    route: 'POST /api/chains/:key/migrations dryRun',
    subject: 'a chain of a township under 新华区 (its v1 applications to v2)',
    subjectOrg: 'pds-xinhua',
    // migrateChain: admins of the owner or above (新华区, 平顶山, 河南); others who read the chain 403; beside it 404.
    // The preview (dryRun): the same decision, 200 and nothing written.
    expect: MANAGE_BELOW_XINHUA,
    ok: 200,
    mutating: true,
    async probe(ctx) {
      const c = await migratableChain(ctx);
      return {
        method: 'POST',
        path: `/api/chains/${c.key}/migrations?owner=${c.org}`,
        body: { fromVersion: 1, toVersion: 2, stepMap: { review: 'review2' }, dryRun: true },
        footprint: applicationFootprint(ctx, c.appId),
      };
    },
  },
  {
    route: 'POST /api/chains/route-preview own org',
    subject: 'a draft chain of the caller’s own org, previewed for a sample of that org',
    subjectOrg: OWN_ORG,
    // proposeChain(own org): any admin may preview what they may propose; a preview writes nothing.
    expect: ANY_ADMIN,
    ok: 200,
    mutating: false,
    probe(_ctx, caller) {
      const chain = { ...validChain(`t-${crypto.randomBytes(4).toString('hex')}`), owner: undefined };
      return { method: 'POST', path: '/api/chains/route-preview', body: { chain, sample: { applicantOrg: caller.org ?? 'pds', amount: 60000 } } };
    },
  },
  {
    route: 'POST /api/chains/route-preview org pds',
    subject: 'a draft chain of 平顶山, previewed for a 新华区 sample',
    subjectOrg: 'pds',
    // proposeChain(owner pds): an admin of 平顶山 or the province; a county admin below it is refused (403).
    expect: 'FFF F FF2F FF FFFF F2F U',
    ok: 200,
    mutating: false,
    probe() {
      const chain = { ...validChain(`t-${crypto.randomBytes(4).toString('hex')}`), owner: 'pds' };
      return { method: 'POST', path: '/api/chains/route-preview', body: { chain, sample: { applicantOrg: 'pds-xinhua', amount: 60000 } } };
    },
  },
  read('GET /api/calendar', 'the working calendar', 'henan', EVERYONE, () => '/api/calendar?year=2026'),
  {
    route: 'PUT /api/calendar/:date own org',
    subject: 'the working calendar of the caller’s own org',
    subjectOrg: OWN_ORG,
    // editCalendar: an admin of a city or the province (a county admin is refused, 403).
    expect: 'FFF F FF2F FF FF2F F2F U',
    ok: 200,
    mutating: true,
    probe(ctx) {
      const date = nextDay();
      return {
        method: 'PUT',
        path: `/api/calendar/${date}`,
        body: { kind: 'holiday', name: '矩阵 / matrix' },
        footprint: async () => ({ overrides: await count(ctx.h, 'calendar_overrides', (q) => q.where({ date })) }),
      };
    },
  },
  {
    route: 'PUT /api/calendar/:date org pds',
    subject: 'the working calendar of 平顶山 (a local holiday)',
    subjectOrg: 'pds',
    // editCalendar(pds): a city or province admin whose subtree holds pds; 许昌's admin: 404.
    expect: 'FFF F FF2F FF FFNF F2F U',
    ok: 200,
    mutating: true,
    probe(ctx) {
      const date = nextDay();
      return {
        method: 'PUT',
        path: `/api/calendar/${date}`,
        body: { kind: 'holiday', name: '矩阵 / matrix', org: 'pds' },
        footprint: async () => ({ overrides: await count(ctx.h, 'calendar_overrides', (q) => q.where({ date })) }),
      };
    },
  },
  {
    route: 'DELETE /api/calendar/:date',
    subject: 'an override of 平顶山’s working calendar',
    subjectOrg: 'pds',
    expect: 'FFF F FF2F FF FFNF F2F U',
    ok: 204,
    mutating: true,
    async probe(ctx) {
      const date = nextDay();
      const put = await ctx.h.call('PUT', `/api/calendar/${date}`, {
        token: await ctx.h.login('prov.admin'),
        body: { kind: 'holiday', name: '待删 / to delete', org: 'pds' },
      });
      if (put.status !== 200) throw new Error(`setup: PUT /api/calendar/${date} → ${put.status}`);
      return {
        method: 'DELETE',
        path: `/api/calendar/${date}?org=pds`,
        footprint: async () => ({ overrides: await count(ctx.h, 'calendar_overrides', (q) => q.where({ date })) }),
      };
    },
  },

  // --- campaigns (集中行动) ---------------------------------------------------------------------
  {
    route: 'POST /api/campaigns',
    subject: 'a campaign of pds',
    subjectOrg: 'pds',
    // launchCampaign(pds): an admin whose subtree holds pds (not a county's, not 许昌's).
    expect: 'FFF F FF2F FF FFFF F2F U',
    ok: 201,
    mutating: true,
    probe(ctx) {
      const body = buildLaunch({ regions: [REGION], targets: { newMembers: 10 } });
      return { method: 'POST', path: '/api/campaigns', body, footprint: createdFootprint(ctx, { table: 'campaigns', column: 'id', value: body.id }) };
    },
  },
  read('GET /api/campaigns', 'a pds campaign for 新华区', 'pds-xinhua', 'VVV V VVVV HH HHHH VVV U', () => '/api/campaigns?limit=200', {
    lists: (b, ctx) => b.items.some((c: { id: string }) => c.id === ctx.fx.survey.id),
  }),
  read('GET /api/campaigns/:id', 'a pds campaign for 新华区', 'pds-xinhua', SEE_CAMPAIGN, (ctx) => `/api/campaigns/${ctx.fx.survey.id}`),
  read('GET /api/campaigns/:id/projects', 'a pds campaign for 新华区', 'pds-xinhua', SEE_CAMPAIGN, (ctx) => `/api/campaigns/${ctx.fx.impl.id}/projects`),
  read(
    'GET /api/campaigns/:id/online-joins',
    'a pds campaign for 新华区',
    'pds-xinhua',
    SEE_CAMPAIGN,
    (ctx) => `/api/campaigns/${ctx.fx.survey.id}/online-joins?by=week`,
  ),
  // 报送留痕: a region's submissions read back — the region and its line up (city, province); not another region,
  // not a union below, not another city (readRegionSubmissions).
  read(
    'GET /api/campaigns/:id/regions/:org/plan',
    'a pds campaign for 新华区',
    'pds-xinhua',
    SEE_XINHUA,
    (ctx) => `/api/campaigns/${ctx.fx.impl.id}/regions/pds-xinhua/plan`,
  ),
  read(
    'GET /api/campaigns/:id/regions/:org/project-lists',
    'a pds campaign for 新华区',
    'pds-xinhua',
    SEE_XINHUA,
    (ctx) => `/api/campaigns/${ctx.fx.impl.id}/regions/pds-xinhua/project-lists`,
  ),
  // 会员名册: whoever sees the campaign, each in their own subtree (memberRosterScope).
  read(
    'GET /api/campaigns/:id/members',
    'a pds campaign for 新华区',
    'pds-xinhua',
    SEE_CAMPAIGN,
    (ctx) => `/api/campaigns/${ctx.fx.impl.id}/members?q=${encodeURIComponent('骑手')}`,
  ),
  {
    route: 'POST /api/campaigns/:id/advance',
    subject: 'a pds campaign for 新华区 (survey)',
    subjectOrg: 'pds-xinhua',
    expect: RUN_CAMPAIGN,
    ok: 200,
    mutating: true,
    probe(ctx, _c, fresh) {
      const c = fresh ? ctx.fx.pools.survey.take() : ctx.fx.survey;
      return { method: 'POST', path: `/api/campaigns/${c.id}/advance`, body: { reason: '权限矩阵 / matrix' }, footprint: campaignFootprint(ctx, c) };
    },
  },
  regionSubmission('POST /api/campaigns/:id/regions/:org/enterprises', 'survey', 200, () => ({
    body: [{ name: `矩阵快递网点 ${crypto.randomBytes(3).toString('hex')}`, region: REGION, employees: 30, hasUnion: false, groupCounts: { courier: 10 } }],
  })),
  read(
    'GET /api/campaigns/:id/regions/:org/gaps',
    '新华区 in a pds campaign',
    'pds-xinhua',
    SEE_XINHUA,
    (ctx) => `/api/campaigns/${ctx.fx.survey.id}/regions/${REGION}/gaps`,
  ),
  // The upload's template: whoever may upload for the region (submitForRegion), in any phase.
  read(
    'GET /api/campaigns/:id/regions/:org/survey-template',
    '新华区 in a pds campaign',
    'pds-xinhua',
    REGION_SUBMIT,
    (ctx) => `/api/campaigns/${ctx.fx.survey.id}/regions/${REGION}/survey-template?format=xlsx`,
  ),
  regionSubmission('POST /api/campaigns/:id/regions/:org/plan', 'survey', 200, () => ({
    body: { summary: '以快递平台为重点，拉网式排查 / couriers first', measures: ['召开动员会 / kick-off', '建立一企一档 / one file per firm'] },
  })),
  regionSubmission('POST /api/campaigns/:id/regions/:org/projects', 'listing', 201, () => ({ body: { projects: [organizingProject()] } })),
  read('GET /api/projects/:id', 'a 新华区 project', 'pds-xinhua', SEE_XINHUA, (ctx) => `/api/projects/${ctx.fx.impl.projects[0]}`),
  read('GET /api/projects/:id/reports', 'a 新华区 project', 'pds-xinhua', SEE_XINHUA, (ctx) => `/api/projects/${ctx.fx.impl.projects[0]}/reports`),
  read(
    'GET /api/projects/:id/self-assessments',
    'a 新华区 project',
    'pds-xinhua',
    SEE_XINHUA,
    (ctx) => `/api/projects/${ctx.fx.impl.projects[0]}/self-assessments`,
  ),
  projectSubmission('POST /api/projects/:id/progress', 'impl', REGION_SUBMIT, 200, () => ({ members: memberRecords(1), note: '矩阵 / matrix' })),
  // 批量导入会员 (uploadProjectMembers): whoever may report the project's progress; a CSV with one new member.
  read(
    'GET /api/projects/:id/member-template',
    'a 新华区 project',
    'pds-xinhua',
    REGION_SUBMIT,
    (ctx) => `/api/projects/${ctx.fx.impl.projects[0]}/member-template?format=xlsx`,
  ),
  {
    route: 'POST /api/projects/:id/member-uploads',
    subject: 'a 新华区 project (implementation)',
    subjectOrg: REGION,
    expect: REGION_SUBMIT,
    ok: 200,
    mutating: true,
    probe(ctx, _c, fresh) {
      const c = ctx.fx.impl;
      const project = fresh ? ctx.fx.pools.progress.take() : c.projects[0]!;
      return {
        method: 'POST',
        path: `/api/projects/${project}/member-uploads`,
        raw: `姓名,身份证号,重点群体,工作单位,是否劳务派遣,派遣单位\r\n矩阵会员,${uniqueIdNumber()},快递员,某快递网点,否,\r\n`,
        contentType: 'text/csv; charset=utf-8',
        footprint: campaignFootprint(ctx, c),
      };
    },
  },
  // 省级会员库导出 (exportProvincialMembers): the city federation's and the province's admins; each export leaves an audit row.
  read(
    'GET /api/campaigns/:id/provincial-members',
    'the real-name members of a pds campaign',
    'pds',
    'FFF F FF2F NN NNNN F2F U',
    (ctx) => `/api/campaigns/${ctx.fx.impl.id}/provincial-members?format=csv`,
    {
      probe: (ctx) => ({
        method: 'GET',
        path: `/api/campaigns/${ctx.fx.impl.id}/provincial-members?format=csv`,
        footprint: async () => ({
          exports: await count(ctx.h, 'audit_log', (q) => q.where({ application_id: ctx.fx.impl.id, action: 'personalDataExported' })),
        }),
      }),
    },
  ),
  // 建会: seeProject, then startUnionEstablishment (the region's staff and admins, or above); each allowed call a new name.
  projectSubmission('POST /api/projects/:id/unions', 'impl', REGION_SUBMIT, 201, () => ({ name: `矩阵联合工会 ${crypto.randomUUID()}`, kind: 'joint' })),
  {
    route: 'POST /api/projects/:id/inspections',
    subject: 'a 新华区 project (implementation)',
    subjectOrg: REGION,
    // seeProject, then inspectProject (the city federation's staff and admins record inspections).
    expect: 'FFF N 2F2F NN NNNN FFF U',
    ok: 201,
    mutating: true,
    probe(ctx, _c, fresh) {
      const c = ctx.fx.impl;
      const project = fresh ? ctx.fx.pools.progress.take() : c.projects[0]!;
      return {
        method: 'POST',
        path: `/api/projects/${project}/inspections`,
        body: { findings: '台账齐全 / records complete', result: 'good', inspectedOn: '2026-06-15' },
        footprint: campaignFootprint(ctx, c),
      };
    },
  },
  // --- 实名核验 real-name verification of reported members -------------------------------------
  // seeProject, then seeReportedMembers: the verifier, the region's staff and admins, the city's staff, admins and
  // supervisors; the province sees the project but not the names (403).
  read(
    'GET /api/projects/:id/members-reported',
    'a 新华区 project',
    'pds-xinhua',
    '222 N 2222 NN NNNN FFF U',
    (ctx) => `/api/projects/${ctx.fx.impl.projects[0]}/members-reported`,
  ),
  {
    // The verifier's queue: reviewers only (others 403); a member 新华区's project reported is in the queue of
    // 新华区's and the city's reviewers, not of any other reviewer's.
    route: 'GET /api/member-verifications',
    subject: 'a member a 新华区 project reported, pending',
    subjectOrg: 'pds-xinhua',
    expect: 'FVF H FVFF FH FHFF HFF U',
    ok: 200,
    mutating: false,
    lists: (b, ctx) => b.items.some((i: { id: string }) => i.id === ctx.fx.pendingMemberId),
    async probe(ctx) {
      ctx.fx.pendingMemberId = await sharedPendingMember(ctx);
      return { method: 'GET', path: '/api/member-verifications?limit=500' };
    },
  },
  {
    // verifyReportedMembers: a reviewer of the project's region or of its city.
    route: 'POST /api/projects/:id/members-reported/decisions',
    subject: 'a member a 新华区 project reported, pending',
    subjectOrg: REGION,
    expect: 'F2F N F2FF NN NNNN FFF U',
    ok: 200,
    mutating: true,
    async probe(ctx, _c, fresh) {
      const project = fresh ? ctx.fx.pools.progress.take() : ctx.fx.impl.projects[0]!;
      const id = fresh ? await pendingMember(ctx, project) : await sharedPendingMember(ctx);
      return {
        method: 'POST',
        path: `/api/projects/${project}/members-reported/decisions`,
        body: { decisions: [{ id, action: 'verify' }] },
        footprint: async () => ({
          ...(await campaignFootprint(ctx, ctx.fx.impl)()),
          reported: await ctx.h.db('member_reports').where({ project_id: project }).orderBy('id').select('id', 'status', 'outcome'),
          members: await count(ctx.h, 'members', (q) => q.where({ project_id: project })),
        }),
      };
    },
  },
  // 整改事项 (issue 16): the list as the campaign (seeCampaign); the review as the project (seeProject).
  read(
    'GET /api/campaigns/:id/rectifications',
    'a pds campaign for 新华区',
    'pds-xinhua',
    SEE_CAMPAIGN,
    (ctx) => `/api/campaigns/${ctx.fx.impl.id}/rectifications`,
  ),
  read(
    'GET /api/projects/:id/assessment-review',
    'a 新华区 project',
    'pds-xinhua',
    SEE_XINHUA,
    (ctx) => `/api/projects/${ctx.fx.impl.projects[0]}/assessment-review`,
  ),
  {
    route: 'POST /api/rectifications/:id/report',
    subject: 'an open rectification item of a 新华区 project',
    subjectOrg: REGION,
    // seeProject, then reportRectification: the region's own staff and admins (the city accepts, never reports).
    expect: '2F2 N FFFF NN NNNN FFF U',
    ok: 200,
    mutating: true,
    async probe(ctx, _c, fresh) {
      const c = ctx.fx.impl;
      const id = fresh ? await ctx.s.rectification(c.projects[0]!, 'open') : (await sharedRectifications(ctx)).open;
      return { method: 'POST', path: `/api/rectifications/${id}/report`, body: { note: '已整改 / done' }, footprint: rectificationFootprint(ctx, c, id) };
    },
  },
  {
    route: 'POST /api/rectifications/:id/decision',
    subject: 'a reported rectification item of a 新华区 project',
    subjectOrg: REGION,
    // seeProject, then decideRectification: the city federation's staff, reviewers and admins.
    expect: 'FFF N 222F NN NNNN FFF U',
    ok: 200,
    mutating: true,
    async probe(ctx, _c, fresh) {
      const c = ctx.fx.impl;
      const id = fresh ? await ctx.s.rectification(c.projects[0]!, 'reported') : (await sharedRectifications(ctx)).reported;
      return { method: 'POST', path: `/api/rectifications/${id}/decision`, body: { decision: 'accept' }, footprint: rectificationFootprint(ctx, c, id) };
    },
  },
  projectSubmission('POST /api/projects/:id/self-assessment', 'assess', REGION_SUBMIT, 201, () => ({
    summary: '完成建会目标 / targets met',
    membersRecruited: 5,
    unionsEstablished: 1,
  })),

  // --- 行动计划 (the city's consolidated plan) ------------------------------------------------------
  read('GET /api/campaigns/:id/plan', 'a pds campaign for 新华区', 'pds-xinhua', SEE_CAMPAIGN, (ctx) => `/api/campaigns/${ctx.fx.impl.id}/plan`),
  {
    route: 'POST /api/campaigns/:id/plan/submit',
    subject: 'a pds campaign for 新华区 (implementation, approved projects)',
    subjectOrg: 'pds-xinhua',
    // seeCampaign, then submitCampaignPlan: the campaign's own city admin.
    expect: RUN_CAMPAIGN,
    ok: 201,
    mutating: true,
    async probe(ctx, _c, fresh) {
      const c = fresh ? await ctx.s.implementationCampaign(1) : ctx.fx.impl;
      return { method: 'POST', path: `/api/campaigns/${c.id}/plan/submit`, body: { note: '矩阵 / matrix' }, footprint: planFootprint(ctx, c.id, c.projects) };
    },
  },
  {
    route: 'POST /api/campaigns/:id/plan/projects/:projectId/return',
    subject: 'a 新华区 project of a pds campaign (implementation)',
    subjectOrg: 'pds-xinhua',
    // seeCampaign, then returnPlanProject: the campaign's own city admin.
    expect: RUN_CAMPAIGN,
    ok: 200,
    mutating: true,
    async probe(ctx, _c, fresh) {
      const c = fresh ? await ctx.s.implementationCampaign(1) : ctx.fx.impl;
      const project = c.projects[0]!;
      return {
        method: 'POST',
        path: `/api/campaigns/${c.id}/plan/projects/${project}/return`,
        body: { comment: '请核实 / please check' },
        footprint: planFootprint(ctx, c.id, [project]),
      };
    },
  },
  {
    route: 'POST /api/projects/:id/plan-revision',
    subject: 'a 新华区 project returned by the city',
    subjectOrg: REGION,
    // seeProject, then revisePlanProject: staff and admins of 新华区 itself (the city returned it to them; it does not revise it).
    expect: '2F2 N FFFF NN NNNN FFF U',
    ok: 200,
    mutating: true,
    async probe(ctx, _c, fresh) {
      const returned = await planReturnedProjects(ctx);
      const project = fresh ? returned.pool.shift() : returned.shared;
      if (!project) throw new Error('subject pool of returned projects is empty');
      const campaignId = (await ctx.h.db('projects').where({ id: project }).first('campaign_id')).campaign_id as string;
      return {
        method: 'POST',
        path: `/api/projects/${project}/plan-revision`,
        body: { plannedMembers: 9, responsibleUnit: '新华区总工会' },
        footprint: planFootprint(ctx, campaignId, [project]),
      };
    },
  },

  // --- bulletins (通报) -------------------------------------------------------------------------
  read('GET /api/campaigns/:id/reports', 'a pds campaign for 新华区', 'pds-xinhua', BULLETIN_READERS, (ctx) => `/api/campaigns/${ctx.fx.impl.id}/reports`),
  {
    route: 'POST /api/campaigns/:id/reports',
    subject: 'a pds campaign for 新华区 (implementation)',
    subjectOrg: 'pds-xinhua',
    expect: RUN_CAMPAIGN,
    ok: 201,
    mutating: true,
    probe: (ctx) => ({ method: 'POST', path: `/api/campaigns/${ctx.fx.impl.id}/reports`, footprint: campaignFootprint(ctx, ctx.fx.impl) }),
  },
  read(
    'GET /api/campaigns/:id/reports/schedule',
    'a pds campaign for 新华区',
    'pds-xinhua',
    BULLETIN_READERS,
    (ctx) => `/api/campaigns/${ctx.fx.impl.id}/reports/schedule`,
  ),
  {
    route: 'POST /api/campaigns/:id/reports/schedule',
    subject: 'a pds campaign for 新华区 (implementation)',
    subjectOrg: 'pds-xinhua',
    expect: RUN_CAMPAIGN,
    ok: 200,
    mutating: true,
    probe(ctx) {
      const c = ctx.fx.impl;
      return {
        method: 'POST',
        path: `/api/campaigns/${c.id}/reports/schedule`,
        body: { paused: true, note: '矩阵 / matrix' },
        footprint: async () => ({
          paused: (await ctx.h.temporal.schedule.getHandle(`bulletins-${c.id}`).describe()).state.paused,
          ...(await campaignFootprint(ctx, c)()),
        }),
      };
    },
  },
  // --- the province's view across its cities (全省概览) and its bulletin of cities (全省通报) ------
  // readOrgOverview / readProvinceBulletins: admins, supervisors and reviewers of the province (a city: of it or above);
  // an org seen from below is refused (403), another city is not found (404).
  read('GET /api/orgs/:id/overview', 'the province 河南', 'henan', PROVINCE_READERS, () => '/api/orgs/henan/overview'),
  read('GET /api/orgs/:id/overview?city', 'the city 平顶山', 'pds', 'FFF F F222 FF NNNN 222 U', () => '/api/orgs/pds/overview'),
  read('GET /api/orgs/:id/bulletins', 'the province 河南', 'henan', PROVINCE_READERS, () => '/api/orgs/henan/bulletins'),
  {
    route: 'POST /api/orgs/:id/bulletins',
    subject: 'the province 河南',
    subjectOrg: 'henan',
    expect: PROVINCE_ADMIN,
    ok: 201,
    mutating: true,
    probe: (ctx) => ({ method: 'POST', path: '/api/orgs/henan/bulletins', body: { year: 2026 }, footprint: provinceBulletinFootprint(ctx) }),
  },
  {
    route: 'POST /api/orgs/:id/bulletins/schedule',
    subject: 'the province 河南',
    subjectOrg: 'henan',
    expect: PROVINCE_ADMIN,
    ok: 200,
    mutating: true,
    probe: (ctx) => ({ method: 'POST', path: '/api/orgs/henan/bulletins/schedule', body: { every: 'P3M' }, footprint: provinceBulletinFootprint(ctx) }),
  },
  read('GET /api/province-bulletins/:id', 'a bulletin of 河南', 'henan', PROVINCE_READERS, () => '', {
    probe: async (ctx) => ({ method: 'GET', path: `/api/province-bulletins/${await provinceBulletin(ctx)}` }),
  }),
  read(
    'GET /api/campaigns/:id/regions/:org/imports/:importId',
    "xinhua.staff's survey upload to 新华区 (Prefer: respond-async)",
    'pds-xinhua',
    // followSurveyImport: only its uploader (while they may still submit for the region); anyone else learns nothing of it.
    '2NN N NNNN NN NNNN NNN U',
    () => '',
    {
      probe: async (ctx) => ({
        method: 'GET',
        path: `/api/campaigns/${ctx.fx.survey.id}/regions/${REGION}/imports/${await surveyImportOfXinhuaStaff(ctx)}`,
      }),
    },
  ),
  read('GET /api/reports', 'the caller’s bulletins', OWN_ORG, EVERYONE, () => '/api/reports'),
  read('GET /api/reports/:id', 'a bulletin of a pds campaign for 新华区', 'pds-xinhua', BULLETIN_READERS, (ctx) => `/api/reports/${ctx.fx.report}`),
  // The print page's link: readBulletins, as GET /api/reports/:id; it writes nothing.
  {
    route: 'POST /api/reports/:id/print-link',
    subject: 'a bulletin of a pds campaign for 新华区',
    subjectOrg: 'pds-xinhua',
    expect: BULLETIN_READERS,
    ok: 201,
    mutating: false,
    probe: (ctx) => ({ method: 'POST', path: `/api/reports/${ctx.fx.report}/print-link` }),
  },
  // The print page, opened with a link signed for the caller (no link: 401); readBulletins again, as for the link.
  read('GET /print/reports/:id', 'a bulletin of a pds campaign for 新华区', 'pds-xinhua', BULLETIN_READERS, () => '', {
    probe: (ctx, c) => ({ method: 'GET', path: printLink(c, ctx.fx.report) }),
  }),
  // readBulletinDeliveries: admins and supervisors of the city or above.
  read(
    'GET /api/reports/:id/deliveries',
    'a bulletin of a pds campaign for 新华区',
    'pds-xinhua',
    'FFF F FF22 NN NNNN F22 U',
    (ctx) => `/api/reports/${ctx.fx.report}/deliveries`,
  ),

  // --- look-ups ----------------------------------------------------------------------------------
  read('GET /api/orgs', 'the org tree', 'pds-xinhua', EVERYONE, () => '/api/orgs'),
  read('GET /api/directory', 'the caller’s colleague directory', OWN_ORG, EVERYONE, () => '/api/directory'),

  // --- people and posts (人员与岗位) ------------------------------------------------------------
  // listPeople + seeUser: admins, each listing the people placed within their subtree.
  read('GET /api/users', 'xinhua.reviewer in the people list', 'pds-xinhua', 'FFV F FFVF FF FFHF FVF U', () => '/api/users?q=xinhua.reviewer', {
    lists: (b) => b.items.some((i: { username: string }) => i.username === 'xinhua.reviewer'),
  }),
  {
    route: 'POST /api/users',
    subject: 'a new account with a staff post at 新华区',
    subjectOrg: 'pds-xinhua',
    // createUsers, then grantPost per post: admins only (403); an org outside the admin's subtree does not exist (404).
    expect: 'FF2 F FF2F FF FFNF F2F U',
    ok: 201,
    mutating: true,
    probe(ctx) {
      const username = `matrix-new-${crypto.randomBytes(4).toString('hex')}`;
      return {
        method: 'POST',
        path: '/api/users',
        body: { username, name: '矩阵新账号', posts: [{ org: 'pds-xinhua', role: 'staff' }] },
        footprint: personFootprint(ctx, username),
      };
    },
  },
  personAction('PATCH /api/users/:username', 200, () => ({ name: '矩阵改名', phone: '0375-7654321' })),
  personAction('POST /api/users/:username/reset-password', 200),
  personAction('POST /api/users/:username/unlock', 200),
  personAction('POST /api/users/:username/posts', 201, () => ({ org: 'pds-xinhua', role: 'reviewer' })),
  personAction('DELETE /api/users/:username/posts/:postId', 200),
  // readAdminAudit: admins, each reading the changes within their subtree.
  read('GET /api/audit/admin', 'the administration record', 'henan', ANY_ADMIN, () => '/api/audit/admin'),
  // A page of children: 新华区's subtree and the orgs above it browse 新华区's children; others 404.
  read('GET /api/orgs?parent=', 'the children of 新华区', 'pds-xinhua', '222 N 2222 NN NNNN 222 U', () => '/api/orgs?parent=pds-xinhua'),
  {
    route: 'POST /api/orgs',
    subject: 'a new grassroots union under 新华区',
    subjectOrg: 'pds-xinhua',
    expect: MANAGE_BELOW_XINHUA,
    ok: 201,
    mutating: true,
    probe(ctx) {
      const id = `mx-${crypto.randomBytes(5).toString('hex')}`;
      return {
        method: 'POST',
        path: '/api/orgs',
        body: { id, name: `矩阵新建 ${id}`, kind: 'grassroots', parent: 'pds-xinhua', groups: ['courier'] },
        footprint: orgFootprint(ctx, id),
      };
    },
  },
  {
    route: 'PATCH /api/orgs/:id',
    subject: 'a grassroots union under 新华区',
    subjectOrg: 'pds-xinhua',
    expect: MANAGE_BELOW_XINHUA,
    ok: 200,
    mutating: true,
    async probe(ctx, _c, fresh) {
      const id = fresh ? await orgUnderXinhua(ctx) : await sharedOrg(ctx);
      return { method: 'PATCH', path: `/api/orgs/${id}`, body: { name: `矩阵改名 ${id}` }, footprint: orgFootprint(ctx, id) };
    },
  },
  read('GET /api/orgs/template', 'the org import template', OWN_ORG, ANY_ADMIN, () => '/api/orgs/template'),
  read('GET /api/orgs/export', 'the orgs below the caller’s own', OWN_ORG, ANY_ADMIN, () => '/api/orgs/export'),
  {
    route: 'POST /api/orgs/import',
    subject: 'an org below the caller’s own, imported',
    subjectOrg: OWN_ORG,
    expect: ANY_ADMIN,
    ok: 200,
    mutating: true,
    async probe(ctx, caller) {
      const id = `mx-${crypto.randomBytes(5).toString('hex')}`;
      return {
        method: 'POST',
        path: '/api/orgs/import',
        contentType: XLSX,
        raw: await importWorkbook(id, caller.org ?? 'pds-xinhua'),
        footprint: async () => ({
          org: await count(ctx.h, 'orgs', (q) => q.where({ id })),
          imports: await count(ctx.h, 'admin_audit', (q) => q.where({ action: 'org.import' }).andWhere('org_path', 'like', '/henan/%')),
        }),
      };
    },
  },
  // followOrgImport: only its uploader (xinhua.admin); to everyone else it does not exist.
  read('GET /api/orgs/imports/:importId', 'xinhua.admin’s org import', 'pds-xinhua', 'NN2 N NNNN NN NNNN NNN U', () => '', {
    probe: async (ctx) => ({ method: 'GET', path: `/api/orgs/imports/${await orgImportOfXinhuaAdmin(ctx)}` }),
  }),
  read('GET /api/groups', 'the target groups', 'pds-xinhua', EVERYONE, () => '/api/groups'),
  read('GET /api/notifications', 'the caller’s notifications', OWN_ORG, EVERYONE, () => '/api/notifications'),
  // readNotification: a notification is its recipient's alone; marking another's read is a 404 that writes nothing.
  {
    route: 'POST /api/notifications/read',
    subject: 'the caller’s own notification (of an account of the caller’s org and roles, so no demo user’s messages change)',
    subjectOrg: OWN_ORG,
    expect: EVERYONE,
    ok: 200,
    mutating: true,
    async probe(ctx, c) {
      const twin = await twinOf(ctx, c);
      const id = await notificationOf(ctx, twin.username);
      return { method: 'POST', path: '/api/notifications/read', token: twin.token, body: { ids: [id] }, footprint: notificationFootprint(ctx, id) };
    },
  },
  {
    route: 'POST /api/notifications/read another user’s',
    subject: 'a notification of a 新华区 staff account (a copy of xinhua.staff)',
    subjectOrg: 'pds-xinhua',
    expect: 'NNN N NNNN NN NNNN NNN U',
    ok: 200,
    mutating: true,
    async probe(ctx) {
      const owner = await twinOf(ctx, CALLERS[0]!);
      const id = await notificationOf(ctx, owner.username);
      return { method: 'POST', path: '/api/notifications/read', body: { ids: [id] }, footprint: notificationFootprint(ctx, id) };
    },
  },

  // --- personal data: the reveal audit and the retention runs -------------------------------------
  // readRevealAudit + revealAuditScope: admins only, each sees the views of applications in their subtree.
  read('GET /api/audit/reveals', "the identity reviewer's view of a 新华区 courier's numbers", 'pds-xinhua', 'FFV F FFVF FF FFHF FVF U', () => '', {
    lists: (b, ctx) => b.items.some((i: { application: { id: string } }) => i.application.id === ctx.fx.member.appId),
    async probe(ctx) {
      // The view to list: the holder's reveal (the reveal case makes one; made here when this case runs alone).
      const viewed = await ctx.h.db('audit_log').where({ application_id: ctx.fx.member.appId, action: 'personalDataViewed' }).first('id');
      if (!viewed) {
        const r = await ctx.h.call('GET', `/api/tasks/${ctx.fx.member.taskId}?reveal=personal`, { token: await ctx.h.login('xinhua-express.reviewer') });
        if (r.status !== 200) throw new Error(`reveal: ${r.status}`);
      }
      return { method: 'GET', path: '/api/audit/reveals?actor=xinhua-express.reviewer&limit=200' };
    },
  }),
  // readRetentionRuns: admins of a city federation or the province.
  read('GET /api/retention/runs', 'the retention runs', 'henan', 'FFF F FF2F FF FF2F F2F U', () => '/api/retention/runs'),

  // --- public join (扫码入会) ---------------------------------------------------------------------
  // downloadPoster: the union's own people, or staff and admins above it.
  read(
    'GET /api/orgs/:id/join-poster.svg',
    '新华区快递行业工会联合会',
    'pds-xinhua-express',
    '2F2 2 2F2F NN NNNN F2F U',
    () => '/api/orgs/pds-xinhua-express/join-poster.svg',
  ),
  read(
    'GET /api/orgs/:id/join-poster.png',
    '新华区快递行业工会联合会',
    'pds-xinhua-express',
    '2F2 2 2F2F NN NNNN F2F U',
    () => '/api/orgs/pds-xinhua-express/join-poster.png',
  ),
  read('GET /api/openapi.json', 'the API document', 'henan', PUBLIC, () => '/api/openapi.json'),
  read('GET /healthz', 'liveness', 'henan', PUBLIC, () => '/healthz'),
  // Readiness is 503 for a few seconds after the event loop was held (a loaded machine stalls the test process too): asked once it is calm.
  read('GET /readyz', 'readiness', 'henan', PUBLIC, () => '/readyz', {
    probe: async () => {
      await eventually(() => Promise.resolve(!eventLoopWatch().stalled()), 30_000);
      return { method: 'GET', path: '/readyz' };
    },
  }),
  read('GET /metrics', 'Prometheus metrics', 'henan', PUBLIC, () => '/metrics'),
  read('GET /api/public/unions', 'the join form’s choices', 'pds-xinhua', PUBLIC, () => '/api/public/unions'),
  // The public status look-up: anyone with the phone verified (its SMS code, or the viewer token a verified
  // look-up answered); another phone finds nothing (404, as an unknown reference).
  {
    route: 'POST /api/public/status',
    subject: "a courier's application, by its short reference, with its phone's SMS code",
    subjectOrg: 'pds-xinhua',
    expect: PUBLIC,
    ok: 200,
    // Spends the code it is given (each probe asks for its own).
    mutating: true,
    async probe(ctx) {
      const { reference, phone } = ctx.fx.filed;
      return { method: 'POST', path: '/api/public/status', body: { reference, phone, smsCode: await ctx.h.smsCode(phone, 'status') } };
    },
  },
  {
    route: 'POST /api/public/status viewer token',
    subject: "a courier's application, with the viewer token its join answered",
    subjectOrg: 'pds-xinhua',
    expect: PUBLIC,
    ok: 200,
    mutating: false,
    probe: (ctx) => ({ method: 'POST', path: '/api/public/status', body: { viewerToken: ctx.fx.filed.viewerToken } }),
  },
  {
    route: 'POST /api/public/status another phone',
    subject: "a courier's application, by its reference, with another (verified) phone",
    subjectOrg: 'pds-xinhua',
    expect: 'NNN N NNNN NN NNNN NNN N',
    ok: 200,
    mutating: false,
    async probe(ctx) {
      const other = uniquePhone();
      return {
        method: 'POST',
        path: '/api/public/status',
        body: { reference: ctx.fx.filed.reference, phone: other, smsCode: await ctx.h.smsCode(other, 'status') },
      };
    },
  },
  {
    route: 'POST /api/public/sms-codes',
    subject: 'a code for a worker’s phone',
    subjectOrg: 'pds-xinhua',
    expect: PUBLIC,
    ok: 202,
    mutating: true,
    probe: () => ({ method: 'POST', path: '/api/public/sms-codes', body: { phone: uniquePhone() } }),
  },
  read('GET /api/public/captcha', 'a CAPTCHA challenge', 'pds-xinhua', PUBLIC, () => '/api/public/captcha'),
  // readSmsOutbox: admins (the development outbox holds one-time codes).
  read('GET /api/dev/sms-outbox', 'the development SMS outbox', 'henan', 'FF2 F FF2F FF FF2F F2F U', () => '/api/dev/sms-outbox'),

  // --- electronic member cards (电子会员卡) ---------------------------------------------------------
  // viewMemberCard / verifyMemberCard: whoever holds the card's code; an unknown code is not found.
  read('GET /api/public/member-cards/:code', 'a member card of 新华区快递行业工会联合会', 'pds-xinhua-express', PUBLIC, () => '', {
    probe: async (ctx) => ({ method: 'GET', path: `/api/public/member-cards/${await memberCardCode(ctx)}` }),
  }),
  read('GET /api/public/member-cards/:code/verify', 'a member card of 新华区快递行业工会联合会', 'pds-xinhua-express', PUBLIC, () => '', {
    probe: async (ctx) => ({ method: 'GET', path: `/api/public/member-cards/${await memberCardCode(ctx)}/verify` }),
  }),
  read(
    'GET /api/public/member-cards/:code/verify unknown code',
    'a card code nobody holds',
    'pds-xinhua-express',
    'NNN N NNNN NN NNNN NNN N',
    () => '/api/public/member-cards/0123456789abcdef0123456789abcdef/verify',
  ),

  // --- deputies while away (代理) ---------------------------------------------------------
  // Each probe names its own fresh person (a copy of a demo user), and ranges start in a month, so no demo
  // user's steps go to a deputy while other files run.
  deputyCase('PUT', 'a 新华区 colleague’s deputy', 'pds-xinhua', DEPUTY_OF_XINHUA, 'xinhua.staff'),
  deputyCase('DELETE', 'a 新华区 colleague’s deputy range', 'pds-xinhua', DEPUTY_OF_XINHUA, 'xinhua.staff'),
  deputyCase('GET', 'a 新华区 colleague’s deputy range', 'pds-xinhua', DEPUTY_OF_XINHUA, 'xinhua.staff'),
  deputyCase('PUT', 'the caller’s own deputy (a copy of the caller)', OWN_ORG, EVERYONE, null),
  deputyCase('DELETE', 'the caller’s own deputy range (a copy of the caller)', OWN_ORG, EVERYONE, null),
];

/** The expectation string of a case without its grouping spaces; checked against the caller count. */
export function cells(c: RouteCase): string {
  const s = c.expect.replace(/\s+/g, '');
  if (s.length !== CALLERS.length) throw new Error(`${c.route}: ${s.length} cells for ${CALLERS.length} callers`);
  return s;
}

/** How many allowed calls of a route change a subject: the number of subjects its pool needs. */
export function allowedMutations(route: string): number {
  const c = CASES.find((x) => x.route === route);
  return c ? [...cells(c)].filter((x) => x === '2').length : 0;
}

/** `METHOD /path` of a case, as Express names the route (`:id`, no query, no probe suffix). */
export function routeKey(c: RouteCase): string {
  const [method, path] = c.route.split(' ') as [string, string];
  return `${method} ${path.split('?')[0]}`;
}
