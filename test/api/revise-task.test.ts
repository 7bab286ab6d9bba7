/**
 * Nothing goes stale, through the HTTP API (issue 15):
 *
 * - a returned application is a task to revise (修改后重新提交) in the
 *   applicant's 待办, counted in the 待办 badge and opening where it is revised
 *   (a campaign's project list: the region's work page), as does the notice
 *   that it was returned; it leaves 待办 when resubmitted or withdrawn;
 * - a campaign's early advance answers once the campaign reads the new phase
 *   (no waiting: the page reloaded at the answer shows it);
 * - 督办 messages are full sentences: campaign, region, what is overdue, in
 *   which phase and since when;
 * - a copy (抄送) is an entry in 抄送我的 and a notice that opens the application;
 * - a transferred task tells the one who transferred it whom it went to, by name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../api/passwords';
import { DEMO_PASSWORD } from '../../db/demo-seed';
import { Approvals } from '../support/approvals';
import { buildLaunch, CampaignDriver, serviceProject } from '../support/campaigns';
import { buildChain, buildSubsidy, humanStep, unique } from '../support/factories';
import { eventually, startHarness, type Harness } from '../support/harness';

let h: Harness;
let api: Approvals;
let d: CampaignDriver;

beforeAll(async () => {
  h = await startHarness();
  api = new Approvals(h);
  d = new CampaignDriver(h);
});
afterAll(async () => {
  await h?.close();
});

interface Row {
  id: string;
  applicationId: string;
  kind: string | null;
  status: string;
  link?: string;
}
interface ViewPage {
  items: Row[];
  counts: { todo: number };
}

async function view(username: string, name: string, query = ''): Promise<ViewPage> {
  const r = await h.call('GET', `/api/tasks?view=${name}&limit=200${query}`, { token: await h.login(username) });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

async function notes(username: string): Promise<{ kind: string; message: string; link: string | null; applicationId: string | null }[]> {
  const r = await h.call('GET', '/api/notifications?limit=100', { token: await h.login(username) });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.items;
}

/** A sandbox whose admin is the only approver of its staff member's subsidies. */
async function oneStep() {
  const sb = await api.sandbox({ admin: true });
  await api.installChain(
    buildChain({ steps: [humanStep({ id: 'review', name: '乡镇审核 / township review', who: { kind: 'users', usernames: [sb.admin!] } })] }),
    sb.org,
  );
  return sb;
}

describe('a returned application is a task to revise in the applicant’s 待办', () => {
  it('appears when returned (counted, with where to revise), leaves when resubmitted', async () => {
    const sb = await oneStep();
    const appId = await api.start(sb.staff, buildSubsidy());
    const before = (await view(sb.staff, 'todo')).counts.todo;
    const task = await api.task(sb.admin!, appId);
    await api.ok(sb.admin!, task.id, { action: 'return', returnTo: 'applicant', comment: '请补充发票 / add the receipts' });

    const todo = await view(sb.staff, 'todo');
    const revise = todo.items.find((r) => r.applicationId === appId);
    expect(revise).toMatchObject({ kind: 'revision', status: 'pending', link: `/applications/${appId}` });
    expect(todo.counts.todo).toBe(before + 1);
    const returned = (await notes(sb.staff)).find((n) => n.kind === 'returned' && n.applicationId === appId);
    expect(returned?.link).toBe(`/applications/${appId}`);

    expect((await api.appAct(sb.staff, appId, { action: 'resubmit', comment: '已补充 / added' })).status).toBe(200);
    const after = await view(sb.staff, 'todo');
    expect(after.items.find((r) => r.applicationId === appId)).toBeUndefined();
    expect(after.counts.todo).toBe(before);
    const done = await h.db('tasks').where({ application_id: appId, kind: 'revision' }).first('status', 'decision');
    expect(done).toMatchObject({ status: 'completed', decision: 'resubmit' });
    // Back with the approver.
    await api.task(sb.admin!, appId);
  });

  it('leaves 待办 when the applicant withdraws instead', async () => {
    const sb = await oneStep();
    const appId = await api.start(sb.staff, buildSubsidy());
    const task = await api.task(sb.admin!, appId);
    await api.ok(sb.admin!, task.id, { action: 'return', returnTo: 'applicant', comment: '请补充发票 / add the receipts' });
    expect((await view(sb.staff, 'todo')).items.find((r) => r.applicationId === appId)).toMatchObject({ kind: 'revision' });

    expect((await api.appAct(sb.staff, appId, { action: 'withdraw', comment: '不再申请 / no longer needed' })).status).toBe(200);
    expect((await view(sb.staff, 'todo')).items.find((r) => r.applicationId === appId)).toBeUndefined();
    expect(await h.db('tasks').where({ application_id: appId, kind: 'revision' }).first('status')).toMatchObject({ status: 'cancelled' });
  });
});

describe('a campaign: the advance answers with the phase shown; a returned project list to revise; 督办 in full sentences', () => {
  it('runs a one-region campaign through it', async () => {
    const launch = buildLaunch({ regions: ['pds-weidong'], targets: { newMembers: 10, newUnions: 1 } });
    const { id } = await d.launch(launch);
    await d.waitForPhase(id, 'survey');

    // The advance answers once the campaign reads the new phase: read at once, no waiting.
    const advanced = await d.advance(id, '摸底工作提前完成');
    expect(advanced.phase).toBe('listing');
    expect((await d.view(id)).phase).toBe('listing');
    expect((await d.view(id)).phaseSummaries.map((p: { phase: string }) => p.phase)).toEqual(['survey']);

    // 卫东区 handed in no plan by the survey's close: 督办 to the city, a full sentence with since when.
    const supervision = await eventually(
      async () =>
        (await h.db('notifications').where({ username: 'city.admin', kind: 'escalation', campaign_id: id }).first('message'))?.message as string | undefined,
    );
    expect(supervision).toMatch(
      new RegExp(
        `^【督办】「${launch.name}」：卫东区总工会在调查摸底阶段应提交的实施方案已于北京时间 \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} 逾期未交，请督促尽快提交。 / Supervision: `,
      ),
    );
    const escalation = (await notes('city.admin')).find((n) => n.message === supervision);
    expect(escalation?.link).toBe(`/campaigns/${id}`);

    // The project list, returned to the region's staff: a task to revise, opening the region's list.
    const submitted = await d.projects(id, 'pds-weidong', [serviceProject()]);
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    const listId = submitted.body.applicationId as string;
    await d.act('city.reviewer', listId, { action: 'return', returnTo: 'applicant', comment: '请补充服务项目的覆盖人数' });
    const where = `/campaigns/${id}/regions/pds-weidong?tab=projects`;
    const revise = (await view('weidong.staff', 'todo', `&campaign=${id}`)).items.find((r) => r.applicationId === listId);
    expect(revise).toMatchObject({ kind: 'revision', status: 'pending', link: where });
    const returned = (await notes('weidong.staff')).find((n) => n.kind === 'returned' && n.applicationId === listId);
    expect(returned?.link).toBe(where);

    // Resubmitted through the region's page: it leaves 待办 and goes back up the chain.
    await eventually(async () => (await d.view(id)).regions[0].listStatus === 'returned');
    const revised = await d.projects(id, 'pds-weidong', [serviceProject({ plannedCoverage: 500 })]);
    expect(revised.status, JSON.stringify(revised.body)).toBe(201);
    await eventually(async () => !(await view('weidong.staff', 'todo', `&campaign=${id}`)).items.some((r) => r.applicationId === listId));
    await d.act('city.reviewer', listId, { action: 'approve', comment: '汇总上报' });

    // 问责 reads as a sentence too (written directly by the activity's rule: the grace period is days).
    const { overdueMessage } = await import('../../domain/campaign');
    expect(overdueMessage({ level: 'accountability', campaign: launch.name, region: '卫东区总工会', phase: 'survey', since: '2026-04-30T16:00:00.000Z' })).toBe(
      `【问责】「${launch.name}」：卫东区总工会在调查摸底阶段应提交的实施方案自北京时间 2026-05-01 00:00 逾期至今仍未提交，已超过整改期限，请启动问责。 / Accountability: ${launch.name}: the implementation plan 卫东区总工会 owed for the survey phase, overdue since 2026-05-01 00:00 (Beijing time), is still missing after the grace period; accountability applies.`,
    );
  });
});

describe('抄送 and 转办', () => {
  it('a copy to a leader above is an entry in 抄送我的 and a notice that opens the application', async () => {
    const sb = await oneStep();
    const appId = await api.start(sb.staff, buildSubsidy());
    const r = await api.appAct(sb.staff, appId, { action: 'cc', to: ['city.lead'], comment: '请领导知悉 / for your information' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);

    const copy = (await view('city.lead', 'cc')).items.find((x) => x.applicationId === appId);
    expect(copy).toMatchObject({ kind: 'cc' });
    const note = await eventually(async () => (await notes('city.lead')).find((n) => n.kind === 'cc' && n.applicationId === appId));
    expect(note.link).toBe(`/applications/${appId}`);
    expect(note.message).toMatch(/^「.+」抄送给您，请知悉。 \/ /);
    expect((await api.get('city.lead', appId)).status).toBe(200);
  });

  it('a transferred task tells its sender whom it went to, by name; not its new holder', async () => {
    const sb = await oneStep();
    const colleague = `${sb.org}.colleague`;
    const name = `同事 ${unique()}`;
    await h.db('users').insert({ username: colleague, name, org_id: sb.org, roles: ['admin'], password_hash: await hashPassword(DEMO_PASSWORD) });
    const appId = await api.start(sb.staff, buildSubsidy());
    const task = await api.task(sb.admin!, appId);
    expect((await view(sb.admin!, 'todo')).items.some((x) => x.id === task.id)).toBe(true);
    await api.ok(sb.admin!, task.id, { action: 'transfer', to: colleague, comment: '请您办理 / yours' });

    const sender = await h.call('GET', `/api/tasks/${task.id}`, { token: await h.login(sb.admin!) });
    expect(sender.status).toBe(200);
    expect(sender.body).toMatchObject({ status: 'pending', mine: false, transferred: { toName: name } });
    expect((await view(sb.admin!, 'todo')).items.some((x) => x.id === task.id)).toBe(false);

    const holder = await h.call('GET', `/api/tasks/${task.id}`, { token: await h.login(colleague) });
    expect(holder.body.mine).toBe(true);
    expect(holder.body.transferred).toBeUndefined();
    expect((await view(colleague, 'todo')).items.some((x) => x.id === task.id)).toBe(true);
  });
});
