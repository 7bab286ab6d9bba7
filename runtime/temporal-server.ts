/**
 * The embedded Temporal dev server (`temporal server start-dev`), used when
 * TEMPORAL_ADDRESS is unset. Finds the CLI binary (TEMPORAL_CLI_PATH, PATH,
 * tools/bin), building it with `go install` when missing. Also installs the
 * real Temporal server and its sql tool (ensureTemporalServer) for the cluster
 * (runtime/temporal-cluster.ts).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';
export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');
export const TOOLS_BIN = path.join(PROJECT_ROOT, 'tools', 'bin');

/** Search attributes the workflows set; the dev server must know them at start. */
export const SEARCH_ATTRIBUTES: Record<string, 'Keyword' | 'Text' | 'Int' | 'Datetime' | 'Bool'> = {
  ApplicationType: 'Keyword',
  ApplicantOrg: 'Keyword',
  CampaignId: 'Keyword',
  BusinessStatus: 'Keyword',
};

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/**
 * Returns the path of a usable `temporal` CLI, building it into tools/bin
 * with the Go toolchain when none is found. Where no Go toolchain exists, it
 * falls back to the @temporalio/testing download (which needs internet).
 */
export async function ensureTemporalCli(opts: { explicitPath?: string; log?: (msg: string) => void } = {}): Promise<string> {
  const log = opts.log ?? ((m: string) => console.log(m));
  if (opts.explicitPath) {
    if (!fs.existsSync(opts.explicitPath)) throw new Error(`TEMPORAL_CLI_PATH=${opts.explicitPath} does not exist`);
    return opts.explicitPath;
  }
  const fromPath = onPath('temporal');
  if (fromPath) return fromPath;
  const local = path.join(TOOLS_BIN, 'temporal');
  if (fs.existsSync(local)) return local;

  const go = findGo();
  if (go) {
    log(`[temporal] 未找到 temporal CLI，正在用 Go 构建 / building the Temporal CLI: go install ${TEMPORAL_CLI_MODULE}`);
    log('[temporal] 首次构建需要几分钟 / the first build takes a few minutes…');
    fs.mkdirSync(TOOLS_BIN, { recursive: true });
    const started = Date.now();
    const result = spawnSync(go, ['install', TEMPORAL_CLI_MODULE], {
      stdio: 'inherit',
      env: { ...process.env, GOBIN: TOOLS_BIN },
    });
    if (result.status !== 0 || !fs.existsSync(local)) {
      throw new Error(`go install ${TEMPORAL_CLI_MODULE} failed (exit ${result.status ?? result.signal})`);
    }
    log(`[temporal] built ${local} in ${Math.round((Date.now() - started) / 1000)} s`);
    return local;
  }

  log('[temporal] no Go toolchain: falling back to the @temporalio/testing download');
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  // The SDK downloads the CLI into its cache while starting a throwaway server.
  const env = await TestWorkflowEnvironment.createLocal();
  await env.teardown();
  const cached = findCachedSdkCli();
  if (!cached) throw new Error('the @temporalio/testing download did not leave a temporal binary');
  return cached;
}

/** The Temporal server release the cluster runs; docker-compose.yml uses the same (test/deploy/compose.test.ts checks). */
export const TEMPORAL_SERVER_VERSION = '1.32.2';
const TEMPORAL_SERVER_MODULE = 'go.temporal.io/server';
/** The server's go.mod needs Go ≥ 1.26.10: the go command fetches this toolchain from the module proxy. */
const GO_TOOLCHAIN = 'go1.27.3';

export interface TemporalServerTools {
  /** `temporal-server` (go.temporal.io/server/cmd/server). */
  server: string;
  /** `temporal-sql-tool` (go.temporal.io/server/cmd/tools/sql). */
  sqlTool: string;
  /** The server's Postgres schemas: `<schemaDir>/temporal/versioned` and `<schemaDir>/visibility/versioned`. */
  schemaDir: string;
}

function findGo(): string | undefined {
  return onPath('go') ?? (fs.existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
}

/**
 * Makes sure the Temporal server, its sql tool and its Postgres schemas are in tools/ (or where
 * TEMPORAL_SERVER_PATH / TEMPORAL_SQL_TOOL_PATH point), building them with `go install` when missing.
 * The schemas are copied out of the Go module cache so that a start needs no Go at all.
 */
export function ensureTemporalServer(opts: { serverPath?: string; sqlToolPath?: string; log?: (msg: string) => void } = {}): TemporalServerTools {
  const log = opts.log ?? ((m: string) => console.log(m));
  const server = opts.serverPath ?? path.join(TOOLS_BIN, 'temporal-server');
  const sqlTool = opts.sqlToolPath ?? path.join(TOOLS_BIN, 'temporal-sql-tool');
  const schemaDir = path.join(PROJECT_ROOT, 'tools', `temporal-schema-${TEMPORAL_SERVER_VERSION}`, 'postgresql', 'v12');
  for (const [given, file] of [
    [opts.serverPath, 'TEMPORAL_SERVER_PATH'],
    [opts.sqlToolPath, 'TEMPORAL_SQL_TOOL_PATH'],
  ] as const) {
    if (given && !fs.existsSync(given)) throw new Error(`${file}=${given} does not exist`);
  }
  const missing = [
    { target: server, pkg: 'cmd/server', built: 'server' },
    { target: sqlTool, pkg: 'cmd/tools/sql', built: 'sql' },
  ].filter((b) => !fs.existsSync(b.target));
  if (missing.length === 0 && fs.existsSync(path.join(schemaDir, 'temporal', 'versioned'))) return { server, sqlTool, schemaDir };

  const go = findGo();
  if (!go)
    throw new Error(`the Temporal server is missing (${missing.map((m) => m.target).join(', ') || schemaDir}) and no Go toolchain is installed to build it`);
  const env = { ...process.env, GOTOOLCHAIN: GO_TOOLCHAIN };
  const moduleAt = `${TEMPORAL_SERVER_MODULE}@v${TEMPORAL_SERVER_VERSION}`;
  if (missing.length) {
    // Into a temporary GOBIN first: a build that fails half-way leaves nothing in tools/bin that looks usable.
    const gobin = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-server-build-'));
    try {
      for (const m of missing) {
        log(
          `[temporal] 正在用 Go 构建 Temporal 服务器 / building: GOTOOLCHAIN=${GO_TOOLCHAIN} go install ${TEMPORAL_SERVER_MODULE}/${m.pkg}@v${TEMPORAL_SERVER_VERSION} (首次需要几分钟 / minutes the first time)`,
        );
        const r = spawnSync(go, ['install', `${TEMPORAL_SERVER_MODULE}/${m.pkg}@v${TEMPORAL_SERVER_VERSION}`], {
          stdio: 'inherit',
          env: { ...env, GOBIN: gobin },
        });
        if (r.status !== 0) throw new Error(`go install ${TEMPORAL_SERVER_MODULE}/${m.pkg}@v${TEMPORAL_SERVER_VERSION} failed (exit ${r.status ?? r.signal})`);
        fs.mkdirSync(path.dirname(m.target), { recursive: true });
        fs.copyFileSync(path.join(gobin, m.built), `${m.target}.tmp`);
        fs.chmodSync(`${m.target}.tmp`, 0o755);
        fs.renameSync(`${m.target}.tmp`, m.target);
        log(`[temporal] installed ${m.target}`);
      }
    } finally {
      fs.rmSync(gobin, { recursive: true, force: true });
    }
  }
  if (!fs.existsSync(path.join(schemaDir, 'temporal', 'versioned'))) {
    const dl = spawnSync(go, ['mod', 'download', '-json', moduleAt], { env, encoding: 'utf8' });
    const dir = dl.status === 0 ? (JSON.parse(dl.stdout) as { Dir?: string }).Dir : undefined;
    if (!dir) throw new Error(`go mod download ${moduleAt} failed: ${dl.stderr}`);
    const source = path.join(dir, 'schema', 'postgresql', 'v12');
    fs.mkdirSync(path.dirname(schemaDir), { recursive: true });
    const staging = `${schemaDir}.tmp`;
    fs.rmSync(staging, { recursive: true, force: true });
    fs.cpSync(source, staging, { recursive: true });
    // The module cache is read-only; the copy is ours to delete later.
    chmodTree(staging);
    fs.renameSync(staging, schemaDir);
    log(`[temporal] schemas copied to ${schemaDir}`);
  }
  return { server, sqlTool, schemaDir };
}

function chmodTree(dir: string): void {
  fs.chmodSync(dir, 0o755);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) chmodTree(p);
    else fs.chmodSync(p, 0o644);
  }
}

function findCachedSdkCli(): string | undefined {
  const tmp = process.env.TMPDIR ?? '/tmp';
  for (const entry of fs.readdirSync(tmp)) {
    const candidate = path.join(tmp, entry);
    if (entry.startsWith('temporal-sdk') && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

export interface DevServerOptions {
  cliPath: string;
  port: number;
  uiPort?: number;
  /** File of the server's SQLite state; omit for in-memory. */
  dbFile?: string;
  namespace?: string;
  /** Faster, less durable SQLite settings, for test runs only. */
  fastUnsafe?: boolean;
  logFile?: string;
  /** Own process group (npm start): a terminal Ctrl-C reaches only the parent, which stops it after the worker. */
  detached?: boolean;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `temporal server start-dev` and resolves once its frontend accepts connections. */
export async function startTemporalDevServer(opts: DevServerOptions): Promise<DevServer> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port), '--namespace', opts.namespace ?? 'default', '--log-level', 'warn'];
  if (opts.uiPort) args.push('--ui-port', String(opts.uiPort));
  else args.push('--headless');
  if (opts.dbFile) {
    fs.mkdirSync(path.dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile);
  }
  if (opts.fastUnsafe) args.push('--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=off');
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${name}=${type}`);
  // Workflow Updates and schedules need these dynamic-config switches on the dev server.
  args.push('--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true');
  args.push('--dynamic-config-value', 'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true');

  const out = opts.logFile ? fs.openSync(opts.logFile, 'a') : 'ignore';
  const child = spawn(opts.cliPath, args, { stdio: ['ignore', out, out], detached: opts.detached ?? false });
  const address = `127.0.0.1:${opts.port}`;
  let exited: string | undefined;
  child.on('exit', (code, signal) => {
    exited = `exit ${code ?? signal}`;
  });

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`temporal dev server stopped during start (${exited}); see ${opts.logFile ?? 'its output'}`);
    if (await canConnect('127.0.0.1', opts.port)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('temporal dev server did not open its port within 60 s');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    address,
    uiUrl: opts.uiPort ? `http://127.0.0.1:${opts.uiPort}` : undefined,
    process: child,
    stop: () => stopChild(child),
  };
}

/** Sends SIGTERM, then SIGKILL after a grace period; resolves when the process is gone. */
export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      const p = typeof addr === 'object' && addr ? addr.port : 0;
      server.close(() => resolve(p));
    });
  });
}
