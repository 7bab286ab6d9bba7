/**
 * `npm run bench:approvals [N=300] [C=16]`: N three-step subsidy chains
 * (city review → province review → automated notice) driven to completion
 * through the HTTP API by C simulated approvers, on a system of its own.
 *
 * One run measures side by side, each on a fresh system: every engine of
 * ENGINES (the Temporal dev server; the Temporal server as a cluster with 1
 * and with 2 product workers) at every rate of RATES (0 = saturation: the
 * approvers go as fast as answers come; R = R approvals a second offered),
 * and ends with one table of the figures.
 *
 * Submitters (region staff) create the applications while the approvers
 * work: each approver loops — read its inbox, approve one task picked at
 * random from the page. Half the approvers are city reviewers (city.reviewer
 * and city.reviewer2 share one role task per application), half the
 * province reviewer, so two approvers often reach for the same task: the
 * loser's 409 is counted as a normal outcome, apart from errors.
 *
 * Parameters (argument NAME=value, or environment NAME / BENCH_NAME):
 *   ENGINES=dev,cluster:1,cluster:2   the systems to measure: dev (dev server, one worker) or cluster:W (W workers)
 *   RATES=0,30        approvals/s offered per run (0 = saturation)
 *   N=300             chains
 *   C=16              concurrent simulated approvers (≥ 2)
 *   SUBMITTERS=4      concurrent application creators
 *   INBOX_LIMIT=20    page size of each inbox read
 *   TIME_LIMIT=1200   seconds before the run gives up
 *   PROGRESS_EVERY=10 seconds between progress lines
 *   IDEMPOTENCY_KEYS=true   send an Idempotency-Key with every POST, as the API asks of clients, and retry
 *                     a 503 or a lost connection with the same key (up to 3 tries); false: no keys, no retries
 *   HISTORY_SAMPLE=100 chains whose Temporal histories are analysed after the run (queue waits, worker time)
 *   WORKER_OPTIONS=   JSON WorkerOptions for a tuned worker (bench/lib/worker-tuned.ts), e.g.
 *                     '{"maxConcurrentWorkflowTaskExecutions":100,"maxConcurrentWorkflowTaskPolls":20}'
 *   PROBE=10          after the run, chains driven one at a time on the idle system (latency floor per step)
 *   PROFILE=          comma list of processes to run with node --cpu-prof: worker, api
 *   KEEP=false        keep the temp folder with the processes' logs
 *   DATABASE_URL      use that server (a fresh database in it) instead of the embedded Postgres
 *   SUMMARY_FILE=     (internal) where a single run writes its figures as JSON for the side-by-side table
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { ApiClient } from './lib/http';
import { boolParam, intParam, machineInfo, printHeader, strParam } from './lib/params';
import { Counter, cpuReport, cpuSnapshot, fmtMs, latencyLine, MemoryWatch, pacer, PgActivitySampler, Recorder, seqScanReport, sleep } from './lib/stats';
import { abort, log, runBench, startSystem, type Engine } from './lib/system';
import { runSideBySide, type RunSummary } from './lib/side-by-side';
import { collectHistories, historyLines, historyTimeline, type HistoryStats } from './lib/temporal-history';

const ENGINES = strParam('ENGINES', 'dev,cluster:1,cluster:2');
const RATES = strParam('RATES', '0,30');
const SUMMARY_FILE = strParam('SUMMARY_FILE', '');
const N = intParam('N', 300, 1);
const C = intParam('C', 16, 2);
const SUBMITTERS = intParam('SUBMITTERS', 4, 1);
const INBOX_LIMIT = intParam('INBOX_LIMIT', 20, 1);
const TIME_LIMIT = intParam('TIME_LIMIT', 1200, 10);
const PROGRESS_EVERY = intParam('PROGRESS_EVERY', 10, 1);
const IDEMPOTENCY_KEYS = boolParam('IDEMPOTENCY_KEYS', true);
const HISTORY_SAMPLE = intParam('HISTORY_SAMPLE', 100, 0);
const WORKER_OPTIONS = strParam('WORKER_OPTIONS', '');
const KEEP = boolParam('KEEP', false);
const PROBE = intParam('PROBE', 10, 0);
const PROFILE = strParam('PROFILE', '')
  .split(',')
  .map((x) => x.trim())
  .filter((x): x is 'api' | 'worker' => x === 'api' || x === 'worker');

const STAFF = ['xinhua.staff', 'weidong.staff', 'zhanhe.staff', 'gongjiao.staff'];
/** Approver k: even → city (alternating the two city reviewers), odd → province. */
const approverUser = (k: number) => (k % 2 === 1 ? 'prov.reviewer' : k % 4 === 0 ? 'city.reviewer' : 'city.reviewer2');

/** `dev` or `cluster:W`. */
function parseEngine(spec: string): { engine: Engine; workers: number } {
  const m = /^(dev|cluster)(?::(\d+))?$/.exec(spec.trim());
  if (!m) {
    console.error(`bench: ENGINES entries are dev or cluster:W (got ${JSON.stringify(spec)})`);
    process.exit(2);
  }
  return { engine: m[1] as Engine, workers: m[2] ? Math.max(1, Number(m[2])) : 1 };
}

async function main(): Promise<number> {
  if (WORKER_OPTIONS) JSON.parse(WORKER_OPTIONS); // fail early on bad JSON
  const engines = ENGINES.split(',').filter((x) => x.trim());
  const rates = RATES.split(',').map((x) => Number(x.trim()));
  if (rates.some((r) => !Number.isFinite(r) || r < 0)) {
    console.error(`bench: RATES are numbers ≥ 0 (got ${JSON.stringify(RATES)})`);
    process.exit(2);
  }
  if (engines.length > 1 || rates.length > 1) {
    // Each engine × rate on a system of its own, one after the other, then the table.
    const params = {
      N,
      C,
      SUBMITTERS,
      INBOX_LIMIT,
      TIME_LIMIT,
      PROGRESS_EVERY,
      IDEMPOTENCY_KEYS,
      HISTORY_SAMPLE,
      WORKER_OPTIONS,
      KEEP,
      PROBE,
      PROFILE: PROFILE.join(','),
    };
    return runSideBySide(
      'bench/approvals.ts',
      engines.flatMap((e) => rates.map((r) => ({ ENGINES: e, RATES: String(r) }))),
      params,
    );
  }
  const { engine, workers } = parseEngine(engines[0] ?? 'dev');
  const OFFERED = rates[0] ?? 0;
  printHeader('bench:approvals — three-step subsidy chains through the HTTP API', {
    engine: engine === 'dev' ? 'Temporal dev server (SQLite), 1 worker' : `Temporal cluster (Postgres), ${workers} worker(s)`,
    offered: OFFERED ? `${OFFERED} approvals/s` : 'saturation (as fast as the approvers get answers)',
    N,
    C,
    SUBMITTERS,
    INBOX_LIMIT,
    TIME_LIMIT: `${TIME_LIMIT}s`,
    IDEMPOTENCY_KEYS,
    PROBE,
    PROFILE: PROFILE.join(',') || 'off',
    WORKER_OPTIONS: WORKER_OPTIONS || '(defaults of runtime/worker.ts)',
    approvers: `${Math.ceil(C / 2)} city (city.reviewer/city.reviewer2) + ${Math.floor(C / 2)} province (prov.reviewer)`,
    postgres: process.env.DATABASE_URL ? 'DATABASE_URL (fresh database)' : 'embedded',
  });
  const sys = await startSystem({
    engine,
    workers,
    workerOptions: WORKER_OPTIONS || undefined,
    keep: KEEP,
    profile: PROFILE,
  });
  log(sys.describe());
  const http = new ApiClient(sys.apiUrl);
  const tokens = new Map<string, string>();
  for (const u of [...STAFF, 'city.reviewer', 'city.reviewer2', 'prov.reviewer']) tokens.set(u, await http.login(u));
  const tok = (u: string) => tokens.get(u)!;
  const idem = (): Record<string, string> => (IDEMPOTENCY_KEYS ? { 'Idempotency-Key': crypto.randomUUID() } : {});
  /** Retried with the same Idempotency-Key: worth it only when there is one. */
  const retryable = (status: number) => IDEMPOTENCY_KEYS && (status === 0 || status === 503);

  // ---- measurement state ----
  const createLat = new Recorder();
  const inboxLat = new Recorder();
  const actionLat = new Recorder();
  const actionOkLat = new Recorder();
  const action409Lat = new Recorder();
  const stepLat = { city: new Recorder(), province: new Recorder() };
  const intervalAction = new Recorder();
  const intervalInbox = new Recorder();
  const createStatus = new Counter();
  const inboxStatus = new Counter();
  const actionStatus = new Counter();
  const actionByRole = new Counter();
  let emptyInboxReads = 0;
  let retries = 0;
  /** 503s with Retry-After: the API's admission control refused the request before doing anything. */
  let refused = 0;
  const slowApps = new Set<string>();
  let nextIndex = 0;
  let created = 0;
  let createFailed = 0;
  let submittersDone = false;
  let okActions = 0;
  let lastActionEnd = 0;
  let completed = 0;
  let approvedRows = 0;
  let noticeRows = 0;
  let otherFinal = 0;
  let tAllDone: number | undefined;
  let pollErrors = 0;

  const mem = new MemoryWatch(sys.components()).start(500);
  const pgSampler = new PgActivitySampler(sys.pool, sys.databaseName).start(200);
  const cpu0 = cpuSnapshot(sys.components());
  const t0 = performance.now();
  const t0Wall = Date.now();
  const deadline = t0 + TIME_LIMIT * 1000;
  const timeUp = () => performance.now() > deadline;
  const finished = () => tAllDone !== undefined;
  const stopLoops = () => finished() || abort.requested || timeUp();
  log(`running: ${N} chains, ${SUBMITTERS} submitters, ${C} approvers`);

  // ---- completion poller (SQL on the projections) ----
  const poller = (async () => {
    while (!abort.requested && !timeUp() && !finished()) {
      try {
        // Index-only counts (applications (type, status) index; subsidy_notices' primary key): the poll should not load the database.
        const { rows } = await sys.pool.query<{ approved: number; other: number; notices: number }>(
          `select (select count(*)::int from applications where type = 'subsidy' and status = 'approved') as approved,
                  (select count(*)::int from applications where type = 'subsidy' and status in ('rejected', 'withdrawn')) as other,
                  (select count(*)::int from subsidy_notices) as notices`,
        );
        approvedRows = rows[0]!.approved;
        otherFinal = rows[0]!.other;
        noticeRows = rows[0]!.notices;
        completed = Math.min(approvedRows, noticeRows);
        if (submittersDone && completed + otherFinal >= created && created > 0) tAllDone = performance.now();
      } catch {
        pollErrors += 1;
      }
      await sleep(500);
    }
  })();

  // ---- the inbox query's plan, once, with a backlog (mirrors db/approval-repository.ts listInbox for city.reviewer) ----
  let inboxPlan: string[] = [];
  const explainInbox = async () => {
    try {
      const backlog = (await sys.pool.query<{ n: number }>(`select count(*)::int as n from tasks where status = 'pending' and kind = 'approval'`)).rows[0]!.n;
      const { rows } = await sys.pool.query<{ 'QUERY PLAN': string }>(
        `explain (analyze, buffers, costs off)
         select t.*, a.type, a.status from tasks as t join applications as a on a.id = t.application_id
          where (t.assignee = 'city.reviewer' or (t.assignee is null and t.org_id = 'pds' and t.role in ('reviewer')))
            and t.status = 'pending' and t.kind = 'approval' and a.type = 'subsidy'
          order by t.created_at desc, t.id desc limit ${INBOX_LIMIT + 1}`,
      );
      inboxPlan = [
        `inbox query plan at t=${((performance.now() - t0) / 1000).toFixed(0)}s, ${backlog} pending approval tasks:`,
        ...rows.map((r) => `  ${r['QUERY PLAN']}`),
      ];
    } catch (e) {
      inboxPlan = [`inbox query plan: unavailable (${String(e)})`];
    }
  };
  let explained = false;

  // ---- submitters ----
  const submitter = async () => {
    while (!abort.requested && !timeUp()) {
      const i = nextIndex++;
      if (i >= N) return;
      const user = STAFF[i % STAFF.length]!;
      const body = {
        type: 'subsidy',
        title: `快递网点建会补助申请 #${i + 1}`,
        amount: 1000 + (i % 50) * 100,
        reason: '新建快递行业基层工会，申请建会经费补助',
      };
      const key = idem();
      for (let attempt = 1; ; attempt++) {
        if (attempt > 1) retries += 1;
        const r = await http.call('POST', '/api/applications', { token: tok(user), body, headers: key });
        createLat.add(r.ms);
        createStatus.inc(String(r.status));
        if (r.status === 201) {
          created += 1;
          if (!explained && created >= N / 2) {
            explained = true;
            void explainInbox();
          }
          break;
        }
        if (r.retryAfterMs) refused += 1;
        if (retryable(r.status) && attempt < 10 && !stopLoops()) {
          // Admission control's 503 says when to come back; a 503 without it (Temporal's deadline) is retried soon.
          await sleep(r.retryAfterMs ?? 200 * attempt);
          continue;
        }
        createFailed += 1;
        if (createFailed <= 5 && !abort.requested) log(`create failed: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
        break;
      }
    }
  };
  const submitters = Promise.all(Array.from({ length: SUBMITTERS }, () => submitter())).then(() => {
    submittersDone = true;
  });

  // ---- approvers ----
  // An offered rate spaces the approve POSTs of all approvers evenly (a slot every 1/OFFERED s).
  const pace = pacer(OFFERED);
  const approver = async (k: number) => {
    const user = approverUser(k);
    const role = user === 'prov.reviewer' ? 'province' : 'city';
    let idle = 10;
    while (!stopLoops()) {
      const inbox = await http.call<{ items: { id: string; applicationId: string }[] }>('GET', `/api/tasks?status=pending&type=subsidy&limit=${INBOX_LIMIT}`, {
        token: tok(user),
      });
      inboxLat.add(inbox.ms);
      intervalInbox.add(inbox.ms);
      inboxStatus.inc(String(inbox.status));
      if (inbox.status !== 200) {
        await sleep(100);
        continue;
      }
      const items = inbox.body.items;
      if (!items.length) {
        emptyInboxReads += 1;
        await sleep(idle);
        idle = Math.min(idle * 2, 200);
        continue;
      }
      idle = 10;
      const task = items[Math.floor(Math.random() * items.length)]!;
      const key = idem();
      await pace();
      let r = await http.call('POST', `/api/tasks/${encodeURIComponent(task.id)}/actions`, {
        token: tok(user),
        body: { action: 'approve', comment: '同意' },
        headers: key,
      });
      for (let attempt = 2; retryable(r.status) && attempt <= 10 && !abort.requested; attempt++) {
        // The API's 503 asks for a retry with the same Idempotency-Key (the first try may yet take effect);
        // admission control's says when (Retry-After).
        actionLat.add(r.ms);
        actionStatus.inc(`${r.status} (retried)`);
        retries += 1;
        if (r.retryAfterMs) refused += 1;
        else if (slowApps.size < 20) slowApps.add(task.applicationId);
        await sleep(r.retryAfterMs ?? 200);
        r = await http.call('POST', `/api/tasks/${encodeURIComponent(task.id)}/actions`, {
          token: tok(user),
          body: { action: 'approve', comment: '同意' },
          headers: key,
        });
      }
      lastActionEnd = performance.now();
      actionLat.add(r.ms);
      intervalAction.add(r.ms);
      actionStatus.inc(String(r.status));
      if (r.ms > 5000 && slowApps.size < 20) slowApps.add(task.applicationId);
      if (r.status === 200) {
        okActions += 1;
        actionOkLat.add(r.ms);
        stepLat[role].add(r.ms);
        actionByRole.inc(role);
      } else if (r.status === 409) {
        action409Lat.add(r.ms);
      } else if (actionStatus.get(String(r.status)) <= 3 && !abort.requested) {
        log(`action ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
      }
    }
  };
  const approvers = Promise.all(Array.from({ length: C }, (_, k) => approver(k)));

  // ---- progress ----
  let lastOk = 0;
  let lastAt = t0;
  const progress = setInterval(() => {
    if (abort.requested) return;
    const now = performance.now();
    const a = intervalAction.drain().summary();
    const inb = intervalInbox.drain().summary();
    const rate = (okActions - lastOk) / ((now - lastAt) / 1000);
    lastOk = okActions;
    lastAt = now;
    log(
      `t=${((now - t0) / 1000).toFixed(0)}s created=${created}/${N} completed=${completed} approvals=${okActions} (${rate.toFixed(1)}/s) 409=${actionStatus.get('409')} ` +
        `action p50/p99=${fmtMs(a.p50)}/${fmtMs(a.p99)} inbox p50/p99=${fmtMs(inb.p50)}/${fmtMs(inb.p99)} load=${machineInfo().loadavg[0]}`,
    );
  }, PROGRESS_EVERY * 1000);

  await submitters;
  await Promise.all([approvers, poller]);
  clearInterval(progress);
  if (abort.requested) {
    log(
      `aborted (${abort.reason}) after ${((performance.now() - t0) / 1000).toFixed(1)} s: ${created} created, ${completed} completed, ${okActions} approvals — no report`,
    );
    return 130;
  }
  const tEnd = tAllDone ?? performance.now();
  const cpu1 = cpuSnapshot(sys.components());
  pgSampler.stop();
  mem.stop();
  const wallS = (tEnd - t0) / 1000;
  sys.setProfileWindow(t0Wall, t0Wall + (tEnd - t0));
  const actionWindowS = ((lastActionEnd || tEnd) - t0) / 1000;

  // ---- verification ----
  const byStatus = (
    await sys.pool.query<{ status: string; n: number }>(
      `select status, count(*)::int as n from applications where type = 'subsidy' group by status order by status`,
    )
  ).rows;
  const notices = (
    await sys.pool.query<{ n: number }>(
      `select count(*)::int as n from subsidy_notices n join applications a on a.id = n.application_id where a.type = 'subsidy'`,
    )
  ).rows[0]!.n;
  const notExactlyOne = (
    await sys.pool.query<{ n: number }>(
      `select count(*)::int as n from applications a where a.type = 'subsidy' and (select count(*) from subsidy_notices s where s.application_id = a.id) <> 1`,
    )
  ).rows[0]!.n;
  const taskRows = (
    await sys.pool.query<{ status: string; decision: string | null; n: number }>(
      `select status, decision, count(*)::int as n from tasks where kind = 'approval' group by status, decision order by status, decision`,
    )
  ).rows;
  const chainTimes = (
    await sys.pool.query<{ p50: number; p95: number; p99: number; max: number }>(
      `select percentile_cont(0.5) within group (order by s) as p50, percentile_cont(0.95) within group (order by s) as p95,
              percentile_cont(0.99) within group (order by s) as p99, max(s) as max
         from (select extract(epoch from updated_at - created_at)::float8 * 1000 as s from applications where type = 'subsidy' and status = 'approved') x`,
    )
  ).rows[0]!;
  let runningWorkflows: number | string = '?';
  for (let i = 0; i < 20; i++) {
    // Visibility is updated asynchronously: give it a few seconds to settle.
    runningWorkflows = await sys.temporal.workflow
      .count(`WorkflowType = 'approvalWorkflow' AND ExecutionStatus = 'Running'`)
      .then((r) => r.count)
      .catch((e: unknown) => `count failed: ${String(e)}`);
    if (runningWorkflows === 0 || typeof runningWorkflows === 'string') break;
    await sleep(500);
  }
  const approvedN = byStatus.find((r) => r.status === 'approved')?.n ?? 0;
  const approveTasks = taskRows.filter((r) => r.status === 'completed' && r.decision === 'approve').reduce((n, r) => n + r.n, 0);
  const pendingTasks = taskRows.filter((r) => r.status === 'pending').reduce((n, r) => n + r.n, 0);
  const checks: [string, boolean][] = [
    [`all ${N} applications created (created ${created}, failed ${createFailed})`, created === N],
    [
      `all ${N} applications 'approved' (by status: ${byStatus.map((r) => `${r.status} ${r.n}`).join(', ') || 'none'})`,
      approvedN === N && byStatus.length === 1,
    ],
    [`exactly one subsidy_notices row per application (${notices} notices; ${notExactlyOne} applications with ≠ 1)`, notices === N && notExactlyOne === 0],
    [`exactly 2 approve decisions per chain, none twice: ${approveTasks} completed approve tasks (expected ${2 * N})`, approveTasks === 2 * N],
    [`no pending approval tasks left (${pendingTasks})`, pendingTasks === 0],
    [`no approvalWorkflow still running in Temporal (${runningWorkflows})`, runningWorkflows === 0],
  ];
  const verified = checks.every(([, ok]) => ok);

  // ---- idle probe: one chain at a time, the latency floor of each step ----
  const probe = { city: new Recorder(), province: new Recorder(), create: new Recorder(), taskVisible: new Recorder(), notice: new Recorder() };
  let probeHistory: string[] = [];
  let probeFailures = 0;
  if (PROBE > 0 && !abort.requested) {
    log(`idle probe: ${PROBE} chains one at a time`);
    let lastId: string | undefined;
    for (let i = 0; i < PROBE && !abort.requested; i++) {
      const c = await http.call<{ id: string }>('POST', '/api/applications', {
        token: tok('xinhua.staff'),
        headers: idem(),
        body: { type: 'subsidy', title: `探测 #${i + 1}`, amount: 500, reason: '空载时延探测 / idle latency probe' },
      });
      probe.create.add(c.ms);
      if (c.status !== 201) {
        probeFailures += 1;
        continue;
      }
      const id = c.body.id;
      let ok = true;
      for (const [user, step] of [
        ['city.reviewer', 'city'],
        ['prov.reviewer', 'province'],
      ] as const) {
        const visibleFrom = performance.now();
        let taskId: string | undefined;
        while (!taskId && performance.now() - visibleFrom < 10_000) {
          const r = await http.call<{ items: { id: string; applicationId: string }[] }>('GET', '/api/tasks?status=pending&type=subsidy&limit=50', {
            token: tok(user),
          });
          taskId = r.body?.items?.find((t) => t.applicationId === id)?.id;
          if (!taskId) await sleep(5);
        }
        if (!taskId) {
          ok = false;
          break;
        }
        probe.taskVisible.add(performance.now() - visibleFrom);
        const a = await http.call('POST', `/api/tasks/${encodeURIComponent(taskId)}/actions`, {
          token: tok(user),
          body: { action: 'approve' },
          headers: idem(),
        });
        if (a.status !== 200) {
          ok = false;
          break;
        }
        probe[step].add(a.ms);
      }
      if (!ok) {
        probeFailures += 1;
        continue;
      }
      const from = performance.now();
      for (;;) {
        const r = await http.call<{ status: string; notice?: unknown }>('GET', `/api/applications/${id}`, { token: tok('xinhua.staff') });
        if (r.body?.status === 'approved' && r.body.notice) break;
        if (performance.now() - from > 10_000) {
          probeFailures += 1;
          break;
        }
        await sleep(5);
      }
      probe.notice.add(performance.now() - from);
      lastId = id;
    }
    if (lastId) probeHistory = await historyTimeline(sys.temporal, `application-${lastId}`, 'history of the last probe chain');
  }

  // ---- Temporal histories of a sample of the run's chains (and of the slowest actions') ----
  let histories: HistoryStats | undefined;
  let slowHistories: HistoryStats | undefined;
  if (HISTORY_SAMPLE > 0) {
    const sample = (
      await sys.pool.query<{ id: string }>(`select id from applications where type = 'subsidy' and title not like '探测%' order by random() limit $1`, [
        HISTORY_SAMPLE,
      ])
    ).rows.map((r) => `application-${r.id}`);
    histories = await collectHistories(sys.temporal, sample);
    if (slowApps.size)
      slowHistories = await collectHistories(
        sys.temporal,
        [...slowApps].map((a) => `application-${a}`),
      );
  }

  // ---- report ----
  const scans = await seqScanReport(sys.pool, [
    'applications',
    'tasks',
    'audit_log',
    'notifications',
    'subsidy_notices',
    'idempotency_keys',
    'orgs',
    'users',
    'chain_definitions',
    'calendar_overrides',
  ]);
  console.log('');
  console.log('=== results: bench:approvals ===');
  console.log(
    `outcome:       ${tAllDone ? 'all chains completed' : abort.requested ? `aborted (${abort.reason})` : `TIME_LIMIT ${TIME_LIMIT}s reached`} after ${wallS.toFixed(1)} s`,
  );
  console.log(`chains/s:      ${(completed / wallS).toFixed(1)}  (${completed} completed chains / ${wallS.toFixed(1)} s wall, first create → last notice)`);
  console.log(
    `actions/s:     ${(okActions / actionWindowS).toFixed(1)} successful approvals/s; ${(actionLat.count / actionWindowS).toFixed(1)} action POSTs/s incl. 409s (over ${actionWindowS.toFixed(1)} s)`,
  );
  console.log(`               successful approvals by step: ${actionByRole.toString()}`);
  console.log('latency (client-side, request → body read):');
  console.log(latencyLine('  POST /api/tasks/:id/actions (all)', actionLat));
  console.log(latencyLine('    … 200 (approved)', actionOkLat));
  console.log(latencyLine('    … 200, city step', stepLat.city));
  console.log(latencyLine('    … 200, province step (+ notice)', stepLat.province));
  console.log(latencyLine('    … 409 (lost the race)', action409Lat));
  console.log(latencyLine('  GET /api/tasks (inbox)', inboxLat));
  console.log(latencyLine('  POST /api/applications', createLat));
  console.log(
    `  chain end-to-end (created → approved, includes time waiting in inboxes): p50=${fmtMs(chainTimes.p50)} p95=${fmtMs(chainTimes.p95)} p99=${fmtMs(chainTimes.p99)} max=${fmtMs(chainTimes.max)}`,
  );
  if (PROBE > 0) {
    console.log(`idle probe (${PROBE} chains one at a time after the run${probeFailures ? `, ${probeFailures} failed` : ''}):`);
    console.log(latencyLine('  POST /api/applications', probe.create));
    console.log(latencyLine('  approve, city step', probe.city));
    console.log(latencyLine('  approve, province step', probe.province));
    console.log(latencyLine('  task visible in the inbox after', probe.taskVisible));
    console.log(latencyLine('  province approve → notice shown', probe.notice));
    for (const l of probeHistory) console.log(l);
  }
  const printHistory = (label: string, h: HistoryStats | undefined) => {
    if (!h) return;
    console.log(
      `${label}: ${h.workflows} workflows, ${(h.events / Math.max(1, h.workflows)).toFixed(0)} events each${h.failed ? `, ${h.failed} unreadable` : ''}`,
    );
    for (const l of historyLines(h, latencyLine)) console.log(l);
  };
  printHistory(
    "Temporal histories of a random sample of the run's chains (schedule → start = waiting for the worker; start → complete = worker time incl. local activities)",
    histories,
  );
  printHistory('… of the chains behind actions slower than 5 s or retried', slowHistories);
  console.log('responses by status:');
  console.log(`  actions: ${actionStatus.toString()}   (409 = another approver won the task; counted apart from errors)`);
  console.log(`  retries with the same Idempotency-Key: ${retries} (${refused} after admission control's 503 with Retry-After)`);
  console.log(`  inbox:   ${inboxStatus.toString()}   (${emptyInboxReads} reads found the inbox empty)`);
  console.log(`  create:  ${createStatus.toString()}`);
  const errors = [...actionStatus.counts, ...inboxStatus.counts, ...createStatus.counts].filter(([s]) => !['200', '201', '409'].includes(s));
  console.log(
    `  errors (not 2xx/409): ${errors.length ? errors.map(([s, n]) => `${s}: ${n}`).join(', ') : 'none'}${pollErrors ? `; completion poll errors ${pollErrors}` : ''}`,
  );
  if (errors.length) {
    console.log('  first errors in the API log:');
    for (const l of apiErrors(sys.logs.api, 5)) console.log(`    ${l}`);
  }
  console.log('memory:');
  for (const l of mem.lines()) console.log(l);
  console.log('CPU during the run:');
  for (const l of cpuReport(cpu0, cpu1, machineInfo().cores)) console.log(l);
  console.log('Postgres activity (pg_stat_activity sampled every 200 ms; avg backends per query shape):');
  for (const l of pgSampler.lines(10)) console.log(l);
  console.log('table scans (pg_stat_user_tables; the completion poll counts applications and subsidy_notices every 500 ms):');
  for (const l of scans) console.log(l);
  for (const l of inboxPlan) console.log(l);
  const s = actionLat.summary();
  console.log('targets (issue): p99 action latency < 100 ms, ≥ 100 actions/s:');
  console.log(
    `  p99 action latency ${fmtMs(s.p99)} → ${s.p99 < 100 ? 'met' : 'NOT met'}; ${(okActions / actionWindowS).toFixed(1)} approvals/s → ${okActions / actionWindowS >= 100 ? 'met' : 'NOT met'}`,
  );
  console.log('verification:');
  for (const [name, ok] of checks) console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${name}`);
  const unanswered = approveTasks - okActions;
  console.log(
    `  info ${okActions} approve POSTs were answered 200` +
      (unanswered > 0
        ? `; ${unanswered} decisions took effect although their POST ended in 503 (after ${IDEMPOTENCY_KEYS ? '3 tries with the same Idempotency-Key' : 'one try, no key'})`
        : ''),
  );
  console.log(`load avg at end: ${machineInfo().loadavg.join(' / ')}`);
  if (SUMMARY_FILE) {
    const ok = actionOkLat.summary();
    const chains = Math.max(1, completed);
    const summary: RunSummary = {
      label: engine === 'dev' ? 'dev server' : `cluster, ${workers} worker${workers > 1 ? 's' : ''}`,
      offered: OFFERED,
      verified,
      chains: completed,
      wallS,
      chainsPerS: completed / wallS,
      approvalsPerS: okActions / actionWindowS,
      approve: { p50: ok.p50, p95: ok.p95, p99: ok.p99 },
      errors: errors.reduce((n, [, k]) => n + k, 0),
      refused,
      eventsPerChain: histories?.workflows ? histories.events / histories.workflows : NaN,
      workflowTasksPerChain: histories?.workflows ? histories.wftRun.count / histories.workflows : NaN,
      cpuPerChain: Object.fromEntries(
        sys.components().map((c) => [c.name, ((cpu1.perComponent[c.name] ?? NaN) - (cpu0.perComponent[c.name] ?? NaN)) / chains]),
      ),
      peakRssMiB: Object.fromEntries(sys.components().map((c) => [c.name, mem.peakOf(c.name)])),
    };
    fs.writeFileSync(SUMMARY_FILE, JSON.stringify(summary));
  }
  return verified ? 0 : 1;
}

/** The first `n` error entries of the API's pino log, shortened. */
function apiErrors(file: string, n: number): string[] {
  try {
    const out: string[] = [];
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      if (!line.startsWith('{')) continue;
      const e = JSON.parse(line) as {
        level?: number;
        time?: number;
        msg?: string;
        path?: string;
        err?: { type?: string; message?: string; code?: string | number };
      };
      if ((e.level ?? 0) < 50) continue;
      out.push(
        `${e.time ? new Date(e.time).toISOString().slice(11, 23) : ''} ${e.msg ?? ''} ${e.path ?? ''}: ${e.err?.type ?? ''} code=${String(e.err?.code ?? '')} ${(e.err?.message ?? '').slice(0, 200)}`,
      );
      if (out.length >= n) break;
    }
    return out.length ? out : ['(none logged)'];
  } catch (err) {
    return [`(unreadable: ${String(err)})`];
  }
}

runBench(main);
