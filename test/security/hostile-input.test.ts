/**
 * Hostile input on every mutating route, as properties (fast-check): random
 * JSON, a valid body with one field of the wrong type or absurd size or
 * missing, unknown fields, deep nesting, huge strings, unicode edge cases,
 * prototype-pollution keys and odd content types. Each route's bodies are sent
 * by a caller the route serves, so every body is really read, and each answer
 * is the exact one that input gets (expectedFor): 400 problem+json naming the
 * bad fields (as the route's schema names them, `(body)` for text that is no
 * JSON object or array), 413 over 1 MB, 415 for a charset other than UTF; the
 * database is unchanged — checked over every table of this file's own
 * database. Then one valid request by the same caller gets the route's
 * success status.
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
import { findUnstorableText, zodFieldErrors } from '../../api/errors';
import { ROUTES } from '../../api/openapi';
import { readMemberJson } from '../../api/member-workbook';
import { readMemberRow } from '../../domain/member-upload';
import { buildLaunch, memberRecords, organizingProject, serviceProject } from '../support/campaigns';
import { Approvals } from '../support/approvals';
import { buildChain, buildMember, buildSubsidy, humanStep, uniqueIdNumber, uniquePhone } from '../support/factories';
import { eventually, startHarness, type Harness } from '../support/harness';
import { multipart, samplePdf, samplePng } from '../support/attachments';
import { createDatabase } from '../reliability/support';

let h: Harness;
let database: Awaited<ReturnType<typeof createDatabase>>;
const REGION = 'pds-xinhua';
const fx = {
  app: '',
  task: '',
  campaign: '',
  project: '',
  listApp: '',
  report: '',
  post: '',
  chainKey: '',
  chainOwner: '',
  pendingMember: '',
  rectOpen: '',
  rectReported: '',
};

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
    // (hourly bulletins: a schedule that exists in the implementation phase, for the schedule route's valid request, and never fires here)
    body: buildLaunch({ regions: [REGION], targets: { newMembers: 10 }, reportEvery: 'PT1H' }),
  });
  expect(launch.status).toBe(201);
  fx.campaign = launch.body.id;
  await phase('survey');
  const report = await h.call('POST', `/api/campaigns/${fx.campaign}/reports`, { token: await h.login('city.admin') });
  expect(report.status, JSON.stringify(report.body)).toBe(201);
  fx.report = report.body.id;
  // 在办申请迁移: a chain of a township of its own with a version 1 and, in force, a version 2.
  const api = new Approvals(h);
  const chain = buildChain({ steps: [humanStep({ id: 'review' })] });
  const v1 = await api.saveChain(chain);
  await api.installChain({ ...chain, steps: [humanStep({ id: 'review2' })] }, v1.org);
  fx.chainKey = chain.key;
  fx.chainOwner = v1.org;
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
    // users.last_login_at: signing a caller in (as a case does before its requests) is a write of its own, not the route's.
    const rows = tablename === 'users' ? `(select to_jsonb(u) - 'last_login_at' as t from users u) s` : `"${tablename}" t`;
    const col = tablename === 'users' ? 's.t' : 't';
    const r = await h.db.raw(`select count(*)::int as n, md5(coalesce(string_agg(${col}::text, '|' order by ${col}::text), '')) as h from ${rows}`);
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

/** Hostile variants of a route's valid body; `accepts`, where known (acceptorOf), leaves out the bodies the route would take. */
function hostileBody(valid: unknown, accepts?: (body: unknown) => boolean, required?: string[]): fc.Arbitrary<unknown> {
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
  return accepts ? any.filter((b) => b instanceof RawBody || !accepts(b)) : any;
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
// Well-formed keys only, each used once: the body is what is under test (a malformed key is refused with 400 on its own).
const idemKeys = fc.option(
  fc.uuid().map((u) => `hostile:${u}`),
  { nil: undefined },
);

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
  /** The body of the one valid request (default: `valid`); it must succeed with `ok`. */
  success?: () => unknown;
  /** The success status of the valid request (default: the OpenAPI document's `ok`, else 200). */
  ok?: number;
  /** The valid request is made elsewhere in this file (and its success asserted there): why. */
  validElsewhere?: string;
  /** Every request logs in afresh (the route ends the caller's sessions). */
  freshLogin?: boolean;
  /** A body the JSON parser did not read (another content type) is validated as `{}`, naming the required fields. */
  unreadBodyAsObject?: boolean;
  /** Awaited before the valid request (what it acts on may be created asynchronously). */
  ready?: () => Promise<unknown>;
  /**
   * Routes without a schema whose own reader takes more than the valid body's types (a bulk upload reads a cell as a
   * spreadsheet would: null is blank, a number or TRUE is text): true for a generated body that reader accepts — it
   * is not hostile, and is left out.
   */
  accepts?: (body: unknown) => boolean;
  /** Run before every request of a bodyless route (to recreate what the previous one removed). */
  beforeEach?: () => Promise<void>;
  /** A multipart upload: its hostile bodies are multipart too ("hostile uploads" below), not the JSON property. */
  multipart?: boolean;
}

/** A Beijing calendar day `n` days from now (YYYY-MM-DD). */
function aheadDay(n: number): string {
  return new Date(Date.now() + n * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** The status look-up's valid request, prepared by its case's `ready`. */
let statusLookup: unknown;
/** xinhua.reviewer's reviewer post, for the rotation preview's valid request (its case's `ready`). */
let rotationPost = '';

const CASES: Record<string, RouteCase> = {
  'post /api/auth/login': {
    user: null,
    path: () => '/api/auth/login',
    valid: () => ({ username: 'city.admin', password: 'wrong' }),
    success: () => ({ username: 'city.admin', password: 'demo-password' }),
  },
  // A user of its own: logout ends every session of the user, and hostile password changes must not touch city.admin.
  'post /api/auth/logout': { user: 'xc.staff', path: () => '/api/auth/logout', bodyless: true, ok: 204, freshLogin: true },
  'post /api/auth/password': {
    user: 'xc.reviewer',
    path: () => '/api/auth/password',
    valid: () => ({ currentPassword: 'not-the-password', newPassword: 'Another-Pass-2026' }),
    success: () => ({ currentPassword: 'demo-password', newPassword: 'Another-Pass-2026' }),
    required: ['currentPassword', 'newPassword'],
  },
  'post /api/applications': {
    user: 'xinhua.staff',
    path: () => '/api/applications',
    valid: () => buildSubsidy(),
    // 申请表单: a form that is no object.
    edges: () => [
      { ...buildSubsidy(), form: ['project'] },
      { ...buildSubsidy(), form: 'project=x' },
      { ...buildSubsidy(), form: null },
    ],
  },
  // The public join page, without an account: a code for a phone, and the status look-up with one.
  'post /api/public/sms-codes': { user: null, path: () => '/api/public/sms-codes', valid: () => ({ phone: uniquePhone(), purpose: 'join' }) },
  'post /api/public/status': {
    user: null,
    path: () => '/api/public/status',
    valid: () => ({ reference: 'RH2611-4821', phone: '13800000000', smsCode: '123456' }),
    // The valid request: the reference of an application filed with its phone, and a code sent to that phone.
    ready: async () => {
      const worker = buildMember({ area: REGION });
      const filed = await h.call('POST', '/api/applications', { body: { ...worker, smsCode: await h.smsCode(worker.phone) } });
      expect(filed.status, JSON.stringify(filed.body)).toBe(201);
      statusLookup = { reference: filed.body.reference, phone: worker.phone, smsCode: await h.smsCode(worker.phone, 'status') };
    },
    success: () => statusLookup,
  },
  'post /api/applications/{id}/actions': {
    user: 'xinhua.staff',
    path: () => `/api/applications/${fx.app}/actions`,
    valid: () => ({ action: 'comment', comment: '请尽快审批', to: ['city.reviewer'] }),
  },
  'post /api/applications/{id}/print-link': { user: 'xinhua.staff', path: () => `/api/applications/${fx.app}/print-link`, bodyless: true },
  'post /api/applications/{id}/attachments': {
    user: 'xinhua.staff',
    path: () => `/api/applications/${fx.app}/attachments`,
    multipart: true,
  },
  'post /api/tasks/{id}/actions': {
    user: 'city.reviewer',
    path: () => `/api/tasks/${fx.task}/actions`,
    valid: () => ({ action: 'return', returnTo: 'applicant', comment: '请补充', deadline: '2026-12-31T00:00:00+08:00' }),
    edges: () => [
      ...['0000-01-01T00:00:00+08:00', '2026-12-31T00:00:00-23:59', '+275760-09-13T00:00:00Z'].map((deadline) => ({
        action: 'return',
        returnTo: 'applicant',
        comment: '请补充',
        deadline,
      })),
      // 字段权限: corrections that are no object of field → value.
      { action: 'approve', form: 'amount=1' },
      { action: 'approve', form: [{ amount: 1 }] },
    ],
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
  // 干部轮岗: the valid request is a preview (dryRun, 200), so this file's database keeps its people as they are.
  'post /api/users/{username}/rotate': {
    user: 'city.admin',
    path: () => '/api/users/xinhua.reviewer/rotate',
    valid: () => ({ fromPost: '1', toPost: { org: 'pds-xinhua', role: 'staff' }, successor: 'xinhua.staff', dryRun: true }),
    ready: async () => {
      const post = await h.db('user_posts').where({ username: 'xinhua.reviewer', org_id: 'pds-xinhua', role: 'reviewer' }).whereNull('ended_at').first('id');
      rotationPost = String(post.id);
    },
    success: () => ({ fromPost: rotationPost, toPost: { org: 'pds-xinhua', role: 'staff' }, successor: 'xinhua.staff', dryRun: true }),
    ok: 200,
  },
  'post /api/chains': {
    user: 'city.admin',
    unreadBodyAsObject: true,
    path: () => '/api/chains',
    valid: () => ({
      key: 'hostile-chain',
      name: '测试链',
      type: 'subsidy',
      steps: [{ id: 'review', name: '审核', type: 'human', who: { kind: 'role', role: 'reviewer', level: 'city' }, mode: 'single' }],
    }),
    // 申请表单 and 字段权限 of the wrong shape.
    edges: () => {
      const review = { id: 'review', name: '审核', type: 'human', who: { kind: 'role', role: 'reviewer', level: 'city' }, mode: 'single' };
      const chain = { key: 'hostile-chain', name: '测试链', type: 'subsidy' };
      return [
        { ...chain, steps: [review], form: { schema: 'object' } },
        { ...chain, steps: [review], form: { schema: { type: 'object' }, ui: ['x'], layout: 1 } },
        { ...chain, steps: [{ ...review, fields: { amount: 'write' } }] },
        { ...chain, steps: [{ ...review, fields: ['amount'] }] },
      ];
    },
  },
  // 在办申请迁移: the valid request is a preview (dryRun, 200).
  'post /api/chains/{key}/migrations': {
    user: 'city.admin',
    unreadBodyAsObject: true,
    path: () => `/api/chains/${fx.chainKey}/migrations?owner=${fx.chainOwner}`,
    valid: () => ({ fromVersion: 1, toVersion: 2, stepMap: { review: 'review2' }, dryRun: true }),
    ok: 200,
  },
  // The designer's route preview: reads only, so every body (hostile or valid) leaves the database as it was.
  'post /api/chains/route-preview': {
    user: 'city.admin',
    unreadBodyAsObject: true,
    path: () => '/api/chains/route-preview',
    valid: () => ({
      chain: {
        key: 'hostile-preview',
        name: '预览链',
        type: 'subsidy',
        steps: [
          { id: 'review', name: '审核', type: 'human', who: { kind: 'role', role: 'reviewer', level: 'city' }, mode: 'single' },
          {
            id: 'province',
            name: '省总审核',
            type: 'human',
            who: { kind: 'role', role: 'reviewer', level: 'province' },
            mode: 'single',
            when: { '>': [{ var: 'amount' }, 50000] },
          },
        ],
      },
      sample: { applicantOrg: 'pds-xinhua', amount: 60000 },
    }),
  },
  // People and posts: city.admin on 湛河区's staff account (no other case signs in as it).
  'post /api/users': {
    user: 'city.admin',
    path: () => '/api/users',
    valid: () => ({ username: `hostile-${Math.random().toString(36).slice(2, 10)}`, name: '测试', posts: [{ org: 'pds-zhanhe', role: 'staff' }] }),
    required: ['username', 'name', 'posts'],
  },
  'patch /api/users/{username}': { user: 'city.admin', path: () => '/api/users/zhanhe.staff', valid: () => ({ name: '湛河区总工会干事' }) },
  'post /api/users/{username}/reset-password': { user: 'city.admin', path: () => '/api/users/zhanhe.staff/reset-password', bodyless: true },
  'post /api/users/{username}/unlock': { user: 'city.admin', path: () => '/api/users/zhanhe.staff/unlock', bodyless: true },
  'post /api/users/{username}/posts': {
    user: 'city.admin',
    path: () => '/api/users/zhanhe.staff/posts',
    valid: () => ({ org: 'pds-zhanhe', role: 'reviewer' }),
    required: ['org', 'role'],
    ok: 201,
  },
  // A supervisor post of 湛河区's staff member, (re)started before every request: each request ends it.
  'delete /api/users/{username}/posts/{postId}': {
    user: 'city.admin',
    path: () => `/api/users/zhanhe.staff/posts/${fx.post}`,
    bodyless: true,
    beforeEach: async () => {
      const held = await h.db('user_posts').where({ username: 'zhanhe.staff', role: 'supervisor' }).whereNull('ended_at').first('id');
      if (held) return void (fx.post = String(held.id));
      const r = await h.call('POST', '/api/users/zhanhe.staff/posts', { token: await h.login('city.admin'), body: { org: 'pds-zhanhe', role: 'supervisor' } });
      expect(r.status).toBe(201);
      fx.post = r.body.id as string;
    },
  },
  'put /api/calendar/{date}': {
    user: 'city.admin',
    path: () => '/api/calendar/2026-12-31',
    // A local holiday of a union below the city (the org is optional: the caller's own when left out).
    valid: () => ({ kind: 'holiday', name: '测试', org: 'pds-xinhua' }),
    required: ['kind'],
  },
  // The day set by the PUT case just before: every request deletes it (the body is ignored), and deleting a day not set answers the same.
  'delete /api/calendar/{date}': {
    user: 'city.admin',
    path: () => '/api/calendar/2026-12-31?org=pds',
    bodyless: true,
    ok: 204,
    beforeEach: async () => {
      const r = await h.call('PUT', '/api/calendar/2026-12-31', { token: await h.login('city.admin'), body: { kind: 'holiday', name: '测试' } });
      expect(r.status).toBe(200);
    },
  },
  // 代理: a range a month ahead (nothing routes to the deputy during the run).
  // Marks all of xc.staff's notifications read (this file's own database): the valid request always succeeds.
  'post /api/notifications/read': {
    user: 'xc.staff',
    path: () => '/api/notifications/read',
    valid: () => ({ all: true }),
    edges: () => [{ ids: ['99999999999999999999'] }, { ids: ['0'] }, { ids: Array.from({ length: 501 }, (_, i) => String(i + 1)) }],
  },
  'put /api/users/{username}/deputy': {
    user: 'xinhua.admin',
    path: () => '/api/users/xinhua.reviewer/deputy',
    valid: () => ({ deputy: 'xinhua.staff', from: aheadDay(30), to: aheadDay(37), types: ['subsidy'] }),
    edges: () => [
      { deputy: 'xinhua.staff', from: '0000-01-01', to: aheadDay(37) },
      { deputy: 'xinhua.staff', from: aheadDay(30), to: '2026-12-31T00:00:00-23:59' },
      { deputy: 'xinhua.staff', from: aheadDay(30), to: aheadDay(37), types: ['subsidy', 'x'.repeat(10_000)] },
    ],
  },
  // The range set just before: every request ends it (the body is ignored); with none in force it answers the same.
  'delete /api/users/{username}/deputy': {
    user: 'xinhua.admin',
    path: () => '/api/users/xinhua.reviewer/deputy',
    bodyless: true,
    beforeEach: async () => {
      const r = await h.call('PUT', '/api/users/xinhua.reviewer/deputy', {
        token: await h.login('xinhua.admin'),
        body: { deputy: 'xinhua.staff', from: aheadDay(30), to: aheadDay(37) },
      });
      expect(r.status).toBe(200);
    },
  },
  // The org tree (组织机构管理): a grassroots union under 新华区, and renaming one made for this file.
  'post /api/orgs': {
    user: 'city.admin',
    path: () => '/api/orgs',
    valid: () => ({ name: '敌意输入测试工会', kind: 'grassroots', parent: REGION, groups: ['courier'] }),
    required: ['name', 'kind', 'parent'],
  },
  'patch /api/orgs/{id}': {
    user: 'city.admin',
    path: () => '/api/orgs/hostile-org',
    valid: () => ({ name: '改名后的工会' }),
    required: ['name'],
    // Hostile bodies are refused before the org is looked up; the valid request renames one that exists by then.
    ready: async () => {
      const r = await h.call('POST', '/api/orgs', {
        token: await h.login('city.admin'),
        body: { id: 'hostile-org', name: '待改名工会', kind: 'grassroots', parent: REGION },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    },
  },
  // An xlsx workbook as the body: anything else is refused (415) once the JSON parser has had its say.
  'post /api/orgs/import': {
    user: 'city.admin',
    path: () => '/api/orgs/import',
    valid: () => ({ rows: [] }),
    validElsewhere: 'a valid import needs a workbook’s bytes: test/api/org-tree.test.ts and the authorization matrix send real workbooks',
  },
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
    validElsewhere: 'advance() moves the campaign through its phases below, asserting 200 each time',
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
    validElsewhere: 'the real project list of the listing-phase test, asserting 201',
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
  // 实名核验: the region's reviewer decides on a member the project reported (a pending one of its own, made by `ready`).
  'post /api/projects/{id}/members-reported/decisions': {
    user: 'xinhua.reviewer',
    path: () => `/api/projects/${fx.project}/members-reported/decisions`,
    valid: () => ({ decisions: [{ id: fx.pendingMember || '999999999999', action: 'verify' }] }),
    edges: () => [{ decisions: [{ id: '1', action: 'reject' }] }, { decisions: [{ id: '1', action: 'reject', reason: 'a\u0000b' }] }],
    ready: async () => {
      const r = await h.call('POST', `/api/projects/${fx.project}/progress`, { token: await h.login('xinhua.staff'), body: { members: memberRecords(1) } });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      const row = await h.db('member_reports').where({ project_id: fx.project, status: 'pending' }).orderBy('id', 'desc').first('id');
      fx.pendingMember = String(row.id);
    },
    phase: 'implementation',
  },
  // 批量导入会员: a JSON array of member records here (CSV and xlsx files: test/campaigns/member-upload.test.ts and the matrix).
  'post /api/projects/{id}/member-uploads': {
    user: 'xinhua.staff',
    path: () => `/api/projects/${fx.project}/member-uploads`,
    valid: () => [{ 姓名: '骑手', 身份证号: uniqueIdNumber(), 重点群体: '快递员', 工作单位: '某快递网点', 是否劳务派遣: '否' }],
    edges: () => [
      [{ 姓名: '骑手', 身份证号: uniqueIdNumber(), 重点群体: '快递员', 工作单位: '某快递网点', 是否劳务派遣: '是' }],
      [{ name: '骑手', idNumber: 410402199001011200, group: 'courier', employer: '某快递网点' }],
      [{ name: 'a\u0000b', idNumber: uniqueIdNumber(), group: 'courier', employer: '某快递网点' }],
    ],
    accepts: memberRowsAccepted,
    phase: 'implementation',
  },
  'post /api/projects/{id}/unions': {
    user: 'xinhua.staff',
    path: () => `/api/projects/${fx.project}/unions`,
    // A new name each time: the same name twice in a campaign is a 409 (one establishment per union).
    valid: () => ({ name: `快递网点联合工会 ${Math.random().toString(36).slice(2, 10)}`, kind: 'joint' }),
    edges: () => [{ name: '快递网点联合工会', kind: 'enterprise', enterpriseId: 1e20 }],
    phase: 'implementation',
  },
  'post /api/projects/{id}/inspections': {
    user: 'city.staff',
    path: () => `/api/projects/${fx.project}/inspections`,
    valid: () => ({
      findings: '台账不全',
      result: 'problem',
      inspectedOn: '2026-08-01',
      items: [
        { text: '会员花名册缺身份证号', severity: 'major', deadline: '2026-09-01' },
        { text: '未挂牌', severity: 'minor' },
      ],
    }),
    edges: () => [
      { findings: '台账不全', result: 'problem', inspectedOn: '2026-08-01', items: [{ text: '缺号', severity: 'major', deadline: '0000-01-01' }] },
      { findings: '台账不全', result: 'problem', inspectedOn: '2026-08-01', items: [{ text: 'a\u0000b', severity: 'minor' }] },
    ],
    phase: 'implementation',
  },
  // 整改事项 (issue 16): the region reports one done; the city accepts or sends back a reported one.
  'post /api/rectifications/{id}/report': {
    user: 'xinhua.staff',
    path: () => `/api/rectifications/${fx.rectOpen}/report`,
    valid: () => ({ note: '已补录身份证号' }),
    phase: 'implementation',
  },
  'post /api/rectifications/{id}/decision': {
    user: 'city.staff',
    path: () => `/api/rectifications/${fx.rectReported}/decision`,
    valid: () => ({ decision: 'return', comment: '仍缺两人' }),
    phase: 'implementation',
  },
  'post /api/projects/{id}/self-assessment': {
    user: 'xinhua.staff',
    path: () => `/api/projects/${fx.project}/self-assessment`,
    valid: () => ({ summary: '完成', membersRecruited: 1, unionsEstablished: 1, coverage: 5 }),
    phase: 'assessment',
  },
  // 行动计划: the city returns the project to its region, the region revises it, the city submits the plan (in this order).
  'post /api/campaigns/{id}/plan/projects/{projectId}/return': {
    user: 'city.admin',
    path: () => `/api/campaigns/${fx.campaign}/plan/projects/${fx.project}/return`,
    valid: () => ({ comment: '请核实拟发展会员数' }),
    phase: 'implementation',
  },
  'post /api/projects/{id}/plan-revision': {
    user: 'xinhua.staff',
    path: () => `/api/projects/${fx.project}/plan-revision`,
    valid: () => ({ plannedMembers: 8, responsibleUnit: '新华区总工会', dueDate: '2026-10-31', note: '按意见调整' }),
    edges: () => [{ dueDate: '0000-01-01' }, { plannedMembers: 1e20 }, { name: 'a\u0000b' }],
    phase: 'implementation',
  },
  'post /api/campaigns/{id}/plan/submit': {
    user: 'city.admin',
    path: () => `/api/campaigns/${fx.campaign}/plan/submit`,
    valid: () => ({ note: '汇总上报' }),
    phase: 'implementation',
  },
  // Every request issues a bulletin (the body is ignored).
  'post /api/campaigns/{id}/reports': { user: 'city.admin', path: () => `/api/campaigns/${fx.campaign}/reports`, bodyless: true, ok: 201 },
  // Writes nothing; any body is ignored.
  'post /api/reports/{id}/print-link': { user: 'city.lead', path: () => `/api/reports/${fx.report}/print-link`, bodyless: true },
  // Each valid request issues a province bulletin of the year given.
  'post /api/orgs/{id}/bulletins': { user: 'prov.admin', path: () => '/api/orgs/henan/bulletins', valid: () => ({ year: 2026 }), ok: 201 },
  'post /api/orgs/{id}/bulletins/schedule': {
    user: 'prov.admin',
    path: () => '/api/orgs/henan/bulletins/schedule',
    valid: () => ({ every: 'P3M' }),
    required: ['every'],
  },
  'post /api/campaigns/{id}/reports/schedule': {
    user: 'city.admin',
    path: () => `/api/campaigns/${fx.campaign}/reports/schedule`,
    valid: () => ({ paused: true, note: '暂停' }),
    required: ['paused'],
    // (the campaign's workflow creates the schedule once the implementation phase starts; before, a valid body gets 409)
    phase: 'implementation',
    ready: () =>
      eventually(
        async () => (await h.call('GET', `/api/campaigns/${fx.campaign}/reports/schedule`, { token: await h.login('city.admin') })).status === 200,
        60_000,
      ),
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

/** A JSON member upload that the route's own readers (api/member-workbook.ts, domain/member-upload.ts) take whole, for the campaign's 快递员 group. */
function memberRowsAccepted(body: unknown): boolean {
  let records: ReturnType<typeof readMemberJson>['records'];
  try {
    records = readMemberJson(body).records;
  } catch {
    return false; // not a non-empty array: refused as a whole
  }
  const names = { groups: [{ id: 'courier', name: '快递员' }], region: { id: 'r', name: 'r' } };
  return records.every((r) => !r.notARecord && 'member' in readMemberRow(r.cells, names));
}

/** What tells a body the route accepts from a hostile one: the case's own reader, else the documented schema. */
function acceptorOf(key: string): ((body: unknown) => boolean) | undefined {
  const schema = schemaOf(key);
  return CASES[key]!.accepts ?? (schema && ((b: unknown) => schema.safeParse(b).success));
}

function schemaOf(key: string): z.ZodType | undefined {
  const [method, path] = key.split(' ') as [string, string];
  return (ROUTES[path]?.[method] as { body?: z.ZodType } | undefined)?.body;
}

async function token(c: RouteCase): Promise<string | undefined> {
  if (!c.user) return undefined;
  if (!c.freshLogin) return h.login(c.user);
  const r = await h.call('POST', '/api/auth/login', { body: { username: c.user, password: 'demo-password' } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.token as string;
}

async function send(key: string, body: unknown, o: { contentType?: string; idempotencyKey?: string; raw?: string } = {}) {
  const c = CASES[key]!;
  const [method] = key.split(' ') as [string];
  const headers: Record<string, string> = { 'content-type': o.contentType ?? 'application/json' };
  const bearer = await token(c);
  if (bearer) headers.authorization = `Bearer ${bearer}`;
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

/** What the API must answer to this body text: the status and, for a 400, the fields its `errors` name. */
interface Expected {
  status: number;
  /** Exactly these paths (deduplicated, sorted); `changed`: at least one path starts with one of these top-level fields. */
  paths?: string[];
  changed?: string[];
  /** Every path names a row of a survey upload: `rows[n].…`. */
  rows?: boolean;
}

const INVALID_JSON: Expected = { status: 400, paths: ['(body)'] };

/** The top-level fields of `body` that differ from `valid` (or are missing); for a body that is no object, the body itself. */
function changedFields(valid: unknown, body: unknown): string[] {
  if (!keysOf(body).length && (typeof body !== 'object' || body === null || Array.isArray(body))) return ['(body)'];
  const b = body as Record<string, unknown>;
  const v = (valid ?? {}) as Record<string, unknown>;
  const keys = new Set([...Object.keys(b), ...Object.keys(v)]);
  return [...keys].filter((k) => !sameJson(b[k], v[k]));
}

/** Whether two values serialize alike; a value nested too deep to serialize (a hostile raw body) is never alike. */
function sameJson(a: unknown, b: unknown): boolean {
  try {
    return JSON.stringify(a) === JSON.stringify(b);
  } catch {
    return false;
  }
}

/**
 * The answer this body text must get, from the way the API reads bodies: the JSON parser refuses a charset that is not
 * UTF-8 (415) and any text that is not a JSON object or array (400 naming `(body)`); other content types are not parsed,
 * so the schema sees no body (400 naming `(body)`; a survey upload answers 415); text Postgres cannot store is refused
 * before the schema (400 naming its path); then the schema names every bad field.
 */
function expectedFor(key: string, text: string, contentType: string): Expected {
  const ct = contentType.toLowerCase();
  const c = CASES[key]!;
  const schema = schemaOf(key);
  if (key.includes('/enterprises')) return expectedUpload(text, ct);
  if (key === 'post /api/orgs/import') return expectedWorkbook(text, ct);
  if (key.endsWith('/member-uploads')) return expectedMemberUpload(text, ct);
  if (!ct.startsWith('application/json')) {
    if (!c.unreadBodyAsObject || !schema) return INVALID_JSON;
    const r = schema.safeParse({});
    return { status: 400, paths: r.success ? [] : [...new Set(zodFieldErrors(r.error).map((e) => e.path))].sort() };
  }
  const charset = /charset=([^;\s]+)/.exec(ct)?.[1];
  if (charset && !charset.startsWith('utf-')) return { status: 415 };
  if (Buffer.byteLength(text) > 1024 * 1024) return { status: 413 };
  if (charset && charset !== 'utf-8') return INVALID_JSON; // UTF-8 bytes read as UTF-16
  const parsed = parseStrict(text);
  if (parsed === INVALID) return INVALID_JSON;
  const unstorable = findUnstorableText(parsed);
  if (unstorable) return { status: 400, paths: [unstorable] };
  if (schema) {
    const r = schema.safeParse(parsed);
    if (r.success) throw new Error(`${key}: a hostile body the schema accepts: ${text.slice(0, 200)}`);
    return { status: 400, paths: [...new Set(zodFieldErrors(r.error).map((e) => e.path))].sort() };
  }
  return { status: 400, changed: changedFields(c.valid?.(), parsed) };
}

/**
 * The org import reads an xlsx workbook only: a JSON body still meets the app's JSON parser (413 over 1 MB, 415 for a
 * charset other than UTF, 400 for text that is no JSON); what it lets through, and every other type, is refused with 415.
 */
function expectedWorkbook(text: string, ct: string): Expected {
  if (!ct.startsWith('application/json')) return { status: 415 };
  const charset = /charset=([^;\s]+)/.exec(ct)?.[1];
  if (charset && !charset.startsWith('utf-')) return { status: 415 };
  if (Buffer.byteLength(text) > 1024 * 1024) return { status: 413 };
  if (charset && charset !== 'utf-8') return INVALID_JSON;
  if (parseStrict(text) === INVALID) return INVALID_JSON;
  return { status: 415 };
}

const INVALID = Symbol('invalid JSON');
/** The body as the JSON parser reads it (strict: an object or an array), or INVALID. */
function parseStrict(text: string): unknown {
  if (!/^[ \t\n\r]*[[{]/.test(text)) return INVALID;
  try {
    return JSON.parse(text);
  } catch {
    return INVALID;
  }
}

/**
 * A survey upload reads its own body (up to 20 MB; JSON in the UTF charset named, any other charset read as UTF-8, or
 * CSV; other types 415): a body
 * that is no JSON array, or an empty one, names `(body)`; an array names the bad rows, `rows[n].<field>` (counted from 1; `(row)` for a
 * row that is no record).
 */
function expectedUpload(text: string, ct: string): Expected {
  if (!ct.startsWith('application/json')) return { status: 415 };
  if (/charset=utf-(?!8)/.test(ct)) return INVALID_JSON; // UTF-8 bytes read as UTF-16
  const parsed = parseStrict(text);
  if (parsed === INVALID) return INVALID_JSON;
  if (!Array.isArray(parsed) || parsed.length === 0) return { status: 400, paths: ['(body)'] };
  return { status: 400, rows: true };
}

/**
 * A bulk member upload reads CSV and xlsx itself and JSON through the app's parser (413 over 1 MB, 415 for a charset
 * other than UTF, 400 for text that is no JSON): a JSON body that is no array, or an empty one, names `(body)`; an
 * array names its bad rows, `rows[n].<field>` (text Postgres cannot store, its path first); any other content type is 415.
 */
function expectedMemberUpload(text: string, ct: string): Expected {
  if (!ct.startsWith('application/json')) return { status: 415 };
  const charset = /charset=([^;\s]+)/.exec(ct)?.[1];
  if (charset && !charset.startsWith('utf-')) return { status: 415 };
  if (Buffer.byteLength(text) > 1024 * 1024) return { status: 413 };
  if (charset && charset !== 'utf-8') return INVALID_JSON;
  const parsed = parseStrict(text);
  if (parsed === INVALID) return INVALID_JSON;
  const unstorable = findUnstorableText(parsed);
  if (unstorable) return { status: 400, paths: [unstorable] };
  if (!Array.isArray(parsed) || parsed.length === 0) return { status: 400, paths: ['(body)'] };
  return { status: 400, rows: true };
}

/** Mismatches between what the API answered and what it must answer, gathered over a test and asserted at its end. */
const mismatches: string[] = [];

/** Checks one answer against its expectation: the exact status, a problem+json body, the fields named; records a mismatch. */
function check(r: { status: number; type: string; body: any }, want: Expected, context: string): void {
  const got = r.body && Array.isArray(r.body.errors) ? [...new Set((r.body.errors as { path: string }[]).map((e) => e.path))].sort() : undefined;
  const line = `${context}: want ${JSON.stringify(want)}, got ${r.status} ${JSON.stringify(got)} ${JSON.stringify(r.body?.detail ?? r.body).slice(0, 160)}`;
  if (r.status !== want.status) return void mismatches.push(line);
  try {
    expectProblem(r, context);
  } catch (e) {
    return void mismatches.push(`${line} (${(e as Error).message.slice(0, 200)})`);
  }
  if (want.paths && JSON.stringify(got) !== JSON.stringify(want.paths)) return void mismatches.push(line);
  if (want.rows && !(got?.length && got.every((p) => /^rows\[\d+\]\./.test(p)))) return void mismatches.push(line);
  if (want.changed && !(got ?? []).some((p) => want.changed!.includes(p.split('.')[0]!) || p === '(body)')) mismatches.push(line);
}

function bodyText(body: unknown): string {
  return body instanceof RawBody ? body.text : JSON.stringify(body);
}

/** The success status of a route's valid request. */
function okOf(key: string): number {
  const [method, path] = key.split(' ') as [string, string];
  return CASES[key]!.ok ?? (ROUTES[path]?.[method] as { ok?: number } | undefined)?.ok ?? 200;
}

/**
 * The property: hostile bodies on one route, sent by a caller the route serves, each get the exact answer
 * {@link expectedFor} gives, and nothing in the database changes; then one valid request from the same caller succeeds.
 */
async function attack(key: string, numRuns = 12) {
  const c = CASES[key]!;
  const before = await settled();
  if (c.bodyless) {
    // A route without a body: whatever JSON object or array is sent along is ignored (the route answers its success);
    // any other JSON text is refused by the parser before the route.
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue({ maxDepth: 3 }), deep), async (body) => {
        await c.beforeEach?.();
        const r = await send(key, body);
        const text = bodyText(body);
        if (Buffer.byteLength(text) > 1024 * 1024) check(r, { status: 413 }, `${key} ${text.slice(0, 60)}`);
        else if (/^[[{]/.test(text)) {
          if (r.status !== okOf(key))
            mismatches.push(`${key} ${text.slice(0, 60)}: want ${okOf(key)}, got ${r.status} ${JSON.stringify(r.body).slice(0, 160)}`);
        } else check(r, INVALID_JSON, `${key} ${text.slice(0, 60)}`);
      }),
      { numRuns: 6 },
    );
    await c.beforeEach?.();
    const r = await send(key, undefined);
    expect(r.status, `${key} without a body: ${JSON.stringify(r.body).slice(0, 300)}`).toBe(okOf(key));
    return;
  }
  const valid = c.valid!();
  await fc.assert(
    fc.asyncProperty(hostileBody(valid, acceptorOf(key), c.required), contentTypes, idemKeys, async (body, contentType, idempotencyKey) => {
      const r = await send(key, body, { contentType, idempotencyKey });
      check(r, expectedFor(key, bodyText(body), contentType), `${key} ${contentType} ${bodyText(body).slice(0, 80)}`);
    }),
    { numRuns },
  );
  for (const body of c.edges?.() ?? [])
    check(await send(key, body), expectedFor(key, JSON.stringify(body), 'application/json'), `${key} edge ${JSON.stringify(body).slice(0, 120)}`);
  // Malformed JSON text, as sent by a broken client.
  await fc.assert(
    fc.asyncProperty(
      fc.string({ maxLength: 200 }).map((s) => `{"a":${s}`),
      async (raw) => {
        check(await send(key, undefined, { raw }), expectedFor(key, raw, 'application/json'), `${key} raw ${raw.slice(0, 60)}`);
      },
    ),
    { numRuns: 4 },
  );
  expect(await settled(), `${key} changed the database`).toEqual(before);
  // No prototype of this process was polluted by a "__proto__" key.
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  // The same caller's valid request succeeds: the route was reachable, and the hostile bodies were really read.
  if (!c.validElsewhere) {
    await c.ready?.();
    const r = await send(key, (c.success ?? c.valid)!());
    expect(r.status, `${key} valid request: ${JSON.stringify(r.body).slice(0, 300)}`).toBe(okOf(key));
  }
}

function expectNoMismatches() {
  const found = mismatches.splice(0);
  expect(found).toEqual([]);
}

const anyPhase = () => Object.keys(CASES).filter((k) => !CASES[k]!.phase && !CASES[k]!.multipart);
const inPhase = (p: string) => Object.keys(CASES).filter((k) => CASES[k]!.phase === p);

describe('hostile input on every mutating route', () => {
  it('every mutating route the server serves or documents has its hostile-input case', () => {
    expect(mutatingRoutes().filter((r) => !CASES[r])).toEqual([]);
  });

  it('routes outside campaign phases: every hostile body gets its exact 4xx problem+json and writes nothing; a valid body succeeds', async () => {
    for (const key of anyPhase()) await attack(key);
    // Without an account only a membership application may be sent; anything else is refused as well.
    const anonymous = await fetch(`${h.url}/api/applications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...buildMember(), idNumber: '<script>' }),
    });
    expect(anonymous.status).toBe(400);
    expectNoMismatches();
  }, 240_000);

  it('survey phase: survey uploads (JSON and CSV) and plans', async () => {
    for (const key of inPhase('survey')) await attack(key);
    const before = await settled();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 500 }), fc.constant('name,region,employees\n'), fc.constant('\uFEFF'), fc.constant('"unterminated,quote\n1,2,3')),
        async (csv) => {
          check(
            await send('post /api/campaigns/{id}/regions/{org}/enterprises', undefined, { raw: csv, contentType: 'text/csv' }),
            { status: 400 },
            `csv ${csv.slice(0, 60)}`,
          );
        },
      ),
      { numRuns: 20 },
    );
    expect(await settled()).toEqual(before);
    expectNoMismatches();
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
    // Two rectification items for the rectification routes: one open, one reported done.
    const inspected = await h.call('POST', `/api/projects/${fx.project}/inspections`, {
      token: await h.login('city.staff'),
      body: {
        findings: '检查',
        result: 'problem',
        inspectedOn: '2026-08-01',
        items: [
          { text: '整改一', severity: 'major', deadline: '2026-09-01' },
          { text: '整改二', severity: 'serious', deadline: '2026-09-01' },
        ],
      },
    });
    expect(inspected.status, JSON.stringify(inspected.body)).toBe(201);
    const items = await eventually(async () => {
      const r = await h.call('GET', `/api/campaigns/${fx.campaign}/rectifications`, { token: await h.login('xinhua.staff') });
      return r.body.items?.length === 2 ? (r.body.items as { id: string; finding: string }[]) : undefined;
    });
    fx.rectOpen = items.find((x) => x.finding === '整改一')!.id;
    fx.rectReported = items.find((x) => x.finding === '整改二')!.id;
    const reported = await h.call('POST', `/api/rectifications/${fx.rectReported}/report`, { token: await h.login('xinhua.staff'), body: { note: '已整改' } });
    expect(reported.status, JSON.stringify(reported.body)).toBe(200);
    for (const key of inPhase('implementation')) await attack(key);
    await advance('assessment');
    for (const key of inPhase('assessment')) await attack(key);
    expectNoMismatches();
  }, 300_000);
});

/** A multipart body built by hand (what FormData cannot make: a file in another field, two files, a broken end). */
function rawMultipart(parts: { name: string; filename?: string; type?: string; data: Buffer | string }[], end = true) {
  const boundary = 'hostile-boundary-7f3a';
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename === undefined ? '' : `; filename="${p.filename}"`}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`));
    chunks.push(Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data));
    chunks.push(Buffer.from('\r\n'));
  }
  if (end) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { raw: new Uint8Array(Buffer.concat(chunks)), contentType: `multipart/form-data; boundary=${boundary}` };
}

/**
 * The file name busboy reads from a name the client (undici's FormData) sent: FormData writes `"`, LF and CR as
 * %22, %0A and %0D; busboy reads a doubled backslash as one (other backslashes stay), a name ending in a lone
 * backslash escapes its closing quote (no file at all), and it keeps the part after the last `/` or backslash only
 * (`.` and `..` are none). No name means no file. A browser never sends such names; random ones do (checked against
 * busboy over thousands of random printable names).
 */
function fileNameAsParsed(name: string): string | undefined {
  const sent = name.replace(/"/g, '%22').replace(/\n/g, '%0A').replace(/\r/g, '%0D');
  let read = '';
  for (let i = 0; i < sent.length; i++) {
    if (sent[i] !== '\\') read += sent[i];
    else if (i + 1 >= sent.length) return undefined;
    else if (sent[i + 1] === '\\' || sent[i + 1] === '"') read += sent[++i];
    else read += sent[i];
  }
  const base = read.split(/[/\\]/).pop();
  return base && base !== '.' && base !== '..' ? base : undefined;
}

describe('hostile uploads (POST /api/applications/:id/attachments)', () => {
  it('every hostile multipart body gets its exact 4xx problem+json naming the bad field, and writes nothing; a valid upload succeeds', async () => {
    const key = 'post /api/applications/{id}/attachments';
    const post = async (body: { raw: Uint8Array | string; contentType: string }) => {
      const res = await fetch(h.url + CASES[key]!.path(), {
        method: 'POST',
        headers: { authorization: `Bearer ${await h.login('xinhua.staff')}`, 'content-type': body.contentType },
        body: body.raw,
      });
      const text = await res.text();
      let parsed: any = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: res.status, type: res.headers.get('content-type') ?? '', body: parsed };
    };
    const pdf = await samplePdf('hostile');
    const file = { bytes: pdf, name: '发票.pdf', type: 'application/pdf' };
    const before = await settled();
    const table: [string, { raw: Uint8Array | string; contentType: string }, Expected][] = [
      ['a JSON body', { raw: JSON.stringify({ file: 'JVBERi0=' }), contentType: 'application/json' }, { status: 400, paths: ['file'] }],
      ['a text body', { raw: '%PDF-1.4', contentType: 'text/plain' }, { status: 400, paths: ['file'] }],
      ['no file', await multipart(undefined, { comment: '见附件' }), { status: 400, paths: ['file'] }],
      [
        'the file in another field',
        rawMultipart([{ name: 'upload', filename: 'a.pdf', type: 'application/pdf', data: pdf }]),
        { status: 400, paths: ['file'] },
      ],
      [
        'two files',
        rawMultipart([
          { name: 'file', filename: 'a.pdf', data: pdf },
          { name: 'file', filename: 'b.pdf', data: pdf },
        ]),
        { status: 400, paths: ['file'] },
      ],
      ['a body cut short', rawMultipart([{ name: 'file', filename: 'a.pdf', data: pdf }], false), { status: 400, paths: ['(body)'] }],
      ['an empty file', await multipart({ bytes: Buffer.alloc(0), name: 'a.pdf' }), { status: 400, paths: ['file'] }],
      ['a file part without a file name', rawMultipart([{ name: 'file', filename: '', data: pdf }]), { status: 400, paths: ['file'] }],
      ['a file name ending in a backslash (read as no file)', await multipart({ bytes: pdf, name: 'a.pdf\\' }), { status: 400, paths: ['file'] }],
      ['a comment over 2,000 characters', await multipart(file, { comment: '长'.repeat(2001) }), { status: 400, paths: ['comment'] }],
      ['a comment over the part limit', await multipart(file, { comment: 'x'.repeat(20_000) }), { status: 400, paths: ['comment'] }],
      ['a comment with NUL', await multipart(file, { comment: 'a\u0000b' }), { status: 400, paths: ['comment'] }],
      ['an unknown task', await multipart(file, { taskId: 'task-of-someone-else' }), { status: 400, paths: ['taskId'] }],
      ['an unknown field', await multipart(file, { role: 'admin' }), { status: 400, paths: ['role'] }],
      ['a __proto__ field', await multipart(file, Object.fromEntries([['__proto__', 'polluted']])), { status: 400, paths: ['__proto__'] }],
      ['too many fields', await multipart(file, { comment: 'a', taskId: 'b', x: 'c' }), { status: 400, paths: ['(body)'] }],
      [
        'an HTML page named .pdf',
        await multipart({ bytes: Buffer.from('<html><script>alert(1)</script></html>'), name: 'a.pdf', type: 'application/pdf' }),
        { status: 415, paths: ['file'] },
      ],
      [
        'an SVG named .png',
        await multipart({ bytes: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'), name: 'a.png' }),
        { status: 415, paths: ['file'] },
      ],
      [
        'a Windows program named .pdf',
        await multipart({ bytes: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)]), name: 'a.pdf' }),
        { status: 415, paths: ['file'] },
      ],
      ['a zip named .xlsx', await multipart({ bytes: Buffer.from('504b0304140000000000', 'hex'), name: 'a.xlsx' }), { status: 415, paths: ['file'] }],
      [
        'a file over 10 MB',
        await multipart({ bytes: Buffer.concat([pdf, Buffer.alloc(10 * 1024 * 1024)]), name: 'big.pdf' }),
        { status: 413, paths: ['file'] },
      ],
    ];
    for (const [what, body, want] of table) check(await post(body), want, `${key} ${what}`);
    // Random bytes under any name and type, with random comments: never a 5xx, never stored.
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        // (a browser always names a chosen file; a part without a file name is no file: 400 naming file, tested above)
        fc.string({ minLength: 1, maxLength: 80 }),
        fc.constantFrom('application/pdf', 'image/png', 'text/html', 'application/octet-stream'),
        unicodeEdge,
        async (bytes, name, type, comment) => {
          const r = await post(await multipart({ bytes: Buffer.from(bytes), name, type }, { comment }));
          // What arrives: the form's UTF-8 (a lone surrogate becomes U+FFFD on the way).
          const sent = Buffer.from(comment, 'utf8').toString('utf8');
          // Where the multipart parser (busboy) reads no file name, there is no file: "choose a file" (400 naming file).
          const noFile = !fileNameAsParsed(name);
          const want: Expected =
            findUnstorableText(sent) || sent.trim().length > 2000
              ? { status: 400, paths: ['comment'] }
              : noFile
                ? { status: 400, paths: ['file'] }
                : { status: 415, paths: ['file'] };
          check(r, want, `${key} random ${bytes.length} bytes as ${type}, comment ${JSON.stringify(comment).slice(0, 40)}`);
        },
      ),
      { numRuns: 12 },
    );
    expectNoMismatches();
    expect(await settled(), `${key} changed the database`).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const ok = await post(await multipart({ bytes: samplePng(), name: '回执.png', type: 'image/png' }, { comment: '回执' }));
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
  }, 120_000);
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
