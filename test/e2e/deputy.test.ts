/**
 * In a real browser: a reviewer names a colleague as deputy on 我的代理
 * (我的资料 /me, from the header); the next approval step goes to the deputy,
 * whose inbox and task page say 代…审批, while the reviewer's inbox shows it
 * read-only; the reviewer ends the range early.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { hashPassword } from '../../api/passwords';
import { DEMO_PASSWORD } from '../../db/demo-seed';
import { Approvals } from '../support/approvals';
import { buildChain, buildSubsidy, humanStep } from '../support/factories';
import { eventually, startHarness, type Harness } from '../support/harness';
import { launchBrowser, login, openSession } from './browser';

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

/** Beijing calendar day `n` days from now. */
const day = (n: number) => new Date(Date.now() + n * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);

describe('deputy while away in the browser', () => {
  it('a reviewer names a deputy; the next step shows 代…审批 to the deputy and read-only to the reviewer; ending it early', async () => {
    const sb = await api.sandbox();
    const rev = `${sb.org}.rev`;
    const dep = `${sb.org}.dep`;
    await h.db('users').insert([
      { username: rev, name: '王审核', org_id: sb.org, roles: ['reviewer'], password_hash: await hashPassword(DEMO_PASSWORD) },
      { username: dep, name: '李代理', org_id: sb.org, roles: ['staff'], password_hash: await hashPassword(DEMO_PASSWORD) },
    ]);
    await api.installChain(buildChain({ steps: [humanStep({ id: 'review', name: '乡镇审核', who: { kind: 'users', usernames: [rev] } })] }), sb.org);

    const s = await openSession(browser, h.url);
    const { page } = s;
    await login(s, rev);
    await page.getByTestId('profile-link').click();
    await page.getByTestId('my-deputy-page').waitFor();
    // The staff directory is searched as one types.
    await page.getByTestId('deputy-picker').click();
    await page.keyboard.type(dep);
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '李代理' }).first().click();
    const range = page.locator('.ant-picker-range', { has: page.getByPlaceholder(/开始日期/) });
    const [start, end] = [range.locator('input').nth(0), range.locator('input').nth(1)];
    await start.click();
    await start.fill(day(0));
    await start.press('Enter');
    await end.fill(day(3));
    await end.press('Enter');
    await page.getByTestId('deputy-save').click();
    await expect.poll(() => page.getByTestId('deputy-current').textContent(), { timeout: 15_000 }).toContain('李代理');
    await s.shot('70-my-deputy');
    const stored = await h.db('deputies').where({ username: rev }).first('deputy', 'starts_at', 'ends_at');
    expect(stored).toMatchObject({ deputy: dep, starts_at: new Date(`${day(0)}T00:00:00+08:00`), ends_at: new Date(`${day(4)}T00:00:00+08:00`) });

    // An application arrives: its step goes to the deputy.
    const id = await api.start(sb.staff, buildSubsidy());
    const task = await eventually<{ id: string; assignee: string }>(async () =>
      h.db('tasks').where({ application_id: id, status: 'pending' }).first('id', 'assignee'),
    );
    expect(task.assignee).toBe(dep);

    // The reviewer sees it read-only.
    await page.goto('/tasks');
    await page.getByTestId('read-only-tag').first().waitFor();
    await s.shot('71-inbox-read-only');

    const d = await openSession(browser, h.url);
    await login(d, dep);
    await d.page.goto('/tasks');
    await expect.poll(() => d.page.getByTestId('on-behalf-tag').first().textContent(), { timeout: 15_000 }).toBe('代王审核审批');
    await d.shot('72-inbox-on-behalf');
    await d.page.goto(`/tasks/${encodeURIComponent(task.id)}`);
    await d.page.getByTestId('action-panel').waitFor();
    await d.page
      .getByRole('button', { name: /同\s*意/ })
      .first()
      .click();
    await eventually(async () => (await h.db('tasks').where({ id: task.id }).first('status'))?.status === 'completed');
    await d.page.reload();
    await expect.poll(() => d.page.getByTestId('app-timeline').textContent(), { timeout: 15_000 }).toContain('代王审核审批');
    await d.shot('73-timeline-on-behalf');
    expect(d.errors).toEqual([]);
    await d.close();

    // The reviewer ends the range early.
    await page.goto('/me');
    await page.getByTestId('deputy-end').click();
    await page
      .locator('.ant-popover:visible')
      .getByRole('button', { name: /结\s*束/ })
      .click();
    await page.getByText('未设置代理人').waitFor();
    expect(await h.db('deputies').where({ username: rev }).whereNull('ended_at').first()).toBeUndefined();
    expect(s.errors).toEqual([]);
    await s.close();
  }, 180_000);
});
