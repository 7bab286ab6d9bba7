/**
 * In a real browser: a city reviewer bulk-approves twice from the same inbox
 * page, each time over other tasks. Each run is its own request (its own
 * Idempotency-Key): the second run approves its task too, rather than getting
 * the first run's stored answer or a key conflict.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { eventually, startHarness, type Harness } from '../support/harness';
import { buildSubsidy } from '../support/factories';
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

const taskRow = (page: Page, taskId: string) =>
  page.getByTestId('task-table').locator('tr.ant-table-row', { has: page.locator(`a[href="/tasks/${encodeURIComponent(taskId)}"]`) });

/** A subsidy application waiting at the city step, and its (role) task. */
async function atCityStep(): Promise<{ applicationId: string; taskId: string }> {
  const r = await h.call('POST', '/api/applications', { token: await h.login('xinhua.staff'), body: buildSubsidy() });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  const token = await h.login('city.reviewer2');
  const task = await eventually(async () => {
    const inbox = await h.call('GET', '/api/tasks?status=pending&limit=200', { token });
    return inbox.body.items.find((t: { applicationId: string }) => t.applicationId === r.body.id) as { id: string } | undefined;
  });
  return { applicationId: r.body.id, taskId: task.id };
}

describe('bulk approve in the browser', () => {
  it('approves what each run selected when the reviewer bulk-approves twice from one page', async () => {
    const first = await atCityStep();
    const second = await atCityStep();
    const s = await openSession(browser, h.url);
    const { page } = s;
    await login(s, 'city.reviewer2');
    await page.waitForURL('**/tasks');

    for (const [n, run] of [first, second].entries()) {
      const row = taskRow(page, run.taskId);
      await row.waitFor();
      await row.getByRole('checkbox').check();
      await page.getByTestId('bulk-approve').click();
      await page.getByTestId('bulk-confirm').click();
      await expect.poll(() => page.getByRole('dialog').textContent(), { timeout: 30_000 }).toContain('已同意 1 项，失败 0 项');
      if (n === 1) await s.shot('46-bulk-approve-second-run');
      await page.getByRole('button', { name: /完\s*成/ }).click();
      await page.getByRole('dialog').waitFor({ state: 'hidden' });
      // The task left the inbox, and the chain moved on to the province.
      await row.waitFor({ state: 'detached' });
      await eventually(async () => {
        const t = await h.db('tasks').where({ id: run.taskId }).first('status', 'decision');
        return t?.status === 'completed' ? t : undefined;
      });
      const next = await h.db('tasks').where({ application_id: run.applicationId, step_index: 1, status: 'pending' }).first('id');
      expect(next, `the province task of ${run.applicationId}`).toBeDefined();
    }
    expect(
      await h.db('audit_log').whereIn('application_id', [first.applicationId, second.applicationId]).where({ action: 'approve', actor: 'city.reviewer2' }),
    ).toHaveLength(2);
    expect(s.errors).toEqual([]);
    await s.close();
  }, 120_000);
});
