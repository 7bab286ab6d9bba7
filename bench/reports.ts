/**
 * `npm run bench:reports`: how long one progress bulletin (通报) takes to
 * build at province scale, and its peak memory.
 *
 * Creates a database of its own (on DATABASE_URL's server if set, else an
 * embedded Postgres on a free port under a temp dir), migrates it, loads the
 * demo org tree and generates with generate_series one campaign over 12
 * regions: 1,000,000 member records (project members, members who joined
 * online, and older members outside the campaign), 300,000 online membership
 * applications, 100,000 tasks (half pending, some past their limit), 2,000
 * projects and 24,000 surveyed enterprises. Then it builds the bulletin
 * (SQL aggregates + composition, exactly what the issueBulletin activity
 * does) 10 times and prints p50/p95 and peak memory, with the time of each
 * aggregate query, the HTML/CSV/XLSX renderings and one stored issue.
 *
 * Options (env): BENCH_MEMBERS (default 1000000), BENCH_RUNS (10), BENCH_KEEP=1 keeps the database.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { hashPassword } from '../api/passwords';
import { bulletinCsv, bulletinXlsx } from '../api/report-formats';
import { composeBulletin, type BulletinData } from '../domain/bulletin';
import { renderBulletinHtml } from '../domain/bulletin-html';
import { loadDemoData } from '../db/demo-seed';
import { createDb, migrateLatest, type Db } from '../db/knex';
import { readBulletinFigures, storeBulletin } from '../db/report-repository';
import { createScratchDatabase, startEmbeddedPostgres } from '../runtime/postgres-server';
import { freePort } from '../runtime/temporal-server';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const CAMPAIGN = 'bench-2026';
const REGIONS = [
  'pds-xinhua',
  'pds-weidong',
  'pds-zhanhe',
  'pds-shilong',
  'pds-wugang',
  'pds-ruzhou',
  'pds-baofeng',
  'pds-yexian',
  'pds-lushan',
  'pds-jiaxian',
  'pds-gongjiao',
  'pds-caimao',
];
const GROUPS = ['truck_driver', 'courier', 'care_worker', 'domestic_worker', 'mall_staff', 'food_delivery', 'real_estate_agent', 'security_guard'];
const SINCE = '2026-04-01T00:00:00+08:00';

const log = (msg: string) => console.log(`[bench:reports] ${msg}`);
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
};
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t0 = process.hrtime.bigint();
  const r = await fn();
  log(`  ${label}: ${(ms(t0) / 1000).toFixed(1)} s`);
  return r;
}

/** The province-scale data set, generated in SQL (a few ten seconds). */
async function generate(db: Db): Promise<void> {
  const regions = `array[${REGIONS.map((r) => `'${r}'`).join(',')}]`;
  const groups = `array[${GROUPS.map((g) => `'${g}'`).join(',')}]`;
  const projectMembers = Math.round(MEMBERS * 0.65);
  const onlineMembers = Math.round(MEMBERS * 0.25);
  const olderMembers = MEMBERS - projectMembers - onlineMembers;
  const onlineApps = onlineMembers + 50_000;

  await timed('campaign, 12 regions, 1,200 grassroots unions', async () => {
    const config = {
      name: '2026年河南省新就业形态劳动者建会入会集中行动（基准）',
      year: 2026,
      cityOrg: 'pds',
      regions: REGIONS,
      groups: GROUPS,
      targets: { newMembers: 960_000, newUnions: 1_800 },
      phases: {
        survey: { start: SINCE, end: '2026-05-31T00:00:00+08:00' },
        listing: { start: '2026-05-31T00:00:00+08:00', end: '2026-06-30T00:00:00+08:00' },
        implementation: { start: '2026-06-30T00:00:00+08:00', end: '2026-11-30T00:00:00+08:00' },
        assessment: { start: '2026-11-30T00:00:00+08:00', end: '2026-12-31T00:00:00+08:00' },
      },
      reportEvery: 'P60D',
    };
    await db('campaigns').insert({
      id: CAMPAIGN,
      name: config.name,
      year: 2026,
      city_org: 'pds',
      config: JSON.stringify(config),
      phase: 'implementation',
      workflow_id: `campaign-${CAMPAIGN}`,
      created_by: 'city.admin',
      created_at: SINCE,
    });
    await db.raw(
      `insert into campaign_regions (campaign_id, org_id, target_members, target_unions, overdue)
       select ?, r, 80000, 150, case when i % 4 = 0 then '[{"phase":"implementation","item":"progress","since":"2026-08-01T00:00:00Z","level":"supervision"}]'::jsonb else '[]'::jsonb end
         from unnest(${regions}) with ordinality as t(r, i)`,
      [CAMPAIGN],
    );
    await db.raw(
      `insert into orgs (id, name, kind, parent_id, path, groups)
       select r.id || '-g' || n, r.name || '第' || n || '基层工会联合会', 'grassroots', r.id, r.path || r.id || '-g' || n || '/', array[(${groups})[1 + n % 8]]
         from orgs r cross join generate_series(1, 100) n where r.id = any(${regions})`,
    );
  });

  await timed('2,000 projects', () =>
    db.raw(
      `insert into projects (id, campaign_id, region_org, kind, type, name, location, planned_members, planned_coverage, groups, responsible_unit, due_date, status, members_recruited, unions_established, coverage_done)
       select 'bp' || n, ?, (${regions})[1 + n % 12],
              case when n % 5 = 0 then 'service' else 'organizing' end,
              case when n % 5 = 0 then 'service_station' else (array['enterprise_union','joint_union','industry_federation','regional_federation','existing_union_growth'])[1 + n % 5] end,
              '项目' || n, '某地', 400, case when n % 5 = 0 then 500 else 0 end, array[(${groups})[1 + n % 8]], '区总工会', '2026-10-31',
              (array['in_progress','in_progress','in_progress','approved','rectifying','qualified','in_progress','unqualified'])[1 + n % 8],
              ${Math.round(projectMembers / 2000)}, n % 3, 0
         from generate_series(1, 2000) n`,
      [CAMPAIGN],
    ),
  );

  await timed(`${onlineApps.toLocaleString('en')} online applications (+20,000 from last year, +1,000 campaign approvals)`, async () => {
    await db.raw(
      `insert into applications (id, type, chain_key, chain_version, applicant, applicant_org, title, payload, status, current_step, workflow_id, created_at, updated_at)
       select 'ba' || n, 'membership', 'membership', 1, null,
              case when n % 3 = 0 then (${regions})[1 + n % 12] || '-g' || (1 + n % 100) else (${regions})[1 + n % 12] end,
              '入会申请', jsonb_build_object('group', (${groups})[1 + n % 8]),
              case when n <= ${onlineMembers} then 'approved' else (array['pending','returned','rejected','withdrawn','pending'])[1 + n % 5] end,
              null, 'application-ba' || n,
              timestamptz '2026-04-01 00:00+08' + (n % 200) * interval '1 day' / 2, now()
         from generate_series(1, ${onlineApps}) n`,
    );
    await db.raw(
      `insert into applications (id, type, chain_key, chain_version, applicant, applicant_org, title, payload, status, workflow_id, created_at)
       select 'bo' || n, 'membership', 'membership', 1, null, (${regions})[1 + n % 12], '入会申请', jsonb_build_object('group', 'courier'), 'approved', 'application-bo' || n, timestamptz '2025-03-01 00:00+08'
         from generate_series(1, 20000) n`,
    );
    await db.raw(
      `insert into applications (id, type, chain_key, chain_version, applicant, applicant_org, title, payload, status, workflow_id, campaign_id, project_id, created_at)
       select 'bs' || n, 'subsidy', 'subsidy', 1, 'city.staff', (${regions})[1 + n % 12], '补助申请', '{}'::jsonb, (array['pending','approved','approved','rejected'])[1 + n % 4], 'application-bs' || n, ?, 'bp' || (1 + n % 2000), timestamptz '2026-06-01 00:00+08'
         from generate_series(1, 1000) n`,
      [CAMPAIGN],
    );
  });

  await timed('100,000 tasks (half pending, a fifth past their limit)', () =>
    db.raw(
      `insert into tasks (id, application_id, kind, step_index, step_name, role, org_id, status, subject, due_at, created_at, completed_at)
       select 'bt' || n,
              case when n <= 50000 then 'ba' || (${onlineMembers} + n) else 'ba' || (1 + n % ${onlineApps}) end,
              'approval', 1, '信息初审', 'reviewer', (${regions})[1 + n % 12],
              case when n <= 50000 then 'pending' else 'completed' end, 'membership',
              case when n % 5 = 0 then now() - interval '2 days' else now() + interval '2 days' end,
              now() - interval '5 days', case when n <= 50000 then null else now() end
         from generate_series(1, 100000) n`,
    ),
  );

  await timed(`${MEMBERS.toLocaleString('en')} member records`, async () => {
    await db.raw(
      `insert into members (id_number_hash, id_number_enc, id_number_masked, name, group_id, employer, union_id, source_application, campaign_id, project_id, verified, joined_at)
       select md5('p' || n), 'enc', '410102********0000', '会员' || n, (${groups})[1 + n % 8], '某快递网点', (${regions})[1 + (1 + n % 2000) % 12], null, ?, 'bp' || (1 + n % 2000), true,
              timestamptz '2026-07-01 00:00+08' + (n % 120) * interval '1 day'
         from generate_series(1, ${projectMembers}) n`,
      [CAMPAIGN],
    );
    await db.raw(
      `insert into members (id_number_hash, id_number_enc, id_number_masked, name, group_id, employer, union_id, source_application, campaign_id, verified, joined_at)
       select md5('o' || n), 'enc', '410102********0000', '会员' || n, (${groups})[1 + n % 8], '某平台', (${regions})[1 + n % 12] || '-g' || (1 + n % 100), 'ba' || n, null, true,
              timestamptz '2026-04-02 00:00+08' + (n % 200) * interval '1 day' / 2
         from generate_series(1, ${onlineMembers}) n`,
    );
    await db.raw(
      `insert into members (id_number_hash, id_number_enc, id_number_masked, name, group_id, employer, union_id, source_application, campaign_id, verified, joined_at)
       select md5('x' || n), 'enc', '410102********0000', '老会员' || n, (${groups})[1 + n % 8], '某公司', (${regions})[1 + n % 12] || '-g' || (1 + n % 100), null, null, true, timestamptz '2024-05-01 00:00+08'
         from generate_series(1, ${olderMembers}) n`,
    );
  });

  await timed('24,000 surveyed enterprises', () =>
    db.raw(
      `insert into enterprises (campaign_id, region_org, name, employees, has_union, classification, ledger_status, upload_batch, row_no)
       select ?, (${regions})[1 + n % 12], '企业' || n, 10 + n % 200, false,
              case when n % 3 = 0 then 'joint_coverage' else 'own_union' end,
              (array['registered','crossed_off','not_target','crossed_off'])[1 + n % 4], 'bench', n
         from generate_series(1, 24000) n`,
      [CAMPAIGN],
    ),
  );
  // As autovacuum would have by then: statistics, and the visibility map index-only scans rely on.
  await timed('VACUUM ANALYZE', () => db.raw('vacuum analyze'));
}

async function main() {
  const cpu = os.cpus();
  log(`machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${mb(os.totalmem())} RAM, ${os.platform()} ${os.release()}, Node ${process.version}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'union-drive-bench-reports-'));
  fs.chmodSync(dir, 0o755); // the embedded Postgres runs as the postgres user when we are root
  const cleanups: (() => Promise<unknown>)[] = [() => fs.promises.rm(dir, { recursive: true, force: true })];
  try {
    let adminUrl = process.env.DATABASE_URL;
    if (!adminUrl) {
      const port = await freePort();
      log(`starting an embedded Postgres on 127.0.0.1:${port}`);
      const embedded = await startEmbeddedPostgres({ dataDir: path.join(dir, 'postgres'), port, ephemeral: true });
      cleanups.push(() => embedded.stop());
      adminUrl = embedded.url('postgres');
    }
    const dbName = `ud_bench_reports_${crypto.randomBytes(4).toString('hex')}`;
    const scratch = await createScratchDatabase(adminUrl, dbName);
    if (process.env.BENCH_KEEP !== '1') cleanups.push(scratch.drop);
    const db = createDb(scratch.url);
    cleanups.push(() => db.destroy());
    const server = (await db.raw('show server_version')).rows[0].server_version as string;
    log(`database ${dbName} on Postgres ${server}${process.env.DATABASE_URL ? ' (DATABASE_URL)' : ' (embedded)'}`);
    await migrateLatest(db);
    await loadDemoData(db, hashPassword);
    log('generating the data set:');
    const t0 = process.hrtime.bigint();
    await generate(db);
    log(`data set ready in ${(ms(t0) / 1000).toFixed(1)} s`);
    const sizes = (
      await db.raw(
        `select t as relname, (xpath('/row/n/text()', query_to_xml(format('select count(*) as n from %I', t), false, true, '')))[1]::text::bigint as n
           from unnest(array['members','applications','tasks','projects','enterprises','orgs']) t`,
      )
    ).rows as { relname: string; n: string }[];
    log(`rows: ${sizes.map((s) => `${s.relname} ${Number(s.n).toLocaleString('en')}`).join(', ')}`);

    // Time each aggregate query of the last run.
    const started = new Map<string, bigint>();
    let queryTimes: { sql: string; ms: number; full: string; bindings: unknown[] }[] = [];
    const bound = new Map<string, unknown[]>();
    db.on('query', (q: { __knexQueryUid: string; bindings?: unknown[] }) => {
      started.set(q.__knexQueryUid, process.hrtime.bigint());
      bound.set(q.__knexQueryUid, q.bindings ?? []);
    });
    db.on('query-response', (_r: unknown, q: { __knexQueryUid: string; sql: string }) => {
      const s = started.get(q.__knexQueryUid);
      if (s !== undefined)
        queryTimes.push({ sql: q.sql.replace(/\s+/g, ' ').slice(0, 90), ms: ms(s), full: q.sql, bindings: bound.get(q.__knexQueryUid) ?? [] });
    });

    const times: number[] = [];
    let peakHeap = 0;
    let peakRss = 0;
    let data: BulletinData | undefined;
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 0; i < RUNS; i++) {
      queryTimes = [];
      const t = process.hrtime.bigint();
      const raw = await readBulletinFigures(db, CAMPAIGN);
      if (!raw) throw new Error('campaign missing');
      data = composeBulletin(
        raw,
        {
          id: `${CAMPAIGN}-bench`,
          seq: 1,
          kind: 'on_demand',
          period: { key: 'adhoc:bench', kind: 'on_demand' },
          issuedAt: new Date().toISOString(),
          issuedBy: 'bench',
          phaseLabel: '推进实施 / implementation',
          missedPeriods: [],
        },
        null,
        [],
      );
      times.push(ms(t));
      const mem = process.memoryUsage();
      peakHeap = Math.max(peakHeap, mem.heapUsed);
      peakRss = Math.max(peakRss, mem.rss);
      log(`  build ${i + 1}/${RUNS}: ${times[i]!.toFixed(0)} ms`);
    }
    log('aggregate queries of the last build:');
    for (const q of queryTimes) log(`  ${q.ms.toFixed(1).padStart(8)} ms  ${q.sql}`);
    if (process.env.BENCH_EXPLAIN === '1') {
      // The plans of the slower aggregates, for tuning indexes.
      for (const q of queryTimes.filter((x) => x.ms > 20 && /^\s*(?:with|select)/i.test(x.full))) {
        let n = 0;
        const text = /\$1\b/.test(q.full) ? q.full : q.full.replace(/\?/g, () => `$${++n}`);
        const client = new pg.Client({ connectionString: scratch.url });
        await client.connect();
        const plan = await client.query(`explain (analyze, buffers) ${text}`, q.bindings);
        await client.end();
        console.log(`\n${q.sql}\n${plan.rows.map((r: Record<string, string>) => r['QUERY PLAN']!.replace(/'\{[^}]{80,}\}'/g, "'{…}'")).join('\n')}`);
      }
    }

    const r = (label: string, fn: () => unknown) => {
      const t = process.hrtime.bigint();
      const out = fn();
      return { label, ms: ms(t), out };
    };
    const html = r('html', () => renderBulletinHtml(data!));
    const csv = r('csv', () => bulletinCsv(data!));
    const tx = process.hrtime.bigint();
    const xlsx = await bulletinXlsx(data!);
    const xlsxMs = ms(tx);
    const ts = process.hrtime.bigint();
    const stored = await storeBulletin(db, {
      campaignId: CAMPAIGN,
      kind: 'on_demand',
      period: { key: 'adhoc:bench' },
      issuedBy: 'bench',
      workflowId: null,
      compose: (ctx) => ({ ...data!, id: ctx.id, seq: ctx.seq, issuedAt: ctx.issuedAt }),
      deliveries: [],
      notice: () => '',
    });
    const storeMs = ms(ts);

    const usage = process.resourceUsage();
    console.log('');
    console.log('bench:reports — one progress bulletin (通报) at province scale');
    console.log(
      `  machine            ${cpu[0]?.model ?? 'unknown'} · ${cpu.length} cores · ${mb(os.totalmem())} RAM · Node ${process.version} · Postgres ${server}`,
    );
    console.log(`  data               ${MEMBERS.toLocaleString('en')} members, 300k+ applications, 100,000 tasks, 2,000 projects, 12 regions × 8 groups`);
    console.log(
      `  build (SQL + compose), ${RUNS} runs   p50 ${quantile(times, 0.5).toFixed(0)} ms   p95 ${quantile(times, 0.95).toFixed(0)} ms   min ${Math.min(...times).toFixed(0)} ms   max ${Math.max(...times).toFixed(0)} ms`,
    );
    console.log(
      `  render             html ${html.ms.toFixed(0)} ms (${(String(html.out).length / 1024).toFixed(0)} KB) · csv ${csv.ms.toFixed(0)} ms · xlsx ${xlsxMs.toFixed(0)} ms (${(xlsx.length / 1024).toFixed(0)} KB) · store ${storeMs.toFixed(0)} ms (${stored.outcome})`,
    );
    console.log(
      `  memory (this process)   peak RSS ${mb(usage.maxRSS * 1024)} · peak heap during builds ${mb(peakHeap)} (${mb(Math.max(0, peakHeap - heapBefore))} above the start) · RSS after builds ${mb(peakRss)}`,
    );
    console.log(`  target             p95 < 2000 ms: ${quantile(times, 0.95) < 2000 ? 'met' : 'NOT met'}`);
  } finally {
    for (const fn of cleanups.reverse()) await fn().catch((e) => console.error(e));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
