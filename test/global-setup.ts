/**
 * Starts the infrastructure every test file shares, once per run: a Temporal
 * dev server (its own port and state file, fast SQLite settings), Postgres
 * (DATABASE_URL's server, else an embedded one) with a database of this run's
 * own, migrated and loaded with the demo org tree, and the workflow bundle.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { createDb, migrateLatest } from '../db/knex';
import { loadDemoData } from '../db/demo-seed';
import { hashPassword } from '../api/passwords';
import { ensureTemporalCli, freePort, startTemporalDevServer } from '../runtime/temporal-server';
import { createScratchDatabase, startEmbeddedPostgres } from '../runtime/postgres-server';
import { WORKFLOWS_PATH } from '../runtime/worker';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    databaseUrl: string;
    adminDatabaseUrl: string;
    workflowBundlePath: string;
    runId: string;
    piiKey: string;
    jwtSecret: string;
    temporalCliPath: string;
  }
}

export default async function setup(project: TestProject) {
  const runId = `${Date.now().toString(36)}${crypto.randomBytes(3).toString('hex')}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'union-drive-test-'));
  fs.chmodSync(dir, 0o755); // the embedded Postgres runs as the postgres user when we are root
  const cli = await ensureTemporalCli({ explicitPath: process.env.TEMPORAL_CLI_PATH || undefined });

  const temporal = await startTemporalDevServer({
    cliPath: cli,
    port: await freePort(),
    dbFile: path.join(dir, 'temporal.db'),
    fastUnsafe: true,
    logFile: path.join(dir, 'temporal.log'),
  });

  let adminUrl = process.env.DATABASE_URL;
  let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  if (!adminUrl) {
    try {
      embedded = await startEmbeddedPostgres({ dataDir: path.join(dir, 'postgres'), port: await freePort(), ephemeral: true, callerHandlesSignals: true });
    } catch (e) {
      await temporal.stop();
      throw e;
    }
    adminUrl = embedded.url('postgres');
  }
  const scratch = await createScratchDatabase(adminUrl, `ud_test_${runId}`);
  const databaseUrl = scratch.url;

  const db = createDb(databaseUrl);
  await migrateLatest(db);
  await loadDemoData(db, hashPassword);
  await db.destroy();

  const bundle = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} },
  });
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, bundle.code);

  project.provide('temporalAddress', temporal.address);
  project.provide('databaseUrl', databaseUrl);
  project.provide('adminDatabaseUrl', adminUrl);
  project.provide('workflowBundlePath', bundlePath);
  project.provide('runId', runId);
  project.provide('piiKey', crypto.randomBytes(32).toString('base64'));
  project.provide('jwtSecret', crypto.randomBytes(32).toString('hex'));
  project.provide('temporalCliPath', cli);

  return async () => {
    await temporal.stop();
    await scratch.drop().catch(() => undefined);
    if (embedded) await embedded.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
