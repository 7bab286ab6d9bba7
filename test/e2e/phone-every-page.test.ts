/**
 * Every internal page on a phone (390 px, issue 15). For each demo role the
 * test signs in at 390 px, opens the menu drawer, reads the menu from the page
 * (so a new page is covered without touching this file) and visits every item;
 * then the pages reached from them — a campaign's dashboard and its region
 * desk, a bulletin, a task, an application, the chain designer, the rotation
 * wizard, profile and password. On each page: no horizontal overflow
 * (scrollWidth ≤ 390), 退出登录 inside the viewport, the header naming the
 * user and never their login, no table column squeezed to a character's width;
 * a screenshot of each (phone-<role>-<page>).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import demo from '../../db/seeds/demo-org.json';
import { Approvals } from '../support/approvals';
import { buildLaunch, CampaignDriver } from '../support/campaigns';
import { buildSubsidy, unique } from '../support/factories';
import { startHarness, type Harness } from '../support/harness';
import { launchBrowser, login, openSession, type Session } from './browser';

const WIDTH = 390;
const HEIGHT = 844;

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

const nameOf = (username: string) => demo.users.find((u) => u.username === username)?.name;

/** Waits until the page's spinners and skeletons are gone. */
async function settle(page: Page): Promise<void> {
  await page.locator('.ud-page').first().waitFor();
  await expect
    .poll(() => page.locator('.ud-page .ant-spin-spinning, .ud-page .ant-skeleton-active, .ud-page .ant-card-loading-content').count(), { timeout: 15_000 })
    .toBe(0);
}

/** The checks every page must pass at 390 px; then its screenshot. */
async function checkPage(s: Session, who: { slug: string; username: string; name: string }, page: string): Promise<void> {
  const p = s.page;
  await settle(p);
  await s.shot(`phone-${who.slug}-${page}`);
  const where = `${who.slug} on ${p.url()}`;
  expect(await p.evaluate('document.documentElement.scrollWidth'), where).toBeLessThanOrEqual(WIDTH);
  // The menu button, the 待办 and 消息 badges and 退出登录 are on screen (at the top of the page).
  await p.evaluate('window.scrollTo(0, 0)');
  for (const control of ['menu-button', 'header-pending', 'header-unread', 'logout']) {
    const box = await p.getByTestId(control).boundingBox();
    expect(box, `${control}: ${where}`).not.toBeNull();
    expect(box!.x, `${control}: ${where}`).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width, `${control}: ${where}`).toBeLessThanOrEqual(WIDTH);
    expect(box!.y + box!.height, `${control}: ${where}`).toBeLessThanOrEqual(HEIGHT);
  }
  // The header names the user and never shows their login.
  const header = (await p.locator('.ud-header').textContent()) ?? '';
  expect(header, where).toContain(who.name);
  expect(header, where).not.toContain(who.username);
  // No table column narrower than two characters: a header cell with text never wraps to more than two lines.
  const squeezed = await p.evaluate(`[...document.querySelectorAll('.ud-page .ant-table-thead th')]
    .filter((th) => th.offsetParent && th.textContent.trim().length > 1 && th.getBoundingClientRect().height > 64)
    .map((th) => th.textContent.trim() + ' ' + Math.round(th.getBoundingClientRect().width) + 'px')`);
  expect(squeezed, where).toEqual([]);
}

/** Opens the menu drawer and its groups; answers the drawer's menu. */
async function openMenu(p: Page) {
  const menu = p.locator('.ant-drawer-open').getByTestId('main-menu');
  // The app may still be moving to the user's start page (the move closes the drawer): open it until it stays open.
  await expect
    .poll(
      async () => {
        if (!(await menu.isVisible())) await p.getByTestId('menu-button').click();
        await p.waitForTimeout(500);
        return menu.isVisible();
      },
      { timeout: 20_000 },
    )
    .toBe(true);
  const closed = menu.locator('.ant-menu-submenu:not(.ant-menu-submenu-open) > .ant-menu-submenu-title');
  while ((await closed.count()) > 0) await closed.first().click();
  return menu;
}

/** Visits every item of the menu as the page shows it; answers the paths seen. */
async function everyMenuItem(s: Session, who: { slug: string; username: string; name: string }): Promise<string[]> {
  const p = s.page;
  const count = await (await openMenu(p)).locator('li.ant-menu-item').count();
  await p.keyboard.press('Escape');
  const seen: string[] = [];
  for (let i = 0; i < count; i++) {
    const item = (await openMenu(p)).locator('li.ant-menu-item').nth(i);
    await item.click();
    await p.locator('.ant-drawer-open').waitFor({ state: 'detached' });
    const path = new URL(p.url()).pathname;
    seen.push(path);
    await checkPage(s, who, path.replace(/^\//, '').replace(/\W+/g, '-') || 'home');
  }
  return seen;
}

/** The city admin's menu drawer, an org's detail in the org tree and the new-account dialog, at 390 px. */
async function adminExtras(s: Session, who: { slug: string; username: string; name: string }): Promise<void> {
  const p = s.page;
  await openMenu(p);
  await s.shot(`phone-${who.slug}-menu`);
  const drawer = await p.locator('.ant-drawer-open').getByTestId('main-menu').boundingBox();
  expect(drawer!.x + drawer!.width).toBeLessThanOrEqual(WIDTH);
  await p.locator('.ant-drawer-open').getByTestId('main-menu').getByText('组织机构', { exact: true }).click();
  await p.getByTestId('org-node-pds').click();
  await p.getByTestId('org-detail').waitFor();
  await checkPage(s, who, 'admin-orgs-detail');
  await p.evaluate(`history.pushState(null, '', '/admin/people'); dispatchEvent(new Event('ud:navigate'))`);
  await p.getByRole('button', { name: '新建账号' }).click();
  const dialog = p.locator('.ant-modal:visible');
  await dialog.waitFor();
  const box = await dialog.boundingBox();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(WIDTH);
  // Nothing in it runs past its edge (the dialog clips what would).
  expect(await dialog.locator('.ant-modal-body').evaluate((e) => e.scrollWidth - e.clientWidth)).toBeLessThanOrEqual(0);
  await s.shot(`phone-${who.slug}-admin-people-new-account`);
  expect(await p.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(WIDTH);
  await p.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
}

describe('every internal page at 390 px', () => {
  it('each role reaches every menu page and the pages behind them without overflow, with the logout on screen and names in the header', async () => {
    // Subjects to look at: an application of a sandbox's staff (city reviewers hold its first task), and a campaign
    // in its survey phase with a bulletin issued on demand.
    const d = new CampaignDriver(h);
    const [{ sb, appId, task }, { campaignId, bulletinId }] = await Promise.all([
      (async () => {
        const sb = await api.sandbox();
        const appId = await api.start(sb.staff, buildSubsidy({ title: `驿站补助 ${unique()}` }));
        return { sb, appId, task: await api.task('city.reviewer', appId) };
      })(),
      (async () => {
        const { id } = await d.launch(buildLaunch({ regions: ['pds-xinhua', 'pds-weidong'] }));
        await d.waitForPhase(id, 'survey');
        const issued = await h.call('POST', `/api/campaigns/${id}/reports`, { token: await h.login('city.admin') });
        expect(issued.status, JSON.stringify(issued.body)).toBe(201);
        return { campaignId: id, bulletinId: issued.body.id as string };
      })(),
    ]);
    const campaign = `/campaigns/${encodeURIComponent(campaignId)}`;

    const roles: { slug: string; username: string; name: string; also: string[] }[] = [
      {
        slug: 'city-admin',
        username: 'city.admin',
        name: nameOf('city.admin')!,
        also: [campaign, `/applications/${appId}`, '/admin/chains/subsidy', '/admin/people/xinhua.staff/rotate', '/me', '/password'],
      },
      { slug: 'city-reviewer', username: 'city.reviewer', name: nameOf('city.reviewer')!, also: [`/tasks/${task.id}`] },
      {
        slug: 'region-staff',
        username: 'xinhua.staff',
        name: nameOf('xinhua.staff')!,
        also: ['survey', 'plan', 'projects', 'progress', 'assessment'].map((tab) => `${campaign}/regions/pds-xinhua?tab=${tab}`),
      },
      { slug: 'province-reviewer', username: 'prov.reviewer', name: nameOf('prov.reviewer')!, also: [] },
      { slug: 'supervisor', username: 'city.lead', name: nameOf('city.lead')!, also: [campaign, `/bulletins/${bulletinId}`] },
      { slug: 'union-reviewer', username: 'xinhua-express.reviewer', name: nameOf('xinhua-express.reviewer')!, also: [] },
      { slug: 'applicant', username: sb.staff, name: `测试staff ${sb.org}`, also: [`/applications/${appId}`] },
    ];

    const slugOf = (path: string) =>
      path
        .replace(task.id, 'task')
        .replace(campaignId, 'campaign')
        .replace(appId, 'application')
        .replace(bulletinId, 'bulletin')
        .replace(/^\//, '')
        .replace(/\W+/g, '-');
    // Three lanes side by side (one browser), each taking its roles in turn, each role in a session of its own. Nobody
    // clicks 退出登录 here: signing out ends every session of that user, and the demo users are other tests' users too.
    const lanes = [roles.slice(0, 1), roles.slice(1, 4), roles.slice(4)];
    const errors = await Promise.all(
      lanes.map(async (lane) => {
        const seen: string[] = [];
        for (const who of lane) {
          const s = await openSession(browser, h.url, { mobile: true });
          await login(s, who.username);
          expect((await everyMenuItem(s, who)).length, who.slug).toBeGreaterThan(0);
          for (const path of who.also) {
            await s.page.evaluate(`history.pushState(null, '', ${JSON.stringify(path)}); dispatchEvent(new Event('ud:navigate'))`);
            await checkPage(s, who, slugOf(path));
          }
          if (who.username === 'city.admin') await adminExtras(s, who);
          // The reviewer holds the application's task: the header's 待办 badge counts it.
          if (who.username === 'city.reviewer')
            await expect
              .poll(async () => Number(await s.page.getByTestId('header-pending').locator('.ant-badge-count').getAttribute('title')))
              .toBeGreaterThan(0);
          seen.push(...s.errors);
          await s.close();
        }
        return seen;
      }),
    );
    expect(errors.flat()).toEqual([]);
  }, 180_000);
});
