/**
 * 审批路线图 (the route as a diagram): GET /api/applications/:id/route answers,
 * per step and branch step, where it stands (done / current / waiting /
 * willSkip / skipped), who acted (name and post, the decision in words,
 * Beijing time), why a step was skipped (its condition in words) and, for the
 * open and future steps, who would act and why this approver (按角色 /
 * 指定人员 / 无人匹配→管理员). POST /api/chains/route-preview answers the same
 * fields for a draft chain; the OpenAPI document describes them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParallelGroup } from '../../domain/chain';
import { beijingTime } from '../../domain/approval-sheet';
import { Approvals } from '../support/approvals';
import { buildChain, buildSubsidy, humanStep, unique } from '../support/factories';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;
let api: Approvals;
beforeAll(async () => {
  h = await startHarness();
  api = new Approvals(h);
});
afterAll(async () => {
  await h?.close();
});

const regionReview = humanStep({ id: 'regionReview', name: '县区审核 / county review', who: { kind: 'role', role: 'reviewer', level: 'region' } });
const provinceReview = humanStep({
  id: 'provinceReview',
  name: '省总审核 / province review',
  who: { kind: 'role', role: 'reviewer', level: 'province' },
  when: { '>': [{ var: 'amount' }, 50000] },
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
// Nobody holds the reviewer post of the applicant's own (sandbox) org: the step goes to the nearest admin above.
const selfReview = humanStep({ id: 'selfReview', name: '本级复核 / own org review', who: { kind: 'role', role: 'reviewer', level: 'self' } });
const STEPS = [regionReview, provinceReview, industries, selfReview];
const LOGINS = ['xinhua.reviewer', 'gongjiao.reviewer', 'city.reviewer2', 'xinhua.admin'];
const CONDITION_SKIP = '条件不满足：金额 > 50000，跳过 / condition not met: amount > 50000, skipped';

const route = async (username: string, id: string) => {
  const r = await h.call('GET', `/api/applications/${id}/route`, { token: await h.login(username) });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
};
/** What people read of a step: everything but `who` (logins kept for older clients), `rule` and `def`. */
const shown = (step: Record<string, unknown>) => JSON.stringify({ ...step, who: undefined, rule: undefined, def: undefined, branches: undefined });

describe('GET /api/applications/:id/route as a diagram', () => {
  it('gives each step its state, who acted by name and post, the skipped step’s condition in words, and why this approver', async () => {
    const chain = await api.saveChain(buildChain({ steps: STEPS }));
    const id = await api.start(chain.staff, buildSubsidy({ amount: 20_000 }));
    await api.task('xinhua.reviewer', id);

    // Before anyone acted: the first step is current, by role; the province step would be skipped; the rest wait.
    const before = await route(chain.staff, id);
    const [region0, province0, group0, self0] = before.steps;
    expect(region0).toMatchObject({
      id: 'regionReview',
      state: 'current',
      actors: [],
      reason: '按角色：新华区总工会 审核员 / by role: reviewer of 新华区总工会',
    });
    expect(region0.approvers).toContainEqual({ name: '新华区总工会审核员', post: '新华区总工会 审核员' });
    expect(province0).toMatchObject({ state: 'willSkip', skipReason: CONDITION_SKIP, conditionText: '金额 > 50000 / amount > 50000' });
    expect(group0).toMatchObject({ state: 'waiting', conditionText: null });
    expect(group0.branches.map((b: { steps: { state: string; reason: string }[] }) => b.steps[0])).toEqual([
      expect.objectContaining({
        id: 'gongjiao',
        state: 'waiting',
        reason: '指定人员 / named people',
        approvers: [{ name: '市工交工会审核员', post: '市工交工会 审核员' }],
      }),
      expect.objectContaining({ id: 'caimao', state: 'waiting', reason: '指定人员 / named people' }),
    ]);
    expect(self0).toMatchObject({ state: 'waiting', reason: '无人匹配→新华区总工会 管理员 / nobody matched → the admin of 新华区总工会' });
    expect(self0.approvers).toContainEqual({ name: '新华区总工会管理员', post: '新华区总工会 管理员' });

    // The county reviewer approves; the province step is skipped; the transport branch approves.
    const first = await api.task('xinhua.reviewer', id);
    await api.ok('xinhua.reviewer', first.id, { action: 'approve', comment: '材料齐全 / complete' });
    const gj = await api.task('gongjiao.reviewer', id);
    await api.ok('gongjiao.reviewer', gj.id, { action: 'approve' });
    await api.task('city.reviewer2', id);

    const after = await route(chain.staff, id);
    const [region, province, group, self] = after.steps;
    expect(after).toMatchObject({ status: 'pending', currentStepIndex: 2 });
    // Done: who acted, by name and post, the decision in words, and when in Beijing time.
    expect(region).toMatchObject({ state: 'done', remaining: false });
    expect(region.actors).toHaveLength(1);
    const actor = region.actors[0];
    expect(actor).toMatchObject({
      name: '新华区总工会审核员',
      post: '新华区总工会 审核员',
      action: 'approve',
      decision: '同意 / approved',
      comment: '材料齐全 / complete',
    });
    expect(actor.atText).toBe(beijingTime(actor.at));
    expect(actor.atText).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    // Skipped: the condition in words.
    expect(province).toMatchObject({
      status: 'skipped',
      state: 'skipped',
      skipReason: CONDITION_SKIP,
      conditionText: '金额 > 50000 / amount > 50000',
      actors: [],
    });
    // The group is current: one branch done (who acted), the other current (who would act, and why).
    expect(group).toMatchObject({ id: 'industries', state: 'current' });
    const [done, open] = group.branches.map((b: { steps: Record<string, unknown>[] }) => b.steps[0]);
    expect(done).toMatchObject({
      id: 'gongjiao',
      state: 'done',
      actors: [expect.objectContaining({ name: '市工交工会审核员', post: '市工交工会 审核员', decision: '同意 / approved' })],
    });
    expect(open).toMatchObject({
      id: 'caimao',
      state: 'current',
      actors: [],
      approvers: [{ name: '市总组织部审核员二', post: '平顶山市总工会 审核员' }],
      reason: '指定人员 / named people',
    });
    expect(self).toMatchObject({ state: 'waiting', reason: '无人匹配→新华区总工会 管理员 / nobody matched → the admin of 新华区总工会' });

    // What people read names no login.
    const read = [...after.steps.map(shown), ...group.branches.flatMap((b: { steps: Record<string, unknown>[] }) => b.steps.map(shown))].join('\n');
    for (const login of [...LOGINS, chain.staff]) expect(read).not.toContain(login);

    // Out of scope: 404, as the application itself.
    expect((await h.call('GET', `/api/applications/${id}/route`, { token: await h.login('weidong.staff') })).status).toBe(404);
  });

  it('the draft preview answers the same diagram fields, and the OpenAPI document describes them', async () => {
    const r = await h.call('POST', '/api/chains/route-preview', {
      token: await h.login('city.admin'),
      body: {
        chain: { key: unique('t-'), name: '补助草稿 / draft', type: 'subsidy', owner: 'pds', steps: STEPS },
        sample: { amount: 20_000, applicantOrg: 'pds-xinhua' },
      },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const [region, province, group] = r.body.steps;
    expect(region).toMatchObject({ state: 'waiting', actors: [], skipReason: null, reason: '按角色：新华区总工会 审核员 / by role: reviewer of 新华区总工会' });
    expect(province).toMatchObject({ state: 'willSkip', skipReason: CONDITION_SKIP, conditionText: '金额 > 50000 / amount > 50000' });
    expect(group.branches[1].steps[0]).toMatchObject({ id: 'caimao', state: 'waiting', reason: '指定人员 / named people' });

    const doc = await h.call('GET', '/api/openapi.json');
    const answer = doc.body.paths['/api/applications/{id}/route'].get.responses['200'].content['application/json'].schema;
    expect(Object.keys(answer.properties.steps.items.properties)).toEqual(
      expect.arrayContaining(['state', 'actors', 'skipReason', 'conditionText', 'reason', 'approvers']),
    );
    expect(doc.body.paths['/api/chains/route-preview'].post.responses['200'].content['application/json'].schema).toEqual(answer);
  });
});
