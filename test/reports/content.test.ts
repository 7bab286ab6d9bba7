/**
 * What a bulletin (通报) says, checked against data created through the API:
 * three regions with project lists, progress reports with real-name members,
 * online applications (网上入会) approved, rejected, pending and past their
 * time limit, a missing plan, then more progress and a rectification — per
 * region, per target group, the ranking, the change since the previous
 * bulletin and the trend; and the formats: JSON, HTML with SVG charts, CSV
 * with formula injection neutralized, and a workbook with one sheet per table.
 */
import ExcelJS from 'exceljs';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLE_KEYS } from '../../domain/bulletin-tables';
import { Approvals, withSmsCode } from '../support/approvals';
import { eventually, startHarness, type Harness } from '../support/harness';
import { buildLaunch, CampaignDriver, memberRecords, organizingProject, serviceProject, verifyReported } from '../support/campaigns';
import { buildChain, buildMember, humanStep, unique } from '../support/factories';
import { issueOk, readBulletin } from '../support/reports';

let h: Harness;
let d: CampaignDriver;
beforeAll(async () => {
  h = await startHarness();
  d = new CampaignDriver(h);
});
afterAll(async () => {
  await h?.close();
});

// Counties no other test file uses for online applications, so the counts are this file's own.
const SHILONG = 'pds-shilong';
const WUGANG = 'pds-wugang';
const BAOFENG = 'pds-baofeng';
const REGIONS = [SHILONG, WUGANG, BAOFENG];
const CAMPAIGN_NAME = `=HYPERLINK("http://evil.example","点我")石龙舞钢宝丰建会入会集中行动 ${unique()}`;

async function asCityStaff<T = any>(method: string, path: string, body?: unknown) {
  return h.call<T>(method, path, { token: await d.as('city.staff'), body });
}

async function application(id: string) {
  return (await h.call('GET', `/api/applications/${id}`, { token: await d.as('city.admin') })).body;
}

async function apply(overrides: Parameters<typeof buildMember>[0]) {
  const r = await h.call('POST', '/api/applications', { body: await withSmsCode(h, null, buildMember(overrides)) });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as string;
}

const region = (b: any, org: string) => b.regions.find((r: { org: string }) => r.org === org);

describe('the content of a bulletin', () => {
  let campaignId: string;
  const orgProject: Record<string, string> = {};
  let first: any;
  let second: any;

  it('counts per region and per group what the regions reported and what workers applied for online, and ranks the regions', async () => {
    const { id } = await d.launch(
      buildLaunch({
        name: CAMPAIGN_NAME,
        regions: REGIONS,
        groups: ['truck_driver', 'courier', 'food_delivery'],
        targets: { newMembers: 30, newUnions: 3, perRegion: { [SHILONG]: { newMembers: 10, newUnions: 1 } } },
      }),
    );
    campaignId = id;
    await d.waitForPhase(id, 'survey');
    for (const r of [SHILONG, WUGANG]) {
      const plan = await asCityStaff('POST', `/api/campaigns/${id}/regions/${r}/plan`, {
        summary: '以货运、快递、外卖为重点',
        measures: ['拉网式排查', '倒排工期'],
      });
      expect(plan.status, JSON.stringify(plan.body)).toBe(200);
    }
    // 宝丰 hands in no plan: overdue (督办) once the survey closes.
    await d.advance(id, '摸底完成');
    await d.waitForPhase(id, 'listing');

    const lists: Record<string, string> = {};
    const projectLists: Record<string, unknown[]> = {
      [SHILONG]: [organizingProject({ type: 'enterprise_union', name: '石龙区某物流公司工会', plannedMembers: 8, groups: ['courier'] }), serviceProject()],
      [WUGANG]: [organizingProject({ type: 'existing_union_growth', name: '舞钢市外卖骑手入会', plannedMembers: 5, groups: ['food_delivery'] })],
      [BAOFENG]: [organizingProject({ type: 'joint_union', name: '宝丰县快递联合工会', plannedMembers: 10, groups: ['courier'] })],
    };
    for (const r of REGIONS) {
      const res = await asCityStaff('POST', `/api/campaigns/${id}/regions/${r}/projects`, { projects: projectLists[r] });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      lists[r] = res.body.applicationId;
    }
    for (const r of REGIONS) {
      await d.act('city.reviewer', lists[r]!, { action: 'approve' });
      await d.act('prov.reviewer', lists[r]!, { action: 'approve' });
    }
    await eventually(async () => ((await d.projectsOf(id)).filter((p) => p.status === 'approved').length === 4 ? true : undefined));
    await d.advance(id, '清单已批复');
    await d.waitForPhase(id, 'implementation');
    for (const r of REGIONS)
      orgProject[r] = (await eventually(async () => (await d.projectsOf(id, r)).find((p) => p.kind === 'organizing' && p.status === 'in_progress'))).id;

    // Progress: 石龙 4 couriers and a union; 舞钢 2 riders.
    const p1 = await asCityStaff('POST', `/api/projects/${orgProject[SHILONG]}/progress`, {
      members: memberRecords(4, 'courier'),
      unionsEstablished: [{ name: '石龙区某物流公司工会', establishedOn: '2026-06-20' }],
    });
    expect(p1.status, JSON.stringify(p1.body)).toBe(200);
    // 建会是一个程序: the union counts once its establishment is approved (石龙 has no staff or reviewer of its own: the city's admin acts).
    await d.establish(orgProject[SHILONG]!, ['city.admin', 'city.admin', 'city.admin', 'city.admin', 'city.admin']);
    const p2 = await asCityStaff('POST', `/api/projects/${orgProject[WUGANG]}/progress`, { members: memberRecords(2, 'food_delivery') });
    expect(p2.status, JSON.stringify(p2.body)).toBe(200);
    // They count once the city's reviewer verifies them (实名核验).
    await verifyReported(h, orgProject[SHILONG]!);
    await verifyReported(h, orgProject[WUGANG]!);

    // 网上入会 in 石龙: one approved (sorted to the city's freight union), one rejected, one pending, one past its time limit.
    const approved = await apply({ group: 'truck_driver', area: SHILONG, name: '货车司机甲' });
    const rejected = await apply({ group: 'truck_driver', area: SHILONG });
    const pending = await apply({ group: 'truck_driver', area: SHILONG });
    // The late one applies in a 石龙 township of its own, whose chain (put in force through the chain change approval) has a short limit.
    const chain = await new Approvals(h).saveChain(
      buildChain({
        type: 'membership',
        steps: [humanStep({ id: 'review', who: { kind: 'users', usernames: ['city.reviewer2'] }, sla: { limit: 1500, onTimeout: 'escalate' } })],
      }),
      // (an industry union of its own: a worker may apply at a city, a county or an industry union)
      { parent: SHILONG, kind: 'industry' },
    );
    const late = await apply({ group: 'courier', area: chain.org });
    // 信息初审 and 身份审核; 吸纳入会 is approved once by the same reviewer automatically.
    for (let i = 0; i < 2; i++) await d.act('freight.reviewer', approved, { action: 'approve' });
    await d.act('freight.reviewer', rejected, { action: 'reject', comment: '非本行业从业人员' });
    await eventually(async () => ((await application(approved)).status === 'approved' ? true : undefined));
    await eventually(async () => ((await application(rejected)).status === 'rejected' ? true : undefined));
    await eventually(async () => ((await application(late)).timeline.some((e: { action: string }) => e.action === 'escalated') ? true : undefined), 15_000);
    expect((await application(pending)).status).toBe('pending');

    // 第1期（临时）: the city admin issues it; the same Idempotency-Key gives the same bulletin.
    const key = unique('bulletin-');
    const issued = await issueOk(h, id, { key });
    expect(issued).toMatchObject({ seq: 1, kind: 'on_demand', label: '第1期（临时）' });
    expect((await issueOk(h, id, { key })).id).toBe(issued.id);
    first = await readBulletin(h, issued.id);

    expect(region(first, SHILONG)).toMatchObject({
      name: '石龙区总工会',
      members: { count: 5, viaProjects: 4, online: 1, target: 10, pct: 50 },
      unions: { established: 1, planned: 1, target: 1, pct: 100 },
      online: { received: 4, approved: 1, pending: 2, rejected: 1, withdrawn: 0 },
      overdue: { deliverables: 0, approvals: 1 },
      rectifying: 0,
      completion: 50,
      byGroup: { courier: { members: 4, applications: 1 }, truck_driver: { members: 1, applications: 3 }, food_delivery: { members: 0, applications: 0 } },
    });
    expect(region(first, WUGANG)).toMatchObject({
      name: '舞钢市总工会',
      members: { count: 2, target: 10, pct: 20 },
      unions: { established: 0, planned: 0, target: 1, pct: 0 },
      online: { received: 0 },
      overdue: { deliverables: 0 },
    });
    expect(region(first, BAOFENG)).toMatchObject({
      name: '宝丰县总工会',
      members: { count: 0, pct: 0 },
      unions: { planned: 1 },
      overdue: { deliverables: 1, approvals: 0 },
    });
    expect(first.totals).toMatchObject({
      members: { count: 7, target: 30 },
      completion: 23.3,
      unions: { established: 1 },
      online: { received: 4, approved: 1, pending: 2 },
      overdue: { deliverables: 1, approvals: 1 },
    });
    expect(first.byGroup).toEqual([
      expect.objectContaining({
        id: 'truck_driver',
        name: '货车司机',
        members: 1,
        plannedMembers: 0,
        pct: null,
        online: expect.objectContaining({ received: 3, approved: 1, rejected: 1, pending: 1 }),
      }),
      expect.objectContaining({
        id: 'courier',
        name: '快递员',
        members: 4,
        plannedMembers: 18,
        pct: 22.2,
        projects: 2,
        online: expect.objectContaining({ received: 1, pending: 1 }),
      }),
      expect.objectContaining({ id: 'food_delivery', name: '网约送餐员', members: 2, plannedMembers: 5, pct: 40, projects: 1 }),
    ]);
    expect(first.ranking.map((r: { org: string; rank: number }) => [r.org, r.rank])).toEqual([
      [SHILONG, 1],
      [WUGANG, 2],
      [BAOFENG, 3],
    ]);
    expect(first.changes).toBeNull();
    expect(first.trend).toEqual([expect.objectContaining({ seq: 1, members: 7, completion: 23.3 })]);

    // The project figures agree with the campaign's own views.
    const view = await d.view(id);
    for (const r of REGIONS) {
      expect(region(first, r).members.viaProjects).toBe(region(view, r).counts.membersRecruited);
      expect(region(first, r).projects.byStatus).toMatchObject(region(view, r).counts.projectsByStatus);
    }
    expect(region(first, SHILONG).projects).toMatchObject({ total: 2, byStatus: { in_progress: 2 } });
  }, 180_000);

  it('the next bulletin shows the change since the previous one, the new ranking and the trend', async () => {
    const r = await asCityStaff('POST', `/api/projects/${orgProject[BAOFENG]}/progress`, { members: memberRecords(6, 'courier') });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    await verifyReported(h, orgProject[BAOFENG]!);
    const issued = await issueOk(h, campaignId);
    expect(issued.seq).toBe(2);
    second = await readBulletin(h, issued.id);
    expect(
      second.ranking.map((x: { org: string; rank: number; previousRank: number; rankChange: number }) => [x.org, x.rank, x.previousRank, x.rankChange]),
    ).toEqual([
      [BAOFENG, 1, 3, 2],
      [SHILONG, 2, 1, -1],
      [WUGANG, 3, 2, -1],
    ]);
    expect(second.changes.previous).toMatchObject({ id: first.id, seq: 1 });
    expect(second.changes.totals).toEqual({ members: 6, unions: 0, applications: 0, approved: 0, completionPts: 20 });
    expect(second.changes.regions.find((c: { org: string }) => c.org === BAOFENG)).toMatchObject({ members: 6, completionPts: 60, rankChange: 2 });
    expect(second.changes.regions.find((c: { org: string }) => c.org === SHILONG)).toMatchObject({ members: 0, completionPts: 0, rankChange: -1 });
    expect(second.trend.map((p: { seq: number; completion: number }) => [p.seq, p.completion])).toEqual([
      [1, 23.3],
      [2, 43.3],
    ]);
    // The first bulletin is a snapshot: unchanged by later data, and the database refuses to alter it.
    expect((await readBulletin(h, first.id)).totals.members.count).toBe(7);
    await expect(
      h
        .db('reports')
        .where({ id: first.id })
        .update({ data: JSON.stringify({}) }),
    ).rejects.toThrow(/immutable/);
    await expect(h.db('reports').where({ id: first.id }).delete()).rejects.toThrow(/immutable/);
  }, 60_000);

  it('is readable as a print-friendly Chinese page with SVG charts, as CSV with formulas neutralized, and as a workbook with one sheet per table — Chinese only, Beijing times, English on request', async () => {
    const token = await d.as('city.lead');
    const html = await h.call('GET', `/api/reports/${second.id}?format=html`, { token });
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    const page = html.body as string;
    expect(page).toContain('<html lang="zh-CN">');
    expect(page.match(/<svg /g)?.length).toBe(2);
    for (const name of ['石龙区总工会', '舞钢市总工会', '宝丰县总工会', '快递员', '网约送餐员', '第2期', '平顶山市总工会']) expect(page).toContain(name);
    expect(page).toContain('60.0%'); // 宝丰's bar, zh-CN formatted
    expect(page).toContain('@media print');
    // The campaign's name is escaped, never markup.
    expect(page).toContain('=HYPERLINK(&quot;http://evil.example&quot;');
    expect(page).not.toContain('HYPERLINK("');
    // The Chinese print: no English label, no raw UTC time, no internal data version; times in Beijing time.
    const visible = page.replace(/<style>[\s\S]*?<\/style>/, '').replace(/<[^<>]*>/g, ' ');
    for (const en of ['Overview', 'Completion', 'Region', 'Unions', 'members', 'Bulletin', 'UTC', 'Data version', 'xmin', 'Progress', 'period'])
      expect(visible).not.toContain(en);
    expect(visible).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
    expect(visible).toMatch(/数据截至：\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d/);
    // The English print says it in English (names stay as they are).
    const en = (await h.call('GET', `/api/reports/${second.id}?format=html&lang=en`, { token })).body as string;
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('Completion by region');
    expect(en).toMatch(/Data as of: \d{4}-\d\d-\d\d \d\d:\d\d \(Beijing time\)/);
    expect(en).not.toContain('通报周期');
    expect((await h.call('GET', `/api/reports/${second.id}?format=html&lang=fr`, { token })).status).toBe(400);

    const csv = await fetch(`${h.url}/api/reports/${second.id}?format=csv`, { headers: { authorization: `Bearer ${token}` } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="bulletin-.*\.csv"; filename\*=UTF-8''/);
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 BOM, so Excel and WPS read the Chinese
    const text = bytes.subarray(3).toString('utf8');
    const cells: string[] = parseCsv(text, { relax_column_count: true, skip_empty_lines: true }).flat();
    expect(cells).toContain(`'${CAMPAIGN_NAME}`);
    expect(cells.filter((c) => /^[=+@\t\r]|^-(?!\d)/.test(c))).toEqual([]);
    expect(cells).toEqual(expect.arrayContaining(['石龙区总工会', '一、分地区建会入会进展']));
    expect(cells.filter((c) => /[a-z]{3,}/i.test(c) && !c.includes('HYPERLINK'))).toEqual([]);
    expect(cells.filter((c) => /\d{4}-\d\d-\d\dT/.test(c))).toEqual([]);
    const ranking = await h.call('GET', `/api/reports/${second.id}?format=csv&table=ranking`, { token });
    const rows: string[][] = parseCsv((ranking.body as string).replace(/^\uFEFF/, ''));
    expect(rows[0]![0]).toBe('名次');
    expect(rows.slice(1).map((r) => [r[0], r[1], r[2]])).toEqual([
      ['1', '宝丰县总工会', '60'],
      ['2', '石龙区总工会', '50'],
      ['3', '舞钢市总工会', '20'],
    ]);

    const xlsx = await fetch(`${h.url}/api/reports/${second.id}?format=xlsx`, { headers: { authorization: `Bearer ${token}` } });
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as never);
    expect(wb.worksheets).toHaveLength(TABLE_KEYS.length);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['概况', '分地区', '项目与督办', '分群体', '地区×群体', '排名', '较上期', '趋势', '整改事项']);
    const regionsSheet = wb.getWorksheet('分地区')!;
    const rowOf = (name: string) => regionsSheet.getRows(3, regionsSheet.rowCount)!.find((r) => r.getCell(1).value === name)!;
    expect(rowOf('宝丰县总工会').getCell(6).value).toBe(6); // new members, a number
    expect(rowOf('石龙区总工会').getCell(10).value).toBe(50);
    expect(rowOf('全市合计').getCell(6).value).toBe(13);
    expect(wb.getWorksheet('趋势')!.rowCount).toBe(2 + 2);
    const enWb = new ExcelJS.Workbook();
    await enWb.xlsx.load(
      Buffer.from(
        await (await fetch(`${h.url}/api/reports/${second.id}?format=xlsx&lang=en`, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer(),
      ) as never,
    );
    expect(enWb.worksheets.map((w) => w.name)).toContain('By region');

    const bad = await h.call('GET', `/api/reports/${second.id}?format=pdf`, { token });
    expect(bad.status).toBe(400);
  }, 60_000);

  it('counts rectifications open once a self-assessment is sent back with a deadline (限期整改)', async () => {
    await d.advance(campaignId, '进入考核');
    await d.waitForPhase(campaignId, 'assessment');
    const sa = await asCityStaff('POST', `/api/projects/${orgProject[SHILONG]}/self-assessment`, {
      summary: '已建会并发展会员',
      membersRecruited: 4,
      unionsEstablished: 1,
    });
    expect(sa.status, JSON.stringify(sa.body)).toBe(201);
    await d.act('city.reviewer', sa.body.assessmentApplicationId, {
      action: 'return',
      returnTo: 'applicant',
      deadline: new Date(Date.now() + 3_600_000).toISOString(),
      comment: '实名记录不全，限期整改',
    });
    await eventually(async () => ((await d.project(orgProject[SHILONG]!)).status === 'rectifying' ? true : undefined));
    const third = await readBulletin(h, (await issueOk(h, campaignId)).id);
    expect(region(third, SHILONG)).toMatchObject({ rectifying: 1, projects: { byStatus: { rectifying: 1 } } });
    expect(third.totals.rectifying).toBe(1);
    expect(third.campaign.phase).toBe('assessment');
    expect(third.trend.map((p: { seq: number }) => p.seq)).toEqual([1, 2, 3]);
  }, 60_000);
});
