/**
 * In a real browser: a region submits its project list from the editor; it
 * climbs the chain and three approvers act in turn — the city reviewer adds
 * a second city reviewer as signer after themself and approves, the second
 * approves from the inbox with bulk approve, the province reviewer approves
 * on the task page — and the region sees its list approved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { eventually, startHarness, type Harness } from '../support/harness';
import { buildLaunch, CampaignDriver } from '../support/campaigns';
import { launchBrowser, login, openSession, pickOption } from './browser';
import { fillOrganizingProject, fillServiceProject } from './screens';

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

/** The pending task of `username` on the application (the inbox is shared with other suites' data). */
async function taskOf(username: string, applicationId: string): Promise<{ id: string }> {
  const token = await h.login(username);
  return eventually(async () => {
    const r = await h.call('GET', '/api/tasks?status=pending&limit=200', { token });
    return r.body.items.find((t: { applicationId: string }) => t.applicationId === applicationId);
  });
}

const taskRow = (page: Page, taskId: string) =>
  page.getByTestId('task-table').locator('tr.ant-table-row', { has: page.locator(`a[href="/tasks/${encodeURIComponent(taskId)}"]`) });

describe('a project list up the chain in the browser', () => {
  it('is submitted by the region and approved by the city reviewer, an added signer and the province in turn', async () => {
    const launch = buildLaunch({ regions: ['pds-xinhua', 'pds-weidong'], targets: { newMembers: 20 } });
    const { id } = await d.launch(launch);
    await d.waitForPhase(id, 'survey');
    await d.advance(id, '摸底工作提前完成');
    await d.waitForPhase(id, 'listing');

    // ---- the region submits its list from the editor ----
    const region = await openSession(browser, h.url);
    await login(region, 'xinhua.staff');
    await region.page.goto(`/campaigns/${id}/regions/pds-xinhua`);
    await region.page.getByRole('tab', { name: '项目清单', selected: true }).waitFor();
    await fillOrganizingProject(region.page, 0, {
      name: '新华区快递行业工会联合会',
      location: '新华区',
      members: 60,
      unit: '新华区总工会',
      due: '2027-06-30',
      group: '快递员',
    });
    await region.page.getByRole('button', { name: '添加服务项目' }).click();
    await fillServiceProject(region.page, 1, { name: '新华区户外劳动者服务站', unit: '新华区总工会', date: '2027-05-01', coverage: 300 });
    await region.shot('20-project-list-editor');
    await region.page.getByRole('button', { name: '提交项目清单' }).click();
    await region.page.getByText('项目清单已提交审核（2 个项目）').waitFor();
    const applicationId: string = await eventually(
      async () => (await d.view(id)).regions.find((r: { org: string }) => r.org === 'pds-xinhua').listApplicationId,
    );

    // ---- 1: the city reviewer adds a signer after themself, then approves ----
    const first = await taskOf('city.reviewer', applicationId);
    const city = await openSession(browser, h.url);
    await login(city, 'city.reviewer');
    await city.page.waitForURL('**/tasks');
    await pickOption(city.page, city.page.getByLabel('类型'), '项目清单');
    await taskRow(city.page, first.id).waitFor();
    await expect(taskRow(city.page, first.id).getByTestId('due-tag').textContent()).resolves.toMatch(/^剩余 \d+ 天/);
    await expect(city.page.getByTestId('count-pending').textContent()).resolves.toMatch(/\d+/);
    await city.shot('21-approver-inbox');
    await taskRow(city.page, first.id).getByRole('link').click();
    await city.page.getByTestId('task-page').waitFor();
    await expect.poll(() => city.page.getByTestId('subject-projects').locator('tbody tr.ant-table-row').count()).toBe(2);
    await city.page.getByTestId('action-addSigner').waitFor();
    await expect(
      city.page
        .getByTestId('action-panel')
        .locator('button[data-testid^="action-"]')
        .evaluateAll((b) => b.map((x) => x.getAttribute('data-testid'))),
    ).resolves.toEqual([
      'action-approve',
      'action-reject',
      'action-return',
      'action-transfer',
      'action-addSigner',
      'action-delegate',
      'action-comment',
      'action-cc',
    ]);
    await city.shot('22-task-page-project-list');

    await city.page.getByTestId('action-addSigner').click();
    const dialog = city.page.getByRole('dialog');
    await pickOption(city.page, dialog.getByLabel('加签人'), '市总组织部审核员二');
    await city.page.keyboard.press('Escape');
    await dialog.getByRole('radio', { name: '在我之后（后加签）' }).check();
    await dialog.getByLabel('意见').fill('请二审同志会签');
    await city.shot('23-add-signer-dialog');
    await dialog.getByRole('button', { name: /确\s*定/ }).click();
    await city.page.getByText('已加签').first().waitFor();
    await city.page.getByLabel('审批意见').fill('同意，汇总上报');
    await city.page.getByTestId('action-approve').click();
    await city.page.getByText('已同意').first().waitFor();
    await expect.poll(() => city.page.getByTestId('task-status').textContent()).toBe('已办');

    // ---- 2: the added signer approves from the inbox with bulk approve ----
    const second = await taskOf('city.reviewer2', applicationId);
    const signer = await openSession(browser, h.url);
    await login(signer, 'city.reviewer2');
    await signer.page.waitForURL('**/tasks');
    await taskRow(signer.page, second.id).getByRole('checkbox').check();
    await signer.page.getByTestId('bulk-approve').click();
    await signer.page.getByTestId('bulk-confirm').click();
    await expect.poll(() => signer.page.getByRole('dialog').textContent(), { timeout: 30_000 }).toContain('已同意 1 项，失败 0 项');
    await expect(signer.page.getByTestId('bulk-progress').textContent()).resolves.toContain('1 / 1');
    await signer.shot('24-bulk-approve-done');
    await signer.page.getByRole('button', { name: /完\s*成/ }).click();

    // ---- 3: the province reviewer approves on the task page ----
    const third = await taskOf('prov.reviewer', applicationId);
    const prov = await openSession(browser, h.url);
    await login(prov, 'prov.reviewer');
    await prov.page.goto(`/tasks/${encodeURIComponent(third.id)}`);
    await prov.page.getByTestId('action-approve').waitFor();
    await expect(prov.page.getByTestId('app-timeline').textContent()).resolves.toContain('市总组织部审核员二');
    await prov.page.getByTestId('action-approve').click();
    await prov.page.getByText('已同意，申请状态：已通过').waitFor();
    await prov.shot('25-task-approved-by-province');

    // The list is approved, three approvals in turn, and its projects stand approved.
    const app = await h.call('GET', `/api/applications/${applicationId}`, { token: await h.login('xinhua.staff') });
    expect(app.body.status).toBe('approved');
    expect(app.body.timeline.filter((e: { action: string }) => e.action === 'approve').map((e: { actor: string }) => e.actor)).toEqual([
      'city.reviewer',
      'city.reviewer2',
      'prov.reviewer',
    ]);
    await eventually(async () => (await d.projectsOf(id, 'pds-xinhua')).every((p) => p.status === 'approved'));

    await region.page.reload();
    await region.page.getByRole('tab', { name: '项目清单', selected: true }).waitFor();
    await expect.poll(() => region.page.getByTestId('list-status').textContent()).toContain('已通过');
    await region.shot('26-region-list-approved');

    for (const s of [region, city, signer, prov]) {
      expect(s.errors).toEqual([]);
      await s.close();
    }
  }, 240_000);
});
