/**
 * In a real browser: with a campaign in implementation and real-name members
 * reported, the city admin issues a bulletin (通报) on demand; the city's
 * supervisor finds it unread among "my bulletins", opens it — figures,
 * charts, ranking — and downloads it as Excel and CSV and opens the print page.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { eventually, startHarness, type Harness } from '../support/harness';
import { buildLaunch, CampaignDriver, memberRecords, organizingProject, verifyReported } from '../support/campaigns';
import { launchBrowser, login, openSession, SCREENSHOTS } from './browser';

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

describe('a supervisor and the bulletin in the browser', () => {
  it('opens the bulletin the city admin issued, with its charts, ranking and downloads', async () => {
    // A campaign in implementation: two regions' lists approved, xinhua reports four members.
    const launch = buildLaunch({ regions: ['pds-xinhua', 'pds-weidong'], targets: { newMembers: 20, newUnions: 2 } });
    const { id } = await d.launch(launch);
    await d.waitForPhase(id, 'survey');
    await d.advance(id, '摸底完成');
    await d.waitForPhase(id, 'listing');
    for (const region of ['pds-xinhua', 'pds-weidong']) {
      const r = await d.projects(id, region, [organizingProject({ name: `${region}快递员工会联合会`, plannedMembers: 10 })]);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      await d.act('city.reviewer', r.body.applicationId, { action: 'approve' });
      await d.act('prov.reviewer', r.body.applicationId, { action: 'approve' });
    }
    await eventually(async () => ((await d.projectsOf(id)).every((p) => p.status === 'approved') ? true : undefined));
    await d.advance(id, '项目清单已批复');
    await d.waitForPhase(id, 'implementation');
    const project = await eventually(async () => (await d.projectsOf(id, 'pds-xinhua')).find((p) => p.status === 'in_progress'));
    const progress = await h.call('POST', `/api/projects/${project.id}/progress`, { token: await d.as('xinhua.staff'), body: { members: memberRecords(4) } });
    expect(progress.status, JSON.stringify(progress.body)).toBe(200);
    // 实名核验: the region's reviewer verifies the four (they count from then on).
    await verifyReported(h, project.id, 'xinhua.reviewer');

    // ---- the city admin issues a bulletin now ----
    const admin = await openSession(browser, h.url);
    await login(admin, 'city.admin');
    await admin.page.goto(`/campaigns/${id}`);
    await admin.page.getByRole('button', { name: '进度通报' }).click();
    await admin.page.waitForURL(`**/bulletins?campaign=${id}`);
    await admin.page.getByTestId('issue-bulletin').click();
    await admin.page.getByText(/已生成通报 第\d+期（临时）/).waitFor({ timeout: 60_000 });
    await expect.poll(() => admin.page.getByTestId('bulletin-table').locator('tbody tr.ant-table-row').count()).toBe(1);
    await admin.shot('30-admin-bulletins-issued');

    // ---- the supervisor: unread in "my bulletins", then the bulletin itself ----
    const lead = await openSession(browser, h.url);
    await login(lead, 'city.lead');
    await lead.page.waitForURL('**/bulletins');
    const row = lead.page.getByTestId('bulletin-table').locator('tr.ant-table-row', { hasText: launch.name });
    await expect.poll(() => row.textContent()).toContain('未读');
    // Members against the target of 20: xinhua's four through the project, and any other test's members approved in a
    // sandbox under 新华区 while this campaign runs (the tests share one database), never fewer.
    const cells = await row.locator('td').allTextContents();
    const members = cells.map((c) => /^(\d{1,6}) \/ 20$/.exec(c.trim())).find(Boolean);
    expect(Number(members?.[1]), cells.join(' | ')).toBeGreaterThanOrEqual(4);
    await lead.shot('31-supervisor-my-bulletins');
    await row.getByRole('link').click();
    const view = lead.page.getByTestId('bulletin-view');
    await view.waitFor();
    await lead.page.getByTestId('bulletin-region-chart').locator('svg').first().waitFor();
    await lead.page.getByTestId('bulletin-group-chart').locator('svg').first().waitFor();
    const ranking = lead.page.getByTestId('bulletin-ranking').locator('tbody tr.ant-table-row');
    await expect.poll(() => ranking.count()).toBe(2);
    await expect(ranking.first().textContent()).resolves.toMatch(/^1新华区总工会4 \/ 10/);
    await expect(view.textContent()).resolves.toContain(launch.name);
    await lead.shot('32-supervisor-bulletin-view');

    // Downloads: Excel and CSV files named after the campaign, and the print page.
    const [xlsx] = await Promise.all([lead.page.waitForEvent('download'), lead.page.getByTestId('download-xlsx').click()]);
    expect(xlsx.suggestedFilename()).toMatch(/通报-第\d+期（临时）\.xlsx$/);
    expect(
      fs
        .readFileSync(await xlsx.path())
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
    const [csv] = await Promise.all([lead.page.waitForEvent('download'), lead.page.getByTestId('download-csv').click()]);
    expect(csv.suggestedFilename()).toMatch(/\.csv$/);
    expect(fs.readFileSync(await csv.path(), 'utf8')).toContain('新华区总工会');
    const [print] = await Promise.all([lead.context.waitForEvent('page'), lead.page.getByTestId('download-html').click()]);
    await print.waitForLoadState();
    await expect.poll(() => print.textContent('body')).toContain('新华区总工会');
    await print.screenshot({ path: path.join(SCREENSHOTS, '33-bulletin-print-page.png'), fullPage: true, timeout: 60_000 });
    await print.close();

    // Once opened, it is no longer unread.
    await lead.page.getByRole('menuitem', { name: '进度通报' }).click();
    await expect.poll(() => lead.page.getByTestId('bulletin-table').locator('tr.ant-table-row', { hasText: launch.name }).textContent()).not.toContain('未读');

    for (const s of [admin, lead]) {
      expect(s.errors).toEqual([]);
      await s.close();
    }
  }, 240_000);
});
