/**
 * The authorization matrix: every route the server serves (and every route
 * of the OpenAPI document) × every demo role and an anonymous caller × a
 * target in 新华区 (xinhua) and one in 卫东区 (weidong). The expected answer
 * of each cell is written down below; the test fails on any difference and
 * on any route missing from the table.
 *
 * Cells: A = let through (2xx, or a 400/409 about the request itself),
 *        F = 403 (in scope, wrong role), N = 404 (out of scope: ids cannot be probed),
 *        U = 401 (no token); for lists V / H = the target is / is not in the caller's list.
 * Columns, in order: prov.reviewer, prov.lead, city.admin, city.reviewer, city.lead, city.staff,
 *        xinhua.staff, xinhua.reviewer, weidong.staff, xinhua-express.reviewer, anonymous.
 *
 * The file has a database of its own, so lists hold only its fixtures.
 */
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createApp } from '../../api/app';
import { ROUTES } from '../../api/openapi';
import { buildLaunch, organizingProject } from '../support/campaigns';
import { buildMember, buildSubsidy } from '../support/factories';
import { eventually, startHarness, type Harness } from '../support/harness';
import { createDatabase } from '../reliability/support';

const ROLES = [
  'prov.reviewer',
  'prov.lead',
  'city.admin',
  'city.reviewer',
  'city.lead',
  'city.staff',
  'xinhua.staff',
  'xinhua.reviewer',
  'weidong.staff',
  'xinhua-express.reviewer',
  null,
] as const;
const TARGETS = ['xinhua', 'weidong'] as const;
type Target = (typeof TARGETS)[number];
type Row = Record<Target, string>;
const both = (cells: string): Row => ({ xinhua: cells, weidong: cells });

// Recurring shapes: who can see a xinhua / weidong application or project, campaign, region submission.
const SEE = { xinhua: 'AAAAAAAANNU', weidong: 'AAAAAANNANU' };
const CAMPAIGN = { xinhua: 'AAAAAAAANAU', weidong: 'AAAAAANNANU' };
const REGION_SUBMIT = { xinhua: 'FFAFFAAFNNU', weidong: 'FFAFFANNANU' };
const CITY_ADMIN_OF_CAMPAIGN = { xinhua: 'FFAFFFFFNFU', weidong: 'FFAFFFNNFNU' };
const BULLETIN_READERS = { xinhua: 'FAAFAAAFNFU', weidong: 'FAAFAANNANU' };
const ANY_USER = both('AAAAAAAAAAU');
const ADMIN_ONLY = both('FFAFFFFFFFU');
const PUBLIC = both('AAAAAAAAAAA');

/** The expected answers. Keys are `method path`; `#…` marks a second probe of the same route. */
const EXPECTED: Record<string, Row> = {
  'post /api/auth/login': PUBLIC,
  'get /api/me': ANY_USER,
  'post /api/applications': both('FFAFFAAFAFU'), // a subsidy: region or city staff and admins
  'post /api/applications#membership': PUBLIC, // 网上入会: anyone, an account or not
  'get /api/applications': { xinhua: 'VVVVVVVVHHU', weidong: 'VVVVVVHHVHU' },
  'get /api/applications/{id}': SEE,
  'get /api/applications/{id}/route': SEE,
  'post /api/applications/{id}/actions': SEE,
  'get /api/tasks': both('HHHVHHHHHHU'), // the city review task sits in city reviewers' inboxes only
  'get /api/tasks/{id}': SEE,
  'get /api/tasks/{id}/allowed': SEE,
  'post /api/tasks/{id}/actions': SEE,
  'post /api/tasks/{id}/actions#comment': { xinhua: 'FFFAFFAFNNU', weidong: 'FFFAFFNNANU' }, // participants only
  'post /api/tasks/bulk-approve': both('NNAANNNNNNU'), // the task's holder, or an admin in scope
  'post /api/tasks/reassign': ADMIN_ONLY,
  'get /api/chains': ANY_USER,
  'get /api/chains/{key}': ANY_USER,
  'post /api/chains': ADMIN_ONLY,
  'get /api/calendar': ANY_USER,
  'put /api/calendar/{date}': ADMIN_ONLY,
  'delete /api/calendar/{date}': ADMIN_ONLY,
  'post /api/campaigns': ADMIN_ONLY,
  'get /api/campaigns': { xinhua: 'VVVVVVVVHVU', weidong: 'VVVVVVHHVHU' },
  'get /api/campaigns/{id}': CAMPAIGN,
  'post /api/campaigns/{id}/advance': CITY_ADMIN_OF_CAMPAIGN,
  'post /api/campaigns/{id}/regions/{org}/enterprises': REGION_SUBMIT,
  'get /api/campaigns/{id}/regions/{org}/gaps': SEE,
  // No import fixture: an unknown import is 404 for everyone (its uploader-only rule: test/survey/hostile-upload.test.ts).
  'get /api/campaigns/{id}/regions/{org}/imports/{importId}': both('NNNNNNNNNNU'),
  'post /api/campaigns/{id}/regions/{org}/plan': REGION_SUBMIT,
  'post /api/campaigns/{id}/regions/{org}/projects': REGION_SUBMIT,
  'get /api/campaigns/{id}/projects': CAMPAIGN,
  'get /api/projects/{id}': SEE,
  'post /api/projects/{id}/progress': REGION_SUBMIT,
  'post /api/projects/{id}/inspections': { xinhua: 'FFAAAAFFNNU', weidong: 'FFAAAANNFNU' }, // anyone of the city federation
  'post /api/projects/{id}/self-assessment': REGION_SUBMIT,
  'get /api/campaigns/{id}/reports': BULLETIN_READERS,
  'post /api/campaigns/{id}/reports': CITY_ADMIN_OF_CAMPAIGN,
  'get /api/campaigns/{id}/reports/schedule': BULLETIN_READERS,
  'post /api/campaigns/{id}/reports/schedule': CITY_ADMIN_OF_CAMPAIGN,
  'get /api/reports': both('HVHHVHHHHHU'), // "my bulletins": the supervisors it was sent to
  'get /api/reports/{id}': BULLETIN_READERS,
  'post /api/reports/{id}/print-link': BULLETIN_READERS,
  'get /api/reports/{id}/deliveries': { xinhua: 'FAAFAFFFNFU', weidong: 'FAAFAFNNFNU' },
  'get /api/orgs': ANY_USER,
  'get /api/groups': ANY_USER,
  'get /api/users': ANY_USER,
  'get /api/notifications': ANY_USER,
  'get /api/orgs/{id}/join-poster.svg': { xinhua: 'FFAFFAAFNAU', weidong: 'FFAFFANNANU' }, // the union's own people, staff and admins above it
  'get /api/orgs/{id}/join-poster.png': { xinhua: 'FFAFFAAFNAU', weidong: 'FFAFFANNANU' },
  'get /api/public/unions': PUBLIC,
  'get /api/public/applications/{id}': PUBLIC, // reference number and the applicant's phone: no account needed
  'get /api/public/applications/{id}#wrong-phone': both('NNNNNNNNNNN'),
  'get /api/openapi.json': PUBLIC,
  'get /healthz': PUBLIC,
  'get /readyz': PUBLIC,
  'get /metrics': PUBLIC,
};

interface Fixtures {
  app: Record<Target, string>;
  task: Record<Target, string>;
  member: Record<Target, { id: string; phone: string }>;
  campaign: Record<Target, string>;
  project: Record<Target, string>;
  report: Record<Target, string>;
  region: Record<Target, string>;
  union: Record<Target, string>;
}

interface Probe {
  body?: (t: Target) => unknown;
  query?: (t: Target) => string;
  /** For lists: is the target in the answer? */
  lists?: (body: any, t: Target) => boolean;
  /** Judged from the per-task result of a bulk call. */
  bulk?: boolean;
  /** Changes the target's state: runs after every other probe. */
  last?: boolean;
  /** A 404 with this detail came after the authorization checks (the thing asked for does not exist yet). */
  letThrough404?: RegExp;
}

let h: Harness;
let database: Awaited<ReturnType<typeof createDatabase>>;
const fx = {} as Fixtures;

const PROBES: Record<string, Probe> = {
  'post /api/auth/login': { body: () => ({}) },
  'post /api/applications': { body: () => buildSubsidy() },
  'post /api/applications#membership': { body: () => buildMember() },
  'get /api/applications': { query: () => '?limit=200', lists: (b, t) => b.items.some((a: { id: string }) => a.id === fx.app[t]) },
  'post /api/applications/{id}/actions': { body: () => ({ action: 'nope' }) },
  'get /api/tasks': { query: () => '?status=pending&limit=200', lists: (b, t) => b.items.some((x: { id: string }) => x.id === fx.task[t]) },
  'post /api/tasks/{id}/actions': { body: () => ({ action: 'nope' }) },
  'post /api/tasks/{id}/actions#comment': { body: () => ({ action: 'comment', comment: '权限矩阵测试 / authorization probe' }) },
  'post /api/tasks/bulk-approve': { body: (t) => ({ taskIds: [fx.task[t]] }), bulk: true, last: true },
  'post /api/tasks/reassign': { body: () => ({}) },
  'post /api/chains': { body: () => ({}) },
  'put /api/calendar/{date}': { body: () => ({ kind: 'holiday' }) },
  'post /api/campaigns': { body: () => ({}) },
  'get /api/campaigns': { query: () => '?limit=200', lists: (b, t) => b.items.some((c: { id: string }) => c.id === fx.campaign[t]) },
  'post /api/campaigns/{id}/advance': { body: () => ({}) },
  'post /api/campaigns/{id}/regions/{org}/enterprises': { body: () => [] },
  'post /api/campaigns/{id}/regions/{org}/plan': { body: () => ({}) },
  'post /api/campaigns/{id}/regions/{org}/projects': { body: () => ({}) },
  'post /api/projects/{id}/progress': { body: () => ({}) },
  'post /api/projects/{id}/inspections': { body: () => ({}) },
  'post /api/projects/{id}/self-assessment': { body: () => ({}) },
  'get /api/campaigns/{id}/reports/schedule': { letThrough404: /no bulletin schedule/ }, // (none before implementation)
  'post /api/campaigns/{id}/reports/schedule': { body: () => ({}) },
  'get /api/reports': { query: () => '?limit=200', lists: (b, t) => b.items.some((r: { id: string }) => r.id === fx.report[t]) },
  'get /api/public/applications/{id}': { query: (t) => `?phone=${fx.member[t].phone}` },
  'get /api/public/applications/{id}#wrong-phone': { query: () => '?phone=13900000000' },
};

function fill(path: string, t: Target): string {
  const id = path.startsWith('/api/applications/')
    ? fx.app[t]
    : path.startsWith('/api/tasks/')
      ? fx.task[t]
      : path.startsWith('/api/campaigns/')
        ? fx.campaign[t]
        : path.startsWith('/api/projects/')
          ? fx.project[t]
          : path.startsWith('/api/reports/')
            ? fx.report[t]
            : path.startsWith('/api/orgs/')
              ? fx.union[t]
              : path.startsWith('/api/public/applications/')
                ? fx.member[t].id
                : 'x';
  return path
    .replace('{id}', encodeURIComponent(id))
    .replace('{org}', fx.region[t])
    .replace('{key}', 'subsidy')
    .replace('{date}', 'not-a-date')
    .replace('{importId}', 'import-unknown');
}

function cell(status: number): string {
  if (status === 401) return 'U';
  if (status === 403) return 'F';
  if (status === 404) return 'N';
  if (status < 500) return 'A';
  return 'E';
}

/** Every (method, path) the Express app serves. */
function servedRoutes(): string[] {
  const app = createApp({ db: h.db, temporal: h.temporal, taskQueue: h.taskQueue, jwtSecret: 'x'.repeat(32), jwtTtl: '1h', pii: h.pii, publicJoin: true });
  const out: string[] = [];
  const walk = (stack: any[]) => {
    for (const layer of stack) {
      if (layer.route?.path && typeof layer.route.path === 'string') {
        for (const m of Object.keys(layer.route.methods)) out.push(`${m} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as any).router.stack);
  return [...new Set(out)];
}

beforeAll(async () => {
  database = await createDatabase(inject('adminDatabaseUrl'), `ud_authz_${inject('runId')}`);
  h = await startHarness({ databaseUrl: database.url });
  const as = (u: string) => h.login(u);
  fx.region = { xinhua: 'pds-xinhua', weidong: 'pds-weidong' };
  fx.union = { xinhua: 'pds-xinhua-express', weidong: 'pds-weidong-mall' };
  fx.app = {} as Fixtures['app'];
  fx.task = {} as Fixtures['task'];
  fx.member = {} as Fixtures['member'];
  fx.campaign = {} as Fixtures['campaign'];
  fx.project = {} as Fixtures['project'];
  fx.report = {} as Fixtures['report'];
  for (const t of TARGETS) {
    const region = fx.region[t];
    // A subsidy application of the region, waiting at the city review.
    const app = await h.call('POST', '/api/applications', { token: await as(`${t}.staff`), body: buildSubsidy() });
    expect(app.status, JSON.stringify(app.body)).toBe(201);
    fx.app[t] = app.body.id;
    fx.task[t] = await eventually(
      async () =>
        (await h.call('GET', '/api/tasks?status=pending&limit=200', { token: await as('city.reviewer') })).body.items.find(
          (x: { applicationId: string }) => x.applicationId === fx.app[t],
        )?.id,
    );
    // A worker's online membership application in the region.
    const m = buildMember(t === 'xinhua' ? { area: region, group: 'courier' } : { area: region, group: 'mall_staff' });
    const joined = await h.call('POST', '/api/applications', { body: m });
    expect(joined.status, JSON.stringify(joined.body)).toBe(201);
    fx.member[t] = { id: joined.body.id, phone: m.phone };
    // A campaign of the region alone, in its listing phase, with an approved project and a bulletin.
    const launch = await h.call('POST', '/api/campaigns', {
      token: await as('city.admin'),
      body: buildLaunch({ regions: [region], targets: { newMembers: 10 } }),
    });
    expect(launch.status, JSON.stringify(launch.body)).toBe(201);
    const c = launch.body.id as string;
    fx.campaign[t] = c;
    await eventually(async () => (await h.call('GET', `/api/campaigns/${c}`, { token: await as('city.admin') })).body.phase === 'survey');
    expect((await h.call('POST', `/api/campaigns/${c}/advance`, { token: await as('city.admin'), body: { reason: '进入立项' } })).status).toBe(200);
    await eventually(async () => (await h.call('GET', `/api/campaigns/${c}`, { token: await as('city.admin') })).body.phase === 'listing');
    const list = await h.call('POST', `/api/campaigns/${c}/regions/${region}/projects`, {
      token: await as(`${t}.staff`),
      body: { projects: [organizingProject()] },
    });
    expect(list.status, JSON.stringify(list.body)).toBe(201);
    for (const approver of ['city.reviewer', 'prov.reviewer']) {
      const task = await eventually(async () =>
        (await h.call('GET', '/api/tasks?status=pending&limit=200', { token: await as(approver) })).body.items.find(
          (x: { applicationId: string }) => x.applicationId === list.body.applicationId,
        ),
      );
      expect((await h.call('POST', `/api/tasks/${task.id}/actions`, { token: await as(approver), body: { action: 'approve' } })).status).toBe(200);
    }
    fx.project[t] = await eventually(async () => {
      const p = (await h.call('GET', `/api/campaigns/${c}/projects`, { token: await as('city.admin') })).body.items[0];
      return p?.status === 'approved' ? (p.id as string) : undefined;
    });
    const report = await h.call('POST', `/api/campaigns/${c}/reports`, { token: await as('city.admin') });
    expect(report.status, JSON.stringify(report.body)).toBe(201);
    fx.report[t] = report.body.id;
  }
}, 240_000);

afterAll(async () => {
  await h?.close();
  await database?.drop();
});

describe('the authorization matrix', () => {
  it('names every route the server serves and every route of the OpenAPI document', () => {
    const known = new Set(Object.keys(EXPECTED).map((k) => k.split('#')[0]));
    const documented = Object.entries(ROUTES).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`));
    const served = servedRoutes().filter((r) => r.includes(' /api') || /\/(?:healthz|readyz|metrics)$/.test(r));
    expect([...new Set([...served, ...documented])].filter((r) => !known.has(r)).sort()).toEqual([]);
    // …and every probe belongs to a row.
    expect(Object.keys(PROBES).filter((k) => !EXPECTED[k])).toEqual([]);
  });

  it('every route × role × target answers as the table says', async () => {
    const served = new Set(servedRoutes());
    const keys = Object.keys(EXPECTED).filter((k) => served.has(k.split('#')[0]!));
    const ordered = [...keys.filter((k) => !PROBES[k]?.last), ...keys.filter((k) => PROBES[k]?.last)];
    const tokens = new Map<string, string>();
    for (const r of ROLES) if (r) tokens.set(r, await h.login(r));
    const actual: Record<string, Row> = {};
    for (const key of ordered) {
      const [method, path] = key.split('#')[0]!.split(' ') as [string, string];
      const probe = PROBES[key] ?? {};
      const ask = async (t: Target, role: (typeof ROLES)[number]) => {
        const r = await h.call(method.toUpperCase(), fill(path, t) + (probe.query?.(t) ?? ''), {
          token: role ? tokens.get(role) : undefined,
          body: probe.body?.(t),
        });
        if (probe.lists && r.status === 200) return probe.lists(r.body, t) ? 'V' : 'H';
        if (probe.bulk && r.status === 200) return r.body.results[0].ok ? 'A' : cell(r.body.results[0].error.status);
        if (r.status === 404 && probe.letThrough404?.test(r.body?.detail ?? '')) return 'A';
        return cell(r.status);
      };
      const row = {} as Row;
      for (const t of TARGETS) {
        // A probe that changes its target asks one role after another (the table's order); the others all at once.
        const cells: string[] = [];
        if (probe.last) for (const role of ROLES) cells.push(await ask(t, role));
        else cells.push(...(await Promise.all(ROLES.map((role) => ask(t, role)))));
        row[t] = cells.join('');
      }
      actual[key] = row;
    }
    const expected = Object.fromEntries(ordered.map((k) => [k, EXPECTED[k]]));
    expect(actual).toEqual(expected);
    expect(Object.keys(actual).length).toBeGreaterThan(45);
  }, 240_000);
});
