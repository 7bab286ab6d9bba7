/**
 * Admission control (api/admission.ts): under a burst, a request that would wait longer than the configured queue
 * time is refused at once with 503, Retry-After and a problem+json body, and writes nothing (no application row, no
 * workflow, no stored Idempotency-Key); the requests admitted complete; the refused one, retried with its key — by
 * the web app's own client (web/src/retry.ts) — takes effect once. Both measures are exercised: this process's queue
 * (a tiny queue time and one request at a time) and the workflow task queue's backlog (no worker polling yet). With
 * the production settings a normal load is never refused.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { idFromKey } from '../../api/approvals-service';
import { DEFAULT_ADMISSION } from '../../api/admission';
import { createWorker } from '../../runtime/worker';
import { sendRetrying } from '../../web/src/retry';
import { Approvals, type Reply } from '../support/approvals';
import { buildSubsidy, unique } from '../support/factories';
import { eventually, startHarness, type Harness } from '../support/harness';

const STAFF = 'xinhua.staff';

/** What every refusal must look like: 503, Retry-After in whole seconds, a problem+json body in Chinese first. */
function expectRefusal(r: Reply) {
  expect(r.status).toBe(503);
  expect(r.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
  expect(r.headers.get('content-type')).toContain('application/problem+json');
  expect(r.body).toMatchObject({ status: 503, title: '服务暂不可用 / Service unavailable' });
  expect(r.body.detail).toMatch(/^系统繁忙：预计排队超过 .+ overloaded: the expected wait exceeds/);
}

/** Nothing of a refused create remains: no row with its title, no workflow, no stored key. */
async function expectNothingWritten(h: Harness, title: string, key: string) {
  expect(await h.db('applications').where({ title }).count({ n: '*' }).first()).toEqual({ n: '0' });
  expect(await h.db('idempotency_keys').where({ username: STAFF, key }).first()).toBeUndefined();
  const workflowId = `application-${idFromKey(STAFF, key)}`;
  await expect(h.temporal.workflow.getHandle(workflowId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
}

/** The web client's retry, sending the same request (same Idempotency-Key) to this harness's API. */
async function createWithWebRetry(h: Harness, token: string, body: unknown, key: string): Promise<Response> {
  return sendRetrying(
    () =>
      fetch(`${h.url}/api/applications`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(body),
      }),
    { retryable: true },
  );
}

describe('admission control in this API process (one request at a time, 1 ms of queue)', () => {
  let h: Harness;
  let api: Approvals;
  beforeAll(async () => {
    h = await startHarness({ admission: { maxQueueMs: 1, concurrency: 1, taskQueueBacklog: false } });
    api = new Approvals(h);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a burst of creates and of approves: the overflow is refused with 503 and writes nothing; the rest complete; a retry with the key succeeds once', async () => {
    const token = await h.login(STAFF);
    const sent = Array.from({ length: 12 }, () => ({ body: buildSubsidy(), key: unique('adm-') }));
    const answers = await Promise.all(sent.map((s) => api.create(STAFF, s.body, { 'Idempotency-Key': s.key })));

    const accepted = sent.filter((_, i) => answers[i]!.status === 201);
    const refused = sent.filter((_, i) => answers[i]!.status === 503);
    expect(accepted.length + refused.length, JSON.stringify(answers.map((a) => a.status))).toBe(sent.length);
    expect(accepted.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    for (const a of answers.filter((x) => x.status === 503)) expectRefusal(a);
    for (const s of refused) await expectNothingWritten(h, s.body.title, s.key);

    // A refused create sent again with its key, as the web client does, is admitted once the burst has passed.
    for (const s of refused) {
      const r = await createWithWebRetry(h, token, s.body, s.key);
      expect(r.status).toBe(201);
      const again = await api.create(STAFF, s.body, { 'Idempotency-Key': s.key });
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(await h.db('applications').where({ title: s.body.title }).count({ n: '*' }).first()).toEqual({ n: '1' });
    }

    // Every application now waits at the city's review: a burst of approves, each with its own key.
    const ids = await Promise.all(sent.map(async (s) => (await h.db('applications').where({ title: s.body.title }).first('id')).id as string));
    const tasks = await Promise.all(ids.map((id) => api.task('city.reviewer', id)));
    const approveKeys = ids.map(() => unique('adm-approve-'));
    const approves = await Promise.all(
      tasks.map((t, i) => api.act('city.reviewer', t.id, { action: 'approve', comment: '同意' }, { 'Idempotency-Key': approveKeys[i]! })),
    );
    const refusedApproves = approves.flatMap((a, i) => (a.status === 503 ? [i] : []));
    expect(approves.filter((a) => a.status !== 200 && a.status !== 503)).toEqual([]);
    expect(refusedApproves.length).toBeGreaterThan(0);
    for (const i of refusedApproves) {
      expectRefusal(approves[i]!);
      // The refused approve changed nothing: the task is still pending, nothing was recorded, its key is free.
      expect(await h.db('tasks').where({ id: tasks[i]!.id }).first('status')).toEqual({ status: 'pending' });
      expect(await api.rows('audit_log', ids[i]!, { action: 'approve' })).toEqual([]);
      expect(await h.db('idempotency_keys').where({ username: 'city.reviewer', key: approveKeys[i]! }).first()).toBeUndefined();
    }
    // Sent again with the same keys, one at a time, they are admitted; every chain then climbs to the end.
    for (const i of refusedApproves) {
      const r = await api.act('city.reviewer', tasks[i]!.id, { action: 'approve', comment: '同意' }, { 'Idempotency-Key': approveKeys[i]! });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    for (const id of ids) {
      expect((await api.rows('audit_log', id, { action: 'approve', actor: 'city.reviewer' })).length).toBe(1);
      await api.approve('prov.reviewer', id);
      await api.status(id, 'approved');
    }
  }, 180_000);
});

describe("admission control by the workflow task queue's backlog (no worker polling at first)", () => {
  let h: Harness;
  let api: Approvals;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let closeWorker: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    h = await startHarness({ withWorker: false, admission: { maxQueueMs: 500, concurrency: 100 } });
    api = new Approvals(h);
  });
  afterAll(async () => {
    if (worker && running) {
      worker.shutdown();
      await running;
      await closeWorker?.();
    }
    await h?.close();
  });

  it('creates are admitted until the first workflow tasks have waited past the queue time, then refused until a worker takes them', async () => {
    const token = await h.login(STAFF);
    // Creates one after another: each is admitted (the start itself is quick) until the sampled backlog — the first
    // workflow tasks nobody polls — is older than 500 ms; from then on a create is refused.
    const accepted: string[] = [];
    const refusal = await eventually(
      async () => {
        const s = { body: buildSubsidy(), key: unique('adm-bl-') };
        const r = await api.create(STAFF, s.body, { 'Idempotency-Key': s.key });
        if (r.status === 201) {
          accepted.push(r.body.id as string);
          return undefined;
        }
        return { ...s, r };
      },
      30_000,
      100,
    );
    expectRefusal(refusal.r);
    expect(accepted.length).toBeGreaterThan(0);
    await expectNothingWritten(h, refusal.body.title, refusal.key);

    // A worker starts: it takes the backlog, and every admitted application reaches its first review.
    const w = await createWorker({
      address: inject('temporalAddress'),
      namespace: 'default',
      taskQueue: h.taskQueue,
      deps: { db: h.db, pii: h.pii, temporal: h.temporal, taskQueue: h.taskQueue },
      workflowBundle: { codePath: inject('workflowBundlePath') },
    });
    worker = w.worker;
    closeWorker = () => w.connection.close();
    running = worker.run();
    for (const id of accepted) await api.task('city.reviewer', id);

    // The refused create, retried with its key until the backlog has drained (each refusal as before), runs once.
    const created = await eventually(async () => {
      const r = await createWithWebRetry(h, token, refusal.body, refusal.key);
      if (r.status === 503) return undefined;
      return r;
    }, 60_000);
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { id: string }).id;
    await api.task('city.reviewer', id);
    expect(await h.db('applications').where({ title: refusal.body.title }).count({ n: '*' }).first()).toEqual({ n: '1' });
  }, 180_000);
});

describe('admission control with the production settings', () => {
  let h: Harness;
  let api: Approvals;
  beforeAll(async () => {
    h = await startHarness({ admission: 'defaults' });
    api = new Approvals(h);
  });
  afterAll(async () => {
    await h?.close();
  });

  it(`a normal load (waves of five creates, then their approves) is never refused (${DEFAULT_ADMISSION.maxQueueMs} ms, ${DEFAULT_ADMISSION.concurrency} at once)`, async () => {
    const ids: string[] = [];
    for (let wave = 0; wave < 4; wave++) {
      const answers = await Promise.all(Array.from({ length: 5 }, () => api.create(STAFF, buildSubsidy(), { 'Idempotency-Key': unique('adm-n-') })));
      expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201]);
      ids.push(...answers.map((a) => a.body.id as string));
    }
    for (let wave = 0; wave < 4; wave++) {
      const chunk = ids.slice(wave * 5, wave * 5 + 5);
      const tasks = await Promise.all(chunk.map((id) => api.task('city.reviewer', id)));
      const answers = await Promise.all(
        tasks.map((t) => api.act('city.reviewer', t.id, { action: 'approve', comment: '同意' }, { 'Idempotency-Key': unique('adm-na-') })),
      );
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    }
  }, 180_000);
});
