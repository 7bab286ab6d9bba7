/**
 * The Temporal server as production runs it: frontend, history (several), matching and worker
 * services as separate processes of `temporal-server`, persistence and visibility on Postgres.
 * Used by `npm run cluster`, `TEMPORAL_MODE=cluster npm start` and the cluster tests.
 *
 * One YAML config per process (each process needs its own gRPC and membership ports; they find each
 * other through ringpop, seeded from the cluster_membership table in Postgres) and one log file per
 * process, under `dataDir`; the dynamic config is deploy/temporal-dynamicconfig.yaml, as in docker-compose.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import pg from 'pg';
import { stringify } from 'yaml';
import { ensureNamespace, ensureSearchAttributes } from './temporal-setup';
import { ensureTemporalServer, PROJECT_ROOT, stopChild, type TemporalServerTools } from './temporal-server';

export interface ClusterOptions {
  /** A Postgres URL with rights to create databases; the cluster makes its own there. */
  adminDatabaseUrl: string;
  /** Default 'temporal' → databases `${prefix}` and `${prefix}_visibility`. */
  databasePrefix?: string;
  /** Default 2. */
  historyProcesses?: number;
  /**
   * Default 16. Fixed at a database's first setup: Temporal cannot change the shard count of an existing
   * cluster (a different number on a later start makes the history service refuse to start). Many more shards than
   * history processes: a history process reports SERVING only once it owns a shard, and shards go to processes by
   * hashing: with 4 shards and 2 processes the odds that one owns none are one start in eight (a CI run hit it).
   */
  historyShards?: number;
  /** Default 'default'. */
  namespace?: string;
  /** Generated config files and one log file per process go here. */
  dataDir: string;
  log?: (msg: string) => void;
  /** TEMPORAL_SERVER_PATH / TEMPORAL_SQL_TOOL_PATH; default tools/bin (built with Go when missing). */
  serverPath?: string;
  sqlToolPath?: string;
}

export interface ClusterProcess {
  name: string;
  service: 'frontend' | 'history' | 'matching' | 'worker';
  pid: number;
}

export interface TemporalCluster {
  /** The frontend's host:port (127.0.0.1, a free port). */
  address: string;
  namespace: string;
  /** The live processes (a killed one is left out until restarted). Names: 'frontend', 'history-1', 'history-2', 'matching', 'worker'. */
  processes(): ClusterProcess[];
  /** Default SIGKILL; resolves when it has exited. */
  kill(name: string, signal?: NodeJS.Signals): Promise<void>;
  /** Starts that process again with the same config; resolves when it serves. */
  restart(name: string): Promise<void>;
  /** All processes, SIGTERM then SIGKILL. */
  stop(): Promise<void>;
}

type Service = ClusterProcess['service'];

/** The gRPC health-service name each service reports SERVING under (the server's own constants). */
const HEALTH_NAME: Record<Service, string> = {
  frontend: 'temporal.api.workflowservice.v1.WorkflowService',
  history: 'temporal.api.workflowservice.v1.HistoryService',
  matching: 'temporal.api.workflowservice.v1.MatchingService',
  worker: 'temporal.api.workflowservice.v1.WorkerService',
};

/**
 * Postgres connections per process (main store, visibility store). The shared Postgres has 100 connections by
 * default and the product needs its own: about 40 in all for a two-history cluster.
 */
const POOLS: Record<Service, [number, number]> = { frontend: [5, 3], history: [8, 2], matching: [5, 2], worker: [3, 2] };

/** Retention of closed workflows: their histories carry members' personal data; the app database is the record. */
const RETENTION_DAYS = 3;

/** See ClusterOptions.historyShards. */
const DEFAULT_HISTORY_SHARDS = 16;
/** Fewer shards per history process than this, and a process may well own none (it then never reports SERVING). */
const SHARDS_PER_HISTORY_PROCESS = 8;

/** How long a process may take to report SERVING (history waits for its shards, then 5 s more; on a loaded 2-core machine a history process has missed 90 s). */
const SERVE_TIMEOUT_MS = 180_000;

interface Ports {
  grpc: number;
  membership: number;
}

interface Member {
  name: string;
  service: Service;
  ports: Ports;
  configFile: string;
  logFile: string;
  child?: ChildProcess;
}

export async function startTemporalCluster(opts: ClusterOptions): Promise<TemporalCluster> {
  const log = opts.log ?? ((m: string) => console.log(`[temporal-cluster] ${m}`));
  const prefix = opts.databasePrefix ?? 'temporal';
  const namespace = opts.namespace ?? 'default';
  const historyCount = opts.historyProcesses ?? 2;
  const shards = opts.historyShards ?? DEFAULT_HISTORY_SHARDS;
  if (!Number.isInteger(historyCount) || historyCount < 1) throw new Error(`historyProcesses must be a positive integer (got ${historyCount})`);
  if (!Number.isInteger(shards) || shards < 1) throw new Error(`historyShards must be a positive integer (got ${shards})`);
  if (!/^[a-z_][a-z0-9_]*$/.test(prefix)) throw new Error(`databasePrefix must be a lower-case SQL identifier (got ${prefix})`);
  const dataDir = path.resolve(opts.dataDir);
  fs.mkdirSync(dataDir, { recursive: true });

  const tools = ensureTemporalServer({ serverPath: opts.serverPath, sqlToolPath: opts.sqlToolPath, log });
  const pgUrl = new URL(opts.adminDatabaseUrl);
  const databases = { main: prefix, visibility: `${prefix}_visibility` };
  setUpSchemas(tools, pgUrl, databases, log);
  await prepareDatabase(opts.adminDatabaseUrl, databases.main, shards);

  const ports = async (): Promise<Ports> => ({ grpc: await freeLowPort(), membership: await freeLowPort() });
  const member = async (name: string, service: Service): Promise<Member> => ({
    name,
    service,
    ports: await ports(),
    configFile: path.join(dataDir, `${name}.yaml`),
    logFile: path.join(dataDir, `${name}.log`),
  });
  const histories: Member[] = [];
  for (let i = 1; i <= historyCount; i++) histories.push(await member(`history-${i}`, 'history'));
  const matching = await member('matching', 'matching');
  const frontend = await member('frontend', 'frontend');
  const worker = await member('worker', 'worker');
  const frontendHttpPort = await freeLowPort();
  const members = [frontend, ...histories, matching, worker];
  const address = `127.0.0.1:${frontend.ports.grpc}`;

  // The same dynamic config docker-compose.yml mounts into its Temporal container.
  const dynamicConfigFile = path.join(PROJECT_ROOT, 'deploy', 'temporal-dynamicconfig.yaml');
  for (const m of members) {
    const config = serverConfig({
      pgUrl,
      databases,
      shards,
      self: m,
      frontend: frontend.ports,
      frontendHttpPort,
      history: m.service === 'history' ? m.ports : histories[0]!.ports,
      matching: matching.ports,
      worker: worker.ports,
      dynamicConfigFile,
    });
    // The file holds the database password: readable by this user only.
    fs.writeFileSync(m.configFile, stringify(config), { mode: 0o600 });
  }

  // If this process dies without stop(), its server processes (own process groups) must not outlive it.
  const killAllSync = () => {
    for (const m of members) if (m.child && m.child.exitCode === null && m.child.signalCode === null) m.child.kill('SIGKILL');
  };
  process.once('exit', killAllSync);

  const launch = (m: Member) => {
    const out = fs.openSync(m.logFile, 'a');
    fs.writeSync(out, `\n---- ${new Date().toISOString()} starting ${m.name} ----\n`);
    // Own process group: a terminal Ctrl-C reaches only our parent, which stops the cluster after the product.
    m.child = spawn(tools.server, ['--config-file', m.configFile, '--allow-no-auth', 'start', '--service', m.service], {
      stdio: ['ignore', out, out],
      detached: true,
    });
    fs.closeSync(out);
  };
  const startAndServe = async (group: Member[]) => {
    for (const m of group) launch(m);
    await Promise.all(group.map((m) => waitServing(m)));
  };

  try {
    // History and matching first (the frontend routes to them), then the frontend, then the worker service
    // (it runs the server's system workflows through the frontend).
    log(`starting ${historyCount} history processes (${shards} shards) and matching`);
    if (historyCount > 1 && shards < SHARDS_PER_HISTORY_PROCESS * historyCount) {
      log(
        `warning: ${shards} shards for ${historyCount} history processes — a history process that is given no shard never reports SERVING; ` +
          `choose at least ${SHARDS_PER_HISTORY_PROCESS * historyCount} shards at install, or run fewer history processes`,
      );
    }
    // The first process alone: each start writes the cluster metadata (the frontend's address changes with its port),
    // and processes writing it at once fail with a version conflict.
    await startAndServe(histories.slice(0, 1));
    await startAndServe([...histories.slice(1), matching]);
    log(`starting the frontend on ${address}`);
    await startAndServe([frontend]);
    log('starting the worker service');
    await startAndServe([worker]);

    const connection = await Connection.connect({ address, connectTimeout: 10_000 });
    try {
      const ns = await ensureNamespace(connection, namespace, RETENTION_DAYS);
      const added = await ensureSearchAttributes(connection, namespace);
      log(`namespace ${namespace} ${ns}; search attributes ${added.length ? `added: ${added.join(', ')}` : 'already there'}`);
    } finally {
      await connection.close();
    }
  } catch (err) {
    await stopAll(members);
    process.removeListener('exit', killAllSync);
    throw new Error(`the Temporal cluster did not start (logs in ${dataDir}): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  log(`ready on ${address} (${members.map((m) => `${m.name} pid ${m.child?.pid}`).join(', ')})`);

  const find = (name: string): Member => {
    const m = members.find((x) => x.name === name);
    if (!m) throw new Error(`no cluster process named ${name} (have ${members.map((x) => x.name).join(', ')})`);
    return m;
  };

  return {
    address,
    namespace,
    processes: () =>
      members
        .filter((m) => m.child && m.child.exitCode === null && m.child.signalCode === null)
        .map((m) => ({ name: m.name, service: m.service, pid: m.child!.pid! })),
    async kill(name, signal = 'SIGKILL') {
      const m = find(name);
      const child = m.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill(signal);
      await exited;
    },
    async restart(name) {
      const m = find(name);
      if (m.child && m.child.exitCode === null && m.child.signalCode === null) throw new Error(`${name} is still running (pid ${m.child.pid}); kill it first`);
      log(`restarting ${name}`);
      await startAndServe([m]);
    },
    async stop() {
      await stopAll(members);
      process.removeListener('exit', killAllSync);
      log('stopped');
    },
  };
}

/** Product-facing first (worker service, frontend), then matching and history: SIGTERM, SIGKILL after 10 s. */
async function stopAll(members: Member[]): Promise<void> {
  const order: Service[] = ['worker', 'frontend', 'matching', 'history'];
  for (const service of order) {
    await Promise.all(members.filter((m) => m.service === service && m.child).map((m) => stopChild(m.child!, 10_000)));
  }
}

/** Resolves when the process's gRPC health service says SERVING; rejects if it exits or takes too long. */
async function waitServing(m: Member): Promise<void> {
  const child = m.child!;
  const connection = Connection.lazy({ address: `127.0.0.1:${m.ports.grpc}`, connectTimeout: 2_000 });
  const deadline = Date.now() + SERVE_TIMEOUT_MS;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`${m.name} exited during start (${child.exitCode ?? child.signalCode}); ${lastLines(m.logFile)}`);
      }
      try {
        const res = await connection.withDeadline(Date.now() + 2_000, () => connection.healthService.check({ service: HEALTH_NAME[m.service] }));
        if (Number(res.status) === 1) return; // grpc.health.v1 SERVING
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) {
        const why = m.service === 'history' ? ' (a history process serves once it owns a shard: are there many more shards than history processes?)' : '';
        throw new Error(`${m.name} did not serve within ${SERVE_TIMEOUT_MS / 1000} s${why}; ${lastLines(m.logFile)}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await connection.close();
  }
}

function lastLines(file: string, n = 3): string {
  try {
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    // Server log lines carry whole stack traces: the start of each says what went wrong.
    return `last lines of ${file}:\n${lines
      .slice(-n)
      .map((l) => l.slice(0, 400))
      .join('\n')}`;
  } catch {
    return `see ${file}`;
  }
}

/**
 * A free TCP port on 127.0.0.1 below 32768. The server stores its own ports in the cluster_membership table as
 * Postgres smallint, so a port from the system's ephemeral range (32768 and up, what port 0 gives) breaks membership.
 */
const taken = new Set<number>();
async function freeLowPort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) {
      taken.add(port);
      return port;
    }
  }
  throw new Error('no free port found between 20000 and 32000');
}

/**
 * Creates both databases when missing and brings their schemas to this server version's, with the server's own sql
 * tool: create-database and setup-schema -v 0.0 do nothing on a database that has them, update-schema applies only
 * the versions not yet applied. So every start runs all three.
 */
function setUpSchemas(tools: TemporalServerTools, url: URL, databases: { main: string; visibility: string }, log: (msg: string) => void) {
  const connection = ['--plugin', 'postgres12', '--ep', url.hostname, '-p', url.port || '5432', '-u', decodeURIComponent(url.username) || 'postgres'];
  // The password goes through the environment, not the command line (ps shows arguments to every user).
  const env = { ...process.env, SQL_PASSWORD: decodeURIComponent(url.password) };
  for (const [db, dir] of [
    [databases.main, 'temporal'],
    [databases.visibility, 'visibility'],
  ] as const) {
    const steps = [['create-database'], ['setup-schema', '-v', '0.0'], ['update-schema', '-d', path.join(tools.schemaDir, dir, 'versioned')]];
    for (const step of steps) {
      const r = spawnSync(tools.sqlTool, [...connection, '--db', db, ...step], { env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`temporal-sql-tool ${step[0]} --db ${db} failed (exit ${r.status ?? r.signal}):\n${r.stderr}${r.stdout}`);
    }
    log(`database ${db}: schema up to date`);
  }
}

/**
 * Refuses a shard count different from the one a database was first set up with, naming both; and forgets the
 * members of an earlier run. Stopped or killed processes stay in cluster_membership until their record expires, and a
 * new process tries to join them first, giving up only after maxJoinDuration (30 s) — every start would wait that long.
 * No process of this cluster runs yet at this point (its databases are its own).
 */
async function prepareDatabase(adminUrl: string, database: string, shards: number): Promise<void> {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM shards');
    const existing = Number(rows[0]?.n ?? 0);
    if (existing > 0 && existing !== shards) {
      throw new Error(`database ${database} was set up with ${existing} history shards; historyShards=${shards} cannot change that (use ${existing})`);
    }
    await client.query('DELETE FROM cluster_membership');
  } finally {
    await client.end();
  }
}

function serverConfig(p: {
  pgUrl: URL;
  databases: { main: string; visibility: string };
  shards: number;
  self: Member;
  frontend: Ports;
  frontendHttpPort: number;
  history: Ports;
  matching: Ports;
  worker: Ports;
  dynamicConfigFile: string;
}): unknown {
  const [mainConns, visibilityConns] = POOLS[p.self.service];
  const sql = (databaseName: string, conns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${p.pgUrl.hostname}:${p.pgUrl.port || '5432'}`,
      connectProtocol: 'tcp',
      user: decodeURIComponent(p.pgUrl.username) || 'postgres',
      password: decodeURIComponent(p.pgUrl.password),
      maxConns: conns,
      maxIdleConns: conns,
      maxConnLifetime: '1h',
    },
  });
  const rpc = (ports: Ports, extra: Record<string, unknown> = {}) => ({
    rpc: { grpcPort: ports.grpc, membershipPort: ports.membership, bindOnIP: '127.0.0.1', ...extra },
  });
  const frontendAddress = `127.0.0.1:${p.frontend.grpc}`;
  return {
    log: { stdout: true, level: 'info' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: p.shards,
      datastores: {
        'postgres-default': sql(p.databases.main, mainConns),
        'postgres-visibility': sql(p.databases.visibility, visibilityConns),
      },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    // Every service is listed (a process reads its own section; the others describe the cluster); `history` is this
    // process's own ports in a history process's file.
    services: {
      frontend: rpc(p.frontend, { httpPort: p.frontendHttpPort }),
      history: rpc(p.history),
      matching: rpc(p.matching),
      worker: rpc(p.worker),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: { active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: frontendAddress } },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    publicClient: { hostPort: frontendAddress },
    dynamicConfigClient: { filepath: p.dynamicConfigFile, pollInterval: '10s' },
  };
}
