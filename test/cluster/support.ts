/**
 * Helpers for the tests on the Temporal cluster (runtime/temporal-cluster.ts:
 * frontend, two history, matching and worker as processes of their own on
 * Postgres): starting a cluster of a test file's own, a client that retries
 * like a real one, and a burst of subsidy chains driven through the API whose
 * outcome is checked row by row — each chain ends exactly as an undisturbed
 * one did, nothing missing, nothing twice.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { expect, inject } from 'vitest';
import type { Db } from '../../db/knex';
import { startEmbeddedPostgres, type EmbeddedPg } from '../../runtime/postgres-server';
import { freePort } from '../../runtime/temporal-server';
import { startTemporalCluster, type TemporalCluster } from '../../runtime/temporal-cluster';
import { buildSubsidy, unique } from '../support/factories';
import { eventually, type Harness } from '../support/harness';
import { sleep } from '../reliability/support';

export interface TestCluster extends TemporalCluster {
  /** Stops the cluster (and its own Postgres, or drops its databases on the caller's) and removes its folder. */
  close(): Promise<void>;
}

/**
 * One test cluster at a time in a run (files run two at a time): two clusters starting at once on two cores left a
 * history process short of SERVING within the cluster's 90 s. Waits for the slot; the returned function frees it.
 */
export async function holdClusterSlot(): Promise<() => void> {
  const dir = path.join(os.tmpdir(), `union-drive-cluster-slot-${inject('runId')}`);
  for (;;) {
    try {
      fs.mkdirSync(dir); // atomic: exactly one file gets it
      return () => fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}

/** How long a file's beforeAll may take: the wait for the cluster slot (another file's cluster) and its own start. */
export const CLUSTER_HOOK_TIMEOUT = 1_200_000;

/**
 * A cluster of the caller's own, with two history processes (it holds the run's cluster slot until close). Its Temporal databases go on `adminDatabaseUrl`'s
 * server when given, else on an embedded Postgres of its own: the run's shared server allows 100 connections, which
 * the other test files need, and a cluster holds about 40.
 */
export async function startTestCluster(tag: string, opts: { adminDatabaseUrl?: string } = {}): Promise<TestCluster> {
  const release = await holdClusterSlot();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `union-drive-cluster-${tag}-`));
  // The embedded Postgres runs as the postgres user when we are root: it must reach its folder.
  fs.chmodSync(dataDir, 0o755);
  let ownPg: EmbeddedPg | undefined;
  let adminUrl = opts.adminDatabaseUrl;
  if (!adminUrl) {
    ownPg = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres'), port: await freePort(), ephemeral: true, callerHandlesSignals: true });
    adminUrl = ownPg.url('postgres');
  }
  const prefix = `tc_${inject('runId')}_${tag}`.replace(/\W/g, '_').toLowerCase();
  let cluster: TemporalCluster;
  try {
    cluster = await startTemporalCluster({
      adminDatabaseUrl: adminUrl,
      databasePrefix: prefix,
      historyProcesses: 2,
      dataDir: path.join(dataDir, 'temporal'),
      serverPath: process.env.TEMPORAL_SERVER_PATH || undefined,
      sqlToolPath: process.env.TEMPORAL_SQL_TOOL_PATH || undefined,
    });
  } catch (e) {
    await ownPg?.stop();
    release();
    throw e;
  }
  const dropDatabases = async () => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      for (const db of [prefix, `${prefix}_visibility`]) await admin.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  };
  return {
    address: cluster.address,
    namespace: cluster.namespace,
    processes: () => cluster.processes(),
    kill: (name, signal) => cluster.kill(name, signal),
    restart: (name) => cluster.restart(name),
    stop: () => cluster.stop(),
    async close() {
      await cluster.stop();
      // An own Postgres is ephemeral (its data goes with it); on the caller's server, the databases made for this test.
      if (ownPg) await ownPg.stop();
      else await dropDatabases();
      fs.rmSync(dataDir, { recursive: true, force: true });
      release();
    },
  };
}

/** True while the process answers signal 0. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

type Reply = { status: number; body: any };

/**
 * The API as a real client uses it: every write carries an Idempotency-Key, and a 503, a dropped connection or a 409
 * "in progress" is retried with the same key until a real answer comes. Each retry is counted (`status method path`) for the report.
 */
export class RetryingClient {
  readonly retries: string[] = [];
  /** Set when the test ends: a failed burst's other chains stop instead of retrying into the teardown. */
  stopped = false;
  constructor(readonly h: Harness) {}

  async send(method: string, path: string, user: string, body?: unknown, key = method === 'GET' ? undefined : unique('k-')): Promise<Reply> {
    const deadline = Date.now() + 300_000;
    for (;;) {
      if (this.stopped) throw new Error('client stopped');
      let r: Reply;
      try {
        r = await this.h.call(method, path, { token: await this.h.login(user), body, headers: key ? { 'Idempotency-Key': key } : {} });
      } catch (e) {
        r = { status: 0, body: String(e) };
      }
      // 409 "处理中 / in progress": an earlier attempt with this key still holds its claim — after an outage, one whose
      // release could not be written holds it until its lease ends (api/idempotency.ts CLAIM_LEASE_MS). Retry later.
      const detail = (r.body as { detail?: string } | undefined)?.detail;
      const inProgress = r.status === 409 && typeof detail === 'string' && detail.includes('in progress');
      if (r.status !== 503 && r.status !== 0 && !inProgress) {
        if (r.status >= 500) throw new Error(`${method} ${path} as ${user}: ${r.status} ${JSON.stringify(r.body)}`);
        return r;
      }
      this.retries.push(`${r.status}${inProgress ? ' in progress' : ''} ${method} ${path}`);
      if (Date.now() > deadline) throw new Error(`${method} ${path} still ${r.status} after 300 s: ${JSON.stringify(r.body)}`);
      await sleep(500);
    }
  }

  /** Sends and expects `expected`; answers the body. */
  async ok(method: string, path: string, user: string, body?: unknown, expected = 200): Promise<any> {
    const r = await this.send(method, path, user, body);
    expect(r.status, `${method} ${path} as ${user}: ${JSON.stringify(r.body)}`).toBe(expected);
    return r.body;
  }
}

/**
 * The pending approval task of an application at a step, read from the table: the test's own look-up (the inbox of
 * city.reviewer is shared with every other file of the run); the decision itself goes through the API.
 */
async function pendingTask(db: Db, applicationId: string, step: number, timeoutMs: number): Promise<string> {
  return eventually(
    async () => (await db('tasks').where({ application_id: applicationId, step_index: step, status: 'pending', kind: 'approval' }).first('id'))?.id as string,
    timeoutMs,
    400,
  );
}

async function statusIs(db: Db, applicationId: string, status: string, timeoutMs: number): Promise<void> {
  await eventually(async () => (await db('applications').where({ id: applicationId }).first('status'))?.status === status, timeoutMs, 500);
}

/**
 * One subsidy chain (经费补助: 市总初审 → 省总审核 → 立项通知 and disbursement), start to end through the API: created by
 * xinhua.staff, approved by city.reviewer and prov.reviewer. `onAnswer` is called after each answered write.
 */
export async function runSubsidyChain(c: RetryingClient, tag: string, onAnswer: () => void = () => {}, timeoutMs = 300_000): Promise<string> {
  const created = await c.ok('POST', '/api/applications', 'xinhua.staff', buildSubsidy({ title: `${tag} 服务站补助`, amount: 10_000 }), 201);
  onAnswer();
  const id = created.id as string;
  for (const [step, user] of [
    [0, 'city.reviewer'],
    [1, 'prov.reviewer'],
  ] as const) {
    for (;;) {
      const task = await pendingTask(c.h.db, id, step, timeoutMs);
      const r = await c.send('POST', `/api/tasks/${task}/actions`, user, { action: 'approve', comment: '同意 / approved' });
      // After a crash the task row can be written before the workflow has durably opened the task (the workflow
      // task that wrote it was lost and runs again). An action for a task not open yet waits while actions are ahead
      // of it (workflows/approval-chain.ts), so the re-run takes it in its turn; should one still reach the workflow
      // with nothing ahead it is answered 409 "no such task", changing nothing, and a real client whose inbox shows
      // the task retries. Counted like the other retries (none in the runs since that change).
      if (r.status === 409 && String((r.body as { detail?: string }).detail).includes('no such task')) {
        c.retries.push(`409 no such task POST /api/tasks/${task}/actions`);
        await sleep(1_000);
        continue;
      }
      expect(r.status, `approve ${task} as ${user}: ${JSON.stringify(r.body)}`).toBe(200);
      expect(['pending', 'approved'], JSON.stringify(r.body)).toContain(r.body.status);
      break;
    }
    onAnswer();
  }
  await statusIs(c.h.db, id, 'approved', timeoutMs);
  return id;
}

/**
 * `n` chains at once; `fault` runs once `faultAfter` writes (creates and approvals, 3 per chain) are answered, while
 * the rest are in flight. Answers the chains' ids and how many writes were answered when the fault began.
 */
export async function burst(
  c: RetryingClient,
  n: number,
  tag: string,
  fault: { after: number; run: () => Promise<void> },
): Promise<{ ids: string[]; answeredAtFault: number }> {
  let answered = 0;
  let answeredAtFault = -1;
  let faultDone: Promise<Error | undefined> | undefined;
  const onAnswer = () => {
    answered += 1;
    if (answered >= fault.after && !faultDone) {
      answeredAtFault = answered;
      // Its failure is reported after the burst (caught here so that it is never an unhandled rejection meanwhile).
      faultDone = fault.run().then(
        () => undefined,
        (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
      );
    }
  };
  const ids = await Promise.all(Array.from({ length: n }, (_, i) => runSubsidyChain(c, `${tag} ${i}`, onAnswer)));
  if (!faultDone) throw new Error(`the burst ended before the fault (${answered} writes answered)`);
  const faultError = await faultDone;
  if (faultError) throw faultError;
  return { ids, answeredAtFault };
}

/** One application's outcome without ids and times: status, audit trail in order, tasks, notifications, notices. */
export async function chainSignature(db: Db, applicationId: string) {
  const app = await db('applications').where({ id: applicationId }).first('status', 'current_step', 'type');
  const audit = await db('audit_log').where({ application_id: applicationId }).orderBy('id').select('actor', 'action', 'step_index');
  const tasks = await db('tasks').where({ application_id: applicationId }).select('kind', 'step_index', 'status', 'decision', 'assignee', 'role', 'org_id');
  const notes = await db('notifications').where({ application_id: applicationId }).select('username', 'kind');
  const notices = await db('subsidy_notices').where({ application_id: applicationId }).select('amount', 'org_id', 'disbursed_at');
  return {
    app,
    audit: audit.map((a: { actor: string; action: string; step_index: number | null }) => `${a.actor} ${a.action} @${a.step_index}`),
    tasks: tasks.map((t: Record<string, unknown>) => Object.values(t).join('|')).sort(),
    notifications: notes.map((n: { username: string; kind: string }) => `${n.username}:${n.kind}`).sort(),
    notices: notices.map(
      (n: { amount: string; org_id: string; disbursed_at: Date | null }) => `${n.org_id}:${Number(n.amount)}:${n.disbursed_at ? 'disbursed' : 'not disbursed'}`,
    ),
  };
}

/**
 * Every chain ended exactly as the undisturbed `reference` did: the same audit rows in the same order, tasks,
 * notifications and one disbursed notice — none missing, none twice.
 */
export async function expectEachOnce(db: Db, ids: string[], reference: string): Promise<void> {
  const expected = await chainSignature(db, reference);
  expect(expected.app.status).toBe('approved');
  expect(expected.notices).toEqual(['pds-xinhua:10000:disbursed']);
  for (const id of ids) expect(await chainSignature(db, id), `chain ${id}`).toEqual(expected);
  const notices = await db('subsidy_notices').whereIn('application_id', ids).select('application_id');
  expect(new Set(notices.map((n: { application_id: string }) => n.application_id)).size).toBe(ids.length);
  expect(notices).toHaveLength(ids.length);
}
