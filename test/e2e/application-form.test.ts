/**
 * In a real browser: 发起申请 and the application page, the approver's task
 * page with the form per field permission, and the printed 审批单.
 *
 * Each scenario has a sandbox org (a township under 新华区) with a chain in
 * force for it, proposed by one admin and approved by a second through the
 * API; its staff member applies and a reviewer of the sandbox decides.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { hashPassword } from '../../api/passwords';
import { DEMO_PASSWORD } from '../../db/demo-seed';
import { Approvals, type Sandbox } from '../support/approvals';
import { buildChain, humanStep, unique } from '../support/factories';
import { eventually, startHarness, type Harness } from '../support/harness';
import { launchBrowser, login, openSession, SCREENSHOTS, type Session } from './browser';

let h: Harness;
let browser: Browser;
let api: Approvals;
beforeAll(async () => {
  [h, browser] = await Promise.all([startHarness(), launchBrowser()]);
  api = new Approvals(h);
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

/** A sandbox whose staff member (the applicant) is 张晓燕 and whose reviewer 赵审核 decides the one step. */
async function people(): Promise<Sandbox & { reviewer: string }> {
  const sb = await api.sandbox();
  const reviewer = `${sb.org}.rev`;
  await h.db('users').where({ username: sb.staff }).update({ name: '张晓燕' });
  await h.db('users').insert({ username: reviewer, name: '赵审核', org_id: sb.org, roles: ['reviewer'], password_hash: await hashPassword(DEMO_PASSWORD) });
  return { ...sb, reviewer };
}

/** The application id in the page's address (/applications/:id). */
async function applicationIdOf(page: Page): Promise<string> {
  // Past /applications/new: the page of the application just created.
  await page.waitForURL((url) => /^\/applications\/[^/]+$/.test(url.pathname) && url.pathname !== '/applications/new');
  return decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
}

/** The approver opens their task on the application from the address the inbox links to. */
async function openTask(s: Session, username: string, applicationId: string): Promise<void> {
  const task = await api.task(username, applicationId);
  await s.page.goto(`/tasks/${encodeURIComponent(task.id)}`);
  await s.page.getByTestId('task-page').waitFor();
}

/** A small real PDF (file-type sniffs `%PDF`). */
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

describe('发起申请 and the application page in the browser', () => {
  it('an applicant files a subsidy from 发起申请, a missing field is named, the reviewer approves, and the page shows names and the route', async () => {
    const sb = await people();
    await api.installChain(
      buildChain({ steps: [humanStep({ id: 'review', name: '乡镇审核 / township review', who: { kind: 'users', usernames: [sb.reviewer] } })] }),
      sb.org,
    );
    const title = `快递员驿站饮水设备补助 ${unique()}`;

    const applicant = await openSession(browser, h.url);
    const { page } = applicant;
    await login(applicant, sb.staff);
    await page.getByTestId('menu-new-application').click();
    await page.getByTestId('new-application').waitFor();
    await page.getByLabel('标题').fill(title);
    await page.getByLabel('事由').fill('为驿站购置饮水机两台');
    // The amount left out: the form names it and sends nothing.
    await page.getByTestId('submit-application').click();
    await expect.poll(() => page.locator('.ant-form-item', { has: page.getByLabel('金额（元）') }).textContent()).toContain('请填写金额');
    expect(await h.db('applications').where({ applicant: sb.staff }).count({ n: '*' })).toEqual([{ n: '0' }]);
    await page.getByLabel('金额（元）').fill('8600');
    await applicant.shot('90-new-application');
    await page.getByTestId('submit-application').click();
    const id = await applicationIdOf(page);
    await page.getByTestId('application-page').waitFor();
    await expect.poll(() => page.getByTestId('application-status').textContent()).toBe('审批中');
    await expect.poll(() => page.getByTestId('route-preview').textContent()).toContain('乡镇审核');
    await applicant.shot('91-application-page');

    // The reviewer returns it; the applicant corrects the amount on the application page and resubmits.
    const reviewer = await openSession(browser, h.url);
    await login(reviewer, sb.reviewer);
    await openTask(reviewer, sb.reviewer, id);
    await reviewer.page.getByTestId('action-return').click();
    const dialog = reviewer.page.getByRole('dialog');
    await dialog.getByLabel('意见').fill('请按报价单核实金额');
    await dialog.getByRole('button', { name: /确\s*定/ }).click();
    await reviewer.page.getByText('已退回').first().waitFor();

    await page.reload();
    await expect.poll(() => page.getByTestId('application-status').textContent()).toBe('已退回');
    await expect.poll(() => page.getByTestId('return-comment').textContent()).toContain('请按报价单核实金额');
    await page.getByTestId('resubmit').getByLabel('金额（元）').fill('8200');
    await applicant.shot('91b-application-returned');
    await page.getByTestId('resubmit-button').click();
    await expect.poll(() => page.getByTestId('application-status').textContent()).toBe('审批中');
    expect((await api.app(sb.staff, id)).payload.amount).toBe(8200);

    await openTask(reviewer, sb.reviewer, id);
    await reviewer.page.getByLabel('审批意见').fill('同意补助');
    await reviewer.page.getByTestId('action-approve').click();
    await reviewer.page.getByText('已同意，申请状态：已通过').waitFor();

    await page.reload();
    await expect.poll(() => page.getByTestId('application-status').textContent()).toBe('已通过');
    const timeline = (await page.getByTestId('app-timeline').textContent()) ?? '';
    expect(timeline).toContain('张晓燕');
    expect(timeline).toContain('赵审核');
    expect(timeline).not.toContain(sb.reviewer);
    expect(timeline).not.toContain(sb.staff);
    await applicant.shot('92-application-approved');
    // 我的申请 lists it, approved.
    await page.getByRole('menuitem', { name: '我的申请' }).click();
    const row = page.getByTestId('my-applications').locator('tr.ant-table-row', { hasText: title });
    await expect.poll(() => row.textContent()).toContain('已通过');

    // On a phone: the same page, one column.
    const phone = await openSession(browser, h.url, { mobile: true });
    await login(phone, sb.staff);
    await phone.page.goto('/applications/new?type=subsidy');
    await phone.page.getByTestId('builtin-fields').waitFor();
    expect(await phone.page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await phone.shot('90b-new-application-390');
    await phone.page.goto(`/applications/${encodeURIComponent(id)}`);
    await phone.page.getByTestId('application-page').waitFor();
    await expect.poll(() => phone.page.getByTestId('application-status').textContent()).toBe('已通过');
    expect(await phone.page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await phone.shot('93-application-page-390');

    for (const s of [applicant, reviewer, phone]) {
      expect(s.errors).toEqual([]);
      await s.close();
    }
  }, 180_000);

  /*
   * Written to the contract of issue 14 (forms and field permissions, attachments, the printable 审批单): it runs
   * green once those server parts are in place.
   */
  it('an applicant fills the chain’s form with an attachment; the reviewer sees read and edit fields, not the hidden one, corrects the amount and approves; the 审批单 prints names and Beijing times', async () => {
    const sb = await people();
    const form = {
      schema: {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        required: ['station', 'workers'],
        properties: {
          station: { type: 'string', title: '服务站名称', minLength: 2, maxLength: 100 },
          workers: { type: 'integer', title: '受益职工人数', minimum: 1, maximum: 100000 },
          contact: { type: 'string', title: '联系人电话', maxLength: 20 },
        },
      },
      ui: {
        'ui:order': ['station', 'workers', 'contact'],
        station: { 'ui:title': '服务站名称 / Station', 'ui:placeholder': '如：新华区户外劳动者服务站' },
        workers: { 'ui:title': '受益职工人数 / Workers served', 'ui:widget': 'updown', 'ui:help': '本次补助惠及的职工人数' },
        contact: { 'ui:title': '联系人电话 / Contact phone' },
      },
    };
    const step = humanStep({
      id: 'review',
      name: '乡镇审核 / township review',
      who: { kind: 'users', usernames: [sb.reviewer] },
      // The reviewer corrects the amount granted and sees the station; the contact phone is never shown to them.
      fields: { amount: 'edit', workers: 'read', station: 'read', contact: 'hidden' },
    });
    await api.installChain({ ...buildChain({ steps: [step] }), form }, sb.org);
    const title = `户外劳动者服务站建设补助 ${unique()}`;

    // ---- the applicant fills 发起申请 ----
    const applicant = await openSession(browser, h.url);
    const { page } = applicant;
    await login(applicant, sb.staff);
    await page.getByTestId('menu-new-application').click();
    await page.getByTestId('schema-form').waitFor();
    await page.getByLabel('标题').fill(title);
    await page.getByLabel('金额（元）').fill('50000');
    await page.getByLabel('事由').fill('新建户外劳动者服务站，购置桌椅、饮水机和急救箱');
    // A bad value (the schema's minLength): the server's Ajv names form.station, shown beside the field; nothing is written.
    await page.locator('#root_station').fill('站');
    await page.locator('#root_workers').fill('120');
    await page.locator('#root_contact').fill('13800000000');
    await page.getByTestId('new-attachments').locator('input[type=file]').setInputFiles({ name: '预算明细.pdf', mimeType: 'application/pdf', buffer: PDF });
    await page.getByText('预算明细.pdf').waitFor();
    await page.getByTestId('submit-application').click();
    const stationItem = page.locator('.ant-form-item', { has: page.locator('#root_station') });
    await expect.poll(async () => (await stationItem.locator('.ant-form-item-explain-error').allTextContents()).join('')).toMatch(/\S/);
    expect(await h.db('applications').where({ applicant: sb.staff }).count({ n: '*' })).toEqual([{ n: '0' }]);
    await applicant.shot('94-new-application-form-error');
    await page.locator('#root_station').fill('新华区户外劳动者服务站');
    await page.getByTestId('submit-application').click();
    const id = await applicationIdOf(page);
    await page.getByTestId('application-page').waitFor();
    await expect.poll(() => page.getByTestId('form-values').textContent()).toContain('新华区户外劳动者服务站');
    await expect.poll(() => page.getByTestId('attachments').textContent()).toContain('预算明细.pdf');
    await applicant.shot('95-application-with-form');

    // ---- the reviewer: read fields read-only, the amount editable, the contact phone absent ----
    const reviewer = await openSession(browser, h.url);
    await login(reviewer, sb.reviewer);
    await openTask(reviewer, sb.reviewer, id);
    const r = reviewer.page;
    await r.getByTestId('task-form').waitFor();
    await expect(r.locator('#root_station').isEditable()).resolves.toBe(false);
    await expect(r.locator('#root_workers').isEditable()).resolves.toBe(false);
    await expect(r.locator('#root_amount').isEditable()).resolves.toBe(true);
    await expect(r.locator('#root_contact').count()).resolves.toBe(0);
    const taskText = (await r.getByTestId('task-page').textContent()) ?? '';
    expect(taskText).not.toContain('13800000000');
    expect(taskText).not.toContain(sb.staff);
    expect(taskText).not.toContain(sb.reviewer);
    // The route: who holds the step, by name and post.
    await expect.poll(() => r.getByTestId('route-approvers').first().textContent()).toContain('赵审核');
    await expect.poll(() => r.getByTestId('attachments').textContent()).toContain('预算明细.pdf');
    await reviewer.shot('96-task-form-permissions');
    await r.locator('#root_amount').fill('40000');
    await r.getByLabel('审批意见').fill('核减至 4 万元');
    await r.getByTestId('action-approve').click();
    await r.getByText('已同意，申请状态：已通过').waitFor();
    await expect.poll(() => r.getByTestId('timeline-edits').textContent()).toContain('40,000');

    const app = await api.app(sb.staff, id);
    expect(app.payload.amount).toBe(40000);
    expect(app.payload.form).toMatchObject({ station: '新华区户外劳动者服务站', workers: 120 });

    // The reviewer's task page on a phone.
    const phone = await openSession(browser, h.url, { mobile: true });
    await login(phone, sb.reviewer);
    await phone.page.goto(r.url());
    await phone.page.getByTestId('task-page').waitFor();
    await phone.page.getByTestId('app-timeline').waitFor();
    expect(await phone.page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await phone.shot('97-task-page-390');

    // ---- the printed 审批单: names and Beijing times, no login names ----
    await page.reload();
    await page.getByTestId('application-page').waitFor();
    const [sheet] = await Promise.all([applicant.context.waitForEvent('page'), page.getByTestId('print-html').click()]);
    await sheet.waitForLoadState();
    await eventually(async () => ((await sheet.textContent('body')) ?? '').includes('审批单'));
    const text = (await sheet.textContent('body')) ?? '';
    expect(text).toContain(title);
    expect(text).toContain('张晓燕');
    expect(text).toContain('赵审核');
    expect(text).toContain('核减至 4 万元');
    expect(text).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    expect(text).not.toContain(sb.staff);
    expect(text).not.toContain(sb.reviewer);
    await sheet.screenshot({ path: path.join(SCREENSHOTS, '98-print-sheet.png'), fullPage: true, timeout: 60_000 });
    await sheet.setViewportSize({ width: 390, height: 844 });
    await sheet.screenshot({ path: path.join(SCREENSHOTS, '99-print-sheet-390.png'), fullPage: true, timeout: 60_000 });
    const [pdf] = await Promise.all([page.waitForEvent('download'), page.getByTestId('print-pdf').click()]);
    expect(pdf.suggestedFilename()).toMatch(/^审批单-.*\.pdf$/);

    for (const s of [applicant, reviewer, phone]) {
      expect(s.errors).toEqual([]);
      await s.close();
    }
  }, 240_000);

  /* Written to the contract of issue 14 (conditions `when` and the route prediction): green once that server part is in place. */
  it('the application page shows the route ahead: a step its condition skips, in words, and who acts by name and post', async () => {
    const sb = await people();
    await api.installChain(
      buildChain({
        steps: [
          humanStep({ id: 'review', name: '乡镇审核 / township review', who: { kind: 'users', usernames: [sb.reviewer] } }),
          // Only large subsidies reach the city.
          humanStep({
            id: 'city',
            name: '市总审核 / city review',
            who: { kind: 'role', role: 'reviewer', level: 'city' },
            when: { '>': [{ var: 'amount' }, 50000] },
          }),
        ],
      }),
      sb.org,
    );
    const id = await api.start(sb.staff, { type: 'subsidy', title: `驿站空调补助 ${unique()}`, amount: 8600, reason: '为驿站安装空调一台' });
    await api.task(sb.reviewer, id);

    const applicant = await openSession(browser, h.url);
    const { page } = applicant;
    await login(applicant, sb.staff);
    await page.goto(`/applications/${encodeURIComponent(id)}`);
    await page.getByTestId('route-preview').waitFor();
    await expect.poll(() => page.getByTestId('route-approvers').first().textContent()).toContain('赵审核');
    const condition = page.getByTestId('route-condition');
    await expect.poll(() => condition.textContent()).toContain('条件不满足，将跳过');
    await expect(condition.textContent()).resolves.toMatch(/金额/);
    const route = (await page.getByTestId('route-preview').textContent()) ?? '';
    expect(route).not.toContain(sb.reviewer);
    await applicant.shot('89-application-route-condition');
    expect(applicant.errors).toEqual([]);
    await applicant.close();
  }, 120_000);
});
