/**
 * In a real browser: a reviewer of 市工交工会 opens their task on a
 * cross-industry project whose chain has a parallel group (工交 and 财贸
 * review at once) and a province step only large subsidies reach. The task
 * page's 审批路径 card shows both branches with who holds each, and the
 * province step that this 20,000-yuan application will skip, its condition
 * in words.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { Approvals } from '../support/approvals';
import { startHarness, type Harness } from '../support/harness';
import { buildChain, buildSubsidy, humanStep } from '../support/factories';
import { launchBrowser, login, openSession } from './browser';

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

describe('the route of an application with parallel branches, in the browser', () => {
  it('shows the branches side by side with their approvers, and the step a condition will skip', async () => {
    const chain = await api.saveChain(
      buildChain({
        steps: [
          {
            type: 'parallel',
            id: 'industries',
            name: '产业工会会审 / industry unions review',
            mode: 'all',
            branches: [
              [humanStep({ id: 'gongjiao', name: '工交工会审核 / transport union review', who: { kind: 'users', usernames: ['gongjiao.reviewer'] } })],
              [humanStep({ id: 'caimao', name: '财贸工会审核 / trade union review', who: { kind: 'users', usernames: ['city.reviewer'] } })],
            ],
          },
          humanStep({
            id: 'provinceReview',
            name: '省总审核 / province review',
            who: { kind: 'role', role: 'reviewer', level: 'province' },
            when: { '>': [{ var: 'amount' }, 50000] },
          }),
        ],
      }),
    );
    const id = await api.start(chain.staff, buildSubsidy({ title: '跨行业职工服务站（工交、财贸共建）', amount: 20_000 }));
    const task = await api.task('gongjiao.reviewer', id);
    await api.task('city.reviewer', id);

    const s = await openSession(browser, h.url);
    const { page } = s;
    await login(s, 'gongjiao.reviewer');
    await page.goto(`${h.url}/tasks/${encodeURIComponent(task.id)}`);
    const card = page.getByTestId('route-preview');
    const branches = page.getByTestId('route-branches-industries');
    await branches.waitFor();
    await expect.poll(() => branches.textContent()).toContain('分支 2（财贸工会审核）');
    const text = (await card.textContent()) ?? '';
    expect(text).toContain('分支 1（工交工会审核）');
    expect(text).toContain('市工交工会审核员');
    expect(text).toContain('市总组织部审核员（平顶山市总工会 审核员）');
    expect(await page.getByTestId('route-step-provinceReview').textContent()).toMatch(/条件不满足.*金额 > 50000/);
    expect(text).toContain('将跳过');
    await card.scrollIntoViewIfNeeded();
    await s.shot('60-route-parallel-branches');
  });
});
