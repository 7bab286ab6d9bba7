/**
 * `npm run bench:soak`: a long run of mixed traffic on a system of its own
 * (API and worker as their own processes, embedded Postgres, Temporal dev
 * server — bench/lib/system.ts), through the HTTP API on loopback, with a
 * bounded number of concurrent simulated users. It reports:
 *   - the error rate: every answer that is not 2xx/3xx/4xx (5xx, timeouts, refused
 *     connections) is an error; 4xx are counted apart (a 409 lost race, a 429 rate limit);
 *   - latency percentiles per interval and per kind of request, over the whole run;
 *   - the memory (RSS) of the API and the worker over time, and its growth from
 *     the end of the warm-up to the end of the run.
 * Exit status 1 when there was any error (aim: none); memory growth is reported, not judged.
 *
 * The mix, per simulated user and iteration (weights):
 *   inbox read 4 · approval (submit a subsidy; city and province approve a task each) 3 ·
 *   application read 2 · bulletin read (JSON, sometimes the HTML page or the list) 2 ·
 *   survey upload (50 enterprises, CSV) 1 · reads of the campaign and my bulletins 1;
 * plus a login every LOGIN_EVERY seconds (the API allows 20 per address per 15 minutes)
 * and a new bulletin every BULLETIN_EVERY seconds.
 *
 * Parameters (argument NAME=value, or environment NAME / BENCH_NAME):
 *   SOAK_SECONDS=600     length of the run
 *   CONCURRENCY=8        simulated users at once
 *   INTERVAL=30          seconds per report line
 *   LOGIN_EVERY=45       seconds between logins (5 at the start + one per 45 s stays under 20 per 15 minutes)
 *   BULLETIN_EVERY=120   seconds between new bulletins
 *   KEEP=false           keep the temp folder with the processes' logs
 *   DATABASE_URL         use that server (a fresh database in it) instead of the embedded Postgres
 */
import crypto from 'node:crypto';
import { ApiClient, type CallResult } from './lib/http';
import { boolParam, intParam, printHeader } from './lib/params';
import { Counter, fmtMs, latencyLine, procMemory, Recorder, sleep } from './lib/stats';
import { abort, log, runBench, startSystem } from './lib/system';

const SECONDS = intParam('SOAK_SECONDS', 600, 10);
const CONCURRENCY = intParam('CONCURRENCY', 8, 1);
const INTERVAL = intParam('INTERVAL', 30, 5);
const LOGIN_EVERY = intParam('LOGIN_EVERY', 45, 10);
const BULLETIN_EVERY = intParam('BULLETIN_EVERY', 120, 10);
const KEEP = boolParam('KEEP', false);

const REGION = 'pds-xinhua';
const USERS = ['xinhua.staff', 'city.reviewer', 'prov.reviewer', 'city.admin', 'city.lead'] as const;

type Kind =
  | 'login'
  | 'inbox'
  | 'submit'
  | 'approve'
  | 'application'
  | 'bulletin'
  | 'bulletin-html'
  | 'bulletin-list'
  | 'upload'
  | 'campaign'
  | 'my-bulletins'
  | 'issue-bulletin';

class Tally {
  readonly byKind = new Map<Kind, Recorder>();
  interval = new Recorder();
  errors = new Counter();
  client4xx = new Counter();
  requests = 0;
  intervalRequests = 0;
  intervalErrors = 0;
  record(kind: Kind, r: CallResult) {
    this.requests += 1;
    this.intervalRequests += 1;
    if (!this.byKind.has(kind)) this.byKind.set(kind, new Recorder());
    this.byKind.get(kind)!.add(r.ms);
    this.interval.add(r.ms);
    if (r.status === 0 || r.status >= 500) {
      this.errors.inc(`${kind} ${r.status || 'no answer'}`);
      this.intervalErrors += 1;
      if (this.errors.get(`${kind} ${r.status || 'no answer'}`) <= 3) log(`error: ${kind} → ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    } else if (r.status >= 400) this.client4xx.inc(`${kind} ${r.status}`);
  }
}

function surveyCsv(batch: number): string {
  const header = 'name,region,employees,hasUnion,groupCounts,employerAttitude,operatingSince,reasonNoUnion';
  // A rotating set of 500 enterprises: uploads update the ledger rather than grow it for ever.
  const rows = Array.from({ length: 50 }, (_, i) => {
    const n = (batch * 50 + i) % 500;
    const employees = 5 + ((n * 37) % 180);
    return [
      `压力测试企业${n}`,
      REGION,
      employees,
      n % 7 === 0 ? '是' : '否',
      `courier:${Math.min(employees, 9)}`,
      'neutral',
      '2020-03-01',
      '职工流动性大',
    ].join(',');
  });
  return [header, ...rows].join('\n');
}

/** Least-squares slope of (minute, MiB) samples. */
function slope(points: [number, number][]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  const num = points.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0);
  const den = points.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
  return den ? num / den : NaN;
}

async function main(): Promise<number> {
  printHeader('bench:soak — mixed traffic for a long while: errors, latency over time, memory growth', {
    SOAK_SECONDS: `${SECONDS}s`,
    CONCURRENCY,
    INTERVAL: `${INTERVAL}s`,
    LOGIN_EVERY: `${LOGIN_EVERY}s`,
    BULLETIN_EVERY: `${BULLETIN_EVERY}s`,
    postgres: process.env.DATABASE_URL ? 'DATABASE_URL (fresh database)' : 'embedded',
  });
  const sys = await startSystem({ keep: KEEP });
  log(sys.describe());
  const api = new ApiClient(sys.apiUrl, 60_000);
  const tally = new Tally();
  const tokens = new Map<string, string>();
  const token = (u: (typeof USERS)[number]) => tokens.get(u)!;
  const call = async (kind: Kind, method: string, path: string, o: Parameters<ApiClient['call']>[2] = {}) => {
    const r = await api.call(method, path, o);
    tally.record(kind, r);
    return r;
  };
  for (const u of USERS) {
    const r = await call('login', 'POST', '/api/auth/login', { body: { username: u, password: 'demo-password' } });
    if (r.status !== 200) throw new Error(`login ${u} failed: ${r.status} ${JSON.stringify(r.body)}`);
    tokens.set(u, r.body.token);
  }

  // ---- the campaign the uploads and bulletins belong to (survey phase all run long) ----
  const day = 86_400_000;
  const at = (d: number) => new Date(Date.now() - 60_000 + d * day).toISOString();
  const launch = await api.call('POST', '/api/campaigns', {
    token: token('city.admin'),
    body: {
      name: `2026年压力测试集中行动 ${crypto.randomBytes(3).toString('hex')}`,
      year: 2026,
      cityOrg: 'pds',
      regions: [REGION, 'pds-weidong'],
      groups: ['courier', 'food_delivery'],
      targets: { newMembers: 1000, newUnions: 20 },
      phases: {
        survey: { start: at(0), end: at(30) },
        listing: { start: at(30), end: at(60) },
        implementation: { start: at(60), end: at(90) },
        assessment: { start: at(90), end: at(120) },
      },
    },
  });
  if (launch.status !== 201) throw new Error(`campaign launch failed: ${launch.status} ${JSON.stringify(launch.body)}`);
  const campaignId = launch.body.id as string;
  for (let i = 0; ; i++) {
    const v = await api.call('GET', `/api/campaigns/${campaignId}`, { token: token('city.admin') });
    if (v.body?.phase === 'survey') break;
    if (i > 120) throw new Error('the campaign did not open its survey phase');
    await sleep(250);
  }
  const bulletins: string[] = [];
  const issueBulletin = async () => {
    const r = await call('issue-bulletin', 'POST', `/api/campaigns/${campaignId}/reports`, {
      token: token('city.admin'),
      headers: { 'Idempotency-Key': crypto.randomUUID() },
    });
    if (r.status === 201) bulletins.push(r.body.id);
  };
  await issueBulletin();
  if (!bulletins.length) throw new Error('no bulletin could be issued');

  // ---- the load ----
  const recentApps: string[] = [];
  const started = Date.now();
  const endAt = started + SECONDS * 1000;
  let uploads = 0;
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(Math.random() * xs.length)]!;
  const weights: [number, () => Promise<unknown>][] = [
    [4, () => call('inbox', 'GET', '/api/tasks?status=pending&limit=50', { token: token(pick(['city.reviewer', 'prov.reviewer'] as const)) })],
    [
      3,
      async () => {
        const submitted = await call('submit', 'POST', '/api/applications', {
          token: token('xinhua.staff'),
          headers: { 'Idempotency-Key': crypto.randomUUID() },
          body: {
            type: 'subsidy',
            title: `户外劳动者服务站补助 ${crypto.randomBytes(3).toString('hex')}`,
            amount: 8_000 + Math.floor(Math.random() * 20_000),
            reason: '压力测试 / soak test',
          },
        });
        if (submitted.status === 201) {
          recentApps.push(submitted.body.id);
          if (recentApps.length > 200) recentApps.shift();
        }
        // Each approver approves one task from their inbox (another one after losing a race to a
        // colleague, up to three tries), so the number of open chains stays about where it is.
        for (const approver of ['city.reviewer', 'prov.reviewer'] as const) {
          for (let attempt = 0; attempt < 3; attempt++) {
            const inbox = await call('inbox', 'GET', '/api/tasks?status=pending&limit=20', { token: token(approver) });
            const task = inbox.status === 200 ? pick<{ id: string } | undefined>(inbox.body.items.length ? inbox.body.items : [undefined]) : undefined;
            if (!task) break;
            const r = await call('approve', 'POST', `/api/tasks/${task.id}/actions`, {
              token: token(approver),
              headers: { 'Idempotency-Key': crypto.randomUUID() },
              body: { action: 'approve', comment: '同意' },
            });
            if (r.status !== 409) break;
          }
        }
      },
    ],
    [2, () => (recentApps.length ? call('application', 'GET', `/api/applications/${pick(recentApps)}`, { token: token('city.admin') }) : Promise.resolve())],
    [
      2,
      () => {
        const r = Math.random();
        if (r < 0.2) return call('bulletin-html', 'GET', `/api/reports/${pick(bulletins)}?format=html`, { token: token('city.lead') });
        if (r < 0.35) return call('bulletin-list', 'GET', `/api/campaigns/${campaignId}/reports`, { token: token('city.lead') });
        return call('bulletin', 'GET', `/api/reports/${pick(bulletins)}`, { token: token('city.lead') });
      },
    ],
    [
      1,
      () =>
        call('upload', 'POST', `/api/campaigns/${campaignId}/regions/${REGION}/enterprises`, {
          token: token('xinhua.staff'),
          raw: surveyCsv(uploads++),
          contentType: 'text/csv',
          headers: { 'Idempotency-Key': crypto.randomUUID() },
        }),
    ],
    [
      1,
      () =>
        Math.random() < 0.5
          ? call('campaign', 'GET', `/api/campaigns/${campaignId}`, { token: token('city.admin') })
          : call('my-bulletins', 'GET', '/api/reports?limit=20', { token: token('city.lead') }),
    ],
  ];
  const total = weights.reduce((s, [w]) => s + w, 0);
  const step = () => {
    let r = Math.random() * total;
    for (const [w, fn] of weights) if ((r -= w) < 0) return fn();
    return weights[0]![1]();
  };

  const users = Array.from({ length: CONCURRENCY }, async () => {
    while (Date.now() < endAt && !abort.requested) await step();
  });
  const periodic = (async () => {
    let nextLogin = started + LOGIN_EVERY * 1000;
    let nextBulletin = started + BULLETIN_EVERY * 1000;
    while (Date.now() < endAt && !abort.requested) {
      if (Date.now() >= nextLogin) {
        nextLogin += LOGIN_EVERY * 1000;
        await call('login', 'POST', '/api/auth/login', { body: { username: pick(USERS), password: 'demo-password' } });
      }
      if (Date.now() >= nextBulletin) {
        nextBulletin += BULLETIN_EVERY * 1000;
        await issueBulletin();
      }
      await sleep(500);
    }
  })();

  // ---- per-interval report: throughput, errors, latency, memory ----
  const memory: { minute: number; api: number; worker: number }[] = [];
  // Open chains are workflows the worker keeps in its cache: their count explains part of its memory.
  const openChains = async () => {
    const r = await sys.pool.query<{ n: number }>(`select count(*)::int as n from applications where status in ('pending', 'returned')`);
    return r.rows[0]!.n;
  };
  const sampleMemory = () => {
    const a = procMemory(sys.pids.api);
    const w = procMemory(sys.pids.worker);
    if (a && w) memory.push({ minute: (Date.now() - started) / 60_000, api: a.rssMiB, worker: w.rssMiB });
  };
  console.log(
    `\n${'time'.padStart(6)} ${'req'.padStart(6)} ${'req/s'.padStart(6)} ${'errors'.padStart(6)} ${'p50'.padStart(9)} ${'p95'.padStart(9)} ${'p99'.padStart(9)} ${'max'.padStart(9)}   API RSS   worker RSS   open chains`,
  );
  const reporter = (async () => {
    let last = Date.now();
    while (Date.now() < endAt && !abort.requested) {
      for (let i = 0; i < INTERVAL * 2 && Date.now() < endAt && !abort.requested; i++) {
        if (i % 10 === 0) sampleMemory();
        await sleep(500);
      }
      sampleMemory();
      const now = Date.now();
      const s = tally.interval.drain().summary();
      const m = memory[memory.length - 1];
      const open = await openChains().catch(() => NaN);
      console.log(
        `${`${Math.round((now - started) / 1000)}s`.padStart(6)} ${String(tally.intervalRequests).padStart(6)} ${(tally.intervalRequests / ((now - last) / 1000)).toFixed(1).padStart(6)} ${String(tally.intervalErrors).padStart(6)} ${fmtMs(s.p50).padStart(9)} ${fmtMs(s.p95).padStart(9)} ${fmtMs(s.p99).padStart(9)} ${fmtMs(s.max).padStart(9)}   ${m ? `${m.api.toFixed(0)} MiB`.padStart(7) : '—'}   ${m ? `${m.worker.toFixed(0)} MiB`.padStart(8) : '—'}   ${String(open).padStart(11)}`,
      );
      tally.intervalRequests = 0;
      tally.intervalErrors = 0;
      last = now;
    }
  })();
  await Promise.all([...users, periodic, reporter]);
  const wall = (Date.now() - started) / 1000;

  // ---- summary ----
  console.log(`\n=== summary after ${wall.toFixed(0)} s, ${CONCURRENCY} concurrent users ===`);
  console.log(`requests: ${tally.requests} (${(tally.requests / wall).toFixed(1)}/s)`);
  const errors = [...tally.errors.counts.values()].reduce((a, b) => a + b, 0);
  console.log(
    `errors (5xx, timeouts, refused): ${errors} = ${((errors / Math.max(1, tally.requests)) * 100).toFixed(3)} %  ${errors ? `— ${tally.errors.toString()}` : '(aim: 0) ✓'}`,
  );
  console.log(`4xx answers (counted apart: lost races, rate limits): ${tally.client4xx.toString()}`);
  console.log('latency by kind (whole run):');
  for (const [kind, r] of [...tally.byKind.entries()].sort((a, b) => b[1].count - a[1].count)) console.log(`  ${latencyLine(kind, r)}`);
  const warm = memory.filter((m) => m.minute >= Math.min(1, (SECONDS / 60) * 0.2));
  const first = warm[0];
  const lastM = warm[warm.length - 1];
  if (first && lastM) {
    const minutes = lastM.minute - first.minute;
    const line = (name: string, a: number, b: number, pts: [number, number][]) => {
      const perMin = slope(pts);
      // A trend over less than a few minutes is garbage-collection noise, not growth.
      const trend = minutes >= 3 ? `trend ${perMin >= 0 ? '+' : ''}${perMin.toFixed(2)} MiB/min` : 'trend — (needs a run of 3 min or more)';
      return `  ${name.padEnd(8)} ${a.toFixed(0)} → ${b.toFixed(0)} MiB (${b - a >= 0 ? '+' : ''}${(b - a).toFixed(1)} MiB, ${(((b - a) / a) * 100).toFixed(1)} %) over ${minutes.toFixed(1)} min; ${trend}; peak ${Math.max(...pts.map((p) => p[1])).toFixed(0)} MiB`;
    };
    console.log(`memory (RSS) after the warm-up (from minute ${first.minute.toFixed(1)}; aim: flat):`);
    console.log(
      line(
        'API',
        first.api,
        lastM.api,
        warm.map((m) => [m.minute, m.api]),
      ),
    );
    console.log(
      line(
        'worker',
        first.worker,
        lastM.worker,
        warm.map((m) => [m.minute, m.worker]),
      ),
    );
  }
  const counts = await sys.pool.query<{ applications: number; approved: number; enterprises: number; reports: number }>(
    `select (select count(*)::int from applications) as applications, (select count(*)::int from applications where status = 'approved') as approved,
            (select count(*)::int from enterprises) as enterprises, (select count(*)::int from reports) as reports`,
  );
  console.log(`data at the end: ${JSON.stringify(counts.rows[0])}`);
  return errors > 0 ? 1 : 0;
}

runBench(main);
