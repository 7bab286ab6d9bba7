/**
 * Nothing goes stale, in a real browser (issue 15): after each action the page
 * and the menu's counts show the new state without a reload (the document is
 * marked; a reload would lose the mark).
 *
 * - an approver approves on the task page: the 待办 badge drops from 2 to 1;
 *   then transfers the other: its page says it was transferred, to whom by
 *   name, and the badge is gone;
 * - a city admin advances a campaign: the header's phase, the phase timeline
 *   and the closed phase's summary follow;
 * - a cc'd leader opens the copy from 消息 (desktop and 390 px).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { hashPassword } from '../../api/passwords';
import { DEMO_PASSWORD } from '../../db/demo-seed';
import { Approvals } from '../support/approvals';
import { buildLaunch, CampaignDriver } from '../support/campaigns';
import { buildChain, buildSubsidy, humanStep, unique } from '../support/factories';
import { startHarness, type Harness } from '../support/harness';
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

/** A sandbox org with a reviewer (the chain's one approver) and two more people of the org, by name. */
async function team() {
  const sb = await api.sandbox();
  const tag = unique();
  const people = {
    rev: { username: `${sb.org}.rev`, name: `赵审核${tag.slice(-4)}` },
    colleague: { username: `${sb.org}.sun`, name: `孙同事${tag.slice(-4)}` },
    lead: { username: `${sb.org}.lead`, name: `钱领导${tag.slice(-4)}` },
  };
  await h.db('users').insert(
    await Promise.all(
      Object.entries(people).map(async ([k, p]) => ({
        username: p.username,
        name: p.name,
        org_id: sb.org,
        roles: [k === 'lead' ? 'staff' : 'reviewer'],
        password_hash: await hashPassword(DEMO_PASSWORD),
      })),
    ),
  );
  await api.installChain(
    buildChain({ steps: [humanStep({ id: 'review', name: '乡镇审核', who: { kind: 'users', usernames: [people.rev.username] } })] }),
    sb.org,
  );
  return { sb, tag, ...people };
}

/**
 * How long an action may take to answer on a loaded machine (the page follows at its answer). Shorter than the
 * campaign page's own 20 s refresh and the badges' 60 s one, so that only the refresh an action causes passes.
 */
const FRESH = { timeout: 10_000 };

const markDocument = (page: Page) => page.evaluate('window.__noReload = true');
const stillSameDocument = async (page: Page) => expect(await page.evaluate('window.__noReload')).toBe(true);

describe('nothing goes stale in the browser', () => {
  it('approving drops the 待办 badge; a transferred task says so, to whom by name — without a reload', async () => {
    const { sb, tag, rev, colleague } = await team();
    const titles = [`服务站补助 甲 ${tag}`, `服务站补助 乙 ${tag}`];
    const apps = [await api.start(sb.staff, buildSubsidy({ title: titles[0] })), await api.start(sb.staff, buildSubsidy({ title: titles[1] }))];
    const tasks = [await api.task(rev.username, apps[0]!), await api.task(rev.username, apps[1]!)];

    const s = await openSession(browser, h.url);
    const { page } = s;
    await login(s, rev.username);
    const badge = page.getByTestId('menu-pending');
    await page.goto(`/tasks/${tasks[0]!.id}`);
    await page.getByText(titles[0]!).first().waitFor();
    await expect.poll(() => badge.textContent(), FRESH).toBe('2');
    await markDocument(page);

    await page.getByTestId('action-approve').click();
    await expect.poll(() => page.getByTestId('task-status').textContent(), FRESH).toBe('已办');
    await expect.poll(() => badge.textContent(), FRESH).toBe('1');
    await stillSameDocument(page);
    await s.shot('no-stale-01-approved-badge-1-desktop');

    await page.goto(`/tasks/${tasks[1]!.id}`);
    await page.getByText(titles[1]!).first().waitFor();
    await markDocument(page);
    await page.getByTestId('action-transfer').click();
    await page.getByRole('dialog').waitFor();
    await s.shot('no-stale-02a-transfer-dialog-desktop');
    // The directory is long (a virtual list): search narrows it to the colleague.
    await page.getByTestId('user-picker').click();
    await page.keyboard.type(colleague.name);
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: colleague.name }).first().click();
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /确\s*定/ })
      .click();
    const notice = page.getByTestId('transferred-notice');
    await notice.waitFor();
    await expect(notice.textContent()).resolves.toContain(colleague.name);
    await expect.poll(() => page.getByTestId('task-status').textContent(), FRESH).toBe('已转办');
    await expect.poll(() => badge.count(), FRESH).toBe(0);
    await stillSameDocument(page);
    const header = (await page.getByTestId('task-page').locator('.ant-card').first().textContent())!;
    expect(header).not.toContain('待办');
    for (const login of [rev.username, colleague.username, sb.staff]) expect(await notice.textContent()).not.toContain(login);
    await s.shot('no-stale-02-transferred-desktop');
    expect(s.errors).toEqual([]);
    await s.close();
  });

  it('advancing a phase: the header, the phase timeline and the phase summary show the new phase without a reload', async () => {
    const d = new CampaignDriver(h);
    const launch = buildLaunch({ regions: ['pds-weidong'], targets: { newMembers: 10, newUnions: 1 } });
    const { id } = await d.launch(launch);
    await d.waitForPhase(id, 'survey');

    const s = await openSession(browser, h.url);
    const { page } = s;
    await login(s, 'city.admin');
    await page.goto(`/campaigns/${id}`);
    const phase = page.getByTestId('campaign-phase');
    await expect.poll(() => phase.textContent(), FRESH).toBe('调查摸底');
    await markDocument(page);

    const reason = `摸底提前完成 ${unique()}`;
    await page.getByRole('button', { name: /提前进入下一阶段/ }).click();
    await page.getByRole('dialog').locator('textarea').fill(reason);
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /确\s*定/ })
      .click();
    await expect.poll(() => phase.textContent(), FRESH).toBe('立项审核');
    // The closed phase's summary, with the reason given, is on the page now.
    await page.getByText(reason).first().waitFor();
    await expect(page.getByTestId('phase-timeline').textContent()).resolves.toContain('立项审核');
    await stillSameDocument(page);
    await s.shot('no-stale-03-advanced-desktop');
    expect(s.errors).toEqual([]);
    await s.close();
  });

  it('a cc’d leader opens the copy from a notification in 消息 — desktop and 390 px', async () => {
    const { sb, tag, rev, lead } = await team();
    const titles = [`服务站补助 抄送甲 ${tag}`, `服务站补助 抄送乙 ${tag}`];
    const apps: string[] = [];
    for (const title of titles) {
      const appId = await api.start(sb.staff, buildSubsidy({ title }));
      const task = await api.task(rev.username, appId);
      await api.ok(rev.username, task.id, { action: 'cc', to: lead.username, comment: '请知悉' });
      apps.push(appId);
    }

    // Desktop: the badge counts both; the click opens the application and the badge follows.
    const s = await openSession(browser, h.url);
    await login(s, lead.username);
    const badge = s.page.getByTestId('menu-unread');
    await expect.poll(() => badge.textContent(), FRESH).toBe('2');
    await markDocument(s.page);
    await s.page.getByRole('menuitem', { name: /消息/ }).click();
    await s.page.waitForURL('**/notifications');
    const note = s.page.getByTestId('notification').filter({ hasText: titles[0]! });
    await note.waitFor();
    await expect(note.textContent()).resolves.toContain('抄送给您，请知悉');
    const list = (await s.page.locator('.ud-page').textContent())!;
    for (const login of [rev.username, lead.username, sb.staff]) expect(list).not.toContain(login);
    await s.shot('no-stale-04-cc-notification-desktop');
    await note.click();
    await s.page.waitForURL(`**/applications/${apps[0]}`);
    await s.page.getByText(titles[0]!).first().waitFor();
    await expect.poll(() => badge.textContent(), FRESH).toBe('1');
    await stillSameDocument(s.page);
    await s.shot('no-stale-05-cc-opened-desktop');
    expect(s.errors).toEqual([]);
    await s.close();

    // 390 px: the other copy, from 消息, opens its application; nothing wider than the screen.
    const p = await openSession(browser, h.url, { mobile: true });
    await login(p, lead.username);
    await p.page.goto('/notifications');
    const other = p.page.getByTestId('notification').filter({ hasText: titles[1]! });
    await other.waitFor();
    expect(await p.page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await p.shot('no-stale-06-cc-notification-phone');
    await other.click();
    await p.page.waitForURL(`**/applications/${apps[1]}`);
    await p.page.getByText(titles[1]!).first().waitFor();
    await p.shot('no-stale-07-cc-opened-phone');
    expect(p.errors).toEqual([]);
    await p.close();
  });
});
