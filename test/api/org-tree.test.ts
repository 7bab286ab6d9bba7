/**
 * 组织机构管理 on the two-city demo data: browsing (lazy children, search),
 * creating, renaming, moving (with the subtree) and deactivating orgs, each
 * refusal with its exact status and nothing written, the xlsx template,
 * export and import (bad rows reported, nothing imported; a few thousand rows
 * with progress), and a move in the middle of a running application: the
 * pending step keeps its approvers, the next step resolves against the new tree.
 *
 * Every org a test changes is one it created (ids from `unique`), so the
 * shared demo tree other files read stays as it is.
 */
import crypto from 'node:crypto';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../api/passwords';
import { DEMO_PASSWORD } from '../../db/demo-seed';
import { Approvals, runBulkJob } from '../support/approvals';
import { buildSubsidy, unique } from '../support/factories';
import { eventually, startHarness, type Harness } from '../support/harness';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const HEADERS = ['机构编码', '机构名称', '类型', '上级机构编码', '基层工会类型', '重点群体', '覆盖区域'];

let h: Harness;
let api: Approvals;
beforeAll(async () => {
  h = await startHarness();
  api = new Approvals(h);
});
afterAll(async () => {
  await h?.close();
});

const as = async (username: string) => h.login(username);
const post = async (username: string, body: unknown) => h.call('POST', '/api/orgs', { token: await as(username), body });
const patch = async (username: string, id: string, body: unknown) => h.call('PATCH', `/api/orgs/${id}`, { token: await as(username), body });
const org = (id: string) => h.db('orgs').where({ id }).first();
const auditRows = (id: string) => h.db('admin_audit').where({ subject_kind: 'org', subject_id: id }).orderBy('id');

/** Creates an org as `username`, expecting 201. */
async function create(username: string, body: Record<string, unknown>): Promise<any> {
  const r = await post(username, body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

async function workbook(rows: (string | undefined)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('组织机构');
  sheet.addRow(HEADERS);
  for (const r of rows) sheet.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function upload(username: string, file: Buffer, headers: Record<string, string> = {}) {
  const res = await fetch(`${h.url}/api/orgs/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await as(username)}`, 'content-type': XLSX, ...headers },
    body: new Uint8Array(file),
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe('browsing the tree (GET /api/orgs)', () => {
  it('without paging parameters answers the whole visible tree as before', async () => {
    const r = await h.call('GET', '/api/orgs', { token: await as('xinhua.admin') });
    expect(r.status).toBe(200);
    const ids = r.body.items.map((o: any) => o.id);
    expect(ids).toEqual(expect.arrayContaining(['henan', 'pds', 'pds-xinhua', 'pds-xinhua-express']));
    expect(ids).not.toContain('pds-weidong');
  });

  it('lists the children of an org with their child counts, the caller’s own org as the root, and searches within the subtree', async () => {
    const token = await as('city.admin');
    const root = await h.call('GET', '/api/orgs?parent=', { token });
    expect(root.status).toBe(200);
    expect(root.body.items.map((o: any) => o.id)).toEqual(['pds']);
    expect(root.body.items[0].childCount).toBeGreaterThanOrEqual(15);

    const children = await h.call('GET', '/api/orgs?parent=pds&pageSize=5&page=1', { token });
    expect(children.status).toBe(200);
    expect(children.body.items).toHaveLength(5);
    expect(children.body.total).toBe(root.body.items[0].childCount);
    const xinhua = (await h.call('GET', '/api/orgs?parent=pds&pageSize=500', { token })).body.items.find((o: any) => o.id === 'pds-xinhua');
    expect(xinhua).toMatchObject({ kind: 'county', parent: 'pds', active: true });
    expect(xinhua.childCount).toBeGreaterThanOrEqual(1);

    const found = await h.call('GET', `/api/orgs?q=${encodeURIComponent('新华区快递')}`, { token });
    expect(found.body.items.map((o: any) => o.id)).toContain('pds-xinhua-express');
    // 许昌's orgs are not in 平顶山's search.
    const other = await h.call('GET', `/api/orgs?q=${encodeURIComponent('许昌')}`, { token });
    expect(other.body.items).toEqual([]);
  });

  it('pages as the contract does: limit and cursor, nextCursor until the last page', async () => {
    const town = unique('pg-');
    await create('city.admin', { id: town, name: `分页街道工会 ${town}`, kind: 'township', parent: 'pds-xinhua' });
    for (let i = 0; i < 7; i++) await create('city.admin', { id: `${town}-${i}`, name: `分页工会 ${i}`, kind: 'grassroots', parent: town });
    const token = await as('city.admin');
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const r: { status: number; body: any } = await h.call('GET', `/api/orgs?parent=${town}&limit=3${cursor ? `&cursor=${cursor}` : ''}`, { token });
      expect(r.status).toBe(200);
      expect(r.body.total).toBe(7);
      seen.push(...r.body.items.map((o: any) => o.id));
      sizes.push(r.body.items.length);
      cursor = r.body.nextCursor;
    }
    expect(sizes).toEqual([3, 3, 1]);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `${town}-${i}`));
    expect((await h.call('GET', `/api/orgs?parent=${town}&cursor=x`, { token })).status).toBe(400);
    // Without parameters: the caller's visible tree, in one answer.
    expect((await h.call('GET', '/api/orgs', { token })).body.nextCursor).toBeNull();
  });

  it('refuses the children of an org outside the caller’s subtree (404), even of an org above them', async () => {
    const token = await as('xinhua.admin');
    expect((await h.call('GET', '/api/orgs?parent=pds', { token })).status).toBe(404);
    expect((await h.call('GET', '/api/orgs?parent=xc', { token })).status).toBe(404);
    expect((await h.call('GET', '/api/orgs?parent=pds-xinhua', { token })).status).toBe(200);
    // Text Postgres cannot compare is refused, never a 500.
    expect((await h.call('GET', '/api/orgs?q=a%00b', { token })).status).toBe(400);
    expect((await h.call('GET', '/api/orgs?parent=a%00b', { token })).status).toBe(400);
    expect((await h.call('PATCH', '/api/orgs/a%00b', { token, body: { name: 'x' } })).status).toBe(404);
  });
});

describe('creating an org (POST /api/orgs)', () => {
  it('an admin adds a grassroots union under a county: 201, its path, and one administration record', async () => {
    const id = unique('gr-');
    const body = await create('city.admin', {
      id,
      name: `快递企业工会 ${id}`,
      kind: 'grassroots',
      parent: 'pds-xinhua',
      groups: ['courier'],
      area: '新华区',
      subkind: 'enterprise',
    });
    expect(body).toMatchObject({
      id,
      kind: 'grassroots',
      parent: 'pds-xinhua',
      groups: ['courier'],
      area: '新华区',
      subkind: 'enterprise',
      active: true,
      childCount: 0,
    });
    expect((await org(id)).path).toBe(`/henan/pds/pds-xinhua/${id}/`);
    const audit = await auditRows(id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'city.admin', action: 'org.create', org_path: `/henan/pds/pds-xinhua/${id}/` });
  });

  it('generates an id when none is given; kinds may be given by their Chinese names', async () => {
    const body = await create('xinhua.admin', { name: '某街道工会', kind: '乡镇街道工会', parent: 'pds-xinhua' });
    expect(body.id).toMatch(/^org-[0-9a-f]{12}$/);
    expect(body.kind).toBe('township');
  });

  it('refuses outside the subtree (404), without the admin role (403), a forbidden kind or bad fields (400), a taken id (409) — writing nothing', async () => {
    const id = unique('gr-');
    const valid = { id, name: '被拒工会', kind: 'grassroots', parent: 'pds-xinhua' };
    expect((await post('xc.admin', valid)).status).toBe(404);
    expect((await post('weidong.staff', valid)).status).toBe(404);
    expect((await post('xinhua.staff', valid)).status).toBe(403);
    expect((await post('city.lead', valid)).status).toBe(403);
    // Above one's own org: the parent is not theirs.
    expect((await post('xinhua.admin', { ...valid, parent: 'pds' })).status).toBe(404);
    const county = await post('city.admin', { ...valid, kind: 'county' });
    expect(county.status).toBe(400);
    expect(county.body.errors).toEqual([{ path: 'parent', message: expect.stringContaining('县区总工会的上级只能是市总工会') }]);
    const bad = await post('city.admin', { id: 'a/b', name: '', kind: 'planet', parent: 'pds-xinhua', subkind: 'enterprise', groups: ['nope'] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.path).sort()).toEqual(['name']);
    const bad2 = await post('city.admin', { id: 'a/b', name: 'x', kind: 'planet', parent: 'pds-xinhua', subkind: 'bogus', groups: ['nope'] });
    expect(bad2.status).toBe(400);
    expect(bad2.body.errors.map((e: any) => e.path).sort()).toEqual(['groups', 'id', 'kind', 'subkind']);
    expect(await org(id)).toBeUndefined();
    expect(await auditRows(id)).toEqual([]);
    expect((await post('city.admin', { ...valid, id: 'pds-xinhua-express' })).status).toBe(409);
  });
});

describe('changing an org (PATCH /api/orgs/:id)', () => {
  it('renames; refuses one’s own org (403), an org outside the subtree (404), a non-admin (403) — writing nothing', async () => {
    const id = unique('gr-');
    await create('city.admin', { id, name: '原名工会', kind: 'grassroots', parent: 'pds-xinhua' });
    const r = await patch('xinhua.admin', id, { name: '新名工会' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.name).toBe('新名工会');
    expect((await auditRows(id)).map((a: any) => a.action)).toEqual(['org.create', 'org.update']);

    expect((await patch('xinhua.admin', 'pds-xinhua', { name: '改本级' })).status).toBe(403);
    expect((await patch('xinhua.admin', 'pds', { name: '改上级' })).status).toBe(404);
    expect((await patch('xc.admin', id, { name: '外市' })).status).toBe(404);
    expect((await patch('xinhua.staff', id, { name: '干事' })).status).toBe(403);
    expect((await patch('city.admin', id, {})).status).toBe(400);
    expect((await org(id)).name).toBe('新名工会');
    expect((await org('pds-xinhua')).name).toBe('新华区总工会');
    expect(await auditRows(id)).toHaveLength(2);
  });

  it('moves an org with its subtree; refuses moving under itself (409), a destination outside the subtree (404), a forbidden parent kind (400)', async () => {
    const town = unique('tw-');
    const union = unique('gr-');
    await create('city.admin', { id: town, name: '测试街道工会', kind: 'township', parent: 'pds-xinhua' });
    await create('city.admin', { id: union, name: '街道企业工会', kind: 'grassroots', parent: town });

    expect((await patch('city.admin', town, { parent: union })).status).toBe(409);
    expect((await patch('city.admin', town, { parent: town })).status).toBe(409);
    expect((await patch('xinhua.admin', town, { parent: 'pds-weidong' })).status).toBe(404);
    const kind = await patch('city.admin', town, { parent: 'pds' });
    expect(kind.status).toBe(400);
    expect(kind.body.errors[0].path).toBe('parent');
    expect((await org(union)).path).toBe(`/henan/pds/pds-xinhua/${town}/${union}/`);

    const moved = await patch('city.admin', town, { parent: 'pds-weidong' });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body.parent).toBe('pds-weidong');
    expect((await org(town)).path).toBe(`/henan/pds/pds-weidong/${town}/`);
    expect((await org(union)).path).toBe(`/henan/pds/pds-weidong/${town}/${union}/`);
    const [, move] = await auditRows(town);
    expect(move).toMatchObject({ action: 'org.move', org_path: `/henan/pds/pds-weidong/${town}/` });
    // Now outside 新华区's subtree.
    expect((await patch('xinhua.admin', town, { name: '已移走' })).status).toBe(404);
  });

  it('refuses to deactivate an org whose subtree has members, open tasks or running applications (409 with the counts); deactivates an idle one with its subtree', async () => {
    const town = unique('tw-');
    const union = unique('gr-');
    await create('city.admin', { id: town, name: '忙碌街道工会', kind: 'township', parent: 'pds-xinhua' });
    await create('city.admin', { id: union, name: '忙碌企业工会', kind: 'grassroots', parent: town });
    const idHash = crypto.randomBytes(16).toString('hex');
    await h.db('members').insert({ id_number_hash: idHash, id_number_enc: 'x', id_number_masked: '4104**********0000', name: '会员', union_id: union });
    const appId = unique('app-');
    await h.db('applications').insert({
      id: appId,
      type: 'subsidy',
      chain_key: 'subsidy',
      chain_version: 1,
      applicant_org: union,
      title: '测试',
      status: 'pending',
      workflow_id: `wf-${appId}`,
    });
    await h.db('tasks').insert({
      id: unique('task-'),
      application_id: appId,
      kind: 'approval',
      step_index: 0,
      step_name: '审核',
      role: 'reviewer',
      org_id: town,
      status: 'pending',
      subject: '测试',
    });

    const r = await patch('city.admin', town, { active: false });
    expect(r.status).toBe(409);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body).toMatchObject({ status: 409, members: 1, openTasks: 1, runningApplications: 1 });
    expect((await org(town)).active).toBe(true);
    expect((await org(union)).active).toBe(true);
    expect(await auditRows(town)).toHaveLength(1);

    const idle = unique('tw-');
    const below = unique('gr-');
    await create('city.admin', { id: idle, name: '空闲街道工会', kind: 'township', parent: 'pds-xinhua' });
    await create('city.admin', { id: below, name: '空闲企业工会', kind: 'grassroots', parent: idle });
    const off = await patch('city.admin', idle, { active: false });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    expect(off.body.active).toBe(false);
    expect((await org(below)).active).toBe(false);
    // Nothing new under a deactivated org; it comes back when reactivated, but not under a deactivated parent.
    expect((await post('city.admin', { name: '不可新建', kind: 'grassroots', parent: idle })).status).toBe(409);
    expect((await patch('city.admin', below, { active: true })).status).toBe(409);
    expect((await patch('city.admin', idle, { active: true })).status).toBe(200);
    expect((await auditRows(idle)).map((a: any) => a.action)).toEqual(['org.create', 'org.deactivate', 'org.activate']);
  });
});

describe('the workbook (template, export, import)', () => {
  it('the template has the Chinese headers and a 说明 sheet with the kinds; admins only', async () => {
    const res = await fetch(`${h.url}/api/orgs/template`, { headers: { authorization: `Bearer ${await as('xinhua.admin')}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain(XLSX);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    expect((wb.getWorksheet('组织机构')!.getRow(1).values as unknown[]).slice(1)).toEqual(HEADERS);
    const notes = wb.getWorksheet('说明')!;
    const kinds: string[] = [];
    notes.eachRow((r) => kinds.push(r.getCell(1).text));
    expect(kinds).toEqual(expect.arrayContaining(['省总工会', '市总工会', '县区总工会', '产业工会', '乡镇街道工会', '社区工会', '基层工会']));
    expect((await h.call('GET', '/api/orgs/template', { token: await as('xinhua.staff') })).status).toBe(403);
  });

  it('reports every bad row with its Excel row number and header, and imports nothing', async () => {
    const [a, b, c] = [unique('im-'), unique('im-'), unique('im-')];
    const file = await workbook([
      [a, '好的街道', '乡镇街道工会', 'pds-xinhua'],
      [b, '', '基层工会', a, '企业工会', 'courier'],
      [c, '错误类型', '星球', a],
      [a, '重复编码', '基层工会', 'pds-xinhua'],
      [unique('im-'), '上级不在范围', '基层工会', 'pds-weidong'],
      [unique('im-'), '上级类型不符', '县区总工会', a],
      [unique('im-'), '未知群体', '基层工会', a, '', 'martians'],
    ]);
    const r = await upload('xinhua.admin', file);
    expect(r.status).toBe(400);
    expect(r.body.imported).toBe(0);
    expect(r.body.rejected).toEqual([
      { row: 3, errors: [{ field: '机构名称', message: '必填 / required' }] },
      { row: 4, errors: [{ field: '类型', message: expect.stringContaining('须为') }] },
      { row: 5, errors: [{ field: '机构编码', message: expect.stringContaining('与第 2 行的编码重复') }] },
      { row: 6, errors: [{ field: '上级机构编码', message: expect.stringContaining('不在您的管理范围内') }] },
      { row: 7, errors: [{ field: '上级机构编码', message: expect.stringContaining('县区总工会的上级只能是') }] },
      { row: 8, errors: [{ field: '重点群体', message: expect.stringContaining('martians') }] },
    ]);
    expect(await org(a)).toBeUndefined();
    expect(await org(b)).toBeUndefined();
  });

  it('imports a few thousand orgs (parents defined later in the file) with progress, then upserts on a second import; the export has them', async () => {
    const prefix = unique('bulk-');
    const town = `${prefix}-t`;
    const rows: string[][] = [];
    for (let i = 0; i < 3000; i++) rows.push([`${prefix}-${i}`, `导入企业工会 ${i}`, '基层工会', town, '企业工会', i % 2 ? 'courier' : '', '新华区']);
    rows.push([town, '导入街道工会', '乡镇街道工会', 'pds-xinhua']); // the parent, last
    const started = await upload('xinhua.admin', await workbook(rows), { prefer: 'respond-async' });
    expect(started.status).toBe(202);
    const token = await as('xinhua.admin');
    const done = await eventually(
      async () => {
        const s = await h.call('GET', started.body.statusUrl, { token });
        expect(s.status).toBe(200);
        return s.body.finishedAt ? s.body : undefined;
      },
      120_000,
      300,
    );
    expect(done).toMatchObject({ status: 'done', httpStatus: 200, result: { imported: 3001, created: 3001, updated: 0, rejected: [] } });
    expect(Number((await h.db('orgs').where('path', 'like', `/henan/pds/pds-xinhua/${town}/%`).count({ n: '*' }))[0]!.n)).toBe(3001);
    expect(await org(`${prefix}-1`)).toMatchObject({ kind: 'grassroots', subkind: 'enterprise', groups: ['courier'], area: '新华区', parent_id: town });
    // Someone else's import does not exist for them.
    expect((await h.call('GET', started.body.statusUrl, { token: await as('city.admin') })).status).toBe(404);
    const audit = await h.db('admin_audit').where({ action: 'org.import', actor: 'xinhua.admin' }).orderBy('id', 'desc').first();
    expect(audit.data).toMatchObject({ rows: 3001, created: 3001, updated: 0 });

    // Import = upsert: the same ids update the orgs.
    const again = await upload('xinhua.admin', await workbook([[`${prefix}-1`, '改名企业工会', '基层工会', town]]));
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toMatchObject({ imported: 1, created: 0, updated: 1 });
    expect((await org(`${prefix}-1`)).name).toBe('改名企业工会');
    // …but not one outside the caller's part of the tree, nor a move.
    const outside = await upload('xinhua.admin', await workbook([['pds-weidong-mall', '夺取', '基层工会', 'pds-weidong']]));
    expect(outside.status).toBe(400);
    expect(outside.body.rejected[0].errors.map((e: any) => e.field)).toEqual(['机构编码', '上级机构编码']);
    const move = await upload('xinhua.admin', await workbook([[`${prefix}-2`, '移动', '基层工会', 'pds-xinhua']]));
    expect(move.body.rejected).toEqual([{ row: 2, errors: [{ field: '上级机构编码', message: expect.stringContaining('导入不移动') }] }]);

    const res = await fetch(`${h.url}/api/orgs/export`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    const sheet = wb.getWorksheet('组织机构')!;
    const ids = new Set<string>();
    sheet.eachRow((r, n) => {
      if (n > 1) ids.add(r.getCell(1).text);
    });
    expect(ids.has(`${prefix}-2999`)).toBe(true);
    expect(ids.has('pds-xinhua-express')).toBe(true);
    expect(ids.has('pds-xinhua')).toBe(false); // the caller's own org is not theirs to import
    expect(ids.has('pds-weidong')).toBe(false);
  }, 180_000);

  it('refuses a file that is not a workbook (400) and non-admins (403)', async () => {
    expect((await upload('xinhua.admin', Buffer.from('not a zip'))).status).toBe(400);
    expect((await upload('xinhua.staff', await workbook([]))).status).toBe(403);
  });
});

describe('a move in the middle of a running application', () => {
  it('the pending step keeps its approvers; the next step resolves against the new tree', async () => {
    const [cityA, cityB, county] = [unique('ca-'), unique('cb-'), unique('cc-')];
    await create('prov.admin', { id: cityA, name: `甲市总工会 ${cityA}`, kind: 'city', parent: 'henan' });
    await create('prov.admin', { id: cityB, name: `乙市总工会 ${cityB}`, kind: 'city', parent: 'henan' });
    await create('prov.admin', { id: county, name: `丙县总工会 ${county}`, kind: 'county', parent: cityA });
    // Each user with a hash (a salt) of their own, as the product stores them.
    const user = async (org: string, role: string) => ({
      username: `${org}.${role}`,
      name: `${role} ${org}`,
      org_id: org,
      roles: [role],
      password_hash: await hashPassword(DEMO_PASSWORD),
    });
    await h.db('users').insert(await Promise.all([user(cityA, 'admin'), user(cityA, 'reviewer'), user(cityB, 'reviewer')]));
    const sb = await api.sandbox({ parent: county }); // a township under the county, with its staff member

    // Two reviews by the applicant's city federation, in force for the township (proposed by city A's admin, approved by the province's).
    const key = unique('mv-');
    const cityReview = (id: string) => ({ id, name: `市总审核 ${id}`, type: 'human', who: { kind: 'role', role: 'reviewer', level: 'city' }, mode: 'single' });
    const proposed = await h.call('POST', '/api/chains', {
      token: await as(`${cityA}.admin`),
      body: { key, name: '两级市总审核', type: 'subsidy', owner: sb.org, steps: [cityReview('first'), cityReview('second')] },
    });
    expect(proposed.status, JSON.stringify(proposed.body)).toBe(202);
    const change = await eventually<{ id: string }>(async () =>
      h.db('tasks').where({ application_id: proposed.body.id, status: 'pending', kind: 'approval' }).first('id'),
    );
    expect(await runBulkJob(h, await as('prov.admin'), '/api/tasks/bulk-approve', { taskIds: [change.id] })).toMatchObject({ succeeded: 1 });
    await api.status(proposed.body.id, 'approved', 'prov.admin');

    const appId = await api.start(sb.staff, buildSubsidy());
    const first = await eventually(async () => h.db('tasks').where({ application_id: appId, status: 'pending', kind: 'approval' }).first());
    expect(first).toMatchObject({ step_index: 0, org_id: cityA, role: 'reviewer' });

    // The province admin moves the county to city B mid-flight.
    const moved = await patch('prov.admin', county, { parent: cityB });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect((await org(sb.org)).path).toBe(`/henan/${cityB}/${county}/${sb.org}/`);

    // The pending step keeps its approvers (and its org path): city A's reviewer decides it, city B's cannot.
    expect((await h.db('tasks').where({ id: first.id }).first()).org_path).toBe(`/henan/${cityA}/`);
    expect((await api.act(`${cityB}.reviewer`, first.id, { action: 'approve' })).status).toBe(403);
    await api.ok(`${cityA}.reviewer`, first.id, { action: 'approve' });

    // The next step resolves against the new tree: city B.
    const second = await eventually(async () => h.db('tasks').where({ application_id: appId, status: 'pending', kind: 'approval', step_index: 1 }).first());
    expect(second).toMatchObject({ org_id: cityB, role: 'reviewer', org_path: `/henan/${cityB}/` });
    await api.ok(`${cityB}.reviewer`, second.id, { action: 'approve' });
    await api.status(appId, 'approved', 'prov.admin');
  }, 120_000);
});
