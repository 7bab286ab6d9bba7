/**
 * In a real browser: the city federation's admin adds a grassroots union in
 * the org tree (机构与人员 › 组织机构), then creates the union's reviewer on
 * the people page (机构与人员 › 人员), which shows the initial password once;
 * the new reviewer signs in with it, is made to choose a password of their
 * own before anything else, then finds the union's pending subsidy review in
 * their inbox, approves it, and sees their post on 我的资料. (Everything
 * happens at the new union: the demo orgs' reviewer pools stay as other test
 * files expect them.)
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { eventually, startHarness, type Harness } from '../support/harness';
import { buildChain, buildSubsidy, humanStep } from '../support/factories';
import { Approvals } from '../support/approvals';
import { hashPassword } from '../../api/passwords';
import { DEMO_PASSWORD } from '../../db/demo-seed';
import { launchBrowser, login, openSession, pickOption } from './browser';

let h: Harness;
let api: Approvals;
let browser: Browser;
beforeAll(async () => {
  [h, browser] = await Promise.all([startHarness(), launchBrowser()]);
  api = new Approvals(h);
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('people and posts in the browser', () => {
  it('an admin creates a reviewer, who signs in with the initial password, changes it and approves a task', async () => {
    const username = `e2e-reviewer-${crypto.randomBytes(3).toString('hex')}`;

    // The admin adds a grassroots union under 新华区: 机构与人员 › 组织机构.
    const admin = await openSession(browser, h.url);
    await login(admin, 'city.admin');
    await admin.page.getByTestId('main-menu').getByText('机构与人员').click();
    await admin.page.getByTestId('main-menu').getByText('组织机构', { exact: true }).click();
    await admin.page.waitForURL('**/admin/orgs');
    const node = (id: string) => admin.page.getByTestId(`org-node-${id}`);
    await node('pds').waitFor();
    await admin.page
      .locator('.ant-tree-treenode', { has: node('pds') })
      .locator('.ant-tree-switcher')
      .click();
    await node('pds-xinhua').click();
    const unionId = `e2e-u-${crypto.randomBytes(3).toString('hex')}`;
    const unionName = `新华区某物流企业工会 ${unionId}`;
    await admin.page.getByTestId('org-add-child').click();
    await admin.page.getByTestId('org-add-name').fill(unionName);
    await pickOption(admin.page, admin.page.getByTestId('org-add-form').locator('.ant-select').first(), '基层工会');
    await admin.page.getByTestId('org-add-id').fill(unionId);
    await admin.page.getByRole('button', { name: /保\s*存/ }).click();
    await node(unionId).waitFor();
    expect(await h.db('orgs').where({ id: unionId }).first('path')).toEqual({ path: `/henan/pds/pds-xinhua/${unionId}/` });

    // The union's review, as its own chain: one step for the union's reviewers; and a staff member who files.
    await api.installChain(
      buildChain({ steps: [humanStep({ id: 'review', name: '工会审核', who: { kind: 'role', role: 'reviewer', level: 'self' } })] }),
      unionId,
    );
    const staff = `${unionId}.staff`;
    await h.db('users').insert({ username: staff, name: '工会干事', org_id: unionId, roles: ['staff'], password_hash: await hashPassword(DEMO_PASSWORD) });

    // 机构与人员 › 人员, 新建账号 with a reviewer post at the new union.
    // (the 机构与人员 menu is open already)
    await admin.page.getByTestId('main-menu').getByText('人员', { exact: true }).click();
    await admin.page.waitForURL('**/admin/people');
    await admin.page.getByTestId('people-table').locator('tr.ant-table-row').first().waitFor();
    await admin.shot('60-people-list');
    await admin.page.getByTestId('people-create').click();
    const form = admin.page.getByTestId('create-user-form');
    await form.getByTestId('create-username').fill(username);
    await form.getByTestId('create-name').fill('新任审核员');
    await form.getByTestId('create-post-0').getByLabel('组织').click();
    await admin.page.keyboard.type(unionId);
    await admin.page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: unionId }).first().click();
    await pickOption(admin.page, form.getByTestId('create-post-0').getByLabel('角色'), '审核员');
    await admin.shot('61-people-create');
    await admin.page.getByRole('button', { name: /创\s*建/ }).click();
    const shown = admin.page.getByTestId('initial-password');
    await shown.waitFor();
    const initialPassword = ((await shown.textContent()) ?? '').trim();
    expect(initialPassword).toMatch(/^[A-Z0-9]{14}$/i);
    await admin.shot('62-people-initial-password');
    await admin.page.getByRole('button', { name: '我已记下' }).click();
    await admin.page.getByTestId('people-q').fill(username);
    await admin.page.getByTestId('people-search').click();
    await admin.page.getByTestId(`post-${username}-${unionId}-reviewer`).waitFor();
    expect(await admin.page.getByTestId('people-table').textContent()).toContain('待改密码');
    expect(admin.errors).toEqual([]);
    await admin.close();

    // The union's staff member files a subsidy: its review goes to the union's reviewers — the new one.
    const subsidy = buildSubsidy();
    const app = await h.call('POST', '/api/applications', { token: await h.login(staff), body: subsidy });
    expect(app.status, JSON.stringify(app.body)).toBe(201);

    // The new reviewer: the initial password signs in, and only the password change is open to them.
    const reviewer = await openSession(browser, h.url);
    const { page } = reviewer;
    await page.goto('/');
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('密码').fill(initialPassword);
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page.getByTestId('change-password').waitFor();
    await reviewer.shot('63-people-first-login-change-password');
    await page.getByLabel('当前密码').fill(initialPassword);
    await page.getByLabel('新密码', { exact: true }).fill('Reviewer-Pass-2026');
    await page.getByLabel('确认新密码').fill('Reviewer-Pass-2026');
    await page.getByTestId('change-password-submit').click();
    await page.getByTestId('current-user').waitFor();

    // Their inbox holds the union's pending subsidy review; they approve it.
    await page.goto('/tasks');
    const link = page.locator(`a:has-text("${subsidy.title}")`).first();
    await link.waitFor({ timeout: 30_000 });
    await reviewer.shot('64-people-new-reviewer-inbox');
    await link.click();
    await page.getByLabel('审批意见').fill('新任审核员同意');
    await page.getByTestId('action-approve').click();
    await page.getByText('已同意').first().waitFor();
    await eventually(async () => {
      const row = await h.db('audit_log').where({ application_id: app.body.id, action: 'approve', actor: username }).first('id');
      return row ?? undefined;
    });

    await page.getByTestId('profile-link').click();
    await page.getByTestId('profile-posts').getByText('审核员').first().waitFor();
    await reviewer.shot('65-people-profile');
    expect(await page.getByTestId('profile-posts').textContent()).toContain(unionName);
    expect(reviewer.errors).toEqual([]);
    await reviewer.close();
  }, 180_000);
});
