/**
 * `npm run bench:campaign`: one city-scale campaign on a system of its own —
 * 12 regions, 20,000 enterprise rows imported, 12 project lists of 100
 * projects approved by the city and the province through the inbox — and
 * how long the engine takes to fan out: until all 1,200 project workflows
 * run, and, after the advance to implementation, until all 1,200 projects
 * are in progress. GET /api/campaigns/:id is read throughout (busy) and
 * 200 times at the end (idle).
 *
 * Parameters (argument NAME=value, or environment NAME / BENCH_NAME):
 *   REGIONS=12               regions (the demo's 10 counties and 2 of its industry unions; staff users
 *                            are created for the regions the demo data has none for)
 *   PROJECTS=100             projects per region's list (70 % organizing, 30 % service)
 *   ROWS=20000               enterprise rows, spread evenly over the regions (CSV uploads)
 *   IMPORT_CONCURRENCY=4     uploads at a time
 *   LIST_CONCURRENCY=4       project-list submissions at a time
 *   READS=200                GET /api/campaigns/:id reads on the idle system at the end
 *   READ_INTERVAL=100        ms between the busy-phase reads (one reader, one read at a time)
 *   TIME_LIMIT=1800          seconds before the run gives up
 *   WORKER_OPTIONS=          JSON WorkerOptions for a tuned worker (bench/lib/worker-tuned.ts)
 *   PROFILE=                 comma list of processes to run with node --cpu-prof: worker, api
 *   HISTORY_SAMPLE=100       project workflows whose Temporal histories are analysed at the end
 *   KEEP=false               keep the temp folder with the processes' logs
 *   DATABASE_URL             use that server (a fresh database in it) instead of the embedded Postgres
 */
import { performance } from 'node:perf_hooks';
import { makeCreditCode } from '../domain/enterprise';
import { ApiClient, type CallResult } from './lib/http';
import { boolParam, intParam, machineInfo, printHeader, strParam } from './lib/params';
import {
  Counter,
  cpuReport,
  cpuSnapshot,
  fmtMs,
  latencyLine,
  MemoryWatch,
  PgActivitySampler,
  Recorder,
  seqScanReport,
  sleep,
  type CpuSnapshot,
} from './lib/stats';
import { abort, insertUsers, log, runBench, startSystem } from './lib/system';
import { collectHistories, historyLines, type HistoryStats } from './lib/temporal-history';

const ALL_REGIONS = [
  'pds-xinhua',
  'pds-shilong',
  'pds-weidong',
  'pds-wugang',
  'pds-zhanhe',
  'pds-ruzhou',
  'pds-gongjiao',
  'pds-baofeng',
  'pds-yexian',
  'pds-lushan',
  'pds-jiaxian',
  'pds-caimao',
];
const DEMO_STAFF: Record<string, string> = {
  'pds-xinhua': 'xinhua.staff',
  'pds-weidong': 'weidong.staff',
  'pds-zhanhe': 'zhanhe.staff',
  'pds-gongjiao': 'gongjiao.staff',
};
const GROUPS = ['courier', 'food_delivery', 'truck_driver', 'mall_staff'];
const ORGANIZING_TYPES = ['enterprise_union', 'industry_federation', 'regional_federation', 'joint_union', 'existing_union_growth'];
const SERVICE_TYPES = ['inclusive_service', 'training', 'seasonal_care', 'democratic_management', 'service_station'];

const REGIONS = intParam('REGIONS', 12, 1);
const PROJECTS = intParam('PROJECTS', 100, 1);
const ROWS = intParam('ROWS', 20_000, 1);
const IMPORT_CONCURRENCY = intParam('IMPORT_CONCURRENCY', 4, 1);
const LIST_CONCURRENCY = intParam('LIST_CONCURRENCY', 4, 1);
const READS = intParam('READS', 200, 0);
const READ_INTERVAL = intParam('READ_INTERVAL', 100, 0);
const TIME_LIMIT = intParam('TIME_LIMIT', 1800, 10);
const WORKER_OPTIONS = strParam('WORKER_OPTIONS', '');
const KEEP = boolParam('KEEP', false);
const HISTORY_SAMPLE = intParam('HISTORY_SAMPLE', 100, 0);
const PROFILE = strParam('PROFILE', '')
  .split(',')
  .map((x) => x.trim())
  .filter((x): x is 'api' | 'worker' => x === 'api' || x === 'worker');

const staffOf = (org: string) => DEMO_STAFF[org] ?? `${org.replace(/^pds-/, '')}.staff`;

/** Runs `fn` over `items`, `limit` at a time. */
async function pool<T>(items: T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length && !abort.requested) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

function fail(what: string, r: CallResult): never {
  throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`);
}

/** Survey CSV of one region: realistic mix of sizes (单建 ≥ 100, ≥ 25, 联建 < 25, some with a union). */
function surveyCsv(org: string, regionIndex: number, n: number): string {
  const header = 'name,creditCode,address,region,employees,groupCounts,hasUnion,reasonNoUnion,employerAttitude,operatingSince';
  const attitudes = ['supportive', 'neutral', 'resistant', 'unknown'];
  const lines = [header];
  for (let i = 0; i < n; i++) {
    const k = i % 10;
    const employees = k === 0 ? 100 + (i % 400) : k <= 3 ? 25 + (i % 75) : 3 + (i % 22);
    const hasUnion = k === 9;
    const code = makeCreditCode(`914104${String(regionIndex).padStart(2, '0')}${String(i).padStart(9, '0')}`);
    const g1 = GROUPS[i % GROUPS.length]!;
    const g2 = GROUPS[(i + 1) % GROUPS.length]!;
    const groupCounts = `${g1}:${Math.min(employees, 1 + (i % 7))};${g2}:${Math.min(employees, i % 3)}`;
    lines.push(
      [
        `${org}物流配送企业${i + 1}`,
        code,
        `平顶山市建设路${i + 1}号`,
        org,
        employees,
        groupCounts,
        hasUnion ? '是' : '否',
        hasUnion ? '' : '职工流动性大',
        attitudes[i % attitudes.length],
        `20${String(10 + (i % 14)).padStart(2, '0')}-0${1 + (i % 9)}-15`,
      ].join(','),
    );
  }
  return lines.join('\n');
}

function projectList(org: string, enterpriseIds: number[]) {
  const organizing = Math.round(PROJECTS * 0.7);
  return Array.from({ length: PROJECTS }, (_, j) =>
    j < organizing
      ? {
          kind: 'organizing',
          type: ORGANIZING_TYPES[j % ORGANIZING_TYPES.length],
          name: `${org} 建会项目 ${j + 1}`,
          location: org,
          plannedMembers: 20 + (j % 30),
          groups: [GROUPS[j % GROUPS.length]],
          responsibleUnit: `${org} 总工会`,
          dueDate: '2026-10-31',
          ...(enterpriseIds[j] !== undefined ? { enterprises: [enterpriseIds[j]] } : {}),
        }
      : {
          kind: 'service',
          type: SERVICE_TYPES[j % SERVICE_TYPES.length],
          name: `${org} 服务项目 ${j + 1}`,
          responsibleUnit: `${org} 总工会`,
          date: '2026-09-30',
          plannedCoverage: 200 + j,
        },
  );
}

async function main(): Promise<number> {
  if (REGIONS > ALL_REGIONS.length) throw new Error(`REGIONS must be at most ${ALL_REGIONS.length}`);
  if (WORKER_OPTIONS) JSON.parse(WORKER_OPTIONS);
  const regions = ALL_REGIONS.slice(0, REGIONS);
  const total = REGIONS * PROJECTS;
  printHeader('bench:campaign — one city-scale campaign through the HTTP API', {
    REGIONS,
    PROJECTS,
    ROWS,
    IMPORT_CONCURRENCY,
    LIST_CONCURRENCY,
    READS,
    READ_INTERVAL: `${READ_INTERVAL}ms`,
    TIME_LIMIT: `${TIME_LIMIT}s`,
    PROFILE: PROFILE.join(',') || 'off',
    WORKER_OPTIONS: WORKER_OPTIONS || '(defaults of runtime/worker.ts)',
    regions: regions.join(','),
    postgres: process.env.DATABASE_URL ? 'DATABASE_URL (fresh database)' : 'embedded',
  });
  const sys = await startSystem({
    workerOptions: WORKER_OPTIONS || undefined,
    keep: KEEP,
    profile: PROFILE,
  });
  log(sys.describe());

  // Staff users for the regions the demo data has none for (the API has loaded the demo data by now).
  const missing = regions.filter((r) => !DEMO_STAFF[r]);
  const orgNames = new Map((await sys.pool.query<{ id: string; name: string }>('select id, name from orgs')).rows.map((r) => [r.id, r.name]));
  await insertUsers(
    sys.pool,
    missing.map((org) => ({ username: staffOf(org), name: `${orgNames.get(org) ?? org}干事`, org, roles: ['staff'] })),
  );
  if (missing.length) log(`created staff users: ${missing.map(staffOf).join(', ')}`);

  const http = new ApiClient(sys.apiUrl, 300_000);
  const admin = await http.login('city.admin');
  const cityReviewer = await http.login('city.reviewer');
  const provReviewer = await http.login('prov.reviewer');
  const staffToken = new Map<string, string>();
  for (const org of regions) staffToken.set(org, await http.login(staffOf(org)));
  const csvs = regions.map((org, i) => {
    const n = Math.floor(ROWS / REGIONS) + (i < ROWS % REGIONS ? 1 : 0);
    return { org, n, csv: surveyCsv(org, i, n) };
  });

  const mem = new MemoryWatch(sys.components()).start(500);
  const pgSampler = new PgActivitySampler(sys.pool, sys.databaseName).start(200);
  const cpu: Record<string, CpuSnapshot> = { start: cpuSnapshot(sys.components()) };
  const snap = (name: string) => (cpu[name] = cpuSnapshot(sys.components()));
  const deadline = performance.now() + TIME_LIMIT * 1000;
  const checkTime = (what: string) => {
    if (abort.requested) throw new Error(`aborted (${abort.reason}) while ${what}`);
    if (performance.now() > deadline) throw new Error(`TIME_LIMIT ${TIME_LIMIT}s reached while ${what}`);
  };
  const status = new Counter();
  const marks: [string, number][] = [];

  // ---- launch ----
  const tLaunch = performance.now();
  const tLaunchWall = Date.now();
  const mark = (name: string) => {
    const t = performance.now() - tLaunch;
    marks.push([name, t]);
    log(`${name} (+${(t / 1000).toFixed(1)} s)`);
    return t;
  };
  const now = Date.now();
  const phases = (i: number) => new Date(now - 1000 + i * 3_600_000).toISOString();
  const launch = await http.call<{ id: string }>('POST', '/api/campaigns', {
    token: admin,
    body: {
      id: `bench-${now.toString(36)}`,
      name: `2026年平顶山市新就业形态劳动者建会入会集中行动（压测）`,
      year: 2026,
      cityOrg: 'pds',
      regions,
      groups: GROUPS,
      targets: { newMembers: 20 * total, newUnions: Math.max(1, Math.round(total * 0.7)) },
      phases: {
        survey: { start: phases(0), end: phases(1) },
        listing: { start: phases(1), end: phases(2) },
        implementation: { start: phases(2), end: phases(3) },
        assessment: { start: phases(3), end: phases(4) },
      },
      reportEvery: 'P60D',
    },
  });
  if (launch.status !== 201) fail('launch', launch);
  const id = launch.body.id;
  mark(`launched campaign ${id} (POST ${fmtMs(launch.ms)})`);

  // ---- one reader of GET /api/campaigns/:id throughout ----
  const busyReads = new Recorder();
  let readerStop = false;
  const reader = (async () => {
    while (!readerStop && !abort.requested) {
      const r = await http.call('GET', `/api/campaigns/${id}`, { token: admin });
      status.inc(`GET campaign ${r.status}`);
      if (r.status === 200) {
        busyReads.add(r.ms);
      }
      await sleep(READ_INTERVAL);
    }
  })();
  const waitFor = async (what: string, cond: () => Promise<boolean> | boolean, everyMs = 100) => {
    while (!(await cond())) {
      checkTime(`waiting for ${what}`);
      await sleep(everyMs);
    }
  };
  const phaseIs = async (phase: string) =>
    (await sys.pool.query<{ phase: string }>('select phase from campaigns where id = $1', [id])).rows[0]?.phase === phase;
  await waitFor('the survey phase', () => phaseIs('survey'));
  mark('survey open');

  // ---- survey import ----
  const uploadLat = new Recorder();
  let accepted = 0;
  snap('importStart');
  const tImport0 = performance.now();
  await pool(csvs, IMPORT_CONCURRENCY, async ({ org, n, csv }) => {
    const r = await http.call<{ accepted: number; rejected: unknown[] }>('POST', `/api/campaigns/${id}/regions/${org}/enterprises`, {
      token: staffToken.get(org),
      raw: csv,
      contentType: 'text/csv',
    });
    status.inc(`upload ${r.status}`);
    if (r.status !== 200) fail(`upload ${org}`, r);
    if (r.body.accepted !== n) fail(`upload ${org}: accepted ${r.body.accepted} of ${n}`, r);
    accepted += r.body.accepted;
    uploadLat.add(r.ms);
  });
  const importS = (performance.now() - tImport0) / 1000;
  snap('importEnd');
  mark(`imported ${accepted} rows in ${importS.toFixed(1)} s`);

  // Enterprise ids for the organizing projects (the regions' gap lists).
  const gapIds = new Map<string, number[]>();
  for (const org of regions) {
    const r = await http.call<{ items: { id: string }[] }>('GET', `/api/campaigns/${id}/regions/${org}/gaps?limit=${Math.min(5000, PROJECTS)}`, {
      token: staffToken.get(org),
    });
    if (r.status !== 200) fail(`gaps ${org}`, r);
    gapIds.set(
      org,
      r.body.items.map((e) => Number(e.id)),
    );
  }

  // ---- listing ----
  const adv1 = await http.call('POST', `/api/campaigns/${id}/advance`, { token: admin, body: { reason: '摸底工作提前完成 / survey done early' } });
  if (adv1.status !== 200) fail('advance to listing', adv1);
  await waitFor('the listing phase', () => phaseIs('listing'));
  mark(`listing open (advance POST ${fmtMs(adv1.ms)})`);

  const listLat = new Recorder();
  const listApps = new Map<string, string>();
  snap('listsStart');
  await pool(regions, LIST_CONCURRENCY, async (org) => {
    const r = await http.call<{ applicationId: string; projectIds: string[] }>('POST', `/api/campaigns/${id}/regions/${org}/projects`, {
      token: staffToken.get(org),
      body: { projects: projectList(org, gapIds.get(org) ?? []) },
    });
    status.inc(`project list ${r.status}`);
    if (r.status !== 201) fail(`project list ${org}`, r);
    if (r.body.projectIds.length !== PROJECTS) fail(`project list ${org}: ${r.body.projectIds.length} projects`, r);
    listApps.set(r.body.applicationId, org);
    listLat.add(r.ms);
  });
  mark(`${REGIONS} project lists submitted (${total} projects)`);

  // The city reviewer and the province reviewer work their inboxes.
  const approveLat = { city: new Recorder(), province: new Recorder() };
  let tLastApproval = 0;
  const reviewer = async (token: string, step: 'city' | 'province') => {
    let done = 0;
    while (done < REGIONS) {
      checkTime(`${step} approvals`);
      const inbox = await http.call<{ items: { id: string; applicationId: string }[] }>('GET', '/api/tasks?status=pending&type=project_list&limit=50', {
        token,
      });
      const mine = inbox.status === 200 ? inbox.body.items.filter((t) => listApps.has(t.applicationId)) : [];
      if (!mine.length) {
        await sleep(50);
        continue;
      }
      for (const t of mine) {
        const r = await http.call('POST', `/api/tasks/${encodeURIComponent(t.id)}/actions`, {
          token,
          body: { action: 'approve', comment: step === 'city' ? '汇总上报' : '同意立项' },
        });
        status.inc(`${step} approve ${r.status}`);
        if (r.status === 200) {
          done += 1;
          approveLat[step].add(r.ms);
          tLastApproval = performance.now();
        } else if (r.status !== 409) fail(`${step} approve`, r);
      }
    }
  };
  await Promise.all([reviewer(cityReviewer, 'city'), reviewer(provReviewer, 'province')]);
  snap('approved');
  const tApproved = mark(`all ${REGIONS} lists approved by city and province`);

  // ---- fan-out 1: until every project workflow runs ----
  let tMilestones: number | undefined;
  let tVisibility: number | undefined;
  let milestones = 0;
  let running = 0;
  let lastLog = 0;
  await waitFor(
    'all project workflows running',
    async () => {
      milestones = (
        await sys.pool.query<{ n: number }>(
          `select count(*)::int as n from project_events e join projects p on p.id = e.project_id
            where p.campaign_id = $1 and e.kind = 'milestone' and e.data->>'key' = 'approved'`,
          [id],
        )
      ).rows[0]!.n;
      running = await sys.temporal.workflow.count(`WorkflowType = 'projectWorkflow' AND ExecutionStatus = 'Running'`).then(
        (r) => r.count,
        () => running,
      );
      const t = performance.now() - tLaunch;
      if (tMilestones === undefined && milestones >= total) tMilestones = t;
      if (tVisibility === undefined && running >= total) tVisibility = t;
      if (t - lastLog > 5000) {
        lastLog = t;
        log(`fan-out: ${milestones}/${total} project workflows ran their first activity; ${running}/${total} Running in Temporal visibility`);
      }
      return tMilestones !== undefined && tVisibility !== undefined;
    },
    250,
  );
  snap('running');
  mark(`all ${total} project workflows running`);

  // ---- fan-out 2: advance to implementation, until every project is in progress ----
  const tAdvance = performance.now() - tLaunch;
  const adv2 = await http.call('POST', `/api/campaigns/${id}/advance`, { token: admin, body: { reason: '项目清单已全部批复 / all lists approved' } });
  if (adv2.status !== 200) fail('advance to implementation', adv2);
  let inProgress = 0;
  lastLog = 0;
  await waitFor(
    'all projects in progress',
    async () => {
      inProgress = (await sys.pool.query<{ n: number }>(`select count(*)::int as n from projects where campaign_id = $1 and status = 'in_progress'`, [id]))
        .rows[0]!.n;
      const t = performance.now() - tLaunch;
      if (t - lastLog > 5000) {
        lastLog = t;
        log(`implementation: ${inProgress}/${total} projects in progress`);
      }
      return inProgress >= total;
    },
    250,
  );
  const tInProgress = mark(`all ${total} projects in progress (advance POST ${fmtMs(adv2.ms)})`);
  snap('inProgress');
  readerStop = true;
  await reader;
  sys.setProfileWindow(tLaunchWall, tLaunchWall + tInProgress);

  // ---- idle reads ----
  const idleReads = new Recorder();
  for (let i = 0; i < READS && !abort.requested; i++) {
    const r = await http.call('GET', `/api/campaigns/${id}`, { token: admin });
    status.inc(`GET campaign ${r.status}`);
    if (r.status === 200) idleReads.add(r.ms);
  }
  pgSampler.stop();
  mem.stop();

  // ---- Temporal histories: the region workflows (children started, signals sent) and a sample of project workflows ----
  const regionHist = await collectHistories(
    sys.temporal,
    regions.map((org) => `campaign-${id}-region-${org}`),
  );
  const lastToRun = (
    await sys.pool.query<{ id: string }>(
      `select p.id from projects p join project_events e on e.project_id = p.id
        where p.campaign_id = $1 and e.kind = 'milestone' and e.data->>'key' = 'approved' order by e.at desc limit 5`,
      [id],
    )
  ).rows.map((r) => `project-${r.id}`);
  const sample = (
    await sys.pool.query<{ id: string }>(`select id from projects where campaign_id = $1 order by random() limit $2`, [id, HISTORY_SAMPLE])
  ).rows.map((r) => `project-${r.id}`);
  const projectHist = await collectHistories(sys.temporal, sample);
  const lastHist = await collectHistories(sys.temporal, lastToRun);

  // ---- verification ----
  const q1 = async (sql: string, args: unknown[] = []) => (await sys.pool.query<{ n: number }>(sql, args)).rows[0]!.n;
  const enterprises = await q1('select count(*)::int as n from enterprises where campaign_id = $1', [id]);
  const projects = await q1('select count(*)::int as n from projects where campaign_id = $1', [id]);
  const approvedLists = await q1(`select count(*)::int as n from campaign_regions where campaign_id = $1 and list_status = 'approved'`, [id]);
  const finalView = (await http.call('GET', `/api/campaigns/${id}`, { token: admin })).body;
  const viewInProgress = (finalView.regions as any[]).reduce((n: number, r: any) => n + (r.counts.projectsByStatus.in_progress ?? 0), 0);
  const checks: [string, boolean][] = [
    [
      `${ROWS} enterprise rows on file (${enterprises}; view says ${finalView.totals.enterprisesScreened})`,
      enterprises === ROWS && finalView.totals.enterprisesScreened === ROWS,
    ],
    [`${REGIONS} project lists approved (${approvedLists})`, approvedLists === REGIONS],
    [
      `${total} projects (${projects}), all in progress (${inProgress}; view says ${viewInProgress})`,
      projects === total && inProgress === total && viewInProgress === total,
    ],
    [`${total} project workflows Running in Temporal (${running}) and ran their first activity (${milestones})`, running === total && milestones === total],
    [`campaign in the implementation phase (${finalView.phase})`, finalView.phase === 'implementation'],
  ];
  const verified = checks.every(([, ok]) => ok);

  // ---- report ----
  const at = (t: number | undefined) => (t === undefined ? '—' : `${(t / 1000).toFixed(1)} s`);
  const cores = machineInfo().cores;
  const scans = await seqScanReport(sys.pool, [
    'enterprises',
    'projects',
    'project_events',
    'campaign_regions',
    'applications',
    'tasks',
    'audit_log',
    'campaigns',
    'upload_batches',
  ]);
  console.log('');
  console.log('=== results: bench:campaign ===');
  console.log(
    `import:        ${accepted} rows in ${importS.toFixed(1)} s = ${(accepted / importS).toFixed(0)} rows/s (${REGIONS} CSV uploads of ~${Math.round(ROWS / REGIONS)} rows, ${IMPORT_CONCURRENCY} at a time)`,
  );
  console.log(latencyLine('  POST …/enterprises (one upload)', uploadLat));
  console.log(`fan-out to ${total} running project workflows:`);
  console.log(
    `  launch → all running: ${at(tVisibility)} by Temporal visibility (WorkflowType='projectWorkflow' AND ExecutionStatus='Running'), ${at(tMilestones)} by their first activity's row (project_events milestone 'approved')`,
  );
  console.log(
    `  last list approval → all running: ${at(tVisibility === undefined ? undefined : tVisibility - tApproved)} (visibility), ${at(tMilestones === undefined ? undefined : tMilestones - tApproved)} (first activity done) — the engine's own share`,
  );
  console.log('  (projects.status = approved is written by approveProjectList before the workflows start, so it is not used as proof that they run)');
  console.log(`advance to implementation → all ${total} projects 'in_progress': ${at(tInProgress - tAdvance)} (the advance POST took ${fmtMs(adv2.ms)})`);
  console.log('timeline (since launch):');
  for (const [name, t] of marks) console.log(`  +${(t / 1000).toFixed(1).padStart(6)} s  ${name}`);
  console.log(`  last approval at +${((tLastApproval - tLaunch) / 1000).toFixed(1)} s`);
  const hist = (label: string, h: HistoryStats) => {
    console.log(
      `${label}: ${h.workflows} workflows, ${(h.events / Math.max(1, h.workflows)).toFixed(0)} events each so far${h.failed ? `, ${h.failed} unreadable` : ''}`,
    );
    for (const l of historyLines(h, latencyLine)) console.log(l);
  };
  hist('Temporal histories of the region workflows (each starts its projects as children, then signals them the phase change)', regionHist);
  hist(`… of ${sample.length} random project workflows (schedule → start = waiting for the worker)`, projectHist);
  hist('… of the 5 project workflows whose first activity ran last', lastHist);
  console.log('latency (client-side):');
  console.log(latencyLine('  GET /api/campaigns/:id, busy', busyReads));
  console.log(latencyLine('  GET /api/campaigns/:id, idle', idleReads));
  console.log(latencyLine(`  POST …/projects (${PROJECTS}-project list)`, listLat));
  console.log(latencyLine('  approve list, city step', approveLat.city));
  console.log(latencyLine('  approve list, province step', approveLat.province));
  console.log(`responses: ${status.toString()}`);
  console.log('memory:');
  for (const l of mem.lines()) console.log(l);
  const phase = (title: string, a: string, b: string) => {
    if (!cpu[a] || !cpu[b]) return;
    console.log(`CPU, ${title}:`);
    for (const l of cpuReport(cpu[a], cpu[b], cores)) console.log(l);
  };
  phase('survey import', 'importStart', 'importEnd');
  phase('lists submitted and approved → all project workflows running', 'listsStart', 'running');
  phase('advance → all projects in progress', 'running', 'inProgress');
  phase('whole run (launch → all in progress)', 'start', 'inProgress');
  console.log('Postgres activity (pg_stat_activity sampled every 200 ms; avg backends per query shape):');
  for (const l of pgSampler.lines(10)) console.log(l);
  console.log('table scans (pg_stat_user_tables):');
  for (const l of scans) console.log(l);
  console.log('verification:');
  for (const [name, ok] of checks) console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${name}`);
  console.log(`load avg at end: ${machineInfo().loadavg.join(' / ')}`);
  return verified ? 0 : 1;
}

runBench(main);
