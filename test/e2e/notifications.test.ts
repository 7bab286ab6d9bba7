/**
 * In a real browser: an approver with two 催办 messages opens 消息 from the
 * menu (the badge counts 2), clicks the newest, lands on its task, goes back:
 * that message now shows read (no longer bold, no dot) and the badge counts 1
 * — without a reload. 全部标为已读 clears the rest and the badge. The page
 * works at 390 px wide. No login name or raw code in the Chinese text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { Approvals } from '../support/approvals';
import { buildChain, buildSubsidy, humanStep } from '../support/factories';
import { eventually, startHarness, type Harness } from '../support/harness';
import { launchBrowser, login, openSession } from './browser';

let h: Harness;
let api: Approvals;
let browser: Browser;
beforeAll(async () => {
  [h, browser] = await Promise.all([startHarness(), launchBrowser()]);
  api = new Approvals(h);
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

/** A sandbox whose admin is the only approver, with two of its staff member's subsidies urged: two unread 催办 for the admin. */
async function urgedTwice() {
  const sb = await api.sandbox({ admin: true });
  const approver = sb.admin!;
  await api.installChain(
    buildChain({ steps: [humanStep({ id: 'review', name: '乡镇审核 / township review', who: { kind: 'users', usernames: [approver] } })] }),
    sb.org,
  );
  const tasks: { appId: string; taskId: string; title: string }[] = [];
  for (const n of [1, 2]) {
    const title = `服务站建设补助 第${n}份 ${sb.org.slice(-6)}`;
    const appId = await api.start(sb.staff, buildSubsidy({ title }));
    const task = await api.task(approver, appId);
    expect((await api.appAct(sb.staff, appId, { action: 'urge' })).status).toBe(200);
    tasks.push({ appId, taskId: task.id, title });
  }
  await eventually(async () => {
    const r = await h.call('GET', '/api/notifications', { token: await h.login(approver) });
    return r.body.unread === 2 ? true : undefined;
  });
  return { sb, approver, tasks };
}

describe('消息 in the browser', () => {
  it('a click leads to the task and marks the message read; back on 消息 it shows read and the badge dropped, without a reload', async () => {
    const { sb, approver, tasks } = await urgedTwice();
    const s = await openSession(browser, h.url);
    const { page } = s;
    await login(s, approver);
    const badge = page.getByTestId('menu-unread');
    await expect.poll(() => badge.textContent()).toBe('2');
    // Mark the document: a reload would lose it.
    await page.evaluate('window.__noReload = true');

    await page.getByRole('menuitem', { name: /消息/ }).click();
    await page.waitForURL('**/notifications');
    const items = page.getByTestId('notification');
    await expect.poll(() => items.count()).toBe(2);
    await expect(page.getByTestId('unread-dot').count()).resolves.toBe(2);
    const newest = items.first();
    await expect(newest.getAttribute('data-unread')).resolves.toBe('true');
    const text = (await newest.getByTestId('notification-text').textContent())!;
    // The newest is the second application's: a full Chinese sentence naming it.
    expect(text).toMatch(/^「.+」被催办，请您尽快审批。$/);
    expect(text).toContain(tasks[1]!.title);
    expect(
      await newest
        .getByTestId('notification-text')
        .evaluate((e) => (globalThis as unknown as { getComputedStyle(x: unknown): { fontWeight: string } }).getComputedStyle(e).fontWeight),
    ).toBe('600');
    const pageText = (await page.locator('.ud-page').textContent())!;
    expect(pageText).not.toContain(sb.staff);
    expect(pageText).not.toContain(approver);
    expect(pageText).not.toMatch(/\burge\b|reminder|escalation/);
    await s.shot('notifications-01-unread-desktop');

    await newest.click();
    await page.waitForURL(`**/tasks/${tasks[1]!.taskId}`);
    await page.getByText(tasks[1]!.title).first().waitFor();
    await expect.poll(() => badge.textContent()).toBe('1');
    await s.shot('notifications-02-task-opened-desktop');

    await page.goBack();
    await page.waitForURL('**/notifications');
    await expect.poll(() => items.first().getAttribute('data-unread')).toBe('false');
    await expect(items.nth(1).getAttribute('data-unread')).resolves.toBe('true');
    await expect(page.getByTestId('unread-dot').count()).resolves.toBe(1);
    expect(
      await items
        .first()
        .getByTestId('notification-text')
        .evaluate((e) => (globalThis as unknown as { getComputedStyle(x: unknown): { fontWeight: string } }).getComputedStyle(e).fontWeight),
    ).toBe('400');
    await expect(badge.textContent()).resolves.toBe('1');
    expect(await page.evaluate('window.__noReload')).toBe(true);
    await s.shot('notifications-03-back-read-desktop');

    // 全部标为已读: every dot goes, the badge with them.
    await page.getByTestId('read-all').click();
    await expect.poll(() => page.getByTestId('unread-dot').count()).toBe(0);
    await expect.poll(() => badge.count()).toBe(0);
    expect(await page.evaluate('window.__noReload')).toBe(true);
    const stored = await h.call('GET', '/api/notifications', { token: await h.login(approver) });
    expect(stored.body.unread).toBe(0);
    expect(s.errors).toEqual([]);
    await s.close();
  });

  it('works at 390 px: no sideways scrolling, the message opens its task', async () => {
    const { approver, tasks } = await urgedTwice();
    const phone = await openSession(browser, h.url, { mobile: true });
    const { page } = phone;
    await login(phone, approver);
    await page.goto('/notifications');
    const items = page.getByTestId('notification');
    await expect.poll(() => items.count()).toBe(2);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await expect(page.getByTestId('read-all').isVisible()).resolves.toBe(true);
    await phone.shot('notifications-04-unread-390');
    await items.nth(1).click();
    await page.waitForURL(`**/tasks/${tasks[0]!.taskId}`);
    await page.goBack();
    await page.waitForURL('**/notifications');
    await expect.poll(() => items.nth(1).getAttribute('data-unread')).toBe('false');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await phone.shot('notifications-05-back-read-390');
    expect(phone.errors).toEqual([]);
    await phone.close();
  });
});
