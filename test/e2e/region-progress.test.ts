/**
 * In a real browser: a region reports progress on an approved project — a
 * union established on a ledger enterprise (销号) and new members by real
 * name — then writes the project's self-assessment; the city reviewer sends
 * it back for rectification with a deadline (限期整改), and the region sees
 * the deadline and the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { eventually, startHarness, type Harness } from '../support/harness';
import { buildLaunch, CampaignDriver, organizingProject, surveyCsv, verifyReported } from '../support/campaigns';
import { uniqueIdNumber, uniquePhone } from '../support/factories';
import { launchBrowser, login, openSession, pickOption } from './browser';
import { fillDate } from './screens';

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

describe('a region’s progress and self-assessment in the browser', () => {
  it('reports a union and real-name members, then a self-assessment that comes back for rectification', async () => {
    const launch = buildLaunch({ regions: ['pds-xinhua'], targets: { newMembers: 10, newUnions: 1 } });
    const { id } = await d.launch(launch);
    await d.waitForPhase(id, 'survey');
    expect((await d.upload(id, 'pds-xinhua', surveyCsv('pds-xinhua', [{ name: '新华区某速运公司', employees: 60 }]))).status).toBe(200);
    const gaps = await h.call('GET', `/api/campaigns/${id}/regions/pds-xinhua/gaps`, { token: await d.as('xinhua.staff') });
    const ledgerId = Number(gaps.body.items[0].id);
    await d.advance(id, '摸底完成');
    await d.waitForPhase(id, 'listing');
    const list = await d.projects(id, 'pds-xinhua', [
      organizingProject({ name: '新华区某速运公司工会', type: 'enterprise_union', enterprises: [ledgerId], plannedMembers: 10 }),
    ]);
    expect(list.status, JSON.stringify(list.body)).toBe(201);
    await d.act('city.reviewer', list.body.applicationId, { action: 'approve' });
    await d.act('prov.reviewer', list.body.applicationId, { action: 'approve' });
    await eventually(async () => ((await d.projectsOf(id)).every((p) => p.status === 'approved') ? true : undefined));
    await d.advance(id, '项目清单已批复');
    await d.waitForPhase(id, 'implementation');
    await eventually(async () => (await d.projectsOf(id, 'pds-xinhua')).find((p) => p.status === 'in_progress'));

    // ---- progress: a union on the ledger enterprise and two members ----
    const staff = await openSession(browser, h.url);
    const { page } = staff;
    await login(staff, 'xinhua.staff');
    await page.goto(`/campaigns/${id}/regions/pds-xinhua`);
    await page.getByRole('tab', { name: '进展报送', selected: true }).waitFor();
    await page.getByRole('row', { name: /新华区某速运公司工会/ }).click();
    const form = page.getByTestId('progress-form');
    await form.getByRole('button', { name: '添加新建工会' }).click();
    await pickOption(page, form.getByRole('combobox').first(), '新华区某速运公司');
    await form.getByPlaceholder('工会名称').fill('新华区某速运公司工会委员会');
    await fillDate(page, form.getByPlaceholder('成立日期'), '2026-07-01');
    for (const [i, name] of ['张伟', '李娜'].entries()) {
      await form.getByRole('button', { name: '添加会员' }).click();
      await form.getByPlaceholder('姓名').nth(i).fill(name);
      await form.getByPlaceholder('身份证号').nth(i).fill(uniqueIdNumber());
      await form.getByPlaceholder('手机号').nth(i).fill(uniquePhone());
      await form.getByPlaceholder('工作单位').nth(i).fill('新华区某速运公司');
    }
    await form.getByRole('button', { name: '报送进展' }).click();
    await form.getByText('已报送：待实名核验会员 2 人；报送的工会 1 个进入建会程序，上级工会批复后计数、销号').waitFor();
    // They count once 新华区's reviewer verifies them (实名核验).
    await expect.poll(() => page.getByRole('row', { name: /新华区某速运公司工会/ }).textContent()).toContain('0 / 10');
    await verifyReported(h, (await d.projectsOf(id, 'pds-xinhua'))[0].id, 'xinhua.reviewer');
    await page.reload();
    await expect.poll(() => page.getByRole('row', { name: /新华区某速运公司工会/ }).textContent()).toContain('2 / 10');
    await staff.shot('27-region-progress-reported');

    // ---- self-assessment ----
    await d.advance(id, '进入年终考核');
    await d.waitForPhase(id, 'assessment');
    await page.goto(`/campaigns/${id}/regions/pds-xinhua?tab=assessment`);
    await page.getByRole('row', { name: /新华区某速运公司工会/ }).click();
    const assess = page.getByTestId('assessment-form');
    await expect(assess.getByLabel('新增会员').inputValue()).resolves.toBe('2');
    await assess.getByLabel('自评报告').fill('完成单独建会，会员实名入会 2 人');
    await assess.getByRole('button', { name: '提交绩效自评' }).click();
    await page.getByText('绩效自评已提交').first().waitFor();
    const projectId = (await d.projectsOf(id, 'pds-xinhua'))[0].id;
    const assessmentApp: string = await eventually(async () => (await d.project(projectId)).assessmentApplicationId);

    // ---- the city reviewer returns it with a deadline ----
    const reviewerToken = await h.login('city.reviewer');
    const task = await eventually(async () =>
      (await h.call('GET', '/api/tasks?status=pending&limit=200', { token: reviewerToken })).body.items.find(
        (t: { applicationId: string }) => t.applicationId === assessmentApp,
      ),
    );
    const reviewer = await openSession(browser, h.url);
    await login(reviewer, 'city.reviewer');
    await reviewer.page.goto(`/tasks/${encodeURIComponent(task.id)}`);
    await reviewer.page.getByTestId('subject').getByText('完成单独建会，会员实名入会 2 人').waitFor();
    await reviewer.page.getByTestId('action-return').click();
    const dialog = reviewer.page.getByRole('dialog');
    await dialog.getByRole('button', { name: /确\s*定/ }).click();
    await dialog.getByText('退回时请填写意见').waitFor();
    await fillDate(reviewer.page, dialog.getByLabel('整改期限（限期整改）'), '2026-12-31 18:00');
    await dialog.getByLabel('意见').fill('会员花名册与实名记录不符，限期整改');
    await reviewer.shot('28-return-with-deadline');
    await dialog.getByRole('button', { name: /确\s*定/ }).click();
    await reviewer.page.getByText('已退回').first().waitFor();

    await eventually(async () => ((await d.project(projectId)).status === 'rectifying' ? true : undefined));
    await page.reload();
    await page.getByRole('row', { name: /新华区某速运公司工会/ }).click();
    await expect.poll(() => page.getByTestId('assessment-form').textContent()).toContain('限期整改，截止 2026-12-31 18:00');
    // The reviewer's comment comes with the review's timeline, loaded after the project: wait for it too.
    await expect.poll(() => page.getByTestId('assessment-form').textContent()).toContain('会员花名册与实名记录不符，限期整改');
    await staff.shot('29-self-assessment-rectifying');

    for (const s of [staff, reviewer]) {
      expect(s.errors).toEqual([]);
      await s.close();
    }
  }, 240_000);
});
