/**
 * Summaries of V8 CPU profiles (`node --cpu-prof`): self time by function
 * and by package, per thread, so a run can say where a node process spends
 * its CPU without opening DevTools. The raw .cpuprofile files are kept for
 * that too.
 */
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** Which part of the system a script URL belongs to. */
function bucketOf(url: string): string {
  if (!url) return '(native / V8 / GC)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith('node:')) return 'node core';
  if (url.includes('/workflows/') || url.includes('workflow-bundle') || url.startsWith('webpack')) return 'workflow code (bundle)';
  const m = /\/work\/[^/]+\/([^/]+)\//.exec(url);
  if (m) return `project ${m[1]}/`;
  return url.length > 60 ? `…${url.slice(-60)}` : url;
}

/** A time window in the profiles' clock (µs, shared by all threads of a process). */
export interface ProfileWindow {
  fromUs: number;
  toUs: number;
}

function readProfile(file: string): CpuProfile {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
}

export function summarizeProfile(file: string, window?: ProfileWindow, top = 12): string[] {
  const p = readProfile(file);
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  const from = Math.max(p.startTime, window?.fromUs ?? -Infinity);
  const to = Math.min(p.endTime, window?.toUs ?? Infinity);
  const totalUs = Math.max(0, to - from);
  // Self time per node from the samples (more exact than hitCount × mean interval), inside the window only.
  const selfUs = new Map<number, number>();
  let t = p.startTime;
  for (let i = 0; i < samples.length; i++) {
    t += deltas[i] ?? 0;
    if (t < from || t > to) continue;
    selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0));
  }
  const byFn = new Map<string, number>();
  const byBucket = new Map<string, number>();
  let idleUs = 0;
  for (const n of p.nodes) {
    const us = selfUs.get(n.id) ?? 0;
    if (!us) continue;
    const name = n.callFrame.functionName || '(anonymous)';
    if (name === '(idle)') {
      idleUs += us;
      continue;
    }
    const loc = n.callFrame.url ? `${path.basename(n.callFrame.url)}:${n.callFrame.lineNumber + 1}` : '';
    const key = `${name} ${loc ? `(${bucketOf(n.callFrame.url)} ${loc})` : ''}`.trim();
    byFn.set(key, (byFn.get(key) ?? 0) + us);
    const b = ['(garbage collector)', '(program)'].includes(name) ? name : bucketOf(n.callFrame.url);
    byBucket.set(b, (byBucket.get(b) ?? 0) + us);
  }
  const busyUs = [...byFn.values()].reduce((a, b) => a + b, 0);
  const pct = (us: number) => `${((us / Math.max(1, busyUs)) * 100).toFixed(1).padStart(5)} %`;
  const out = [
    `  ${path.basename(file)}: ${(totalUs / 1e6).toFixed(1)} s profiled, JS thread busy ${(busyUs / 1e6).toFixed(1)} s (${((busyUs / Math.max(1, totalUs)) * 100).toFixed(0)} %), idle ${(idleUs / 1e6).toFixed(1)} s`,
  ];
  out.push('    by package (self time, share of busy):');
  for (const [k, v] of [...byBucket.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10)) out.push(`      ${pct(v)}  ${k}`);
  out.push('    top functions (self time):');
  for (const [k, v] of [...byFn.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) out.push(`      ${pct(v)}  ${k}`);
  return out;
}

/**
 * Summaries of every profile in `dir` (one per JS thread of a process),
 * largest first. `window` is wall-clock ms relative to the process's start
 * (its main thread's profile start), e.g. the benchmark's measured phase.
 */
export function summarizeProfiles(dir: string, label: string, window?: { fromMs: number; toMs: number }): string[] {
  if (!fs.existsSync(dir)) return [];
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(dir, f))
    .sort((a, b) => fs.statSync(b).size - fs.statSync(a).size);
  let w: ProfileWindow | undefined;
  if (window && files.length) {
    const base = Math.min(...files.map((f) => readProfile(f).startTime));
    w = { fromUs: base + window.fromMs * 1000, toUs: base + window.toMs * 1000 };
  }
  const scope = window
    ? `${(window.fromMs / 1000).toFixed(1)}–${(window.toMs / 1000).toFixed(1)} s after the process started (the measured phase only)`
    : 'the whole process lifetime';
  const out: string[] = [`CPU profile of the ${label} (node --cpu-prof, one file per JS thread; ${scope}):`];
  for (const f of files) {
    try {
      out.push(...summarizeProfile(f, w));
    } catch (e) {
      out.push(`  ${path.basename(f)}: unreadable (${String(e)})`);
    }
  }
  return out;
}
