/**
 * In a real browser: the city admin launches a campaign through the launch
 * form (inline validation first), watches it open on the dashboard (phase
 * timeline, region table, completion chart) and advances it to the listing
 * phase; the regions that handed in no plan show up as overdue.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startHarness, type Harness } from '../support/harness';
import { unique } from '../support/factories';
import { launchBrowser, login, openSession, pickOption } from './browser';

let h: Harness;
let browser: Browser;
beforeAll(async () => {
  [h, browser] = await Promise.all([startHarness(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('the city admin in the browser', () => {
  it('launches a campaign from the form, sees it on the dashboard and advances it to the listing phase', async () => {
    const s = await openSession(browser, h.url);
    const { page } = s;
    await login(s, 'city.admin');
    // The admin lands on the campaign list.
    await page.waitForURL('**/campaigns');
    await page.getByRole('menuitem', { name: '发起行动' }).click();
    await page.waitForURL('**/campaigns/new');

    // Submitting the empty form shows every missing field next to the field.
    await page.getByTestId('launch-form').getByRole('button', { name: '发起行动' }).click();
    await expect.poll(() => page.getByText('请填写名称').isVisible()).toBe(true);
    await expect(page.getByText('至少选择一个地区').isVisible()).resolves.toBe(true);
    await expect(page.getByText('至少选择一个重点群体').isVisible()).resolves.toBe(true);
    await expect(page.getByText('请填写新会员目标').isVisible()).resolves.toBe(true);
    await s.shot('01-launch-form-validation');

    const name = `2026年平顶山市新就业形态劳动者建会入会集中行动 ${unique()}`;
    await page.getByLabel('行动名称').fill(name);
    for (const region of ['新华区总工会', '卫东区总工会', '湛河区总工会']) await page.getByRole('checkbox', { name: region }).check();
    for (const group of ['快递员', '网约送餐员', '货车司机']) await page.getByRole('checkbox', { name: group }).check();
    await page.getByLabel('新会员目标').first().fill('30');
    await page.getByLabel('新建工会目标').first().fill('3');
    // The city target is split evenly over the regions (editable per region); the period is chosen in words.
    await expect.poll(() => page.getByLabel('新华区总工会新会员目标').inputValue()).toBe('10');
    await pickOption(page, page.getByLabel('通报周期'), '每两个月');
    await s.shot('02-launch-form-filled');
    await page.getByTestId('launch-form').getByRole('button', { name: '发起行动' }).click();

    // The dashboard of the new campaign: the survey phase opens once the workflow starts.
    await page.waitForURL((u) => /^\/campaigns\/[^/]+$/.test(u.pathname) && u.pathname !== '/campaigns/new', { timeout: 30_000 });
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: /刷\s*新/ }).click();
          return page.getByTestId('campaign-phase').textContent();
        },
        { timeout: 30_000 },
      )
      .toBe('调查摸底');
    await expect(page.getByText(name).first().isVisible()).resolves.toBe(true);
    await page.getByTestId('today-marker').waitFor();
    await page.getByTestId('completion-chart').locator('svg').first().waitFor();
    const rows = page.getByTestId('region-table').locator('tbody tr.ant-table-row');
    await expect.poll(() => rows.count()).toBe(3);
    await expect(rows.first().textContent()).resolves.toContain('0 / 10');
    await s.shot('03-admin-dashboard-survey');

    // What was stored is what the form said.
    const stored = await h.call('GET', `/api/campaigns/${id}`, { token: await h.login('city.admin') });
    expect(stored.body).toMatchObject({
      name,
      targets: { newMembers: 30, newUnions: 3, perRegion: { 'pds-xinhua': { newMembers: 10 } } },
      groups: ['courier', 'food_delivery', 'truck_driver'],
    });

    // Advance: the reason is required, then the phase moves on and the missing plans are overdue.
    await page.getByRole('button', { name: '提前进入下一阶段' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: /确\s*定/ }).click();
    await expect.poll(() => dialog.getByText('请说明理由').isVisible()).toBe(true);
    await dialog.getByLabel('理由').fill('各地区摸底工作已提前完成');
    await dialog.getByRole('button', { name: /确\s*定/ }).click();
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: /刷\s*新/ }).click();
          return page.getByTestId('campaign-phase').textContent();
        },
        { timeout: 30_000 },
      )
      .toBe('立项审核');
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: /刷\s*新/ }).click();
          return page.getByTestId('overdue-list').locator('tbody tr.ant-table-row').count();
        },
        { timeout: 30_000 },
      )
      .toBe(3);
    await expect(page.getByTestId('overdue-list').textContent()).resolves.toContain('调查摸底 · 实施方案');
    await expect(page.getByText('各地区摸底工作已提前完成').isVisible()).resolves.toBe(true);
    await s.shot('04-admin-dashboard-listing-overdue');

    // The list shows the campaign in its new phase; English is one click away.
    await page.getByRole('menuitem', { name: '集中行动' }).click();
    await page.getByTestId('campaign-table').getByText(name).waitFor();
    await s.shot('05-campaign-list');
    await page.getByText('EN', { exact: true }).click();
    await page.getByRole('menuitem', { name: 'Campaigns' }).waitFor();
    await page.getByTestId('campaign-table').getByText('Project listing').first().waitFor();
    await s.shot('06-campaign-list-english');
    await page.getByText('中文', { exact: true }).click();

    expect(s.errors).toEqual([]);
    await s.close();
  }, 180_000);
});
