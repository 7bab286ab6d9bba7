/**
 * 加签 / 减签 (adding and removing signers), the three step modes (single,
 * 会签 all, 或签 any), and the bulk actions (approve several, reassign a
 * rotating cadre's tasks).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Approvals, runBulkJob } from '../support/approvals';
import { buildChain, buildSubsidy, humanStep, unique } from '../support/factories';
import { hashPassword } from '../../api/passwords';
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

async function taskById(username: string, id: string) {
  const r = await h.call('GET', `/api/tasks/${id}`, { token: await h.login(username) });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

describe('adding and removing signers', () => {
  it('when a city reviewer adds a colleague before their own review, the colleague signs first and the review then comes back to the city', async () => {
    const id = await api.start('xinhua.staff', buildSubsidy());
    const mine = await api.task('city.reviewer', id, 0);
    const r = await api.ok('city.reviewer', mine.id, {
      action: 'addSigner',
      to: ['city.reviewer2'],
      position: 'before',
      comment: '请先会签 / please sign first',
    });
    expect(r.currentStep).toContain('added signer');
    expect(r.steps[0]).toMatchObject({ status: 'active', added: { by: 'city.reviewer', position: 'before' } });
    expect(r.steps[1]).toMatchObject({ id: 'cityReview', status: 'waiting' });
    expect((await taskById('city.reviewer', mine.id)).status).toBe('cancelled');

    const signer = await api.task('city.reviewer2', id, 0);
    expect(signer).toMatchObject({ assignee: 'city.reviewer2', step: expect.stringContaining('added signer') });
    await api.ok('city.reviewer2', signer.id, { action: 'approve', comment: '同意 / agreed' });

    // The signer approving is not the city review: it reopens, and the province waits.
    const back = await api.task('city.reviewer', id, 1);
    expect(back.id).not.toBe(mine.id);
    expect(await api.inbox('prov.reviewer', id)).toHaveLength(0);
    const after = await api.ok('city.reviewer', back.id, { action: 'approve' });
    expect(after.currentStep).toContain('省总审核');
    const tl = await api.timeline(id);
    expect(tl.find((e) => e.action === 'addSigner')).toMatchObject({ actor: 'city.reviewer', data: { to: ['city.reviewer2'], position: 'before' } });
    expect(tl.filter((e) => e.action === 'approve').map((e) => e.actor)).toEqual(['city.reviewer2', 'city.reviewer']);
  });

  it('when a city reviewer adds a signer after their review, the signer decides between the city and the province', async () => {
    const id = await api.start('xinhua.staff', buildSubsidy());
    const mine = await api.task('city.reviewer', id, 0);
    const noPosition = await api.act('city.reviewer', mine.id, { action: 'addSigner', to: 'city.lead' });
    expect(noPosition.status).toBe(400);
    expect(noPosition.body.detail).toContain('position must be before or after');
    const r = await api.ok('city.reviewer', mine.id, { action: 'addSigner', to: 'city.lead', position: 'after' });
    expect(r.steps.map((s: { id: string }) => s.id)).toEqual(['cityReview', expect.stringMatching(/^added-/), 'provinceReview', 'notice']);
    expect(r.currentStepIndex).toBe(0);

    await api.ok('city.reviewer', mine.id, { action: 'approve' });
    const lead = await api.task('city.lead', id, 1);
    expect(await api.inbox('prov.reviewer', id)).toHaveLength(0);
    await api.ok('city.lead', lead.id, { action: 'approve', comment: '分管领导同意 / the leader agrees' });
    const prov = await api.task('prov.reviewer', id, 2);
    expect(prov.step).toContain('省总审核');
  });

  it('the reviewer who added signers after their step can remove one before it acts; only the remaining signer is asked', async () => {
    const id = await api.start('xinhua.staff', buildSubsidy());
    const mine = await api.task('city.reviewer', id, 0);
    await api.ok('city.reviewer', mine.id, { action: 'addSigner', to: ['city.lead', 'city.staff'], position: 'after' });
    // Someone else cannot remove signers they did not add.
    const other = await api.act('city.reviewer2', mine.id, { action: 'removeSigner', to: 'city.staff' });
    expect(other.status).toBe(409);

    const r = await api.ok('city.reviewer', mine.id, { action: 'removeSigner', to: 'city.staff', comment: '无需干事会签 / not needed' });
    expect(r.steps[1].def.who).toEqual({ kind: 'users', usernames: ['city.lead'] });
    await api.ok('city.reviewer', mine.id, { action: 'approve' });
    const lead = await api.task('city.lead', id, 1);
    expect(await api.inbox('city.staff', id)).toHaveLength(0);
    await api.ok('city.lead', lead.id, { action: 'approve' });
    await api.task('prov.reviewer', id, 2);
    expect((await api.timeline(id)).find((e) => e.action === 'removeSigner')).toMatchObject({ actor: 'city.reviewer', data: { removed: 'city.staff' } });
  });

  it('the reviewer who added a signer before their step can take the signer back before they act, and the review returns to the city', async () => {
    const id = await api.start('xinhua.staff', buildSubsidy());
    const mine = await api.task('city.reviewer', id, 0);
    await api.ok('city.reviewer', mine.id, { action: 'addSigner', to: 'city.lead', position: 'before' });
    const signer = await api.task('city.lead', id, 0);

    const r = await api.act('city.reviewer', signer.id, { action: 'removeSigner', to: 'city.lead' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.steps.map((s: { id: string }) => s.id)).toEqual(['cityReview', 'provinceReview', 'notice']);
    expect((await taskById('city.lead', signer.id)).status).toBe('cancelled');
    const back = await api.task('city.reviewer', id, 0);
    expect(back.step).toContain('市总初审');
    // The signer can no longer act on the withdrawn request.
    expect((await api.act('city.lead', signer.id, { action: 'approve' })).status).toBe(409);
  });
});

describe('step modes', () => {
  it('a single-approver step is one task for the role: the first city reviewer to approve wins and the other is told it is already done', async () => {
    const id = await api.start('xinhua.staff', buildSubsidy());
    const seenBy1 = await api.task('city.reviewer', id);
    const seenBy2 = await api.task('city.reviewer2', id);
    expect(seenBy2.id).toBe(seenBy1.id);
    expect(seenBy1).toMatchObject({ assignee: null, role: 'reviewer', org: 'pds' });

    await api.ok('city.reviewer2', seenBy2.id, { action: 'approve' });
    const late = await api.act('city.reviewer', seenBy1.id, { action: 'approve' });
    expect(late.status).toBe(409);
    expect(late.body.detail).toContain('already completed');
    expect((await taskById('city.reviewer', seenBy1.id)).decision).toBe('approve');
  });

  it('in a 会签 (all) step every named approver must approve, and one rejection rejects the application', async () => {
    const chain = await api.saveChain(
      buildChain({
        steps: [humanStep({ id: 'joint', name: '会签 / joint review', who: { kind: 'users', usernames: ['city.reviewer', 'city.reviewer2'] }, mode: 'all' })],
      }),
    );
    const ok = await api.start(chain.staff, buildSubsidy());
    const no = await api.start(chain.staff, buildSubsidy());

    const first = await api.approve('city.reviewer', ok);
    expect(first).toMatchObject({ status: 'pending', currentStepIndex: 0 });
    expect(await api.task('city.reviewer2', ok)).toMatchObject({ assignee: 'city.reviewer2', status: 'pending' });
    const second = await api.approve('city.reviewer2', ok);
    expect(second.status).toBe('approved');

    await api.approve('city.reviewer2', no);
    const t = await api.task('city.reviewer', no);
    const rejected = await api.ok('city.reviewer', t.id, { action: 'reject', comment: '不同意 / disagree' });
    expect(rejected.status).toBe('rejected');
  });

  it('in a 或签 (any) step the first named approver to decide settles it and the other tasks are cancelled', async () => {
    const chain = await api.saveChain(
      buildChain({
        steps: [
          humanStep({
            id: 'either',
            name: '或签 / any one of',
            who: { kind: 'users', usernames: ['city.reviewer', 'city.reviewer2', 'city.lead'] },
            mode: 'any',
          }),
        ],
      }),
    );
    const id = await api.start(chain.staff, buildSubsidy());
    const r1 = await api.task('city.reviewer', id);
    const r2 = await api.task('city.reviewer2', id);
    const lead = await api.task('city.lead', id);
    expect(new Set([r1.id, r2.id, lead.id]).size).toBe(3);

    const done = await api.ok('city.lead', lead.id, { action: 'approve' });
    expect(done.status).toBe('approved');
    expect((await taskById('city.reviewer', r1.id)).status).toBe('cancelled');
    expect((await taskById('city.reviewer2', r2.id)).status).toBe('cancelled');
    expect((await api.act('city.reviewer', r1.id, { action: 'approve' })).status).toBe(409);
  });
});

describe('bulk actions', () => {
  it('a city reviewer approves several tasks at once; a task that is not theirs is reported as failed and left alone', async () => {
    const ids = await Promise.all([1, 2, 3].map(() => api.start('xinhua.staff', buildSubsidy())));
    const tasks = await Promise.all(ids.map((id) => api.task('city.reviewer', id)));
    // A province task: not the city reviewer's to approve.
    const other = await api.start('xinhua.staff', buildSubsidy());
    await api.approve('city.reviewer2', other);
    const provTask = await api.task('prov.reviewer', other);

    const r = await runBulkJob(h, await h.login('city.reviewer'), '/api/tasks/bulk-approve', {
      taskIds: [...tasks.map((t) => t.id), provTask.id],
      comment: '批量同意 / bulk approved',
    });
    expect(r).toMatchObject({ kind: 'approve', total: 4, done: 4, succeeded: 3, failed: 1 });
    // city.reviewer sees the application but may not decide the province's task: the policy's reason, 403.
    expect(r.results.find((x) => x.taskId === provTask.id)).toMatchObject({ ok: false, error: { status: 403 } });
    for (const id of ids) {
      const tl = await api.timeline(id);
      expect(tl.find((e) => e.action === 'approve')).toMatchObject({ actor: 'city.reviewer', comment: '批量同意 / bulk approved' });
      await api.task('prov.reviewer', id, 1);
    }
    expect((await taskById('prov.reviewer', provTask.id)).status).toBe('pending');
  });

  it("an admin's bulk approval of a task in their scope is recorded as done on the admin's authority", async () => {
    const id = await api.start('xinhua.staff', buildSubsidy());
    const t = await api.task('city.reviewer', id);
    const r = await runBulkJob(h, await h.login('city.admin'), '/api/tasks/bulk-approve', { taskIds: [t.id] });
    expect(r).toMatchObject({ succeeded: 1, failed: 0 });
    expect((await api.timeline(id)).find((e) => e.action === 'approve')).toMatchObject({ actor: 'city.admin', data: { onBehalfOfAdmin: true } });
  });

  it("when a cadre rotates, an admin moves all of that person's pending tasks to their successor in the same union, who can then decide them; a successor outside the task's org is refused", async () => {
    const chain = await api.saveChain(
      buildChain({ steps: [humanStep({ id: 'security', name: '保安联合会审核', who: { kind: 'users', usernames: ['security.reviewer'] } })] }),
    );
    const ids = await Promise.all([1, 2].map(() => api.start(chain.staff, buildSubsidy())));
    const before = await Promise.all(ids.map((id) => api.task('security.reviewer', id)));

    expect(
      (await h.call('POST', '/api/tasks/reassign', { token: await h.login('city.reviewer'), body: { from: 'security.reviewer', to: 'freight.reviewer' } }))
        .status,
    ).toBe(403);
    const bad = await h.call('POST', '/api/tasks/reassign', { token: await h.login('city.admin'), body: { from: 'nobody.here', to: 'nobody.else' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['from', 'to']);

    // A named user's task belongs to their union (保安联合会): it is handed on only within it (domain/policy.ts handOffTarget).
    const outside = await runBulkJob(h, await h.login('city.admin'), '/api/tasks/reassign', {
      from: 'security.reviewer',
      to: 'freight.reviewer',
      comment: '岗位调整 / rotation',
    });
    expect(outside.succeeded).toBe(0);
    expect(outside.failed).toBeGreaterThanOrEqual(2);
    for (const f of outside.results) expect(f.error?.detail).toContain('only to people within the task’s org');
    for (const id of ids) {
      expect(await api.inbox('security.reviewer', id)).toHaveLength(1);
      expect((await api.timeline(id)).some((e) => e.action === 'transfer')).toBe(false);
    }

    const successor = unique('security.successor-');
    await h
      .db('users')
      .insert({ username: successor, name: '接任审核员', org_id: 'pds-security', roles: ['reviewer'], password_hash: await hashPassword('demo-password') });
    const r = await runBulkJob(h, await h.login('city.admin'), '/api/tasks/reassign', {
      from: 'security.reviewer',
      to: successor,
      comment: '岗位调整 / rotation',
    });
    expect(r.kind).toBe('reassign');
    expect(r.succeeded).toBeGreaterThanOrEqual(2);
    expect(r.failed).toBe(0);
    for (const [i, id] of ids.entries()) {
      expect(await api.inbox('security.reviewer', id)).toHaveLength(0);
      const moved = await api.task(successor, id);
      expect(moved.id).toBe(before[i]!.id);
      await api.ok(successor, moved.id, { action: 'approve' });
      await api.status(id, 'approved');
      // The admin acted in the holder's place: an override, recorded as such.
      expect((await api.timeline(id)).find((e) => e.action === 'transfer')).toMatchObject({
        actor: 'city.admin',
        data: { to: successor, override: true, overrode: 'security.reviewer' },
      });
    }
  });
});
