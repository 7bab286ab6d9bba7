/**
 * 条件路由: a step's `when` (JSON Logic over the application's facts),
 * evaluated when the step is reached — a province step that only large
 * subsidies reach, a resubmitted changed amount judged afresh, a step for one
 * group of workers — and the validation that refuses conditions over unknown
 * fields, unknown operators and malformed groups. Each test puts its own
 * chain in force for a sandbox org, through the HTTP API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Approvals } from '../support/approvals';
import { buildChain, buildMember, buildSubsidy, humanStep, unique } from '../support/factories';
import { eventually, startHarness, type Harness } from '../support/harness';

let h: Harness;
let api: Approvals;
beforeAll(async () => {
  h = await startHarness();
  api = new Approvals(h);
});
afterAll(async () => {
  await h?.close();
});

const LARGE = { '>': [{ var: 'amount' }, 50000] };
const SKIPPED_NOTE = '条件不满足：金额 > 50000，跳过 / condition not met: amount > 50000, skipped';

/** City review by city.reviewer, then a province review only large subsidies reach. */
const largeSubsidyChain = () =>
  buildChain({
    steps: [
      humanStep({ id: 'cityReview', name: '市总审核 / city review', who: { kind: 'users', usernames: ['city.reviewer'] } }),
      humanStep({ id: 'provinceReview', name: '省总审核 / province review', who: { kind: 'role', role: 'reviewer', level: 'province' }, when: LARGE }),
    ],
  });

describe('a province step only large subsidies reach', () => {
  it('60,000 yuan reaches the province step; 20,000 skips it, the timeline saying which condition', async () => {
    const chain = await api.saveChain(largeSubsidyChain());

    const large = await api.start(chain.staff, buildSubsidy({ amount: 60_000 }));
    await api.approve('city.reviewer', large);
    const provinceTask = await api.task('prov.reviewer', large);
    expect(provinceTask).toMatchObject({ stepIndex: 1, step: '省总审核 / province review', role: 'reviewer', org: 'henan' });
    expect((await api.timeline(large)).some((e) => e.action === 'skipped')).toBe(false);
    await api.ok('prov.reviewer', provinceTask.id, { action: 'approve' });
    await api.status(large, 'approved');

    const small = await api.start(chain.staff, buildSubsidy({ amount: 20_000 }));
    await api.approve('city.reviewer', small);
    await api.status(small, 'approved');
    const tl = await api.timeline(small);
    const skipped = tl.filter((e) => e.action === 'skipped');
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({
      actor: 'system',
      stepIndex: 1,
      step: '省总审核 / province review',
      comment: SKIPPED_NOTE,
      data: { condition: { when: LARGE, holds: false, zh: '金额 > 50000', en: 'amount > 50000' } },
    });
    // Nobody at the province was ever asked.
    expect(await api.rows('tasks', small, { assignee: 'prov.reviewer' })).toHaveLength(0);
    expect(await api.inbox('prov.reviewer', small)).toHaveLength(0);
  });

  it('a returned application resubmitted with a larger amount is judged afresh: the province step it skipped before is reached', async () => {
    const chain = await api.saveChain(largeSubsidyChain());
    const id = await api.start(chain.staff, buildSubsidy({ amount: 20_000 }));
    const cityTask = await api.task('city.reviewer', id);
    await api.ok('city.reviewer', cityTask.id, { action: 'return', returnTo: 'applicant', comment: '请按实际采购清单填写金额 / state the real amount' });
    await api.status(id, 'returned', chain.staff);

    const resubmitted = await api.appAct(chain.staff, id, { action: 'resubmit', changes: { amount: 60_000 } });
    expect(resubmitted.status, JSON.stringify(resubmitted.body)).toBe(200);
    await api.approve('city.reviewer', id);
    const provinceTask = await api.task('prov.reviewer', id);
    expect(provinceTask.stepIndex).toBe(1);
    expect((await api.timeline(id)).filter((e) => e.action === 'skipped')).toHaveLength(0);

    // And back down: returned by the province, resubmitted at 20,000, the province step is skipped this time.
    await api.ok('prov.reviewer', provinceTask.id, { action: 'return', returnTo: 'applicant', comment: '金额过高 / too much' });
    await api.status(id, 'returned', chain.staff);
    expect((await api.appAct(chain.staff, id, { action: 'resubmit', changes: { amount: 20_000 } })).status).toBe(200);
    await api.approve('city.reviewer', id);
    await api.status(id, 'approved');
    const skipped = (await api.timeline(id)).filter((e) => e.action === 'skipped');
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({ stepIndex: 1, comment: SKIPPED_NOTE });
  });
});

describe('a condition on the group of workers', () => {
  it('a courier’s membership application meets the courier step; a truck driver’s skips it, the timeline naming the group in words', async () => {
    const courierOnly = { '==': [{ var: 'group' }, 'courier'] };
    const chain = await api.saveChain(
      buildChain({
        type: 'membership',
        steps: [
          humanStep({ id: 'courierReview', name: '快递行业审核 / courier review', who: { kind: 'users', usernames: ['city.reviewer'] }, when: courierOnly }),
          humanStep({ id: 'cityReview', name: '市总审核 / city review', who: { kind: 'users', usernames: ['city.reviewer2'] } }),
        ],
      }),
      // An industry union under 新华区 of the test's own: a place workers may apply to join in.
      { kind: 'industry' },
    );
    const courier = await api.start(chain.staff, buildMember({ group: 'courier', area: chain.org }));
    expect(await api.task('city.reviewer', courier)).toMatchObject({ stepIndex: 0, step: '快递行业审核 / courier review' });

    const driver = await api.start(chain.staff, buildMember({ group: 'truck_driver', area: chain.org }));
    expect(await api.task('city.reviewer2', driver)).toMatchObject({ stepIndex: 1 });
    const skipped = await eventually(async () => (await api.timeline(driver)).find((e) => e.action === 'skipped'));
    expect(skipped).toMatchObject({
      stepIndex: 0,
      comment: '条件不满足：群体 = “快递员”，跳过 / condition not met: group = "courier", skipped',
    });
    expect(await api.inbox('city.reviewer', driver)).toHaveLength(0);
  });
});

describe('validation of conditions', () => {
  /** POST /api/chains as city.admin for pds; checks that a refused chain starts no change. */
  async function refused(steps: unknown[], extra: Record<string, unknown> = {}) {
    const key = unique('t-');
    const r = await h.call('POST', '/api/chains', {
      token: await h.login('city.admin'),
      body: { key, name: '条件校验 / condition check', type: 'subsidy', owner: 'pds', steps, ...extra },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(await h.db('applications').where('title', 'like', `%${key}%`)).toHaveLength(0);
    return (r.body.errors as { path: string; message: string }[]).map((e) => e.path);
  }
  const city = humanStep({ id: 'cityReview', who: { kind: 'users', usernames: ['city.reviewer'] } });

  it('refuses a condition over an unknown field, naming the step’s when', async () => {
    const paths = await refused([city, humanStep({ id: 'p', when: { '>': [{ var: 'salary' }, 1] } })]);
    expect(paths).toEqual(['steps.1.when.>.0.var']);
  });

  it('refuses a form field the chain’s form does not have, and accepts one it has', async () => {
    const form = { schema: { type: 'object', properties: { headcount: { type: 'integer', title: '职工人数' } } } };
    const paths = await refused([city, humanStep({ id: 'p', when: { '>=': [{ var: 'form.workers' }, 100] } })], { form });
    expect(paths).toEqual(['steps.1.when.>=.0.var']);
    // The same condition over a field the form has passes validation (previewed: nothing is proposed).
    const ok = await h.call('POST', '/api/chains/route-preview', {
      token: await h.login('city.admin'),
      body: {
        chain: {
          key: unique('t-'),
          name: '预览',
          type: 'subsidy',
          owner: 'pds',
          form,
          steps: [city, humanStep({ id: 'p', when: { '>=': [{ var: 'form.headcount' }, 100] } })],
        },
        sample: { applicantOrg: 'pds-xinhua', amount: 1000, form: { headcount: 150 } },
      },
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.steps[1].condition).toMatchObject({ holds: true, zh: '表单“职工人数” ≥ 100' });
  });

  it('refuses unknown operators and operators that reach outside the facts', async () => {
    const paths = await refused([
      city,
      humanStep({ id: 'a', when: { method: [{ var: 'type' }, 'toUpperCase'] } }),
      humanStep({ id: 'b', when: { some: [[1], { '==': [{ var: '' }, 1] }] } }),
    ]);
    expect(paths).toEqual(['steps.1.when.method', 'steps.2.when.some']);
  });

  it('refuses malformed groups and comparisons, and a condition that is not an object', async () => {
    const paths = await refused([
      city,
      humanStep({ id: 'a', when: { and: [] } }),
      humanStep({ id: 'b', when: { or: [{ '>': [{ var: 'amount' }] }, { '==': [{ var: 'group' }, 'courier'], '!=': [1, 2] }] } }),
      humanStep({ id: 'c', when: 'amount > 50000' as never }),
    ]);
    expect(paths).toEqual(['steps.1.when.and', 'steps.2.when.or.0.>', 'steps.2.when.or.1', 'steps.3.when']);
  });

  it('refuses a malformed parallel group: one branch, an empty branch, a bad mode, an automated step in a branch', async () => {
    const gj = humanStep({ id: 'gj', who: { kind: 'users', usernames: ['gongjiao.reviewer'] } });
    const paths = await refused([
      { type: 'parallel', id: 'one', name: '单分支', mode: 'all', branches: [[gj]] },
      { type: 'parallel', id: 'empty', name: '空分支', mode: 'all', branches: [[humanStep({ id: 'x' })], []] },
      { type: 'parallel', id: 'mode', name: '方式', mode: 'most', branches: [[humanStep({ id: 'y' })], [humanStep({ id: 'z' })]] },
      {
        type: 'parallel',
        id: 'auto',
        name: '自动',
        mode: 'any',
        branches: [[humanStep({ id: 'w' })], [{ id: 'n', name: 'n', type: 'auto', activity: 'issueSubsidyNotice' }]],
      },
    ]);
    expect(paths).toEqual([
      'steps.0.branches',
      'steps.1.branches.1',
      'steps.2.mode',
      'steps.3.branches.1.0.type',
      'steps.3.branches.1.0.who',
      'steps.3.branches.1.0.mode',
      'steps.3.branches.1.0',
    ]);
  });

  it('refuses a step id used twice across branches, a branch step that shows full personal data, and an unknown field in a branch or group condition', async () => {
    const paths = await refused([
      city,
      {
        type: 'parallel',
        id: 'industries',
        name: '产业工会会审',
        mode: 'all',
        when: { '==': [{ var: 'form.sector' }, 'trade'] },
        branches: [
          [humanStep({ id: 'review', showsPersonalData: true })],
          [humanStep({ id: 'review', who: { kind: 'users', usernames: ['gongjiao.reviewer'] }, when: { '>': [{ var: 'amont' }, 1] } })],
        ],
      },
    ]);
    expect(paths).toEqual(['steps.1.when.==.0.var', 'steps.1.branches.0.0.showsPersonalData', 'steps.1.branches.1.0.id', 'steps.1.branches.1.0.when.>.0.var']);
  });
});
