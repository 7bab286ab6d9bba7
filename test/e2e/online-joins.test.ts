/**
 * Issue 16, 网上入会（日 / 周 / 月） on the campaign dashboard, on a phone:
 * two applications in a county of this test's own show in today's row by
 * day and by week, under names, and the table scrolls rather than overflowing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { Approvals, withSmsCode } from '../support/approvals';
import { startHarness, type Harness } from '../support/harness';
import { buildLaunch, CampaignDriver } from '../support/campaigns';
import { buildMember } from '../support/factories';
import { launchBrowser, login, openSession } from './browser';

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

describe('online joins on the campaign dashboard', () => {
  it('shows received and pending per region by day and by week, on a phone', async () => {
    const county = await new Approvals(h).sandbox({ parent: 'pds', kind: 'county' });
    const launch = buildLaunch({ regions: [county.org, 'pds-weidong'], targets: { newMembers: 10, newUnions: 1 } });
    const { id } = await d.launch(launch);
    for (let i = 0; i < 2; i++) {
      const r = await h.call('POST', '/api/applications', { body: await withSmsCode(h, null, buildMember({ group: 'courier', area: county.org })) });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    const s = await openSession(browser, h.url, { mobile: true });
    await login(s, 'city.admin');
    await s.page.goto(`/campaigns/${id}`);
    const card = s.page.getByTestId('online-joins');
    await card.getByText('网上入会（日 / 周 / 月）').waitFor();
    const row = card.locator('tr', { hasText: '测试乡镇' });
    await row.waitFor();
    const cells = (await row.locator('td').allTextContents()).map((c) => c.trim());
    expect(cells[0]).toMatch(/^\d{4}年\d{1,2}月\d{1,2}日$/);
    expect(cells.slice(1)).toEqual([`测试乡镇 ${county.org}`, '2', '0', '0', '2']);
    await card.getByText('按周').click();
    await card
      .locator('tr', { hasText: /第\d+周/ })
      .first()
      .waitFor();
    await card.scrollIntoViewIfNeeded();
    await s.shot('online-joins-phone');
    expect(await s.page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
  });
});
