/**
 * Approvals nobody can bypass, through the API and the workflow's validator:
 * an admin overrides only a task whose org lies within their subtree (and
 * the timeline says so), a task is handed on only within its org, and a
 * resubmission that changes the application voids the approvals given for
 * the old version.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Approvals, runBulkJob } from '../support/approvals';
import { buildSubsidy } from '../support/factories';
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

async function auditCount(id: string): Promise<number> {
  const row = await h.db('audit_log').where({ application_id: id }).count<{ n: string }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

describe('admin override', () => {
  it('a county admin may not decide the city’s task on an application from their county (403, nothing written); the province admin may, recorded as an override', async () => {
    const id = await api.start('xinhua.staff', buildSubsidy());
    const t = await api.task('city.reviewer', id);
    const before = await auditCount(id);

    const county = await api.act('xinhua.admin', t.id, { action: 'approve' });
    expect(county.status).toBe(403);
    const bulk = await runBulkJob(h, await h.login('xinhua.admin'), '/api/tasks/bulk-approve', { taskIds: [t.id] });
    expect(bulk.results[0]).toMatchObject({ ok: false, error: { status: 403 } });
    expect(await auditCount(id)).toBe(before);
    expect(await api.task('city.reviewer', id)).toMatchObject({ id: t.id, status: 'pending' });

    const province = await api.ok('prov.admin', t.id, { action: 'approve', comment: '代为审批 / approved on the reviewers’ behalf' });
    expect(province.currentStepIndex).toBe(1);
    expect((await api.timeline(id)).find((e) => e.action === 'approve')).toMatchObject({
      actor: 'prov.admin',
      data: { override: true, overrode: 'reviewer@pds' },
    });
  });

  it('a task is handed on only within its org: a transfer to another city is refused (403, nothing written), to a colleague it goes', async () => {
    const id = await api.start('xinhua.staff', buildSubsidy());
    const t = await api.task('city.reviewer', id);
    const before = await auditCount(id);

    expect((await api.act('city.reviewer', t.id, { action: 'transfer', to: 'xc.reviewer' })).status).toBe(403);
    expect((await api.act('city.admin', t.id, { action: 'delegate', to: 'xc.reviewer' })).status).toBe(403);
    expect(await auditCount(id)).toBe(before);
    expect(await api.inbox('xc.reviewer', id)).toHaveLength(0);

    await api.ok('city.reviewer', t.id, { action: 'transfer', to: 'city.reviewer2' });
    expect(await api.task('city.reviewer2', id)).toMatchObject({ id: t.id, assignee: 'city.reviewer2' });
  });
});

describe('a changed subject restarts its review', () => {
  it('a resubmission with a different amount voids the city’s approval and starts again at the city; the timeline says which and why', async () => {
    const id = await api.start('xinhua.staff', buildSubsidy({ amount: 20_000 }));
    await api.approve('city.reviewer', id);
    const p = await api.task('prov.reviewer', id, 1);
    await api.ok('prov.reviewer', p.id, { action: 'return', returnTo: 'applicant', comment: '金额偏高 / amount too high' });

    const r = await api.appAct('xinhua.staff', id, { action: 'resubmit', changes: { amount: 15_000 } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'pending', currentStepIndex: 0, revision: 1 });
    const voided = (await api.timeline(id)).find((e) => e.action === 'approvalsVoided');
    expect(voided).toMatchObject({
      actor: 'system',
      comment: '内容已修改，此前的审批作废 / the application changed: earlier approvals are void',
      data: { restartAt: 0, voided: [expect.objectContaining({ stepIndex: 0, approver: 'city.reviewer' })] },
    });
    const again = await api.task('city.reviewer', id, 0);
    expect(again.status).toBe('pending');
  });

  it('an unchanged resubmission resumes at the step that returned it', async () => {
    const id = await api.start('xinhua.staff', buildSubsidy({ amount: 20_000 }));
    await api.approve('city.reviewer', id);
    const p = await api.task('prov.reviewer', id, 1);
    await api.ok('prov.reviewer', p.id, { action: 'return', returnTo: 'applicant', comment: '请补充说明 / please explain' });

    const r = await api.appAct('xinhua.staff', id, { action: 'resubmit', changes: { amount: 20_000 }, comment: '已说明 / explained' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'pending', currentStepIndex: 1, revision: 1 });
    expect((await api.timeline(id)).some((e) => e.action === 'approvalsVoided')).toBe(false);
    expect(await api.task('prov.reviewer', id, 1)).toMatchObject({ status: 'pending' });
  });
});
