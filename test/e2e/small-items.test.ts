/**
 * The small items of issue 15 in a real browser: the launch form offers the report period in words (每两个月),
 * 全选 for the regions and per-region targets split evenly (editable, the sum shown); a focused field is outlined
 * in blue, not the error red; a form outside its phase is read-only with a line saying why; the plan's success
 * message shows once; the 进度通报 menu follows the policy (a reviewer has neither the menu nor the bulletins); the
 * campaign list searches on the server and exports what it shows.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startHarness, type Harness } from '../support/harness';
import { buildLaunch, CampaignDriver } from '../support/campaigns';
import { unique } from '../support/factories';
import { launchBrowser, login, openSession, pickOption } from './browser';

let h: Harness;
let d: CampaignDriver;
let browser: Browser;
beforeAll(async () => {
  [h, browser] = await Promise.all([startHarness(), launchBrowser()]);
  d = new CampaignDriver(h);
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('the small items', () => {
  it('launches with 全选, per-region targets and 每两个月; focus is blue; the list searches and exports', async () => {
    const s = await openSession(browser, h.url);
    const { page } = s;
    await login(s, 'city.admin');
    await page.goto('/campaigns/new');
    const name = `${unique('小项')} 建会入会集中行动`;
    const nameField = page.getByLabel('行动名称');
    await nameField.click();
    // Focused: the border is blue (antd's focus blue), not the union red that marks an error.
    await expect.poll(() => page.evaluate('getComputedStyle(document.activeElement).borderColor')).toBe('rgb(22, 119, 255)');
    await nameField.fill(name);

    // 全选 checks every region of the city; the city target is split evenly (the parts add up to 31), one is changed.
    await page.getByRole('checkbox', { name: '全选' }).check();
    const regionBoxes = page.getByTestId('regions').getByRole('checkbox');
    const n = await regionBoxes.count();
    expect(n).toBeGreaterThanOrEqual(3);
    for (let i = 0; i < n; i++) expect(await regionBoxes.nth(i).isChecked()).toBe(true);
    await page.getByRole('checkbox', { name: '快递员' }).check();
    await page.getByLabel('新会员目标').first().fill('31');
    await expect.poll(() => page.getByTestId('sum-members').textContent()).toBe('31 人');
    const xinhua = page.getByLabel('新华区总工会新会员目标');
    const share = Number(await xinhua.inputValue());
    expect([Math.floor(31 / n), Math.ceil(31 / n)]).toContain(share);
    await xinhua.fill(String(share + 4));
    await expect.poll(() => page.getByTestId('sum-members').textContent()).toBe('35 人（全市目标 31 人）');
    // The period in words: no ISO duration anywhere on the form.
    await pickOption(page, page.getByLabel('通报周期'), '每两个月');
    // (while the closing dropdown animates, antd's hidden accessibility list of option values is still rendered)
    await expect.poll(() => page.locator('body').innerText()).not.toMatch(/P\d+[DMW]/);
    await s.shot('60-launch-form-periods-targets');
    await page.getByTestId('launch-form').getByRole('button', { name: '发起行动' }).click();
    await page.waitForURL((u) => /^\/campaigns\/[^/]+$/.test(u.pathname) && u.pathname !== '/campaigns/new', { timeout: 30_000 });
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    await page.getByText('通报周期：每两个月').waitFor();
    const stored = await h.db('campaigns').where({ id }).first('config');
    expect(stored.config.reportEvery).toBe('P2M');
    expect(stored.config.regions).toHaveLength(n);
    const perRegion = stored.config.targets.perRegion as Record<string, { newMembers: number }>;
    expect(perRegion['pds-xinhua']).toMatchObject({ newMembers: share + 4 });
    expect(Object.values(perRegion).reduce((sum, r) => sum + r.newMembers, 0)).toBe(35);

    // The list searches on the server and exports what it shows, in Chinese.
    await page.goto('/campaigns');
    await page.getByTestId('campaign-search').getByRole('searchbox').fill(name);
    await page.getByTestId('campaign-search').getByRole('searchbox').press('Enter');
    const rows = page.getByTestId('campaign-table').locator('tbody tr.ant-table-row');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('平顶山市总工会');
    await s.shot('61-campaign-list-search');
    await page.getByTestId('export').hover();
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: '导出 CSV' }).click()]);
    expect(file.suggestedFilename()).toBe('集中行动列表.csv');
    const csv = fs.readFileSync(await file.path(), 'utf8');
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('行动名称,年度,市总工会,当前阶段,本阶段截止（北京时间）,参加地区数,通报周期,发起时间（北京时间）');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`${name},`);
    expect(lines[1]).toContain(',每两个月,');
    expect(csv).not.toContain(id);
    expect(s.errors).toEqual([]);
    await s.close();
  }, 120_000);

  it('locks a form outside its phase, shows the plan’s success once, and keeps 进度通报 to those who may read it', async () => {
    const open = buildLaunch({ regions: ['pds-xinhua'], targets: { newMembers: 10 } });
    const later = buildLaunch({ regions: ['pds-xinhua'], targets: { newMembers: 10 } });
    const [{ id: openId }, { id: laterId }] = [await d.launch(open), await d.launch(later)];
    await d.waitForPhase(openId, 'survey');
    await d.waitForPhase(laterId, 'survey');
    await d.advance(laterId, '摸底完成');
    await d.waitForPhase(laterId, 'listing');

    const s = await openSession(browser, h.url);
    const { page } = s;
    await login(s, 'xinhua.staff');
    // The plan goes in during the survey: one success message.
    await page.goto(`/campaigns/${openId}/regions/pds-xinhua?tab=plan`);
    await page.getByLabel('方案概述').fill('以快递、外卖平台为重点，拉网式排查');
    await page.getByPlaceholder('措施 1').fill('召开动员部署会');
    await page.getByRole('button', { name: '提交实施方案' }).click();
    await page.locator('.ant-message-notice', { hasText: '实施方案已提交' }).waitFor();
    await page.getByText('本地区已报送过实施方案').waitFor();
    expect(await page.locator('.ant-message-notice').count()).toBe(1);
    expect(await page.getByText('实施方案已提交').count()).toBe(1);
    await s.shot('62-plan-submitted-one-message');

    // In the listing phase the plan can no longer change: read-only, and the reason is shown before anyone types.
    await page.goto(`/campaigns/${laterId}/regions/pds-xinhua?tab=plan`);
    await page.getByTestId('phase-locked').getByText('调查摸底阶段已结束（现为立项审核阶段），实施方案不可再修改').waitFor();
    expect(await page.getByLabel('方案概述').isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: '提交实施方案' }).isDisabled()).toBe(true);
    await s.shot('63-plan-locked-after-phase');
    // The server says the same in the same words.
    const refused = await h.call('POST', `/api/campaigns/${laterId}/regions/pds-xinhua/plan`, {
      token: await h.login('xinhua.staff'),
      body: { summary: '迟交', measures: ['补交'] },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('调查摸底阶段已结束（现为立项审核阶段），实施方案不可再修改');
    expect(s.errors).toEqual([]);
    await s.close();

    // A reviewer: no 进度通报 in the menu, and the bulletins answer 403 — the menu and the policy agree.
    const r = await openSession(browser, h.url);
    await login(r, 'city.reviewer');
    await r.page.getByRole('menuitem', { name: /待办任务/ }).waitFor();
    expect(await r.page.getByRole('menuitem', { name: '进度通报' }).count()).toBe(0);
    await r.shot('64-reviewer-menu-no-bulletins');
    const reviewerToken = await h.login('city.reviewer');
    expect((await h.call('GET', `/api/campaigns/${laterId}/reports`, { token: reviewerToken })).status).toBe(403);
    expect((await h.call('GET', '/api/me', { token: reviewerToken })).body.can).toEqual({
      readBulletins: false,
      readProvinceOverview: false,
      memberRoster: true,
      verifyMembers: true,
    });
    await r.close();

    // A supervisor of the city has both.
    const lead = await openSession(browser, h.url);
    await login(lead, 'city.lead');
    await lead.page.getByRole('menuitem', { name: '进度通报' }).click();
    await lead.page.waitForURL('**/bulletins');
    expect((await h.call('GET', `/api/campaigns/${laterId}/reports`, { token: await h.login('city.lead') })).status).toBe(200);
    expect(lead.errors).toEqual([]);
    await lead.close();
  }, 120_000);
});
