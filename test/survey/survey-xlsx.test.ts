/**
 * The survey upload as an xlsx workbook, with the Chinese names users know in
 * its cells (快递员, 新华区总工会, 反对), and its template (下载模板), through
 * HTTP on a real Postgres: the survey router behind the real requireAuth.
 */
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness';
import { requireAuth } from '../../api/auth';
import { errorMiddleware } from '../../api/errors';
import { isSurveyUploadRequest, surveyRoutes } from '../../api/survey';
import { FIELD_LABELS, SURVEY_FIELDS } from '../../api/survey-import';
import { XLSX_TYPE } from '../../api/survey-workbook';
import { makeCreditCode } from '../../domain/enterprise';

let h: Harness;
let server: Server;
let base: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  h = await startHarness({ withWorker: false });
  const app = express();
  const globalJson = express.json({ limit: '1mb' });
  app.use('/api', (req, res, next) => (isSurveyUploadRequest(req) ? next() : globalJson(req, res, next)));
  app.use('/api', requireAuth({ db: h.db, secret: inject('jwtSecret') }));
  app.use(surveyRoutes({ db: h.db }));
  app.use(errorMiddleware);
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const u of ['xinhua.staff', 'weidong.staff', 'city.lead']) tokens[u] = await h.login(u);
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await h?.close();
});

async function buildCampaign(): Promise<string> {
  const id = `survey-xlsx-${crypto.randomBytes(5).toString('hex')}`;
  const window = { start: '2019-04-01T00:00:00+08:00', end: '2019-05-31T23:59:59+08:00' };
  const config = {
    name: '2019年八大群体入会集中行动',
    year: 2019,
    cityOrg: 'pds',
    regions: ['pds-xinhua', 'pds-weidong'],
    groups: ['courier', 'food_delivery', 'truck_driver'],
    phases: { survey: window, listing: window, implementation: window, assessment: window },
  };
  await h.db('campaigns').insert({
    id,
    name: config.name,
    year: 2019,
    city_org: 'pds',
    config: JSON.stringify(config),
    phase: 'survey',
    workflow_id: `campaign-${id}`,
    created_by: 'city.admin',
  });
  await h.db('campaign_regions').insert(config.regions.map((org) => ({ campaign_id: id, org_id: org })));
  return id;
}

let codeSeq = crypto.randomInt(0, 5_000_000);
const newCode = () => makeCreditCode(`91410402MB${String(codeSeq++ % 10_000_000).padStart(7, '0')}`);

const HEADERS = SURVEY_FIELDS.map((f) => FIELD_LABELS[f]);

async function workbook(rows: (string | number)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('摸底企业');
  sheet.addRow(HEADERS);
  for (const r of rows) sheet.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
const csvOf = (rows: (string | number)[][]) => [HEADERS, ...rows].map((r) => r.join(',')).join('\n') + '\n';

async function call(method: string, path: string, as: string, body?: { type: string; data: string | Buffer }) {
  const headers: Record<string, string> = { authorization: `Bearer ${tokens[as]}` };
  if (body) headers['content-type'] = body.type;
  const res = await fetch(base + path, { method, headers, body: body?.data });
  const buf = Buffer.from(await res.arrayBuffer());
  let json: any;
  try {
    json = JSON.parse(buf.toString('utf8'));
  } catch {
    /* a file */
  }
  return { status: res.status, body: json, buf, headers: res.headers };
}
const upload = (campaign: string, org: string, as: string, type: string, data: string | Buffer) =>
  call('POST', `/api/campaigns/${campaign}/regions/${org}/enterprises`, as, { type, data });
const count = async (campaign: string) => Number((await h.db('enterprises').where({ campaign_id: campaign }).count({ n: '*' }).first())!.n);

describe('survey upload in xlsx with Chinese names', () => {
  it('files and classifies an xlsx with Chinese names exactly as the CSV with codes', async () => {
    const [a, b, c] = [newCode(), newCode(), newCode()];
    const named = [
      ['甲快递有限公司', a, '建设路1号', '新华区总工会', 150, '快递员:30;货车司机:5', '否', '成本顾虑', '反对', '2016-03-01'],
      ['乙物流有限公司', b, '建设路2号', '新华区总工会', 40, '快递员:10', '否', '', '支持', '2018-07-15'],
      ['丙餐饮有限公司', c, '建设路3号', 'pds-xinhua', 12, '网约送餐员:3', '是', '', '抵触', '2020-01-02'],
    ];
    const coded = [
      ['甲快递有限公司', a, '建设路1号', 'pds-xinhua', 150, 'courier:30;truck_driver:5', '否', '成本顾虑', 'resistant', '2016-03-01'],
      ['乙物流有限公司', b, '建设路2号', 'pds-xinhua', 40, 'courier:10', '否', '', 'supportive', '2018-07-15'],
      ['丙餐饮有限公司', c, '建设路3号', 'pds-xinhua', 12, 'food_delivery:3', '是', '', 'resistant', '2020-01-02'],
    ];
    const x = await buildCampaign();
    const y = await buildCampaign();
    const fromXlsx = await upload(x, 'pds-xinhua', 'xinhua.staff', XLSX_TYPE, await workbook(named));
    const fromCsv = await upload(y, 'pds-xinhua', 'xinhua.staff', 'text/csv', csvOf(coded));
    expect(fromXlsx.status).toBe(200);
    expect(fromCsv.status).toBe(200);
    expect(fromXlsx.body.accepted).toBe(3);
    expect(fromXlsx.body.rejected).toEqual([]);
    expect(fromXlsx.body.classified).toEqual(fromCsv.body.classified);
    expect(fromXlsx.body.classified).toEqual({ own_union_mandatory: 1, own_union: 1, joint_coverage: 0, has_union: 1 });

    const stored = (campaign: string) =>
      h
        .db('enterprises')
        .where({ campaign_id: campaign })
        .orderBy('name')
        .select('name', 'region_org', 'group_counts', 'employer_attitude', 'classification', 'employees');
    expect(await stored(x)).toEqual(await stored(y));
    const first = (await stored(x)).find((e: { name: string }) => e.name === '甲快递有限公司');
    expect(first).toMatchObject({ region_org: 'pds-xinhua', employer_attitude: 'resistant', group_counts: { courier: 30, truck_driver: 5 } });
  });

  it('returns a row with an unknown name with reasons naming the column and the value, and files the good rows', async () => {
    const campaign = await buildCampaign();
    const rows = [
      ['丁快递有限公司', newCode(), '', '新华区总工会', 30, '快递员:3', '否', '', '中立', ''],
      ['戊物流有限公司', newCode(), '', '卫东区总工会', 30, '外卖小哥:3', '否', '', '很好', ''],
    ];
    const r = await upload(campaign, 'pds-xinhua', 'xinhua.staff', XLSX_TYPE, await workbook(rows));
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(1);
    expect(r.body.rejected).toHaveLength(1);
    const bad = r.body.rejected[0];
    expect(bad.row).toBe(2);
    const byField = Object.fromEntries(bad.errors.map((e: { field: string; message: string }) => [e.field, e.message]));
    expect(byField.region).toContain('所属地区“卫东区总工会”');
    expect(byField['groupCounts.外卖小哥']).toContain('重点群体“外卖小哥”');
    expect(byField.employerAttitude).toContain('法人态度“很好”');
    expect(await count(campaign)).toBe(1);
  });

  it('reads a large workbook in the parse worker, with the same names', async () => {
    const campaign = await buildCampaign();
    const rows = Array.from({ length: 3_000 }, (_, i) => [`大表企业${i}`, newCode(), `建设路${i}号`, '新华区总工会', 30, '快递员:3', '否', '', '反对', '']);
    const data = await workbook(rows);
    expect(data.length).toBeGreaterThan(64 * 1024);
    const r = await upload(campaign, 'pds-xinhua', 'xinhua.staff', XLSX_TYPE, data);
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(3_000);
    expect(await h.db('enterprises').where({ campaign_id: campaign, employer_attitude: 'resistant' }).count({ n: '*' }).first()).toEqual({ n: '3000' });
  });

  it('refuses a file that is not a workbook (400) and writes nothing', async () => {
    const campaign = await buildCampaign();
    const r = await upload(campaign, 'pds-xinhua', 'xinhua.staff', XLSX_TYPE, Buffer.from('not a zip'));
    expect(r.status).toBe(400);
    expect(await count(campaign)).toBe(0);
  });
});

describe('survey template (下载模板)', () => {
  const template = (campaign: string, org: string, as: string, format: string) =>
    call('GET', `/api/campaigns/${campaign}/regions/${org}/survey-template?format=${format}`, as);

  it('downloads an xlsx with the Chinese headers, two examples and the allowed values, which uploads as it is', async () => {
    const campaign = await buildCampaign();
    const r = await template(campaign, 'pds-xinhua', 'xinhua.staff', 'xlsx');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain(XLSX_TYPE);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.buf as unknown as ExcelJS.Buffer);
    const [sheet, values] = wb.worksheets;
    expect((sheet!.getRow(1).values as unknown[]).slice(1)).toEqual(HEADERS);
    expect(sheet!.actualRowCount).toBe(3);
    expect(sheet!.getRow(2).getCell(4).value).toBe('新华区总工会');
    const listed = (values!.getColumn(2).values as unknown[]).filter(Boolean);
    expect(listed).toEqual(expect.arrayContaining(['快递员', '网约送餐员', '货车司机', '支持', '抵触', '新华区总工会']));
    expect(JSON.stringify(listed)).not.toMatch(/courier|pds-xinhua/);

    const up = await upload(campaign, 'pds-xinhua', 'xinhua.staff', XLSX_TYPE, r.buf);
    expect(up.status).toBe(200);
    expect(up.body.accepted).toBe(2);
  });

  it('downloads a CSV with a BOM, the Chinese headers and two examples', async () => {
    const campaign = await buildCampaign();
    const r = await template(campaign, 'pds-xinhua', 'xinhua.staff', 'csv');
    expect(r.status).toBe(200);
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(r.buf);
    expect(text.startsWith('\uFEFF' + HEADERS.join(','))).toBe(true);
    expect(text.trim().split('\r\n')).toHaveLength(3);
  });

  it('is refused to another region’s staff (404), a role that may not upload (403), a bad format (400)', async () => {
    const campaign = await buildCampaign();
    expect((await template(campaign, 'pds-xinhua', 'weidong.staff', 'xlsx')).status).toBe(404);
    expect((await template(campaign, 'pds-xinhua', 'city.lead', 'xlsx')).status).toBe(403);
    expect((await template(campaign, 'pds-xinhua', 'xinhua.staff', 'pdf')).status).toBe(400);
    expect((await template('no-such-campaign', 'pds-xinhua', 'xinhua.staff', 'xlsx')).status).toBe(404);
  });
});
