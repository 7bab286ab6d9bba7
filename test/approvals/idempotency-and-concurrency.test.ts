/**
 * Replayed requests (Idempotency-Key) change nothing; two approvers racing
 * for the same task end with exactly one decision.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Approvals } from '../support/approvals';
import { buildSubsidy, unique } from '../support/factories';
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

/** How many updates the application's workflow accepted (refused ones never reach its history). */
async function acceptedUpdates(applicationId: string): Promise<number> {
  const history = await h.temporal.workflow.getHandle(`application-${applicationId}`).fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
}

describe('idempotent replay', () => {
  it('creating an application twice with the same Idempotency-Key returns the first application and writes it once', async () => {
    const key = unique('create-');
    const body = buildSubsidy();
    const first = await api.create('xinhua.staff', body, { 'Idempotency-Key': key });
    const again = await api.create('xinhua.staff', { ...body, title: '另一个标题 / another title' }, { 'Idempotency-Key': key });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');

    const id = first.body.id as string;
    expect(await h.db('applications').where({ id }).count<{ n: string }[]>({ n: '*' })).toEqual([{ n: '1' }]);
    await api.task('city.reviewer', id);
    expect((await api.rows('audit_log', id, { action: 'submitted' })).length).toBe(1);
    expect((await api.app('xinhua.staff', id)).title).toBe(body.title);
  });

  it('repeating an approval with the same Idempotency-Key returns the same result and records one approval', async () => {
    const id = await api.start('xinhua.staff', buildSubsidy());
    const t = await api.task('city.reviewer', id);
    const key = unique('approve-');
    const first = await api.act('city.reviewer', t.id, { action: 'approve', comment: '同意' }, { 'Idempotency-Key': key });
    const again = await api.act('city.reviewer', t.id, { action: 'approve', comment: '同意' }, { 'Idempotency-Key': key });
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);

    expect(await api.rows('audit_log', id, { action: 'approve' })).toHaveLength(1);
    expect(await api.rows('tasks', id, { step_index: 1 })).toHaveLength(1);
    expect(await acceptedUpdates(id)).toBe(1);
  });

  it('the same Idempotency-Key reused by the same caller for a different request is a conflict', async () => {
    const key = unique('reuse-');
    const id = (await api.create('xinhua.staff', buildSubsidy(), { 'Idempotency-Key': key })).body.id as string;
    const other = await api.appAct('xinhua.staff', id, { action: 'comment', comment: '补充说明' }, { 'Idempotency-Key': key });
    expect(other.status).toBe(409);
    await api.task('city.reviewer', id);
    expect(await api.rows('audit_log', id, { action: 'comment' })).toHaveLength(0);
  });

  it('two people who happen to send the same Idempotency-Key to one application are not mistaken for each other', async () => {
    const id = await api.start('xinhua.staff', buildSubsidy());
    const t = await api.task('city.reviewer', id);
    const key = 'retry-1'; // a naive client's key: the key space is each caller's own
    const comment = await api.act('city.reviewer2', t.id, { action: 'comment', comment: '我先看看 / having a look' }, { 'Idempotency-Key': key });
    expect(comment.status).toBe(200);
    const approve = await api.act('city.reviewer', t.id, { action: 'approve' }, { 'Idempotency-Key': key });
    expect(approve.status).toBe(200);
    expect(approve.body.currentStep).toContain('省总审核');
    const tl = await api.timeline(id);
    expect(tl.find((e) => e.action === 'approve')).toMatchObject({ actor: 'city.reviewer' });
    expect(tl.find((e) => e.action === 'comment')).toMatchObject({ actor: 'city.reviewer2' });
  });
});

describe('concurrent decisions', () => {
  it('when two city reviewers approve the same task at the same moment, exactly one wins, the other gets 409, and one approval is recorded', async () => {
    // Three races at once, so that at least some are truly simultaneous.
    const ids = await Promise.all([1, 2, 3].map(() => api.start('xinhua.staff', buildSubsidy())));
    const tasks = await Promise.all(ids.map((id) => api.task('city.reviewer', id)));
    await Promise.all([h.login('city.reviewer'), h.login('city.reviewer2')]);

    const races = await Promise.all(
      tasks.map((t) => Promise.all([api.act('city.reviewer', t.id, { action: 'approve' }), api.act('city.reviewer2', t.id, { action: 'approve' })])),
    );
    for (const [i, [a, b]] of races.entries()) {
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const loser = a.status === 409 ? a : b;
      expect(loser.body.detail).toContain('already completed');
      const id = ids[i]!;
      const approvals = await api.rows('audit_log', id, { action: 'approve' });
      expect(approvals).toHaveLength(1);
      expect(approvals[0].actor).toBe(a.status === 200 ? 'city.reviewer' : 'city.reviewer2');
      expect(await api.rows('tasks', id, { step_index: 1 })).toHaveLength(1);
      expect(await acceptedUpdates(id)).toBe(1);
    }
  });

  it('a reviewer pressing approve twice (two requests without a key) gets one 200 and one 409', async () => {
    const id = await api.start('xinhua.staff', buildSubsidy());
    const t = await api.task('city.reviewer', id);
    const both = await Promise.all([api.act('city.reviewer', t.id, { action: 'approve' }), api.act('city.reviewer', t.id, { action: 'approve' })]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(await api.rows('audit_log', id, { action: 'approve' })).toHaveLength(1);
  });

  it('an approval racing a withdrawal ends in one consistent outcome', async () => {
    const id = await api.start('xinhua.staff', buildSubsidy());
    const t = await api.task('city.reviewer', id);
    const [approve, withdraw] = await Promise.all([
      api.act('city.reviewer', t.id, { action: 'approve' }),
      api.appAct('xinhua.staff', id, { action: 'withdraw' }),
    ]);
    expect(withdraw.status).toBe(200);
    const app = await api.status(id, 'withdrawn');
    const actions = app.timeline.map((e: { action: string }) => e.action);
    if (approve.status === 200) {
      expect(actions.indexOf('approve')).toBeLessThan(actions.indexOf('withdraw'));
    } else {
      expect(approve.status).toBe(409);
      expect(actions).not.toContain('approve');
    }
    expect(await api.inbox('prov.reviewer', id)).toHaveLength(0);
  });
});
