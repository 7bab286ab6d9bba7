/**
 * In a real browser: the city's 行动计划 (项目清单+责任制) on the campaign dashboard. The city admin returns one
 * project to its region; the region's staff revise it on the same card; the city submits the plan to the
 * province (提交省总); the province's reviewer returns it with comments, which the city sees; the city resubmits
 * (第 2 版), the province approves, and the history shows both submissions. The xlsx downloads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { eventually, startHarness, type Harness } from '../support/harness';
import { buildLaunch, CampaignDriver, organizingProject, serviceProject } from '../support/campaigns';
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

describe('the city’s action plan in the browser', () => {
  it('returns a project to its region, which revises it; the province returns the plan, then approves revision 2', async () => {
    const { id } = await d.launch(buildLaunch({ regions: ['pds-xinhua', 'pds-weidong'], targets: { newMembers: 120 } }));
    await d.waitForPhase(id, 'survey');
    await d.advance(id, '摸底完成');
    await d.waitForPhase(id, 'listing');
    const lists = [
      await d.projects(id, 'pds-xinhua', [
        organizingProject({
          name: '新华区快递行业工会联合会',
          plannedMembers: 40,
          groups: ['courier'],
          location: '新华区建设路',
          responsibleUnit: '新华区总工会',
        }),
        serviceProject({ name: '新华区户外劳动者服务站', plannedCoverage: 200, responsibleUnit: '新华区总工会' }),
      ]),
      await d.projects(id, 'pds-weidong', [
        organizingProject({
          name: '卫东区货运企业联合工会',
          type: 'joint_union',
          plannedMembers: 25,
          groups: ['truck_driver'],
          location: '卫东区物流园',
          responsibleUnit: '卫东区总工会',
        }),
      ]),
    ];
    for (const l of lists) {
      expect(l.status, JSON.stringify(l.body)).toBe(201);
      await d.act('city.reviewer', l.body.applicationId, { action: 'approve' });
      await d.act('prov.reviewer', l.body.applicationId, { action: 'approve' });
    }
    await eventually(async () => ((await d.projectsOf(id)).filter((p) => p.status === 'approved').length === 3 ? true : undefined));
    const weidongProject = (await d.projectsOf(id, 'pds-weidong'))[0]!;

    // ---- the city admin: the consolidated plan, one project returned ----
    const city = await openSession(browser, h.url);
    await login(city, 'city.admin');
    const { page } = city;
    await page.goto(`/campaigns/${id}`);
    const card = page.getByTestId('plan-card');
    await card.getByText('行动计划（项目清单+责任制）').waitFor();
    await expect.poll(() => card.getByTestId('plan-status').textContent(), { timeout: 20_000 }).toBe('未上报');
    await card.getByText('新华区快递行业工会联合会').waitFor();
    await card.getByTestId(`return-${weidongProject.id}`).click();
    const dialog = page.getByRole('dialog', { name: '退回单个项目' });
    await dialog.getByTestId('return-comment').fill('拟发展会员数偏低，请按摸底情况调整');
    await dialog.getByRole('button', { name: /退\s*回/ }).click();
    await card.getByTestId('returned-tag').waitFor();
    await expect.poll(() => card.getByTestId('plan-submit').isDisabled(), { timeout: 20_000 }).toBe(true);
    await city.shot('60-plan-project-returned');

    // ---- the region: its own section, the returned project revised ----
    const region = await openSession(browser, h.url);
    await login(region, 'weidong.staff');
    await region.page.goto(`/campaigns/${id}?tab=plan`);
    const regionCard = region.page.getByTestId('plan-card');
    await regionCard.getByText('卫东区货运企业联合工会').waitFor();
    expect(await regionCard.getByText('新华区快递行业工会联合会').count()).toBe(0);
    await regionCard.getByTestId(`revise-${weidongProject.id}`).click();
    const revise = region.page.getByRole('dialog', { name: '修改后重新报送' });
    await revise.getByLabel('拟发展会员数').fill('60');
    await revise.getByLabel('修改说明（可选）').fill('按摸底结果调整');
    await region.shot('61-plan-region-revises');
    await revise.getByRole('button', { name: '重新报送' }).click();
    await regionCard.getByTestId('returned-tag').waitFor({ state: 'detached' });

    // ---- the city submits; the province returns with comments ----
    await page.reload();
    await expect.poll(() => card.getByTestId('plan-submit').isEnabled(), { timeout: 20_000 }).toBe(true);
    await card.getByTestId('plan-submit').click();
    const submit = page.getByRole('dialog', { name: '提交省总' });
    await submit.getByTestId('plan-note').fill('第一批汇总');
    await submit.getByRole('button', { name: /提\s*交/ }).click();
    await expect.poll(() => card.getByTestId('plan-status').textContent(), { timeout: 20_000 }).toBe('省总审核中');
    const appId = `plan-${id}`;
    // The province's reviewer: one task in the 待办, showing the whole plan.
    const provToken = await d.as('prov.reviewer');
    const task = await eventually(async () =>
      (await h.call('GET', '/api/tasks?status=pending&limit=200', { token: provToken })).body.items.find(
        (x: { applicationId: string }) => x.applicationId === appId,
      ),
    );
    const province = await openSession(browser, h.url);
    await login(province, 'prov.reviewer');
    await province.page.goto(`/tasks/${task.id}`);
    const provCard = province.page.getByTestId('plan-card');
    await provCard.getByText('卫东区货运企业联合工会').waitFor();
    await provCard.getByText('新华区户外劳动者服务站').waitFor();
    expect(await provCard.getByTestId('plan-submit').count()).toBe(0);
    expect(await provCard.getByRole('button', { name: '退回单个项目' }).count()).toBe(0);
    await province.shot('64-plan-province-task');
    await d.act('prov.reviewer', appId, { action: 'return', returnTo: 'applicant', comment: '服务项目覆盖人数偏少，请补充后重新上报' });
    await page.reload();
    await expect.poll(() => card.getByTestId('plan-status').textContent(), { timeout: 20_000 }).toBe('省总退回修改');
    await card
      .getByTestId('province-comment')
      .getByText(/服务项目覆盖人数偏少/)
      .waitFor();
    await city.shot('62-plan-returned-by-province');

    // ---- resubmitted as revision 2, approved ----
    await card.getByTestId('plan-submit').click();
    const again = page.getByRole('dialog', { name: '修改后重新提交省总' });
    await again.getByTestId('plan-note').fill('已按省总意见补充');
    await again.getByRole('button', { name: /提\s*交/ }).click();
    await expect.poll(() => card.getByTestId('plan-status').textContent(), { timeout: 20_000 }).toBe('省总审核中');
    await d.act('prov.reviewer', appId, { action: 'approve', comment: '同意' });
    await page.reload();
    await expect.poll(() => card.getByTestId('plan-status').textContent(), { timeout: 20_000 }).toBe('省总审核通过');
    await card.getByRole('tab', { name: /报送记录/ }).click();
    const history = card.getByTestId('plan-history');
    await history.getByText('第 2 版').waitFor();
    await history.getByText('已按省总意见补充').waitFor();
    await history.getByText('服务项目覆盖人数偏少，请补充后重新上报').waitFor();
    await city.shot('63-plan-approved-history');

    // ---- the xlsx ----
    const [download] = await Promise.all([page.waitForEvent('download'), card.getByTestId('plan-export').click()]);
    expect(download.suggestedFilename()).toMatch(/行动计划\.xlsx$/);

    expect(city.errors).toEqual([]);
    expect(region.errors).toEqual([]);
    expect(province.errors).toEqual([]);
    await province.close();
    await city.close();
    await region.close();
  }, 240_000);
});
