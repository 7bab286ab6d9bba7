/**
 * Starts a whole system for one benchmark run, the way `npm start` does but
 * isolated: a temp DATA_DIR, free loopback ports, Postgres (embedded, or a
 * fresh database on DATABASE_URL's server), Temporal — the dev server (SQLite
 * file with the tests' fast pragmas) or the cluster (the Temporal server's
 * frontend, history, matching and worker services as separate processes,
 * persistence in databases of their own on the same Postgres) — then the API
 * and one or more workers as child processes (`node --import tsx …`, so each
 * pid is the real node process). Everything is stopped at the end, on an
 * error and on Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Client } from '@temporalio/client';
import { createScratchDatabase, startEmbeddedPostgres, type EmbeddedPg } from '../../runtime/postgres-server';
import { connectTemporal } from '../../runtime/temporal-client';
import { startTemporalCluster } from '../../runtime/temporal-cluster';
import { ensureTemporalCli, freePort, PROJECT_ROOT, startTemporalDevServer, stopChild, type DevServer } from '../../runtime/temporal-server';
import { summarizeProfiles } from './profile';
import { recordPid, startReaper } from './reaper';
import type { Component } from './stats';

export const log = (msg: string) => console.log(`[bench ${new Date().toISOString().slice(11, 23)}] ${msg}`);

// ---------------------------------------------------------------------------
// Cleanup on every way out
// ---------------------------------------------------------------------------

const cleanups: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | undefined;

export function onCleanup(fn: () => Promise<void>): void {
  cleanups.push(fn);
}

export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    while (cleanups.length) {
      const fn = cleanups.pop()!;
      try {
        await fn();
      } catch (e) {
        console.error('bench: cleanup step failed:', e);
      }
    }
  })().finally(() => {
    // A benchmark that measures several systems in turn cleans up after each: what is registered later runs next time.
    cleaning = undefined;
  });
  return cleaning;
}

/** Set when Ctrl-C or a crashed child asks the run to stop; loops check it. */
export const abort = { requested: false, reason: '' };

/**
 * Runs a benchmark: the system is stopped whatever happens (normal end,
 * exception, SIGINT/SIGTERM, an unexpected child exit).
 */
export function runBench(main: () => Promise<number | void>): void {
  let signalled = false;
  const onSignal = (sig: string) => {
    if (signalled) {
      console.error(`bench: ${sig} again — exiting without waiting`);
      process.exit(130);
    }
    signalled = true;
    abort.requested = true;
    abort.reason = sig;
    log(`${sig}: stopping the system…`);
    void cleanup().then(() => process.exit(130));
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  // An error nobody awaited (e.g. a connection Postgres closed while stopping) must not skip the cleanup.
  process.on('uncaughtException', (err) => {
    console.error('bench: uncaught error:', err);
    abort.requested = true;
    abort.reason ||= `uncaught ${String(err)}`;
    void cleanup().then(() => process.exit(1));
  });
  main().then(
    async (code) => {
      await cleanup();
      process.exit(typeof code === 'number' ? code : 0);
    },
    async (err) => {
      console.error('bench failed:', err);
      await cleanup();
      process.exit(1);
    },
  );
}

// ---------------------------------------------------------------------------
// The system
// ---------------------------------------------------------------------------

export interface BenchSystem {
  apiUrl: string;
  databaseUrl: string;
  databaseName: string;
  temporalAddress: string;
  taskQueue: string;
  dataDir: string;
  /** Postgres is the embedded one (its CPU and memory can be measured). */
  embeddedPostgres: boolean;
  /** `worker` is the first of `workers`; `temporal` the dev server or the cluster's frontend, `temporalAll` every Temporal process. */
  pids: { api: number; worker: number; workers: number[]; temporal: number; temporalAll: number[]; postgres?: number };
  /** The benchmark's own connections, for set-up, polling and verification. */
  pool: pg.Pool;
  temporal: Client;
  /** The processes to measure (CPU, memory). */
  components(): Component[];
  /** Where each process writes its log. */
  logs: { api: string; worker: string; temporal: string };
  /** 'dev' (one process, SQLite) or 'cluster' (the Temporal server's services as separate processes on Postgres). */
  engine: Engine;
  /** Limits the CPU-profile summaries to this wall-clock window (Date.now() values), e.g. the measured phase. */
  setProfileWindow(from: number, to: number): void;
  describe(): string;
  stop(): Promise<void>;
}

export type Engine = 'dev' | 'cluster';

export interface StartOptions {
  /** Which Temporal runs the workflows (default 'dev'). */
  engine?: Engine;
  /** Product worker processes on the one task queue (default 1). */
  workers?: number;
  /** JSON WorkerOptions: the worker runs from bench/lib/worker-tuned.ts with them instead of runtime/worker-main.ts. */
  workerOptions?: string;
  /** Keep the temp folder (logs) after the run. */
  keep?: boolean;
  /** Run these processes with `node --cpu-prof`; their profiles are summarized and kept after the stop. */
  profile?: ('api' | 'worker')[];
}

export async function startSystem(opts: StartOptions = {}): Promise<BenchSystem> {
  const started = Date.now();
  const keep = opts.keep ?? false;
  const { runId, dataDir } = runFolder(keep);
  const profiled = new Set(opts.profile ?? []);
  const profileDir = (name: string) => path.join(dataDir, `profile-${name}`);
  const spawnedAt: Record<string, number> = {};
  let profileWindow: { from: number; to: number } | undefined;
  // Registered early, so it runs late: after the API and the worker have exited and written their profiles.
  onCleanup(() => {
    for (const name of profiled) {
      const dir = profileDir(name);
      const started = spawnedAt[name];
      const window = profileWindow && started ? { fromMs: profileWindow.from - started, toMs: profileWindow.to - started } : undefined;
      for (const line of summarizeProfiles(dir, name, window)) console.log(line);
      if (fs.existsSync(dir)) {
        const keepDir = path.join(os.tmpdir(), `union-drive-bench-profiles-${runId}`, name);
        fs.mkdirSync(keepDir, { recursive: true });
        for (const f of fs.readdirSync(dir)) fs.copyFileSync(path.join(dir, f), path.join(keepDir, f));
        console.log(`  raw profiles (open in Chrome DevTools → Performance): ${keepDir}`);
      }
    }
    return Promise.resolve();
  });

  // ---- Postgres, then Temporal: the dev server, or the cluster ----
  const { adminUrl, embedded, pid: postgresPid } = await startPostgres(dataDir);
  const databaseName = `ud_bench_${runId}`;
  const scratch = await createScratchDatabase(adminUrl, databaseName);
  if (!embedded) onCleanup(() => scratch.drop().catch(() => undefined));
  const databaseUrl = scratch.url;

  const engine = opts.engine ?? 'dev';
  const workerCount = Math.max(1, opts.workers ?? 1);
  const logs: Record<string, string> & { api: string; worker: string; temporal: string } = {
    api: path.join(dataDir, 'api.log'),
    worker: path.join(dataDir, 'worker-1.log'),
    temporal: path.join(dataDir, 'temporal.log'),
  };
  const { address: temporalAddress, pids: temporalPids } = await startEngine({
    engine,
    dataDir,
    runId,
    adminUrl,
    embedded: !!embedded,
    logFile: logs.temporal,
  });

  // ---- API and worker ----
  const taskQueue = `bench-${runId}`;
  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'development',
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_NAMESPACE: 'default',
    PORT: String(apiPort),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    SEED_DEMO: 'true',
    LOG_LEVEL: 'warn',
    TASK_QUEUE: taskQueue,
    // Given explicitly: otherwise the API and the worker would each generate one in DATA_DIR.
    JWT_SECRET: crypto.randomBytes(32).toString('hex'),
    PII_KEY: crypto.randomBytes(32).toString('base64'),
    STOP_WITH_PARENT: String(process.pid),
  };
  const children: { name: string; child: ChildProcess }[] = [];
  let stopping = false;
  const spawnNode = (name: string, script: string, extra: Record<string, string> = {}) => {
    const logFile = (logs[name] ??= path.join(dataDir, `${name}.log`));
    const out = fs.openSync(logFile, 'a');
    const kind = name.startsWith('worker') ? 'worker' : 'api';
    const nodeArgs = profiled.has(kind) ? ['--cpu-prof', '--cpu-prof-dir', profileDir(kind)] : [];
    spawnedAt[kind] ??= Date.now();
    const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], {
      cwd: PROJECT_ROOT,
      env: { ...env, ...extra },
      stdio: ['ignore', out, out],
      detached: true,
    });
    fs.closeSync(out);
    child.on('exit', (code, signal) => {
      if (stopping) return;
      abort.requested = true;
      abort.reason = `${name} exited (${code ?? signal})`;
      log(`${name} exited unexpectedly (${code ?? signal}); last lines of ${logFile}:\n${tail(logFile, 30)}`);
    });
    children.push({ name, child });
    recordPid(dataDir, name, child.pid);
    return child;
  };
  onCleanup(async () => {
    stopping = true;
    // The workers first (they drain), then the API.
    const workers = children.filter((x) => x.name.startsWith('worker'));
    if (workers.length) log(`stopping ${workers.map((w) => w.name).join(', ')}`);
    await Promise.all(workers.map((w) => stopChild(w.child, 20_000)));
    const api = children.find((x) => x.name === 'api');
    if (api) {
      log('stopping api');
      await stopChild(api.child, 20_000);
    }
  });

  log(`starting the API on ${apiUrl} (node --import tsx api/main.ts; applies migrations, loads the demo data)`);
  const api = spawnNode('api', 'api/main.ts');
  await waitFor(`${apiUrl}/healthz`, 180_000, () => abort.requested && abort.reason.startsWith('api'));
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4, application_name: 'bench' });
  // Idle connections see Postgres stop (Ctrl-C reaches it too): not an error of the benchmark.
  pool.on('error', () => undefined);
  onCleanup(async () => {
    await pool.end().catch(() => undefined);
  });
  const { client: temporal, connection } = await connectTemporal(temporalAddress, 'default');
  onCleanup(async () => {
    await connection.close().catch(() => undefined);
  });

  const workerScript = opts.workerOptions ? 'bench/lib/worker-tuned.ts' : 'runtime/worker-main.ts';
  log(`starting ${workerCount} worker process(es) (node --import tsx ${workerScript}; each bundles the workflows)`);
  const workers = Array.from({ length: workerCount }, (_, k) =>
    spawnNode(`worker-${k + 1}`, workerScript, opts.workerOptions ? { BENCH_WORKER_OPTIONS: opts.workerOptions } : undefined),
  );
  await waitForPollers(temporal, taskQueue, workerCount, 240_000);
  log(`system ready in ${((Date.now() - started) / 1000).toFixed(1)} s (data: ${dataDir})`);

  const pids = {
    api: api.pid!,
    worker: workers[0]!.pid!,
    workers: workers.map((w) => w.pid!),
    temporal: temporalPids[0]!.pid,
    temporalAll: temporalPids.map((p) => p.pid),
    postgres: postgresPid,
  };
  const system: BenchSystem = {
    apiUrl,
    databaseUrl,
    databaseName,
    temporalAddress,
    taskQueue,
    dataDir,
    embeddedPostgres: !!embedded,
    pids,
    pool,
    temporal,
    logs,
    engine,
    setProfileWindow: (from, to) => {
      profileWindow = { from, to };
    },
    components: () => [
      { name: 'API (node)', pid: pids.api },
      ...pids.workers.map((pid, k) => ({ name: workerCount > 1 ? `worker ${k + 1} (node)` : 'worker (node)', pid })),
      ...temporalPids,
      ...(pids.postgres ? [{ name: 'Postgres (all procs)', pid: pids.postgres, tree: true }] : []),
    ],
    describe: () =>
      `system: API pid ${pids.api} ${apiUrl}; worker pid(s) ${pids.workers.join(', ')} (task queue ${taskQueue}); ` +
      `Temporal ${engine} pid(s) ${pids.temporalAll.join(', ')} ${temporalAddress}; ` +
      `Postgres ${embedded ? `embedded pid ${pids.postgres}` : 'external'} db ${databaseName}; data ${dataDir}`,
    stop: cleanup,
  };
  return system;
}

/** A run's id and temp folder (removed at cleanup unless `keep`), with the reaper that stops its processes should this one die. */
export function runFolder(keep: boolean): { runId: string; dataDir: string } {
  const runId = `${Date.now().toString(36)}${crypto.randomBytes(3).toString('hex')}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'union-drive-bench-'));
  fs.chmodSync(dataDir, 0o755); // the embedded Postgres runs as the postgres user when we are root
  // Stops the system should this process die without cleaning up (e.g. SIGKILLed by tsx on Ctrl-C).
  startReaper(dataDir, keep);
  onCleanup(async () => {
    if (keep) log(`kept ${dataDir}`);
    else await fs.promises.rm(dataDir, { recursive: true, force: true });
  });
  return { runId, dataDir };
}

/**
 * Postgres for a run: the embedded one in `dataDir` (fsync off, like the tests; stopped at cleanup), or DATABASE_URL's
 * server when it is set (not measured: its processes are not ours).
 */
export async function startPostgres(dataDir: string): Promise<{ adminUrl: string; embedded?: EmbeddedPg; pid?: number }> {
  if (process.env.DATABASE_URL) return { adminUrl: process.env.DATABASE_URL };
  const port = await freePort();
  log(`starting embedded Postgres on 127.0.0.1:${port} (fsync off, like the tests)`);
  const embedded = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres'), port, ephemeral: true, callerHandlesSignals: true });
  onCleanup(async () => {
    log('stopping Postgres');
    await embedded.stop();
  });
  const pid = Number(fs.readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
  recordPid(dataDir, 'postgres', pid);
  return { adminUrl: embedded.url('postgres'), embedded, pid };
}

/**
 * Temporal for a run, stopped at cleanup: the dev server (a SQLite file with the tests' fast pragmas), or the cluster
 * (the Temporal server's frontend, history ×2, matching and worker services as separate processes, persistence in
 * databases of their own on `adminUrl`'s Postgres).
 */
export async function startEngine(opts: {
  engine: Engine;
  dataDir: string;
  runId: string;
  adminUrl: string;
  /** The Postgres is the run's own (its databases go with it). */
  embedded: boolean;
  logFile: string;
}): Promise<{ address: string; pids: { name: string; pid: number }[] }> {
  const { dataDir, adminUrl } = opts;
  if (opts.engine === 'dev') {
    const cli = await ensureTemporalCli({ explicitPath: process.env.TEMPORAL_CLI_PATH || undefined, log });
    const temporalPort = await freePort();
    log(`starting Temporal dev server on 127.0.0.1:${temporalPort} (${cli}; SQLite file, journal_mode=wal, synchronous=off)`);
    const devServer: DevServer = await startTemporalDevServer({
      cliPath: cli,
      port: temporalPort,
      dbFile: path.join(dataDir, 'temporal.db'),
      fastUnsafe: true,
      logFile: opts.logFile,
      // Own process group: a terminal Ctrl-C reaches only this script, which stops it after the worker.
      detached: true,
    });
    recordPid(dataDir, 'temporal', devServer.process.pid);
    onCleanup(async () => {
      log('stopping Temporal');
      await devServer.stop();
    });
    return { address: devServer.address, pids: [{ name: 'Temporal dev server', pid: devServer.process.pid! }] };
  }
  const prefix = `temporal_${opts.runId}`;
  log(`starting the Temporal cluster (frontend, history ×2, matching, worker services; databases ${prefix}, ${prefix}_visibility)`);
  const cluster = await startTemporalCluster({ adminDatabaseUrl: adminUrl, databasePrefix: prefix, dataDir: path.join(dataDir, 'temporal-cluster'), log });
  for (const p of cluster.processes()) recordPid(dataDir, `temporal-${p.name}`, p.pid);
  onCleanup(async () => {
    log('stopping the Temporal cluster');
    await cluster.stop();
    if (!opts.embedded) await dropDatabases(adminUrl, [prefix, `${prefix}_visibility`]);
  });
  return { address: cluster.address, pids: cluster.processes().map((p) => ({ name: `Temporal ${p.name}`, pid: p.pid })) };
}

function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function waitFor(url: string, timeoutMs: number, failed: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (failed()) throw new Error(`gave up waiting for ${url}: ${abort.reason}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The workers are ready when each polls both the workflow and the activity task queue. */
export async function waitForPollers(client: Client, taskQueue: string, workers: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const types = [1, 2]; // TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY
  for (;;) {
    if (abort.requested) throw new Error(`gave up waiting for the worker: ${abort.reason}`);
    let ready = true;
    for (const taskQueueType of types) {
      const r = await client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType }).catch(() => undefined);
      // A poller is identified per worker process (pid@host); count the distinct ones.
      if (new Set((r?.pollers ?? []).map((p) => p.identity)).size < workers) ready = false;
    }
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`the worker did not poll ${taskQueue} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Users the demo data lacks (e.g. staff of more regions), with the demo password. */
export async function insertUsers(pool: pg.Pool, users: { username: string; name: string; org: string; roles: string[] }[]): Promise<void> {
  if (!users.length) return;
  const { hashPassword } = await import('../../api/passwords');
  const hash = await hashPassword('demo-password');
  for (const u of users) {
    await pool.query(`insert into users (username, name, org_id, roles, password_hash) values ($1, $2, $3, $4, $5) on conflict (username) do nothing`, [
      u.username,
      u.name,
      u.org,
      u.roles,
      hash,
    ]);
  }
}

/** Drops the cluster's databases on an external server (an embedded Postgres goes with its data folder). */
async function dropDatabases(adminUrl: string, names: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    for (const name of names) await client.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await client.end();
  }
}
