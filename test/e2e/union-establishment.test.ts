/**
 * In a real browser: 新华区's staff start establishing a union on the region's
 * project view and walk the region's own steps (成立筹备组 with a document,
 * 发展会员, 会员大会选举 with its date and chair); the approvals (筹备批复,
 * 上级工会批复) wait in the region federation's reviewer's 待办. The union is
 * counted only after the last approval, and the page says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { eventually, startHarness, type Harness } from '../support/harness';
import { buildLaunch, CampaignDriver, organizingProject, surveyCsv } from '../support/campaigns';
import { samplePdf } from '../support/attachments';
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

describe('建会 in the browser', () => {
  it('starts a union’s establishment, walks the region’s steps with documents, and shows it counted after the higher union’s approval', async () => {
    const { id } = await d.launch(buildLaunch({ regions: ['pds-xinhua'], targets: { newMembers: 10, newUnions: 1 } }));
    await d.waitForPhase(id, 'survey');
    expect((await d.upload(id, 'pds-xinhua', surveyCsv('pds-xinhua', [{ name: '新华区某冷链物流公司', employees: 80 }]))).status).toBe(200);
    const gaps = await h.call('GET', `/api/campaigns/${id}/regions/pds-xinhua/gaps`, { token: await d.as('xinhua.staff') });
    const ledgerId = Number(gaps.body.items[0].id);
    await d.advance(id, '摸底完成');
    await d.waitForPhase(id, 'listing');
    const list = await d.projects(id, 'pds-xinhua', [
      organizingProject({ name: '新华区冷链物流企业建会', type: 'enterprise_union', enterprises: [ledgerId], plannedMembers: 30 }),
    ]);
    expect(list.status, JSON.stringify(list.body)).toBe(201);
    await d.act('city.reviewer', list.body.applicationId, { action: 'approve' });
    await d.act('prov.reviewer', list.body.applicationId, { action: 'approve' });
    await eventually(async () => ((await d.projectsOf(id)).every((p) => p.status === 'approved') ? true : undefined));
    await d.advance(id, '项目清单已批复');
    await d.waitForPhase(id, 'implementation');
    const project = await eventually(async () => (await d.projectsOf(id, 'pds-xinhua')).find((p) => p.status === 'in_progress'));

    const staff = await openSession(browser, h.url);
    const { page } = staff;
    await login(staff, 'xinhua.staff');
    await page.goto(`/campaigns/${id}/regions/pds-xinhua`);
    await page.getByRole('tab', { name: '进展报送', selected: true }).waitFor();
    await page.getByRole('row', { name: /新华区冷链物流企业建会/ }).click();

    // ---- start ----
    const card = page.getByTestId('union-establishments');
    const start = card.getByTestId('start-union');
    await start.getByPlaceholder('工会名称').fill('新华区某冷链物流公司工会委员会');
    await pickOption(page, start.getByRole('combobox').nth(1), '新华区某冷链物流公司');
    await start.getByRole('button', { name: '发起建会' }).click();
    const union = card.getByTestId('union-card');
    await union.getByText('建会中').waitFor();
    // 筹备批复 waits in the region federation's reviewer's 待办.
    await union.getByText(/“筹备批复”在上级工会审核员的待办中/).waitFor();
    const appId = (await d.project(project.id)).unions[0].applicationId as string;
    const inbox = await h.call('GET', '/api/tasks?status=pending&limit=200', { token: await d.as('xinhua.reviewer') });
    expect(inbox.body.items.some((t: { applicationId: string }) => t.applicationId === appId)).toBe(true);
    await d.act('xinhua.reviewer', appId, { action: 'approve', comment: '同意筹备' });

    // ---- 成立筹备组: the head of the group and the founding document ----
    await page.reload();
    await page.getByRole('row', { name: /新华区冷链物流企业建会/ }).click();
    let step = page.getByTestId('region-step');
    await step.getByText('办理本步骤：成立筹备组').waitFor();
    await step.getByLabel('筹备组组长').fill('王建国');
    await step
      .locator('input[type=file]')
      .setInputFiles({ name: '筹备组成立决定.pdf', mimeType: 'application/pdf', buffer: await samplePdf('Preparatory group') });
    await step.getByTestId('attachment-item').filter({ hasText: '筹备组成立决定.pdf' }).waitFor();
    await step.getByRole('button', { name: '完成此步骤' }).click();

    // ---- 发展会员 ----
    step = page.getByTestId('region-step');
    await step.getByText('办理本步骤：发展会员').waitFor();
    await step.getByLabel('发展会员人数').fill('36');
    await step.getByRole('button', { name: '完成此步骤' }).click();

    // ---- 会员大会选举: date and chair ----
    await step.getByText('办理本步骤：会员大会选举').waitFor();
    await fillDate(page, step.getByLabel('会员大会选举日期'), '2026-08-18');
    await step.getByLabel('当选工会主席').fill('李红梅');
    await staff.shot('union-establishment-election');
    await step.getByRole('button', { name: '完成此步骤' }).click();
    await union.getByText(/“上级工会批复”在上级工会审核员的待办中/).waitFor();
    expect((await d.project(project.id)).progress.unionsEstablished).toBe(0);

    // ---- 上级工会批复 ----
    await d.act('xinhua.reviewer', appId, { action: 'approve', comment: '选举有效' });
    await eventually(async () => ((await d.project(project.id)).unions[0].status === 'established' ? true : undefined));
    await page.reload();
    await page.getByRole('row', { name: /新华区冷链物流企业建会/ }).click();
    await union.getByText('上级工会已批复，计入建会数，新华区某冷链物流公司 已销号').waitFor();
    await union.getByText('选举日期 2026-08-18 · 当选工会主席 李红梅').waitFor();
    await union.getByText('已加入组织机构：新华区某冷链物流公司工会委员会', { exact: false }).waitFor();
    await expect.poll(() => page.getByRole('row', { name: /新华区冷链物流企业建会/ }).textContent()).toContain('1');
    await staff.shot('union-establishment-established');
  }, 180_000);
});
