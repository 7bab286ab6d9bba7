/**
 * In a real browser: the identity reviewer (身份审核) of a courier's online
 * application opens the task, sees the ID and phone masked, clicks
 * 查看完整信息 — the full numbers appear for that view with the note that it
 * is recorded (查看已留痕) — and approves; a reviewer at a step that does not
 * need the numbers is not offered the control; the city admin finds the view
 * in 管理 → 个人信息查看记录.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { maskIdNumber, maskPhone } from '../../domain/id-number';
import { Approvals } from '../support/approvals';
import { buildMember } from '../support/factories';
import { eventually, startHarness, type Harness } from '../support/harness';
import { launchBrowser, login, openSession } from './browser';

let h: Harness;
let a: Approvals;
let browser: Browser;
beforeAll(async () => {
  [h, browser] = await Promise.all([startHarness(), launchBrowser()]);
  a = new Approvals(h);
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

const REVIEWER = 'xinhua-express.reviewer';

describe('identity review in the browser', () => {
  it('reveals the full numbers to the identity reviewer for one view, audited, and lists the view for the admin', async () => {
    const worker = buildMember({ area: 'pds-xinhua', group: 'courier' });
    const appId = await a.start(null, worker);
    const initial = await a.task(REVIEWER, appId, /信息初审/);

    const s = await openSession(browser, h.url);
    const { page } = s;
    await login(s, REVIEWER);

    // 信息初审 (initial review): masked, and no control to reveal.
    await page.goto(`/tasks/${encodeURIComponent(initial.id)}`);
    const subject = page.getByTestId('subject');
    await expect.poll(() => subject.textContent()).toContain(maskIdNumber(worker.idNumber));
    expect(await page.getByTestId('reveal-personal').count()).toBe(0);
    await a.ok(REVIEWER, initial.id, { action: 'approve' });

    // 身份审核 (identity review): masked until the reviewer asks.
    const identity = await a.task(REVIEWER, appId, /身份审核/);
    await page.goto(`/tasks/${encodeURIComponent(identity.id)}`);
    await expect.poll(() => subject.textContent()).toContain(maskIdNumber(worker.idNumber));
    expect(await subject.textContent()).toContain(maskPhone(worker.phone));
    expect(await subject.textContent()).not.toContain(worker.idNumber);
    await page.getByTestId('reveal-personal').waitFor();
    await s.shot('47-identity-review-masked');
    await page.getByTestId('reveal-personal').click();
    await expect.poll(() => subject.textContent()).toContain(worker.idNumber);
    expect(await subject.textContent()).toContain(worker.phone);
    expect(await page.getByTestId('reveal-note').textContent()).toContain('查看已留痕');
    await s.shot('48-identity-review-revealed');
    const views = await h.db('audit_log').where({ application_id: appId, action: 'personalDataViewed' }).select('actor', 'data');
    expect(views).toEqual([{ actor: REVIEWER, data: { taskId: identity.id, fields: ['idNumber', 'phone'] } }]);

    // Approve from the page.
    await page.getByLabel('审批意见').fill('身份信息核对无误');
    await page.getByTestId('action-approve').click();
    await page.getByText('已同意').first().waitFor();
    await eventually(async () => {
      const t = await h.db('tasks').where({ id: identity.id }).first('status', 'decision');
      return t?.status === 'completed' && t.decision === 'approve' ? t : undefined;
    }, 30_000);
    // A reload shows the numbers masked again: the reveal lives in that one view.
    await page.reload();
    await expect.poll(() => subject.textContent()).toContain(maskIdNumber(worker.idNumber));
    expect(await subject.textContent()).not.toContain(worker.idNumber);
    expect(await page.getByTestId('reveal-personal').count()).toBe(0);
    expect(s.errors).toEqual([]);
    await s.close();

    // The city admin: 管理 → 个人信息查看记录 lists the view.
    const adm = await openSession(browser, h.url);
    await login(adm, 'city.admin');
    await adm.page.getByTestId('main-menu').getByText('管理').click();
    await adm.page.getByTestId('main-menu').getByText('个人信息查看记录').click();
    await adm.page.waitForURL('**/admin/personal-data-log');
    await adm.page.getByTestId('reveal-filter-actor').fill(REVIEWER);
    await adm.page.getByTestId('reveal-filter-submit').click();
    const row = adm.page.getByTestId('reveal-table').locator('tr.ant-table-row', { hasText: appId });
    await row.waitFor();
    const text = await row.textContent();
    expect(text).toContain(REVIEWER);
    expect(text).toContain(`${worker.name} 入会申请`);
    expect(text).toContain('身份审核');
    expect(text).toContain('身份证号');
    expect(text).toContain('手机号');
    expect(text).not.toContain(worker.idNumber);
    await adm.shot('49-personal-data-log');
    await adm.page.getByRole('tab', { name: '数据保留记录' }).click();
    await adm.page.getByTestId('retention-table').waitFor();
    expect(adm.errors).toEqual([]);
    await adm.close();
  }, 180_000);
});
