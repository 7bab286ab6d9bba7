/**
 * The Temporal server as production runs it (runtime/temporal-cluster.ts): frontend, two history processes, matching
 * and worker as separate processes, persistence and visibility in databases of their own on the test Postgres; the
 * namespace and the product's search attributes made at start; a product worker and the API run a subsidy
 * application to approved on it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTemporalCluster, type TemporalCluster } from '../../runtime/temporal-cluster';
import { CLUSTER_HOOK_TIMEOUT, holdClusterSlot } from './support';
import { SEARCH_ATTRIBUTES } from '../../runtime/temporal-server';
import { Approvals } from '../support/approvals';
import { buildSubsidy } from '../support/factories';
import { startHarness, type Harness } from '../support/harness';

const prefix = `tc_${inject('runId')}`;
const databases = [prefix, `${prefix}_visibility`];
let dataDir: string;
let cluster: TemporalCluster | undefined;
let h: Harness | undefined;
let api: Approvals;

/** A query on one of the cluster's own databases. */
async function query<T extends pg.QueryResultRow>(database: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const url = new URL(inject('adminDatabaseUrl'));
  url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

let releaseSlot: (() => void) | undefined;

beforeAll(async () => {
  releaseSlot = await holdClusterSlot();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'union-drive-cluster-'));
  cluster = await startTemporalCluster({
    adminDatabaseUrl: inject('adminDatabaseUrl'),
    databasePrefix: prefix,
    historyProcesses: 2,
    historyShards: 16,
    dataDir,
    log: () => {},
  });
  h = await startHarness({ temporalAddress: cluster.address });
  api = new Approvals(h);
}, CLUSTER_HOOK_TIMEOUT);

afterAll(async () => {
  await h?.close();
  await cluster?.stop();
  for (const db of databases) await query('postgres', `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  releaseSlot?.();
}, 120_000);

describe('the Temporal cluster', () => {
  it('runs frontend, two history processes, matching and worker as five separate live processes', () => {
    const processes = cluster!.processes();
    expect(processes.map((p) => [p.name, p.service])).toEqual([
      ['frontend', 'frontend'],
      ['history-1', 'history'],
      ['history-2', 'history'],
      ['matching', 'matching'],
      ['worker', 'worker'],
    ]);
    const pids = processes.map((p) => p.pid);
    expect(new Set(pids).size).toBe(5);
    expect(pids).not.toContain(process.pid);
    // Signal 0: the process exists (throws otherwise).
    for (const pid of pids) expect(process.kill(pid, 0)).toBe(true);
    expect(cluster!.address).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('keeps its state in its own Postgres databases, with the history shards asked for', async () => {
    const [shards] = await query<{ n: string }>(prefix, 'SELECT count(*) AS n FROM shards');
    expect(Number(shards!.n)).toBe(16);
    const [version] = await query<{ curr_version: string }>(`${prefix}_visibility`, 'SELECT curr_version FROM schema_version');
    expect(version!.curr_version).toBe('1.14');
  });

  it('has the namespace and every search attribute the product sets, as keywords', async () => {
    const ns = await h!.temporal.workflowService.describeNamespace({ namespace: 'default' });
    expect(ns.namespaceInfo?.name).toBe('default');
    expect(Number(ns.config?.workflowExecutionRetentionTtl?.seconds)).toBe(3 * 24 * 3600);
    const listed = await h!.temporal.connection.operatorService.listSearchAttributes({ namespace: 'default' });
    const custom = Object.fromEntries(Object.keys(SEARCH_ATTRIBUTES).map((name) => [name, listed.customAttributes?.[name]]));
    // 2: IndexedValueType KEYWORD.
    expect(custom).toEqual({ ApplicationType: 2, ApplicantOrg: 2, CampaignId: 2, BusinessStatus: 2 });
  });

  it('runs a subsidy application through the API to approved, its workflow stored in the cluster’s database', async () => {
    const id = await api.start('xinhua.staff', buildSubsidy({ amount: 8_800, projectId: 'proj-station-1' }));
    await api.approve('city.reviewer', id, '材料齐全 / complete');
    await api.approve('prov.reviewer', id, '同意 / approved');
    const done = await api.status(id, 'approved', 'xinhua.staff');
    expect(done.currentStep).toBeNull();
    expect(done.notice).toMatchObject({ amount: 8_800, orgId: 'pds-xinhua', projectId: 'proj-station-1' });
    const notices = await api.rows('subsidy_notices', id);
    expect(notices).toHaveLength(1);

    const runs = await query<{ workflow_id: string }>(prefix, 'SELECT workflow_id FROM current_executions WHERE workflow_id = $1', [`application-${id}`]);
    expect(runs).toEqual([{ workflow_id: `application-${id}` }]);
    // The search attributes were set on the cluster (a visibility query by one of them finds it).
    const found = await h!.temporal.workflow.count(`WorkflowId = 'application-${id}' AND ApplicationType = 'subsidy'`);
    expect(found.count).toBe(1);
  });
});
