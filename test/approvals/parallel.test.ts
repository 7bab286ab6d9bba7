/**
 * 并行分支: a step of a chain may be a group of branches that run at once —
 * 市工交工会 and a second reviewer (standing for 市财贸工会) both review one
 * cross-industry project — joined when all of them finish (mode all) or the
 * first (mode any, the others cancelled). A rejection in any branch rejects
 * the application; a return inside a branch sends the application back and
 * the whole group runs again when it returns. Through the HTTP API, each
 * test with a chain of its own in force for a sandbox org.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HumanStep, ParallelGroup } from '../../domain/chain';
import { Approvals } from '../support/approvals';
import { buildChain, buildSubsidy, humanStep } from '../support/factories';
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

const named = (id: string, name: string, username: string): HumanStep => humanStep({ id, name, who: { kind: 'users', usernames: [username] } });

/** 工交工会 reviews in one branch; the other branch climbs two steps (a first and a second reviewer). */
function crossIndustry(mode: 'all' | 'any', extra: Partial<ParallelGroup> = {}): ParallelGroup {
  return {
    type: 'parallel',
    id: 'industries',
    name: '产业工会会审 / industry unions review',
    mode,
    branches: [
      [named('gongjiao', '工交工会审核 / transport union review', 'gongjiao.reviewer')],
      [
        named('caimao', '财贸工会审核 / trade union review', 'city.reviewer'),
        named('caimaoLead', '财贸工会复核 / trade union second review', 'city.reviewer2'),
      ],
    ],
    ...extra,
  };
}

const finalStep = named('provinceReview', '省总审核 / province review', 'prov.reviewer');

describe('parallel branches, mode all', () => {
  it('both branches start at once, each climbs its own steps, and the chain moves on only when both have finished', async () => {
    const chain = await api.saveChain(buildChain({ steps: [crossIndustry('all'), finalStep] }));
    const id = await api.start(chain.staff, buildSubsidy({ title: `跨行业职工服务站 ${chain.org}` }));

    const gj = await api.task('gongjiao.reviewer', id);
    const cm = await api.task('city.reviewer', id);
    expect(gj).toMatchObject({ stepIndex: 0, step: '工交工会审核 / transport union review' });
    expect(cm).toMatchObject({ stepIndex: 0, step: '财贸工会审核 / trade union review' });
    const started = (await api.timeline(id)).find((e) => e.action === 'parallelStarted');
    expect(started).toMatchObject({ stepIndex: 0, step: '产业工会会审 / industry unions review', data: { mode: 'all' } });
    expect(started!.comment).toContain('分支 1（工交工会审核）、分支 2（财贸工会审核）');
    expect(started!.comment).toContain('branch 1 (transport union review), branch 2 (trade union review)');

    // The second branch climbs to its second step while the first is still open.
    await api.ok('city.reviewer', cm.id, { action: 'approve', comment: '财贸同意' });
    const lead = await api.task('city.reviewer2', id);
    expect(lead).toMatchObject({ stepIndex: 0, step: '财贸工会复核 / trade union second review' });
    expect(await api.inbox('gongjiao.reviewer', id)).toHaveLength(1);
    await api.ok('city.reviewer2', lead.id, { action: 'approve' });
    // One branch done, the other still open: the province step has not started.
    await eventually(async () => (await api.timeline(id)).find((e) => e.action === 'branchDone'));
    expect(await api.inbox('prov.reviewer', id)).toHaveLength(0);
    expect((await api.app('city.admin', id)).currentStep).toBe('产业工会会审 / industry unions review');

    await api.ok('gongjiao.reviewer', gj.id, { action: 'approve', comment: '工交同意' });
    const province = await api.task('prov.reviewer', id);
    expect(province.stepIndex).toBe(1);
    const tl = await api.timeline(id);
    expect(tl.filter((e) => e.action === 'branchDone').map((e) => e.data?.branch)).toEqual([1, 0]);
    expect(tl.find((e) => e.action === 'parallelDone')).toMatchObject({ stepIndex: 0 });
    // Each decision inside a branch names the group and the branch's step.
    expect(tl.find((e) => e.action === 'approve' && e.actor === 'gongjiao.reviewer')).toMatchObject({
      step: '产业工会会审 / industry unions review › 工交工会审核 / transport union review',
      data: { branch: 0, branchStep: 0 },
    });
    await api.ok('prov.reviewer', province.id, { action: 'approve' });
    await api.status(id, 'approved');
  });
});

describe('parallel branches, mode any', () => {
  it('the first branch to finish decides: the other branch’s open task is cancelled, and the timeline says so', async () => {
    const chain = await api.saveChain(buildChain({ steps: [crossIndustry('any'), finalStep] }));
    const id = await api.start(chain.staff, buildSubsidy());
    const gj = await api.task('gongjiao.reviewer', id);
    const cm = await api.task('city.reviewer', id);

    await api.ok('gongjiao.reviewer', gj.id, { action: 'approve' });
    await api.task('prov.reviewer', id);
    const cancelled = await h.db('tasks').where({ id: cm.id }).first('status');
    expect(cancelled.status).toBe('cancelled');
    expect(await api.inbox('city.reviewer', id)).toHaveLength(0);
    // The cancelled task can no longer be decided.
    expect((await api.act('city.reviewer', cm.id, { action: 'approve' })).status).toBe(409);
    const tl = await api.timeline(id);
    expect(tl.find((e) => e.action === 'branchesCancelled')).toMatchObject({
      stepIndex: 0,
      data: { finished: 0, cancelled: [1] },
      comment:
        '分支 1（工交工会审核）已先完成（任一即可），取消其余分支：分支 2（财贸工会审核） / branch 1 (transport union review) finished first: branch 2 (trade union review) cancelled',
    });
    // The second branch's second step never started.
    expect(await api.inbox('city.reviewer2', id)).toHaveLength(0);
  });

  it('a group whose condition does not hold is skipped as a whole', async () => {
    const chain = await api.saveChain(buildChain({ steps: [crossIndustry('any', { when: { '>=': [{ var: 'amount' }, 100000] } }), finalStep] }));
    const id = await api.start(chain.staff, buildSubsidy({ amount: 30_000 }));
    await api.task('prov.reviewer', id);
    expect(await api.inbox('gongjiao.reviewer', id)).toHaveLength(0);
    const skipped = (await api.timeline(id)).find((e) => e.action === 'skipped');
    expect(skipped).toMatchObject({ stepIndex: 0, comment: '条件不满足：金额 ≥ 100000，跳过 / condition not met: amount ≥ 100000, skipped' });
  });
});

describe('decisions inside a branch', () => {
  it('a rejection in one branch rejects the application and cancels the other branch’s task', async () => {
    const chain = await api.saveChain(buildChain({ steps: [crossIndustry('all'), finalStep] }));
    const id = await api.start(chain.staff, buildSubsidy());
    const gj = await api.task('gongjiao.reviewer', id);
    const cm = await api.task('city.reviewer', id);
    await api.ok('city.reviewer', cm.id, { action: 'reject', comment: '不属于财贸系统 / not a trade project' });
    await api.status(id, 'rejected');
    expect((await h.db('tasks').where({ id: gj.id }).first('status')).status).toBe('cancelled');
    expect(await api.inbox('prov.reviewer', id)).toHaveLength(0);
    expect((await api.timeline(id)).find((e) => e.action === 'reject')).toMatchObject({
      actor: 'city.reviewer',
      step: '产业工会会审 / industry unions review › 财贸工会审核 / trade union review',
    });
  });

  it('a return inside a branch sends the application back; resubmitted, the whole group runs again', async () => {
    const chain = await api.saveChain(buildChain({ steps: [crossIndustry('all'), finalStep] }));
    const id = await api.start(chain.staff, buildSubsidy());
    const gj = await api.task('gongjiao.reviewer', id);
    await api.ok('gongjiao.reviewer', gj.id, { action: 'approve' });
    const cm = await api.task('city.reviewer', id);
    await api.ok('city.reviewer', cm.id, { action: 'return', returnTo: 'applicant', comment: '请补充财贸企业名单 / list the trade employers' });
    await api.status(id, 'returned', chain.staff);

    expect((await api.appAct(chain.staff, id, { action: 'resubmit', comment: '已补充 / done' })).status).toBe(200);
    // Both branches again, from their first steps.
    const gj2 = await api.task('gongjiao.reviewer', id);
    const cm2 = await api.task('city.reviewer', id);
    expect(gj2.id).not.toBe(gj.id);
    expect(cm2.id).not.toBe(cm.id);
    expect((await api.timeline(id)).filter((e) => e.action === 'parallelStarted')).toHaveLength(2);
  });

  it('a step inside a branch offers its own actions but takes no added signer (409), and nothing changes', async () => {
    const chain = await api.saveChain(buildChain({ steps: [crossIndustry('all'), finalStep] }));
    const id = await api.start(chain.staff, buildSubsidy());
    const gj = await api.task('gongjiao.reviewer', id);
    await api.task('city.reviewer', id);
    // The task page offers the branch step's actions, without adding signers.
    const allowed = await h.call('GET', `/api/tasks/${gj.id}/allowed`, { token: await h.login('gongjiao.reviewer') });
    expect(allowed.status).toBe(200);
    expect(allowed.body).toMatchObject({ mine: true, actions: expect.arrayContaining(['approve', 'reject', 'return', 'transfer']) });
    expect(allowed.body.actions).not.toContain('addSigner');
    const before = await api.rows('audit_log', id);
    const r = await api.act('gongjiao.reviewer', gj.id, { action: 'addSigner', to: ['gongjiao.staff'], position: 'after' });
    expect(r.status, JSON.stringify(r.body)).toBe(409);
    expect(await api.rows('audit_log', id)).toHaveLength(before.length);
  });
});
