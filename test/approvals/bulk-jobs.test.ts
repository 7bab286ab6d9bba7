/**
 * Bulk approve (批量同意) and reassign (批量转办) as jobs: the API answers 202
 * with a job id at once, the job runs as a workflow, GET /api/jobs/:id shows
 * its progress and each task's result to the one who started it, and the same
 * Idempotency-Key starts the same job, never a second one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Approvals, runBulkJob } from '../support/approvals';
import { buildSubsidy, unique } from '../support/factories';
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

describe('bulk approve as a job', () => {
  it('answers 202 at once; the job approves each task and its progress and per-task results can be followed until done', async () => {
    const ids = await Promise.all([1, 2, 3].map(() => api.start('xinhua.staff', buildSubsidy())));
    const tasks = await Promise.all(ids.map((id) => api.task('city.reviewer', id)));
    const token = await h.login('city.reviewer');
    const started = await h.call('POST', '/api/tasks/bulk-approve', { token, body: { taskIds: [...tasks.map((t) => t.id), 'no-such-task'] } });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ jobId: expect.stringMatching(/^[a-z0-9]+$/), status: 'running', total: 4 });
    const seen = new Set<number>();
    const final = await eventually(async () => {
      const r = await h.call('GET', `/api/jobs/${started.body.jobId}`, { token });
      expect(r.status).toBe(200);
      seen.add(r.body.done);
      return r.body.state === 'done' ? r.body : undefined;
    }, 60_000);
    expect(final).toMatchObject({ kind: 'approve', total: 4, done: 4, succeeded: 3, failed: 1, truncated: false });
    expect(final.results.map((r: { taskId: string }) => r.taskId)).toEqual([...tasks.map((t) => t.id), 'no-such-task']);
    expect(final.results[3]).toEqual({ taskId: 'no-such-task', ok: false, error: { status: 404, detail: '任务不存在 / task not found' } });
    expect(seen.has(4)).toBe(true);
    for (const id of ids) await api.task('prov.reviewer', id, 1);
  });

  it('the same Idempotency-Key starts the same job, not a second one: each task is approved once', async () => {
    const id = await api.start('xinhua.staff', buildSubsidy());
    const t = await api.task('city.reviewer', id);
    const token = await h.login('city.reviewer');
    const key = unique('bulk-');
    const body = { taskIds: [t.id] };
    const [a, b] = await Promise.all([1, 2].map(() => h.call('POST', '/api/tasks/bulk-approve', { token, body, headers: { 'Idempotency-Key': key } })));
    // One claims the key; the other is told the first is in progress or gets its answer.
    const statuses = [a!.status, b!.status].sort();
    expect([
      [202, 202],
      [202, 409],
    ]).toContainEqual(statuses);
    const jobId = (a!.status === 202 ? a! : b!).body.jobId as string;
    // The stored answer expired or was lost: a retry with the key still names the same job.
    await h.db('idempotency_keys').where({ username: 'city.reviewer', key }).delete();
    const retry = await h.call('POST', '/api/tasks/bulk-approve', { token, body, headers: { 'Idempotency-Key': key } });
    expect(retry.status).toBe(202);
    expect(retry.body.jobId).toBe(jobId);
    const done = await eventually(async () => {
      const r = await h.call('GET', `/api/jobs/${jobId}`, { token });
      return r.body.state === 'done' ? r.body : undefined;
    }, 60_000);
    expect(done).toMatchObject({ succeeded: 1, failed: 0 });
    const approvals = (await api.timeline(id)).filter((e) => e.action === 'approve');
    expect(approvals).toHaveLength(1);
  });

  it('a job is shown only to the one who started it (404 to others, 401 without a token); bad input is 400 naming the field', async () => {
    const job = await runBulkJob(h, await h.login('city.reviewer'), '/api/tasks/bulk-approve', { taskIds: ['no-such-task'] });
    for (const other of ['city.reviewer2', 'city.admin', 'prov.admin']) {
      const r = await h.call('GET', `/api/jobs/${job.jobId}`, { token: await h.login(other) });
      expect(r.status, other).toBe(404);
    }
    expect((await h.call('GET', `/api/jobs/${job.jobId}`)).status).toBe(401);
    expect((await h.call('GET', '/api/jobs/nope', { token: await h.login('city.reviewer') })).status).toBe(404);
    const bad = await h.call('POST', '/api/tasks/bulk-approve', { token: await h.login('city.reviewer'), body: { taskIds: [] } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ path: 'taskIds', message: expect.stringContaining('at least one task') }]);
    const tooMany = await h.call('POST', '/api/tasks/bulk-approve', {
      token: await h.login('city.reviewer'),
      body: { taskIds: Array.from({ length: 201 }, (_, i) => `t${i}`) },
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors[0].path).toBe('taskIds');
  });

  it('reassign by a non-admin is 403 and starts no job; by an admin it is a job', async () => {
    const before = await h.temporal.workflow.count(`TaskQueue = "${h.taskQueue}" AND WorkflowType = "bulkActionWorkflow"`).catch(() => undefined);
    const refused = await h.call('POST', '/api/tasks/reassign', {
      token: await h.login('city.reviewer'),
      body: { from: 'city.reviewer2', to: 'city.reviewer' },
    });
    expect(refused.status).toBe(403);
    const job = await runBulkJob(h, await h.login('city.admin'), '/api/tasks/reassign', { from: 'xc.reviewer', to: 'city.reviewer' });
    expect(job).toMatchObject({ kind: 'reassign', state: 'done', truncated: false });
    if (before) {
      const after = await h.temporal.workflow.count(`TaskQueue = "${h.taskQueue}" AND WorkflowType = "bulkActionWorkflow"`);
      expect(after.count).toBe(before.count + 1);
    }
  });
});
