/**
 * The chain's rules: time limits (reminder, escalation to 督办, automatic
 * decisions), the applicant-may-not-approve rule, steps nobody matches, and
 * chain versions with applications in flight. Each test puts its own chain
 * in force for an org of its own (a sandbox under 新华区, through the chain
 * change approval) with limits of a few seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Approvals, runBulkJob } from '../support/approvals';
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

const cityRole = { kind: 'role', role: 'reviewer', level: 'city' } as const;

async function waitForAction(id: string, action: string, timeoutMs = 15_000) {
  return eventually(async () => (await api.timeline(id)).find((e) => e.action === action), timeoutMs, 250);
}

describe('time limits (SLA)', () => {
  it('a step with a time limit reminds its approvers before the limit and escalates to the city supervisor at the limit', async () => {
    const chain = await api.saveChain(
      buildChain({ steps: [humanStep({ id: 'review', who: cityRole, sla: { limit: 3000, remindBefore: 1500, onTimeout: 'escalate' } })] }),
    );
    const id = await api.start(chain.staff, buildSubsidy());
    const t = await api.task('city.reviewer', id);
    expect(t).toMatchObject({ role: 'reviewer', org: 'pds' });

    const escalated = await waitForAction(id, 'escalated');
    expect(escalated).toMatchObject({ actor: 'system', stepIndex: 0, data: { taskId: t.id, to: 'city.lead' } });
    const tl = await api.timeline(id);
    const reminded = tl.findIndex((e) => e.action === 'reminded');
    expect(reminded).toBeGreaterThan(-1);
    expect(reminded).toBeLessThan(tl.findIndex((e) => e.action === 'escalated'));

    const reminders = await api.rows('notifications', id, { kind: 'reminder' });
    expect(reminders.map((n: { username: string }) => n.username).sort()).toEqual(['city.reviewer', 'city.reviewer2']);
    expect(await api.rows('notifications', id, { kind: 'escalation', username: 'city.lead' })).toHaveLength(1);

    // The supervisor now holds the task; the reviewers no longer do.
    expect((await api.act('city.reviewer', t.id, { action: 'approve' })).status).toBe(403);
    const byLead = await api.task('city.lead', id);
    expect(byLead.id).toBe(t.id);
    expect((await api.ok('city.lead', t.id, { action: 'approve', comment: '督办处理 / handled on escalation' })).status).toBe('approved');
  });

  it('the time limit of a later step counts from when an approval opens it: its approver is reminded and it escalates', async () => {
    const chain = await api.saveChain(
      buildChain({
        steps: [
          humanStep({ id: 'first', who: { kind: 'users', usernames: ['city.reviewer'] } }),
          humanStep({ id: 'second', who: { kind: 'users', usernames: ['city.reviewer2'] }, sla: { limit: 2500, remindBefore: 1200, onTimeout: 'escalate' } }),
        ],
      }),
      // 卫东区 has neither a supervisor nor an admin: a named approver's overdue task goes up to the city's supervisor.
      { parent: 'pds-weidong' },
    );
    const id = await api.start(chain.staff, buildSubsidy());
    await api.approve('city.reviewer', id);
    const second = await api.task('city.reviewer2', id, 1);

    const escalated = await waitForAction(id, 'escalated');
    expect(escalated).toMatchObject({ stepIndex: 1, data: { taskId: second.id, to: 'city.lead' } });
    expect((await api.timeline(id)).find((e) => e.action === 'reminded')).toMatchObject({ stepIndex: 1 });
    expect(await api.rows('notifications', id, { kind: 'reminder', username: 'city.reviewer2' })).toHaveLength(1);
  });

  it('a step set to approve automatically at its limit is approved by the system when nobody acts', async () => {
    const chain = await api.saveChain(
      buildChain({
        steps: [humanStep({ id: 'review', who: { kind: 'users', usernames: ['city.reviewer2'] }, sla: { limit: 2000, onTimeout: 'autoApprove' } })],
      }),
    );
    const id = await api.start(chain.staff, buildSubsidy());
    const t = await api.task('city.reviewer2', id);
    const done = await eventually(
      async () => {
        const a = await api.app(chain.staff, id);
        return a.status === 'approved' ? a : undefined;
      },
      15_000,
      250,
    );
    expect(done.timeline.find((e: { action: string }) => e.action === 'approve')).toMatchObject({
      actor: 'system',
      comment: expect.stringContaining('超时自动通过'),
    });
    expect((await api.act('city.reviewer2', t.id, { action: 'approve' })).status).toBe(409);
  });

  it('a step set to reject automatically at its limit rejects the application and tells the applicant', async () => {
    const chain = await api.saveChain(
      buildChain({
        steps: [humanStep({ id: 'review', who: { kind: 'users', usernames: ['city.reviewer2'] }, sla: { limit: 2000, onTimeout: 'autoReject' } })],
      }),
    );
    const id = await api.start(chain.staff, buildSubsidy());
    await api.task('city.reviewer2', id);
    const done = await eventually(
      async () => {
        const a = await api.app(chain.staff, id);
        return a.status === 'rejected' ? a : undefined;
      },
      15_000,
      250,
    );
    expect(done.timeline.find((e: { action: string }) => e.action === 'reject')).toMatchObject({
      actor: 'system',
      comment: expect.stringContaining('超时自动驳回'),
    });
    expect(await api.rows('notifications', id, { username: chain.staff, kind: 'decided' })).toHaveLength(1);
  });
});

describe('the applicant may not approve their own application', () => {
  it('with the skip rule the applicant is left out of the approvers, and cannot decide even as an admin or by being handed the task', async () => {
    const sb = await api.sandbox({ admin: true });
    const me = sb.admin!;
    await api.installChain(
      buildChain({
        steps: [humanStep({ id: 'review', who: { kind: 'users', usernames: [me, 'city.reviewer'] }, mode: 'any', onSelfApproval: 'skip' })],
      }),
      sb.org,
    );
    const id = await api.start(me, buildSubsidy());
    const t = await api.task('city.reviewer', id);
    expect(await api.inbox(me, id)).toHaveLength(0);
    const route = await h.call('GET', `/api/applications/${id}/route`, { token: await h.login(me) });
    expect(route.body.steps[0]).toMatchObject({ who: ['city.reviewer'], rule: expect.stringContaining('the applicant is left out') });

    const bulk = await runBulkJob(h, await h.login(me), '/api/tasks/bulk-approve', { taskIds: [t.id] });
    expect(bulk).toMatchObject({ succeeded: 0, failed: 1 });
    expect(bulk.results[0]!.error!.status).toBe(403);
    const handOver = await api.act('city.reviewer', t.id, { action: 'transfer', to: me });
    expect(handOver.status).toBe(400);
    expect(handOver.body.detail).toContain('applicant');

    expect((await api.ok('city.reviewer', t.id, { action: 'approve' })).status).toBe('approved');
  });

  it('with the forbid rule the applicant named in a 会签 step is not asked and is refused, while the other signers complete the step', async () => {
    const sb = await api.sandbox({ admin: true });
    const me = sb.admin!;
    await api.installChain(
      buildChain({
        steps: [
          humanStep({
            id: 'joint',
            who: { kind: 'users', usernames: [me, 'city.reviewer', 'city.reviewer2'] },
            mode: 'all',
            onSelfApproval: 'forbid',
          }),
        ],
      }),
      sb.org,
    );
    const id = await api.start(me, buildSubsidy());
    const t1 = await api.task('city.reviewer', id);
    await api.task('city.reviewer2', id);
    expect(await api.inbox(me, id)).toHaveLength(0);
    const route = await h.call('GET', `/api/applications/${id}/route`, { token: await h.login(me) });
    expect(route.body.steps[0].rule).toContain('the applicant may not act');

    const bulk = await runBulkJob(h, await h.login(me), '/api/tasks/bulk-approve', { taskIds: [t1.id] });
    expect(bulk.results[0]).toMatchObject({ ok: false, error: { status: 403, detail: expect.stringContaining('may not approve their own application') } });

    await api.approve('city.reviewer', id);
    const done = await api.approve('city.reviewer2', id);
    expect(done.status).toBe('approved');
  });

  it('with the forbid rule a single-approver step that names the applicant first goes to the next named approver', async () => {
    const sb = await api.sandbox({ admin: true });
    const me = sb.admin!;
    await api.installChain(
      buildChain({
        steps: [humanStep({ id: 'one', who: { kind: 'users', usernames: [me, 'city.reviewer2'] }, mode: 'single', onSelfApproval: 'forbid' })],
      }),
      sb.org,
    );
    const id = await api.start(me, buildSubsidy());
    const t = await api.task('city.reviewer2', id);
    expect(t.assignee).toBe('city.reviewer2');
    expect((await api.ok('city.reviewer2', t.id, { action: 'approve' })).status).toBe('approved');
  });
});

describe('steps nobody matches', () => {
  it('a step whose approvers do not exist and whose rule is skip is skipped, and the chain goes on to the next step', async () => {
    const chain = await api.saveChain(
      buildChain({
        steps: [
          humanStep({
            id: 'regionLead',
            name: '县区督办 / region supervisor',
            who: { kind: 'role', role: 'supervisor', level: 'region' },
            onNoApprover: 'skip',
          }),
          humanStep({ id: 'city', who: { kind: 'users', usernames: ['city.reviewer'] } }),
        ],
      }),
    );
    const id = await api.start(chain.staff, buildSubsidy());
    const t = await api.task('city.reviewer', id);
    expect(t.stepIndex).toBe(1);
    const skipped = (await api.timeline(id)).find((e) => e.action === 'skipped');
    expect(skipped).toMatchObject({ actor: 'system', stepIndex: 0, comment: expect.stringContaining('nobody matched: step skipped') });
    const route = await h.call('GET', `/api/applications/${id}/route`, { token: await h.login(chain.staff) });
    expect(route.body.steps[0]).toMatchObject({ status: 'skipped', remaining: false });
  });

  it('a step whose approvers do not exist and whose rule is admin goes to the admin of the nearest org above that has one', async () => {
    // 卫东区 has no admin of its own: the city's admin is the nearest above.
    const chain = await api.saveChain(
      buildChain({ steps: [humanStep({ id: 'regionLead', who: { kind: 'role', role: 'supervisor', level: 'region' }, onNoApprover: 'admin' })] }),
      { parent: 'pds-weidong' },
    );
    const id = await api.start(chain.staff, buildSubsidy());
    const t = await api.task('city.admin', id);
    expect(t).toMatchObject({ role: 'admin', org: 'pds' });
    const started = (await api.timeline(id)).find((e) => e.action === 'stepStarted');
    expect(started?.comment).toContain('sent to the admin of pds');
    expect((await api.ok('city.admin', t.id, { action: 'approve' })).status).toBe('approved');
  });
});

describe('chain versions', () => {
  it('an application keeps the chain version it started with when an admin saves a new version; new applications use the new one', async () => {
    const v1 = await api.saveChain(buildChain({ steps: [humanStep({ id: 'city', who: { kind: 'users', usernames: ['city.reviewer'] } })] }));
    expect(v1.version).toBe(1);
    const onV1 = await api.start(v1.staff, buildSubsidy());
    await api.task('city.reviewer', onV1);

    const v2 = await api.installChain(
      {
        key: v1.key,
        name: v1.name,
        type: v1.type,
        steps: [
          humanStep({ id: 'city', who: { kind: 'users', usernames: ['city.reviewer'] } }),
          humanStep({ id: 'lead', name: '分管领导 / leader', who: { kind: 'users', usernames: ['city.lead'] } }),
        ],
      },
      v1.org,
    );
    expect(v2.version).toBe(2);
    const onV2 = await api.start(v1.staff, buildSubsidy());
    expect((await api.app(v1.staff, onV1)).chain).toEqual({ key: v1.key, version: 1, owner: v1.org });
    expect((await api.app(v1.staff, onV2)).chain).toEqual({ key: v1.key, version: 2, owner: v1.org });

    // v1's application finishes on v1's single step…
    expect((await api.approve('city.reviewer', onV1)).status).toBe('approved');
    // …while v2's goes on to the step v2 added.
    expect((await api.approve('city.reviewer', onV2)).status).toBe('pending');
    await api.task('city.lead', onV2, 1);
    expect(await api.inbox('city.lead', onV1, 'status=pending')).toHaveLength(0);
    expect((await api.approve('city.lead', onV2)).status).toBe('approved');

    const versions = await h.call('GET', `/api/chains/${v1.key}?owner=${v1.org}`, { token: await h.login('city.admin') });
    expect(versions.body.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
  });
});
