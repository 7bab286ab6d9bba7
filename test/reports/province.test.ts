/**
 * The province's view across its cities (全省概览) and its bulletin of cities
 * (全省通报), against campaigns launched in both demo cities through the API:
 * 平顶山 with a region that reports members (counted once the city's reviewer
 * verifies them, 实名核验) and a region whose plan is overdue (督办); 许昌 with both regions overdue and escalated to 问责. The
 * campaigns use a year no other campaign uses, so the overview of that year is
 * this file's own: completion by city (counted as each city's bulletin counts
 * it), the ranking, overdue counts per city, phases, each city's configuration;
 * who may see it (exact statuses, nothing written); the bulletin on demand and
 * from its Temporal Schedule, with the cities in it, in every format.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provinceBulletinScheduleId } from '../../domain/province';
import { eventually, startHarness, type Harness } from '../support/harness';
import { buildLaunch, CampaignDriver, memberRecords, organizingProject, verifyReported } from '../support/campaigns';
import { unique } from '../support/factories';

let h: Harness;
let d: CampaignDriver;
let year: number;
const names = { pds: `平顶山省级概览测试行动 ${unique()}`, xc: `许昌省级概览测试行动 ${unique()}` };
const ids: Record<string, string> = {};

beforeAll(async () => {
  h = await startHarness();
  d = new CampaignDriver(h);
  // A year no campaign has yet: the overview of that year holds this file's campaigns only.
  const used = new Set((await h.db('campaigns').where('year', '>=', 2050).distinct('year')).map((r: { year: number }) => r.year));
  const free = Array.from({ length: 50 }, (_, i) => 2050 + i).filter((y) => !used.has(y));
  year = free[Math.floor(Math.random() * free.length)]!;
});
afterAll(async () => {
  await h?.close();
});

const call = async (username: string, method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  h.call(method, path, { token: await h.login(username), body, headers });

describe('the province overview across its cities', () => {
  it('shows both cities’ campaigns with completion, the ranking, overdue work, phases and each city’s configuration', async () => {
    // 平顶山: 新华 hands in its plan, 卫东 does not (督办); 新华's project recruits 4 couriers.
    const pds = await d.launch(
      buildLaunch({
        name: names.pds,
        year,
        regions: ['pds-xinhua', 'pds-weidong'],
        groups: ['courier', 'food_delivery'],
        targets: { newMembers: 20, newUnions: 2 },
      }),
    );
    ids.pds = pds.id;
    // 许昌: launched by its own admin, both regions silent; a one-second grace, so 督办 becomes 问责.
    const xcLaunch = await call(
      'xc.admin',
      'POST',
      '/api/campaigns',
      buildLaunch({
        name: names.xc,
        year,
        cityOrg: 'xc',
        regions: ['xc-weidu', 'xc-jianan'],
        groups: ['courier', 'truck_driver'],
        targets: { newMembers: 10, newUnions: 1 },
        remindBefore: 1000,
      }),
    );
    expect(xcLaunch.status, JSON.stringify(xcLaunch.body)).toBe(201);
    ids.xc = xcLaunch.body.id;

    await d.waitForPhase(ids.pds, 'survey');
    const plan = await call('city.staff', 'POST', `/api/campaigns/${ids.pds}/regions/pds-xinhua/plan`, { summary: '以快递为重点', measures: ['拉网式排查'] });
    expect(plan.status, JSON.stringify(plan.body)).toBe(200);
    await d.advance(ids.pds, '摸底完成');
    await d.waitForPhase(ids.pds, 'listing');
    const list = await call('city.staff', 'POST', `/api/campaigns/${ids.pds}/regions/pds-xinhua/projects`, {
      projects: [organizingProject({ type: 'enterprise_union', plannedMembers: 8, groups: ['courier'] })],
    });
    expect(list.status, JSON.stringify(list.body)).toBe(201);
    await d.act('city.reviewer', list.body.applicationId, { action: 'approve' });
    await d.act('prov.reviewer', list.body.applicationId, { action: 'approve' });
    await eventually(async () => ((await d.projectsOf(ids.pds!)).some((p) => p.status === 'approved') ? true : undefined));
    await d.advance(ids.pds, '清单已批复');
    await d.waitForPhase(ids.pds, 'implementation');
    const project = await eventually(async () => (await d.projectsOf(ids.pds!, 'pds-xinhua')).find((p) => p.status === 'in_progress'));
    const progress = await call('city.staff', 'POST', `/api/projects/${project.id}/progress`, { members: memberRecords(4, 'courier') });
    expect(progress.status, JSON.stringify(progress.body)).toBe(200);
    // Reported, they wait for real-name verification (待核验) and count nowhere yet; the city's reviewer verifies all four.
    expect(await h.db('projects').where({ id: project.id }).first('members_recruited', 'members_pending')).toEqual({
      members_recruited: 0,
      members_pending: 4,
    });
    const pending = await call('prov.admin', 'GET', `/api/orgs/henan/overview?year=${year}`);
    expect(pending.status, JSON.stringify(pending.body)).toBe(200);
    expect(pending.body.cities.find((c: { org: string }) => c.org === 'pds').members).toEqual({ count: 0, target: 20, pct: 0 });
    const verified = await verifyReported(h, project.id);
    expect(verified.results.map((x: { status: string }) => x.status)).toEqual(['verified', 'verified', 'verified', 'verified']);
    expect(verified.progress).toEqual({ membersRecruited: 4, membersPending: 0 });

    await eventually(async () => ((await call('xc.admin', 'GET', `/api/campaigns/${ids.xc}`)).body.phase === 'survey' ? true : undefined));
    const xcAdvance = await call('xc.admin', 'POST', `/api/campaigns/${ids.xc}/advance`, { reason: '摸底期满' });
    expect(xcAdvance.status, JSON.stringify(xcAdvance.body)).toBe(200);
    // Both 许昌 regions overdue and, after the grace, escalated to accountability.
    await eventually(async () => {
      const rows = await h.db('campaign_regions').where({ campaign_id: ids.xc }).select('overdue');
      return rows.every((r: { overdue: { level: string }[] }) => r.overdue.some((o) => o.level === 'accountability')) ? true : undefined;
    }, 30_000);

    const r = await eventually(async () => {
      const res = await call('prov.admin', 'GET', `/api/orgs/henan/overview?year=${year}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const city = res.body.cities.find((c: { org: string }) => c.org === 'pds');
      return city?.members.count === 4 ? res.body : undefined;
    });
    expect(r.org).toEqual({ id: 'henan', name: '河南省总工会', kind: 'province' });
    expect(r.year).toBe(year);
    expect(r.campaigns.map((c: { name: string }) => c.name).sort()).toEqual([names.pds, names.xc].sort());

    // The ranking: 平顶山 (4 of 20, 20%) before 许昌 (0 of 10).
    expect(r.ranking).toEqual([
      { rank: 1, org: 'pds', name: '平顶山市总工会', completion: 20, members: 4, target: 20, unionsPct: 0 },
      { rank: 2, org: 'xc', name: '许昌市总工会', completion: 0, members: 0, target: 10, unionsPct: 0 },
    ]);
    const city = (org: string) => r.cities.find((c: { org: string }) => c.org === org);
    expect(city('pds')).toMatchObject({
      name: '平顶山市总工会',
      campaigns: 1,
      rank: 1,
      members: { count: 4, target: 20, pct: 20 },
      unions: { established: 0, target: 2 },
      completion: 20,
      // 卫东: its plan (survey) and its project list (listing), both under supervision.
      overdue: { items: 2, supervision: 2, accountability: 0, approvalsPastLimit: 0 },
    });
    expect(city('xc')).toMatchObject({
      name: '许昌市总工会',
      campaigns: 1,
      rank: 2,
      members: { count: 0, target: 10, pct: 0 },
      overdue: { items: 2, supervision: 0, accountability: 2 },
    });
    // Each city keeps its own configuration: groups with the city's own industry union, targets.
    expect(city('pds').configuration).toEqual([
      {
        campaign: ids.pds,
        campaignName: names.pds,
        groups: [
          { id: 'courier', name: '快递员', industryUnion: '市工交工会' },
          { id: 'food_delivery', name: '网约送餐员', industryUnion: '市工交工会' },
        ],
        targets: { newMembers: 20, newUnions: 2 },
        regions: 2,
      },
    ]);
    expect(city('xc').configuration[0].groups).toEqual([
      { id: 'courier', name: '快递员', industryUnion: '许昌市工交工会' },
      { id: 'truck_driver', name: '货车司机', industryUnion: '许昌市工交工会' },
    ]);
    // Phases per campaign.
    const campaign = (id: string) => r.campaigns.find((c: { id: string }) => c.id === id);
    expect(campaign(ids.pds)).toMatchObject({ phase: 'implementation', phaseLabel: '推进实施 / implementation', cityName: '平顶山市总工会', regions: 2 });
    expect(campaign(ids.xc!)).toMatchObject({ phase: 'listing', phaseLabel: '立项审核 / project listing and review', cityName: '许昌市总工会' });
    expect(r.totals).toMatchObject({ campaigns: 2, members: { count: 4, target: 30 }, overdue: { items: 4, supervision: 2, accountability: 2 } });

    // The same figures as the city's own bulletin counts them.
    const bulletin = await call('city.admin', 'POST', `/api/campaigns/${ids.pds}/reports`);
    expect(bulletin.status, JSON.stringify(bulletin.body)).toBe(201);
    expect(bulletin.body.headline).toMatchObject({ newMembers: 4, targetMembers: 20, completion: 20 });
  });

  it('is open to the province’s admins, supervisors and reviewers; a city sees only itself; others are refused', async () => {
    for (const u of ['prov.lead', 'prov.reviewer']) {
      const r = await call(u, 'GET', `/api/orgs/henan/overview?year=${year}`);
      expect(r.status, u).toBe(200);
      expect(r.body.ranking.map((x: { org: string }) => x.org)).toEqual(['pds', 'xc']);
    }
    // A city's own overview: itself alone.
    const own = await call('city.admin', 'GET', `/api/orgs/pds/overview?year=${year}`);
    expect(own.status).toBe(200);
    expect(own.body.cities.map((c: { org: string }) => c.org)).toEqual(['pds']);
    expect(own.body.campaigns.map((c: { id: string }) => c.id)).toEqual([ids.pds]);
    // The province above a city user: seen, not theirs (403); another city: not found (404); a county, staff: 403.
    expect((await call('city.admin', 'GET', `/api/orgs/henan/overview?year=${year}`)).status).toBe(403);
    expect((await call('xc.lead', 'GET', `/api/orgs/henan/overview?year=${year}`)).status).toBe(403);
    expect((await call('xc.admin', 'GET', `/api/orgs/pds/overview?year=${year}`)).status).toBe(404);
    expect((await call('xinhua.staff', 'GET', `/api/orgs/pds/overview?year=${year}`)).status).toBe(403);
    expect((await call('city.staff', 'GET', `/api/orgs/pds/overview?year=${year}`)).status).toBe(403);
    expect((await call('prov.admin', 'GET', '/api/orgs/pds-xinhua/overview')).status).toBe(404);
    expect((await call('prov.admin', 'GET', '/api/orgs/nowhere/overview')).status).toBe(404);
    const bad = await call('prov.admin', 'GET', '/api/orgs/henan/overview?year=1999');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['year']);
  });
});

describe('the province bulletin of cities', () => {
  const count = async () => Number((await h.db('province_bulletins').where({ org_id: 'henan' }).count<{ count: string }[]>('* as count'))[0]!.count);

  it('a province admin issues one on demand: the cities ranked, the supervisors told, in every format', async () => {
    const before = await count();
    const settingsBefore = await h.db('province_bulletin_settings').where({ org_id: 'henan' }).first();
    // City users and the province's supervisor may not issue or set it; nothing is written.
    expect((await call('city.admin', 'POST', '/api/orgs/henan/bulletins', { year })).status).toBe(403);
    expect((await call('prov.lead', 'POST', '/api/orgs/henan/bulletins', { year })).status).toBe(403);
    expect((await call('xc.admin', 'POST', '/api/orgs/pds/bulletins', { year })).status).toBe(404);
    expect((await call('city.admin', 'POST', '/api/orgs/henan/bulletins/schedule', { every: 'P1M' })).status).toBe(403);
    expect((await call('city.admin', 'GET', '/api/orgs/henan/bulletins')).status).toBe(403);
    expect(await count()).toBe(before);
    expect(await h.db('province_bulletin_settings').where({ org_id: 'henan' }).first()).toEqual(settingsBefore);

    const key = unique('pb-');
    const issued = await call('prov.admin', 'POST', '/api/orgs/henan/bulletins', { year }, { 'Idempotency-Key': key });
    expect(issued.status, JSON.stringify(issued.body)).toBe(201);
    expect(issued.body).toMatchObject({ kind: 'on_demand', year });
    expect(issued.body.label).toMatch(/^第\d+期（临时）$/);
    const again = await call('prov.admin', 'POST', '/api/orgs/henan/bulletins', { year }, { 'Idempotency-Key': key });
    expect(again.body.id).toBe(issued.body.id);
    expect(await count()).toBe(before + 1);

    const json = await call('prov.lead', 'GET', `/api/province-bulletins/${issued.body.id}`);
    expect(json.status).toBe(200);
    expect(json.body.overview.ranking.map((x: { name: string; rank: number }) => [x.rank, x.name])).toEqual([
      [1, '平顶山市总工会'],
      [2, '许昌市总工会'],
    ]);
    expect(json.body.recipients).toEqual(['省总督办']);
    const notice = await h
      .db('notifications')
      .where({ username: 'prov.lead', event_key: `province-bulletin:${issued.body.id}:prov.lead` })
      .first();
    expect(notice.message).toContain('第一名 平顶山市总工会');
    // In 消息 it leads to 全省概览, where the province's bulletins are listed.
    const inbox = await call('prov.lead', 'GET', '/api/notifications?kind=bulletin&limit=50');
    expect(inbox.status).toBe(200);
    expect(inbox.body.items.find((n: { id: string }) => n.id === String(notice.id))).toMatchObject({ kind: 'bulletin', link: '/province' });

    const html = await call('prov.reviewer', 'GET', `/api/province-bulletins/${issued.body.id}?format=html`);
    expect(html.status).toBe(200);
    expect(html.body).toContain(`关于${year}年各市建会入会集中行动推进情况的通报`);
    expect(html.body).toContain('<svg');
    expect(html.body).toContain(names.xc);
    const en = await call('prov.reviewer', 'GET', `/api/province-bulletins/${issued.body.id}?format=html&lang=en`);
    expect(en.body).toContain('Completion by city');
    const csv = await call('prov.admin', 'GET', `/api/province-bulletins/${issued.body.id}?format=csv&table=ranking`);
    expect(csv.status).toBe(200);
    expect(csv.body.split('\r\n').slice(0, 3)).toEqual([
      '名次,城市,完成率,新增会员,会员目标,建会完成率',
      '1,平顶山市总工会,20,4,20,0',
      '2,许昌市总工会,0,0,10,0',
    ]);
    const xlsx = await h.call('GET', `/api/province-bulletins/${issued.body.id}?format=xlsx`, { token: await h.login('prov.admin') });
    expect(xlsx.status).toBe(200);
    const res = await fetch(`${h.url}/api/province-bulletins/${issued.body.id}?format=xlsx`, {
      headers: { authorization: `Bearer ${await h.login('prov.admin')}` },
    });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['各市', '排名', '行动', '配置']);
    expect(wb.getWorksheet('排名')!.getRow(3).values).toEqual([undefined, 1, '平顶山市总工会', 20, 4, 20, 0]);

    // Readers: not a city's people (403), nobody outside the province tree learns of it.
    expect((await call('city.admin', 'GET', `/api/province-bulletins/${issued.body.id}`)).status).toBe(403);
    expect((await call('prov.admin', 'GET', '/api/province-bulletins/nope')).status).toBe(404);
    const list = await call('prov.lead', 'GET', '/api/orgs/henan/bulletins');
    expect(list.status).toBe(200);
    expect(list.body.items[0]).toMatchObject({ id: issued.body.id, issuedByName: '省总基层工作部管理员' });
  });

  it('the province sets its period; its Temporal Schedule issues the bulletin of the period just ended, with the cities in it', async () => {
    const bad = await call('prov.admin', 'POST', '/api/orgs/henan/bulletins/schedule', { every: 'P13M' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['every']);
    const set = await call('prov.admin', 'POST', '/api/orgs/henan/bulletins/schedule', { every: 'P1M' });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toMatchObject({ every: 'P1M', label: '每月 / monthly' });
    expect(set.body.schedule.nextRuns.length).toBeGreaterThan(0);
    // The next run: 00:00 on the first of a month, Beijing time.
    const next = new Date(set.body.schedule.nextRuns[0]);
    expect(new Date(next.getTime() + 8 * 3_600_000).toISOString().slice(8, 19)).toBe('01T00:00:00');

    // Run it now, as the schedule does at a period's end: the bulletin of the month that has ended.
    // (The province's cities are all its active city federations — other files add cities of their own to the shared tree.)
    const provinceCities = async () => ((await h.db('orgs').where({ parent_id: 'henan', kind: 'city', active: true }).pluck('name')) as string[]).sort();
    const citiesBefore = await provinceCities();
    expect(citiesBefore).toEqual(expect.arrayContaining(['平顶山市总工会', '许昌市总工会']));
    const handle = h.temporal.schedule.getHandle(provinceBulletinScheduleId('henan'));
    await handle.trigger();
    const now = new Date(Date.now() + 8 * 3_600_000);
    const prev = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
    const key = `${prev.toISOString().slice(0, 7)}~${now.toISOString().slice(0, 7)}`;
    const row = await eventually(async () => h.db('province_bulletins').where({ org_id: 'henan', period: key }).first(), 30_000);
    expect(row).toMatchObject({ kind: 'scheduled', issued_by: 'system', year: prev.getUTCFullYear() });
    expect(row.data.period.label).toContain(`${prev.getUTCFullYear()}年${prev.getUTCMonth() + 1}月`);
    const citiesAfter = await provinceCities();
    const inBulletin = (row.data.overview.cities as { name: string }[]).map((c) => c.name).sort();
    // Exactly the province's cities when it was issued: each city there before, none that was not there after.
    expect(inBulletin).toEqual(expect.arrayContaining(citiesBefore));
    expect(citiesAfter).toEqual(expect.arrayContaining(inBulletin));
    expect(new Set(inBulletin).size).toBe(inBulletin.length);
    await handle.delete();
  });
});
