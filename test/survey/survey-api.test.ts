/**
 * The survey upload and gap list through HTTP, on a real Postgres: the router
 * mounted on a small app of its own (the app's wiring is another change),
 * behind the real requireAuth with tokens from a real login.
 */
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness';
import { requireAuth } from '../../api/auth';
import { errorMiddleware } from '../../api/errors';
import { isSurveyUploadRequest, surveyRoutes } from '../../api/survey';
import { makeCreditCode, type ValidatedRow } from '../../domain/enterprise';
import { countEnterprisesByRegion, crossOffEnterprise, getEnterprise, importEnterprises } from '../../db/enterprise-repository';

let h: Harness;
let server: Server;
let base: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  h = await startHarness({ withWorker: false });
  const app = express();
  // As the real app will be wired: the global 1 MB JSON parser skips survey uploads.
  const globalJson = express.json({ limit: '1mb' });
  app.use('/api', (req, res, next) => (isSurveyUploadRequest(req) ? next() : globalJson(req, res, next)));
  app.use('/api', requireAuth({ db: h.db, secret: inject('jwtSecret') }));
  app.use(surveyRoutes({ db: h.db }));
  app.use(errorMiddleware);
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const u of ['xinhua.staff', 'weidong.staff', 'city.admin', 'city.lead']) tokens[u] = await h.login(u);
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await h?.close();
});

// ---- factories ----------------------------------------------------------------------------------

const GROUPS = ['courier', 'food_delivery', 'truck_driver'];

/** A campaign row in the given phase (the campaign workflow is not involved). */
async function buildCampaign(phase = 'survey'): Promise<string> {
  const id = `survey-test-${crypto.randomBytes(5).toString('hex')}`;
  const window = { start: '2019-04-01T00:00:00+08:00', end: '2019-05-31T23:59:59+08:00' };
  const config = {
    name: '2019年八大群体入会集中行动',
    year: 2019,
    cityOrg: 'pds',
    regions: ['pds-xinhua', 'pds-weidong'],
    groups: GROUPS,
    targets: { newMembers: 28_000 },
    phases: { survey: window, listing: window, implementation: window, assessment: window },
  };
  await h.db('campaigns').insert({
    id,
    name: config.name,
    year: 2019,
    city_org: 'pds',
    config: JSON.stringify(config),
    phase,
    workflow_id: `campaign-${id}`,
    created_by: 'city.admin',
  });
  await h.db('campaign_regions').insert(config.regions.map((org) => ({ campaign_id: id, org_id: org })));
  return id;
}

let codeSeq = crypto.randomInt(0, 5_000_000);
/** A fresh valid 统一社会信用代码. */
const newCode = () => makeCreditCode(`91410402MA${String(codeSeq++ % 10_000_000).padStart(7, '0')}`);

interface Ent {
  name: string;
  creditCode?: string;
  address?: string;
  region: string;
  employees: number | string;
  groupCounts?: string;
  hasUnion: string;
  reasonNoUnion?: string;
  employerAttitude?: string;
  operatingSince?: string;
}

/** The i-th surveyed enterprise of a region: sizes cycle through every class. */
function buildEnterprise(i: number, overrides: Partial<Ent> = {}): Ent {
  const employees = [8, 24, 25, 60, 99, 100, 350][i % 7]!;
  return {
    name: `平顶山市第${i}物流有限公司`,
    creditCode: newCode(),
    address: `新华区建设路${i}号`,
    region: 'pds-xinhua',
    employees,
    groupCounts: `courier:${Math.min(employees, 5)};truck_driver:${Math.min(employees, 2)}`,
    hasUnion: i % 10 === 3 ? '是' : '否',
    reasonNoUnion: '企业主顾虑成本',
    employerAttitude: ['supportive', 'neutral', 'resistant', 'unknown'][i % 4],
    operatingSince: '2016-03-01',
    ...overrides,
  };
}

const COLUMNS: (keyof Ent)[] = [
  'name',
  'creditCode',
  'address',
  'region',
  'employees',
  'groupCounts',
  'hasUnion',
  'reasonNoUnion',
  'employerAttitude',
  'operatingSince',
];
function toCsv(rows: Ent[]): string {
  const cell = (v: Ent[keyof Ent]) => {
    const s = v === undefined ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}

async function call(method: string, path: string, opts: { as: string; csv?: string; json?: unknown; headers?: Record<string, string>; raw?: Buffer }) {
  const headers: Record<string, string> = { authorization: `Bearer ${tokens[opts.as]}`, ...(opts.headers ?? {}) };
  let body: string | Buffer | undefined;
  if (opts.csv !== undefined) {
    headers['content-type'] ??= 'text/csv';
    body = opts.csv;
  } else if (opts.json !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.raw) body = opts.raw;
  const res = await fetch(base + path, { method, headers, body });
  // Keep a BOM, if any, to check that exports carry one.
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
  let parsed: any = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* CSV */
  }
  return { status: res.status, body: parsed, text, headers: res.headers };
}

const upload = (campaign: string, org: string, opts: Parameters<typeof call>[2]) => call('POST', `/api/campaigns/${campaign}/regions/${org}/enterprises`, opts);
const countRows = async (campaign: string) => Number((await h.db('enterprises').where({ campaign_id: campaign }).count({ n: '*' }).first())!.n);
const countBatches = async (campaign: string) => Number((await h.db('upload_batches').where({ campaign_id: campaign }).count({ n: '*' }).first())!.n);

// ---- scenarios ----------------------------------------------------------------------------------

describe('survey upload (调查摸底)', () => {
  it('when a county uploads 2,000 CSV rows with 3 bad ones, exactly those rows come back with their reasons and the rest are filed and classified', async () => {
    const campaign = await buildCampaign();
    const rows = Array.from({ length: 2_000 }, (_, i) => buildEnterprise(i));
    rows[4] = buildEnterprise(4, { name: '平顶山"中兴",新华区快递服务部（含, 分部）', address: '中兴路,88号' });
    const good = rows[16]!.creditCode!;
    rows[16] = buildEnterprise(16, { creditCode: good.slice(0, 17) + (good.endsWith('0') ? '1' : '0') });
    rows[841] = buildEnterprise(841, { employees: 'about 40', operatingSince: '2019-02-30' });
    rows[1998] = buildEnterprise(1998, { groupCounts: 'courier:3;pilot:2' });

    const r = await upload(campaign, 'pds-xinhua', { as: 'xinhua.staff', csv: toCsv(rows) });
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(1_997);
    expect(r.body.inserted).toBe(1_997);
    expect(r.body.rejected).toEqual([
      { row: 17, errors: [{ field: 'creditCode', message: '统一社会信用代码校验位错误 / the credit code check character is wrong' }] },
      {
        row: 842,
        errors: [
          { field: 'employees', message: '职工人数应为整数 / employees must be a whole number' },
          { field: 'operatingSince', message: '开业日期应为 YYYY-MM-DD 格式的真实日期 / operatingSince must be a real date, YYYY-MM-DD' },
        ],
      },
      { row: 1999, errors: [{ field: 'groupCounts.pilot', message: expect.stringContaining("not one of the campaign's groups") }] },
    ]);
    // Sizes cycle 8, 24, 25, 60, 99, 100, 350 and every tenth (from the fourth) has a union.
    const expected = { own_union_mandatory: 0, own_union: 0, joint_coverage: 0, has_union: 0 };
    rows.forEach((e, i) => {
      if ([16, 841, 1998].includes(i)) return;
      const n = Number(e.employees);
      const cls = e.hasUnion === '是' ? 'has_union' : n >= 100 ? 'own_union_mandatory' : n >= 25 ? 'own_union' : 'joint_coverage';
      expected[cls] += 1;
    });
    expect(r.body.classified).toEqual(expected);
    expect(r.body.items).toHaveLength(100);
    expect(r.body.items[0]).toMatchObject({
      row: 1,
      name: rows[0]!.name,
      classification: 'joint_coverage',
      ledgerStatus: 'registered',
      id: expect.stringMatching(/^\d+$/),
    });

    expect(await countRows(campaign)).toBe(1_997);
    const quoted = await h.db('enterprises').where({ campaign_id: campaign, row_no: 5 }).first();
    expect(quoted).toMatchObject({
      name: '平顶山"中兴",新华区快递服务部（含, 分部）',
      address: '中兴路,88号',
      employees: 99,
      classification: 'own_union',
      ledger_status: 'registered',
    });
    const batch = await h.db('upload_batches').where({ id: r.body.batchId }).first();
    expect(batch).toMatchObject({ campaign_id: campaign, region_org: 'pds-xinhua', uploaded_by: 'xinhua.staff', accepted: 1_997, rejected: 3 });
    expect(batch.result.rejected.map((x: { row: number }) => x.row)).toEqual([17, 842, 1999]);
  });

  it('re-uploading the same enterprises updates their files instead of adding second ones (一企一档), and a crossed-off one stays crossed off', async () => {
    const campaign = await buildCampaign();
    const rows = Array.from({ length: 30 }, (_, i) => buildEnterprise(i, i === 29 ? { creditCode: undefined, name: '无代码小超市', employees: 6 } : {}));
    const first = await upload(campaign, 'pds-xinhua', { as: 'xinhua.staff', csv: toCsv(rows) });
    expect(first.body).toMatchObject({ accepted: 30, inserted: 30, updated: 0 });

    const target = first.body.items.find((x: { row: number }) => x.row === 6); // 100 employees, mandatory
    expect(target.classification).toBe('own_union_mandatory');
    const crossed = await crossOffEnterprise(h.db, campaign, target.id, new Date('2019-07-01T10:00:00+08:00'));
    expect(crossed?.outcome).toBe('crossed_off');

    // The re-survey: headcounts grew, the crossed-off one now reports its union.
    const again = rows.map((e, i) => ({ ...e, employees: Number(e.employees) + 1, hasUnion: i === 5 ? '是' : e.hasUnion }));
    const second = await upload(campaign, 'pds-xinhua', { as: 'xinhua.staff', csv: toCsv(again) });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ accepted: 30, inserted: 0, updated: 30 });
    expect(await countRows(campaign)).toBe(30);
    expect(second.body.items.map((x: { id: string }) => x.id)).toEqual(first.body.items.map((x: { id: string }) => x.id));

    const after = await getEnterprise(h.db, target.id);
    expect(after).toMatchObject({
      employees: 101,
      hasUnion: true,
      ledgerStatus: 'crossed_off',
      classification: 'own_union_mandatory',
      operatingSince: '2016-03-01',
    });
    expect(after?.crossedOffAt?.toISOString()).toBe('2019-07-01T02:00:00.000Z');
    const smallShop = await h.db('enterprises').where({ campaign_id: campaign, name: '无代码小超市' });
    expect(smallShop).toHaveLength(1);
    expect(smallShop[0].employees).toBe(7);
  });

  it('an enterprise first filed by name alone gets its credit code from a later upload instead of a second file', async () => {
    const campaign = await buildCampaign();
    await upload(campaign, 'pds-xinhua', { as: 'xinhua.staff', json: [{ name: '鹰城货运站', region: 'pds-xinhua', employees: 30, hasUnion: false }] });
    const code = newCode();
    const r = await upload(campaign, 'pds-xinhua', {
      as: 'xinhua.staff',
      json: [{ name: '鹰城货运站', creditCode: code, region: 'pds-xinhua', employees: 32, hasUnion: false }],
    });
    expect(r.body).toMatchObject({ accepted: 1, inserted: 0, updated: 1 });
    const files = await h.db('enterprises').where({ campaign_id: campaign });
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ credit_code: code, employees: 32 });
  });

  it("a row naming another region is rejected and the region's other rows are filed", async () => {
    const campaign = await buildCampaign();
    const r = await upload(campaign, 'pds-xinhua', {
      as: 'xinhua.staff',
      json: [
        { name: '新华区甲公司', region: 'pds-xinhua', employees: 40, hasUnion: false },
        { name: '卫东区乙公司', region: 'pds-weidong', employees: 40, hasUnion: false },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(1);
    expect(r.body.rejected).toEqual([{ row: 2, errors: [{ field: 'region', message: expect.stringContaining('pds-weidong') }] }]);
    expect(await h.db('enterprises').where({ campaign_id: campaign }).pluck('name')).toEqual(['新华区甲公司']);
  });

  it("a 卫东区 staff member cannot see or upload to 新华区's region: 404, nothing written", async () => {
    const campaign = await buildCampaign();
    const r = await upload(campaign, 'pds-xinhua', { as: 'weidong.staff', json: [{ name: '甲', region: 'pds-xinhua', employees: 1, hasUnion: false }] });
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect((await call('GET', `/api/campaigns/${campaign}/regions/pds-xinhua/gaps`, { as: 'weidong.staff' })).status).toBe(404);
    // Their own region is fine; a region outside the campaign is 404 even for the city.
    expect(
      (await upload(campaign, 'pds-weidong', { as: 'weidong.staff', json: [{ name: '乙', region: 'pds-weidong', employees: 1, hasUnion: false }] })).status,
    ).toBe(200);
    expect(
      (await upload(campaign, 'pds-zhanhe', { as: 'city.admin', json: [{ name: '丙', region: 'pds-zhanhe', employees: 1, hasUnion: false }] })).status,
    ).toBe(404);
    expect(await countRows(campaign)).toBe(1);
  });

  it('a supervisor may read the gap list but not upload (403)', async () => {
    const campaign = await buildCampaign();
    expect(
      (await upload(campaign, 'pds-xinhua', { as: 'city.lead', json: [{ name: '甲', region: 'pds-xinhua', employees: 1, hasUnion: false }] })).status,
    ).toBe(403);
    expect((await call('GET', `/api/campaigns/${campaign}/regions/pds-xinhua/gaps`, { as: 'city.lead' })).status).toBe(200);
  });

  it('after the survey phase an upload gets 409 naming the current phase, and nothing is written', async () => {
    const campaign = await buildCampaign('listing');
    const r = await upload(campaign, 'pds-xinhua', { as: 'xinhua.staff', csv: toCsv([buildEnterprise(1)]) });
    expect(r.status).toBe(409);
    expect(r.body.detail).toContain('立项审核');
    expect(r.body.detail).toContain('listing');
    expect(await countRows(campaign)).toBe(0);
    // The gap list is readable in any phase.
    expect((await call('GET', `/api/campaigns/${campaign}/regions/pds-xinhua/gaps`, { as: 'xinhua.staff' })).status).toBe(200);
  });

  it('when every row is bad the answer is 400 listing them, nothing is written, and the fixed file may be sent again with the same key', async () => {
    const campaign = await buildCampaign();
    const key = `k-${crypto.randomUUID()}`;
    const bad = await upload(campaign, 'pds-xinhua', {
      as: 'xinhua.staff',
      headers: { 'idempotency-key': key },
      json: [
        { name: '甲', region: 'pds-xinhua', employees: -1, hasUnion: false },
        { region: 'pds-xinhua', employees: 3, hasUnion: '否' },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(bad.body).toMatchObject({ status: 400, accepted: 0 });
    expect(bad.body.rejected.map((x: { row: number }) => x.row)).toEqual([1, 2]);
    expect(bad.body.errors).toEqual([
      { path: 'rows[1].employees', message: expect.stringContaining('负数') },
      { path: 'rows[2].name', message: '企业名称必填 / name is required' },
    ]);
    expect(await countRows(campaign)).toBe(0);
    expect(await countBatches(campaign)).toBe(0);

    const fixed = await upload(campaign, 'pds-xinhua', {
      as: 'xinhua.staff',
      headers: { 'idempotency-key': key },
      json: [{ name: '甲', region: 'pds-xinhua', employees: 1, hasUnion: false }],
    });
    expect(fixed.status).toBe(200);
    expect(fixed.body.accepted).toBe(1);
  });

  it('an upload replayed with the same Idempotency-Key returns the first result and writes one batch', async () => {
    const campaign = await buildCampaign();
    const key = `k-${crypto.randomUUID()}`;
    const csv = toCsv(Array.from({ length: 50 }, (_, i) => buildEnterprise(i)));
    const first = await upload(campaign, 'pds-xinhua', { as: 'xinhua.staff', csv, headers: { 'idempotency-key': key } });
    const replay = await upload(campaign, 'pds-xinhua', { as: 'xinhua.staff', csv, headers: { 'idempotency-key': key } });
    expect(first.status).toBe(200);
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(await countBatches(campaign)).toBe(1);
    expect(await countRows(campaign)).toBe(50);

    // Two requests racing with one new key: one writes; the other replays it or is told it is in progress.
    const racing = await Promise.all(
      [1, 2].map(() => upload(campaign, 'pds-xinhua', { as: 'xinhua.staff', csv, headers: { 'idempotency-key': `${key}-race` } })),
    );
    expect(racing.map((c) => c.status)).toContain(200);
    expect(racing.every((c) => c.status === 200 || c.status === 409)).toBe(true);
    expect(await countBatches(campaign)).toBe(2);
    expect(await countRows(campaign)).toBe(50);
  });

  it('a JSON upload larger than the global 1 MB limit is read by the route (20 MB); the 20,000-row import is timed', async () => {
    const campaign = await buildCampaign();
    const rows = Array.from({ length: 20_000 }, (_, i) => ({ ...buildEnterprise(i), employees: [8, 24, 25, 60, 99, 100, 350][i % 7]! }));
    const json = rows.map((r) => ({ ...r, groupCounts: { courier: Math.min(r.employees, 5) }, hasUnion: r.hasUnion === '是' }));
    expect(JSON.stringify(json).length).toBeGreaterThan(1_000_000);
    let t0 = performance.now();
    const r = await upload(campaign, 'pds-xinhua', { as: 'xinhua.staff', json });
    let ms = performance.now() - t0;
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(20_000);
    console.log(`survey import (JSON): 20000 rows in ${ms.toFixed(0)} ms = ${Math.round(20_000 / (ms / 1000))} rows/s`);

    const csvCampaign = await buildCampaign();
    const csv = toCsv(rows);
    t0 = performance.now();
    const c = await upload(csvCampaign, 'pds-xinhua', { as: 'xinhua.staff', csv });
    ms = performance.now() - t0;
    expect(c.body.accepted).toBe(20_000);
    console.log(`survey import (CSV): 20000 rows in ${ms.toFixed(0)} ms = ${Math.round(20_000 / (ms / 1000))} rows/s`);
    expect(await countRows(csvCampaign)).toBe(20_000);
  });

  it('a CSV sent as GBK with its charset is read; without the charset the region is told to save it as UTF-8', async () => {
    const campaign = await buildCampaign();
    // "企业甲" and "否" in GBK, as Excel saves CSV on a Chinese Windows.
    const gbk = Buffer.concat([
      Buffer.from('name,region,employees,hasUnion\n'),
      Buffer.from([0xc6, 0xf3, 0xd2, 0xb5, 0xbc, 0xd7]),
      Buffer.from(',pds-xinhua,30,'),
      Buffer.from([0xb7, 0xf1]),
      Buffer.from('\n'),
    ]);
    const withCharset = await upload(campaign, 'pds-xinhua', { as: 'xinhua.staff', raw: gbk, headers: { 'content-type': 'text/csv; charset=gbk' } });
    expect(withCharset.status).toBe(200);
    expect(withCharset.body.items[0]).toMatchObject({ name: '企业甲', classification: 'own_union' });
    const without = await upload(campaign, 'pds-xinhua', { as: 'xinhua.staff', raw: gbk, headers: { 'content-type': 'text/csv' } });
    expect(without.status).toBe(400);
    expect(without.body.detail).toContain('UTF-8');
  });

  it('an unsupported content type is 415 and a CSV missing required columns is 400 naming them', async () => {
    const campaign = await buildCampaign();
    expect((await upload(campaign, 'pds-xinhua', { as: 'xinhua.staff', raw: Buffer.from('x'), headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    const r = await upload(campaign, 'pds-xinhua', { as: 'xinhua.staff', csv: 'name,region\n甲,pds-xinhua\n' });
    expect(r.status).toBe(400);
    expect(r.body.errors.map((e: { path: string }) => e.path)).toEqual(['employees', 'hasUnion']);
  });
});

describe('gap list (建会空白点)', () => {
  it('lists the registered targets not yet crossed off, 单建 first and larger first, with counts and group headcounts', async () => {
    const campaign = await buildCampaign();
    const json = [
      { name: '小吃店', region: 'pds-xinhua', employees: 6, groupCounts: { food_delivery: 4 }, hasUnion: false },
      { name: '大型物流园', region: 'pds-xinhua', employees: 420, groupCounts: { truck_driver: 200, courier: 50 }, hasUnion: false },
      { name: '已建会超市', region: 'pds-xinhua', employees: 300, hasUnion: true },
      { name: '中型快递站', region: 'pds-xinhua', employees: 40, groupCounts: { courier: 35 }, hasUnion: false, operatingSince: '2015-01-01' },
      { name: '新开快递站', region: 'pds-xinhua', employees: 40, groupCounts: { courier: 30 }, hasUnion: false, operatingSince: '2099-01-01' },
      { name: '百人配送公司', region: 'pds-xinhua', employees: 100, groupCounts: { food_delivery: 90 }, hasUnion: false },
      { name: '已销号货运公司', region: 'pds-xinhua', employees: 150, groupCounts: { truck_driver: 100 }, hasUnion: false },
    ];
    const up = await upload(campaign, 'pds-xinhua', { as: 'xinhua.staff', json });
    // The opening date in 2099 is refused as a future date.
    expect(up.body.rejected.map((x: { row: number }) => x.row)).toEqual([5]);
    const crossed = up.body.items.find((x: { name: string }) => x.name === '已销号货运公司');
    await crossOffEnterprise(h.db, campaign, crossed.id, new Date());

    const r = await call('GET', `/api/campaigns/${campaign}/regions/pds-xinhua/gaps`, { as: 'xinhua.staff' });
    expect(r.status).toBe(200);
    expect(r.body.region).toEqual({ org: 'pds-xinhua', name: '新华区总工会' });
    expect(r.body.items.map((e: { name: string; classification: string }) => [e.name, e.classification])).toEqual([
      ['大型物流园', 'own_union_mandatory'],
      ['百人配送公司', 'own_union_mandatory'],
      ['中型快递站', 'own_union'],
      ['小吃店', 'joint_coverage'],
    ]);
    expect(r.body.counts).toEqual({ own_union_mandatory: 2, own_union: 1, joint_coverage: 1, total: 4, crossedOff: 1 });
    expect(r.body.headcount).toEqual({ employees: 566, byGroup: { courier: 85, food_delivery: 94, truck_driver: 200 } });
    expect(r.body.nextCursor).toBeNull();

    // Paged by cursor, the same order.
    const p1 = await call('GET', `/api/campaigns/${campaign}/regions/pds-xinhua/gaps?limit=3`, { as: 'city.admin' });
    const p2 = await call('GET', `/api/campaigns/${campaign}/regions/pds-xinhua/gaps?limit=3&cursor=${p1.body.nextCursor}`, { as: 'city.admin' });
    expect([...p1.body.items, ...p2.body.items].map((e: { name: string }) => e.name)).toEqual(r.body.items.map((e: { name: string }) => e.name));
    expect(p2.body.nextCursor).toBeNull();
    expect((await call('GET', `/api/campaigns/${campaign}/regions/pds-xinhua/gaps?cursor=bogus`, { as: 'city.admin' })).status).toBe(400);

    const counts = await countEnterprisesByRegion(h.db, campaign);
    expect(counts).toEqual({
      'pds-xinhua': { screened: 6, targets: 5, crossedOff: 1, byClassification: { own_union_mandatory: 3, own_union: 1, joint_coverage: 1, has_union: 1 } },
    });
  });

  it('the CSV export of a region larger than one page streams every gap once, in the list order, numbered, with one BOM', async () => {
    const campaign = await buildCampaign();
    const rows = Array.from({ length: 1234 }, (_, i) => ({ name: `流式导出测试企业${i}`, region: 'pds-xinhua', employees: 10 + (i % 200), hasUnion: false }));
    const up = await upload(campaign, 'pds-xinhua', { as: 'xinhua.staff', json: rows });
    expect(up.body.accepted).toBe(1234);
    const r = await call('GET', `/api/campaigns/${campaign}/regions/pds-xinhua/gaps?format=csv`, { as: 'xinhua.staff' });
    expect(r.status).toBe(200);
    expect(r.text.split('\uFEFF')).toHaveLength(2);
    const table = (parse(r.text, { bom: true }) as string[][]).slice(1);
    expect(table).toHaveLength(1234);
    expect(table.map((row) => Number(row[0]))).toEqual(Array.from({ length: 1234 }, (_, i) => i + 1));
    expect(new Set(table.map((row) => row[1])).size).toBe(1234);
    // The order is the list's: 单建 first, larger first (the JSON pages agree).
    const employees = table.map((row) => Number(row[5]));
    const mandatoryEnd = employees.findIndex((n) => n < 25);
    expect(employees.slice(0, mandatoryEnd)).toEqual([...employees.slice(0, mandatoryEnd)].sort((a, b) => b - a));
    const firstPage = await call('GET', `/api/campaigns/${campaign}/regions/pds-xinhua/gaps?limit=50`, { as: 'xinhua.staff' });
    expect(table.slice(0, 50).map((row) => row[1])).toEqual(firstPage.body.items.map((e: { name: string }) => e.name));
  });

  it('the CSV export has Chinese headings, is an attachment, neutralizes a name starting with = and can be uploaded again', async () => {
    const campaign = await buildCampaign();
    const evil = '=HYPERLINK("http://evil.example","点此领取补贴")';
    await upload(campaign, 'pds-xinhua', {
      as: 'xinhua.staff',
      json: [
        { name: evil, region: 'pds-xinhua', employees: 30, hasUnion: false, employerAttitude: 'resistant', groupCounts: { courier: 3, truck_driver: 1 } },
        { name: '+86 热线服务公司', region: 'pds-xinhua', employees: 120, hasUnion: false, address: '建设路,1号' },
      ],
    });
    const r = await call('GET', `/api/campaigns/${campaign}/regions/pds-xinhua/gaps?format=csv`, { as: 'xinhua.staff' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename="gaps-survey-test-[0-9a-f]+-pds-xinhua\.csv"; filename\*=UTF-8''/);
    expect(r.text.charCodeAt(0)).toBe(0xfeff);
    const table = parse(r.text, { bom: true }) as string[][];
    expect(table[0]).toEqual([
      '序号',
      '企业名称',
      '统一社会信用代码',
      '地址',
      '所属地区',
      '职工人数',
      '重点群体人数',
      '是否建会',
      '未建会原因',
      '法人态度',
      '开业日期',
      '分类',
    ]);
    expect(table.slice(1).map((row) => [row[1], row[3], row[9], row[11]])).toEqual([
      ["'+86 热线服务公司", '建设路,1号', '', '百人以上应建（100%单建）'],
      [`'${evil}`, '', '抵触', '25人以上应单建'],
    ]);
    expect(r.text).toContain(`"'=HYPERLINK(""http://evil.example"",""点此领取补贴"")"`);
    expect(table[2]?.[6]).toBe('courier:3;truck_driver:1');

    // The export's layout is the upload's: a corrected file goes straight back.
    const again = await upload(campaign, 'pds-xinhua', { as: 'xinhua.staff', csv: r.text });
    expect(again.status).toBe(200);
    expect(again.body.ignoredColumns).toEqual(['序号', '分类']);
    expect(again.body).toMatchObject({ accepted: 2, inserted: 0, updated: 2 });
    expect(await h.db('enterprises').where({ campaign_id: campaign }).orderBy('employees').pluck('name')).toEqual([evil, '+86 热线服务公司']);
  });
});

describe('enterprise repository', () => {
  it('crossing off (销号) is idempotent and keeps the first date; an enterprise with a union is not a target', async () => {
    const campaign = await buildCampaign();
    const up = await upload(campaign, 'pds-xinhua', {
      as: 'xinhua.staff',
      json: [
        { name: '甲厂', region: 'pds-xinhua', employees: 30, hasUnion: false },
        { name: '乙厂', region: 'pds-xinhua', employees: 30, hasUnion: true },
      ],
    });
    const [a, b] = up.body.items as { id: string }[];
    const first = await crossOffEnterprise(h.db, campaign, a!.id, new Date('2019-08-01T00:00:00Z'));
    const second = await crossOffEnterprise(h.db, campaign, a!.id, new Date('2019-09-01T00:00:00Z'));
    expect(first?.outcome).toBe('crossed_off');
    expect(second?.outcome).toBe('already_crossed_off');
    expect(second?.enterprise.crossedOffAt?.toISOString()).toBe('2019-08-01T00:00:00.000Z');
    expect((await crossOffEnterprise(h.db, campaign, b!.id, new Date()))?.outcome).toBe('not_target');
    expect(await crossOffEnterprise(h.db, 'another-campaign', a!.id, new Date())).toBeUndefined();
    expect(await crossOffEnterprise(h.db, campaign, 'not-a-number', new Date())).toBeUndefined();
    expect(await getEnterprise(h.db, '999999999999')).toBeUndefined();
  });

  it('an import that fails in the database writes nothing: no batch, no rows', async () => {
    const campaign = await buildCampaign();
    const rows: ValidatedRow[] = Array.from({ length: 1_500 }, (_, i) => ({
      row: i + 1,
      name: `企业${i}`,
      creditCode: null,
      address: null,
      region: 'pds-xinhua',
      employees: 30,
      groupCounts: {},
      hasUnion: false,
      reasonNoUnion: null,
      employerAttitude: null,
      operatingSince: null,
    }));
    // Two rows for one enterprise in the last chunk (validation would have refused this).
    rows.push({ ...rows[0]!, row: 1_501, name: '企业999' });
    const batchId = `batch-${crypto.randomUUID()}`;
    await expect(
      importEnterprises(h.db, { campaignId: campaign, regionOrg: 'pds-xinhua', batchId, uploadedBy: 'xinhua.staff', rows, rejectedCount: 0, result: {} }),
    ).rejects.toThrow();
    expect(await countRows(campaign)).toBe(0);
    expect(await countBatches(campaign)).toBe(0);
  });
});
