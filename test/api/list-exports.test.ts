/**
 * Search, filters, pages and exports of the lists (issue 15): GET /api/campaigns (q, year, phase, city),
 * GET /api/notifications (kind, read, from, to, q) and the task views (format=) — 400 naming each bad
 * parameter, and downloads with Chinese headers, names rather than ids or logins, and Beijing times.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Approvals, type Sandbox } from '../support/approvals';
import { buildLaunch, CampaignDriver } from '../support/campaigns';
import { buildSubsidy, unique } from '../support/factories';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;
let d: CampaignDriver;
let api: Approvals;
let sb: Sandbox & { admin: string };
const tag = unique('导出');
let campaignA: string;
let campaignB: string;

beforeAll(async () => {
  h = await startHarness();
  d = new CampaignDriver(h);
  api = new Approvals(h);
  campaignA = (await d.launch(buildLaunch({ name: `${tag} 甲行动`, year: 2031, regions: ['pds-xinhua'] }))).id;
  campaignB = (await d.launch(buildLaunch({ name: `${tag} 乙行动`, year: 2032, regions: ['pds-xinhua'] }))).id;
  // Both have opened their survey (the list shows the phase the campaign's row shows).
  await Promise.all([d.waitForPhase(campaignA, 'survey'), d.waitForPhase(campaignB, 'survey')]);
  sb = (await api.sandbox({ admin: true })) as Sandbox & { admin: string };
});
afterAll(async () => {
  await h?.close();
});

async function get(username: string, path: string) {
  return h.call('GET', path, { token: await h.login(username) });
}

/** A download as bytes, with its headers. */
async function download(username: string, path: string) {
  const res = await fetch(h.url + path, { headers: { authorization: `Bearer ${await h.login(username)}` } });
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    disposition: res.headers.get('content-disposition') ?? '',
    bytes: Buffer.from(await res.arrayBuffer()),
  };
}

async function sheetRows(bytes: Buffer): Promise<unknown[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as never);
  const rows: unknown[][] = [];
  wb.worksheets[0]!.eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
  return rows;
}

describe('GET /api/campaigns', () => {
  it('searches by name and filters by year, phase and city', async () => {
    const q = encodeURIComponent(tag);
    const both = await get('city.admin', `/api/campaigns?q=${q}`);
    expect(both.status).toBe(200);
    expect(both.body.items.map((c: { id: string }) => c.id).sort()).toEqual([campaignA, campaignB].sort());
    expect(both.body.items[0]).toMatchObject({ cityName: '平顶山市总工会', reportPeriod: '每60天 / every 60 days' });
    const y = await get('city.admin', `/api/campaigns?q=${q}&year=2031`);
    expect(y.body.items.map((c: { id: string }) => c.id)).toEqual([campaignA]);
    const other = await get('city.admin', `/api/campaigns?q=${q}&city=xuchang`);
    expect(other.body.items).toEqual([]);
    const closed = await get('city.admin', `/api/campaigns?q=${q}&phase=closed`);
    expect(closed.body.items).toEqual([]);
    // A page of one, then the next.
    const first = await get('city.admin', `/api/campaigns?q=${q}&limit=1`);
    expect(first.body.items).toHaveLength(1);
    const second = await get('city.admin', `/api/campaigns?q=${q}&limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
  });

  it('answers 400 naming each bad parameter', async () => {
    const r = await get('city.admin', '/api/campaigns?year=abc&phase=done&format=pdf&limit=0');
    expect(r.status).toBe(400);
    expect((r.body.errors as { path: string }[]).map((e) => e.path).sort()).toEqual(['format', 'limit', 'phase', 'year']);
  });

  it('exports the filtered list as CSV and as a workbook: Chinese headers, names, Beijing times', async () => {
    const csv = await download('city.admin', `/api/campaigns?q=${encodeURIComponent(tag)}&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.type).toMatch(/^text\/csv/);
    expect(csv.disposition).toContain(encodeURIComponent('集中行动列表.csv'));
    const text = csv.bytes.toString('utf8');
    expect(text.startsWith('\uFEFF行动名称,年度,市总工会,当前阶段,本阶段截止（北京时间）,参加地区数,通报周期,发起时间（北京时间）')).toBe(true);
    const lines = text.trim().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(text).toContain(`${tag} 甲行动,2031,平顶山市总工会,调查摸底,`);
    expect(text).toContain('每60天');
    expect(text).not.toContain(campaignA);
    expect(text).not.toMatch(/\d{4}-\d\d-\d\dT|Z\b|survey|P60D/);
    const row = await h.db('campaigns').where({ id: campaignA }).first('created_at');
    const beijing = new Date(new Date(row.created_at).getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
    expect(text).toContain(beijing);

    const xlsx = await download('city.admin', `/api/campaigns?q=${encodeURIComponent(tag)}&year=2032&format=xlsx`);
    expect(xlsx.status).toBe(200);
    expect(xlsx.type).toMatch(/spreadsheetml/);
    const rows = await sheetRows(xlsx.bytes);
    expect(rows[0]).toEqual(['行动名称', '年度', '市总工会', '当前阶段', '本阶段截止（北京时间）', '参加地区数', '通报周期', '发起时间（北京时间）']);
    expect(rows).toHaveLength(2);
    expect(rows[1]!.slice(0, 4)).toEqual([`${tag} 乙行动`, 2032, '平顶山市总工会', '调查摸底']);
  });

  it('exports only what the caller may see', async () => {
    const r = await download('xc.admin', `/api/campaigns?q=${encodeURIComponent(tag)}&format=csv`);
    expect(r.status).toBe(200);
    expect(r.bytes.toString('utf8').trim().split('\r\n')).toHaveLength(1);
  });
});

describe('GET /api/notifications', () => {
  beforeAll(async () => {
    const at = (iso: string) => new Date(iso);
    await h.db('notifications').insert([
      { event_key: `${tag}:1`, username: sb.staff, kind: 'urge', message: `请尽快办理 ${tag} / please act`, created_at: at('2026-03-01T02:00:00Z') },
      {
        event_key: `${tag}:2`,
        username: sb.staff,
        kind: 'escalation',
        message: `逾期督办 ${tag} / overdue`,
        created_at: at('2026-03-05T02:00:00Z'),
        read_at: at('2026-03-05T03:00:00Z'),
      },
      { event_key: `${tag}:3`, username: sb.staff, kind: 'urge', message: `再次催办 ${tag} / urged again`, created_at: at('2026-03-09T17:30:00Z') },
    ]);
  });

  it('filters by kind, read state, date (Beijing days) and text', async () => {
    const kinds = await get(sb.staff, '/api/notifications?kind=urge');
    expect(kinds.body.items.map((n: { kind: string }) => n.kind)).toEqual(['urge', 'urge']);
    const unread = await get(sb.staff, '/api/notifications?read=false');
    expect(unread.body.items).toHaveLength(2);
    expect(unread.body.unread).toBe(2);
    const read = await get(sb.staff, '/api/notifications?read=true');
    expect(read.body.items.map((n: { kind: string }) => n.kind)).toEqual(['escalation']);
    // 17:30 UTC on 9 March is 01:30 on 10 March in Beijing.
    const day = await get(sb.staff, '/api/notifications?from=2026-03-10&to=2026-03-10');
    expect(day.body.items.map((n: { message: string }) => n.message)).toEqual([`再次催办 ${tag} / urged again`]);
    const text = await get(sb.staff, `/api/notifications?q=${encodeURIComponent('逾期督办')}`);
    expect(text.body.items).toHaveLength(1);
    // Someone else's filter never reaches these.
    const other = await get('city.admin', `/api/notifications?q=${encodeURIComponent(tag)}`);
    expect(other.body.items).toEqual([]);
  });

  it('answers 400 naming each bad parameter', async () => {
    const r = await get(sb.staff, '/api/notifications?kind=spam&read=maybe&from=yesterday&format=doc');
    expect(r.status).toBe(400);
    expect((r.body.errors as { path: string }[]).map((e) => e.path).sort()).toEqual(['format', 'from', 'kind', 'read']);
    const backwards = await get(sb.staff, '/api/notifications?from=2026-03-10&to=2026-03-01');
    expect(backwards.status).toBe(400);
    expect(backwards.body.errors).toEqual([{ path: 'to', message: expect.any(String) }]);
  });

  it('exports in Chinese with Beijing times, and leaves read state as it was', async () => {
    const csv = await download(sb.staff, '/api/notifications?format=csv&kind=urge');
    expect(csv.status).toBe(200);
    const text = csv.bytes.toString('utf8');
    expect(text.split('\r\n')[0]).toBe('\uFEFF类别,内容,时间（北京时间）,状态,阅读时间（北京时间）');
    expect(text).toContain(`催办,再次催办 ${tag},2026-03-10 01:30,未读,`);
    expect(text).not.toMatch(/please act|urge\b|T\d\d:/);
    const xlsx = await download(sb.staff, '/api/notifications?format=xlsx&read=true');
    const rows = await sheetRows(xlsx.bytes);
    expect(rows[1]).toEqual(['督办', `逾期督办 ${tag}`, '2026-03-05 10:00', '已读', '2026-03-05 11:00']);
    expect((await get(sb.staff, '/api/notifications')).body.unread).toBe(2);
  });
});

describe('GET /api/tasks?view=…&format=', () => {
  it('exports a view with names, not logins', async () => {
    const title = `导出测试补助 ${tag}`;
    const app = await api.start(sb.staff, buildSubsidy({ title }));
    const csv = await download(sb.staff, `/api/tasks?view=started&format=csv&q=${encodeURIComponent(tag)}`);
    expect(csv.status).toBe(200);
    const text = csv.bytes.toString('utf8');
    const [header, row] = text.split('\r\n');
    expect(header).toBe(
      '\uFEFF标题,所属行动,申请类型,当前步骤,状态,申请人,单位,当前办理人,办理期限（北京时间）,是否逾期,创建时间（北京时间）,办结时间（北京时间）',
    );
    expect(row).toContain(title);
    expect(row).toContain('经费补助');
    expect(row).toContain('审批中');
    expect(row).toContain(`测试staff ${sb.org}`);
    expect(row).toContain(`测试乡镇 ${sb.org}`);
    expect(text).not.toContain(sb.staff);
    expect(text).not.toContain(app);
    const bad = await get(sb.staff, '/api/tasks?view=todo&format=pdf');
    expect(bad.status).toBe(400);
    expect((bad.body.errors as { path: string }[]).map((e) => e.path)).toEqual(['format']);
  });
});
