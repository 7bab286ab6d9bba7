/**
 * Runs one benchmark script several times, each with its own settings and on
 * a system of its own (one after the other: they share the machine), and
 * prints their figures side by side. Each run writes a {@link RunSummary} as
 * JSON to the SUMMARY_FILE it is given.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../runtime/temporal-server';
import { fmtMs } from './stats';
import { log } from './system';
import { machineInfo } from './params';

export interface RunSummary {
  label: string;
  /** Approvals a second offered; 0 = saturation. */
  offered: number;
  verified: boolean;
  chains: number;
  wallS: number;
  chainsPerS: number;
  approvalsPerS: number;
  /** Successful approve POSTs, client-side. */
  approve: { p50: number; p95: number; p99: number };
  /** Answers other than 2xx and 409 (retried ones included). */
  errors: number;
  /** Of those, admission control's 503s with Retry-After (retried later with the same key). */
  refused: number;
  eventsPerChain: number;
  workflowTasksPerChain: number;
  /** CPU-seconds per completed chain, by process (Postgres: all its processes). */
  cpuPerChain: Record<string, number>;
  peakRssMiB: Record<string, number>;
}

export async function runSideBySide(script: string, runs: Record<string, string>[], params: Record<string, string | number | boolean>): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'union-drive-bench-summaries-'));
  const results: { settings: Record<string, string>; summary?: RunSummary; exit: number }[] = [];
  for (const [i, settings] of runs.entries()) {
    const file = path.join(dir, `run-${i + 1}.json`);
    log(
      `run ${i + 1}/${runs.length}: ${Object.entries(settings)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    );
    const env: NodeJS.ProcessEnv = { ...process.env, SUMMARY_FILE: file, ...settings };
    for (const [k, v] of Object.entries(params)) env[k] = String(v);
    const exit = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: PROJECT_ROOT, env, stdio: 'inherit' });
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 130 : 1)));
    });
    const summary = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as RunSummary) : undefined;
    results.push({ settings, summary, exit });
    if (exit === 130) break; // Ctrl-C
  }
  fs.rmSync(dir, { recursive: true, force: true });
  for (const line of sideBySideTable(results.map((r) => r.summary))) console.log(line);
  return results.every((r) => r.exit === 0 && r.summary?.verified) ? 0 : 1;
}

function sideBySideTable(summaries: (RunSummary | undefined)[]): string[] {
  const runs = summaries.filter((s): s is RunSummary => !!s);
  const m = machineInfo();
  const num = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : '—');
  const cpu = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '—');
  const rows: [string, (s: RunSummary) => string][] = [
    ['offered', (s) => (s.offered ? `${s.offered} approvals/s` : 'saturation')],
    ['verified (every chain once)', (s) => (s.verified ? 'yes' : 'NO')],
    ['chains completed', (s) => String(s.chains)],
    ['chains/s', (s) => num(s.chainsPerS)],
    ['approvals/s', (s) => num(s.approvalsPerS)],
    ['approve p50', (s) => fmtMs(s.approve.p50)],
    ['approve p95', (s) => fmtMs(s.approve.p95)],
    ['approve p99', (s) => fmtMs(s.approve.p99)],
    ['answers not 2xx/409 (of which 503 + Retry-After)', (s) => `${s.errors} (${s.refused})`],
    ['history events per chain', (s) => num(s.eventsPerChain)],
    ['workflow tasks per chain', (s) => num(s.workflowTasksPerChain)],
  ];
  const processes = [...new Set(runs.flatMap((s) => Object.keys(s.cpuPerChain)))];
  for (const p of processes) rows.push([`CPU-s/chain: ${p}`, (s) => cpu(s.cpuPerChain[p] ?? NaN)]);
  rows.push(['CPU-s/chain: all of them', (s) => cpu(Object.values(s.cpuPerChain).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0))]);
  for (const p of processes) rows.push([`peak RSS MiB: ${p}`, (s) => num(s.peakRssMiB[p] ?? NaN, 0)]);
  const labelWidth = Math.max(...rows.map(([l]) => l.length));
  const cols = runs.map((s) => [s.label, ...rows.map(([, f]) => f(s))]);
  const widths = cols.map((c) => Math.max(...c.map((x) => x.length)));
  const line = (label: string, cells: string[]) => `| ${label.padEnd(labelWidth)} | ${cells.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
  return [
    '',
    `=== bench:approvals side by side (${m.cores} cores, ${m.memoryGiB} GiB, ${m.cpuModel}, Node ${process.version}) ===`,
    line(
      '',
      runs.map((s) => s.label),
    ),
    `|${'-'.repeat(labelWidth + 2)}|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(([label, f]) => line(label, runs.map(f))),
    ...(summaries.length > runs.length ? [`${summaries.length - runs.length} run(s) wrote no figures (see their output above)`] : []),
  ];
}
