/**
 * `npm run bench:org-import`: importing a city's org tree of 25,000 orgs
 * from an xlsx workbook through the HTTP API (POST /api/orgs/import with
 * `Prefer: respond-async`, then polling its status), and exporting it back.
 *
 * Starts a system of its own (bench/lib/system.ts), generates a realistic
 * tree under the demo city 平顶山 (pds) — counties → townships → grassroots
 * unions — writes it as the template's workbook, and prints the workbook's
 * size, the time to the import's end with each phase's share, the API
 * process's peak RSS (VmHWM) and its largest heap use seen on /metrics while
 * the import ran, and the export's time and size.
 *
 * Parameters (argument NAME=value, or environment NAME / BENCH_NAME):
 *   ORGS=25000        orgs in the workbook
 *   COUNTIES=10       new counties under the city (each with TOWNSHIPS townships)
 *   TOWNSHIPS=25      townships per county; the rest are grassroots unions spread over them
 *   KEEP=false        keep the temp folder with the processes' logs
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import ExcelJS from 'exceljs';
import { ApiClient } from './lib/http';
import { boolParam, intParam, printHeader } from './lib/params';
import { log, onCleanup, runBench, startSystem } from './lib/system';

const ORGS = intParam('ORGS', 25_000, 10);
const COUNTIES = intParam('COUNTIES', 10, 1);
const TOWNSHIPS = intParam('TOWNSHIPS', 25, 1);
const KEEP = boolParam('KEEP', false);
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const GROUPS = ['courier', 'food_delivery', 'truck_driver', 'security_guard', 'mall_staff'];

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The rows: counties under pds, townships under each county, grassroots unions under the townships, in that order. */
function generate(): string[][] {
  const rows: string[][] = [];
  const towns: string[] = [];
  for (let c = 0; c < COUNTIES; c++) {
    const county = `bench-c${c}`;
    rows.push([county, `压测县总工会 ${c}`, '县区总工会', 'pds', '', '', '']);
    for (let t = 0; t < TOWNSHIPS; t++) {
      const town = `${county}-t${t}`;
      towns.push(town);
      rows.push([town, `压测街道工会 ${c}-${t}`, '乡镇街道工会', county, '', '', '']);
    }
  }
  const unions = ORGS - rows.length;
  for (let i = 0; i < unions; i++) {
    const town = towns[i % towns.length]!;
    rows.push([`${town}-g${i}`, `压测企业工会 ${i}`, '基层工会', town, '企业工会', GROUPS[i % GROUPS.length]!, `覆盖区域 ${town}`]);
  }
  return rows;
}

async function workbook(rows: string[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('组织机构');
  sheet.addRow(['机构编码', '机构名称', '类型', '上级机构编码', '基层工会类型', '重点群体', '覆盖区域']);
  for (const r of rows) sheet.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The API process's peak resident set (VmHWM), from /proc. */
function peakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

async function heapUsed(apiUrl: string): Promise<number> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  const m = /^nodejs_heap_size_used_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)/m.exec(text);
  return m ? Number(m[1]) : NaN;
}

async function main(): Promise<number> {
  printHeader('org tree import (组织机构导入)', { ORGS, COUNTIES, TOWNSHIPS });
  const sys = await startSystem({ keep: KEEP });
  onCleanup(() => sys.stop());
  log(sys.describe());
  const client = new ApiClient(sys.apiUrl);
  const token = await client.login('city.admin');

  let t0 = performance.now();
  const rows = generate();
  const file = await workbook(rows);
  log(`generated ${rows.length} orgs, workbook ${mb(file.length)} in ${s(performance.now() - t0)}`);

  const rssBefore = peakRss(sys.pids.api);
  let heapPeak = await heapUsed(sys.apiUrl);
  t0 = performance.now();
  const started = await fetch(`${sys.apiUrl}/api/orgs/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': XLSX, prefer: 'respond-async' },
    body: new Uint8Array(file),
  });
  const accepted = (await started.json()) as { statusUrl: string };
  if (started.status !== 202) throw new Error(`import refused: ${started.status} ${JSON.stringify(accepted)}`);
  const acceptedMs = performance.now() - t0;
  const phases = new Map<string, number>();
  let last = '';
  let view: any;
  for (;;) {
    const r = await client.call('GET', accepted.statusUrl, { token });
    view = r.body;
    if (view.status !== last) {
      phases.set(view.status, performance.now() - t0);
      log(`  ${view.status} at ${s(performance.now() - t0)}`);
      last = view.status;
    }
    heapPeak = Math.max(heapPeak, await heapUsed(sys.apiUrl));
    if (view.finishedAt) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const totalMs = performance.now() - t0;
  if (view.httpStatus !== 200) throw new Error(`import failed: ${JSON.stringify(view).slice(0, 2000)}`);
  const rssPeak = peakRss(sys.pids.api);

  t0 = performance.now();
  const exported = await fetch(`${sys.apiUrl}/api/orgs/export`, { headers: { authorization: `Bearer ${token}` } });
  const exportBytes = (await exported.arrayBuffer()).byteLength;
  const exportMs = performance.now() - t0;

  console.log('');
  console.log(`orgs imported:        ${view.result.imported} (created ${view.result.created}, updated ${view.result.updated})`);
  console.log(`workbook:             ${mb(file.length)}`);
  console.log(`202 answered after:   ${s(acceptedMs)}`);
  console.log(`import done after:    ${s(totalMs)}  (${[...phases.entries()].map(([k, v]) => `${k} from ${s(v)}`).join(', ')})`);
  console.log(`API peak RSS:         ${mb(rssPeak)} (before the import: ${mb(rssBefore)})`);
  console.log(`API heap used, max:   ${mb(heapPeak)} (sampled on /metrics every poll)`);
  console.log(`export of the city:   ${exported.status}, ${mb(exportBytes)} in ${s(exportMs)}`);
  return 0;
}

runBench(main);
