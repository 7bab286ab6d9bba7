/**
 * In a real browser (issue 16, members count when verified): 新华区's staff
 * report three members on a project — one a dispatched worker, one already a
 * member of 新华区快递行业工会联合会 — and see them pending, not counted; the
 * city's dashboard shows them apart (待核验); 新华区's reviewer opens 实名核验,
 * sees the transfer and the agency's union, rejects one with a reason and
 * verifies the other two; the staff see the verified count and the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { eventually, startHarness, type Harness } from '../support/harness';
import { Approvals } from '../support/approvals';
import { buildLaunch, CampaignDriver, organizingProject } from '../support/campaigns';
import { buildMember, unique, uniqueIdNumber, uniquePhone } from '../support/factories';
import { launchBrowser, login, openSession } from './browser';

/** A poll with room for a loaded machine (the page's first load, a lazy chunk). */
const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 20_000 });

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

describe('real-name verification in the browser', () => {
  it('reported members wait as 待核验; the reviewer verifies two (one a transfer) and rejects one with a reason; the counts follow', async () => {
    const tag = unique().slice(0, 4);
    const agency = `平顶山${tag}劳务派遣有限公司`;
    const org = await h.call('POST', '/api/orgs', {
      token: await h.login('city.admin'),
      body: { name: `${agency}工会`, kind: 'grassroots', parent: 'pds-xinhua' },
    });
    expect(org.status, JSON.stringify(org.body)).toBe(201);
    // A courier who joined online at 新华区快递行业工会联合会.
    const api = new Approvals(h);
    const online = buildMember({ group: 'courier', area: 'pds-xinhua', name: `周${tag}` });
    const app = await api.start(null, online);
    await api.ok('xinhua-express.reviewer', (await api.task('xinhua-express.reviewer', app, 1)).id, { action: 'approve' });
    await api.ok('xinhua-express.reviewer', (await api.task('xinhua-express.reviewer', app, 3)).id, { action: 'approve' });
    await api.status(app, 'approved');

    const launch = buildLaunch({ regions: ['pds-xinhua'], targets: { newMembers: 10 } });
    const { id } = await d.launch(launch);
    await d.waitForPhase(id, 'survey');
    await d.advance(id, '摸底完成');
    await d.waitForPhase(id, 'listing');
    const projectName = `新华区快递员联合工会 ${tag}`;
    const list = await d.projects(id, 'pds-xinhua', [organizingProject({ name: projectName, plannedMembers: 10 })]);
    expect(list.status, JSON.stringify(list.body)).toBe(201);
    await d.act('city.reviewer', list.body.applicationId, { action: 'approve' });
    await d.act('prov.reviewer', list.body.applicationId, { action: 'approve' });
    await eventually(async () => ((await d.projectsOf(id)).every((p) => p.status === 'approved') ? true : undefined));
    await d.advance(id, '项目清单已批复');
    await d.waitForPhase(id, 'implementation');
    await eventually(async () => (await d.projectsOf(id, 'pds-xinhua')).find((p) => p.status === 'in_progress'));

    // ---- 新华区's staff report three members, one of them dispatched ----
    const staff = await openSession(browser, h.url);
    const { page } = staff;
    await login(staff, 'xinhua.staff');
    await page.goto(`/campaigns/${id}/regions/pds-xinhua`);
    await page.getByRole('tab', { name: '进展报送', selected: true }).waitFor();
    await page.getByRole('row', { name: new RegExp(projectName) }).click();
    const form = page.getByTestId('progress-form');
    const rows = [
      { name: `吴${tag}`, idNumber: uniqueIdNumber(), phone: uniquePhone(), employer: '新华区某快递网点' },
      { name: online.name, idNumber: online.idNumber, phone: online.phone, employer: '新华区某快递网点' },
      { name: `郑${tag}`, idNumber: uniqueIdNumber(), phone: uniquePhone(), employer: '新华区某商贸公司', agency },
    ];
    for (const [i, r] of rows.entries()) {
      await form.getByRole('button', { name: '添加会员' }).click();
      await form.getByPlaceholder('姓名').nth(i).fill(r.name);
      await form.getByPlaceholder('身份证号').nth(i).fill(r.idNumber);
      await form.getByPlaceholder('手机号').nth(i).fill(r.phone);
      await form.getByPlaceholder('工作单位').nth(i).fill(r.employer);
      if (r.agency) {
        await form.getByTestId(`dispatched-${i}`).check();
        await form.getByTestId(`agency-${i}`).fill(r.agency);
      }
    }
    await form.getByRole('button', { name: '报送进展' }).click();
    await form.getByText('已报送：待实名核验会员 3 人；报送的工会 0 个进入建会程序，上级工会批复后计数、销号').waitFor();
    const card = page.getByTestId('reported-members-card');
    await poll(() => card.getByTestId('reported-counts').textContent()).toContain('待核验 3 人（不计入）');
    await expect
      .poll(() =>
        page
          .getByRole('row', { name: new RegExp(projectName) })
          .first()
          .textContent(),
      )
      .toContain('0 / 10');
    // The dispatched worker: the agency's union admits them, and the row says why. No word of the other union.
    const dispatchedRow = card.getByRole('row', { name: new RegExp(`郑${tag}`) });
    await poll(() => dispatchedRow.textContent()).toContain(`${agency}工会`);
    await poll(() => dispatchedRow.textContent()).toContain('劳务派遣工首先加入劳务派遣单位工会');
    expect(await card.textContent()).not.toContain('新华区快递行业工会联合会');
    await staff.shot('80-verify-region-pending');

    // ---- the city's dashboard: verified counts, the pending apart ----
    const admin = await openSession(browser, h.url);
    await login(admin, 'city.admin');
    await admin.page.goto(`/campaigns/${id}`);
    const pendingStat = admin.page.locator('.ant-statistic', { hasText: '待核验会员' });
    await poll(() => pendingStat.textContent()).toContain('3');
    await poll(() => admin.page.locator('.ant-statistic', { hasText: '新增会员（已核验）' }).textContent()).toContain('0 / 10');
    await admin.shot('81-verify-dashboard-pending');

    // ---- 新华区's reviewer: 实名核验 ----
    const reviewer = await openSession(browser, h.url);
    await login(reviewer, 'xinhua.reviewer');
    await reviewer.page.getByRole('menuitem', { name: '实名核验' }).click();
    await reviewer.page.waitForURL('**/verifications');
    await reviewer.page.goto(`/verifications?campaign=${id}`);
    const queue = reviewer.page.getByTestId('verification-queue');
    await poll(() => queue.locator('tbody tr.ant-table-row').count()).toBe(3);
    const transferRow = queue.getByRole('row', { name: new RegExp(online.name) });
    await poll(() => transferRow.textContent()).toContain('会籍转移');
    await poll(() => transferRow.textContent()).toContain('新华区快递行业工会联合会');
    await reviewer.shot('82-verify-reviewer-queue');
    // Reject 吴 with a reason…
    const wu = queue.getByRole('row', { name: new RegExp(`吴${tag}`) });
    await wu.getByRole('button', { name: '驳回' }).click();
    const dialog = reviewer.page.getByRole('dialog');
    await dialog.getByTestId('reject-reason').fill('身份证件与本人不符，请核对后重新报送');
    await dialog.getByRole('button', { name: /驳\s*回/ }).click();
    await poll(() => queue.locator('tbody tr.ant-table-row').count()).toBe(2);
    // …and verify the other two together.
    await queue.locator('tbody tr.ant-table-row .ant-checkbox-input').nth(0).check();
    await queue.locator('tbody tr.ant-table-row .ant-checkbox-input').nth(1).check();
    await reviewer.page.getByTestId('verify-selected').click();
    await poll(() => queue.locator('tbody tr.ant-table-row').count()).toBe(0);
    await reviewer.page.getByText('已核验', { exact: true }).click();
    await poll(() => queue.locator('tbody tr.ant-table-row').count()).toBe(2);
    await poll(() => queue.getByRole('row', { name: new RegExp(online.name) }).textContent()).toContain('会籍转移（转入）');
    await reviewer.shot('83-verify-reviewer-verified');

    // ---- the staff see the count and the reason ----
    await page.reload();
    await page
      .getByRole('row', { name: new RegExp(projectName) })
      .first()
      .click();
    const after = page.getByTestId('reported-members-card');
    await poll(() => after.getByTestId('reported-counts').textContent()).toContain('已核验计入 2 人');
    await poll(() => after.getByTestId('reported-counts').textContent()).toContain('其中会籍转移 1 人');
    await poll(() => after.getByRole('row', { name: new RegExp(`吴${tag}`) }).textContent()).toContain('身份证件与本人不符，请核对后重新报送');
    await expect
      .poll(() =>
        page
          .getByRole('row', { name: new RegExp(projectName) })
          .first()
          .textContent(),
      )
      .toContain('2 / 10');
    await staff.shot('84-verify-region-verified');
    await admin.page.reload();
    await poll(() => admin.page.locator('.ant-statistic', { hasText: '新增会员（已核验）' }).textContent()).toContain('2 / 10');

    for (const s of [staff, admin, reviewer]) {
      expect(s.errors).toEqual([]);
      await s.close();
    }
  }, 240_000);
});
