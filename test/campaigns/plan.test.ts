/**
 * One plan up the tree (行动计划, seed 004), on real Temporal and Postgres: two regions' project lists are
 * approved; the city consolidates them, returns one project to its region, the region revises it, the city
 * submits the plan to the province, whose 基层工作部 returns it with comments (the task in its 待办); the city
 * returns a second project, the region revises it, the plan is resubmitted (revision 2) and approved. The
 * xlsx is read back with exceljs; who may do what is asserted with the exact answer and nothing written.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHarness, type Harness } from '../support/harness';
import { buildLaunch, CampaignDriver, organizingProject, serviceProject } from '../support/campaigns';
import { ORGANIZING_COLUMNS, SERVICE_COLUMNS, SUMMARY_COLUMNS } from '../../api/plan-workbook';

let h: Harness;
let d: CampaignDriver;
beforeAll(async () => {
  h = await startHarness();
  d = new CampaignDriver(h);
});
afterAll(async () => {
  await h?.close();
});

const REGIONS = ['pds-xinhua', 'pds-weidong'];

async function plan(id: string, username = 'city.admin') {
  const r = await h.call('GET', `/api/campaigns/${id}/plan`, { token: await d.as(username) });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

const projectsOf = (p: any) => p.regions.flatMap((r: any) => [...r.organizing, ...r.service]);

/** A campaign in listing whose two regions' lists are approved by the city and the province. */
async function approvedCampaign() {
  const { id } = await d.launch(buildLaunch({ regions: REGIONS, targets: { newMembers: 30 } }));
  await d.waitForPhase(id, 'survey');
  await d.advance(id, '摸底完成');
  await d.waitForPhase(id, 'listing');
  const lists: string[] = [];
  const xinhua = await d.projects(id, 'pds-xinhua', [
    organizingProject({ name: '=HYPERLINK("http://x")快递行业工会联合会', plannedMembers: 40, groups: ['courier', 'food_delivery'], location: '新华区建设路' }),
    serviceProject({ name: '新华区户外劳动者服务站', plannedCoverage: 200, responsibleUnit: '新华区总工会' }),
  ]);
  expect(xinhua.status, JSON.stringify(xinhua.body)).toBe(201);
  lists.push(xinhua.body.applicationId);
  const weidong = await d.projects(id, 'pds-weidong', [
    organizingProject({ name: '卫东区货运企业联合工会', type: 'joint_union', plannedMembers: 25, groups: ['truck_driver'], location: '卫东区物流园' }),
  ]);
  expect(weidong.status, JSON.stringify(weidong.body)).toBe(201);
  lists.push(weidong.body.applicationId);
  for (const app of lists) {
    await d.act('city.reviewer', app, { action: 'approve' });
    await d.act('prov.reviewer', app, { action: 'approve' });
  }
  await eventually(async () => ((await d.projectsOf(id)).filter((p) => p.status === 'approved').length === 3 ? true : undefined));
  return id;
}

describe('the city’s action plan (行动计划)', () => {
  let id: string;
  beforeAll(async () => {
    id = await approvedCampaign();
  }, 120_000);

  it('consolidates every region’s approved projects per region and per target group', async () => {
    const p = await plan(id);
    expect(p.status).toBe('draft');
    expect(p.revision).toBe(0);
    expect(p.scope).toBe('city');
    expect(p.regions.map((r: any) => r.name)).toEqual(['卫东区总工会', '新华区总工会']);
    const xinhua = p.regions.find((r: any) => r.org === 'pds-xinhua');
    expect(xinhua.organizing).toHaveLength(1);
    expect(xinhua.organizing[0]).toMatchObject({
      location: '新华区建设路',
      plannedMembers: 40,
      typeLabel: '行业工会联合会',
      groupNames: ['快递员', '网约送餐员'],
    });
    expect(xinhua.service[0]).toMatchObject({ name: '新华区户外劳动者服务站', plannedCoverage: 200, responsibleUnit: '新华区总工会', dueDate: '2026-09-30' });
    expect(xinhua.totals).toEqual({ organizing: 1, service: 1, plannedMembers: 40, plannedCoverage: 200 });
    expect(p.totals).toEqual({ projects: 3, organizing: 2, service: 1, plannedMembers: 65, plannedCoverage: 200, returned: 0 });
    const courier = p.groups.find((g: any) => g.group === 'courier');
    expect(courier).toMatchObject({ name: '快递员', projects: 1, plannedMembers: 40 });
    expect(p.groups.find((g: any) => g.group === 'truck_driver').byRegion['pds-weidong']).toEqual({ projects: 1, plannedMembers: 25 });
    expect(p.can).toEqual({ submit: true, submitReason: null, returnProjects: true });

    // A region reads its own section only; the province reads it all; neither may submit.
    const region = await plan(id, 'xinhua.staff');
    expect(region.scope).toBe('region');
    expect(region.regions.map((r: any) => r.org)).toEqual(['pds-xinhua']);
    expect(region.totals.projects).toBe(2);
    expect(region.can.submit).toBe(false);
    // A union below the region reads the region's section too, with its projects.
    const below = await plan(id, 'xinhua-express.reviewer');
    expect([below.scope, below.regions.map((r: any) => r.org), below.totals.projects]).toEqual(['region', ['pds-xinhua'], 2]);
    expect((await plan(id, 'prov.reviewer')).totals.projects).toBe(3);
    // Another city's admin learns nothing of the campaign.
    expect((await h.call('GET', `/api/campaigns/${id}/plan`, { token: await d.as('xc.admin') })).status).toBe(404);
  });

  it('exports the plan as an xlsx in the seed’s shape (read back with exceljs)', async () => {
    const r = await fetch(`${h.url}/api/campaigns/${id}/plan?format=xlsx`, { headers: { authorization: `Bearer ${await d.as('city.admin')}` } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('spreadsheetml');
    expect(decodeURIComponent(r.headers.get('content-disposition') ?? '')).toContain('行动计划.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await r.arrayBuffer());
    expect(wb.worksheets.map((w) => w.name)).toEqual(['汇总', '卫东区总工会', '新华区总工会']);
    const rows = (name: string) => {
      const out: unknown[][] = [];
      wb.getWorksheet(name)!.eachRow({ includeEmpty: false }, (row) => out.push((row.values as unknown[]).slice(1)));
      return out;
    };
    const summary = rows('汇总');
    expect(summary).toContainEqual(SUMMARY_COLUMNS);
    expect(summary).toContainEqual(['新华区总工会', 1, 40, 1, 200]);
    expect(summary).toContainEqual(['合计', 2, 65, 1, 200]);
    expect(summary).toContainEqual(['重点群体', '卫东区总工会', '新华区总工会', '项目数', '合计']);
    expect(summary).toContainEqual(['快递员', 0, 40, 1, 40]);
    const xinhua = rows('新华区总工会');
    expect(xinhua[0]![0]).toBe('新华区总工会“项目清单+责任制”行动计划');
    expect(xinhua).toContainEqual(['一、建会入会项目清单']);
    expect(xinhua).toContainEqual(ORGANIZING_COLUMNS);
    // The formula-like name is text with a guarding apostrophe, never a formula.
    expect(xinhua).toContainEqual([
      1,
      `'=HYPERLINK("http://x")快递行业工会联合会`,
      '行业工会联合会',
      '快递员、网约送餐员',
      '新华区建设路',
      40,
      '区总工会',
      '2026-10-31',
    ]);
    expect(xinhua).toContainEqual(['合计', '1 个项目', '', '', '', 40, '', '']);
    expect(xinhua).toContainEqual(SERVICE_COLUMNS);
    expect(xinhua).toContainEqual([1, '新华区户外劳动者服务站', '工会服务阵地建设', '新华区总工会', '2026-09-30', 200]);
    expect(xinhua).toContainEqual(['合计', '1 个项目', '', '', '', 200]);
    wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((cell) => expect(cell.type, `${ws.name}!${cell.address}`).not.toBe(ExcelJS.ValueType.Formula))));
  });

  it('a returned project, revised by its region; the province returns the plan, then approves revision 2', async () => {
    const weidongProject = projectsOf(await plan(id)).find((x: any) => x.regionOrg === 'pds-weidong');
    const cityToken = await d.as('city.admin');

    // Only the city admin returns a project; nothing is written otherwise.
    for (const [user, status] of [
      ['city.reviewer', 403],
      ['weidong.staff', 403],
      ['prov.reviewer', 403],
      ['xc.admin', 404],
    ] as const) {
      const r = await h.call('POST', `/api/campaigns/${id}/plan/projects/${weidongProject.id}/return`, {
        token: await d.as(user),
        body: { comment: '请核实' },
      });
      expect(r.status, user).toBe(status);
    }
    expect((await h.db('projects').where({ id: weidongProject.id }).first()).plan_returned_at).toBeNull();

    const back = await h.call('POST', `/api/campaigns/${id}/plan/projects/${weidongProject.id}/return`, {
      token: cityToken,
      body: { comment: '拟发展会员数偏低，请按摸底情况调整' },
    });
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    let p = await plan(id);
    const returned = projectsOf(p).find((x: any) => x.id === weidongProject.id);
    expect(returned.returned).toMatchObject({ comment: '拟发展会员数偏低，请按摸底情况调整', byName: expect.any(String) });
    expect(returned.returned.byName).not.toBe('city.admin');
    expect(p.totals.returned).toBe(1);
    expect(p.can.submit).toBe(false);
    expect(p.can.submitReason).toContain('退回地区修改');
    const notice = await h.db('notifications').where({ username: 'weidong.staff', campaign_id: id, kind: 'returned' });
    expect(notice).toHaveLength(1);
    expect(notice[0].message).toContain('卫东区货运企业联合工会');
    // Not submitted while a project is out with its region.
    const early = await h.call('POST', `/api/campaigns/${id}/plan/submit`, { token: cityToken, body: {} });
    expect(early.status).toBe(409);
    expect(await h.db('campaign_plan_submissions').where({ campaign_id: id })).toHaveLength(0);

    // The region revises: another region cannot see it (404); a column the project does not have is a 400.
    const other = await h.call('POST', `/api/projects/${weidongProject.id}/plan-revision`, { token: await d.as('xinhua.staff'), body: { plannedMembers: 60 } });
    expect(other.status).toBe(404);
    // The city returned it to the region: the city does not revise it in the region's place.
    const byCity = await h.call('POST', `/api/projects/${weidongProject.id}/plan-revision`, { token: cityToken, body: { plannedMembers: 60 } });
    expect(byCity.status).toBe(403);
    const wrong = await h.call('POST', `/api/projects/${weidongProject.id}/plan-revision`, {
      token: await d.as('weidong.staff'),
      body: { plannedCoverage: 60 },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors.map((e: any) => e.path)).toEqual(['plannedCoverage']);
    const revised = await h.call('POST', `/api/projects/${weidongProject.id}/plan-revision`, {
      token: await d.as('weidong.staff'),
      body: { plannedMembers: 60, responsibleUnit: '卫东区总工会', note: '按摸底调整' },
    });
    expect(revised.status, JSON.stringify(revised.body)).toBe(200);
    const again = await h.call('POST', `/api/projects/${weidongProject.id}/plan-revision`, {
      token: await d.as('weidong.staff'),
      body: { plannedMembers: 61 },
    });
    expect(again.status).toBe(409);
    const history = (await d.project(weidongProject.id)).history.filter((e: any) => e.kind.startsWith('plan_'));
    expect(history.map((e: any) => e.kind)).toEqual(['plan_return', 'plan_revision']);
    expect(history[1].data).toMatchObject({
      before: { plannedMembers: 25, responsibleUnit: '区总工会' },
      after: { plannedMembers: 60, responsibleUnit: '卫东区总工会' },
    });

    // Only the city admin submits.
    for (const user of ['city.reviewer', 'xinhua.staff', 'prov.reviewer']) {
      const r = await h.call('POST', `/api/campaigns/${id}/plan/submit`, { token: await d.as(user), body: {} });
      expect(r.status, user).toBe(403);
    }
    expect(await h.db('campaign_plan_submissions').where({ campaign_id: id })).toHaveLength(0);

    const first = await h.call('POST', `/api/campaigns/${id}/plan/submit`, { token: cityToken, body: { note: '第一批汇总' } });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ revision: 1, status: 'pending' });
    const appId = first.body.applicationId;
    p = await plan(id);
    expect(p).toMatchObject({ status: 'pending', revision: 1, totals: { plannedMembers: 100, returned: 0 } });
    // Under review: no second submission, no project returned.
    expect((await h.call('POST', `/api/campaigns/${id}/plan/submit`, { token: cityToken, body: {} })).status).toBe(409);
    expect(
      (await h.call('POST', `/api/campaigns/${id}/plan/projects/${weidongProject.id}/return`, { token: cityToken, body: { comment: '再改' } })).status,
    ).toBe(409);

    // The province's 基层工作部 has ONE task in its 待办, and returns the plan with comments.
    const provToken = await d.as('prov.reviewer');
    const mine = await eventually(async () => {
      const tasks = await h.call('GET', '/api/tasks?status=pending&limit=200', { token: provToken });
      const found = tasks.body.items.filter((t: any) => t.applicationId === appId);
      return found.length ? found : undefined;
    });
    expect(mine).toHaveLength(1);
    expect(mine[0].subject).toContain('行动计划（第 1 版）');
    await d.act('prov.reviewer', appId, { action: 'return', returnTo: 'applicant', comment: '服务项目覆盖人数偏少，请补充' });
    p = await eventually(async () => {
      const v = await plan(id);
      return v.status === 'returned' ? v : undefined;
    });
    expect(p.provinceComment).toMatchObject({ comment: '服务项目覆盖人数偏少，请补充', byName: expect.any(String) });
    expect(p.submissions[0].decision).toMatchObject({ action: 'return', comment: '服务项目覆盖人数偏少，请补充' });
    // A bare resubmission of the application would skip the consolidation: it is refused, nothing sent.
    const bare = await h.call('POST', `/api/applications/${appId}/actions`, { token: cityToken, body: { action: 'resubmit' } });
    expect(bare.status).toBe(409);
    expect(bare.body.detail).toContain('行动计划');
    expect((await h.db('applications').where({ id: appId }).first()).status).toBe('returned');

    // The city returns the service project to xinhua; xinhua raises its coverage; the plan goes again as revision 2.
    const station = projectsOf(p).find((x: any) => x.kind === 'service');
    expect(
      (await h.call('POST', `/api/campaigns/${id}/plan/projects/${station.id}/return`, { token: cityToken, body: { comment: '请扩大覆盖' } })).status,
    ).toBe(200);
    const cover = await h.call('POST', `/api/projects/${station.id}/plan-revision`, { token: await d.as('xinhua.staff'), body: { plannedCoverage: 800 } });
    expect(cover.status, JSON.stringify(cover.body)).toBe(200);
    const second = await h.call('POST', `/api/campaigns/${id}/plan/submit`, { token: cityToken, body: { note: '已按省总意见补充' } });
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    expect(second.body).toMatchObject({ revision: 2, applicationId: appId });
    await d.act('prov.reviewer', appId, { action: 'approve', comment: '同意' });
    p = await eventually(async () => {
      const v = await plan(id);
      return v.status === 'approved' ? v : undefined;
    });
    expect(p.revision).toBe(2);
    expect(p.submissions.map((s: any) => [s.revision, s.note, s.totals.plannedCoverage, s.decision?.action])).toEqual([
      [1, '第一批汇总', 200, 'return'],
      [2, '已按省总意见补充', 800, 'approve'],
    ]);
    expect(p.submissions.every((s: any) => s.submittedByName && s.submittedByName !== 'city.admin')).toBe(true);
    expect(p.can).toMatchObject({ submit: false, returnProjects: false });
    const app = await h.db('applications').where({ id: appId }).first();
    expect(app).toMatchObject({ type: 'campaign_plan', status: 'approved', applicant_org: 'pds', campaign_id: id });
    expect((await h.call('POST', `/api/campaigns/${id}/plan/submit`, { token: cityToken, body: {} })).status).toBe(409);
  });
});

describe('phase rules of the plan', () => {
  it('the plan is not submitted during the survey, naming the phase', async () => {
    const { id } = await d.launch(buildLaunch({ regions: REGIONS }));
    await d.waitForPhase(id, 'survey');
    const r = await h.call('POST', `/api/campaigns/${id}/plan/submit`, { token: await d.as('city.admin'), body: {} });
    expect(r.status).toBe(409);
    expect(r.body.detail).toContain('调查摸底');
    expect(await h.db('campaign_plan_submissions').where({ campaign_id: id })).toHaveLength(0);
    const bad = await h.call('POST', `/api/campaigns/${id}/plan/submit`, { token: await d.as('city.admin'), body: { note: 3, extra: true } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.path)).toContain('note');
  });
});
