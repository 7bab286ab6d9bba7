/**
 * The subsidy chain (经费补助: city initial review → province review → notice
 * and disbursement) and each approver and applicant action on it, through
 * the HTTP API on real Temporal and Postgres.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('approve and reject', () => {
  it('when the city and the province approve a subsidy application, the province issues one approval notice and disburses the amount', async () => {
    const id = await api.start('xinhua.staff', buildSubsidy({ amount: 35_800.75, projectId: 'proj-station-1' }));
    const city = await api.task('city.reviewer', id);
    expect(city).toMatchObject({ step: expect.stringContaining('市总初审'), role: 'reviewer', org: 'pds', assignee: null });
    const afterCity = await api.ok('city.reviewer', city.id, { action: 'approve', comment: '材料齐全 / complete' });
    expect(afterCity).toMatchObject({ status: 'pending', currentStep: expect.stringContaining('省总审核') });

    await api.approve('prov.reviewer', id, '同意立项 / approved');
    const done = await api.status(id, 'approved', 'xinhua.staff');
    expect(done.currentStep).toBeNull();
    expect(done.notice).toMatchObject({
      amount: 35_800.75,
      orgId: 'pds-xinhua',
      projectId: 'proj-station-1',
      noticeNo: expect.stringMatching(/^豫工补〔\d{4}〕/),
    });
    expect(done.notice.disbursedAt).toBeTruthy();

    const notices = await api.rows('subsidy_notices', id);
    expect(notices).toHaveLength(1);
    expect(Number(notices[0].amount)).toBe(35_800.75);

    const actions = done.timeline.map((e: { action: string }) => e.action);
    expect(actions.filter((a: string) => a === 'approve')).toHaveLength(2);
    expect(actions).toContain('auto:issueSubsidyNotice');
    expect(actions[actions.length - 1]).toBe('approved');
    const decided = await api.rows('notifications', id, { username: 'xinhua.staff', kind: 'decided' });
    expect(decided).toHaveLength(1);
  });

  it('when the city reviewer rejects a subsidy application, it is rejected at once, the applicant is told and no notice is issued', async () => {
    const id = await api.start('xinhua.staff', buildSubsidy());
    const t = await api.task('city.reviewer2', id);
    const r = await api.ok('city.reviewer2', t.id, { action: 'reject', comment: '预算不符合规定 / budget not eligible' });
    expect(r.status).toBe('rejected');
    const app = await api.app('xinhua.staff', id);
    expect(app.status).toBe('rejected');
    expect(app.timeline.find((e: { action: string }) => e.action === 'reject')).toMatchObject({
      actor: 'city.reviewer2',
      comment: '预算不符合规定 / budget not eligible',
    });
    expect(await api.rows('subsidy_notices', id)).toHaveLength(0);
    expect(await api.rows('notifications', id, { username: 'xinhua.staff', kind: 'decided' })).toHaveLength(1);
    expect(await api.inbox('prov.reviewer', id)).toHaveLength(0);
  });
});

describe('return and resubmit', () => {
  it('when a county reviewer returns a subsidy application, the applicant gets a revision task and the timeline shows the return; the revised application starts again at the county', async () => {
    const chain = await api.saveChain(
      buildChain({
        steps: [
          humanStep({ id: 'county', name: '县区初审 / county review', who: { kind: 'role', role: 'reviewer', level: 'region' } }),
          humanStep({ id: 'city', name: '市总审核 / city review', who: { kind: 'role', role: 'reviewer', level: 'city' } }),
          { id: 'notice', name: '立项通知 / notice', type: 'auto', activity: 'issueSubsidyNotice' },
        ],
      }),
    );
    const id = await api.start(chain.staff, buildSubsidy({ amount: 20_000 }));
    const county = await api.task('xinhua.reviewer', id);
    const returned = await api.ok('xinhua.reviewer', county.id, { action: 'return', returnTo: 'applicant', comment: '请补充报价单 / add the quotation' });
    expect(returned.status).toBe('returned');

    const revision = await eventually(async () => (await api.inbox(chain.staff, id, 'kind=revision&status=pending'))[0]);
    expect(revision).toMatchObject({ kind: 'revision', assignee: chain.staff, status: 'pending' });
    const app = await api.app(chain.staff, id);
    expect(app.status).toBe('returned');
    expect(app.timeline.find((e: { action: string }) => e.action === 'return')).toMatchObject({
      actor: 'xinhua.reviewer',
      comment: '请补充报价单 / add the quotation',
      data: { to: 'applicant' },
    });
    expect(await api.rows('notifications', id, { username: chain.staff, kind: 'returned' })).toHaveLength(1);

    // While returned, nobody can approve the old task, and only the applicant may resubmit.
    expect((await api.act('xinhua.reviewer', county.id, { action: 'approve' })).status).toBe(409);
    expect((await api.appAct('xinhua.reviewer', id, { action: 'resubmit' })).status).toBe(403);
    const bySomeoneElse = await api.appAct('weidong.staff', id, { action: 'resubmit' });
    expect(bySomeoneElse.status).toBe(404);

    const resubmitted = await api.appAct(chain.staff, id, {
      action: 'resubmit',
      comment: '已补充 / added',
      changes: { amount: 18_500, title: '服务站补助（修订）' },
    });
    expect(resubmitted.status).toBe(200);
    expect(resubmitted.body).toMatchObject({ status: 'pending', revision: 1, currentStepIndex: 0 });
    const revised = await api.app(chain.staff, id);
    expect(revised).toMatchObject({ title: '服务站补助（修订）', payload: { amount: 18_500 } });
    expect((await api.inbox(chain.staff, id, 'kind=revision&status=completed'))[0]).toMatchObject({ id: revision.id, decision: 'resubmit' });

    const again = await api.task('xinhua.reviewer', id, 0);
    expect(again.id).not.toBe(county.id);
    await api.ok('xinhua.reviewer', again.id, { action: 'approve' });
    await api.approve('city.reviewer', id);
    const done = await api.status(id, 'approved');
    expect(done.notice.amount).toBe(18_500);
    expect(done.timeline.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['return', 'resubmit', 'approved']));
  });

  it('when the province returns a subsidy application to the city review step, the city reviews it again before it comes back to the province', async () => {
    const id = await api.start('xinhua.staff', buildSubsidy());
    const city1 = await api.task('city.reviewer', id, 0);
    await api.ok('city.reviewer', city1.id, { action: 'approve' });
    const prov = await api.task('prov.reviewer', id, 1);

    const toOwnStep = await api.act('prov.reviewer', prov.id, { action: 'return', returnTo: 1 });
    expect(toOwnStep.status).toBe(400);
    expect(toOwnStep.body.detail).toContain('earlier human step');

    const r = await api.ok('prov.reviewer', prov.id, { action: 'return', returnTo: 0, comment: '请市总核实配套资金 / city to check co-funding' });
    expect(r).toMatchObject({ status: 'pending', currentStepIndex: 0, currentStep: expect.stringContaining('市总初审') });
    const city2 = await api.task('city.reviewer', id, 0);
    expect(city2.id).not.toBe(city1.id);
    expect(await api.inbox('prov.reviewer', id)).toHaveLength(0);
    const ret = (await api.timeline(id)).find((e) => e.action === 'return');
    expect(ret).toMatchObject({ actor: 'prov.reviewer', data: { to: 0 } });

    await api.ok('city.reviewer', city2.id, { action: 'approve' });
    const prov2 = await api.task('prov.reviewer', id, 1);
    expect(prov2.id).not.toBe(prov.id);
  });
});

describe('withdraw and retract', () => {
  it('when the applicant withdraws a pending application, its open task is cancelled and nobody can act on it any more', async () => {
    const id = await api.start('xinhua.staff', buildSubsidy());
    const t = await api.task('city.reviewer', id);
    expect((await api.appAct('city.reviewer', id, { action: 'withdraw' })).status).toBe(403);

    const r = await api.appAct('xinhua.staff', id, { action: 'withdraw', comment: '项目取消 / project cancelled' });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('withdrawn');
    const task = await h.call('GET', `/api/tasks/${t.id}`, { token: await h.login('city.reviewer') });
    expect(task.body).toMatchObject({ status: 'cancelled', applicationStatus: 'withdrawn' });
    const late = await api.act('city.reviewer', t.id, { action: 'approve' });
    expect(late.status).toBe(409);
    expect((await api.appAct('xinhua.staff', id, { action: 'withdraw' })).status).toBe(409);
    expect((await api.timeline(id)).filter((e) => e.action === 'withdraw')).toHaveLength(1);
  });

  it('when a city reviewer retracts an approval before the province has acted, the city task is open again and the province task is cancelled', async () => {
    const id = await api.start('xinhua.staff', buildSubsidy());
    const city = await api.task('city.reviewer', id, 0);
    await api.ok('city.reviewer', city.id, { action: 'approve' });
    const prov = await api.task('prov.reviewer', id, 1);

    // Only the one who approved may retract.
    expect((await api.appAct('city.reviewer2', id, { action: 'retract' })).status).toBe(409);
    const r = await api.appAct('city.reviewer', id, { action: 'retract', comment: '金额需复核 / amount to be checked again' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'pending', currentStepIndex: 0 });

    const reopened = await api.task('city.reviewer', id, 0);
    expect(reopened.id).toBe(city.id);
    const provTask = await h.call('GET', `/api/tasks/${prov.id}`, { token: await h.login('prov.reviewer') });
    expect(provTask.body.status).toBe('cancelled');
    expect((await api.timeline(id)).find((e) => e.action === 'retract')).toMatchObject({ actor: 'city.reviewer', stepIndex: 0 });

    // Once the province has decided, there is nothing left to retract.
    await api.ok('city.reviewer', city.id, { action: 'approve' });
    await api.approve('prov.reviewer', id);
    await api.status(id, 'approved');
    expect((await api.appAct('city.reviewer', id, { action: 'retract' })).status).toBe(409);
  });
});

describe('transfer and delegate', () => {
  it('when a city reviewer transfers the review to a named colleague, only that colleague can decide', async () => {
    const id = await api.start('xinhua.staff', buildSubsidy());
    const t = await api.task('city.reviewer', id);
    const r = await api.ok('city.reviewer', t.id, { action: 'transfer', to: 'city.reviewer2', comment: '请二审核员处理 / over to reviewer 2' });
    expect(r.tasks.find((x: { id: string }) => x.id === t.id)).toMatchObject({ assignee: 'city.reviewer2', role: null, status: 'pending' });

    expect(await api.inbox('city.reviewer', id)).toHaveLength(0);
    const refused = await api.act('city.reviewer', t.id, { action: 'approve' });
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toContain('not assigned to you');
    const toSelf = await api.act('city.reviewer2', t.id, { action: 'transfer', to: 'city.reviewer2' });
    expect(toSelf.status).toBe(400);

    await api.approve('city.reviewer2', id);
    const tl = await api.timeline(id);
    expect(tl.find((e) => e.action === 'transfer')).toMatchObject({ actor: 'city.reviewer', data: { to: 'city.reviewer2' } });
    expect(tl.find((e) => e.action === 'approve')).toMatchObject({ actor: 'city.reviewer2' });
  });

  it('when a city reviewer delegates the review, the delegate only gives an opinion and the task comes back to the delegating reviewer, who alone decides', async () => {
    const id = await api.start('xinhua.staff', buildSubsidy());
    const t = await api.task('city.reviewer', id);
    await api.ok('city.reviewer', t.id, { action: 'delegate', to: 'city.reviewer2', comment: '请先看预算 / please check the budget first' });

    const delegated = await h.call('GET', `/api/tasks/${t.id}`, { token: await h.login('city.reviewer') });
    expect(delegated.body).toMatchObject({ assignee: 'city.reviewer2', owner: 'city.reviewer', mine: true, status: 'pending' });
    // The owner waits for the opinion; the delegate may not hand it on, not even within the city federation.
    expect((await api.act('city.reviewer', t.id, { action: 'approve' })).status).toBe(403);
    expect((await api.act('city.reviewer2', t.id, { action: 'transfer', to: 'city.staff' })).status).toBe(409);
    // And a city task never goes up to the province by a hand-off (only inside the task's org).
    expect((await api.act('city.reviewer', t.id, { action: 'transfer', to: 'prov.reviewer' })).status).toBe(403);

    const opinion = await api.ok('city.reviewer2', t.id, { action: 'approve', comment: '预算合理 / budget is fine' });
    expect(opinion).toMatchObject({ status: 'pending', currentStepIndex: 0 });
    expect((await api.timeline(id)).find((e) => e.action === 'delegateResolved')).toMatchObject({ actor: 'city.reviewer2', data: { opinion: 'approve' } });

    // Back with its owner: the delegate cannot decide, the owner does.
    expect((await api.act('city.reviewer2', t.id, { action: 'approve' })).status).toBe(403);
    const back = await api.task('city.reviewer', id, 0);
    expect(back).toMatchObject({ id: t.id, assignee: 'city.reviewer' });
    const decided = await api.ok('city.reviewer', t.id, { action: 'approve', comment: '同意 / approved' });
    expect(decided.currentStep).toContain('省总审核');
    const approvals = (await api.timeline(id)).filter((e) => e.action === 'approve');
    expect(approvals.map((e) => e.actor)).toEqual(['city.reviewer']);
  });
});

describe('comment, urge and cc', () => {
  it('participants comment on the timeline, while someone in scope who takes no part is refused and an empty comment is a bad request', async () => {
    const id = await api.start('xinhua.staff', buildSubsidy());
    const t = await api.task('city.reviewer', id);
    expect((await api.appAct('xinhua.staff', id, { action: 'comment', comment: '附件已上传 / attachments uploaded' })).status).toBe(200);
    expect((await api.act('city.reviewer', t.id, { action: 'comment', comment: '正在核对 / checking' })).status).toBe(200);
    const outsider = await api.appAct('xinhua.reviewer', id, { action: 'comment', comment: '路过 / passing by' });
    expect(outsider.status).toBe(403);
    expect((await api.appAct('xinhua.staff', id, { action: 'comment' })).status).toBe(400);

    const comments = (await api.timeline(id)).filter((e) => e.action === 'comment');
    expect(comments.map((e) => [e.actor, e.comment])).toEqual([
      ['xinhua.staff', '附件已上传 / attachments uploaded'],
      ['city.reviewer', '正在核对 / checking'],
    ]);
    // A comment changes nothing else.
    expect((await api.app('xinhua.staff', id)).status).toBe('pending');
    expect(await api.task('city.reviewer', id)).toMatchObject({ id: t.id });
  });

  it('when the applicant urges, every approver who could act is notified; an approver cannot urge', async () => {
    const id = await api.start('xinhua.staff', buildSubsidy());
    await api.task('city.reviewer', id);
    expect((await api.appAct('city.reviewer', id, { action: 'urge' })).status).toBe(403);
    const r = await api.appAct('xinhua.staff', id, { action: 'urge', comment: '项目下周开工 / work starts next week' });
    expect(r.status).toBe(200);
    const urged = await api.rows('notifications', id, { kind: 'urge' });
    expect(urged.map((n: { username: string }) => n.username).sort()).toEqual(['city.reviewer', 'city.reviewer2']);
    expect((await api.timeline(id)).find((e) => e.action === 'urge')).toMatchObject({ actor: 'xinhua.staff' });
  });

  it('when the applicant copies a colleague of a union below theirs, the colleague can read the application and finds it in their cc list; a copy outside the applicant org is refused', async () => {
    const id = await api.start('xinhua.staff', buildSubsidy());
    const colleague = 'xinhua-express.reviewer'; // 新华区 express union: below the applicant org, not above it
    expect((await api.get(colleague, id)).status).toBe(404);
    expect((await api.appAct('xinhua.staff', id, { action: 'cc', to: 'no.such.user' })).status).toBe(400);
    // Another county (卫东区) is outside the applicant's and the receiving org's subtree: refused, nothing written.
    expect((await api.appAct('xinhua.staff', id, { action: 'cc', to: ['weidong.staff'] })).status).toBe(403);
    expect(await api.rows('notifications', id, { username: 'weidong.staff', kind: 'cc' })).toHaveLength(0);
    expect((await api.get('weidong.staff', id)).status).toBe(404);

    const r = await api.appAct('xinhua.staff', id, { action: 'cc', to: [colleague], comment: '供参考 / for your information' });
    expect(r.status).toBe(200);
    expect((await api.get(colleague, id)).status).toBe(200);
    const cc = await api.inbox(colleague, id, 'kind=cc');
    expect(cc).toEqual([expect.objectContaining({ kind: 'cc', assignee: colleague, status: 'completed' })]);
    expect(await api.rows('notifications', id, { username: colleague, kind: 'cc' })).toHaveLength(1);
    expect((await api.timeline(id)).filter((e) => e.action === 'cc')).toEqual([expect.objectContaining({ actor: 'xinhua.staff', data: { to: [colleague] } })]);
    // Being copied is not a task to decide.
    expect(await api.inbox(colleague, id)).toHaveLength(0);
  });
});

describe('route preview', () => {
  it('GET /api/applications/:id/route shows the remaining steps with who would act and the rule that matched', async () => {
    const id = await api.start('xinhua.staff', buildSubsidy());
    await api.task('city.reviewer', id);
    const token = await h.login('xinhua.staff');
    const r = await h.call('GET', `/api/applications/${id}/route`, { token });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id, status: 'pending', currentStepIndex: 0 });
    const [city, province, notice] = r.body.steps;
    expect(city).toMatchObject({ id: 'cityReview', status: 'active', remaining: true, rule: expect.stringContaining('reviewer of pds (city)') });
    expect([...city.who].sort()).toEqual(['city.reviewer', 'city.reviewer2']);
    expect(province).toMatchObject({
      id: 'provinceReview',
      status: 'waiting',
      remaining: true,
      who: ['prov.reviewer'],
      rule: expect.stringContaining('reviewer of henan (province)'),
    });
    expect(notice).toMatchObject({ id: 'notice', type: 'auto', remaining: true, who: [] });

    await api.approve('city.reviewer', id);
    const after = await h.call('GET', `/api/applications/${id}/route`, { token });
    expect(after.body.steps[0]).toMatchObject({ status: 'done', remaining: false });
    expect(after.body.steps[1]).toMatchObject({ status: 'active', remaining: true, who: ['prov.reviewer'] });
    expect((await h.call('GET', `/api/applications/${id}/route`, { token: await h.login('weidong.staff') })).status).toBe(404);
  });
});
