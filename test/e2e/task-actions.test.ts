/**
 * In a real browser, desktop and 390 px: every action on the task and the
 * application page, refused ones with their reasons. An applicant 催办 with a
 * message (the approver sees it in 消息 and on the task's timeline) and
 * withdraws; an approver approves and retracts (the task is back in their
 * 待办), the next step's approver sees 加签 refused with its reason; an
 * approver adds a signer and removes them (减签, picked by name) on a phone.
 * Each action refreshes the page without a reload. No login name and no raw
 * action code in the page text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { hashPassword } from '../../api/passwords';
import { DEMO_PASSWORD } from '../../db/demo-seed';
import { Approvals, type Sandbox } from '../support/approvals';
import { buildChain, buildSubsidy, humanStep, unique } from '../support/factories';
import { eventually, startHarness, type Harness } from '../support/harness';
import { launchBrowser, login, openSession } from './browser';

let h: Harness;
let api: Approvals;
let browser: Browser;
let sb: Sandbox;
let first: string;
let second: string;
let signer: string;

/** An action goes through the workflow (an Update) before the page refreshes: on a busy machine that takes seconds. */
const SLOW = { timeout: 30_000 };

const RAW_CODES = /\b(?:approve|reject|return|transfer|delegate|addSigner|removeSigner|retract|withdraw|resubmit|urge|comment|cc|assign|pending|completed)\b/;

beforeAll(async () => {
  [h, browser] = await Promise.all([startHarness(), launchBrowser()]);
  api = new Approvals(h);
  sb = await api.sandbox();
  [first, second, signer] = ['first', 'second', 'signer'].map((r) => `${sb.org}.${r}`) as [string, string, string];
  for (const [username, name] of [
    [first, '李初审'],
    [second, '王复审'],
    [signer, '赵加签'],
  ] as const)
    await h.db('users').insert({ username, name, org_id: sb.org, roles: ['reviewer'], password_hash: await hashPassword(DEMO_PASSWORD) });
  await api.installChain(
    buildChain({
      steps: [
        humanStep({ id: 'first', name: '初审 / first review', who: { kind: 'users', usernames: [first] } }),
        humanStep({
          id: 'second',
          name: '复审 / second review',
          who: { kind: 'users', usernames: [second] },
          actions: ['approve', 'reject', 'return', 'comment'],
        }),
      ],
    }),
    sb.org,
  );
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

async function newApplication(): Promise<{ id: string; task: string; title: string }> {
  const title = `服务站建设补助 ${unique('办理')}`;
  const id = await api.start(sb.staff, buildSubsidy({ title }));
  return { id, task: (await api.task(first, id)).id, title };
}

/** The page's text has no login name of the people involved and no raw action code. */
async function expectPlainText(page: Page, without: string[] = []) {
  let text = (await page.locator('.ud-page').textContent())!;
  for (const part of without) text = text.replace(part, '');
  for (const login of [sb.staff, first, second, signer]) expect(text).not.toContain(login);
  expect(text).not.toMatch(RAW_CODES);
}
/** Picks a person in the picker by typing their name (the directory is searched on the server). */
async function pickPerson(page: Page, name: string) {
  await page.locator('.ant-modal:visible').getByTestId('user-picker').click();
  await page.keyboard.type(name);
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: name }).first().click();
  // A picker of several people stays open: close it (the dialog stays).
  if (await page.locator('.ant-select-dropdown:visible').count()) await page.keyboard.press('Escape');
}
async function confirmPopover(page: Page) {
  await page
    .locator('.ant-popover:visible')
    .getByRole('button', { name: /确\s*定/ })
    .click();
}
async function okModal(page: Page) {
  await page
    .locator('.ant-modal:visible')
    .getByRole('button', { name: /确\s*定/ })
    .click();
}
const noSidewaysScroll = async (page: Page) => expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);

describe('办理 in the browser', () => {
  it('an approver works from 待办 on a phone: taps the card, approves, and the card and the badge follow without a reload', async () => {
    const app = await newApplication();
    const phone = await openSession(browser, h.url, { mobile: true });
    const { page } = phone;
    await login(phone, first);
    await page.goto('/tasks');
    const card = page.getByTestId('task-card').filter({ hasText: app.title });
    await card.waitFor();
    const badge = page.getByTestId('header-pending').locator('.ant-badge-count');
    // The badge's count (antd shows none at zero).
    const pending = async () => ((await badge.count()) ? Number(await badge.getAttribute('title')) : 0);
    await expect.poll(pending, SLOW).toBeGreaterThan(0);
    const before = await pending();
    await noSidewaysScroll(page);
    await expectPlainText(page);
    await phone.shot('task-actions-00-todo-cards-390');
    await page.evaluate('window.__noReload = true');
    await card.getByRole('link').first().click();
    await page.waitForURL(`**/tasks/${app.task}`);
    const panel = page.getByTestId('action-panel');
    await panel.getByTestId('action-approve').click();
    await expect
      .poll(
        () =>
          h
            .db('tasks')
            .where({ id: app.task })
            .first('status')
            .then((t) => t?.status),
        SLOW,
      )
      .toBe('completed');
    await expect.poll(() => page.getByTestId('app-timeline').textContent(), SLOW).toContain('李初审');
    await noSidewaysScroll(page);
    await expectPlainText(page);
    await phone.shot('task-actions-00-approved-390');
    // Back in 待办: the card is gone and the badge counts one less, still without a reload.
    await page.getByTestId('header-pending').click();
    await page.waitForURL('**/tasks');
    await page.getByTestId('task-cards').waitFor();
    await expect.poll(() => card.count(), SLOW).toBe(0);
    await expect.poll(pending, SLOW).toBe(before - 1);
    expect(await page.evaluate('window.__noReload')).toBe(true);
    expect(phone.errors).toEqual([]);
    await phone.close();
  }, 120_000);

  it('the applicant urges with a message (the approver sees it) and withdraws, without a reload; refused actions say why (desktop)', async () => {
    const app = await newApplication();
    const s = await openSession(browser, h.url);
    const { page } = s;
    await login(s, sb.staff);
    await page.goto(`/applications/${app.id}`);
    const panel = page.getByTestId('applicant-actions');
    await panel.getByTestId('app-action-urge').waitFor();
    await page.evaluate('window.__noReload = true');
    await expect(panel.getByTestId('refused-resubmit').isDisabled()).resolves.toBe(true);
    await expect(panel.getByTestId('refused-actions').textContent()).resolves.toContain('只有被退回的申请可以重新提交');
    await expect(panel.getByTestId('refused-actions').textContent()).resolves.toContain('没有可撤销的审批');
    await expectPlainText(page);
    await s.shot('task-actions-01-applicant-desktop');

    await panel.getByLabel('说明或留言（可选，催办时一并发出）').fill('请尽快审核，月底前要开工');
    await panel.getByTestId('app-action-urge').click();
    await expect.poll(() => page.getByTestId('app-timeline').textContent(), SLOW).toContain('请尽快审核，月底前要开工');

    await panel.getByTestId('withdraw').click();
    await confirmPopover(page);
    await expect.poll(() => page.getByTestId('application-status').textContent(), SLOW).toBe('已撤回');
    await expect.poll(() => panel.getByTestId('refused-actions').textContent(), SLOW).toContain('申请已结束');
    await expect(panel.getByTestId('withdraw').count()).resolves.toBe(0);
    await expect(panel.getByTestId('refused-withdraw').isDisabled()).resolves.toBe(true);
    expect(await page.evaluate('window.__noReload')).toBe(true);
    await expectPlainText(page);
    await s.shot('task-actions-02-withdrawn-desktop');
    expect(s.errors).toEqual([]);
    await s.close();

    // The approver sees the 催办 in 消息 and on the task's timeline.
    const a = await openSession(browser, h.url);
    await login(a, first);
    await a.page.goto('/notifications');
    await expect.poll(() => a.page.getByTestId('notification').first().textContent(), SLOW).toContain(`「${app.title}」被催办`);
    await a.page.goto(`/tasks/${app.task}`);
    const timeline = a.page.getByTestId('app-timeline');
    await expect.poll(() => timeline.textContent(), SLOW).toContain('催办');
    await expect(timeline.textContent()).resolves.toContain('请尽快审核，月底前要开工');
    await expect(a.page.getByTestId('action-panel').getByTestId('refused-actions').textContent()).resolves.toContain('申请已结束');
    await expectPlainText(a.page);
    await a.shot('task-actions-03-approver-sees-urge-desktop');
    expect(a.errors).toEqual([]);
    await a.close();
  }, 180_000);

  it('an approver approves, the next step refuses 加签 with its reason, and the approver retracts: the task is back in their 待办 (desktop and 390 px)', async () => {
    const app = await newApplication();
    const s = await openSession(browser, h.url);
    const { page } = s;
    await login(s, first);
    await page.goto(`/tasks/${app.task}`);
    const panel = page.getByTestId('action-panel');
    await panel.getByTestId('action-approve').waitFor();
    await page.evaluate('window.__noReload = true');
    await panel.getByTestId('action-approve').click();
    await expect.poll(() => page.getByTestId('task-status').textContent(), SLOW).toBe('已办');
    await panel.getByTestId('action-retract').waitFor();
    await expect(panel.getByTestId('refused-approve').isDisabled()).resolves.toBe(true);
    await expect(panel.getByTestId('refused-actions').textContent()).resolves.toContain('任务已处理');
    await expectPlainText(page);
    await s.shot('task-actions-04-approved-can-retract-desktop');

    // The next step's approver, on a phone: 加签 is not among this step's actions, and says so.
    const next = await api.task(second, app.id);
    const phone = await openSession(browser, h.url, { mobile: true });
    await login(phone, second);
    await phone.page.goto(`/tasks/${next.id}`);
    const nextPanel = phone.page.getByTestId('action-panel');
    await nextPanel.getByTestId('action-approve').waitFor();
    await expect(nextPanel.getByTestId('refused-addSigner').isDisabled()).resolves.toBe(true);
    const reasons = (await nextPanel.getByTestId('refused-actions').textContent())!;
    expect(reasons).toContain('此步骤不允许加签');
    expect(reasons).toContain('此步骤不允许转办');
    await expect(nextPanel.getByTestId('refused-reason').first().isVisible()).resolves.toBe(true);
    await noSidewaysScroll(phone.page);
    await expectPlainText(phone.page);
    await phone.shot('task-actions-05-refused-with-reason-390');

    await panel.getByTestId('action-retract').click();
    await expect.poll(() => page.getByTestId('task-status').textContent(), SLOW).toBe('待办');
    await panel.getByTestId('action-approve').waitFor();
    await expect(panel.getByTestId('action-retract').count()).resolves.toBe(0);
    await expect.poll(() => page.getByTestId('app-timeline').textContent(), SLOW).toContain('撤销');
    expect(await page.evaluate('window.__noReload')).toBe(true);
    await expectPlainText(page);
    await s.shot('task-actions-06-retracted-desktop');
    await page.goto('/tasks');
    await page
      .locator(`a[href="/tasks/${encodeURIComponent(app.task)}"]`)
      .first()
      .waitFor();
    await s.shot('task-actions-07-back-in-todo-desktop');

    // The next step's task was cancelled: its page says so after a refresh of what it may do.
    await phone.page.reload();
    await expect.poll(() => phone.page.getByTestId('task-status').textContent(), SLOW).toBe('已取消');
    await expect(nextPanel.getByTestId('refused-actions').textContent()).resolves.toContain('任务已取消');
    await noSidewaysScroll(phone.page);
    await phone.shot('task-actions-08-next-cancelled-390');
    expect(s.errors).toEqual([]);
    expect(phone.errors).toEqual([]);
    await s.close();
    await phone.close();
  }, 180_000);

  it('加签 then 减签, picked by name, on a phone; the applicant’s page works at 390 px', async () => {
    const app = await newApplication();
    const phone = await openSession(browser, h.url, { mobile: true });
    const { page } = phone;
    await login(phone, first);
    await page.goto(`/tasks/${app.task}`);
    const panel = page.getByTestId('action-panel');
    await panel.getByTestId('action-addSigner').waitFor();
    await expect(panel.getByTestId('refused-actions').textContent()).resolves.toContain('没有您添加的、尚未处理的加签人');
    await page.evaluate('window.__noReload = true');
    await panel.getByTestId('action-addSigner').click();
    await pickPerson(page, '赵加签');
    await phone.shot('task-actions-09-add-signer-by-name-390');
    await okModal(page);
    await panel.getByTestId('action-removeSigner').waitFor();
    await expect.poll(() => page.getByTestId('app-timeline').textContent(), SLOW).toContain('加签');

    await panel.getByTestId('action-removeSigner').click();
    const dialog = page.locator('.ant-modal:visible');
    await expect.poll(() => dialog.textContent(), SLOW).toContain('赵加签');
    await phone.shot('task-actions-10-remove-signer-390');
    await okModal(page);
    await panel.getByTestId('refused-removeSigner').waitFor();
    await expect.poll(() => page.getByTestId('app-timeline').textContent(), SLOW).toContain('减签');
    expect(await page.evaluate('window.__noReload')).toBe(true);
    await noSidewaysScroll(page);
    // The timeline names who was added and removed by name and post, like the rest of the page: no login anywhere.
    await expect.poll(() => page.getByTestId('app-timeline').textContent(), SLOW).toContain('赵加签');
    await expectPlainText(page);
    await phone.shot('task-actions-11-signer-removed-390');
    expect(await h.db('audit_log').where({ application_id: app.id, action: 'removeSigner' })).toHaveLength(1);
    expect(phone.errors).toEqual([]);
    await phone.close();

    const applicant = await openSession(browser, h.url, { mobile: true });
    await login(applicant, sb.staff);
    await applicant.page.goto(`/applications/${app.id}`);
    await applicant.page.getByTestId('applicant-actions').getByTestId('app-action-cc').click();
    await pickPerson(applicant.page, '王复审');
    await okModal(applicant.page);
    await expect.poll(() => applicant.page.getByTestId('app-timeline').textContent(), SLOW).toContain('抄送');
    await eventually(async () => ((await h.db('tasks').where({ application_id: app.id, kind: 'cc', assignee: second })).length === 1 ? true : undefined));
    await noSidewaysScroll(applicant.page);
    await applicant.shot('task-actions-12-applicant-copied-390');
    expect(applicant.errors).toEqual([]);
    await applicant.close();
  }, 180_000);
});
