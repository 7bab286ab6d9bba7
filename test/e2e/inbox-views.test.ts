/**
 * The workbench's four tabs in the browser (待办 / 已办 / 我发起的 / 抄送我的),
 * desktop and phone (390 px): names instead of logins, search, each tab's
 * rows, and no raw code or login name in the page text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { hashPassword } from '../../api/passwords';
import { DEMO_PASSWORD } from '../../db/demo-seed';
import { Approvals } from '../support/approvals';
import { buildChain, buildSubsidy, humanStep, unique } from '../support/factories';
import { startHarness, type Harness } from '../support/harness';
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

describe('the four views in the browser', () => {
  it('an approver finds, decides and then sees the task under 已办; the applicant sees 我发起的 and the leader 抄送我的 — desktop and 390 px', async () => {
    const sb = await api.sandbox();
    const rev = `${sb.org}.rev`;
    const lead = `${sb.org}.lead`;
    await h.db('users').insert([
      { username: rev, name: '赵审核', org_id: sb.org, roles: ['reviewer'], password_hash: await hashPassword(DEMO_PASSWORD) },
      { username: lead, name: '钱领导', org_id: sb.org, roles: ['staff'], password_hash: await hashPassword(DEMO_PASSWORD) },
    ]);
    await api.installChain(buildChain({ steps: [humanStep({ id: 'review', name: '乡镇审核', who: { kind: 'users', usernames: [rev] } })] }), sb.org);
    const tag = unique('工作台');
    const title = `服务站补助 ${tag}`;
    const appId = await api.start(sb.staff, buildSubsidy({ title }));
    const task = await api.task(rev, appId);
    await api.ok(rev, task.id, { action: 'cc', to: lead, comment: '请知悉' });

    const logins = [sb.staff, rev, lead];
    const noLogins = (text: string | null) => {
      for (const l of logins) expect(text ?? '').not.toContain(l);
    };

    // Desktop: 待办 with the applicant's name and the org's name; search narrows to it.
    const s = await openSession(browser, h.url);
    await login(s, rev);
    await s.page.goto('/tasks');
    await s.page.getByTestId('inbox-search').locator('input').fill(tag);
    await s.page.getByTestId('inbox-search').locator('input').press('Enter');
    const row = s.page.locator(`tr[data-row-key="${task.id}"]`);
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain(`测试staff ${sb.org}`);
    await expect(row.textContent()).resolves.toContain(`测试乡镇 ${sb.org}`);
    noLogins(await s.page.locator('main').textContent());
    await s.shot('inbox-views-todo-desktop');

    await api.ok(rev, task.id, { action: 'approve', comment: '同意' });
    await s.page.getByTestId('tab-done').click();
    const doneRow = s.page.locator(`tr[data-row-key="${task.id}"]`);
    await doneRow.waitFor();
    await expect(doneRow.textContent()).resolves.toContain('赵审核');
    await expect(doneRow.textContent()).resolves.toContain('同意');
    noLogins(await s.page.locator('main').textContent());
    await s.shot('inbox-views-done-desktop');
    await s.close();

    // Phone: the applicant's 我发起的 as cards, the leader's 抄送我的.
    const p = await openSession(browser, h.url, { mobile: true });
    await login(p, sb.staff);
    await p.page.goto('/tasks');
    await p.page.getByTestId('tab-started').click();
    const card = p.page.getByTestId('task-card').filter({ hasText: tag });
    await card.waitFor();
    await expect(card.textContent()).resolves.toContain('测试乡镇');
    expect(await p.page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    noLogins(await p.page.locator('main').textContent());
    await p.shot('inbox-views-started-phone');
    await p.close();

    const c = await openSession(browser, h.url, { mobile: true });
    await login(c, lead);
    await c.page.goto('/tasks');
    await c.page.getByTestId('tab-cc').click();
    const copy = c.page.getByTestId('task-card').filter({ hasText: tag });
    await copy.waitFor();
    noLogins(await c.page.locator('main').textContent());
    await c.shot('inbox-views-cc-phone');
    await copy.getByRole('link').click();
    await c.page.waitForURL(`**/applications/${encodeURIComponent(appId)}`);
    await c.close();
  });
});
