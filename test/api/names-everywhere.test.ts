/**
 * Issue 15, names everywhere: what a user reads carries people by name and post,
 * orgs and campaigns by name, never a login, a project id or a raw UTC time.
 * An application returned, resubmitted and transferred: its timeline (actor
 * name and post, the transferee by name), its task (assignee, applicant, org),
 * the lists and the printed 审批单. A campaign's self-assessment: titled by the
 * project's name, with the campaign (name and year) beside it in 待办. The
 * campaign's bulletin printed in Chinese: Beijing times, no English, no data
 * version.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../api/passwords';
import { DEMO_PASSWORD } from '../../db/demo-seed';
import { Approvals, type Sandbox } from '../support/approvals';
import { buildLaunch, CampaignDriver, organizingProject } from '../support/campaigns';
import { buildChain, buildSubsidy, humanStep, unique } from '../support/factories';
import { eventually, startHarness, type Harness } from '../support/harness';
import { issueOk } from '../support/reports';

let h: Harness;
let api: Approvals;
let sb: Sandbox & { admin: string };
let leader: string;

const ISO = /\d{4}-\d\d-\d\dT\d\d:/;
/** The fields a person reads (names, posts, titles), gathered from any depth of a response. */
function readable(body: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, key = '') => {
    if (Array.isArray(v)) v.forEach((x) => walk(x, key));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
    else if (typeof v === 'string' && /Name$|Post$|^name$|^post$|^subject$|^title$/.test(key)) out.push(v);
  };
  walk(body);
  return out;
}

beforeAll(async () => {
  h = await startHarness();
  api = new Approvals(h);
  sb = (await api.sandbox({ admin: true })) as Sandbox & { admin: string };
  leader = `${sb.org}.leader`;
  await h
    .db('users')
    .insert({ username: leader, name: `测试领导 ${sb.org}`, org_id: sb.org, roles: ['staff'], password_hash: await hashPassword(DEMO_PASSWORD) });
  await api.installChain(
    buildChain({ steps: [humanStep({ id: 'review', name: '乡镇审核 / township review', who: { kind: 'users', usernames: [sb.admin] } })] }),
    sb.org,
  );
});
afterAll(async () => {
  await h?.close();
});

describe('an application returned, resubmitted and transferred', () => {
  it('its timeline, task, lists and printed sheet name people by name and post, never by login, with Beijing times', async () => {
    const logins = [sb.staff, sb.admin, leader];
    const title = `服务站补助 ${unique('名')}`;
    const appId = await api.start(sb.staff, buildSubsidy({ title }));
    const first = await api.task(sb.admin, appId);
    await api.ok(sb.admin, first.id, { action: 'return', returnTo: 'applicant', comment: '请补充材料 / add the receipts' });
    await api.status(appId, 'returned');
    const re = await api.appAct(sb.staff, appId, { action: 'resubmit', comment: '已补充' });
    expect(re.status, JSON.stringify(re.body)).toBe(200);
    const second = await eventually(async () => (await api.inbox(sb.admin, appId)).find((t) => t.id !== first.id));
    await api.ok(sb.admin, second.id, { action: 'transfer', to: [leader], comment: '请领导审核' });
    const leaderTask = await api.task(leader, appId);

    // The application: applicant and orgs by name; the timeline's actors by name and post, the transferee by name.
    const app = await api.app(sb.staff, appId);
    expect(app).toMatchObject({ title, applicantName: `测试staff ${sb.org}`, applicantOrgName: `测试乡镇 ${sb.org}` });
    const timeline = app.timeline as { actor: string; action: string; actorName?: string; actorPost?: string; people?: Record<string, { name: string }> }[];
    expect(timeline.map((e) => e.action)).toEqual(expect.arrayContaining(['submitted', 'return', 'resubmit', 'transfer']));
    for (const e of timeline.filter((x) => logins.includes(x.actor))) {
      expect(e.actorName, e.action).toMatch(/^测试/);
      // The post they acted in: their org and role (干事, 管理员), never a login.
      expect(e.actorPost, e.action).toMatch(new RegExp(`^测试乡镇 ${sb.org} (干事|管理员)$`));
    }
    expect(timeline.find((e) => e.action === 'transfer')!.people).toEqual({ [leader]: { name: `测试领导 ${sb.org}`, post: `测试乡镇 ${sb.org} 干事` } });

    // The task as its holder reads it, and the lists.
    const task = (await h.call('GET', `/api/tasks/${leaderTask.id}`, { token: await h.login(leader) })).body;
    expect(task).toMatchObject({ assigneeName: `测试领导 ${sb.org}`, applicantName: `测试staff ${sb.org}`, applicantOrgName: `测试乡镇 ${sb.org}` });
    expect(task.subjectDetail).toMatchObject({ applicantName: `测试staff ${sb.org}`, applicantOrgName: `测试乡镇 ${sb.org}` });
    const inbox = (await h.call('GET', '/api/tasks?status=pending&limit=200', { token: await h.login(leader) })).body.items.find(
      (t: { applicationId: string }) => t.applicationId === appId,
    );
    expect(inbox).toMatchObject({ assigneeName: `测试领导 ${sb.org}`, applicantName: `测试staff ${sb.org}` });
    const mine = (await h.call('GET', '/api/applications?mine=true&limit=200', { token: await h.login(sb.staff) })).body.items.find(
      (a: { id: string }) => a.id === appId,
    );
    expect(mine).toMatchObject({ applicantName: `测试staff ${sb.org}`, applicantOrgName: `测试乡镇 ${sb.org}` });
    for (const body of [app, task, inbox, mine])
      for (const text of readable(body)) for (const login of logins) expect(text, JSON.stringify(body).slice(0, 200)).not.toContain(login);

    // The printed 审批单: names, Beijing times, no login, no ISO time.
    const print = await h.call('GET', `/api/applications/${appId}/print`, { token: await h.login(sb.staff) });
    expect(print.status).toBe(200);
    const sheet = (print.body as string).replace(/<style>[\s\S]*?<\/style>/, '').replace(/<[^<>]*>/g, ' ');
    expect(sheet).toContain(`测试乡镇 ${sb.org}`);
    expect(sheet).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d/);
    expect(sheet).not.toMatch(ISO);
    for (const login of logins) expect(sheet).not.toContain(login);
  });
});

describe('a campaign’s self-assessment and bulletin', () => {
  it('titles the self-assessment by the project’s name, shows the campaign and its year beside it, and prints the bulletin in Chinese only', async () => {
    const d = new CampaignDriver(h);
    const launch = buildLaunch({ regions: ['pds-xinhua'], targets: { newMembers: 10 } });
    const { id } = await d.launch(launch);
    await d.waitForPhase(id, 'survey');
    await d.advance(id, '摸底完成');
    await d.waitForPhase(id, 'listing');
    const projectName = `新华区${unique('名')}快递员工会`;
    const list = await d.projects(id, 'pds-xinhua', [organizingProject({ name: projectName })]);
    expect(list.status, JSON.stringify(list.body)).toBe(201);
    await d.act('city.reviewer', list.body.applicationId, { action: 'approve' });
    await d.act('prov.reviewer', list.body.applicationId, { action: 'approve' });
    await eventually(async () => ((await d.projectsOf(id)).every((p) => p.status === 'approved') ? true : undefined));
    await d.advance(id, '项目清单已批复');
    await d.waitForPhase(id, 'implementation');
    await d.advance(id, '进入年终考核');
    await d.waitForPhase(id, 'assessment');
    const projectId = (await d.projectsOf(id, 'pds-xinhua'))[0].id as string;
    const sent = await h.call('POST', `/api/projects/${projectId}/self-assessment`, {
      token: await d.as('xinhua.staff'),
      body: { summary: '完成建会', membersRecruited: 0, unionsEstablished: 0 },
    });
    expect(sent.status, JSON.stringify(sent.body)).toBeLessThan(300);
    const appId: string = await eventually(async () => (await d.project(projectId)).assessmentApplicationId);

    const todo = await eventually(async () => {
      const r = await h.call('GET', `/api/tasks?view=todo&campaign=${id}&limit=200`, { token: await h.login('city.reviewer') });
      return (r.body.items as Record<string, unknown>[]).find((t) => t.applicationId === appId);
    });
    expect(todo).toMatchObject({ subject: `项目绩效自评：${projectName}`, campaignName: launch.name, campaignYear: launch.year, projectName });
    expect(String(todo.subject)).not.toContain(projectId);
    const inbox = (await h.call('GET', '/api/tasks?status=pending&limit=200', { token: await h.login('city.reviewer') })).body.items.find(
      (t: { applicationId: string }) => t.applicationId === appId,
    );
    expect(inbox).toMatchObject({ subject: `项目绩效自评：${projectName}`, campaignName: launch.name, campaignYear: launch.year });
    const app = await api.app('xinhua.staff', appId);
    expect(app).toMatchObject({ title: `项目绩效自评：${projectName}`, campaignName: launch.name, projectName });

    // The bulletin, printed and exported in Chinese: Beijing times, no English label, no data version.
    const bulletin = await issueOk(h, id, { key: unique('bulletin-') });
    const token = await h.login('city.admin');
    const html = (await h.call('GET', `/api/reports/${bulletin.id}?format=html`, { token })).body as string;
    const visible = html.replace(/<style>[\s\S]*?<\/style>/, '').replace(/<[^<>]*>/g, ' ');
    expect(visible).not.toMatch(ISO);
    expect(visible).not.toMatch(/xmin|数据版本|UTC|Overview|Completion|Bulletin|Region|members/);
    expect(visible).toMatch(/发布时间：\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d/);
    const csv = (await h.call('GET', `/api/reports/${bulletin.id}?format=csv`, { token })).body as string;
    expect(csv).not.toMatch(ISO);
    expect(csv).not.toMatch(/xmin|数据版本|Overview|Region/);
    expect(csv).toMatch(/发布时间,\d{4}-\d\d-\d\d \d\d:\d\d/);
  });
});
