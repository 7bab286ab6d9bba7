/**
 * `npm run bench:temporal-floor [ENGINES=dev,cluster] [RATES=0,30] [N=300] [C=16]`: what Temporal alone costs per approval chain on
 * this machine — the floor under bench:approvals.
 *
 * Each run drives N chains of bench/floor/workflow.ts, the product's two-approval chain reduced to its calls to
 * Temporal: a start whose first workflow task runs one local activity and arms a timer, then one Workflow Update per
 * approval, each running one local activity (19 history events, as the product's chain). The local activity returns at
 * once: no database, no HTTP, no rules. C loops each take the next chain and drive it to the end (start, then its
 * approvals one after another) through @temporalio/client in this process, as the API does.
 *
 * It prints chains/s, approvals/s, start and approval latencies, events and workflow tasks per chain, and CPU-seconds
 * per chain of each process: the Temporal server (dev server, or each cluster service and its Postgres), the worker,
 * and this process's client. The product cannot cost less per chain than this; bench:approvals measures what it adds.
 *
 * Parameters (argument NAME=value, or environment NAME / BENCH_NAME):
 *   ENGINES=dev,cluster  Temporal engines to measure, one fresh system each: dev (the dev server, SQLite) or cluster
 *                        (the Temporal server's services as separate processes on Postgres)
 *   RATES=0,30           approvals/s offered, one run per engine and rate: 0 = saturation (each loop sends the next
 *                        call when the last one answered); R = the approvals of all loops spaced evenly, R a second
 *   N=300                chains per run
 *   C=16                 chains driven at once
 *   STEPS=2              approvals per chain (the product's subsidy chain: city and province)
 *   KEEP=false           keep the temp folder with the processes' logs
 *   DATABASE_URL         the cluster's Postgres (its own databases there) instead of an embedded one
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { connectTemporal } from '../runtime/temporal-client';
import { PROJECT_ROOT, stopChild } from '../runtime/temporal-server';
import { approveUpdate, floorChain } from './floor/workflow';
import { boolParam, intParam, machineInfo, printHeader, strParam } from './lib/params';
import { recordPid } from './lib/reaper';
import { cpuReport, cpuSnapshot, latencyLine, MemoryWatch, pacer, Recorder, type Component } from './lib/stats';
import { abort, cleanup, log, onCleanup, runBench, runFolder, startEngine, startPostgres, waitForPollers, type Engine } from './lib/system';
import { collectHistories, historyLines } from './lib/temporal-history';

const ENGINES = strParam('ENGINES', 'dev,cluster');
const RATES = strParam('RATES', '0,30');
const N = intParam('N', 300, 1);
const C = intParam('C', 16, 1);
const STEPS = intParam('STEPS', 2, 1);
const KEEP = boolParam('KEEP', false);

/** Payload sizes as the product's chain (recorded v6 histories): start input ~1.5 kB, each approval's answer ~3.5 kB. */
const APPLICATION = 'a'.repeat(1_500);
const VIEW = 'v'.repeat(3_500);
const COMMENT = '同意 / approved';

interface FloorFigures {
  engine: Engine;
  offered: number;
  chainsPerS: number;
  approvalsPerS: number;
  approve: Recorder;
  eventsPerChain: number;
  wftsPerChain: number;
  cpuPerChain: Record<string, number>;
}

async function runEngine(engine: Engine, offered: number): Promise<FloorFigures> {
  const { runId, dataDir } = runFolder(KEEP);
  const pg = engine === 'cluster' ? await startPostgres(dataDir) : undefined;
  const temporalLog = path.join(dataDir, 'temporal.log');
  const server = await startEngine({ engine, dataDir, runId, adminUrl: pg?.adminUrl ?? '', embedded: !!pg?.embedded, logFile: temporalLog });
  const taskQueue = `floor-${runId}`;

  const workerLog = path.join(dataDir, 'worker.log');
  const out = fs.openSync(workerLog, 'a');
  const worker = spawn(process.execPath, ['--import', 'tsx', 'bench/floor/worker.ts'], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TEMPORAL_ADDRESS: server.address, TASK_QUEUE: taskQueue, STOP_WITH_PARENT: String(process.pid) },
    stdio: ['ignore', out, out],
    detached: true,
  });
  fs.closeSync(out);
  recordPid(dataDir, 'worker', worker.pid);
  let stopping = false;
  worker.on('exit', (code, signal) => {
    if (stopping) return;
    abort.requested = true;
    abort.reason = `worker exited (${code ?? signal}); see ${workerLog}`;
  });
  onCleanup(async () => {
    stopping = true;
    log('stopping the worker');
    await stopChild(worker, 20_000);
  });

  const { client, connection } = await connectTemporal(server.address, 'default');
  onCleanup(() => connection.close().catch(() => undefined));
  await waitForPollers(client, taskQueue, 1, 240_000);
  log(`${engine}: worker polling; driving ${N} chains, ${C} at once, ${offered ? `${offered} approvals/s offered` : 'at saturation'}`);
  // An offered rate gives each approval a slot, every 1/offered s, shared by all loops.
  const awaitSlot = pacer(offered);

  const components: Component[] = [
    ...server.pids,
    { name: 'worker (node)', pid: worker.pid! },
    ...(pg?.pid ? [{ name: 'Postgres (all procs)', pid: pg.pid, tree: true }] : []),
  ];
  const memory = new MemoryWatch(components).start();
  const start = new Recorder();
  const approve = new Recorder();
  const ids: string[] = [];
  const failures: string[] = [];
  let next = 0;
  const before = cpuSnapshot(components);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (next < N && !abort.requested) {
        const workflowId = `floor-${runId}-${next++}`;
        ids.push(workflowId);
        try {
          let t = performance.now();
          const handle = await client.workflow.start(floorChain, { workflowId, taskQueue, args: [{ steps: STEPS, application: APPLICATION, view: VIEW }] });
          start.add(performance.now() - t);
          for (let step = 1; step <= STEPS; step++) {
            await awaitSlot();
            t = performance.now();
            await handle.executeUpdate(approveUpdate, { args: [{ step, comment: COMMENT }] });
            approve.add(performance.now() - t);
          }
          const approved = await handle.result();
          if (approved !== STEPS) failures.push(`${workflowId}: ${approved} approvals`);
        } catch (err) {
          failures.push(`${workflowId}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const after = cpuSnapshot(components);
  memory.stop();
  if (abort.requested) throw new Error(`stopped: ${abort.reason}`);

  const history = await collectHistories(client, ids);
  const cores = machineInfo().cores;
  const done = ids.length - failures.length;
  console.log(`\n--- ${engine}, ${offered ? `${offered} approvals/s offered` : 'saturation'} (${server.pids.map((p) => p.name).join(', ')}) ---`);
  console.log(
    `  chains completed: ${done} of ${ids.length} in ${seconds.toFixed(1)} s → ${(done / seconds).toFixed(1)} chains/s, ${((done * STEPS) / seconds).toFixed(1)} approvals/s`,
  );
  for (const f of failures.slice(0, 5)) console.log(`  failed: ${f}`);
  console.log(latencyLine('  start (workflow.start)', start));
  console.log(latencyLine('  approval (executeUpdate)', approve));
  console.log(
    `  history per chain: ${(history.events / Math.max(1, history.workflows)).toFixed(1)} events, ` +
      `${(history.wftRun.count / Math.max(1, history.workflows)).toFixed(1)} workflow tasks (${history.workflows} histories read, ${history.failed} unreadable)`,
  );
  for (const l of historyLines(history, latencyLine)) console.log(l);
  console.log('  CPU over the run:');
  for (const l of cpuReport(before, after, cores)) console.log(l.replace('load generator (this)', 'client (this process)'));
  const cpuPerChain: Record<string, number> = {};
  for (const name of Object.keys(after.perComponent)) cpuPerChain[name] = (after.perComponent[name]! - before.perComponent[name]!) / Math.max(1, done);
  cpuPerChain['client (this process)'] = (after.bench - before.bench) / Math.max(1, done);
  const total = Object.values(cpuPerChain).reduce((a, b) => a + b, 0);
  console.log(
    `  CPU-s per chain: ${Object.entries(cpuPerChain)
      .map(([k, v]) => `${k} ${v.toFixed(4)}`)
      .join(', ')}; all ${total.toFixed(4)}`,
  );
  console.log('  peak memory:');
  for (const l of memory.lines()) console.log(l);

  await cleanup();
  if (failures.length) throw new Error(`${failures.length} chains did not finish with ${STEPS} approvals`);
  return {
    engine,
    offered,
    chainsPerS: done / seconds,
    approvalsPerS: (done * STEPS) / seconds,
    approve,
    eventsPerChain: history.events / Math.max(1, history.workflows),
    wftsPerChain: history.wftRun.count / Math.max(1, history.workflows),
    cpuPerChain,
  };
}

runBench(async () => {
  const engines = ENGINES.split(',').map((e) => e.trim());
  for (const e of engines) {
    if (e !== 'dev' && e !== 'cluster') {
      console.error(`bench: ENGINES entries are dev or cluster (got ${JSON.stringify(e)})`);
      return 2;
    }
  }
  const rates = RATES.split(',').map((r) => Math.max(0, Number(r) || 0));
  printHeader('bench:temporal-floor — Temporal alone, per approval chain', { ENGINES, RATES, N, C, STEPS });
  const results: FloorFigures[] = [];
  for (const e of engines as Engine[]) for (const r of rates) results.push(await runEngine(e, r));
  console.log('\n=== side by side (the floor: no database, no HTTP, no rules) ===');
  console.log('| | ' + results.map((r) => `${r.engine}, ${r.offered ? `${r.offered}/s offered` : 'saturation'}`).join(' | ') + ' |');
  console.log('|---|' + results.map(() => '---').join('|') + '|');
  console.log('| approvals/s | ' + results.map((r) => r.approvalsPerS.toFixed(1)).join(' | ') + ' |');
  console.log('| chains/s | ' + results.map((r) => r.chainsPerS.toFixed(1)).join(' | ') + ' |');
  console.log(
    '| approval p50 / p95 / p99 ms | ' + results.map((r) => [50, 95, 99].map((p) => r.approve.percentile(p).toFixed(0)).join(' / ')).join(' | ') + ' |',
  );
  console.log(
    '| history events / workflow tasks per chain | ' + results.map((r) => `${r.eventsPerChain.toFixed(1)} / ${r.wftsPerChain.toFixed(1)}`).join(' | ') + ' |',
  );
  const sum = (r: FloorFigures) => Object.values(r.cpuPerChain).reduce((a, b) => a + b, 0);
  console.log('| CPU-s per chain, all processes | ' + results.map((r) => sum(r).toFixed(3)).join(' | ') + ' |');
  return 0;
});
