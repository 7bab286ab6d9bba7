/**
 * In a real browser: the city admin rotates a township union's reviewer with
 * the rotation wizard (轮岗向导) — the post to end and the new post, the
 * successor, the preview of the tasks and applications, confirmation, the
 * progress bar and the moves — and the tasks are then the successor's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { hashPassword } from '../../api/passwords';
import { DEMO_PASSWORD } from '../../db/demo-seed';
import { Approvals } from '../support/approvals';
import { buildChain, buildSubsidy, humanStep } from '../support/factories';
import { eventually, startHarness, type Harness } from '../support/harness';
import { launchBrowser, login, openSession } from './browser';

let h: Harness;
let browser: Browser;
beforeAll(async () => {
  [h, browser] = await Promise.all([startHarness(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('the rotation wizard', () => {
  it('ends a reviewer’s post, starts the new one and moves their tasks to the successor, with a preview and progress', async () => {
    const api = new Approvals(h);
    const sb = await api.sandbox();
    const next = await api.sandbox();
    const rev = `${sb.org}.rev`;
    const succ = `${sb.org}.succ`;
    await h.db('users').insert([
      { username: rev, name: '王审核', org_id: sb.org, roles: ['reviewer'], password_hash: await hashPassword(DEMO_PASSWORD) },
      { username: succ, name: '李接任', org_id: sb.org, roles: ['staff'], password_hash: await hashPassword(DEMO_PASSWORD) },
    ]);
    await api.installChain(buildChain({ steps: [humanStep({ id: 'review', name: '乡镇审核', who: { kind: 'users', usernames: [rev] } })] }), sb.org);
    const ids = [
      await api.start(sb.staff, buildSubsidy({ title: '职工书屋购书补助' })),
      await api.start(sb.staff, buildSubsidy({ title: '户外劳动者驿站补助' })),
    ];
    const tasks = await Promise.all(ids.map((id) => api.task(rev, id)));

    const s = await openSession(browser, h.url);
    const { page } = s;
    await login(s, 'city.admin');
    await page.goto(`/admin/people/${rev}/rotate`);
    await page.getByTestId('rotation-wizard').waitFor();
    // Step 1: the post to end, and the new post.
    await page
      .getByTestId('from-post')
      .getByText(/审核员/)
      .click();
    // (a long, virtual list: search it first)
    await page.getByTestId('to-org').click();
    await page.keyboard.type(next.org);
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: next.org }).first().click();
    await s.shot('60-rotation-wizard-posts');
    await page.getByTestId('next-1').click();
    // Step 2: the successor.
    await page.getByTestId('successor').fill(succ);
    await s.shot('61-rotation-wizard-successor');
    await page.getByTestId('next-2').click();
    // Step 3: the preview lists both tasks and what will happen to each.
    const preview = page.getByTestId('preview-tasks');
    await preview.getByText('职工书屋购书补助').waitFor();
    await expect.poll(() => preview.locator('tr.ant-table-row').count()).toBe(2);
    expect(await preview.textContent()).toContain(succ);
    await s.shot('62-rotation-wizard-preview');
    // Step 4: confirm; the progress bar follows the job to its end, then the moves.
    await page.getByTestId('confirm-rotation').click();
    await page.getByTestId('rotation-result').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('rotation-result').textContent()).toContain('已处理 2 项，失败 0 项');
    expect(await page.getByTestId('rotation-progress').textContent()).toContain('2 / 2');
    await expect.poll(() => page.getByTestId('rotation-moves').locator('tr.ant-table-row').count()).toBe(2);
    await s.shot('63-rotation-wizard-done');

    for (const t of tasks) {
      const row = await eventually(async () => {
        const r = await h.db('tasks').where({ id: t.id }).first('assignee');
        return r?.assignee === succ ? r : undefined;
      });
      expect(row.assignee).toBe(succ);
    }
    expect(await h.db('user_posts').where({ username: rev, org_id: sb.org, role: 'reviewer' }).whereNull('ended_at').first()).toBeUndefined();
    expect(await h.db('user_posts').where({ username: rev, org_id: next.org, role: 'reviewer' }).whereNull('ended_at').first()).toBeDefined();
    expect(s.errors).toEqual([]);
    await s.close();
  }, 180_000);
});
