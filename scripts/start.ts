/**
 * `npm start`: the whole system on embedded defaults — Temporal dev server
 * (state in data/temporal), Postgres (data/postgres), the worker and the API,
 * each worker/API as its own process. Ctrl-C / SIGTERM stops all of them.
 * With TEMPORAL_MODE=cluster (`npm run cluster`), the real Temporal server
 * instead: frontend, history, matching and worker services as separate
 * processes on Postgres (runtime/temporal-cluster.ts), and WORKERS (default 2)
 * product workers on the one task queue.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../runtime/config';
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedPg } from '../runtime/postgres-server';
import { startTemporalCluster, type TemporalCluster } from '../runtime/temporal-cluster';
import { ensureTemporalCli, PROJECT_ROOT, startTemporalDevServer, stopChild, type DevServer } from '../runtime/temporal-server';
import { DEFAULT_PRINT_FONT } from '../runtime/print-font';
import { aptInstall, hasAptGet } from '../runtime/apt';

const log = (msg: string) => console.log(`[start] ${msg}`);

/**
 * The printed 审批单 (PDF) is set in Debian's fonts-noto-cjk: on a machine without it, install it once. Without the
 * font the system still runs (the API logs it and the PDF requests answer 503), so a failed install only warns.
 */
function ensurePrintFont(fontPath: string): void {
  if (fontPath !== DEFAULT_PRINT_FONT.path || fs.existsSync(fontPath)) return;
  try {
    if (!hasAptGet()) throw new Error('apt-get is not available');
    log('打印字体缺失，正在安装 / the print font is missing: installing fonts-noto-cjk (once)');
    aptInstall(['fonts-noto-cjk'], log);
  } catch (err) {
    log(`未能安装打印字体 / could not install the print font (${err instanceof Error ? err.message : String(err)}); PDFs answer 503 until it is there`);
  }
}

async function main() {
  const started = Date.now();
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  fs.mkdirSync(config.DATA_DIR, { recursive: true });
  ensurePrintFont(config.PRINT_FONT_PATH);
  // The demo users (password demo-password) are loaded on a first start outside production only;
  // loadConfig above has already refused SEED_DEMO=true with NODE_ENV=production.
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: config.DATA_DIR, SEED_DEMO: process.env.SEED_DEMO ?? String(config.NODE_ENV !== 'production') };
  let pg: EmbeddedPg | undefined;
  let temporal: DevServer | undefined;
  let cluster: TemporalCluster | undefined;
  const children: ChildProcess[] = [];
  let stopping = false;

  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('正在停止 / stopping: API and worker first (the worker drains its tasks)…');
    await Promise.all(children.map((c) => stopChild(c, 20_000)));
    if (temporal) {
      log('stopping Temporal');
      await temporal.stop();
    }
    if (cluster) {
      log('stopping the Temporal cluster');
      await cluster.stop();
    }
    if (pg) {
      log('stopping Postgres');
      await pg.stop();
    }
    log('已全部停止 / all stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    if (!config.DATABASE_URL) {
      log(`启动内置 Postgres / starting embedded Postgres on 127.0.0.1:${config.EMBEDDED_PG_PORT} (data: ${path.join(config.DATA_DIR, 'postgres')})`);
      // We stop Postgres last, after the worker has drained.
      pg = await startEmbeddedPostgres({ dataDir: path.join(config.DATA_DIR, 'postgres'), port: config.EMBEDDED_PG_PORT, log, callerHandlesSignals: true });
      await ensureDatabase(pg.url('postgres'), 'union_drive');
      env.DATABASE_URL = pg.url('union_drive');
    }
    const clusterMode = !config.TEMPORAL_ADDRESS && config.TEMPORAL_MODE === 'cluster';
    if (clusterMode) {
      // The cluster's own databases (temporal, temporal_visibility) on the same Postgres server as the app's.
      const adminDatabaseUrl = pg ? pg.url('postgres') : config.DATABASE_URL!;
      const dataDir = path.join(config.DATA_DIR, 'temporal-cluster');
      // The cluster itself logs its history processes and shards as it starts them.
      log(`启动 Temporal 集群 / starting the Temporal cluster (config and logs: ${dataDir})`);
      cluster = await startTemporalCluster({
        adminDatabaseUrl,
        historyProcesses: config.TEMPORAL_HISTORY_PROCESSES,
        historyShards: config.TEMPORAL_HISTORY_SHARDS,
        namespace: config.TEMPORAL_NAMESPACE,
        dataDir,
        serverPath: config.TEMPORAL_SERVER_PATH,
        sqlToolPath: config.TEMPORAL_SQL_TOOL_PATH,
        log,
      });
      env.TEMPORAL_ADDRESS = cluster.address;
      log(
        `Temporal 集群已启动 / the Temporal cluster is up on ${cluster.address}: ${cluster
          .processes()
          .map((p) => `${p.name} (pid ${p.pid})`)
          .join(', ')}`,
      );
    } else if (!config.TEMPORAL_ADDRESS) {
      const cli = await ensureTemporalCli({ explicitPath: config.TEMPORAL_CLI_PATH, log });
      log(`启动 Temporal 开发服务器 / starting Temporal dev server (state: ${path.join(config.DATA_DIR, 'temporal', 'temporal.db')})`);
      temporal = await startTemporalDevServer({
        cliPath: cli,
        port: config.TEMPORAL_PORT,
        uiPort: config.TEMPORAL_UI_PORT,
        dbFile: path.join(config.DATA_DIR, 'temporal', 'temporal.db'),
        namespace: config.TEMPORAL_NAMESPACE,
        logFile: path.join(config.DATA_DIR, 'temporal', 'server.log'),
        detached: true,
      });
      temporal.process.on('exit', () => {
        if (!stopping) {
          log('Temporal dev server exited unexpectedly');
          void stopAll(1);
        }
      });
      env.TEMPORAL_ADDRESS = temporal.address;
      // Said at once (the banner below waits for the API): whoever watches the output knows where the UI is.
      log(`Temporal 已启动 / Temporal is up on ${temporal.address}${temporal.uiUrl ? `; Temporal Web UI: ${temporal.uiUrl}` : ''}`);
    }
    if (fs.existsSync(path.join(PROJECT_ROOT, 'web', 'package.json')) || fs.existsSync(path.join(PROJECT_ROOT, 'web', 'index.html'))) {
      const r = spawn('npm', ['run', '--silent', 'build:web', '--if-present'], { cwd: PROJECT_ROOT, stdio: 'inherit', env });
      await new Promise((resolve) => r.on('exit', resolve));
    }
    const tsx = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
    const run = (name: string, script: string) => {
      // Own process group: a terminal Ctrl-C reaches only this script, which stops the children in order.
      const child = spawn(tsx, [script], { cwd: PROJECT_ROOT, env: { ...env, STOP_WITH_PARENT: String(process.pid) }, stdio: 'inherit', detached: true });
      child.on('exit', (code, signal) => {
        if (!stopping) {
          log(`${name} exited (${code ?? signal}); stopping everything`);
          void stopAll(1);
        }
      });
      children.push(child);
    };
    // The API applies migrations and loads the demo data before it listens.
    run('api', 'api/main.ts');
    const apiUrl = `http://${config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST}:${config.PORT}`;
    await waitForReady(`${apiUrl}/healthz`, 120_000);
    const workers = config.WORKERS ?? (clusterMode ? 2 : 1);
    for (let i = 1; i <= workers; i++) run(workers > 1 ? `worker-${i}` : 'worker', 'runtime/worker-main.ts');
    await waitForReady(`${apiUrl}/readyz`, 60_000);
    log('----------------------------------------------------------------');
    log(`系统已启动 / ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    log(`API / web app:   ${apiUrl}   (health: ${apiUrl}/readyz)`);
    if (temporal?.uiUrl) log(`Temporal Web UI: ${temporal.uiUrl}`);
    log(
      `Temporal:        ${env.TEMPORAL_ADDRESS}${cluster ? ` (cluster: ${cluster.processes().length} server processes, ${workers} product worker${workers > 1 ? 's' : ''})` : ''}`,
    );
    log(`Postgres:        ${(env.DATABASE_URL ?? '').replace(/:[^:@/]+@/, ':***@')}`);
    if (env.SEED_DEMO === 'true') log('演示账号 / demo users: city.admin, city.reviewer, xinhua.staff, prov.reviewer … password demo-password');
    log('按 Ctrl-C 停止 / press Ctrl-C to stop');
  } catch (err) {
    console.error(err);
    await stopAll(1);
  }
}

async function waitForReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
