/**
 * In a real browser, what was submitted is read back (报送留痕): the region's 实施方案 reopens prefilled with the
 * version sent, says that resubmitting replaces it and keeps it, and lists both versions with who and when; the city
 * admin opens the same plan prefilled. The reviewer of the project list sees the linked ledger enterprises by name and
 * each revision; the region sees its progress reports under the project; the city admin's 会员名册 searches, pages
 * and offers the export.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { eventually, startHarness, type Harness } from '../support/harness';
import { buildLaunch, CampaignDriver, memberRecords, organizingProject, surveyCsv, verifyReported } from '../support/campaigns';
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

describe('read-back in the browser', () => {
  it('the plan reopens prefilled with its versions; the reviewer sees linked enterprises; progress history; the roster', async () => {
    const { id } = await d.launch(buildLaunch({ regions: ['pds-xinhua'], groups: ['courier', 'food_delivery'] }));
    await d.waitForPhase(id, 'survey');
    expect(
      (
        await d.upload(
          id,
          'pds-xinhua',
          surveyCsv('pds-xinhua', [
            { name: '新华区顺达速运有限公司', employees: 80 },
            { name: '新华区美团配送站', employees: 40 },
          ]),
        )
      ).status,
    ).toBe(200);
    expect((await d.plan(id, 'pds-xinhua')).status).toBe(200);

    // ---- the region reopens its plan: the version sent, prefilled ----
    const staff = await openSession(browser, h.url);
    const { page } = staff;
    await login(staff, 'xinhua.staff');
    await page.goto(`/campaigns/${id}/regions/pds-xinhua?tab=plan`);
    const form = page.getByTestId('plan-form');
    await expect.poll(() => form.getByLabel('方案概述').inputValue(), { timeout: 20_000 }).toBe('以快递、外卖平台为重点，拉网式排查，倒排工期');
    await expect(form.getByPlaceholder('措施 3').inputValue()).resolves.toBe('每周调度');
    await page
      .getByTestId('plan-replaces')
      .getByText(/表中为第 1 版.*再次提交将替换为第 2 版，第 1 版保留在历次报送中/)
      .waitFor();
    // Revised and sent again: version 2, and version 1 kept below.
    await form.getByLabel('方案概述').fill('第二版：增加外卖平台专项，逐站走访');
    await form.getByRole('button', { name: '添加措施' }).click();
    await form.getByPlaceholder('措施 4').fill('外卖站点逐一走访');
    await form.getByRole('button', { name: '提交实施方案' }).click();
    await page
      .getByTestId('plan-replaces')
      .getByText(/表中为第 2 版/)
      .waitFor();
    const history = page.getByTestId('plan-history');
    await history.getByText('第 2 版').waitFor();
    await history.getByText('第 1 版').waitFor();
    await history.getByText('第 1 版').click();
    await history.getByText('以快递、外卖平台为重点，拉网式排查，倒排工期').waitFor();
    await expect(form.getByLabel('方案概述').inputValue()).resolves.toBe('第二版：增加外卖平台专项，逐站走访');
    await staff.shot('readback-01-plan-reopened-prefilled');

    // ---- the city admin opens the same plan: prefilled with version 2, both versions listed ----
    const admin = await openSession(browser, h.url);
    await login(admin, 'city.admin');
    await admin.page.goto(`/campaigns/${id}/regions/pds-xinhua?tab=plan`);
    await expect
      .poll(() => admin.page.getByTestId('plan-form').getByLabel('方案概述').inputValue(), { timeout: 20_000 })
      .toBe('第二版：增加外卖平台专项，逐站走访');
    await admin.page.getByTestId('plan-history').getByText('第 1 版').waitFor();
    await admin.shot('readback-02-plan-city-admin');

    // ---- the project list with two ledger enterprises: the reviewer sees them by name ----
    await d.advance(id, '摸底完成');
    await d.waitForPhase(id, 'listing');
    const gaps = await h.call('GET', `/api/campaigns/${id}/regions/pds-xinhua/gaps`, { token: await d.as('xinhua.staff') });
    const ledger = gaps.body.items.map((e: { id: string }) => Number(e.id));
    const list = await d.projects(id, 'pds-xinhua', [
      organizingProject({ name: '顺达速运工会', type: 'enterprise_union', enterprises: ledger, plannedMembers: 8, groups: ['courier', 'food_delivery'] }),
    ]);
    expect(list.status, JSON.stringify(list.body)).toBe(201);
    const reviewer = await openSession(browser, h.url);
    await login(reviewer, 'city.reviewer');
    const taskId = await eventually(async () => {
      const r = await h.call('GET', '/api/tasks?status=pending&limit=200', { token: await d.as('city.reviewer') });
      return r.body.items.find((t: { applicationId: string }) => t.applicationId === list.body.applicationId)?.id as string | undefined;
    });
    await reviewer.page.goto(`/tasks/${taskId}`);
    const projects = reviewer.page.getByTestId('subject-projects');
    await projects.getByText('新华区顺达速运有限公司').waitFor();
    await projects.getByText('新华区美团配送站').waitFor();
    await reviewer.page.getByTestId('list-revisions').getByText('第 1 次报送').waitFor();
    await reviewer.shot('readback-03-reviewer-linked-enterprises');

    await d.act('city.reviewer', list.body.applicationId, { action: 'approve' });
    await d.act('prov.reviewer', list.body.applicationId, { action: 'approve' });
    await d.advance(id, '项目清单已批复');
    await d.waitForPhase(id, 'implementation');
    const project = await eventually(async () => (await d.projectsOf(id, 'pds-xinhua')).find((p) => p.status === 'in_progress'));
    const members = memberRecords(3);
    for (const batch of [members.slice(0, 2), members.slice(2)]) {
      const r = await h.call('POST', `/api/projects/${project.id}/progress`, { token: await d.as('xinhua.staff'), body: { members: batch, note: '实名入会' } });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body).toMatchObject({ membersAccepted: 0, membersReported: batch.length });
    }
    // Reported members wait for real-name verification; the city's reviewer verifies the three and they count.
    expect((await d.projectsOf(id, 'pds-xinhua'))[0].progress).toMatchObject({ membersRecruited: 0, membersPending: 3 });
    await verifyReported(h, project.id);
    expect((await d.projectsOf(id, 'pds-xinhua'))[0].progress).toMatchObject({ membersRecruited: 3, membersPending: 0 });

    // ---- the region's progress history under the project ----
    await page.goto(`/campaigns/${id}/regions/pds-xinhua?tab=progress`);
    await page.getByRole('row', { name: /顺达速运工会/ }).click();
    const progress = page.getByTestId('progress-history');
    await progress.getByText(/第 2 次/).waitFor();
    await progress.getByText(/第 1 次.*报送会员 2 人（本项目此前已报送 0 人，其余经实名核验后计入）/).click();
    await progress.getByText('骑手1').waitFor();
    await expect(progress.textContent()).resolves.not.toContain(members[0]!.idNumber);
    await page.getByTestId('project-readback').getByText('新华区美团配送站').waitFor();
    await staff.shot('readback-04-progress-history');

    // ---- the roster: menu, search, paging, export ----
    await admin.page.goto('/');
    await admin.page.getByRole('menuitem', { name: '会员名册' }).click();
    await admin.page.goto(`/roster?campaign=${id}`);
    const roster = admin.page.getByTestId('roster');
    await roster.getByText('骑手3').waitFor();
    await admin.page.getByText('共 3 人').waitFor();
    await admin.page.getByLabel('搜索会员').fill('骑手2');
    await admin.page.getByLabel('搜索会员').press('Enter');
    await admin.page.getByText('共 1 人').waitFor();
    await expect(roster.getByText('骑手1').count()).resolves.toBe(0);
    const masked = `${members[1]!.idNumber.slice(0, 6)}********${members[1]!.idNumber.slice(-4)}`;
    await roster.getByText(masked).waitFor();
    await admin.page.getByLabel('搜索会员').fill('');
    await admin.page.getByLabel('搜索会员').press('Enter');
    await admin.page.getByText('共 3 人').waitFor();
    await admin.shot('readback-05-roster');
    const download = admin.page.waitForEvent('download');
    await admin.page.getByTestId('export').hover();
    await admin.page.getByText('导出 CSV').click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/会员名册.*\.csv$/);
    expect(staff.errors.concat(admin.errors, reviewer.errors)).toEqual([]);
  });
});
