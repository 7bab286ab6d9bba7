/**
 * Temporal and Postgres go away in the middle of a run and come back. This
 * file has its own Temporal dev server (state in a file) and its own
 * Postgres, so stopping them disturbs no other test file. The worker and the
 * API run in this process, as the test harness runs them (the worker as its
 * own OS process is exercised by worker-crash.test.ts).
 *
 * While a dependency is down, API calls that need it fail fast (well under a
 * client's timeout) with 503 problem+json naming it, and write nothing; when
 * it is back, the API and the worker reconnect by themselves and the work
 * that was under way finishes (an approval accepted just before Postgres
 * went away is recorded once its activity's retries succeed).
 *
 * A hung Postgres (SIGSTOP: connections open, nothing answers) is worse than a
 * stopped one: the last test runs a Postgres, API and worker of its own with
 * short pool timeouts, stops its processes, and checks that requests still
 * answer 503 within the pool's bounds, /readyz names the database, and after
 * SIGCONT a write retried with its Idempotency-Key is recorded once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { WorkflowUpdateStage } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actUpdate, getApplicationQuery } from '../../workflows';
import { buildLaunch } from '../support/campaigns';
import { buildSubsidy, unique } from '../support/factories';
import { eventually, startHarness, type Harness } from '../support/harness';
import { createDatabase, IsolatedInfra, sleep } from './support';
import { childrenOf, procStat } from '../../runtime/proc';

/** Fail fast: an answer within this, where a client would typically wait 30 s or more. */
const FAST_MS = 3_000;

const infra = new IsolatedInfra();
let h: Harness;
let database: Awaited<ReturnType<typeof createDatabase>> | undefined;

beforeAll(async () => {
  await Promise.all([infra.startPostgres(), infra.startTemporal()]);
  database = await createDatabase(infra.adminUrl(), 'ud_outage');
  h = await startHarness({ databaseUrl: database.url, temporalAddress: infra.temporalAddress });
}, 240_000);
afterAll(async () => {
  await h?.close();
  await infra.close();
});

type Reply = { status: number; body: any; headers: Headers };

/** Calls the API and measures how long the answer took. */
async function timed(
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply & { ms: number }> {
  const t0 = Date.now();
  const r = await h.call(method, path, opts);
  return { ...r, ms: Date.now() - t0 };
}

function expectUnavailable(r: Reply & { ms: number }, what: RegExp) {
  expect(r.status, JSON.stringify(r.body)).toBe(503);
  expect(r.ms).toBeLessThan(FAST_MS);
  expect(r.headers.get('content-type')).toContain('application/problem+json');
  expect(r.body).toMatchObject({ status: 503, title: expect.stringContaining('Service unavailable'), detail: expect.stringMatching(what) });
}

async function pendingTask(user: string, applicationId: string, step: number) {
  return eventually(async () => {
    const r = await h.call('GET', '/api/tasks?status=pending&limit=200', { token: await h.login(user) });
    return (r.body.items as { id: string; applicationId: string; stepIndex: number }[]).find((t) => t.applicationId === applicationId && t.stepIndex === step);
  }, 60_000);
}

/** Subsidy chains waiting at the province review. */
async function chainsAtProvince(n: number): Promise<{ id: string; task: string }[]> {
  const out = [];
  for (let i = 0; i < n; i++) {
    const r = await h.call('POST', '/api/applications', { token: await h.login('xinhua.staff'), body: buildSubsidy() });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const city = await pendingTask('city.reviewer', r.body.id, 0);
    expect((await h.call('POST', `/api/tasks/${city.id}/actions`, { token: await h.login('city.reviewer'), body: { action: 'approve' } })).status).toBe(200);
    out.push({ id: r.body.id as string, task: (await pendingTask('prov.reviewer', r.body.id, 1)).id });
  }
  return out;
}

/** The database's projection agrees with each workflow's own state: nothing half-written. */
async function expectConsistent(ids: string[]) {
  for (const id of ids) {
    const state = await h.temporal.workflow.getHandle(`application-${id}`).query(getApplicationQuery);
    const row = await h.db('applications').where({ id }).first('status');
    expect(row.status, id).toBe(state.status);
    const pending = await h.db('tasks').where({ application_id: id, status: 'pending', kind: 'approval' }).pluck('id');
    expect(pending.sort(), id).toEqual(
      state.tasks
        .filter((t) => t.status === 'pending' && t.kind === 'approval')
        .map((t) => t.id)
        .sort(),
    );
  }
}

async function count(table: string): Promise<number> {
  return Number((await h.db(table).count<{ n: string }[]>({ n: '*' }).first())?.n ?? 0);
}

describe('Temporal stops and starts again mid-run', () => {
  it('calls that need Temporal fail fast with 503 and write nothing; reads go on; after the restart the same calls succeed and the chains finish', async () => {
    const chains = await chainsAtProvince(3);
    const staff = await h.login('xinhua.staff');
    const prov = await h.login('prov.reviewer');
    const admin = await h.login('city.admin');
    const before = {
      applications: await count('applications'),
      audit: await count('audit_log'),
      campaigns: await count('campaigns'),
      keys: await count('idempotency_keys'),
    };

    await infra.stopTemporal();

    const title = `停机期间提交 ${unique()}`;
    expectUnavailable(await timed('POST', '/api/applications', { token: staff, body: buildSubsidy({ title }) }), /Temporal/);
    const approveKey = unique('outage-');
    const approve = (c: { task: string }) =>
      timed('POST', `/api/tasks/${c.task}/actions`, { token: prov, body: { action: 'approve', comment: '同意' }, headers: { 'Idempotency-Key': approveKey } });
    expectUnavailable(await approve(chains[0]!), /Temporal/);
    const launch = buildLaunch();
    expectUnavailable(await timed('POST', '/api/campaigns', { token: admin, body: launch }), /Temporal/);
    expectUnavailable(await timed('GET', `/api/applications/${chains[1]!.id}/route`, { token: staff }), /Temporal/);
    // What the approver may do on a task needs the workflow: 503, not an empty list of actions.
    expectUnavailable(await timed('GET', `/api/tasks/${chains[1]!.task}/allowed`, { token: prov }), /Temporal/);
    const ready = await timed('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.ms).toBeLessThan(FAST_MS);
    expect(ready.body.checks).toMatchObject({ database: 'ok', temporal: expect.stringMatching(/^unavailable/) });
    // Reads from the database still work.
    const inbox = await timed('GET', '/api/tasks?status=pending', { token: prov });
    expect(inbox.status).toBe(200);
    expect(inbox.body.items.map((t: { id: string }) => t.id)).toEqual(expect.arrayContaining(chains.map((c) => c.task)));

    // Nothing half-written: no application or campaign row, no audit row, no stored idempotent reply.
    expect(await h.db('applications').where({ title }).first()).toBeUndefined();
    expect(await h.db('campaigns').where({ id: launch.id }).first()).toBeUndefined();
    expect({
      applications: await count('applications'),
      audit: await count('audit_log'),
      campaigns: await count('campaigns'),
      keys: await count('idempotency_keys'),
    }).toEqual(before);
    expect((await h.db('tasks').where({ id: chains[0]!.task }).first('status')).status).toBe('pending');

    await infra.startTemporal();

    // The API's client reconnects by itself: the refused approval, sent again with its key, goes through once.
    const again = await eventually(
      async () => {
        const r = await approve(chains[0]!);
        return r.status === 200 ? r : undefined;
      },
      60_000,
      500,
    );
    expect(again.body.status).toBe('approved');
    expect((await approve(chains[0]!)).body).toEqual(again.body);
    // The worker reconnects by itself: the other chains finish too.
    for (const c of chains.slice(1)) {
      const r = await h.call('POST', `/api/tasks/${c.task}/actions`, { token: prov, body: { action: 'approve' } });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    for (const c of chains) {
      await eventually(async () => (await h.db('applications').where({ id: c.id }).first('status')).status === 'approved', 60_000);
      expect(await h.db('subsidy_notices').where({ application_id: c.id })).toHaveLength(1);
      expect(await h.db('audit_log').where({ application_id: c.id, action: 'approve', step_index: 1 })).toHaveLength(1);
    }
    expect((await timed('POST', '/api/applications', { token: staff, body: buildSubsidy({ title }) })).status).toBe(201);
    // A finished chain allows nothing on its (done) task.
    expect((await h.call('GET', `/api/tasks/${chains[1]!.task}/allowed`, { token: prov })).body).toMatchObject({ mine: true, actions: [] });
    await expectConsistent(chains.map((c) => c.id));
  }, 180_000);
});

describe('Postgres stops and starts again mid-run', () => {
  it('the API answers 503 fast naming the database; an approval accepted just before is recorded once Postgres is back; nothing is half-written', async () => {
    const [inFlight, waiting] = await chainsAtProvince(2);
    const staff = await h.login('xinhua.staff');
    const prov = await h.login('prov.reviewer');

    await infra.stopPostgres();

    // An approval Temporal accepted as the database went away (the API itself could not accept one now):
    // its workflow keeps trying to record it.
    const update = await h.temporal.workflow.getHandle(`application-${inFlight!.id}`).startUpdate(actUpdate, {
      args: [
        {
          action: 'approve',
          actor: { username: 'prov.reviewer', orgId: 'henan', roles: ['reviewer'] },
          taskId: inFlight!.task,
          idempotencyKey: 'pg-outage-approve',
          comment: '同意',
        },
      ],
      updateId: 'pg-outage-approve',
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });

    expectUnavailable(await timed('POST', '/api/auth/login', { body: { username: 'city.admin', password: 'demo-password' } }), /数据库|database/);
    expectUnavailable(await timed('GET', '/api/tasks?status=pending', { token: prov }), /数据库|database/);
    expectUnavailable(await timed('POST', '/api/applications', { token: staff, body: buildSubsidy() }), /数据库|database/);
    expectUnavailable(
      await timed('POST', `/api/tasks/${waiting!.task}/actions`, { token: prov, body: { action: 'approve' }, headers: { 'Idempotency-Key': unique('pg-') } }),
      /数据库|database/,
    );
    const ready = await timed('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.ms).toBeLessThan(FAST_MS);
    expect(ready.body.checks).toMatchObject({ database: expect.stringMatching(/^unavailable/), temporal: 'ok' });
    // The workflow is still waiting for its write; it has not moved on without it.
    await sleep(2_000);
    expect((await h.temporal.workflow.getHandle(`application-${inFlight!.id}`).query(getApplicationQuery)).status).not.toBe('rejected');

    await infra.startPostgres();

    // The activity's retries succeed: the approval is recorded, the notice issued, once.
    const result = await update.result();
    expect(result.status).toBe('approved');
    await eventually(async () => (await h.db('applications').where({ id: inFlight!.id }).first('status'))?.status === 'approved', 60_000);
    expect(await h.db('audit_log').where({ application_id: inFlight!.id, action: 'approve', step_index: 1 })).toHaveLength(1);
    expect(await h.db('subsidy_notices').where({ application_id: inFlight!.id })).toHaveLength(1);
    // The API's pool reconnects by itself.
    const login = await eventually(
      async () => {
        const r = await h.call('POST', '/api/auth/login', { body: { username: 'prov.reviewer', password: 'demo-password' } });
        return r.status === 200 ? r : undefined;
      },
      30_000,
      500,
    );
    const r = await h.call('POST', `/api/tasks/${waiting!.task}/actions`, { token: login.body.token, body: { action: 'approve' } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.status).toBe('approved');
    await expectConsistent([inFlight!.id, waiting!.id]);
  }, 180_000);
});

/**
 * Freezes a Postgres with SIGSTOP: the postmaster first, and only once it has stopped (so it forks no more
 * backends) every process it started, the pool's open connections among them. Stopping a list read beforehand
 * raced with a connection opened in between, which then kept answering. Each stopped pid is added to `stopped` at
 * once, so the caller can resume whatever was stopped even if this fails halfway.
 */
async function freezePostgres(dataDir: string, stopped: number[]): Promise<void> {
  const root = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const stop = async (pid: number) => {
    try {
      process.kill(pid, 'SIGSTOP');
    } catch {
      return; // a backend that exited meanwhile
    }
    stopped.push(pid);
    // T: stopped; Z or gone: it exited.
    await eventually(() => Promise.resolve(['T', 't', 'Z', undefined].includes(procStat(pid)?.state)), 5_000);
  };
  await stop(root);
  for (const pid of childrenOf(root)) await stop(pid);
}

describe('a hung Postgres (SIGSTOP)', () => {
  it('requests answer 503 within a bounded time, /readyz names the database; after SIGCONT a write goes through once and nothing is lost', async () => {
    // A Postgres of this test's own, and an API and worker with short timeouts: statement 1 s, client-side query 7 s.
    const own = new IsolatedInfra();
    await own.startPostgres();
    const db = await createDatabase(own.adminUrl(), 'ud_hung');
    const hh = await startHarness({
      databaseUrl: db.url,
      temporalAddress: infra.temporalAddress,
      dbTimeouts: { statementTimeoutMs: 1_000, longStatementTimeoutMs: 2_000 },
    });
    const pids: number[] = []; // the stopped processes, until they are resumed
    const resume = () => {
      for (const pid of pids.splice(0)) {
        try {
          process.kill(pid, 'SIGCONT');
        } catch {
          // exited while stopped
        }
      }
    };
    try {
      const staff = await hh.login('xinhua.staff');
      const admin = await hh.login('city.admin');
      const before = await hh.call('POST', '/api/applications', { token: staff, body: buildSubsidy() });
      expect(before.status, JSON.stringify(before.body)).toBe(201);
      const intact = await eventually(async () => {
        const r = await hh.call('GET', `/api/applications/${before.body.id}`, { token: admin });
        return r.status === 200 ? r.body : undefined;
      }, 60_000);
      const count = async () => Number((await hh.db('applications').count<{ n: string }[]>({ n: '*' }))[0]!.n);
      const n0 = await count();
      const key = `hung-${unique()}`;
      const submission = buildSubsidy();

      // The postmaster and every process it started, the pool's open connections among them; a new connection
      // would be forked by the stopped postmaster, so there is none.
      await freezePostgres(path.join(own.dir, 'postgres'), pids);
      expect(pids.length).toBeGreaterThan(1);
      // Every request answers, and within the pool's bounds: 7 s query timeout, 10 s to connect or acquire.
      const BOUND_MS = 15_000;
      const t0 = Date.now();
      const [read, write, ready] = await Promise.all([
        hh.call('GET', `/api/applications/${before.body.id}`, { token: admin }).then((r) => ({ ...r, ms: Date.now() - t0 })),
        hh
          .call('POST', '/api/applications', { token: staff, body: submission, headers: { 'Idempotency-Key': key } })
          .then((r) => ({ ...r, ms: Date.now() - t0 })),
        hh.call('GET', '/readyz').then((r) => ({ ...r, ms: Date.now() - t0 })),
      ]);
      for (const r of [read, write]) {
        expect(r.status, JSON.stringify(r.body)).toBe(503);
        expect(r.ms).toBeLessThan(BOUND_MS);
        expect(r.headers.get('content-type')).toContain('application/problem+json');
        expect(r.body).toMatchObject({ status: 503, detail: expect.stringMatching(/database/) });
      }
      expect(ready.status).toBe(503);
      expect(ready.ms).toBeLessThan(5_000);
      expect(ready.body).toMatchObject({ checks: { database: 'unavailable' } });
      expect(ready.body.down).toContain('database');
      // Still hung: a later request is bounded the same way (connections that timed out do not wedge the pool).
      const t1 = Date.now();
      const again = await hh.call('GET', `/api/applications/${before.body.id}`, { token: admin });
      expect(again.status).toBe(503);
      expect(Date.now() - t1).toBeLessThan(BOUND_MS);

      resume();
      await eventually(async () => (await hh.call('GET', '/readyz')).status === 200, 60_000);
      // The submission refused during the stall, retried with its key, is recorded once.
      const retried = await eventually(async () => {
        const r = await hh.call('POST', '/api/applications', { token: staff, body: submission, headers: { 'Idempotency-Key': key } });
        return r.status === 201 ? r : undefined;
      }, 60_000);
      const replay = await hh.call('POST', '/api/applications', { token: staff, body: submission, headers: { 'Idempotency-Key': key } });
      expect(replay.status, JSON.stringify(replay.body)).toBeLessThan(300);
      expect(replay.body.id).toBe(retried.body.id);
      expect(await count()).toBe(n0 + 1);
      expect(await hh.db('applications').where({ id: retried.body.id }).count<{ n: string }[]>({ n: '*' })).toEqual([{ n: '1' }]);
      // The application submitted before the stall is intact.
      const after = await hh.call('GET', `/api/applications/${before.body.id}`, { token: admin });
      expect(after.status).toBe(200);
      expect({ type: after.body.type, id: after.body.id, data: after.body.data }).toEqual({ type: intact.type, id: intact.id, data: intact.data });
    } finally {
      resume();
      await hh.close();
      await db.drop();
      await own.close();
    }
  }, 240_000);
});
