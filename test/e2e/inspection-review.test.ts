/**
 * In a real browser (issue 16): inspection findings with deadlines became
 * rectification items (整改事项) of 新华区. The region's staff report one done
 * from the campaign dashboard; the city's staff accept it there. In the
 * self-assessment's task page the city reviewer sees the claimed members
 * beside the counted ones with the over-claim flagged, the inspection's
 * findings and the project's rectifications (one accepted, one overdue).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { eventually, startHarness, type Harness } from '../support/harness';
import { buildLaunch, CampaignDriver, memberRecords, organizingProject, verifyReported } from '../support/campaigns';
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

describe('inspections that matter in the browser', () => {
  it('the region reports a rectification done, the city accepts it, and the reviewer sees claims against records', async () => {
    const { id } = await d.launch(buildLaunch({ regions: ['pds-xinhua'], targets: { newMembers: 10 } }));
    await d.waitForPhase(id, 'survey');
    await d.advance(id, '摸底完成');
    await d.waitForPhase(id, 'listing');
    const list = await d.projects(id, 'pds-xinhua', [organizingProject({ name: '新华区快递行业工会联合会', plannedMembers: 5 })]);
    expect(list.status, JSON.stringify(list.body)).toBe(201);
    await d.act('city.reviewer', list.body.applicationId, { action: 'approve' });
    await d.act('prov.reviewer', list.body.applicationId, { action: 'approve' });
    await eventually(async () => ((await d.projectsOf(id)).every((p) => p.status === 'approved') ? true : undefined));
    await d.advance(id, '清单已批复');
    await d.waitForPhase(id, 'implementation');
    const project = await eventually(async () => (await d.projectsOf(id)).find((p) => p.status === 'in_progress'));
    const staffToken = await d.as('xinhua.staff');
    expect((await h.call('POST', `/api/projects/${project.id}/progress`, { token: staffToken, body: { members: memberRecords(3) } })).status).toBe(200);
    // 实名核验: the reported members count once verified.
    await verifyReported(h, project.id);
    const inspected = await h.call('POST', `/api/projects/${project.id}/inspections`, {
      token: await d.as('city.staff'),
      body: {
        findings: '会员实名登记不全，台账未及时更新',
        result: 'problem',
        inspectedOn: '2026-08-15',
        items: [
          { text: '会员花名册缺少身份证号', severity: 'major', deadline: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10) },
          { text: '工会牌子未悬挂', severity: 'minor' },
          { text: '一企一档台账未更新', severity: 'serious', deadline: '2026-08-20' },
        ],
      },
    });
    expect(inspected.status, JSON.stringify(inspected.body)).toBe(201);
    await eventually(async () =>
      (await h.call('GET', `/api/campaigns/${id}/rectifications`, { token: staffToken })).body.items?.length === 2 ? true : undefined,
    );

    // ---- the region reports the roster item done from the dashboard ----
    const region = await openSession(browser, h.url);
    await login(region, 'xinhua.staff');
    await region.page.goto(`/campaigns/${id}`);
    const card = region.page.getByTestId('campaign-rectifications');
    await card.getByText('会员花名册缺少身份证号').waitFor();
    await expect(card.getByTestId('rectification-overdue').count()).resolves.toBe(1);
    await expect(region.page.getByTestId('rect-count-pds-xinhua').textContent()).resolves.toBe('2逾期 1');
    const rosterRow = card.locator('tr', { hasText: '会员花名册缺少身份证号' });
    await rosterRow.getByRole('button', { name: '报整改完成' }).click();
    await region.page.getByTestId('rectification-note').fill('已为全部会员补录身份证号');
    await region.page.getByTestId('rectification-report-submit').click();
    await rosterRow.getByText('已报整改完成，待验收').waitFor();
    // The region may not accept its own work: no such button for it.
    await expect(card.getByRole('button', { name: /^验\s*收$/ }).count()).resolves.toBe(0);
    await region.shot('70-rectifications-region');

    // ---- the city accepts it ----
    const city = await openSession(browser, h.url);
    await login(city, 'city.staff');
    await city.page.goto(`/campaigns/${id}`);
    const cityCard = city.page.getByTestId('campaign-rectifications');
    const cityRow = cityCard.locator('tr', { hasText: '会员花名册缺少身份证号' });
    await cityRow.getByRole('button', { name: /^验\s*收$/ }).click();
    await city.page.getByTestId('rectification-comment').fill('核查无误');
    await city.page.getByTestId('rectification-accept').click();
    await cityRow.getByText('已验收销号').waitFor();
    // The dashboard's counts load again after the acceptance (the change signal): wait for the fresh answer.
    await expect.poll(() => city.page.getByTestId('rect-count-pds-xinhua').textContent()).toBe('1逾期 1');
    await city.shot('71-rectifications-city');

    // ---- the bulletin (通报) lists the one still open, overdue ----
    const issued = await h.call('POST', `/api/campaigns/${id}/reports`, { token: await d.as('city.admin') });
    expect(issued.status, JSON.stringify(issued.body)).toBe(201);
    await city.page.goto(`/bulletins/${encodeURIComponent(issued.body.id as string)}`);
    const section = city.page.getByTestId('bulletin-rectifications');
    await section.getByText('一企一档台账未更新').waitFor();
    await expect(section.getByText('会员花名册缺少身份证号').count()).resolves.toBe(0);
    await expect(section.getByText('逾期').count()).resolves.toBe(1);
    await section.scrollIntoViewIfNeeded();
    await city.shot('73-bulletin-rectifications');

    // ---- assessment: the reviewer's task page compares the claims with the records ----
    await d.advance(id, '进入年终考核');
    await d.waitForPhase(id, 'assessment');
    const assessed = await h.call('POST', `/api/projects/${project.id}/self-assessment`, {
      token: staffToken,
      body: { summary: '完成建会任务，发展会员 5 人', membersRecruited: 5, unionsEstablished: 0 },
    });
    expect(assessed.status, JSON.stringify(assessed.body)).toBe(201);
    const reviewerToken = await d.as('city.reviewer');
    const task = await eventually(async () =>
      (await h.call('GET', '/api/tasks?status=pending&limit=200', { token: reviewerToken })).body.items.find(
        (t: { applicationId: string }) => t.applicationId === assessed.body.assessmentApplicationId,
      ),
    );
    const reviewer = await openSession(browser, h.url);
    await login(reviewer, 'city.reviewer');
    await reviewer.page.goto(`/tasks/${encodeURIComponent(task.id)}`);
    const panel = reviewer.page.getByTestId('assessment-review');
    await panel.getByTestId('claim-discrepancies').waitFor();
    await expect(panel.getByTestId('claim-discrepancies').textContent()).resolves.toContain('多报 2');
    await expect(panel.getByTestId('claims-table').textContent()).resolves.toContain('多报 2');
    await expect(panel.getByTestId('inspection-findings').textContent()).resolves.toContain('工会牌子未悬挂');
    const rect = panel.getByTestId('review-rectifications');
    await rect.getByText('已验收销号').waitFor();
    await expect(rect.getByTestId('rectification-overdue').count()).resolves.toBe(1);
    await panel.scrollIntoViewIfNeeded();
    await reviewer.shot('72-assessment-review');

    for (const s of [region, city, reviewer]) expect(s.errors).toEqual([]);
  }, 240_000);

  it('a city inspector records an inspection through the 记录检查 form and its findings open rectification items', async () => {
    const { id } = await d.launch(buildLaunch({ regions: ['pds-xinhua'], targets: { newMembers: 10 } }));
    await d.waitForPhase(id, 'survey');
    await d.advance(id, '摸底完成');
    await d.waitForPhase(id, 'listing');
    const list = await d.projects(id, 'pds-xinhua', [organizingProject({ name: '新华区家政服务业工会', plannedMembers: 5 })]);
    expect(list.status, JSON.stringify(list.body)).toBe(201);
    await d.act('city.reviewer', list.body.applicationId, { action: 'approve' });
    await d.act('prov.reviewer', list.body.applicationId, { action: 'approve' });
    await eventually(async () => ((await d.projectsOf(id)).every((p) => p.status === 'approved') ? true : undefined));
    await d.advance(id, '清单已批复');
    await d.waitForPhase(id, 'implementation');
    const project = await eventually(async () => (await d.projectsOf(id)).find((p) => p.status === 'in_progress'));

    // The region's staff are not inspectors: no 记录检查 for them (the API's allowed.inspect says so).
    const region = await openSession(browser, h.url);
    await login(region, 'xinhua.staff');
    await region.page.goto(`/campaigns/${id}`);
    const regionCard = region.page.getByTestId('campaign-rectifications');
    await regionCard.getByText('没有整改事项').waitFor();
    await expect(region.page.getByTestId('record-inspection').count()).resolves.toBe(0);

    const city = await openSession(browser, h.url);
    await login(city, 'city.staff');
    await city.page.goto(`/campaigns/${id}`);
    const card = city.page.getByTestId('campaign-rectifications');
    await card.getByText('没有整改事项').waitFor();
    await card.getByTestId('record-inspection').click();
    const form = city.page.getByTestId('inspection-form');
    await form.waitFor();

    // The project by name, the date, the conclusion, what was found.
    await form.getByLabel('检查项目').click();
    await city.page.keyboard.type('家政');
    await city.page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '新华区家政服务业工会' }).click();
    await fillDate(city.page, form.getByLabel('检查日期'), '2026-09-10');
    await pickOption(city.page, form.getByLabel('检查结论'), '存在问题');
    await form.getByTestId('inspection-findings').fill('入会登记表填写不全，会员台账未建立');

    // Two findings: one with a deadline (a rectification item), one without (recorded only).
    const deadline = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
    await form.getByTestId('inspection-add-item').click();
    await form.getByTestId('inspection-add-item').click();
    const first = form.getByTestId('inspection-item-0');
    await first.getByTestId('inspection-item-text').fill('会员台账未建立');
    await pickOption(city.page, first.getByTestId('inspection-item-severity'), '较重');
    // A deadline before the inspection date: the server refuses it and says so on that field.
    const firstDeadline = first.getByPlaceholder('整改期限（可选）');
    await fillDate(city.page, firstDeadline, '2026-09-01');
    const second = form.getByTestId('inspection-item-1');
    await second.getByTestId('inspection-item-text').fill('宣传栏未更新');
    await city.page.getByTestId('inspection-submit').click();
    await first.getByText('整改期限不能早于检查日期').waitFor();
    await city.shot('74-inspection-form-field-error');
    await expect(h.db('rectifications').where({ project_id: project.id }).count('* as n')).resolves.toEqual([{ n: '0' }]);

    await fillDate(city.page, firstDeadline, deadline);
    await city.page.getByTestId('inspection-submit').click();
    await city.page.getByText('已记录检查，开出整改事项 1 项').waitFor();
    await expect(form.count()).resolves.toBe(0);

    // The new item appears on the card without a reload (the change signal), open, on the region.
    const row = card.locator('tr', { hasText: '会员台账未建立' });
    await row.getByText('待整改').waitFor();
    await expect(row.textContent()).resolves.toContain(deadline);
    await expect(card.getByText('宣传栏未更新').count()).resolves.toBe(0);
    await city.shot('75-inspection-recorded');

    // Stored as one inspection with both findings; the region sees the item to rectify.
    const events = await h.db('project_events').where({ project_id: project.id, kind: 'inspection' });
    expect(events).toHaveLength(1);
    await region.page.reload();
    await regionCard.locator('tr', { hasText: '会员台账未建立' }).getByRole('button', { name: '报整改完成' }).waitFor();

    for (const s of [region, city]) expect(s.errors).toEqual([]);
  }, 240_000);
});
