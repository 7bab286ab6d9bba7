/**
 * Faults on the Temporal cluster (frontend, two history, matching and worker
 * as processes of their own, on Postgres), each in the middle of a burst of
 * forty subsidy chains (create, 市总初审, 省总审核 → notice and disbursement)
 * driven through the HTTP API by clients that retry a 503 or a dropped
 * connection with the same Idempotency-Key, as real clients do:
 *
 * - kill -9 one of two product worker processes: the other finishes every chain;
 * - kill -9 a history process, then start it again: the other history process
 *   takes its shards, the chains resume, and the restarted one takes its share back;
 * - stop Postgres (the cluster's databases and the product's), start it again
 *   on the same data and port: everything reconnects by itself.
 *
 * After each, every chain ends exactly as an undisturbed one on the same
 * cluster did: the same audit rows in order, tasks, notifications and one
 * disbursed 立项通知 (subsidy_notices) — none missing, none twice. (The subsidy
 * chain sends no email; the bulletins' exactly-once email is proven in
 * test/reliability.) Durations and retries are printed, never asserted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness';
import { createDatabase, IsolatedInfra, sleep, spawnWorker, type WorkerProcess } from '../reliability/support';
import { alive, burst, expectEachOnce, RetryingClient, runSubsidyChain, startTestCluster, CLUSTER_HOOK_TIMEOUT, type TestCluster } from './support';

const CHAINS = 40;
/** Writes per chain: create and two approvals. The fault starts once a third of the burst's writes are answered. */
const FAULT_AFTER = CHAINS;

function workerOn(cluster: TestCluster, h: Harness, databaseUrl?: string) {
  return spawnWorker({ taskQueue: h.taskQueue, temporalAddress: cluster.address, databaseUrl, env: { TEMPORAL_NAMESPACE: cluster.namespace } });
}

describe('on a cluster with two product workers', () => {
  let cluster: TestCluster;
  let h: Harness;
  let c: RetryingClient;
  let workers: WorkerProcess[] = [];
  let reference: string;

  beforeAll(async () => {
    cluster = await startTestCluster('faults');
    h = await startHarness({ withWorker: false, temporalAddress: cluster.address, namespace: cluster.namespace });
    c = new RetryingClient(h);
    workers = await Promise.all([workerOn(cluster, h), workerOn(cluster, h)]);
    // The undisturbed chain every chain of the bursts must match.
    reference = await runSubsidyChain(c, 'reference');
  }, CLUSTER_HOOK_TIMEOUT);
  afterAll(async () => {
    if (c) c.stopped = true;
    await Promise.all(workers.map((w) => w.stop().catch(() => undefined)));
    await h?.close();
    await cluster?.close();
  }, 240_000);

  it('kill -9 of one of two workers in the middle of a burst: the other finishes every chain, each once', async () => {
    const t0 = Date.now();
    const retriesBefore = c.retries.length;
    const [victim, survivor] = workers as [WorkerProcess, WorkerProcess];
    const { ids, answeredAtFault } = await burst(c, CHAINS, 'worker-kill', {
      after: FAULT_AFTER,
      run: () => victim.kill9(),
    });
    expect(alive(victim.pid)).toBe(false);
    expect(alive(survivor.pid)).toBe(true);
    await expectEachOnce(h.db, ids, reference);
    const retries = c.retries.slice(retriesBefore);
    console.log(
      `[cluster faults] worker pid ${victim.pid} killed after ${answeredAtFault} of ${CHAINS * 3} writes; ${CHAINS} chains approved once in ${((Date.now() - t0) / 1000).toFixed(1)} s; clients retried ${retries.length} times${retries.length ? `: ${summarize(retries)}` : ''}`,
    );
    // Two workers again for the next test.
    workers = [survivor, await workerOn(cluster, h)];
  }, 420_000);

  it('kill -9 of a history process in the middle of a burst, then its restart: the chains resume and finish, each once', async () => {
    const t0 = Date.now();
    const retriesBefore = c.retries.length;
    const before = cluster.processes().find((p) => p.name === 'history-1')!;
    let restartedAfterMs = 0;
    const { ids, answeredAtFault } = await burst(c, CHAINS, 'history-kill', {
      after: FAULT_AFTER,
      run: async () => {
        await cluster.kill('history-1', 'SIGKILL');
        expect(alive(before.pid)).toBe(false);
        // Down long enough for the membership ring to notice and the other history process to take its shards.
        await sleep(15_000);
        const t = Date.now();
        await cluster.restart('history-1');
        restartedAfterMs = Date.now() - t;
      },
    });
    const after = cluster.processes().find((p) => p.name === 'history-1')!;
    expect(after.pid).not.toBe(before.pid);
    for (const p of cluster.processes()) expect(alive(p.pid), p.name).toBe(true);
    await expectEachOnce(h.db, ids, reference);
    const retries = c.retries.slice(retriesBefore);
    console.log(
      `[cluster faults] history-1 (pid ${before.pid}) killed after ${answeredAtFault} of ${CHAINS * 3} writes, restarted in ${(restartedAfterMs / 1000).toFixed(1)} s; ${CHAINS} chains approved once in ${((Date.now() - t0) / 1000).toFixed(1)} s; clients retried ${retries.length} times${retries.length ? `: ${summarize(retries)}` : ''}`,
    );
  }, 600_000);
});

describe('Postgres stopped and started again under load', () => {
  // A Postgres of this file's own: the cluster's databases and the product's, stopped and started on the same data and port.
  const infra = new IsolatedInfra();
  let cluster: TestCluster;
  let h: Harness;
  let c: RetryingClient;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    await infra.startPostgres();
    const database = await createDatabase(infra.adminUrl(), 'ud_cluster_pg');
    cluster = await startTestCluster('pg', { adminDatabaseUrl: infra.adminUrl() });
    h = await startHarness({ withWorker: false, databaseUrl: database.url, temporalAddress: cluster.address, namespace: cluster.namespace });
    c = new RetryingClient(h);
    worker = await workerOn(cluster, h, database.url);
  }, CLUSTER_HOOK_TIMEOUT);
  afterAll(async () => {
    if (c) c.stopped = true;
    await worker?.stop().catch(() => undefined);
    await h?.close();
    await cluster?.close().catch(() => undefined);
    await infra.close();
  }, 240_000);

  it('every chain of a burst finishes once; the Temporal processes, the worker and the API reconnect by themselves', async () => {
    const reference = await runSubsidyChain(c, 'reference');
    const t0 = Date.now();
    const pids = cluster.processes().map((p) => ({ ...p }));
    let downMs = 0;
    const { ids, answeredAtFault } = await burst(c, CHAINS, 'postgres-stop', {
      after: FAULT_AFTER,
      run: async () => {
        const t = Date.now();
        await infra.stopPostgres();
        await sleep(5_000);
        await infra.startPostgres();
        downMs = Date.now() - t;
      },
    });
    await expectEachOnce(h.db, ids, reference);
    // Nothing was restarted: every server process and the worker are the ones from before the outage.
    expect(cluster.processes().map((p) => `${p.name}:${p.pid}`)).toEqual(pids.map((p) => `${p.name}:${p.pid}`));
    for (const p of pids) expect(alive(p.pid), p.name).toBe(true);
    expect(alive(worker!.pid)).toBe(true);
    console.log(
      `[cluster faults] Postgres down ${(downMs / 1000).toFixed(1)} s after ${answeredAtFault} of ${CHAINS * 3} writes; ${CHAINS} chains approved once in ${((Date.now() - t0) / 1000).toFixed(1)} s; clients retried ${c.retries.length} times${c.retries.length ? `: ${summarize(c.retries)}` : ''}`,
    );
  }, 480_000);
});

/** `n× status method path` per kind of retry, ids folded. */
function summarize(retries: string[]): string {
  const counts = new Map<string, number>();
  for (const r of retries) {
    const k = r.replace(/\/(tasks|applications)\/[^/]+/g, '/$1/:id');
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${n}× ${k}`).join(', ');
}
