/**
 * In a real browser, desktop and 390 px: the route diagram on the task page
 * (the approver holding the current branch step) and on the application page
 * (the applicant). The chain: a county review by role (done: who acted, by
 * name and post, in Beijing time), a province step a condition skips (said in
 * words), a parallel group (one branch done, one current — highlighted) and a
 * step nobody at the applicant's org holds (to the admin above, and why).
 * No login name shows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { ParallelGroup } from '../../domain/chain';
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

const industries: ParallelGroup = {
  type: 'parallel',
  id: 'industries',
  name: '产业工会会审 / industry unions review',
  mode: 'all',
  branches: [
    [humanStep({ id: 'gongjiao', name: '工交工会审核 / transport union review', who: { kind: 'users', usernames: ['gongjiao.reviewer'] } })],
    [humanStep({ id: 'caimao', name: '财贸工会审核 / trade union review', who: { kind: 'users', usernames: ['city.reviewer2'] } })],
  ],
};
const STEPS = [
  humanStep({ id: 'regionReview', name: '县区审核 / county review', who: { kind: 'role', role: 'reviewer', level: 'region' } }),
  humanStep({
    id: 'provinceReview',
    name: '省总审核 / province review',
    who: { kind: 'role', role: 'reviewer', level: 'province' },
    when: { '>': [{ var: 'amount' }, 50000] },
  }),
  industries,
  humanStep({ id: 'selfReview', name: '本级复核 / own org review', who: { kind: 'role', role: 'reviewer', level: 'self' } }),
];
const LOGINS = ['xinhua.reviewer', 'gongjiao.reviewer', 'city.reviewer2', 'xinhua.admin', 'prov.reviewer'];

describe('the route diagram, in the browser', () => {
  it('shows the current position, who acted by name and post, the skipped step’s condition and why each approver, on the task and application pages, desktop and phone', async () => {
    const chain = await api.saveChain(buildChain({ steps: STEPS }));
    const id = await api.start(chain.staff, buildSubsidy({ title: '快递驿站饮水设备补助', amount: 20_000 }));
    await api.approve('xinhua.reviewer', id, '材料齐全，同意 / complete');
    await api.approve('gongjiao.reviewer', id);
    const task = await api.task('city.reviewer2', id);

    const views = [
      { who: 'city.reviewer2', url: `/tasks/${encodeURIComponent(task.id)}`, name: 'task' },
      { who: chain.staff, url: `/applications/${encodeURIComponent(id)}`, name: 'application' },
    ];
    for (const mobile of [false, true])
      for (const v of views) {
        const s = await openSession(browser, h.url, { mobile });
        const { page } = s;
        await login(s, v.who);
        await page.goto(v.url);
        const route = page.getByTestId('route-preview');
        await route.waitFor();
        // The current position: the group and, inside it, the trade-union branch's step, highlighted.
        await expect.poll(() => page.getByTestId('route-step-caimao').getAttribute('data-state')).toBe('current');
        expect(await page.getByTestId('route-step-industries').getAttribute('data-state')).toBe('current');
        expect(await page.getByTestId('route-step-gongjiao').getAttribute('data-state')).toBe('done');
        expect(await page.getByTestId('route-step-regionReview').getAttribute('data-state')).toBe('done');
        expect(await page.getByTestId('route-step-selfReview').getAttribute('data-state')).toBe('waiting');
        expect(await page.locator('[data-testid="route-preview"] [aria-current="step"]').count()).toBe(2);

        // Done: who acted, by name and post, the decision and when (Beijing time).
        const region = (await page.getByTestId('route-step-regionReview').textContent()) ?? '';
        expect(region).toContain('新华区总工会审核员（新华区总工会 审核员）');
        expect(region).toContain('同意');
        expect(region).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}（北京时间）/);
        expect(region).toContain('材料齐全，同意');
        expect(await page.getByTestId('route-step-gongjiao').textContent()).toContain('市工交工会审核员（市工交工会 审核员）');
        // Skipped: the condition in words.
        const province = page.getByTestId('route-step-provinceReview');
        expect(await province.getAttribute('data-state')).toBe('skipped');
        expect(await province.textContent()).toContain('跳过原因：条件不满足：金额 > 50000，跳过');
        // Current and coming: who would act, and why this approver.
        const caimao = (await page.getByTestId('route-step-caimao').textContent()) ?? '';
        expect(caimao).toContain('办理人：市总组织部审核员二（平顶山市总工会 审核员）');
        expect(caimao).toContain('为何是此人：指定人员');
        const self = (await page.getByTestId('route-step-selfReview').textContent()) ?? '';
        expect(self).toContain('新华区总工会管理员（新华区总工会 管理员）');
        expect(self).toContain('为何是此人：无人匹配→新华区总工会 管理员');
        // Names, never logins; Chinese only.
        const text = (await route.textContent()) ?? '';
        for (const login of [...LOGINS, chain.staff]) expect(text).not.toContain(login);
        expect(text).not.toMatch(/approved|named people|by role|Beijing/);
        if (mobile) expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);

        await route.scrollIntoViewIfNeeded();
        await s.shot(`61-route-diagram-${v.name}-${mobile ? 'phone' : 'desktop'}`);
        expect(s.errors).toEqual([]);
        await s.close();
      }
  }, 300_000);
});
