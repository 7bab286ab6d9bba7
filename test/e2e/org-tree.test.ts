/**
 * In a real browser: the city admin opens 机构与人员 › 组织机构,
 * expands the tree (loaded a level at a time), adds a grassroots union under
 * 新华区 with the add-child dialog, finds it by search and moves it to
 * 湛河区 with the detail panel's move form (confirmed in a modal). The move
 * is tested through the form: Playwright's dragTo reaches antd's Tree (the
 * drop handler runs), but in headless Chromium rc-tree reads the drop as one
 * between two nodes, never onto one, so a drag cannot be aimed reliably here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startHarness, type Harness } from '../support/harness';
import { unique } from '../support/factories';
import { launchBrowser, login, openSession, pickOption } from './browser';

let h: Harness;
let browser: Browser;
beforeAll(async () => {
  [h, browser] = await Promise.all([startHarness(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('the org tree in the browser', () => {
  it('an admin adds a grassroots union under a county and moves it to another county', async () => {
    const s = await openSession(browser, h.url);
    const { page } = s;
    await login(s, 'city.admin');
    await page.goto('/admin/orgs');
    const node = (id: string) => page.getByTestId(`org-node-${id}`);
    const switcher = (id: string) => page.locator('.ant-tree-treenode', { has: node(id) }).locator('.ant-tree-switcher');

    // The root is the admin's own org; its children load when it is expanded.
    await node('pds').waitFor();
    await switcher('pds').click();
    await node('pds-xinhua').waitFor();
    await node('pds-xinhua').click();
    await expect.poll(() => page.getByTestId('org-detail').textContent()).toContain('新华区总工会');
    await s.shot('01-org-tree-county');

    // Add a grassroots union under 新华区.
    const id = unique('e2e-');
    const name = `新华区某快递企业工会 ${id}`;
    await page.getByTestId('org-add-child').click();
    await page.getByTestId('org-add-name').fill(name);
    await pickOption(page, page.getByTestId('org-add-form').locator('.ant-select').first(), '基层工会');
    await page.getByTestId('org-add-id').fill(id);
    await s.shot('02-org-add-dialog');
    await page.getByRole('button', { name: /保\s*存/ }).click();
    await node(id).waitFor();
    expect(await h.db('orgs').where({ id }).first('path', 'kind')).toEqual({ path: `/henan/pds/pds-xinhua/${id}/`, kind: 'grassroots' });
    await s.shot('03-org-added');

    const confirm = page.locator('.ant-modal-confirm');

    // Find it by search, select it, and move it on to 湛河区 with the form (the destination picked by a search).
    await page.getByTestId('org-search').locator('input').fill(id);
    await page.getByTestId('org-search').locator('input').press('Enter');
    await page.getByRole('cell', { name: id, exact: true }).click();
    await expect.poll(() => page.getByTestId('org-detail').textContent()).toContain(name);
    await page.getByTestId('org-move-parent').click();
    await page.keyboard.type('pds-zhanhe');
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: 'pds-zhanhe' }).first().click();
    await page.getByTestId('org-move').click();
    await confirm.locator('.ant-modal-confirm-title', { hasText: '确认移动组织' }).waitFor();
    await s.shot('04-org-move-confirm');
    await confirm.getByRole('button', { name: /移\s*动/ }).click();
    await expect.poll(async () => (await h.db('orgs').where({ id }).first('path')).path, { timeout: 10_000 }).toBe(`/henan/pds/pds-zhanhe/${id}/`);
    await expect.poll(() => page.getByTestId('org-detail').textContent()).toContain('pds-zhanhe');
    expect((await h.db('admin_audit').where({ subject_kind: 'org', subject_id: id }).orderBy('id')).map((a) => a.action)).toEqual(['org.create', 'org.move']);
    await s.shot('05-org-moved');
    await s.close();
  }, 120_000);
});
