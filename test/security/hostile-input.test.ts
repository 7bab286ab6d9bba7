/**
 * Hostile input on every mutating route, as properties (fast-check): random
 * JSON, a valid body with one field of the wrong type or absurd size or
 * missing, unknown fields, deep nesting, huge strings, unicode edge cases,
 * prototype-pollution keys, odd content types and Idempotency-Keys. Every
 * answer is a 4xx application/problem+json (never a 5xx) and the database is
 * unchanged — checked over every table of this file's own database.
 *
 * Then what a hostile value does once it is accepted: CSV formula injection
 * in a survey upload is neutralized in the export; HTML in comments and
 * names comes back verbatim as JSON text and escaped wherever HTML or SVG is
 * rendered (bulletin pages, join posters); oversize bodies get 413.
 */
import fc from 'fast-check';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { z } from 'zod';
import { createApp } from '../../api/app';
import { findUnstorableText } from '../../api/errors';
import { ROUTES } from '../../api/openapi';
import { buildLaunch, memberRecords, organizingProject, serviceProject } from '../support/campaigns';
import { buildMember, buildSubsidy } from '../support/factories';
import { eventually, startHarness, type Harness } from '../support/harness';
import { createDatabase } from '../reliability/support';

let h: Harness;
let database: Awaited<ReturnType<typeof createDatabase>>;
const REGION = 'pds-xinhua';
const fx = { app: '', task: '', campaign: '', project: '', listApp: '' };

beforeAll(async () => {
  database = await createDatabase(inject('adminDatabaseUrl'), `ud_hostile_${inject('runId')}`);
  h = await startHarness({ databaseUrl: database.url });
  const app = await h.call('POST', '/api/applications', { token: await h.login('xinhua.staff'), body: buildSubsidy() });
  expect(app.status).toBe(201);
  fx.app = app.body.id;
  fx.task = await eventually(
    async () =>
      (await h.call('GET', '/api/tasks?status=pending', { token: await h.login('city.reviewer') })).body.items.find(
        (t: { applicationId: string }) => t.applicationId === fx.app,
      )?.id,
  );
  const launch = await h.call('POST', '/api/campaigns', {
    token: await h.login('city.admin'),
    body: buildLaunch({ regions: [REGION], targets: { newMembers: 10 } }),
  });
  expect(launch.status).toBe(201);
  fx.campaign = launch.body.id;
  await phase('survey');
}, 240_000);
afterAll(async () => {
  await h?.close();
  await database?.drop();
});

async function phase(p: string) {
  await eventually(async () => (await h.call('GET', `/api/campaigns/${fx.campaign}`, { token: await h.login('city.admin') })).body.phase === p, 60_000);
}

async function advance(to: string) {
  const r = await h.call('POST', `/api/campaigns/${fx.campaign}/advance`, { token: await h.login('city.admin'), body: { reason: '推进' } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  await phase(to);
}

// ---------------------------------------------------------------------------
// The whole database, as one fingerprint per table
// ---------------------------------------------------------------------------

async function fingerprint(): Promise<Record<string, string>> {
  // rate_limits is left out: counting a refused login is the one write a refusal must make (failures-only limits).
  const tables = (
    await h.db.raw(`select tablename from pg_tables where schemaname = 'public' and tablename not like 'knex_%' and tablename <> 'rate_limits' order by 1`)
  ).rows as {
    tablename: string;
  }[];
  const out: Record<string, string> = {};
  for (const { tablename } of tables) {
    const r = await h.db.raw(`select count(*)::int as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as h from "${tablename}" t`);
    out[tablename] = `${r.rows[0].n}:${r.rows[0].h}`;
  }
  return out;
}

/** The fingerprint once the workflows' last writes have landed (two equal readings in a row). */
async function settled(): Promise<Record<string, string>> {
  let last = await fingerprint();
  for (;;) {
    await new Promise((r) => setTimeout(r, 400));
    const now = await fingerprint();
    if (JSON.stringify(now) === JSON.stringify(last)) return now;
    last = now;
  }
}

// ---------------------------------------------------------------------------
// Hostile bodies
// ---------------------------------------------------------------------------

const HUGE = 'Ω'.repeat(100_000);
/** A value no field of any schema accepts in place of one of another JSON type. */
function wrongFor(original: unknown): fc.Arbitrary<unknown> {
  const options: fc.Arbitrary<unknown>[] = [fc.constant(null), fc.constant({ '§': { '§': 1 } }), fc.constant([{ '§': 1 }]), fc.constant(HUGE)];
  if (typeof original !== 'boolean') options.push(fc.boolean());
  return fc.oneof(...options);
}

/** A body sent as this exact text (deeply nested JSON is built as text: no library walks it here). */
class RawBody {
  constructor(readonly text: string) {}
  toString() {
    return `RawBody(${this.text.length} chars: ${this.text.slice(0, 20)}…)`;
  }
}

const deep = fc
  .constantFrom(10, 1_000, 20_000, 200_000)
  .chain((depth) => fc.constantFrom(new RawBody('['.repeat(depth) + ']'.repeat(depth)), new RawBody('{"a":'.repeat(depth) + '1' + '}'.repeat(depth))));

/** Strings that break naive code: lone surrogates, NUL, RTL overrides, zero-widths, combining marks, emoji, huge. */
export const unicodeEdge = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
  fc.constantFrom(
    '\u0000',
    '\ud800',
    '\udfff',
    '\u202e\u202d',
    '\u200b\u200d\ufeff',
    'é'.normalize('NFD').repeat(50),
    '👨‍👩‍👧‍👦'.repeat(20),
    '\u0085\u2028\u2029',
    '𠜎𠜱𠝹',
    '\r\n\t',
  ),
);

function keysOf(v: unknown): string[] {
  return v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : [];
}

/** Hostile variants of a route's valid body; a schema, where documented, confirms each one is invalid. */
function hostileBody(valid: unknown, schema?: z.ZodType, required?: string[]): fc.Arbitrary<unknown> {
  const keys = keysOf(valid);
  const variants: fc.Arbitrary<unknown>[] = [
    fc.jsonValue({ maxDepth: 4 }),
    deep,
    fc.constant('x'.repeat(900_000)), // just under the 1 MB limit
    unicodeEdge,
    fc.constant([valid, valid]),
  ];
  if (keys.length) {
    const v = valid as Record<string, unknown>;
    variants.push(
      // one field of the wrong type or an absurd size
      fc.constantFrom(...keys).chain((k) => wrongFor(v[k]).map((w) => ({ ...v, [k]: w }))),
      // one (required) field missing
      fc.constantFrom(...(required ?? keys)).map((k) => Object.fromEntries(Object.entries(v).filter(([x]) => x !== k))),
      // unknown fields, prototype-pollution keys among them, next to a broken field
      fc
        .tuple(fc.constantFrom(...keys), fc.constantFrom('__proto__', 'constructor', 'prototype', 'isAdmin', '$where'))
        .map(([k, extra]) => JSON.parse(JSON.stringify({ ...v, [k]: null }).replace(/^\{/, `{"${extra}":{"polluted":true,"isAdmin":true},`))),
    );
    const nested = keys.filter((k) => keysOf(v[k]).length || Array.isArray(v[k]));
    if (nested.length)
      variants.push(
        // a nested field of the wrong type
        fc.constantFrom(...nested).chain((k) => {
          const inner = Array.isArray(v[k]) ? (v[k] as unknown[])[0] : v[k];
          const innerKeys = keysOf(inner);
          if (!innerKeys.length) return fc.constant({ ...v, [k]: [null] });
          return fc.constantFrom(...innerKeys).chain((ik) =>
            wrongFor((inner as Record<string, unknown>)[ik]).map((w) => ({
              ...v,
              [k]: Array.isArray(v[k]) ? [{ ...(inner as object), [ik]: w }] : { ...(inner as object), [ik]: w },
            })),
          );
        }),
      );
  }
  const first = Array.isArray(valid) ? (valid[0] as Record<string, unknown> | undefined) : undefined;
  if (first && keysOf(first).length) {
    // A list of records (a survey upload): its one record with a field of the wrong type or absurd size.
    variants.push(fc.constantFrom(...keysOf(first)).chain((k) => wrongFor(first[k]).map((w) => [{ ...first, [k]: w }])));
  }
  const any = fc.oneof(...variants);
  return schema ? any.filter((b) => b instanceof RawBody || !schema.safeParse(b).success) : any;
}

const contentTypes = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/json; charset=utf-16',
  'application/json; charset=latin-1',
  'multipart/form-data; boundary=x',
  'application/xml',
);
const idemKeys = fc.option(fc.oneof(fc.stringMatching(/^[\w.:-]{1,40}$/), fc.stringMatching(/^[\x20-\x7E]{0,300}$/)), { nil: undefined });

interface RouteCase {
  user: string | null;
  path: () => string;
  /** A body the route accepts (never sent as it is: the hostile variants are built from it). */
  valid?: () => unknown;
  /** The route takes no body: it must ignore one, whatever it is. */
  bodyless?: boolean;
  /**
   * Bodies whose values a schema library accepts but the database cannot store (year 0000,
   * an offset of -23:59, an id beyond bigint): if they got through, the workflow's write would fail
   * on every retry and hold the workflow for ever.
   */
  edges?: () => unknown[];
  /** Routes without a schema in the OpenAPI document: the fields that must be there. */
  required?: string[];
  /** The campaign phase the route validates bodies in (before it, a 409 answers first). */
  phase?: 'survey' | 'listing' | 'implementation' | 'assessment';
}

const CASES: Record<string, RouteCase> = {
  'post /api/auth/login': { user: null, path: () => '/api/auth/login', valid: () => ({ username: 'city.admin', password: 'wrong' }) },
  // A user of its own: logout ends every session of the user, and hostile password changes must not touch city.admin.
  'post /api/auth/logout': { user: 'xc.staff', path: () => '/api/auth/logout', bodyless: true },
  'post /api/auth/password': {
    user: 'xc.reviewer',
    path: () => '/api/auth/password',
    valid: () => ({ currentPassword: 'not-the-password', newPassword: 'Another-Pass-2026' }),
    required: ['currentPassword', 'newPassword'],
  },
  'post /api/applications': { user: 'xinhua.staff', path: () => '/api/applications', valid: () => buildSubsidy() },
  'post /api/applications/{id}/actions': {
    user: 'xinhua.staff',
    path: () => `/api/applications/${fx.app}/actions`,
    valid: () => ({ action: 'comment', comment: '请尽快审批', to: ['city.reviewer'] }),
  },
  'post /api/tasks/{id}/actions': {
    user: 'city.reviewer',
    path: () => `/api/tasks/${fx.task}/actions`,
    valid: () => ({ action: 'return', returnTo: 'applicant', comment: '请补充', deadline: '2026-12-31T00:00:00+08:00' }),
    edges: () =>
      ['0000-01-01T00:00:00+08:00', '2026-12-31T00:00:00-23:59', '+275760-09-13T00:00:00Z'].map((deadline) => ({
        action: 'return',
        returnTo: 'applicant',
        comment: '请补充',
        deadline,
      })),
  },
  'post /api/tasks/bulk-approve': {
    user: 'city.reviewer',
    path: () => '/api/tasks/bulk-approve',
    valid: () => ({ taskIds: [fx.task], comment: '同意' }),
    required: ['taskIds'],
  },
  'post /api/tasks/reassign': {
    user: 'city.admin',
    path: () => '/api/tasks/reassign',
    valid: () => ({ from: 'city.reviewer', to: 'city.reviewer2', comment: '岗位调整' }),
    required: ['from', 'to'],
  },
  'post /api/chains': {
    user: 'city.admin',
    path: () => '/api/chains',
    valid: () => ({
      key: 'hostile-chain',
      name: '测试链',
      type: 'subsidy',
      steps: [{ id: 'review', name: '审核', type: 'human', who: { kind: 'role', role: 'reviewer', level: 'city' }, mode: 'single' }],
    }),
  },
  'put /api/calendar/{date}': {
    user: 'city.admin',
    path: () => '/api/calendar/2026-12-31',
    valid: () => ({ kind: 'holiday', name: '测试' }),
    required: ['kind'],
  },
  'delete /api/calendar/{date}': { user: 'city.admin', path: () => '/api/calendar/2026-12-30', bodyless: true },
  'post /api/campaigns': {
    user: 'city.admin',
    path: () => '/api/campaigns',
    valid: () => buildLaunch({ regions: [REGION] }),
    edges: () => {
      const l = buildLaunch({ regions: [REGION] });
      return [
        { ...l, phases: { ...l.phases, assessment: { ...l.phases.assessment, end: '2199-12-31T00:00:00-23:59' } } },
        { ...l, phases: { ...l.phases, survey: { start: '0000-01-01T00:00:00Z', end: l.phases.survey.end } } },
      ];
    },
  },
  'post /api/campaigns/{id}/advance': {
    user: 'city.admin',
    path: () => `/api/campaigns/${fx.campaign}/advance`,
    valid: () => ({ reason: '推进' }),
    required: ['reason'],
  },
  'post /api/campaigns/{id}/regions/{org}/enterprises': {
    user: 'xinhua.staff',
    path: () => `/api/campaigns/${fx.campaign}/regions/${REGION}/enterprises`,
    valid: () => [{ name: '某物流公司', region: REGION, employees: 60, hasUnion: false }],
    edges: () => [
      [{ name: '某物流公司', region: REGION, employees: 60, hasUnion: false, operatingSince: '0000-01-01' }],
      [{ name: '某物流公司', region: REGION, employees: 1e20, hasUnion: false }],
    ],
    phase: 'survey',
  },
  'post /api/campaigns/{id}/regions/{org}/plan': {
    user: 'xinhua.staff',
    path: () => `/api/campaigns/${fx.campaign}/regions/${REGION}/plan`,
    valid: () => ({ summary: '方案', measures: ['措施'], dueDates: { 动员: '2026-05-01' } }),
    phase: 'survey',
  },
  'post /api/campaigns/{id}/regions/{org}/projects': {
    user: 'xinhua.staff',
    path: () => `/api/campaigns/${fx.campaign}/regions/${REGION}/projects`,
    valid: () => ({ projects: [organizingProject(), serviceProject()] }),
    edges: () => [
      { projects: [organizingProject({ dueDate: '0000-01-01' })] },
      { projects: [serviceProject({ date: '0000-12-31' })] },
      { projects: [organizingProject({ enterprises: [1e20] })] },
    ],
    phase: 'listing',
  },
  'post /api/projects/{id}/progress': {
    user: 'xinhua.staff',
    path: () => `/api/projects/${fx.project}/progress`,
    valid: () => ({
      members: memberRecords(1),
      unionsEstablished: [{ name: '快递工会', establishedOn: '2026-07-01' }],
      serviceDone: { coverage: 5 },
      note: '进展',
    }),
    edges: () => [
      { unionsEstablished: [{ name: '快递工会', establishedOn: '0000-01-01' }] },
      { unionsEstablished: [{ enterpriseId: 1e20, name: '快递工会', establishedOn: '2026-07-01' }] },
      { note: 'a\u0000b', serviceDone: { coverage: 1 } },
    ],
    phase: 'implementation',
  },
  'post /api/projects/{id}/inspections': {
    user: 'city.staff',
    path: () => `/api/projects/${fx.project}/inspections`,
    valid: () => ({ findings: '台账齐全', result: 'good', inspectedOn: '2026-08-01' }),
    phase: 'implementation',
  },
  'post /api/projects/{id}/self-assessment': {
    user: 'xinhua.staff',
    path: () => `/api/projects/${fx.project}/self-assessment`,
    valid: () => ({ summary: '完成', membersRecruited: 1, unionsEstablished: 1, coverage: 5 }),
    phase: 'assessment',
  },
  'post /api/campaigns/{id}/reports': { user: 'city.admin', path: () => `/api/campaigns/${fx.campaign}/reports`, bodyless: true },
  // Writes nothing; any body is ignored (an unknown bulletin: 404).
  'post /api/reports/{id}/print-link': { user: 'city.lead', path: () => '/api/reports/999999999/print-link', bodyless: true },
  'post /api/campaigns/{id}/reports/schedule': {
    user: 'city.admin',
    path: () => `/api/campaigns/${fx.campaign}/reports/schedule`,
    valid: () => ({ paused: true, note: '暂停' }),
    required: ['paused'],
  },
};

/** Every mutating (method, path) the server serves or documents. */
function mutatingRoutes(): string[] {
  const app = createApp({ db: h.db, temporal: h.temporal, taskQueue: h.taskQueue, jwtSecret: 'x'.repeat(32), jwtTtl: '1h', pii: h.pii, publicJoin: true });
  const out = new Set<string>();
  const walk = (stack: any[]) => {
    for (const layer of stack) {
      if (layer.route?.path && typeof layer.route.path === 'string') {
        for (const m of Object.keys(layer.route.methods)) if (m !== 'get' && m !== 'head') out.add(`${m} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as any).router.stack);
  for (const [p, ops] of Object.entries(ROUTES)) for (const m of Object.keys(ops)) if (m !== 'get') out.add(`${m} ${p}`);
  return [...out].sort();
}

function schemaOf(key: string): z.ZodType | undefined {
  const [method, path] = key.split(' ') as [string, string];
  return (ROUTES[path]?.[method] as { body?: z.ZodType } | undefined)?.body;
}

async function send(key: string, body: unknown, o: { contentType?: string; idempotencyKey?: string; raw?: string } = {}) {
  const c = CASES[key]!;
  const [method] = key.split(' ') as [string];
  const headers: Record<string, string> = { 'content-type': o.contentType ?? 'application/json' };
  if (c.user) headers.authorization = `Bearer ${await h.login(c.user)}`;
  if (o.idempotencyKey !== undefined) headers['idempotency-key'] = o.idempotencyKey;
  const text = o.raw ?? (body instanceof RawBody ? body.text : body === undefined ? undefined : JSON.stringify(body));
  const res = await fetch(h.url + c.path(), { method: method.toUpperCase(), headers, body: text });
  const answer = await res.text();
  let parsed: any;
  try {
    parsed = JSON.parse(answer);
  } catch {
    parsed = answer;
  }
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: parsed };
}

function expectProblem(r: { status: number; type: string; body: any }, context: string) {
  expect(r.status, `${context}: ${JSON.stringify(r.body).slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(r.status, `${context}: ${JSON.stringify(r.body).slice(0, 300)}`).toBeLessThan(500);
  expect(r.type, context).toContain('application/problem+json');
  expect(r.body, context).toMatchObject({ type: expect.any(String), title: expect.any(String), status: r.status, detail: expect.any(String) });
  if (r.body.errors !== undefined) for (const e of r.body.errors) expect(e, context).toMatchObject({ path: expect.any(String), message: expect.any(String) });
}

/** The property: hostile bodies on one route all get a 4xx problem, and nothing in the database changes. */
async function attack(key: string, numRuns = 15) {
  const c = CASES[key]!;
  const before = await settled();
  if (c.bodyless) {
    // A route without a body: whatever is sent along is ignored; a bad path parameter is a 4xx.
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue({ maxDepth: 3 }), deep), async (body) => {
        const r = await send(key, body);
        expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBeLessThan(500);
      }),
      { numRuns: 8 },
    );
    return;
  }
  const valid = c.valid!();
  await fc.assert(
    fc.asyncProperty(hostileBody(valid, schemaOf(key), c.required), contentTypes, idemKeys, async (body, contentType, idempotencyKey) => {
      expectProblem(await send(key, body, { contentType, idempotencyKey }), `${key} ${contentType}`);
    }),
    { numRuns },
  );
  for (const body of c.edges?.() ?? []) expectProblem(await send(key, body), `${key} edge ${JSON.stringify(body).slice(0, 120)}`);
  // Malformed JSON text, as sent by a broken client.
  await fc.assert(
    fc.asyncProperty(
      fc.string({ maxLength: 200 }).map((s) => `{"a":${s}`),
      async (raw) => {
        expectProblem(await send(key, undefined, { raw }), `${key} raw`);
      },
    ),
    { numRuns: 5 },
  );
  expect(await settled(), `${key} changed the database`).toEqual(before);
  // No prototype of this process was polluted by a "__proto__" key.
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
}

const anyPhase = () => Object.keys(CASES).filter((k) => !CASES[k]!.phase);
const inPhase = (p: string) => Object.keys(CASES).filter((k) => CASES[k]!.phase === p);

describe('hostile input on every mutating route', () => {
  it('every mutating route the server serves or documents has its hostile-input case', () => {
    expect(mutatingRoutes().filter((r) => !CASES[r])).toEqual([]);
  });

  it('routes outside campaign phases: every hostile body gets a 4xx problem+json and writes nothing', async () => {
    for (const key of anyPhase()) await attack(key);
    // Without an account only a membership application may be sent; anything else is refused as well.
    const anonymous = await fetch(`${h.url}/api/applications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...buildMember(), idNumber: '<script>' }),
    });
    expect(anonymous.status).toBe(400);
  }, 240_000);

  it('survey phase: survey uploads (JSON and CSV) and plans', async () => {
    for (const key of inPhase('survey')) await attack(key);
    const before = await settled();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 500 }), fc.constant('name,region,employees\n'), fc.constant('\uFEFF'), fc.constant('"unterminated,quote\n1,2,3')),
        async (csv) => {
          expectProblem(await send('post /api/campaigns/{id}/regions/{org}/enterprises', undefined, { raw: csv, contentType: 'text/csv' }), 'csv');
        },
      ),
      { numRuns: 20 },
    );
    expect(await settled()).toEqual(before);
  }, 240_000);

  it('listing, implementation and assessment phases: project lists, progress, inspections, self-assessments', async () => {
    await advance('listing');
    for (const key of inPhase('listing')) await attack(key);
    // A real list, approved, so that there are projects to report on.
    const list = await h.call('POST', `/api/campaigns/${fx.campaign}/regions/${REGION}/projects`, {
      token: await h.login('xinhua.staff'),
      body: { projects: [organizingProject()] },
    });
    expect(list.status, JSON.stringify(list.body)).toBe(201);
    fx.listApp = list.body.applicationId;
    for (const approver of ['city.reviewer', 'prov.reviewer']) {
      const t = await eventually(async () =>
        (await h.call('GET', '/api/tasks?status=pending', { token: await h.login(approver) })).body.items.find(
          (x: { applicationId: string }) => x.applicationId === fx.listApp,
        ),
      );
      expect((await h.call('POST', `/api/tasks/${t.id}/actions`, { token: await h.login(approver), body: { action: 'approve' } })).status).toBe(200);
    }
    fx.project = list.body.projectIds[0];
    await eventually(async () => (await h.call('GET', `/api/projects/${fx.project}`, { token: await h.login('city.admin') })).body.status === 'approved');
    await advance('implementation');
    await eventually(async () => (await h.call('GET', `/api/projects/${fx.project}`, { token: await h.login('city.admin') })).body.status === 'in_progress');
    for (const key of inPhase('implementation')) await attack(key);
    await advance('assessment');
    for (const key of inPhase('assessment')) await attack(key);
  }, 300_000);
});

describe('hostile path parameters and queries on every read', () => {
  it('random ids, cursors, formats and limits never make a read fail with a 5xx', async () => {
    const app = createApp({ db: h.db, temporal: h.temporal, taskQueue: h.taskQueue, jwtSecret: 'x'.repeat(32), jwtTtl: '1h', pii: h.pii, publicJoin: true });
    const reads = new Set<string>();
    const walk = (stack: any[]) => {
      for (const layer of stack) {
        if (layer.route?.path && typeof layer.route.path === 'string' && layer.route.methods.get) reads.add(layer.route.path);
        else if (layer.handle?.stack) walk(layer.handle.stack);
      }
    };
    walk((app as any).router.stack);
    const token = await h.login('city.admin');
    const piece = fc.oneof(
      unicodeEdge,
      fc.string({ maxLength: 30 }),
      fc.constantFrom('0', '-1', '1e99', '9'.repeat(40), '..', '%00', '%ZZ', 'null', '[]', '{}', "' or 1=1 --", '2026-02-30', 'x'.repeat(3000)),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...[...reads].filter((r) => r.startsWith('/api/'))), piece, piece, async (route, id, q) => {
        // (a lone surrogate cannot be percent-encoded as UTF-8: it goes as the invalid bytes it would become)
        const enc = (v: string) => (v.startsWith('%') ? v : encodeURIComponent(v.replace(/[\ud800-\udfff]/g, 'LONE')).replace(/LONE/g, '%ED%A0%80'));
        const path = route.replace(/:\w+/g, () => enc(id));
        const query = `?limit=${enc(q)}&cursor=${enc(q)}&format=${enc(q)}&status=${enc(q)}&phone=${enc(q)}&q=${enc(q)}&year=${enc(q)}&region=${enc(q)}`;
        const r = await fetch(h.url + path + query, { headers: { authorization: `Bearer ${token}` } });
        expect(r.status, `${path}${query.slice(0, 80)}: ${(await r.text()).slice(0, 200)}`).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});

describe('oversize bodies', () => {
  it('a JSON body over 1 MB is refused with 413 problem+json on every JSON route, and a survey upload over 20 MB too', async () => {
    const big = JSON.stringify({ comment: 'x'.repeat(1_100_000) });
    for (const key of Object.keys(CASES).filter((k) => !CASES[k]!.bodyless && !k.includes('/enterprises'))) {
      const r = await send(key, undefined, { raw: big });
      expect(r.status, key).toBe(413);
      expectProblem(r, key);
    }
    const upload = await send('post /api/campaigns/{id}/regions/{org}/enterprises', undefined, {
      raw: 'name,region,employees\n' + 'x'.repeat(21 * 1024 * 1024),
      contentType: 'text/csv',
    });
    expect(upload.status).toBe(413);
    expectProblem(upload, 'upload');
  }, 60_000);
});

describe('hostile values that are accepted', () => {
  it('survey upload cells starting with =, +, -, @, tab or CR come back neutralized in the gap-list export (CSV injection)', async () => {
    // A campaign of its own in the survey phase.
    const launch = await h.call('POST', '/api/campaigns', {
      token: await h.login('city.admin'),
      body: buildLaunch({ regions: [REGION], targets: { newMembers: 10 } }),
    });
    const id = launch.body.id as string;
    await eventually(async () => (await h.call('GET', `/api/campaigns/${id}`, { token: await h.login('city.admin') })).body.phase === 'survey');
    const danger = fc.tuple(
      fc.constantFrom('=', '+', '-', '@', '\t=', '\r='),
      fc.constantFrom("cmd|' /C calc'!A0", 'HYPERLINK("http://evil.example","点我")', '1+1', 'SUM(A1:A9)', "2+5+cmd|' /C notepad'!'A1'"),
      fc.string({ minLength: 1, maxLength: 8, unit: 'grapheme-ascii' }).map((s) => s.replace(/[\s,"]/g, 'x')),
    );
    const rows = fc
      .sample(danger, 12)
      .map(([lead, payload, tail], i) => ({ name: `${lead}${payload}${tail}${i}`, address: `${lead}${payload}`, reason: `@${payload}` }));
    const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
    const csv = [
      'name,region,employees,hasUnion,address,reasonNoUnion',
      ...rows.map((r) => [quote(r.name), REGION, 40, '否', quote(r.address), quote(r.reason)].join(',')),
    ].join('\r\n');
    const up = await h.call('POST', `/api/campaigns/${id}/regions/${REGION}/enterprises`, {
      token: await h.login('xinhua.staff'),
      raw: csv,
      headers: { 'content-type': 'text/csv' },
    });
    expect(up.status, JSON.stringify(up.body)).toBe(200);
    expect(up.body.accepted).toBe(rows.length);
    const exported = await fetch(`${h.url}/api/campaigns/${id}/regions/${REGION}/gaps?format=csv`, {
      headers: { authorization: `Bearer ${await h.login('xinhua.staff')}` },
    });
    expect(exported.headers.get('content-type')).toContain('text/csv');
    const table = parseCsv((await exported.text()).replace(/^\uFEFF/, ''), { relax_column_count: true }) as string[][];
    const cells = table
      .slice(1)
      .flat()
      .filter((c) => c !== '');
    // No cell of the export starts a formula…
    expect(cells.filter((c) => /^[=+\-@\t\r]/.test(c))).toEqual([]);
    // …and every dangerous value is there, behind an apostrophe.
    for (const r of rows) {
      const stored = r.name.replace(/^[\t\r]/, '').trim();
      expect(cells, r.name).toContain(/^[=+\-@\t\r]/.test(stored) ? `'${stored}` : stored);
    }
  }, 60_000);

  it('HTML and unicode edge cases in a comment are stored and returned verbatim as JSON text, never as markup', async () => {
    const html = fc.constantFrom(
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '"><svg onload=alert(1)>',
      "';alert(1)//",
      '<a href="javascript:alert(1)">x</a>',
      '{{constructor.constructor("alert(1)")()}}',
    );
    await fc.assert(
      fc.asyncProperty(fc.tuple(html, unicodeEdge, fc.string({ maxLength: 20 })), async ([tag, edge, text]) => {
        const comment = `${text}${tag}${edge}`.slice(0, 1_500);
        const before = await h.db('audit_log').where({ application_id: fx.app }).count<{ n: string }[]>({ n: '*' }).first();
        const r = await h.call('POST', `/api/applications/${fx.app}/actions`, { token: await h.login('xinhua.staff'), body: { action: 'comment', comment } });
        if (findUnstorableText(comment)) {
          // NUL and unpaired surrogates cannot be stored: refused up front, so no workflow retries a write for ever.
          expect(r.status).toBe(400);
          expect(r.body.errors).toEqual([{ path: 'comment', message: 'invalid character' }]);
          const after = await h.db('audit_log').where({ application_id: fx.app }).count<{ n: string }[]>({ n: '*' }).first();
          expect(after?.n).toBe(before?.n);
          return;
        }
        if (comment.trim() === '') {
          expect(r.status).toBe(400); // an empty comment is refused
          return;
        }
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        const read = await fetch(`${h.url}/api/applications/${fx.app}`, { headers: { authorization: `Bearer ${await h.login('city.admin')}` } });
        expect(read.headers.get('content-type')).toMatch(/^application\/json/);
        const body = (await read.json()) as { timeline: { action: string; comment: string }[] };
        // JSON.stringify of lone surrogates writes escapes; the server answers the same well-formed JSON.
        expect(body.timeline.filter((e) => e.action === 'comment').map((e) => e.comment)).toContain(comment.trim());
      }),
      { numRuns: 15 },
    );
  }, 120_000);

  it('a campaign named with HTML is escaped in the bulletin page, and a union named with HTML in its join poster', async () => {
    const name = `<script>alert("通报")</script><img src=x onerror=alert(1)> 行动 & "引号"`;
    const launch = await h.call('POST', '/api/campaigns', {
      token: await h.login('city.admin'),
      body: buildLaunch({ name, regions: [REGION], targets: { newMembers: 10 } }),
    });
    expect(launch.status, JSON.stringify(launch.body)).toBe(201);
    await eventually(async () => (await h.call('GET', `/api/campaigns/${launch.body.id}`, { token: await h.login('city.admin') })).body.phase === 'survey');
    const issued = await h.call('POST', `/api/campaigns/${launch.body.id}/reports`, { token: await h.login('city.admin') });
    expect(issued.status, JSON.stringify(issued.body)).toBe(201);
    const page = await fetch(`${h.url}/api/reports/${issued.body.id}?format=html`, { headers: { authorization: `Bearer ${await h.login('city.lead')}` } });
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const text = await page.text();
    expect(text).not.toContain('<script>alert');
    expect(text).not.toContain('<img src=x');
    expect(text).toContain('&lt;script&gt;alert(');
    // The JSON form returns the name as it was given.
    const json = await h.call('GET', `/api/reports/${issued.body.id}`, { token: await h.login('city.lead') });
    expect(JSON.stringify(json.body)).toContain(JSON.stringify(name).slice(1, -1));

    // Org names come from the org tree, not the API; one with markup is escaped in the SVG poster.
    const unionId = `hostile-${inject('runId')}`;
    await h.db('orgs').insert({
      id: unionId,
      name: '<script>alert(1)</script>"></text><text>伪造',
      kind: 'grassroots',
      parent_id: 'pds-xinhua',
      path: `/henan/pds/pds-xinhua/${unionId}/`,
      groups: ['courier'],
    });
    const poster = await fetch(`${h.url}/api/orgs/${unionId}/join-poster.svg`, { headers: { authorization: `Bearer ${await h.login('xinhua.staff')}` } });
    expect(poster.status).toBe(200);
    const svg = await poster.text();
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('"></text><text>');
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;/text&gt;&lt;text&gt;伪造');
  }, 120_000);
});
