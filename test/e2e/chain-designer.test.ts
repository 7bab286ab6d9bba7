/**
 * In a real browser: the chain designer (管理 › 审批流程, DingTalk-style).
 *
 * 1. A chain owner (the admin of a test org of its own, whose subsidy chain
 *    is 市总初审 → 省总审核 → 下拨) opens the designer from the list, adds a
 *    form field 参与人数 (the key made from its English label), lets the city
 *    reviewer correct it (可编辑), gives the province step the condition
 *    金额 大于 50000 with the builder, previews the route for a large and a
 *    small sample, and saves: the change is shown in words, then proposed
 *    (202, 已提交审批). A second admin approves it through the API; then the
 *    applicant submits two applications with the form through the API: the
 *    large one reaches the province reviewer, the small one skips the
 *    province step, and its timeline says so.
 *    This scenario needs the conditions and route preview (issue 14, E1) and
 *    the forms (F1) on the server: before those merge the server refuses
 *    `when` and `form`.
 * 2. On a phone (390 px): the owner adds an approver step with the "+",
 *    names nobody and saves: the server's 400 marks the card and the drawer
 *    lists the error; then picks the person by name, 会签, a limit of 3
 *    working days that rejects at the end, the applicant never approving their own, moves the step to the top, saves,
 *    and the approved version holds exactly that.
 * 3. Parallel branches (并行分支, needs E1 on the server): the owner adds a
 *    group with the "+", makes it 任一通过, sends its second branch to the
 *    province, gives the group the condition 金额 大于 10000 and saves; the approved version holds the group; on a phone
 *    the branches stack.
 * Screenshots in test-output/screenshots/chain-designer-*.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { eventually, startHarness, type Harness } from '../support/harness';
import { Approvals, runBulkJob } from '../support/approvals';
import { buildChain, buildSubsidy, humanStep } from '../support/factories';
import { launchBrowser, login, openSession, pickOption } from './browser';
import type { Step } from '../../domain/chain';

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

const SUBSIDY_STEPS: Step[] = [
  // One named reviewer who may not review their own application: a decision that cannot be skipped (chain-safety).
  humanStep({ id: 'cityReview', name: '市总初审 / city review', who: { kind: 'users', usernames: ['city.reviewer'] }, onSelfApproval: 'forbid' }),
  {
    id: 'provinceReview',
    name: '省总审核 / province review',
    type: 'human',
    who: { kind: 'role', role: 'reviewer', level: 'province' },
    mode: 'single',
    onNoApprover: 'admin',
  },
  { id: 'notice', name: '立项通知与补助下拨 / notice and disbursement', type: 'auto', activity: 'issueSubsidyNotice' },
];

/** The pending chain change the admin proposed, approved by prov.admin (an admin above, overriding) through the API. */
async function approveChange(admin: string): Promise<void> {
  const change = await eventually(async () => {
    const r = await h.call('GET', '/api/applications?type=chain_change&status=pending&mine=true', { token: await h.login(admin) });
    return (r.body.items as { id: string }[])[0];
  });
  const task = await eventually<{ id: string }>(async () =>
    h.db('tasks').where({ application_id: change.id, status: 'pending', kind: 'approval' }).first('id'),
  );
  const done = await runBulkJob(h, await h.login('prov.admin'), '/api/tasks/bulk-approve', { taskIds: [task.id] });
  expect(done, JSON.stringify(done)).toMatchObject({ succeeded: 1 });
  await a.status(change.id, 'approved', 'prov.admin');
}

/** The text box of an antd input or select by its test id (antd puts the id on the input, or on its wrapper). */
const inputOf = (page: Page, id: string) => page.locator(`input[data-testid="${id}"], [data-testid="${id}"] input`).first();

async function openDesigner(page: Page, key: string) {
  await page.getByTestId('main-menu').getByText('管理', { exact: true }).click();
  await page.getByTestId('main-menu').getByText('审批流程').click();
  await page.waitForURL('**/admin/chains');
  await page.getByTestId(`chain-edit-${key}`).click();
  await page.getByTestId('chain-designer').waitFor();
}

describe('the chain designer', () => {
  it('a chain owner adds a form field and a condition 金额 > 50000 on the province step, previews, saves; once approved the condition routes applications', async () => {
    const chain = await a.saveChain(buildChain({ type: 'subsidy', steps: SUBSIDY_STEPS }), { admin: true });
    const s = await openSession(browser, h.url);
    const { page } = s;
    await login(s, chain.admin!);
    await openDesigner(page, chain.key);
    await page.getByTestId('step-card-provinceReview').waitFor();
    await page.goBack();
    await page.getByTestId('chain-list').waitFor();
    await expect.poll(() => page.getByTestId('chain-list').textContent()).toContain('本单位适用');
    await s.shot('chain-designer-list');
    await page.getByTestId(`chain-edit-${chain.key}`).click();
    await page.getByTestId('step-card-provinceReview').waitFor();
    expect(await page.getByTestId('step-card-provinceReview').textContent()).toContain('省 · 审核员');

    // The form: a number field 参与人数, its key made from the English label.
    await page.getByTestId('tab-form').click();
    await page.getByTestId('form-add-field').click();
    await page.getByTestId('field-label-0').fill('参与人数');
    await page.getByTestId('field-label-en-0').fill('Headcount');
    expect(await inputOf(page, 'field-key-0').inputValue()).toBe('headcount');
    await pickOption(page, page.getByTestId('field-kind-0'), /^数字$/);
    await page.getByTestId('field-required-0').click();
    await expect.poll(() => page.getByTestId('form-preview').textContent()).toContain('参与人数 / Headcount');
    await s.shot('chain-designer-form');

    // The city reviewer may correct the headcount.
    await page.getByRole('tab', { name: '流程' }).click();
    await page.getByTestId('step-card-cityReview').click();
    await page.getByTestId('field-access-headcount').getByText('可编辑').click();
    await page.locator('.ant-drawer-close').click();

    // The province step only for more than 50,000 yuan, built from rows, never typed JSON.
    await page.getByTestId('step-card-provinceReview').click();
    await page.getByTestId('cond-add').click();
    await pickOption(page, page.getByTestId('cond-field-0'), /^金额$/);
    await inputOf(page, 'cond-value-0').fill('50000');
    await page.getByTestId('step-name').click(); // leave the number input so it commits
    await s.shot('chain-designer-drawer');
    await page.locator('.ant-drawer-close').click();
    await expect.poll(() => page.getByTestId('step-condition-provinceReview').textContent()).toContain('金额 大于 50000');
    await s.shot('chain-designer-flow');

    // Route preview: a large sample reaches the province step, a small one skips it and says why.
    await page.getByTestId('tab-preview').click();
    await inputOf(page, 'sample-amount').fill('80000');
    await page.getByTestId('sample-form').locator('#root_headcount').fill('30');
    await page.getByTestId('preview-run').click();
    await expect.poll(() => page.getByTestId('route-step-provinceReview').getAttribute('data-state')).toBe('waiting');
    await s.shot('chain-designer-preview-large');
    await inputOf(page, 'sample-amount').fill('20000');
    await page.getByTestId('preview-run').click();
    await expect.poll(() => page.getByTestId('route-step-provinceReview').getAttribute('data-state')).toBe('willSkip');
    expect(await page.getByTestId('route-step-provinceReview').textContent()).toContain('条件不满足');
    expect(await page.getByTestId('route-step-cityReview').getAttribute('data-state')).toBe('waiting');
    await s.shot('chain-designer-preview-small');

    // Save: the change in words, then proposed.
    await page.getByTestId('chain-save').click();
    const diff = page.getByTestId('chain-diff');
    await expect.poll(() => diff.textContent()).toContain('条件：（无条件） → 金额 大于 50000');
    expect(await diff.textContent()).toContain('字段“参与人数”的权限：（未设置） → 可编辑');
    expect(await diff.textContent()).toContain('申请表单有修改');
    expect(await diff.textContent()).not.toMatch(/provinceReview|reviewer|\{/);
    await s.shot('chain-designer-diff');
    await page.getByTestId('chain-confirm').click();
    await expect.poll(() => page.getByTestId('chain-submitted').textContent()).toContain('已提交审批，待另一位管理员批准');
    expect(s.errors).toEqual([]);

    await approveChange(chain.admin!);
    const saved = await h.call('GET', `/api/chains/${chain.key}?owner=${chain.org}`, { token: await h.login(chain.admin!) });
    expect(saved.body.version).toBe(2);
    expect(saved.body.steps[1]).toMatchObject({ id: 'provinceReview', when: { '>': [{ var: 'amount' }, 50000] } });
    expect(saved.body.steps[0].fields).toEqual({ headcount: 'edit' });
    expect(saved.body.form.schema.properties.headcount).toMatchObject({ type: 'number', title: '参与人数 / Headcount' });
    expect(saved.body.form.schema.required).toEqual(['headcount']);

    // The applicant submits the form; the condition routes each application.
    const large = await a.start(chain.staff, { ...buildSubsidy({ amount: 80_000 }), form: { headcount: 30 } });
    const small = await a.start(chain.staff, { ...buildSubsidy({ amount: 20_000 }), form: { headcount: 12 } });
    await a.approve('city.reviewer', large);
    await a.approve('city.reviewer', small);
    const provinceTask = await a.task('prov.reviewer', large);
    expect(provinceTask.step).toMatch(/省总审核/);
    await a.status(small, 'approved');
    const skipped = (await a.timeline(small, chain.admin)).find((e) => e.action === 'skipped' && /省总审核/.test(e.step ?? ''));
    expect(skipped, 'the small application skipped the province step').toBeDefined();
    expect(JSON.stringify(skipped)).toContain('50000');
    expect(await a.inbox('prov.reviewer', small)).toEqual([]);
    await s.close();
  });

  it('on a phone, an added step with nobody named is refused and marked; fixed, moved to the top and saved, the approved version holds it', async () => {
    const chain = await a.saveChain(buildChain({ type: 'subsidy', steps: SUBSIDY_STEPS }), { admin: true });
    const s = await openSession(browser, h.url, { mobile: true });
    const { page } = s;
    await login(s, chain.admin!);
    await page.goto(`/admin/chains/${chain.key}?owner=${chain.org}`);
    await page.getByTestId('step-card-cityReview').waitFor();
    // The flow stacks within the phone's width.
    const card = await page.getByTestId('step-card-cityReview').boundingBox();
    expect(card!.x).toBeGreaterThanOrEqual(0);
    expect(card!.x + card!.width).toBeLessThanOrEqual(390);
    await s.shot('chain-designer-phone-flow');

    // "+" after the first step: an approver step, its drawer full width.
    await page.getByTestId('flow-add-1').click();
    await page.getByTestId('add-human').click();
    const drawer = page.locator('.ant-drawer-content-wrapper');
    await page.getByTestId('step-name').fill('工会主席审批');
    expect((await drawer.boundingBox())!.width).toBe(390);
    await page.getByTestId('who-kind').getByText('指定人员').click();
    await page.getByTestId('step-mode').getByText('会签').click();
    await page.getByTestId('sla-on').click();
    await inputOf(page, 'sla-amount').fill('3');
    await pickOption(page, page.getByTestId('sla-timeout'), '自动驳回');
    await page.getByTestId('step-self').getByText('本人不得审批').click();
    await s.shot('chain-designer-phone-drawer');
    await page.locator('.ant-drawer-close').click();

    // Nobody named: the server's 400 marks the card and the drawer says what is wrong; nothing is proposed.
    await page.getByTestId('chain-save').click();
    await page.getByTestId('chain-confirm').click();
    await expect.poll(() => page.getByTestId('step-card-step1').getAttribute('class')).toContain('cd-error');
    await page.getByTestId('step-card-step1').click();
    await page.getByTestId('step-errors').waitFor();
    expect(await h.db('applications').where({ type: 'chain_change', applicant: chain.admin })).toEqual([]);

    // Picked by name from the directory (never a login), moved to the top, saved.
    await inputOf(page, 'who-users').fill('市总组织部审核员');
    await page
      .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: /^市总组织部审核员（/ })
      .first()
      .click();
    await page.locator('.ant-drawer-close').click();
    await expect.poll(() => page.getByTestId('step-card-step1').textContent()).toContain('市总组织部审核员');
    await page.getByTestId('step-up-step1').click();
    await page.getByTestId('chain-save').click();
    const diff = page.getByTestId('chain-diff');
    await expect.poll(() => diff.textContent()).toContain('新增第 1 步“工会主席审批”：市总组织部审核员，会签，时限 3 个工作日，到期自动驳回');
    await s.shot('chain-designer-phone-diff');
    await page.getByTestId('chain-confirm').click();
    await page.getByTestId('chain-submitted').waitFor();
    await s.shot('chain-designer-phone-submitted');
    expect(s.errors).toEqual([]);

    await approveChange(chain.admin!);
    const saved = await h.call('GET', `/api/chains/${chain.key}?owner=${chain.org}`, { token: await h.login(chain.admin!) });
    expect(saved.body.version).toBe(2);
    expect(saved.body.steps.map((x: Step) => x.id)).toEqual(['step1', 'cityReview', 'provinceReview', 'notice']);
    expect(saved.body.steps[0]).toMatchObject({
      name: '工会主席审批',
      who: { kind: 'users', usernames: ['city.reviewer'] },
      mode: 'all',
      sla: { limit: 'P3D', onTimeout: 'autoReject' },
      onSelfApproval: 'forbid',
    });
    await s.close();
  });

  it('an owner adds a parallel group of two branches (任一通过), one to the province; the approved version holds it and a phone shows the branches stacked', async () => {
    const chain = await a.saveChain(buildChain({ type: 'subsidy', steps: SUBSIDY_STEPS }), { admin: true });
    const s = await openSession(browser, h.url);
    const { page } = s;
    await login(s, chain.admin!);
    await openDesigner(page, chain.key);
    await page.getByTestId('flow-add-1').click();
    await page.getByTestId('add-parallel').click();
    const group = page.getByTestId('group-parallel1');
    await group.waitFor();
    await page.getByTestId('group-name-parallel1').fill('产业工会会审');
    await page.getByTestId('group-mode-parallel1').getByText('任一通过').click();
    await page.getByTestId('step-card-parallel1b').click();
    await page.getByTestId('step-name').fill('省总会审');
    await pickOption(page, page.getByTestId('who-level'), /^省$/);
    await page.locator('.ant-drawer-close').click();
    await expect.poll(() => page.getByTestId('step-card-parallel1b').textContent()).toContain('省 · 审核员');
    // The whole group only for more than 10,000 yuan.
    await page.getByTestId('group-condition-parallel1').click();
    await page.getByTestId('cond-add').click();
    await pickOption(page, page.getByTestId('cond-field-0'), /^金额$/);
    await inputOf(page, 'cond-value-0').fill('10000');
    await page.locator('.ant-modal-close').click();
    await expect.poll(() => page.getByTestId('group-condition-text-parallel1').textContent()).toContain('金额 大于 10000');
    await s.shot('chain-designer-parallel');

    await page.getByTestId('chain-save').click();
    await expect.poll(() => page.getByTestId('chain-diff').textContent()).toContain('新增第 2 步“产业工会会审”：并行分支 2 路，任一通过');
    await page.getByTestId('chain-confirm').click();
    await page.getByTestId('chain-submitted').waitFor();
    expect(s.errors).toEqual([]);
    await s.close();

    await approveChange(chain.admin!);
    const saved = await h.call('GET', `/api/chains/${chain.key}?owner=${chain.org}`, { token: await h.login(chain.admin!) });
    expect(saved.body.version).toBe(2);
    expect(saved.body.steps[1]).toMatchObject({
      type: 'parallel',
      id: 'parallel1',
      name: '产业工会会审',
      mode: 'any',
      branches: [
        [{ id: 'parallel1a', who: { kind: 'role', role: 'reviewer', level: 'parent' } }],
        [{ id: 'parallel1b', name: '省总会审', who: { kind: 'role', role: 'reviewer', level: 'province' } }],
      ],
    });

    // On a phone the saved group's branches stack, each within the screen.
    const phone = await openSession(browser, h.url, { mobile: true });
    await login(phone, chain.admin!);
    await phone.page.goto(`/admin/chains/${chain.key}?owner=${chain.org}`);
    const [b0, b1] = [await phone.page.getByTestId('branch-parallel1-0').boundingBox(), await phone.page.getByTestId('branch-parallel1-1').boundingBox()];
    expect(b1!.y).toBeGreaterThan(b0!.y + b0!.height - 1);
    expect(b0!.x + b0!.width).toBeLessThanOrEqual(390);
    await phone.shot('chain-designer-phone-parallel');
    expect(phone.errors).toEqual([]);
    await phone.close();
  });
});
