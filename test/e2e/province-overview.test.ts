/**
 * In a real browser: with a campaign running in each demo city (平顶山 and
 * 许昌, names of their own), the province admin opens 全省概览 from the menu —
 * the cities' chart, the table of cities with their ranking and overdue work,
 * each city's configuration, the campaigns with links into them — issues a
 * province bulletin of cities and sets its period; a city admin has no such
 * menu item.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { eventually, startHarness, type Harness } from '../support/harness';
import { buildLaunch, CampaignDriver } from '../support/campaigns';
import { unique } from '../support/factories';
import { launchBrowser, login, openSession, pickOption, SCREENSHOTS } from './browser';

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

describe('the province overview in the browser', () => {
  it('shows the cities ranked with their overdue work and campaigns, and issues a province bulletin', async () => {
    const pdsName = `平顶山全省概览演示 ${unique()}`;
    const xcName = `许昌全省概览演示 ${unique()}`;
    const pds = await d.launch(buildLaunch({ name: pdsName, regions: ['pds-xinhua', 'pds-weidong'], targets: { newMembers: 20, newUnions: 2 } }));
    const xc = await h.call('POST', '/api/campaigns', {
      token: await h.login('xc.admin'),
      body: buildLaunch({ name: xcName, cityOrg: 'xc', regions: ['xc-weidu', 'xc-jianan'], groups: ['courier', 'truck_driver'], targets: { newMembers: 10 } }),
    });
    expect(xc.status, JSON.stringify(xc.body)).toBe(201);
    await d.waitForPhase(pds.id, 'survey');
    await eventually(async () => {
      const r = await h.call('GET', `/api/campaigns/${xc.body.id}`, { token: await h.login('xc.admin') });
      return r.body.phase === 'survey' ? true : undefined;
    });
    // 许昌's regions miss their plans: overdue (督办) once the survey is closed early.
    const advanced = await h.call('POST', `/api/campaigns/${xc.body.id}/advance`, { token: await h.login('xc.admin'), body: { reason: '摸底期满' } });
    expect(advanced.status, JSON.stringify(advanced.body)).toBe(200);
    await eventually(async () => {
      const rows = await h.db('campaign_regions').where({ campaign_id: xc.body.id }).select('overdue');
      return rows.every((r: { overdue: unknown[] }) => r.overdue.length > 0) ? true : undefined;
    }, 30_000);

    const prov = await openSession(browser, h.url);
    await login(prov, 'prov.admin');
    await prov.page.getByRole('menuitem', { name: /全省概览/ }).click();
    await prov.page.waitForURL('**/province');
    const cities = prov.page.getByTestId('city-table');
    await cities.locator('tr.ant-table-row', { hasText: '平顶山市总工会' }).waitFor();
    await cities.locator('tr.ant-table-row', { hasText: '许昌市总工会' }).waitFor();
    await prov.page.getByTestId('province-chart').locator('canvas, svg').first().waitFor();
    // The campaigns of the year, each with its phase: 平顶山's still in its survey, 许昌's closed early into listing.
    // (The shared database holds this year's campaigns of other files too: the table pages by 20, so turn its pages.)
    const campaigns = prov.page.getByTestId('province-campaigns');
    await campaigns.locator('tr.ant-table-row').first().waitFor();
    // (antd puts the test id on the table itself; its pager sits beside it, in the wrapper)
    const pager = prov.page.locator('.ant-table-wrapper').filter({ has: campaigns }).locator('.ant-pagination');
    const campaignRow = async (name: string) => {
      const first = pager.locator('.ant-pagination-item-1');
      if ((await first.count()) && !(await first.getAttribute('class'))?.includes('ant-pagination-item-active')) await first.click();
      for (;;) {
        const row = campaigns.locator('tr.ant-table-row', { hasText: name });
        if (await row.count()) return (await row.textContent()) ?? '';
        const next = pager.locator('li.ant-pagination-next');
        if (!(await next.count()) || (await next.getAttribute('aria-disabled')) === 'true') throw new Error(`campaign ${name} not listed`);
        await next.click();
      }
    };
    const pdsRow = await campaignRow(pdsName);
    expect(pdsRow).toContain('平顶山市总工会');
    expect(pdsRow).toContain('调查摸底');
    expect(pdsRow).toContain('0 / 20');
    const xcRow = await campaignRow(xcName);
    expect(xcRow).toContain('许昌市总工会');
    expect(xcRow).toContain('立项审核');
    expect(xcRow).toMatch(/督办 \d+/);
    // 许昌's overdue plans show as 督办 on its row.
    await expect
      .poll(async () => (await cities.locator('tr.ant-table-row', { hasText: '许昌市总工会' }).textContent()) ?? '', { timeout: 30_000 })
      .toMatch(/督办 \d+/);
    // Each city's configuration: open 许昌's row.
    await cities.locator('tr.ant-table-row', { hasText: '许昌市总工会' }).locator('.ant-table-row-expand-icon').click();
    await expect.poll(async () => (await cities.textContent()) ?? '').toContain('许昌市工交工会');
    expect(await cities.textContent()).toContain(xcName);
    await prov.shot('160-province-overview');

    // A province bulletin now, and the period set to quarterly.
    await prov.page.getByTestId('issue-province-bulletin').click();
    await prov.page.getByText(/已生成通报 第\d+期（临时）/).waitFor({ timeout: 60_000 });
    await pickOption(prov.page, prov.page.getByTestId('province-period'), '每季度');
    await prov.page.getByText('通报周期已设置').waitFor();
    await expect.poll(async () => (await prov.page.getByTestId('province-bulletins').textContent()) ?? '').toContain('临时');
    await expect.poll(async () => (await prov.page.locator('.ant-card', { hasText: '全省通报' }).textContent()) ?? '').toContain('每季度');
    await prov.page.getByTestId('province-bulletins').scrollIntoViewIfNeeded();
    await prov.shot('161-province-bulletins');

    // The bulletin's print version (A4, no script): the cities' chart and tables.
    const list = await h.call('GET', '/api/orgs/henan/bulletins', { token: await h.login('prov.admin') });
    const html = await h.call('GET', `/api/province-bulletins/${list.body.items[0].id}?format=html`, { token: await h.login('prov.admin') });
    expect(html.status).toBe(200);
    const print = await prov.context.newPage();
    await print.setContent(html.body as string);
    await expect.poll(() => print.textContent('body')).toContain(xcName);
    await print.screenshot({ path: path.join(SCREENSHOTS, '162-province-bulletin-print.png'), fullPage: true, timeout: 60_000 });
    await print.close();

    // Into 许昌's campaign from its configuration on the overview.
    await cities.getByRole('link', { name: xcName }).click();
    await prov.page.waitForURL(`**/campaigns/${xc.body.id}`);
    await prov.page.getByText(xcName).first().waitFor();
    expect(prov.errors).toEqual([]);

    // A city admin gets no 全省概览.
    const city = await openSession(browser, h.url);
    await login(city, 'city.admin');
    await city.page.getByRole('menuitem', { name: /进度通报/ }).waitFor();
    expect(await city.page.getByRole('menuitem', { name: /全省概览/ }).count()).toBe(0);
    await city.close();
    await prov.close();
    await h.temporal.schedule
      .getHandle('province-bulletins-henan')
      .delete()
      .catch(() => undefined);
  }, 180_000);
});
