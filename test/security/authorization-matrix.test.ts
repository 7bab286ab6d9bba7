/**
 * The authorization matrix (issue 10, "approvals nobody can bypass"): every
 * route × role × the caller's relation to the subject, each a test of its own
 * asserting the exact decision of domain/policy.ts — 2xx, 403 (in scope,
 * wrong role), 404 (out of scope), 401 (no token) — and, for every denied
 * mutating call, that nothing was written: the subject's rows, its
 * workflows' histories (an Update past its validator adds events) and the
 * Idempotency-Key's replay row. The table lives in
 * authorization-matrix.cases.ts; the issue's own scenarios follow it.
 *
 * The file has a database of its own, so counts see only its own writes.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../api/app';
import { runBulkJob, type BulkJobView } from '../support/approvals';
import { buildMember, buildSubsidy } from '../support/factories';
import { eventually, startHarness, type Harness } from '../support/harness';
import { createDatabase } from '../reliability/support';
import {
  allowedMutations,
  applicationFootprint,
  CALLERS,
  CASES,
  cells,
  lenientSubsidyChain,
  relation,
  routeKey,
  type Caller,
  type Ctx,
  type Fixtures,
  type RouteCase,
} from './authorization-matrix.cases';
import { Pool, Subjects } from './authorization-matrix.subjects';

let h: Harness;
let s: Subjects;
let database: Awaited<ReturnType<typeof createDatabase>>;
const fx = {} as Fixtures;

const ctxOf = (): Ctx => ({ h, s, fx, key: `matrix-${crypto.randomUUID()}` });
const tokenOf = (user: string | null) => (user ? h.login(user) : Promise.resolve(undefined));

beforeAll(async () => {
  database = await createDatabase(inject('adminDatabaseUrl'), `ud_authz_${inject('runId')}`);
  h = await startHarness({ databaseUrl: database.url });
  s = new Subjects(h);
  const n = {
    projects: allowedMutations('POST /api/campaigns/:id/regions/:org/projects'),
    advance: allowedMutations('POST /api/campaigns/:id/advance'),
    progress:
      allowedMutations('POST /api/projects/:id/progress') +
      allowedMutations('POST /api/projects/:id/inspections') +
      allowedMutations('POST /api/projects/:id/members-reported/decisions') +
      allowedMutations('POST /api/projects/:id/member-uploads') +
      allowedMutations('POST /api/projects/:id/unions'),
    selfAssessment: allowedMutations('POST /api/projects/:id/self-assessment'),
  };
  const times = <T>(k: number, f: () => Promise<T>) => Promise.all(Array.from({ length: k }, f));
  // Campaign subjects take a few seconds each (phases advanced through their workflows): built side by side.
  const [subsidy, member, filed, survey, listing, impl, assess, listingPool, surveyPool] = await Promise.all([
    s.subsidyAtCityReview(),
    s.membershipAtIdentityReview(),
    s.membershipFiled(),
    s.surveyCampaign(),
    s.listingCampaign(),
    // The first project takes the denied calls; each allowed call gets one of its own.
    s.implementationCampaign(1 + n.progress),
    s.assessmentCampaign(1 + n.selfAssessment),
    times(n.projects, () => s.listingCampaign()),
    times(n.advance, () => s.surveyCampaign()),
  ]);
  Object.assign(fx, { subsidy, member, filed, survey, listing, impl, assess });
  fx.report = await s.bulletin(impl.id);
  fx.pools = {
    listing: new Pool('listing campaigns', listingPool),
    survey: new Pool('survey campaigns', surveyPool),
    progress: new Pool('implementation projects', impl.projects.slice(1)),
    selfAssessment: new Pool('assessment projects', assess.projects.slice(1)),
  };
}, 300_000);

afterAll(async () => {
  await h?.close();
  await database?.drop();
});

/** Every `METHOD /path` the Express app serves under /api and /print, and the health routes. */
function servedRoutes(): string[] {
  const app = createApp({ db: h.db, temporal: h.temporal, taskQueue: h.taskQueue, jwtSecret: 'x'.repeat(32), jwtTtl: '1h', pii: h.pii, publicJoin: true });
  const out = new Set<string>();
  const walk = (stack: any[]) => {
    for (const layer of stack) {
      if (typeof layer.route?.path === 'string') for (const m of Object.keys(layer.route.methods)) out.add(`${m.toUpperCase()} ${layer.route.path}`);
      else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as any).router.stack);
  return [...out].filter((r) => / \/api\/| \/print\/|\/(?:healthz|readyz|metrics)$/.test(r)).sort();
}

/** What a cell promises, for the test's name. */
function outcome(rc: RouteCase, cell: string): string {
  const denied = (status: number) => `${status}${rc.mutating ? ', nothing written' : ''}`;
  switch (cell) {
    case '2':
      return rc.perItem ? '202, the job approves the task' : rc.job ? '202, the job done' : String(rc.ok);
    case 'F':
      return rc.perItem ? '202, the job refuses the task 403, nothing written' : denied(403);
    case 'N':
      return rc.perItem ? '202, the job refuses the task 404, nothing written' : denied(404);
    case 'U':
      return denied(401);
    case 'V':
      return '200, listed';
    case 'H':
      return '200, not listed';
    default:
      throw new Error(`unknown cell ${cell}`);
  }
}

/** Follows a bulk job (GET /api/jobs/:id, as whoever started it) until it is done. */
function jobDone(token: string, jobId: string): Promise<BulkJobView> {
  return eventually(async () => {
    const r = await h.call('GET', `/api/jobs/${jobId}`, { token });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.state === 'done' ? (r.body as BulkJobView) : undefined;
  }, 60_000);
}

/** One cell: send the probe, compare the decision, and for a denied mutating call compare the footprint. */
async function runCell(rc: RouteCase, caller: Caller, cell: string): Promise<void> {
  const ctx = ctxOf();
  const allowed = cell === '2';
  const probe = await rc.probe(ctx, caller, allowed && rc.mutating);
  const before = !allowed && probe.footprint ? await probe.footprint() : undefined;
  const headers: Record<string, string> = rc.mutating ? { 'Idempotency-Key': ctx.key } : {};
  if (probe.contentType) headers['content-type'] = probe.contentType;
  const token = probe.token ?? (await tokenOf(caller.user));
  const res = await h.call(probe.method, probe.path, { token, body: probe.body, raw: probe.raw, headers });
  let seen = `${res.status} ${typeof res.body === 'string' ? res.body.slice(0, 300) : JSON.stringify(res.body)?.slice(0, 600)}`;

  if (cell === 'U') expect(res.status, seen).toBe(401);
  else if (cell === 'V' || cell === 'H') {
    expect(res.status, seen).toBe(200);
    expect(rc.lists!(res.body, ctx), seen).toBe(cell === 'V');
  } else if (rc.perItem) {
    expect(res.status, seen).toBe(202);
    const job = await jobDone(token!, res.body.jobId);
    seen += ` → job ${JSON.stringify(job).slice(0, 600)}`;
    const item = job.results[0]!;
    if (allowed) expect(item.ok, seen).toBe(true);
    else expect({ ok: item.ok, status: item.error?.status }, seen).toEqual({ ok: false, status: cell === 'F' ? 403 : 404 });
  } else {
    expect(res.status, seen).toBe(allowed ? rc.ok : cell === 'F' ? 403 : 404);
    if (!allowed) expect(res.headers.get('content-type'), seen).toMatch(/application\/problem\+json/);
    if (allowed && rc.job) await jobDone(token!, res.body.jobId);
  }

  if (before) {
    // A job's 202 is kept for replay under its Idempotency-Key; the task itself must be untouched.
    const expected = rc.perItem && res.status === 202 ? { ...before, replay: Number(before.replay) + 1 } : before;
    expect(await probe.footprint!(), `${rc.route} by ${caller.user ?? 'anonymous'} wrote something`).toEqual(expected);
  }
}

/** The rows of the table as tests, named "<user> (<role>, <relation>) <route> on <subject> → <outcome>". */
function matrix(cases: RouteCase[]) {
  for (const rc of cases) {
    describe(rc.route, () => {
      const row = cells(rc);
      CALLERS.forEach((caller, i) => {
        const cell = row[i]!;
        it(`${caller.user ?? 'anonymous'} (${caller.role}, ${relation(caller, rc.subjectOrg)}) ${rc.route} on ${rc.subject} → ${outcome(rc, cell)}`, () =>
          runCell(rc, caller, cell));
      });
    });
  }
}

// A lenient subsidy chain that took effect would change every later subsidy: those rows run last.
const CHANGES_SUBSIDY_CHAIN = 'POST /api/chains lenient subsidy';

describe('the authorization matrix: route × role × relation', () => {
  it(`covers ${CASES.length} probes × ${CALLERS.length} callers = ${CASES.length * CALLERS.length} cases, every role and relation`, () => {
    expect(new Set(CALLERS.map((c) => c.role))).toEqual(new Set(['staff', 'reviewer', 'admin', 'supervisor', 'anonymous']));
    const relations = new Set(CALLERS.map((c) => relation(c, 'pds-xinhua')));
    expect(relations).toEqual(new Set(['same org', 'parent', 'child', 'sibling county', 'other city', 'province', 'no account']));
    for (const rc of CASES) expect(cells(rc)).toMatch(/^[2FNUVH]+$/);
  });
  it('names every route the server serves', () => {
    const known = new Set(CASES.map(routeKey));
    expect(servedRoutes().filter((r) => !known.has(r))).toEqual([]);
  });
  matrix(CASES.filter((c) => c.route !== CHANGES_SUBSIDY_CHAIN));
});

describe('issue 10: approvals nobody can bypass', () => {
  // Create bodies never name a chain: a problem+json 400 naming `chain`, nothing stored for the request.
  it.each([
    ['xinhua.staff (staff)', 'subsidy', 'xinhua.staff', () => ({ ...buildSubsidy(), chain: 'subsidy' })],
    ['city.admin (admin)', 'subsidy', 'city.admin', () => ({ ...buildSubsidy(), chain: 'subsidy' })],
    ['anonymous (no account)', 'membership', null, () => ({ ...buildMember({ area: 'pds-xinhua' }), chain: 'membership' })],
  ] as const)('%s POST /api/applications (%s) naming a `chain` → 400 naming `chain`, nothing written', async (_who, _type, user, build) => {
    const body = build();
    const title = body.type === 'subsidy' ? body.title : `${body.name} 入会申请`;
    const key = `matrix-${crypto.randomUUID()}`;
    const r = await h.call('POST', '/api/applications', { token: await tokenOf(user), body, headers: { 'Idempotency-Key': key } });
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(r.body.errors.map((e: { path: string }) => e.path)).toContain('chain');
    expect(await h.db('applications').where({ title }).count({ n: '*' })).toEqual([{ n: '0' }]);
    expect(await h.db('idempotency_keys').where({ key }).count({ n: '*' })).toEqual([{ n: '0' }]);
  });

  it('city.admin (admin, parent) bulk-approves the province task of a 新华区 subsidy after approving its city task → the job refuses the province task 403, nothing written', async () => {
    const t = await s.subsidyAtCityReview();
    const token = await h.login('city.admin');
    const city = await runBulkJob(h, token, '/api/tasks/bulk-approve', { taskIds: [t.taskId] });
    expect(city.results[0]!.ok, JSON.stringify(city)).toBe(true);
    const province = await s.a.task('prov.reviewer', t.appId, 1);
    const ctx = ctxOf();
    const footprint = applicationFootprint(ctx, t.appId);
    const before = await footprint();
    const r = await runBulkJob(h, token, '/api/tasks/bulk-approve', { taskIds: [province.id] }, { 'Idempotency-Key': ctx.key });
    expect({ ok: r.results[0]!.ok, status: r.results[0]!.error?.status }, JSON.stringify(r)).toEqual({ ok: false, status: 403 });
    expect(await footprint()).toEqual({ ...before, replay: before.replay + 1 }); // the 202 itself is kept for replay; the task is not touched
  });

  it('city.admin (admin, below the province) reassigns prov.reviewer’s tasks → the job refuses the province task 403 (moved 0): it stays with prov.reviewer, nothing written to it', async () => {
    const t = await s.subsidyAtProvinceReview();
    // Name the province task to prov.reviewer: handed to prov.admin and back, both within the province.
    await s.a.ok('prov.reviewer', t.taskId, { action: 'transfer', to: 'prov.admin', comment: '请管理员处理 / to the admin' });
    const held = await eventually(async () => (await s.a.inbox('prov.admin', t.appId)).find((x) => x.assignee === 'prov.admin'));
    await s.a.ok('prov.admin', held.id, { action: 'transfer', to: 'prov.reviewer', comment: '退回审核员 / back to the reviewer' });
    const task = await eventually(async () => (await s.a.inbox('prov.reviewer', t.appId)).find((x) => x.assignee === 'prov.reviewer'));
    const ctx = ctxOf();
    const footprint = applicationFootprint(ctx, t.appId);
    const before = await footprint();
    const r = await runBulkJob(
      h,
      await h.login('city.admin'),
      '/api/tasks/reassign',
      { from: 'prov.reviewer', to: 'city.reviewer2' },
      { 'Idempotency-Key': ctx.key },
    );
    // The job looks at prov.reviewer's tasks on applications city.admin sees; the province task is not within city.admin's subtree: refused 403, nothing moved.
    const results = r.results.map((x) => ({ taskId: x.taskId, ok: x.ok, status: x.error?.status }));
    expect({ succeeded: r.succeeded, results }, JSON.stringify(r)).toEqual({ succeeded: 0, results: [{ taskId: task.id, ok: false, status: 403 }] });
    const after = await footprint();
    expect({ ...after, replay: before.replay }).toEqual(before);
    expect((await h.db('tasks').where({ id: task.id }).first()).assignee).toBe('prov.reviewer');
  });

  describe('hand-offs (转办, 委派, 加签, 抄送) stay inside the task org’s subtree', () => {
    it.each([
      ['transfer', {}],
      ['delegate', {}],
      ['addSigner', { position: 'after' }],
      ['cc', {}],
    ] as const)(
      'city.reviewer (reviewer, holder) %s of a 新华区 subsidy’s city task to xc.reviewer (other city) → 403, nothing written',
      async (action, extra) => {
        const t = await s.subsidyAtCityReview();
        const ctx = ctxOf();
        const footprint = applicationFootprint(ctx, t.appId);
        const before = await footprint();
        const r = await h.call('POST', `/api/tasks/${t.taskId}/actions`, {
          token: await h.login('city.reviewer'),
          body: { action, to: 'xc.reviewer', comment: '交给许昌 / to 许昌', ...extra },
          headers: { 'Idempotency-Key': ctx.key },
        });
        expect(r.status, JSON.stringify(r.body)).toBe(403);
        expect(await footprint()).toEqual(before);
      },
    );

    it('xinhua-express.reviewer (reviewer, holder) delegates a courier’s identity review (身份审核, shows personal data) to xinhua.reviewer (outside the union) → 403, nothing written', async () => {
      const m = await s.membershipAtIdentityReview();
      const ctx = ctxOf();
      const footprint = applicationFootprint(ctx, m.appId);
      const before = await footprint();
      const r = await h.call('POST', `/api/tasks/${m.taskId}/actions`, {
        token: await h.login('xinhua-express.reviewer'),
        body: { action: 'delegate', to: 'xinhua.reviewer', comment: '请区总核实 / please check' },
        headers: { 'Idempotency-Key': ctx.key },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(403);
      expect(await footprint()).toEqual(before);
    });
  });

  it('after the province returns a subsidy, resubmitting it with a larger amount restarts the chain at the city review; the timeline says the city’s approval is void', async () => {
    const t = await s.subsidyAtCityReview(buildSubsidy({ amount: 12_000 }));
    await s.a.approve('city.reviewer', t.appId);
    const province = await s.a.task('prov.reviewer', t.appId, 1);
    await s.a.ok('prov.reviewer', province.id, { action: 'return', returnTo: 'applicant', comment: '请补充预算明细 / budget details please' });
    await s.a.status(t.appId, 'returned');
    const r = await s.a.appAct('xinhua.staff', t.appId, { action: 'resubmit', changes: { amount: 48_000 }, comment: '预算调整 / budget revised' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const again = await s.a.task('city.reviewer', t.appId, 0);
    expect(again.stepIndex).toBe(0);
    expect(await s.a.inbox('prov.reviewer', t.appId)).toEqual([]);
    const timeline = await s.a.timeline(t.appId);
    const resubmitted = timeline.findIndex((e) => e.action === 'resubmit');
    expect(resubmitted).toBeGreaterThan(-1);
    const voided = timeline.slice(resubmitted).filter((e) => e.stepIndex === 0 && /作废|void/i.test(`${e.action} ${e.comment ?? ''}`));
    expect(voided, JSON.stringify(timeline)).not.toEqual([]);
  });
});

// Last: rows that would change the subsidy chain if a bug let them through.
describe('chains: a change takes effect only after a second admin', () => {
  matrix(CASES.filter((c) => c.route === CHANGES_SUBSIDY_CHAIN));

  it('city.admin (admin, below the chain’s owner) POST /api/chains with a lenient subsidy chain → not in effect (403, or 202 a proposal): a new 新华区 subsidy still goes to the city reviewers', async () => {
    const latest = async () => Number((await h.db('chain_definitions').where({ key: 'subsidy' }).max({ v: 'version' }))[0]?.v);
    const version = await latest();
    const r = await h.call('POST', '/api/chains', { token: await h.login('city.admin'), body: lenientSubsidyChain() });
    expect([202, 403], JSON.stringify(r.body)).toContain(r.status);
    expect(await latest()).toBe(version);
    const t = await s.subsidyAtCityReview();
    const app = await s.a.app('xinhua.staff', t.appId);
    expect(app.chain.version).toBe(version);
    const task = (await s.a.inbox('city.reviewer', t.appId))[0]!;
    expect({ step: task.step, role: task.role, org: task.org, assignee: task.assignee }).toEqual({
      step: '市总初审 / city initial review',
      role: 'reviewer',
      org: 'pds',
      assignee: null,
    });
  });
});
