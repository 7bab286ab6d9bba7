/**
 * Issue 15 in the browser: no code, id or login name reaches a user. With data
 * made here — an application returned, resubmitted and transferred, and a
 * campaign whose project list waits for the city reviewer, with a bulletin —
 * the approvers, the applicant, the city admin and the supervisor open the task
 * page, the application page, the inbox, the messages, the campaign dashboard
 * and the bulletin (desktop, Chinese) and the page text holds none of the
 * logins involved, no ISO timestamp and none of the API's status, action,
 * group or role codes as a word.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { hashPassword } from '../../api/passwords';
import { DEMO_PASSWORD } from '../../db/demo-seed';
import { Approvals } from '../support/approvals';
import { buildLaunch, CampaignDriver, organizingProject } from '../support/campaigns';
import { buildChain, buildSubsidy, humanStep, unique } from '../support/factories';
import { eventually, startHarness, type Harness } from '../support/harness';
import { issueOk } from '../support/reports';
import { launchBrowser, login, openSession, type Session } from './browser';

let h: Harness;
let browser: Browser;
let api: Approvals;
beforeAll(async () => {
  [h, browser] = await Promise.all([startHarness(), launchBrowser()]);
  api = new Approvals(h);
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

const ISO = /\d{4}-\d\d-\d\dT\d\d:/;
/** The API's codes that must never show as words in Chinese text. */
const CODES =
  /\b(?:approve|approved|reject|rejected|return|returned|transfer|pending|completed|cancelled|withdrawn|submitted|resubmit|applicant|courier|food_delivery|truck_driver|mall_staff|subsidy|membership|project_list|self_assessment|survey|listing|implementation|assessment|reviewer|supervisor|grassroots|township|human|auto)\b/;

describe('no raw codes, ids or logins in the browser', () => {
  it('the approvers, the applicant, the city admin and the supervisor see names, Chinese labels and Beijing times only', async () => {
    // ---- an application returned, resubmitted and transferred ----
    const sb = await api.sandbox();
    const rev = `${sb.org}.rev`;
    const lead = `${sb.org}.lead`;
    await h.db('users').where({ username: sb.staff }).update({ name: '孙干事' });
    await h.db('orgs').where({ id: sb.org }).update({ name: '东风街道总工会' });
    await h.db('users').insert([
      { username: rev, name: '赵审核', org_id: sb.org, roles: ['reviewer'], password_hash: await hashPassword(DEMO_PASSWORD) },
      { username: lead, name: '钱领导', org_id: sb.org, roles: ['staff'], password_hash: await hashPassword(DEMO_PASSWORD) },
    ]);
    await api.installChain(
      buildChain({ steps: [humanStep({ id: 'review', name: '街道审核 / street review', who: { kind: 'users', usernames: [rev] } })] }),
      sb.org,
    );
    const title = `服务站补助 ${unique('无码')}`;
    const appId = await api.start(sb.staff, buildSubsidy({ title }));
    const first = await api.task(rev, appId);
    await api.ok(rev, first.id, { action: 'return', returnTo: 'applicant', comment: '请补充发票' });
    await api.status(appId, 'returned');
    expect((await api.appAct(sb.staff, appId, { action: 'resubmit', comment: '已补充发票' })).status).toBe(200);
    const second = await eventually(async () => (await api.inbox(rev, appId)).find((t) => t.id !== first.id));
    await api.ok(rev, second.id, { action: 'transfer', to: [lead], comment: '请领导审核' });
    const leadTask = await api.task(lead, appId);
    // 催办: the applicant urges, the transferee gets a message.
    const urged = await api.appAct(sb.staff, appId, { action: 'urge', comment: '请尽快审批' });
    expect(urged.status, JSON.stringify(urged.body)).toBe(200);

    // ---- a campaign whose project list waits for the city reviewer, and a bulletin ----
    const d = new CampaignDriver(h);
    const launch = buildLaunch({ regions: ['pds-xinhua'], targets: { newMembers: 10 } });
    const { id: campaignId } = await d.launch(launch);
    await d.waitForPhase(campaignId, 'survey');
    await d.advance(campaignId, '摸底完成');
    await d.waitForPhase(campaignId, 'listing');
    const list = await d.projects(campaignId, 'pds-xinhua', [organizingProject({ name: `新华区${unique('名')}快递员工会` })]);
    expect(list.status, JSON.stringify(list.body)).toBe(201);
    const listTask = await api.task('city.reviewer', list.body.applicationId as string);
    const bulletin = await issueOk(h, campaignId, { key: unique('bulletin-') });

    const logins = [sb.staff, rev, lead, 'city.reviewer', 'city.admin', 'city.lead', 'xinhua.staff'];
    const check = async (s: Session, what: string) => {
      const text = (await s.page.locator('main').textContent()) ?? '';
      for (const l of logins) expect(text, `${what}: ${l}`).not.toContain(l);
      expect(text, what).not.toMatch(ISO);
      expect(text.match(CODES)?.[0], what).toBeUndefined();
    };

    // The approver who returned and transferred: 已办, the task page (timeline with names and posts), messages.
    const approver = await openSession(browser, h.url);
    await login(approver, rev);
    await approver.page.goto(`/tasks/${encodeURIComponent(second.id)}`);
    await approver.page.getByTestId('app-timeline').getByText('钱领导').first().waitFor();
    await expect(approver.page.getByTestId('app-timeline').textContent()).resolves.toContain('孙干事（东风街道总工会 干事）');
    await check(approver, 'approver task page');
    await approver.shot('no-raw-codes-approver-task');
    await approver.page.goto('/tasks');
    await approver.page.getByTestId('tab-done').click();
    await approver.page.getByText(title).first().waitFor();
    await check(approver, 'approver 已办');

    // The transferee: the task page.
    const leader = await openSession(browser, h.url);
    await login(leader, lead);
    await leader.page.goto(`/tasks/${encodeURIComponent(leadTask.id)}`);
    await leader.page.getByTestId('app-timeline').getByText('赵审核').first().waitFor();
    await check(leader, 'transferee task page');
    await leader.shot('no-raw-codes-transferee-task');
    await leader.page.goto('/notifications');
    await leader.page.getByTestId('notification').first().waitFor();
    await check(leader, 'transferee messages');
    await leader.shot('no-raw-codes-transferee-messages');

    // The applicant: the application page, 我发起的, messages.
    const applicant = await openSession(browser, h.url);
    await login(applicant, sb.staff);
    await applicant.page.goto(`/applications/${encodeURIComponent(appId)}`);
    await applicant.page.getByTestId('app-timeline').getByText('赵审核').first().waitFor();
    await check(applicant, 'application page');
    await applicant.shot('no-raw-codes-application');
    await applicant.page.goto('/tasks');
    await applicant.page.getByTestId('tab-started').click();
    await applicant.page.getByText(title).first().waitFor();
    await check(applicant, 'applicant 我发起的');
    await applicant.page.goto('/notifications');
    await applicant.page.getByTestId('notification').first().waitFor();
    await check(applicant, 'applicant messages');

    // The city reviewer: the project list's task shows the campaign beside its title.
    const reviewer = await openSession(browser, h.url);
    await login(reviewer, 'city.reviewer');
    await reviewer.page.goto(`/tasks/${encodeURIComponent(listTask.id)}`);
    await reviewer.page.getByTestId('campaign-tag').first().waitFor();
    await expect(reviewer.page.getByTestId('campaign-tag').first().textContent()).resolves.toContain(launch.name);
    await check(reviewer, 'project list task page');
    await reviewer.shot('no-raw-codes-project-list-task');
    await reviewer.page.goto('/tasks');
    await reviewer.page.getByTestId('campaign-tag').first().waitFor();
    await check(reviewer, 'reviewer 待办');
    await reviewer.shot('no-raw-codes-reviewer-inbox');

    // The city admin: the campaign dashboard and the bulletin.
    const admin = await openSession(browser, h.url);
    await login(admin, 'city.admin');
    await admin.page.goto(`/campaigns/${encodeURIComponent(campaignId)}`);
    await admin.page.getByText(launch.name).first().waitFor();
    await check(admin, 'campaign dashboard');
    await admin.shot('no-raw-codes-campaign-dashboard');
    await admin.page.goto(`/bulletins/${encodeURIComponent(bulletin.id)}`);
    await admin.page.getByTestId('bulletin-view').waitFor();
    await check(admin, 'admin bulletin');

    // The supervisor: the bulletin.
    const sup = await openSession(browser, h.url);
    await login(sup, 'city.lead');
    await sup.page.goto(`/bulletins/${encodeURIComponent(bulletin.id)}`);
    await sup.page.getByTestId('bulletin-view').waitFor();
    await check(sup, 'supervisor bulletin');
    await sup.shot('no-raw-codes-supervisor-bulletin');

    for (const s of [approver, leader, applicant, reviewer, admin, sup]) await s.context.close();
  }, 300_000);
});
