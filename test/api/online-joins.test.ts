/**
 * Issue 16, figures at the seeds' cadences (日收集、周调度、月督查):
 * GET /api/campaigns/:id/online-joins counts online membership applications
 * per participating region by Beijing day, ISO week and calendar month —
 * received, joined, rejected, pending — as JSON, CSV and a workbook; only
 * for whoever may see the campaign; a bad cadence is a 400 naming `by`.
 *
 * Two counties of this test's own under 平顶山 take part, so the counts are
 * this file's. Two applications are moved to fixed instants either side of
 * a Beijing midnight (the last minute of Saturday 2026-10-31 and the first of
 * Sunday 2026-11-01): same ISO week, different days and months.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { periodOf } from '../../domain/join-cadence';
import { Approvals, withSmsCode } from '../support/approvals';
import { eventually, startHarness, type Harness } from '../support/harness';
import { buildLaunch, CampaignDriver } from '../support/campaigns';
import { buildChain, buildMember, humanStep } from '../support/factories';

let h: Harness;
let d: CampaignDriver;
beforeAll(async () => {
  h = await startHarness();
  d = new CampaignDriver(h);
});
afterAll(async () => {
  await h?.close();
});

async function apply(area: string) {
  const r = await h.call('POST', '/api/applications', { body: await withSmsCode(h, null, buildMember({ group: 'courier', area })) });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as string;
}

async function get(username: string, path: string) {
  return h.call('GET', path, { token: await h.login(username) });
}

async function download(username: string, path: string) {
  const res = await fetch(h.url + path, { headers: { authorization: `Bearer ${await h.login(username)}` } });
  return { status: res.status, type: res.headers.get('content-type') ?? '', bytes: Buffer.from(await res.arrayBuffer()) };
}

const zero = { received: 0, approved: 0, rejected: 0, pending: 0, withdrawn: 0 };

describe('online-join figures by day, week and month', () => {
  let campaignId: string;
  let regionA: string;
  let regionB: string;
  let nowAt: Date;

  beforeAll(async () => {
    const api = new Approvals(h);
    // County A: one reviewer decides its membership applications; county B takes part without any.
    const a = await api.saveChain(
      buildChain({ type: 'membership', steps: [humanStep({ id: 'review', who: { kind: 'users', usernames: ['city.reviewer2'] } })] }),
      { parent: 'pds', kind: 'county' },
    );
    regionA = a.org;
    regionB = (await api.sandbox({ parent: 'pds', kind: 'county' })).org;
    campaignId = (await d.launch(buildLaunch({ regions: [regionA, regionB], targets: { newMembers: 10, newUnions: 1 }, groups: ['courier', 'food_delivery'] })))
      .id;

    const approved = await apply(regionA);
    const rejected = await apply(regionA);
    const lastMinuteOfOctober = await apply(regionA);
    const firstMinuteOfNovember = await apply(regionA);
    await d.act('city.reviewer2', approved, { action: 'approve' });
    await d.act('city.reviewer2', rejected, { action: 'reject', comment: '非本区从业人员' });
    await eventually(async () => {
      const rows = await h.db('applications').whereIn('id', [approved, rejected]).select('status');
      return rows.filter((r) => r.status === 'approved' || r.status === 'rejected').length === 2 ? true : undefined;
    });
    await h
      .db('applications')
      .where({ id: lastMinuteOfOctober })
      .update({ created_at: new Date('2026-10-31T15:59:00Z') });
    await h
      .db('applications')
      .where({ id: firstMinuteOfNovember })
      .update({ created_at: new Date('2026-10-31T16:00:00Z') });
    nowAt = (await h.db('applications').where({ id: approved }).first('created_at')).created_at;
  });

  it('counts per Beijing day: the two minutes around midnight fall on two days', async () => {
    const r = await get('city.staff', `/api/campaigns/${campaignId}/online-joins?by=day&from=2026-10-01`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const today = periodOf(nowAt, 'day');
    expect(r.body.periods.map((p: { key: string }) => p.key)).toEqual(['2026-10-31', '2026-11-01', today.key]);
    expect(r.body.periods[0]).toMatchObject({ label: '2026年10月31日', total: { ...zero, received: 1, pending: 1 } });
    const a = r.body.regions.find((x: { org: string }) => x.org === regionA);
    const b = r.body.regions.find((x: { org: string }) => x.org === regionB);
    expect(a.name).toMatch(/^测试乡镇 /);
    expect(a.periods).toEqual([
      { key: '2026-10-31', ...zero, received: 1, pending: 1 },
      { key: '2026-11-01', ...zero, received: 1, pending: 1 },
      { key: today.key, ...zero, received: 2, approved: 1, rejected: 1 },
    ]);
    expect(a.total).toEqual({ ...zero, received: 4, approved: 1, rejected: 1, pending: 2 });
    expect(b.total).toEqual(zero);
    expect(r.body.total).toEqual(a.total);
  });

  it('counts per ISO week (Monday to Sunday) and per calendar month', async () => {
    const week = await get('city.staff', `/api/campaigns/${campaignId}/online-joins?by=week&from=2026-10-01`);
    expect(week.status).toBe(200);
    expect(week.body.periods[0]).toMatchObject({ key: '2026-W44', label: '2026年第44周 (10-26—11-01)', total: { ...zero, received: 2, pending: 2 } });
    expect(week.body.periods[1]).toMatchObject({ key: periodOf(nowAt, 'week').key, total: { ...zero, received: 2, approved: 1, rejected: 1 } });

    const month = await get('city.staff', `/api/campaigns/${campaignId}/online-joins?by=month&from=2026-10-01`);
    expect(month.status).toBe(200);
    const thisMonth = periodOf(nowAt, 'month');
    const expected: Record<string, number> = { '2026-10': 1, '2026-11': 1 };
    expected[thisMonth.key] = (expected[thisMonth.key] ?? 0) + 2;
    expect(Object.fromEntries(month.body.periods.map((p: { key: string; total: { received: number } }) => [p.key, p.total.received]))).toEqual(expected);
    expect(month.body.periods[0].label).toBe('2026年10月');
  });

  it('from and to are Beijing days, both included; without from the count starts with the campaign', async () => {
    const oct = await get('city.admin', `/api/campaigns/${campaignId}/online-joins?by=day&from=2026-10-31&to=2026-10-31`);
    expect(oct.body.total).toEqual({ ...zero, received: 1, pending: 1 });
    const nov = await get('city.admin', `/api/campaigns/${campaignId}/online-joins?by=day&from=2026-11-01&to=2026-11-01`);
    expect(nov.body.total).toEqual({ ...zero, received: 1, pending: 1 });
    // The moved applications predate the campaign: by default only the two received since it started count.
    const since = await get('city.admin', `/api/campaigns/${campaignId}/online-joins?by=week`);
    expect(since.body.total).toEqual({ ...zero, received: 2, approved: 1, rejected: 1 });
  });

  it('exports the table with Chinese headers, names and a total, as a workbook and as CSV', async () => {
    const xlsx = await download('city.staff', `/api/campaigns/${campaignId}/online-joins?by=week&from=2026-10-01&format=xlsx`);
    expect(xlsx.status).toBe(200);
    expect(xlsx.type).toMatch(/spreadsheetml/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.bytes as never);
    const rows: unknown[][] = [];
    wb.worksheets[0]!.eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
    expect(rows[0]).toEqual(['期间', '地区', '收到申请', '已入会', '未通过', '待审批', '已撤回']);
    const regionAName = (await h.db('orgs').where({ id: regionA }).first('name')).name;
    expect(rows).toContainEqual(['2026年第44周 (10-26—11-01)', regionAName, 2, 0, 0, 2, 0]);
    expect(rows.at(-1)).toEqual(['全部期间', '合计', 4, 1, 1, 2, 0]);

    const csv = await download('city.staff', `/api/campaigns/${campaignId}/online-joins?by=month&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.type).toMatch(/text\/csv/);
    const text = csv.bytes.toString('utf8');
    expect(text.startsWith('\uFEFF期间,地区,收到申请,已入会,未通过,待审批,已撤回\r\n')).toBe(true);
    expect(text).toContain(`${periodOf(nowAt, 'month').label},合计,2,1,1,0,0`);
  });

  it('a participating county reads them; a county not taking part and another city get 404', async () => {
    const sb = await new Approvals(h).sandbox({ parent: regionA });
    expect((await get(sb.staff, `/api/campaigns/${campaignId}/online-joins`)).status).toBe(200);
    expect((await get('xinhua.staff', `/api/campaigns/${campaignId}/online-joins`)).status).toBe(404);
    expect((await get('xc.admin', `/api/campaigns/${campaignId}/online-joins?format=xlsx`)).status).toBe(404);
    expect((await h.call('GET', `/api/campaigns/${campaignId}/online-joins`)).status).toBe(401);
  });

  it('a cadence other than day, week or month, or a bad date, is a 400 naming the field', async () => {
    const year = await get('city.admin', `/api/campaigns/${campaignId}/online-joins?by=year`);
    expect(year.status).toBe(400);
    expect(year.body.errors.map((e: { path: string }) => e.path)).toEqual(['by']);
    const dates = await get('city.admin', `/api/campaigns/${campaignId}/online-joins?from=2026-13-45&to=yesterday`);
    expect(dates.status).toBe(400);
    expect(dates.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['from', 'to']);
  });
});
