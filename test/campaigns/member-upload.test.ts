/**
 * 批量导入会员 and 省级会员库导出, through the whole app on real Temporal and
 * Postgres: the template read back with exceljs; an xlsx and a CSV upload with
 * Chinese names counted like a progress report (the project's figures, the
 * members table, the ID look-ups); bad rows named row by row and column by
 * column with nothing written; the same file twice counted once; who may
 * upload (exact 403/404, nothing written); the provincial export's columns and
 * values (decrypted ID, sex and birth date from it, the union by name, the
 * Beijing join date), its audit row, and its refusals (exact status, no audit
 * row, no file).
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beijingDate } from '../../domain/beijing-time';
import { validateIdNumber } from '../../domain/id-number';
import { MEMBER_COLUMNS, PROVINCIAL_COLUMNS } from '../../domain/member-upload';
import { buildLaunch, CampaignDriver, organizingProject, verifyReported } from '../support/campaigns';
import { uniqueIdNumber, uniquePhone } from '../support/factories';
import { eventually, startHarness, type Harness } from '../support/harness';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const REGION = 'pds-xinhua';
let h: Harness;
let d: CampaignDriver;
let campaignId = '';
let campaignName = '';
let projects: string[] = [];

beforeAll(async () => {
  h = await startHarness();
  d = new CampaignDriver(h);
  const body = buildLaunch({ regions: [REGION], targets: { newMembers: 20 } });
  campaignName = body.name;
  campaignId = (await d.launch(body)).id;
  await d.waitForPhase(campaignId, 'survey');
  await d.advance(campaignId);
  await d.waitForPhase(campaignId, 'listing');
  const list = await d.projects(campaignId, REGION, [organizingProject(), organizingProject(), organizingProject()]);
  expect(list.status, JSON.stringify(list.body)).toBe(201);
  await d.act('city.reviewer', list.body.applicationId, { action: 'approve' });
  await d.act('prov.reviewer', list.body.applicationId, { action: 'approve' });
  projects = list.body.projectIds;
  await eventually(async () => (await d.projectsOf(campaignId, REGION)).filter((p) => p.status === 'approved').length === 3);
  await d.advance(campaignId);
  await d.waitForPhase(campaignId, 'implementation');
  for (const p of projects) await eventually(async () => (await d.project(p)).status === 'in_progress');
}, 180_000);

afterAll(async () => {
  await h?.close();
});

async function fetchFile(path: string, user: string): Promise<{ status: number; type: string; bytes: Buffer; text: string }> {
  const res = await fetch(h.url + path, { headers: { authorization: `Bearer ${await h.login(user)}` } });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, type: res.headers.get('content-type') ?? '', bytes, text: bytes.toString('utf8') };
}

async function workbook(rows: (string | number)[][], headers: string[] = MEMBER_COLUMNS.map((c) => c.header)): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('会员名单');
  sheet.addRow(headers);
  for (const r of rows) sheet.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Every cell's text of a sheet, joined (for looking words up). */
function sheetText(sheet: ExcelJS.Worksheet): string {
  const out: string[] = [];
  sheet.eachRow((r) => r.eachCell((c) => void out.push(c.text)));
  return out.join(' ');
}

const csvOf = (rows: string[][]) => ['姓名,身份证号,手机号,重点群体,工作单位,是否劳务派遣,派遣单位', ...rows.map((r) => r.join(','))].join('\r\n');

async function upload(project: string, raw: string | Uint8Array, contentType: string, user = 'xinhua.staff') {
  return h.call('POST', `/api/projects/${project}/member-uploads`, { token: await h.login(user), raw, headers: { 'content-type': contentType } });
}

async function footprint(project: string) {
  const [members] = await h.db('members').where({ project_id: project }).count({ n: '*' });
  const [events] = await h.db('project_events').where({ project_id: project }).count({ n: '*' });
  const row = await h.db('projects').where({ id: project }).first('members_recruited', 'members_pending');
  return { members: Number(members!.n), events: Number(events!.n), recruited: row.members_recruited as number, pending: row.members_pending as number };
}

describe('批量导入会员 / members uploaded in bulk', () => {
  it('the template: Chinese headers, two example rows with the group by name, a 说明 sheet; CSV with a BOM', async () => {
    const x = await fetchFile(`/api/projects/${projects[0]}/member-template?format=xlsx`, 'xinhua.staff');
    expect(x.status).toBe(200);
    expect(x.type).toContain(XLSX);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.bytes as unknown as ExcelJS.Buffer);
    const sheet = wb.getWorksheet('会员名单')!;
    const row = (n: number) => Array.from({ length: 7 }, (_, i) => sheet.getRow(n).getCell(i + 1).text);
    expect(row(1)).toEqual(['姓名', '身份证号', '手机号', '重点群体', '工作单位', '是否劳务派遣', '派遣单位']);
    expect(row(2)).toEqual(['张三', '410402199001011230', '13800000000', '快递员', '示例快递有限公司', '否', '']);
    expect(row(3)).toEqual(['李四', '41040219920315001X', '', '快递员', '示例物流有限公司', '是', '示例人力资源有限公司']);
    // The ID column is text: Excel keeps all 18 digits.
    expect(sheet.getColumn(2).numFmt).toBe('@');
    const notes = wb.getWorksheet('说明')!;
    const noteText = sheetText(notes);
    for (const c of MEMBER_COLUMNS) expect(noteText).toContain(c.header);
    expect(noteText).toContain('快递员、网约送餐员、货车司机、商场信息员');
    expect(noteText).toContain('任何一行有误则整份不导入');
    // The examples are valid rows: the template, uploaded as it is, is accepted (then counted like any file).
    for (const id of ['410402199001011230', '41040219920315001X']) expect(validateIdNumber(id).ok).toBe(true);

    const c = await fetchFile(`/api/projects/${projects[0]}/member-template?format=csv`, 'xinhua.staff');
    expect(c.status).toBe(200);
    expect(c.type).toContain('text/csv');
    expect(c.text.startsWith('\uFEFF姓名,身份证号,手机号,重点群体,工作单位,是否劳务派遣,派遣单位\r\n')).toBe(true);
    expect(c.text).toContain('李四,41040219920315001X,,快递员,示例物流有限公司,是,示例人力资源有限公司');

    const bad = await h.call('GET', `/api/projects/${projects[0]}/member-template?format=pdf`, { token: await h.login('xinhua.staff') });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['format']);
  });

  it('an xlsx and a CSV with Chinese names are counted like a progress report; the same file twice counts nobody twice', async () => {
    const [p1, p2] = projects as [string, string];
    const ids = [uniqueIdNumber(), uniqueIdNumber(), uniqueIdNumber()];
    const phone = uniquePhone();
    const file = await workbook([
      ['王五', ids[0]!, phone, '快递员', '平顶山顺达快递网点', '否', ''],
      ['赵六', ids[1]!, '', '网约送餐员', '新华区美团站点', '', ''],
      ['钱七', ids[2]!.toLowerCase(), '', 'courier', '平顶山顺达快递网点', '是', '河南众力人力资源有限公司'],
    ]);
    const lookupsBefore = Number((await h.db('id_lookups').where({ subject: p1 }).count({ n: '*' }))[0]!.n);
    const r = await upload(p1, new Uint8Array(file), XLSX);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({
      projectId: p1,
      format: 'xlsx',
      rows: 3,
      dispatched: 1,
      batches: 1,
      repeated: false,
      membersAccepted: 0,
      membersReported: 3,
      alreadyCounted: 0,
    });
    // Reported, not counted: the three wait for real-name verification (待核验) until a reviewer verifies them.
    expect(await footprint(p1)).toMatchObject({ members: 0, recruited: 0, pending: 3 });
    expect((await d.view(campaignId)).regions[0].counts.membersRecruited).toBe(0);
    const v1 = await verifyReported(h, p1);
    expect(v1.results.map((x: { status: string; outcome: string }) => [x.status, x.outcome])).toEqual([
      ['verified', 'new'],
      ['verified', 'new'],
      ['verified', 'new'],
    ]);
    expect(await footprint(p1)).toMatchObject({ members: 3, recruited: 3, pending: 0 });
    // Counted like a progress report: the members by group code, the region's union, the campaign and project; the look-ups audited.
    const rows = await h
      .db('members')
      .where({ project_id: p1 })
      .orderBy('id')
      .select('name', 'group_id', 'union_id', 'campaign_id', 'employer', 'id_number_masked');
    // (In the order the reviewer verified them, so compared by name.)
    const order = ['王五', '赵六', '钱七'];
    rows.sort((x, y) => order.indexOf(x.name) - order.indexOf(y.name));
    expect(rows.map((m) => [m.name, m.group_id, m.union_id, m.campaign_id])).toEqual([
      ['王五', 'courier', REGION, campaignId],
      ['赵六', 'food_delivery', REGION, campaignId],
      ['钱七', 'courier', REGION, campaignId],
    ]);
    expect(rows[2]!.id_number_masked.endsWith(ids[2]!.slice(-4).toUpperCase())).toBe(true);
    expect(Number((await h.db('id_lookups').where({ subject: p1, reason: 'progress' }).count({ n: '*' }))[0]!.n)).toBe(lookupsBefore + 3);
    const event = await h.db('project_events').where({ project_id: p1, kind: 'progress' }).orderBy('id', 'desc').first('data', 'actor');
    expect(event.actor).toBe('xinhua.staff');
    expect(event.data.note).toContain('批量导入会员');
    const view = await d.view(campaignId);
    expect(view.regions[0].counts.membersRecruited).toBe(3);

    // The same file again (another Idempotency-Key, even another uploader): answered from the first time, nobody counted twice.
    const before = await footprint(p1);
    const again = await upload(p1, new Uint8Array(file), XLSX, 'xinhua.admin');
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toMatchObject({ repeated: true, rows: 3 });
    expect(await footprint(p1)).toEqual(before);
    expect((await d.view(campaignId)).regions[0].counts.membersRecruited).toBe(3);

    // A CSV for another project: one new member, one counted already (the xlsx's 王五), said only as a count.
    const csv = csvOf([
      ['孙八', uniqueIdNumber(), '', '快递员', '卫东快递驿站', '否', ''],
      ['王五', ids[0]!, phone, '快递员', '平顶山顺达快递网点', '否', ''],
    ]);
    const c = await upload(p2, csv, 'text/csv; charset=utf-8');
    expect(c.status, JSON.stringify(c.body)).toBe(200);
    // Both wait for verification (the upload says nothing of membership elsewhere); verified, 王五 is
    // found a member of the same union already and is not counted again.
    expect(c.body).toMatchObject({ format: 'csv', rows: 2, repeated: false, membersAccepted: 0, membersReported: 2, alreadyCounted: 0 });
    expect(JSON.stringify(c.body)).not.toContain(ids[0]!);
    expect(await footprint(p2)).toMatchObject({ members: 0, recruited: 0, pending: 2 });
    const v2 = await verifyReported(h, p2);
    expect(v2.results.map((x: { status: string }) => x.status).sort()).toEqual(['rejected', 'verified']);
    expect(await footprint(p2)).toMatchObject({ members: 1, recruited: 1, pending: 0 });
    expect(await footprint(p1)).toMatchObject({ members: 3, recruited: 3, pending: 0 });
    expect((await d.view(campaignId)).regions[0].counts.membersRecruited).toBe(4);
  }, 60_000);

  it('bad rows are named row by row and column by column, and nothing is written', async () => {
    const p = projects[2]!;
    const dup = uniqueIdNumber();
    const csv = csvOf([
      ['周九', dup, '', '快递员', '某网点', '否', ''],
      ['吴十', '410402199001011235', '', '快递员', '某网点', '否', ''],
      ['郑十一', uniqueIdNumber(), '12345', '厨师', '', '否', ''],
      ['冯十二', uniqueIdNumber(), '', '快递员', '某网点', '是', ''],
      ['陈十三', dup, '', '快递员', '某网点', '否', ''],
      ['', uniqueIdNumber(), '', '快递员', '某网点', '也许', '某公司'],
      ['张\u0000三', uniqueIdNumber(), '', '快递员', '某网点', '否', ''],
    ]);
    const before = await footprint(p);
    const r = await upload(p, csv, 'text/csv');
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect([...new Set(r.body.errors.map((e: { path: string }) => e.path))]).toEqual([
      'rows[2].idNumber',
      'rows[3].phone',
      'rows[3].group',
      'rows[3].employer',
      'rows[4].agency',
      'rows[5].idNumber',
      'rows[6].name',
      'rows[6].dispatched',
      'rows[7].name',
    ]);
    expect(r.body.rejected.map((x: { row: number }) => x.row)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(r.body.errors.find((e: { path: string }) => e.path === 'rows[3].group').message).toContain('厨师');
    expect(r.body.errors.find((e: { path: string }) => e.path === 'rows[5].idNumber').message).toContain('第 1 行');
    expect(await footprint(p)).toEqual(before);

    // An ID number typed into a number cell (its last digits lost) is named, not guessed.
    const wb = await workbook([['褚十四', 410402199001011200, '', '快递员', '某网点', '否', '']]);
    const x = await upload(p, new Uint8Array(wb), XLSX);
    expect(x.status).toBe(400);
    expect(x.body.errors.map((e: { path: string }) => e.path)).toEqual(['rows[1].idNumber']);
    // A header without the required columns names them; a file of another type is 415.
    const noCols = await upload(p, '姓名,电话\r\n张三,13800000000', 'text/csv');
    expect(noCols.status).toBe(400);
    expect(noCols.body.errors.map((e: { path: string }) => e.path)).toEqual(['idNumber', 'group', 'employer']);
    expect((await upload(p, 'hello', 'text/plain')).status).toBe(415);
    expect(await footprint(p)).toEqual(before);
  }, 30_000);

  it('a large file is read in a worker thread and sent in batches of 500; over 5,000 rows is 413 and writes nothing', async () => {
    const p = projects[1]!;
    const before = await footprint(p);
    const rows = Array.from({ length: 1_200 }, (_, i) => [`批量会员${i + 1}`, uniqueIdNumber(), uniquePhone(), '快递员', '新华区某快递网点', '否', '']);
    const csv = csvOf(rows);
    expect(Buffer.byteLength(csv)).toBeGreaterThan(64 * 1024);
    const r = await upload(p, csv, 'text/csv');
    expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(200);
    expect(r.body).toMatchObject({ rows: 1_200, batches: 3, repeated: false, membersAccepted: 0, membersReported: 1_200, alreadyCounted: 0 });
    expect(await footprint(p)).toMatchObject({ members: before.members, recruited: before.recruited, pending: before.pending + 1_200 });
    // Verified (500 at a time, as the reviewer's list pages them): all 1,200 count.
    for (let i = 0; i < 3; i++) await verifyReported(h, p);
    expect(await footprint(p)).toMatchObject({ members: before.members + 1_200, recruited: before.recruited + 1_200, pending: before.pending });
    // Three progress reports, one per batch, each saying which members it carried.
    const notes = (await h.db('project_events').where({ project_id: p, kind: 'progress' }).orderBy('id').select('data')).map((e) => e.data.note as string);
    expect(notes.slice(-3)).toEqual([
      '批量导入会员（csv，第 1–500 名）/ bulk member upload',
      '批量导入会员（csv，第 501–1000 名）/ bulk member upload',
      '批量导入会员（csv，第 1001–1200 名）/ bulk member upload',
    ]);
    const tooMany = csvOf(Array.from({ length: 5_001 }, (_, i) => [`会员${i}`, '410402199001011230', '', '快递员', '某网点', '否', '']));
    const mid = await footprint(p);
    const big = await upload(p, tooMany, 'text/csv');
    expect(big.status).toBe(413);
    expect(big.body.detail).toContain('5000');
    expect(await footprint(p)).toEqual(mid);
  }, 120_000);

  it('only the region’s staff and admins (or the city’s) upload: exact 403/404, nothing written', async () => {
    const p = projects[2]!;
    const csv = csvOf([['卫十五', uniqueIdNumber(), '', '快递员', '某网点', '否', '']]);
    const before = await footprint(p);
    for (const [user, status] of [
      ['xinhua.reviewer', 403],
      ['city.lead', 403],
      ['prov.reviewer', 403],
      ['weidong.staff', 404],
      ['xc.staff', 404],
    ] as const) {
      const r = await upload(p, csv, 'text/csv', user);
      expect(r.status, `${user}: ${JSON.stringify(r.body)}`).toBe(status);
      const t = await h.call('GET', `/api/projects/${p}/member-template`, { token: await h.login(user) });
      expect(t.status, `${user} template`).toBe(status);
    }
    expect(await footprint(p)).toEqual(before);
    const ok = await upload(p, csv, 'text/csv', 'city.staff');
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({ membersReported: 1, membersAccepted: 0 });
    expect(await footprint(p)).toMatchObject({ members: before.members, pending: before.pending + 1 });
    await verifyReported(h, p);
    expect(await footprint(p)).toMatchObject({ members: before.members + 1, recruited: before.recruited + 1, pending: before.pending });
  }, 30_000);
});

describe('省级会员库导出 / the provincial real-name export', () => {
  const audits = () => h.db('audit_log').where({ application_id: campaignId, action: 'personalDataExported' }).orderBy('id');

  it('xlsx: the documented columns, decrypted ID, sex and birth date from it, union by name, Beijing join date; 说明 sheet; one audit row', async () => {
    const before = (await audits()).length;
    const x = await fetchFile(`/api/campaigns/${campaignId}/provincial-members?format=xlsx`, 'city.admin');
    expect(x.status).toBe(200);
    expect(x.type).toContain(XLSX);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.bytes as unknown as ExcelJS.Buffer);
    const sheet = wb.getWorksheet('会员名单')!;
    const values = (n: number) => (sheet.getRow(n).values as unknown[]).slice(1).map((v) => (v === undefined || v === null ? '' : v));
    expect(values(1)).toEqual(PROVINCIAL_COLUMNS.map((c) => c.header));
    expect(values(1).slice(0, 12)).toEqual([
      '序号',
      '姓名',
      '公民身份号码',
      '性别',
      '出生日期',
      '民族',
      '手机号码',
      '工作单位',
      '所在工会',
      '入会日期',
      '会员类别',
      '是否劳务派遣',
    ]);
    const members = await h
      .db('members')
      .where({ campaign_id: campaignId })
      .orderBy('id')
      .select('name', 'id_number_enc', 'phone_enc', 'joined_at', 'employer');
    expect(sheet.actualRowCount).toBe(members.length + 1);
    members.forEach((m, i) => {
      const id = h.pii.decrypt(m.id_number_enc);
      const row = values(i + 2);
      expect(row[0]).toBe(i + 1);
      expect(row[1]).toBe(m.name);
      expect(row[2]).toBe(id);
      expect(row[2]).toMatch(/^\d{17}[\dX]$/);
      expect(row[3]).toBe(Number(id[16]) % 2 === 1 ? '男' : '女');
      expect(row[4]).toBe(`${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`);
      expect(row[5]).toBe('');
      expect(row[6]).toBe(m.phone_enc ? h.pii.decrypt(m.phone_enc) : '');
      expect(row[7]).toBe(m.employer);
      expect(row[8]).toBe('新华区总工会');
      expect(row[9]).toBe(beijingDate(m.joined_at));
      expect(row[15]).toBe(campaignName);
    });
    const byName = new Map(members.map((m, i) => [m.name, values(i + 2)]));
    expect(byName.get('赵六')![10]).toBe('网约送餐员');
    expect(byName.get('王五')![10]).toBe('快递员');
    expect(byName.get('王五')![11]).toBe('否');
    expect(byName.get('王五')![13]).toBe('新华区总工会');
    const notes = sheetText(wb.getWorksheet('说明')!);
    for (const c of PROVINCIAL_COLUMNS) expect(notes).toContain(c.header);
    expect(notes).toContain('18 位居民身份证号');
    expect(notes).toContain('北京时间');

    const after = await audits();
    expect(after.length).toBe(before + 1);
    expect(after[after.length - 1]).toMatchObject({
      actor: 'city.admin',
      action: 'personalDataExported',
      data: { kind: 'provincialMembers', campaignId, format: 'xlsx', members: members.length, fields: PROVINCIAL_COLUMNS.map((c) => c.header) },
    });
  }, 30_000);

  it('csv for the province’s admin: the same columns, UTF-8 with a BOM, audited', async () => {
    const before = (await audits()).length;
    const c = await fetchFile(`/api/campaigns/${campaignId}/provincial-members?format=csv`, 'prov.admin');
    expect(c.status).toBe(200);
    expect(c.type).toContain('text/csv');
    const lines = c.text.slice(1).trim().split('\r\n');
    expect(c.text.charCodeAt(0)).toBe(0xfeff);
    expect(lines[0]).toBe(PROVINCIAL_COLUMNS.map((x) => x.header).join(','));
    const count = await h.db('members').where({ campaign_id: campaignId }).count({ n: '*' });
    expect(lines.length - 1).toBe(Number(count[0]!.n));
    const after = await audits();
    expect(after.length).toBe(before + 1);
    expect(after[after.length - 1]).toMatchObject({ actor: 'prov.admin', data: { format: 'csv' } });
  });

  it('anyone else: exact 403 (404 out of scope), no file and no audit row', async () => {
    const before = (await audits()).length;
    for (const [user, status] of [
      ['city.lead', 403],
      ['city.reviewer', 403],
      ['city.staff', 403],
      ['xinhua.admin', 403],
      ['xinhua.staff', 403],
      ['prov.reviewer', 403],
      ['prov.lead', 403],
      ['xc.admin', 404],
      ['weidong.staff', 404],
    ] as const) {
      const r = await h.call('GET', `/api/campaigns/${campaignId}/provincial-members?format=xlsx`, { token: await h.login(user) });
      expect(r.status, user).toBe(status);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await h.call('GET', `/api/campaigns/${campaignId}/provincial-members`)).status).toBe(401);
    expect((await audits()).length).toBe(before);
  });
});
