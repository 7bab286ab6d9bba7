/**
 * The embedded Temporal dev server (`temporal server start-dev`), used when
 * TEMPORAL_ADDRESS is unset. Finds the CLI binary (TEMPORAL_CLI_PATH, PATH,
 * tools/bin), building it with `go install` when missing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
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

  const go = onPath('go') ?? (fs.existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
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
