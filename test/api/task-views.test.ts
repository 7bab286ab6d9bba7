/**
 * The workbench's four views, GET /api/tasks?view=todo|done|started|cc (待办 /
 * 已办 / 我发起的 / 抄送我的), through the HTTP API on a sandbox org of their
 * own: what each view holds, each filter, keyset paging, names beside ids
 * (never a login name in a name field), 400 naming bad query fields, and a
 * user outside the org seeing nothing of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../api/passwords';
import { DEMO_PASSWORD } from '../../db/demo-seed';
import { Approvals, type Sandbox } from '../support/approvals';
import { buildLaunch, CampaignDriver, organizingProject } from '../support/campaigns';
import { buildChain, buildSubsidy, humanStep, unique } from '../support/factories';
import { eventually, startHarness, type Harness } from '../support/harness';

let h: Harness;
let api: Approvals;
let sb: Sandbox & { admin: string };
let leader: string;
let outsider: Sandbox;
let appA: string;
let appB: string;
const tag = unique('视图');
const titleA = `服务站补助 50% 首付 ${tag}`;
const titleB = `服务站补助 5000 元 ${tag}`;

beforeAll(async () => {
  h = await startHarness();
  api = new Approvals(h);
  sb = (await api.sandbox({ admin: true })) as Sandbox & { admin: string };
  leader = `${sb.org}.leader`;
  await h
    .db('users')
    .insert({ username: leader, name: `测试领导 ${sb.org}`, org_id: sb.org, roles: ['staff'], password_hash: await hashPassword(DEMO_PASSWORD) });
  await api.installChain(
    buildChain({
      steps: [
        humanStep({ id: 'review', name: '乡镇审核 / township review', who: { kind: 'users', usernames: [sb.admin] } }),
        humanStep({ id: 'second', name: '领导审核 / leader review', who: { kind: 'users', usernames: [leader] } }),
      ],
    }),
    sb.org,
  );
  outsider = await api.sandbox();
  appA = await api.start(sb.staff, buildSubsidy({ title: titleA }));
  appB = await api.start(sb.staff, buildSubsidy({ title: titleB }));
  await api.task(sb.admin, appA);
  await api.task(sb.admin, appB);
});
afterAll(async () => {
  await h?.close();
});

async function view(username: string, query: string) {
  const r = await h.call('GET', `/api/tasks?${query}`, { token: await h.login(username) });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as { items: any[]; nextCursor: string | null; counts: Record<string, number> };
}

/** Every page of a view, following the cursor. */
async function all(username: string, query: string, limit = 50) {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const page = await view(username, `${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

const ofOurs = (items: any[]) => items.filter((t) => t.applicationId === appA || t.applicationId === appB);

function expectNames(row: any) {
  const logins = [sb.staff, sb.admin, leader];
  expect(row.orgName).toBe(`测试乡镇 ${sb.org}`);
  expect(row.applicantName).toBe(`测试staff ${sb.org}`);
  for (const f of ['applicantName', 'orgName', 'assigneeName', 'decidedByName', 'campaignName']) {
    for (const login of logins) if (row[f]) expect(row[f], f).not.toContain(login);
  }
}

describe('待办 (todo)', () => {
  it("lists the approver's pending tasks with names, pages them by cursor without loss or repeat, and counts them", async () => {
    const first = await view(sb.admin, `view=todo&q=${encodeURIComponent(tag)}&limit=1`);
    expect(first.items).toHaveLength(1);
    expect(first.nextCursor).toBeTruthy();
    const second = await view(sb.admin, `view=todo&q=${encodeURIComponent(tag)}&limit=1&cursor=${encodeURIComponent(first.nextCursor!)}`);
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    expect(new Set([first.items[0].applicationId, second.items[0].applicationId])).toEqual(new Set([appA, appB]));
    for (const row of [...first.items, ...second.items]) {
      expect(row).toMatchObject({
        kind: 'approval',
        status: 'pending',
        stepName: '乡镇审核 / township review',
        assignee: sb.admin,
        assigneeName: `测试admin ${sb.org}`,
      });
      expect(row.campaignName).toBeNull();
      expectNames(row);
    }
    expect(first.counts.todo).toBeGreaterThanOrEqual(2);
    expect(first.counts).toMatchObject({ done: expect.any(Number), started: expect.any(Number), cc: expect.any(Number), overdue: expect.any(Number) });
  });

  it('searches titles case-insensitively with %, _ taken literally', async () => {
    const pct = await view(sb.admin, `view=todo&q=${encodeURIComponent('50%')}`);
    expect(ofOurs(pct.items).map((t) => t.applicationId)).toEqual([appA]);
    const under = await view(sb.admin, `view=todo&q=${encodeURIComponent('5_00')}`);
    expect(ofOurs(under.items)).toHaveLength(0);
    const upper = await view(sb.admin, `view=todo&q=${encodeURIComponent(tag.toUpperCase())}`);
    expect(ofOurs(upper.items)).toHaveLength(2);
  });

  it('filters by type, org, campaign, date range and overdue', async () => {
    const q = `view=todo&q=${encodeURIComponent(tag)}`;
    expect(ofOurs((await view(sb.admin, `${q}&type=subsidy`)).items)).toHaveLength(2);
    expect(ofOurs((await view(sb.admin, `${q}&type=membership`)).items)).toHaveLength(0);
    expect(ofOurs((await view(sb.admin, `${q}&org=${sb.org}`)).items)).toHaveLength(2);
    expect(ofOurs((await view(sb.admin, `${q}&org=pds-xinhua`)).items)).toHaveLength(2); // the org's subtree
    expect(ofOurs((await view(sb.admin, `${q}&org=${outsider.org}`)).items)).toHaveLength(0);
    expect(ofOurs((await view(sb.admin, `${q}&campaign=no-such-campaign`)).items)).toHaveLength(0);
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10); // Beijing date
    const day = (d: number) => new Date(Date.parse(`${today}T00:00:00Z`) + d * 86400_000).toISOString().slice(0, 10);
    expect(ofOurs((await view(sb.admin, `${q}&from=${today}&to=${today}`)).items)).toHaveLength(2);
    expect(ofOurs((await view(sb.admin, `${q}&from=${day(1)}`)).items)).toHaveLength(0);
    expect(ofOurs((await view(sb.admin, `${q}&to=${day(-1)}`)).items)).toHaveLength(0);
    expect(ofOurs((await view(sb.admin, `${q}&overdue=true`)).items)).toHaveLength(0);
  });
});

describe('已办, 抄送我的, 我发起的 and a returned application in the applicant’s 待办', () => {
  it('moves a decided task from 待办 to 已办, copies reach 抄送我的, the applicant revises from 待办 and sees both in 我发起的', async () => {
    const tA = await api.task(sb.admin, appA);
    const tB = await api.task(sb.admin, appB);
    await api.ok(sb.admin, tB.id, { action: 'cc', to: leader, comment: '请知悉 / for your information' });
    await api.ok(sb.admin, tA.id, { action: 'approve', comment: '同意 / approved' });
    await api.ok(sb.admin, tB.id, { action: 'return', returnTo: 'applicant', comment: '请补充清单 / add the list' });

    // 已办: only completed tasks the caller decided, with who decided by name.
    const done = await eventually(async () => {
      const rows = ofOurs(await all(sb.admin, `view=done&q=${encodeURIComponent(tag)}`));
      return rows.length === 2 ? rows : undefined;
    });
    for (const row of done) {
      expect(row).toMatchObject({ status: 'completed', decidedBy: sb.admin, decidedByName: `测试admin ${sb.org}` });
      expectNames(row);
    }
    expect(done.find((r) => r.applicationId === appA).decision).toBe('approve');
    expect(done.find((r) => r.applicationId === appB).decision).toBe('return');
    expect(ofOurs(await all(sb.admin, `view=todo&q=${encodeURIComponent(tag)}`))).toHaveLength(0);
    // The leader's own 已办 is empty: they decided nothing yet.
    expect(ofOurs(await all(leader, 'view=done'))).toHaveLength(0);

    // 待办 of the next approver; 抄送我的 holds the copy of B.
    const leaderTodo = ofOurs(await all(leader, 'view=todo'));
    expect(leaderTodo.map((t) => [t.applicationId, t.stepName])).toEqual([[appA, '领导审核 / leader review']]);
    const cc = ofOurs(await all(leader, 'view=cc'));
    expect(cc).toHaveLength(1);
    expect(cc[0]).toMatchObject({ applicationId: appB, kind: 'cc', subject: titleB, assigneeName: `测试领导 ${sb.org}` });
    expectNames(cc[0]);

    // The applicant: the returned application is a task to revise in 待办.
    const staffTodo = await eventually(async () => {
      const rows = ofOurs(await all(sb.staff, 'view=todo'));
      return rows.length ? rows : undefined;
    });
    expect(staffTodo).toHaveLength(1);
    expect(staffTodo[0]).toMatchObject({ applicationId: appB, kind: 'revision', status: 'pending' });
    expectNames(staffTodo[0]);

    // 我发起的: one row per application, with its status and current step.
    const started = ofOurs(await all(sb.staff, 'view=started', 1));
    expect(started.map((r) => r.applicationId).sort()).toEqual([appA, appB].sort());
    const a = started.find((r) => r.applicationId === appA);
    expect(a).toMatchObject({ id: appA, subject: titleA, applicationStatus: 'pending', stepName: '领导审核 / leader review', applicant: sb.staff });
    expect(started.find((r) => r.applicationId === appB)).toMatchObject({ applicationStatus: 'returned' });
    for (const row of started) expectNames(row);
    expect(ofOurs(await all(sb.staff, 'view=started&type=membership'))).toHaveLength(0);
    const counts = (await view(sb.staff, 'view=started')).counts;
    expect(counts.started).toBe(2);
    expect(counts.todo).toBe(1);
  });
});

describe('the campaign beside the title', () => {
  it('a project list of a campaign carries the campaign name in the approver’s 待办 and the region’s 我发起的; the campaign filter finds it', async () => {
    const d = new CampaignDriver(h);
    const launch = buildLaunch({ regions: ['pds-xinhua'], targets: { newMembers: 10 } });
    const { id } = await d.launch(launch);
    await d.waitForPhase(id, 'survey');
    await d.advance(id, '摸底完成，进入立项');
    await d.waitForPhase(id, 'listing');
    const list = await d.projects(id, 'pds-xinhua', [organizingProject()]);
    expect(list.status, JSON.stringify(list.body)).toBe(201);
    const appId = list.body.applicationId as string;
    const todo = await eventually(async () => {
      const rows = (await all('city.reviewer', `view=todo&campaign=${id}`)).filter((r) => r.applicationId === appId);
      return rows.length ? rows : undefined;
    });
    expect(todo[0]).toMatchObject({ campaignId: id, campaignName: launch.name, orgName: expect.any(String) });
    expect(todo[0].orgName).not.toBe('pds-xinhua');
    const started = (await all('xinhua.staff', `view=started&campaign=${id}`)).filter((r) => r.applicationId === appId);
    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({ campaignName: launch.name, applicationStatus: 'pending' });
    // Another campaign's filter does not find it.
    expect((await all('city.reviewer', `view=todo&campaign=${unique('c-')}`)).filter((r) => r.applicationId === appId)).toHaveLength(0);
  });
});

describe('scope and bad input', () => {
  it('a user outside the org sees nothing of it in any view', async () => {
    for (const v of ['todo', 'done', 'started', 'cc']) {
      expect(ofOurs(await all(outsider.staff, `view=${v}`)), v).toHaveLength(0);
      expect(ofOurs(await all('xinhua.reviewer', `view=${v}`)), v).toHaveLength(0);
    }
    const counts = (await view(outsider.staff, 'view=todo')).counts;
    expect(counts).toEqual({ todo: 0, overdue: 0, done: 0, started: 0, cc: 0 });
  });

  it('answers 400 problem+json naming each bad query field', async () => {
    const token = await h.login(sb.admin);
    const r = await h.call('GET', '/api/tasks?view=mine&limit=0&from=yesterday&overdue=maybe&type=nope', { token });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    const paths = (r.body.errors as { path: string }[]).map((e) => e.path).sort();
    expect(paths).toEqual(['from', 'limit', 'overdue', 'type', 'view']);
    const backwards = await h.call('GET', '/api/tasks?view=todo&from=2026-05-02&to=2026-05-01', { token });
    expect(backwards.status).toBe(400);
    expect(backwards.body.errors).toEqual([{ path: 'to', message: expect.any(String) }]);
  });

  it('without view the inbox answers as before', async () => {
    const r = await view(sb.admin, 'status=completed&limit=5');
    expect(r.counts).toEqual({ pending: expect.any(Number), overdue: expect.any(Number) });
  });
});
