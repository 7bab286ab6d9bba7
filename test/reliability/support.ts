/**
 * Process-level helpers for the fault tests: the worker as its own OS
 * process (`node --import tsx runtime/worker-main.ts`, so its pid is the real
 * worker and SIGKILL is a real crash), a database of a file's own on a
 * Postgres server (migrated, with the demo org tree), and an isolated
 * Temporal dev server and Postgres that a test may stop and start again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { hashPassword } from '../../api/passwords';
import { loadDemoData } from '../../db/demo-seed';
import { createDb, migrateLatest } from '../../db/knex';
import { createScratchDatabase, startEmbeddedPostgres, type EmbeddedPg } from '../../runtime/postgres-server';
import { freePort, PROJECT_ROOT, startTemporalDevServer, stopChild, type DevServer } from '../../runtime/temporal-server';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface WorkerProcess {
  pid: number;
  child: ChildProcess;
  /** Everything the process wrote (stdout and stderr). */
  output(): string;
  /** A crash: SIGKILL, no drain, no goodbye. Resolves when the process is gone. */
  kill9(): Promise<void>;
  /** A clean stop (SIGTERM: the worker drains). */
  stop(): Promise<void>;
}

/**
 * Starts `npm run worker` as its own process on `taskQueue` and resolves once
 * it logged that it polls (after bundling the workflows: a few seconds).
 */
export async function spawnWorker(opts: {
  taskQueue: string;
  databaseUrl?: string;
  temporalAddress?: string;
  env?: Record<string, string>;
}): Promise<WorkerProcess> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'union-drive-worker-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'test',
    DATABASE_URL: opts.databaseUrl ?? inject('databaseUrl'),
    TEMPORAL_ADDRESS: opts.temporalAddress ?? inject('temporalAddress'),
    TASK_QUEUE: opts.taskQueue,
    PII_KEY: inject('piiKey'),
    // 'info' for the one "worker started" line we wait for; the SDK's own chatter stays at its default.
    LOG_LEVEL: 'info',
    DATA_DIR: dataDir,
    // The worker stops by itself if this test process dies.
    STOP_WITH_PARENT: String(process.pid),
    ...opts.env,
  };
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'runtime/worker-main.ts'], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d) => (out = (out + String(d)).slice(-200_000)));
  child.stderr.on('data', (d) => (out = (out + String(d)).slice(-200_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 120_000;
  while (!/"msg":"worker started"/.test(out)) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`worker exited during start (${child.exitCode ?? child.signalCode}):\n${out.slice(-3000)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`worker did not start within 120 s:\n${out.slice(-3000)}`);
    }
    await sleep(100);
  }
  const cleanup = () => fs.rmSync(dataDir, { recursive: true, force: true });
  return {
    pid: child.pid!,
    child,
    output: () => out,
    async kill9() {
      try {
        process.kill(child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
      await exited;
      cleanup();
    },
    async stop() {
      await stopChild(child, 20_000);
      cleanup();
    },
  };
}

/** A database of its own on the server of `adminUrl`: migrated, with the demo org tree and users. */
export async function createDatabase(adminUrl: string, name: string): Promise<{ url: string; drop(): Promise<void> }> {
  const { url, drop } = await createScratchDatabase(adminUrl, name);
  const db = createDb(url);
  try {
    await migrateLatest(db);
    await loadDemoData(db, hashPassword);
  } finally {
    await db.destroy();
  }
  return { url, drop: () => drop().catch(() => undefined) };
}

/**
 * A Temporal dev server (state in a file) and a Postgres of this test file's
 * own, so that stopping them disturbs no other file. Both can be stopped and
 * started again on the same port with their data.
 */
export class IsolatedInfra {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'union-drive-outage-'));
  temporal?: DevServer;
  postgres?: EmbeddedPg;
  temporalPort = 0;
  pgPort = 0;

  constructor() {
    // The embedded Postgres runs as the postgres user when we are root: it must reach its folder.
    fs.chmodSync(this.dir, 0o755);
  }

  get temporalAddress(): string {
    return `127.0.0.1:${this.temporalPort}`;
  }

  async startTemporal(): Promise<void> {
    this.temporalPort ||= await freePort();
    this.temporal = await startTemporalDevServer({
      cliPath: inject('temporalCliPath'),
      port: this.temporalPort,
      dbFile: path.join(this.dir, 'temporal.db'),
      logFile: path.join(this.dir, 'temporal.log'),
    });
  }

  async stopTemporal(): Promise<void> {
    await this.temporal?.stop();
    this.temporal = undefined;
  }

  async startPostgres(): Promise<void> {
    this.pgPort ||= await freePort();
    this.postgres = await startEmbeddedPostgres({ dataDir: path.join(this.dir, 'postgres'), port: this.pgPort, callerHandlesSignals: true });
  }

  async stopPostgres(): Promise<void> {
    await this.postgres?.stop();
    this.postgres = undefined;
  }

  adminUrl(): string {
    return `postgres://postgres:postgres@127.0.0.1:${this.pgPort}/postgres`;
  }

  async close(): Promise<void> {
    await this.stopTemporal().catch(() => undefined);
    await this.stopPostgres().catch(() => undefined);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface ApiProcess {
  pid: number;
  url: string;
  output(): string;
  /** A crash: SIGKILL, mid-request if one is running. Resolves when the process is gone. */
  kill9(): Promise<void>;
}

/**
 * Starts `npm run api` as its own process (on a free port, 127.0.0.1) and
 * resolves once it listens. It signs tokens with the run's JWT secret, so the
 * harness's logins work against it.
 */
export async function spawnApi(opts: { taskQueue: string; databaseUrl?: string; temporalAddress?: string }): Promise<ApiProcess> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'union-drive-api-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'test',
    DATABASE_URL: opts.databaseUrl ?? inject('databaseUrl'),
    TEMPORAL_ADDRESS: opts.temporalAddress ?? inject('temporalAddress'),
    TASK_QUEUE: opts.taskQueue,
    PII_KEY: inject('piiKey'),
    JWT_SECRET: inject('jwtSecret'),
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    DATA_DIR: dataDir,
    STOP_WITH_PARENT: String(process.pid),
  };
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d) => (out = (out + String(d)).slice(-200_000)));
  child.stderr.on('data', (d) => (out = (out + String(d)).slice(-200_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 120_000;
  let url: string | undefined;
  while (!(url = /API listening on (http:\/\/[\d.]+:\d+)/.exec(out)?.[1])) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`API exited during start (${child.exitCode ?? child.signalCode}):\n${out.slice(-3000)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`API did not start within 120 s:\n${out.slice(-3000)}`);
    }
    await sleep(100);
  }
  return {
    pid: child.pid!,
    url,
    output: () => out,
    async kill9() {
      try {
        process.kill(child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
      await exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
