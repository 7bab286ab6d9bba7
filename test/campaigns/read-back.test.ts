/**
 * 报送留痕: what was submitted can be read back, with its history, by whoever sent it and whoever reviews it — and
 * by nobody else. A region's plan resubmitted (both versions, the current one first, who and when in Beijing time);
 * its project list returned and revised (each revision, the linked ledger enterprises by name, for the reviewer who
 * asked for them); progress reports (who, when, counts, names and masked ID numbers); self-assessments (versions);
 * and the member roster (会员名册): search, paging, export with masked ID numbers, and its scope by union, region
 * and city.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { eventually, startHarness, type Harness } from '../support/harness';
import { buildLaunch, CampaignDriver, memberRecords, organizingProject, surveyCsv, verifyReported } from '../support/campaigns';

let h: Harness;
let d: CampaignDriver;
beforeAll(async () => {
  h = await startHarness();
  d = new CampaignDriver(h);
});
afterAll(async () => {
  await h?.close();
});

const get = async (user: string, path: string) => h.call('GET', path, { token: await d.as(user) });

describe('what was submitted can be read back', () => {
  let id: string;
  let ledger: Record<string, number>;
  let projectId: string;
  let listApp: string;
  const members = memberRecords(3);
  const later = memberRecords(2).map((m, i) => ({ ...m, name: `外卖员${i + 1}`, employer: '某外卖站点', group: 'food_delivery' }));

  it('a resubmitted plan: both versions, to the region and the city, not to another region', async () => {
    ({ id } = await d.launch(buildLaunch({ regions: ['pds-xinhua', 'pds-weidong'], groups: ['courier', 'food_delivery'] })));
    await d.waitForPhase(id, 'survey');
    const up = await d.upload(
      id,
      'pds-xinhua',
      surveyCsv('pds-xinhua', [
        { name: '新华区顺达速运有限公司', employees: 80 },
        { name: '新华区美团配送站', employees: 40 },
      ]),
    );
    expect(up.status, JSON.stringify(up.body)).toBe(200);
    const gaps = await get('xinhua.staff', `/api/campaigns/${id}/regions/pds-xinhua/gaps`);
    ledger = Object.fromEntries(gaps.body.items.map((e: { name: string; id: string }) => [e.name, Number(e.id)]));

    const path = `/api/campaigns/${id}/regions/pds-xinhua/plan`;
    expect((await get('xinhua.staff', path)).body).toMatchObject({ current: null, versions: [] });
    expect((await d.plan(id, 'pds-xinhua')).status).toBe(200);
    const second = await h.call('POST', path, {
      token: await d.as('xinhua.staff'),
      body: { summary: '第二版：增加外卖平台专项', measures: ['召开动员会', '外卖站点逐一走访'], dueDates: { 动员部署: '2026-04-12', 集中建会: '2026-06-30' } },
    });
    expect(second.status, JSON.stringify(second.body)).toBe(200);

    for (const user of ['xinhua.staff', 'city.admin', 'city.reviewer', 'prov.reviewer']) {
      const r = await get(user, path);
      expect(r.status, `${user}: ${JSON.stringify(r.body)}`).toBe(200);
      expect(r.body.regionName).toBe('新华区总工会');
      expect(r.body.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
      expect(r.body.current).toMatchObject({
        version: 2,
        plan: { summary: '第二版：增加外卖平台专项', measures: ['召开动员会', '外卖站点逐一走访'], dueDates: { 集中建会: '2026-06-30' } },
        by: 'xinhua.staff',
      });
      expect(r.body.current.byName).toBeTruthy();
      expect(r.body.current.byName).not.toBe('xinhua.staff');
      expect(r.body.current.submittedAtBeijing).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
      expect(r.body.versions[1].plan.summary).toBe('以快递、外卖平台为重点，拉网式排查，倒排工期');
    }
    // Another region, a union below the region, another city: nothing, as if it did not exist.
    for (const user of ['weidong.staff', 'xinhua-express.reviewer', 'xc.admin']) {
      const r = await get(user, path);
      expect(r.status, user).toBe(404);
      expect(r.body.versions).toBeUndefined();
    }
    expect((await get('city.admin', `/api/campaigns/${id}/regions/pds-zhanhe/plan`)).status).toBe(404);
    expect((await get('city.admin', `/api/campaigns/no-such-campaign/regions/pds-xinhua/plan`)).status).toBe(404);
    // The audit trail names the version each submission made.
    const audit = await h.db('audit_log').where({ application_id: id, action: 'planSubmitted' }).orderBy('id').select('data');
    expect(audit.map((a: { data: { version: number } }) => a.data.version)).toEqual([1, 2]);
  });

  it('the project list: each revision, with the linked ledger enterprises by name for the reviewer', async () => {
    await d.advance(id, '摸底完成');
    await d.waitForPhase(id, 'listing');
    const first = await d.projects(id, 'pds-xinhua', [
      organizingProject({ name: '顺达速运工会', type: 'enterprise_union', enterprises: [ledger['新华区顺达速运有限公司']], plannedMembers: 5 }),
    ]);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    listApp = first.body.applicationId;
    await d.act('city.reviewer', listApp, { action: 'return', returnTo: 'applicant', comment: '请把美团配送站也列入' });
    await eventually(async () => (await d.view(id)).regions.find((r: { org: string }) => r.org === 'pds-xinhua').listStatus === 'returned');
    const revised = await d.projects(id, 'pds-xinhua', [
      organizingProject({
        name: '顺达速运工会',
        type: 'enterprise_union',
        enterprises: [ledger['新华区顺达速运有限公司'], ledger['新华区美团配送站']],
        plannedMembers: 8,
        groups: ['courier', 'food_delivery'],
      }),
    ]);
    expect(revised.status, JSON.stringify(revised.body)).toBe(201);

    // The reviewer who asked for the enterprises sees them on the projects and on each revision.
    const listed = await get('city.reviewer', `/api/campaigns/${id}/projects?region=pds-xinhua`);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.items[0].enterprises.map((e: { name: string }) => e.name)).toEqual(['新华区顺达速运有限公司', '新华区美团配送站']);
    const detail = await get('city.reviewer', `/api/projects/${listed.body.items[0].id}`);
    expect(detail.body.enterprises.map((e: { name: string }) => e.name)).toEqual(['新华区顺达速运有限公司', '新华区美团配送站']);

    const path = `/api/campaigns/${id}/regions/pds-xinhua/project-lists`;
    for (const user of ['city.reviewer', 'xinhua.staff', 'prov.reviewer']) {
      const r = await get(user, path);
      expect(r.status, user).toBe(200);
      expect(r.body.revisions.map((x: { revision: number }) => x.revision)).toEqual([2, 1]);
      expect(r.body.revisions[0].projects[0].enterprises.map((e: { name: string }) => e.name)).toEqual(['新华区顺达速运有限公司', '新华区美团配送站']);
      expect(r.body.revisions[0].projects[0].groupNames).toEqual(['快递员', '网约送餐员']);
      expect(r.body.revisions[1].projects[0]).toMatchObject({ plannedMembers: 5, enterprises: [{ name: '新华区顺达速运有限公司' }] });
      expect(r.body.revisions[0].byName).toBeTruthy();
      expect(r.body.revisions[0].applicationId).toBe(listApp);
    }
    for (const user of ['weidong.staff', 'xc.reviewer']) expect((await get(user, path)).status, user).toBe(404);
    // The other region's staff do not see xinhua's project either.
    expect((await get('weidong.staff', `/api/projects/${listed.body.items[0].id}`)).status).toBe(404);

    await d.act('city.reviewer', listApp, { action: 'approve' });
    await d.act('prov.reviewer', listApp, { action: 'approve' });
    await d.advance(id, '项目清单已批复');
    await d.waitForPhase(id, 'implementation');
    projectId = (await eventually(async () => (await d.projectsOf(id, 'pds-xinhua')).find((p) => p.status === 'in_progress'))).id;
  });

  it('progress reports: a history per project — who, when, counts and names, masked ID numbers only', async () => {
    const token = await d.as('xinhua.staff');
    const r1 = await h.call('POST', `/api/projects/${projectId}/progress`, {
      token,
      body: {
        members,
        unionsEstablished: [{ enterpriseId: ledger['新华区顺达速运有限公司'], name: '顺达速运有限公司工会委员会', establishedOn: '2026-07-01' }],
        note: '第一批',
      },
    });
    expect(r1.status, JSON.stringify(r1.body)).toBe(200);
    // Reported members wait for real-name verification (待核验): none counted yet.
    expect(r1.body).toMatchObject({ membersAccepted: 0, membersReported: 3, alreadyCounted: 0, totals: { membersRecruited: 0, membersPending: 3 } });
    // The second report repeats one member of the first: put to verification once.
    const r2 = await h.call('POST', `/api/projects/${projectId}/progress`, { token, body: { members: [...later, members[0]], note: '第二批' } });
    expect(r2.status, JSON.stringify(r2.body)).toBe(200);
    expect(r2.body).toMatchObject({ membersAccepted: 0, membersReported: 2, alreadyCounted: 1, totals: { membersRecruited: 0, membersPending: 5 } });
    // The reviewer verifies them: the five count, none pending.
    const verified = await verifyReported(h, projectId);
    expect(verified.results).toHaveLength(5);
    expect(verified.progress).toEqual({ membersRecruited: 5, membersPending: 0 });
    expect(Number((await h.db('members').where({ project_id: projectId }).count({ n: '*' }))[0]!.n)).toBe(5);

    for (const user of ['xinhua.staff', 'city.reviewer', 'city.admin']) {
      const r = await get(user, `/api/projects/${projectId}/reports`);
      expect(r.status, user).toBe(200);
      expect(r.body.projectName).toBe('顺达速运工会');
      expect(r.body.items).toHaveLength(2);
      const [newest, oldest] = r.body.items;
      expect(oldest).toMatchObject({
        no: 1,
        by: 'xinhua.staff',
        note: '第一批',
        counts: { membersReported: 3, membersAccepted: 0, alreadyCounted: 0, unionsEstablished: 1, crossedOff: 0 },
        unions: [{ name: '顺达速运有限公司工会委员会', establishedOn: '2026-07-01', enterpriseName: '新华区顺达速运有限公司' }],
      });
      expect(oldest.members.map((m: { name: string }) => m.name)).toEqual(['骑手1', '骑手2', '骑手3']);
      expect(oldest.members[0]).toMatchObject({ groupName: '快递员', employer: '某快递网点' });
      expect(newest).toMatchObject({ no: 2, note: '第二批', counts: { membersReported: 3, membersAccepted: 0, alreadyCounted: 1 } });
      expect(newest.members.map((m: { name: string }) => m.name)).toEqual(['外卖员1', '外卖员2', '骑手1']);
      expect(newest.atBeijing).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
      expect(oldest.byName).toBeTruthy();
      // Masked ID numbers only: no full number anywhere in the answer.
      const text = JSON.stringify(r.body);
      for (const m of [...members, ...later]) expect(text).not.toContain(m.idNumber);
      expect(oldest.members[0].idNumberMasked).toBe(`${members[0]!.idNumber.slice(0, 6)}********${members[0]!.idNumber.slice(-4)}`);
    }
    for (const user of ['weidong.staff', 'xc.admin']) {
      const r = await get(user, `/api/projects/${projectId}/reports`);
      expect(r.status, user).toBe(404);
      expect(r.body.items).toBeUndefined();
    }
    expect((await get('city.admin', `/api/projects/no-such-project/reports`)).status).toBe(404);
  });

  it('the member roster: search, paging, export with masked ID numbers, and its scope', async () => {
    const path = `/api/campaigns/${id}/members`;
    const all = await get('city.admin', path);
    expect(all.status, JSON.stringify(all.body)).toBe(200);
    expect(all.body.total).toBe(5);
    expect(all.body.items[0]).toMatchObject({ unionName: '新华区总工会', regionName: '新华区总工会', projectName: '顺达速运工会' });
    expect(JSON.stringify(all.body)).not.toMatch(/\d{17}[\dX]/);

    // Search: by name, by the ID number's last four, by employer; filters by group and project.
    expect((await get('city.admin', `${path}?q=${encodeURIComponent('外卖员')}`)).body.items.map((m: { name: string }) => m.name)).toEqual([
      '外卖员1',
      '外卖员2',
    ]);
    const tail = members[1]!.idNumber.slice(-4);
    const byTail = (await get('city.admin', `${path}?q=${tail}`)).body.items.map((m: { name: string }) => m.name);
    expect(byTail).toContain('骑手2');
    expect((await get('city.admin', `${path}?q=${encodeURIComponent('某外卖站点')}`)).body.total).toBe(2);
    expect((await get('city.admin', `${path}?group=food_delivery`)).body.total).toBe(2);
    expect((await get('city.admin', `${path}?project=${encodeURIComponent(projectId)}`)).body.total).toBe(5);
    expect((await get('city.admin', `${path}?region=pds-weidong`)).body.total).toBe(0);
    // Paging: two pages of two and a last of one, no one twice.
    const pages = [];
    for (const offset of [0, 2, 4]) pages.push((await get('city.admin', `${path}?limit=2&offset=${offset}`)).body);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(new Set(pages.flatMap((p) => p.items.map((m: { id: number }) => m.id))).size).toBe(5);
    // Bad input: 400 naming each field.
    const bad = await get('city.admin', `${path}?limit=0&offset=-1&format=pdf`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['format', 'limit', 'offset']);

    // Export: CSV and xlsx, Chinese headers, names, masked ID numbers.
    const csv = await h.call('GET', `${path}?format=csv`, { token: await d.as('city.admin') });
    expect(csv.status).toBe(200);
    const text = String(csv.body);
    expect(text).toContain('姓名,身份证号（脱敏）,重点群体,工作单位,所属工会,所属地区,项目,实名核验,入会时间（北京时间）');
    expect(text).toContain('网约送餐员');
    expect(text).toContain(`${members[0]!.idNumber.slice(0, 6)}********${members[0]!.idNumber.slice(-4)}`);
    for (const m of [...members, ...later]) expect(text).not.toContain(m.idNumber);
    const xlsx = await fetch(`${h.url}${path}?format=xlsx&group=courier`, { headers: { authorization: `Bearer ${await d.as('city.admin')}` } });
    expect(xlsx.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as never);
    const ws = wb.worksheets[0]!;
    expect(ws.rowCount).toBe(4);
    expect(ws.getRow(2).getCell(3).value).toBe('快递员');

    // Scope: the region sees its region's members; another region none; a union its own only; another city nothing.
    expect((await get('xinhua.staff', path)).body.total).toBe(5);
    expect((await get('prov.reviewer', path)).body.total).toBe(5);
    expect((await get('weidong.staff', path)).body.total).toBe(0);
    expect((await get('xinhua-express.reviewer', path)).body.total).toBe(0);
    // A member whose union is the grassroots union (as membership admission places them): that union sees just them.
    await h.db('members').where({ campaign_id: id, name: '外卖员1' }).update({ union_id: 'pds-xinhua-express' });
    const mine = await get('xinhua-express.reviewer', path);
    expect(mine.body.items.map((m: { name: string; unionName: string }) => [m.name, m.unionName])).toEqual([['外卖员1', '新华区快递行业工会联合会']]);
    expect((await get('city.admin', `${path}?union=pds-xinhua-express`)).body.total).toBe(1);
    expect((await get('xinhua.staff', path)).body.total).toBe(5);
    for (const user of ['xc.admin', 'xc.reviewer']) {
      const r = await get(user, path);
      expect(r.status, user).toBe(404);
      expect(r.body.items).toBeUndefined();
    }
  });

  it('self-assessments: every version, the current first', async () => {
    await d.advance(id, '进入年终考核');
    await d.waitForPhase(id, 'assessment');
    const token = await d.as('xinhua.staff');
    const first = await h.call('POST', `/api/projects/${projectId}/self-assessment`, {
      token,
      body: { summary: '完成单独建会，会员实名入会 5 人', membersRecruited: 6, unionsEstablished: 1 },
    });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    await d.act('city.reviewer', first.body.assessmentApplicationId, {
      action: 'return',
      returnTo: 'applicant',
      deadline: new Date(Date.now() + 3_600_000).toISOString(),
      comment: '自报人数与实名记录不符',
    });
    await eventually(async () => ((await d.project(projectId)).status === 'rectifying' ? true : undefined));
    const second = await h.call('POST', `/api/projects/${projectId}/self-assessment`, {
      token,
      body: { summary: '已核对实名记录：5 人', membersRecruited: 5, unionsEstablished: 1 },
    });
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    for (const user of ['xinhua.staff', 'city.reviewer']) {
      const r = await get(user, `/api/projects/${projectId}/self-assessments`);
      expect(r.status, user).toBe(200);
      expect(r.body.versions.map((v: { version: number; membersRecruited: number }) => [v.version, v.membersRecruited])).toEqual([
        [2, 5],
        [1, 6],
      ]);
      expect(r.body.current).toMatchObject({ summary: '已核对实名记录：5 人', by: 'xinhua.staff' });
    }
    expect((await get('weidong.staff', `/api/projects/${projectId}/self-assessments`)).status).toBe(404);
  });
});
