/**
 * Measuring helpers: latency recorders with percentiles, counters, peak
 * memory (VmHWM) and CPU time of processes from /proc, and a sampler of
 * Postgres's pg_stat_activity — a poor man's profile of where the time goes.
 */
import fs from 'node:fs';
import type pg from 'pg';
import { childrenOf, procStat } from '../../runtime/proc';

// ---------------------------------------------------------------------------
// Latencies and counters
// ---------------------------------------------------------------------------

export class Recorder {
  private values: number[] = [];
  add(ms: number): void {
    this.values.push(ms);
  }
  get count(): number {
    return this.values.length;
  }
  /** Nearest-rank percentile, p in [0, 100]. */
  percentile(p: number): number {
    if (!this.values.length) return NaN;
    const sorted = [...this.values].sort((a, b) => a - b);
    const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
    return sorted[rank]!;
  }
  summary(): { count: number; mean: number; p50: number; p95: number; p99: number; max: number } {
    const n = this.values.length;
    if (!n) return { count: 0, mean: NaN, p50: NaN, p95: NaN, p99: NaN, max: NaN };
    const sorted = [...this.values].sort((a, b) => a - b);
    const at = (p: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))]!;
    return { count: n, mean: sorted.reduce((s, v) => s + v, 0) / n, p50: at(50), p95: at(95), p99: at(99), max: sorted[n - 1]! };
  }
  /** Removes and returns everything recorded so far (for per-interval figures). */
  drain(): Recorder {
    const r = new Recorder();
    r.values = this.values;
    this.values = [];
    return r;
  }
}

export function fmtMs(v: number): string {
  if (!Number.isFinite(v)) return '—';
  return v >= 100 ? `${v.toFixed(0)} ms` : `${v.toFixed(1)} ms`;
}

export function latencyLine(label: string, r: Recorder): string {
  const s = r.summary();
  return `${label.padEnd(34)} n=${String(s.count).padEnd(6)} p50=${fmtMs(s.p50).padEnd(9)} p95=${fmtMs(s.p95).padEnd(9)} p99=${fmtMs(s.p99).padEnd(9)} max=${fmtMs(s.max).padEnd(9)} mean=${fmtMs(s.mean)}`;
}

export class Counter {
  readonly counts = new Map<string, number>();
  inc(key: string, by = 1): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + by);
  }
  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }
  toString(): string {
    if (!this.counts.size) return 'none';
    return [...this.counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * An offered rate: each call waits for its slot, one every 1/perSecond s, shared by all callers (open-loop pacing).
 * A rate of 0 never waits (saturation).
 */
export function pacer(perSecond: number): () => Promise<void> {
  let nextSlot = 0;
  return async () => {
    if (!perSecond) return;
    const now = performance.now();
    const slot = Math.max(now, nextSlot);
    nextSlot = slot + 1000 / perSecond;
    if (slot > now) await sleep(slot - now);
  };
}

// ---------------------------------------------------------------------------
// /proc: memory and CPU of processes
// ---------------------------------------------------------------------------

/** Resident memory of a process in MiB: current (VmRSS) and peak (VmHWM). undefined once it is gone. */
export function procMemory(pid: number): { rssMiB: number; hwmMiB: number } | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMiB: kb('VmRSS') / 1024, hwmMiB: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

const CLK_TCK = 100; // Linux's USER_HZ on every mainstream kernel

/**
 * CPU seconds used by a process; with `tree`, plus its live children and
 * the children it has reaped (Postgres backends come and go).
 */
export function procCpuSeconds(pid: number, tree = false): number {
  const s = procStat(pid);
  if (!s) return NaN;
  let ticks = s.self;
  if (tree) {
    ticks += s.children;
    for (const c of childrenOf(pid)) ticks += procStat(c)?.self ?? 0;
  }
  return ticks / CLK_TCK;
}

/** Machine-wide CPU: busy and total seconds over all cores since boot (/proc/stat). */
export function machineCpuSeconds(): { busy: number; total: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (v[3] ?? 0) + (v[4] ?? 0); // idle + iowait
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0); // without guest (already in user)
  return { busy: (total - idle) / CLK_TCK, total: total / CLK_TCK };
}

export interface Component {
  name: string;
  pid: number;
  /** Count children too (Postgres: the postmaster and its backends). */
  tree?: boolean;
}

export interface CpuSnapshot {
  at: number;
  perComponent: Record<string, number>;
  bench: number;
  machine: { busy: number; total: number };
}

/** CPU time of the system's processes, the benchmark itself and the whole machine, at one moment. */
export function cpuSnapshot(components: Component[]): CpuSnapshot {
  const perComponent: Record<string, number> = {};
  for (const c of components) perComponent[c.name] = procCpuSeconds(c.pid, c.tree);
  const u = process.cpuUsage();
  return { at: Date.now(), perComponent, bench: (u.user + u.system) / 1e6, machine: machineCpuSeconds() };
}

/** A table of CPU use between two snapshots: seconds, share of one core, and what the rest of the machine used. */
export function cpuReport(a: CpuSnapshot, b: CpuSnapshot, cores: number): string[] {
  const wall = (b.at - a.at) / 1000;
  const lines: string[] = [];
  let ours = 0;
  const row = (name: string, s: number) => `  ${name.padEnd(22)} ${s.toFixed(1).padStart(7)} s  ${((s / wall) * 100).toFixed(0).padStart(4)} % of one core`;
  for (const name of Object.keys(b.perComponent)) {
    const s = (b.perComponent[name] ?? NaN) - (a.perComponent[name] ?? NaN);
    if (Number.isFinite(s)) ours += s;
    lines.push(row(name, s));
  }
  const bench = b.bench - a.bench;
  ours += bench;
  lines.push(row('load generator (this)', bench));
  const busy = b.machine.busy - a.machine.busy;
  const capacity = b.machine.total - a.machine.total || wall * cores;
  lines.push(row('everything else', Math.max(0, busy - ours)));
  lines.push(
    `  machine busy ${((busy / capacity) * 100).toFixed(0)} % of ${cores} cores over ${wall.toFixed(1)} s (ours ${((ours / capacity) * 100).toFixed(0)} %, others ${((Math.max(0, busy - ours) / capacity) * 100).toFixed(0)} %)`,
  );
  return lines;
}

/** Samples the peak RSS (VmHWM) of processes until stopped; the last reading wins (VmHWM only grows). */
export class MemoryWatch {
  private peak = new Map<string, { hwm: number; rss: number }>();
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly components: Component[]) {}
  start(everyMs = 500): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
    return this;
  }
  sample(): void {
    for (const c of this.components) {
      const pids = c.tree ? [c.pid, ...safeChildren(c.pid)] : [c.pid];
      let hwm = 0;
      let rss = 0;
      for (const pid of pids) {
        const m = procMemory(pid);
        if (!m) continue;
        // For a tree the sum of the processes' RSS double-counts shared memory; report the largest process's peak instead.
        hwm = Math.max(hwm, m.hwmMiB);
        rss += m.rssMiB;
      }
      if (!hwm && !rss) continue;
      const prev = this.peak.get(c.name) ?? { hwm: 0, rss: 0 };
      this.peak.set(c.name, { hwm: Math.max(prev.hwm, hwm), rss: Math.max(prev.rss, rss) });
    }
  }
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.sample();
  }
  lines(): string[] {
    return this.components.map((c) => {
      const p = this.peak.get(c.name);
      if (!p) return `  ${c.name.padEnd(22)} —`;
      return c.tree
        ? `  ${c.name.padEnd(22)} largest process VmHWM ${p.hwm.toFixed(0)} MiB; sum of processes' VmRSS up to ${p.rss.toFixed(0)} MiB (shared buffers counted repeatedly)`
        : `  ${c.name.padEnd(22)} peak RSS (VmHWM) ${p.hwm.toFixed(0)} MiB`;
    });
  }
  peakOf(name: string): number {
    return this.peak.get(name)?.hwm ?? NaN;
  }
}

function safeChildren(pid: number): number[] {
  try {
    return childrenOf(pid);
  } catch {
    return [];
  }
}

// ---------------------------------------------------------------------------
// Postgres: what the backends are busy with
// ---------------------------------------------------------------------------

/** Literals and numbers out, whitespace squeezed: one key per query shape. */
function shape(query: string): string {
  return query
    .replace(/'(?:[^']|'')*'/g, "'?'")
    .replace(/\$\d+/g, '$n')
    .replace(/\b\d+\b/g, 'N')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 110);
}

/**
 * Samples pg_stat_activity of one database every `everyMs`: which query
 * shapes are running (or waiting) how often. Samples / ticks = the average
 * number of backends busy with that shape.
 */
export class PgActivitySampler {
  private ticks = 0;
  private byShape = new Map<string, number>();
  private byWait = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  constructor(
    private readonly pool: pg.Pool,
    private readonly database: string,
  ) {}
  start(everyMs = 200): this {
    this.timer = setInterval(() => void this.sample(), everyMs);
    this.timer.unref();
    return this;
  }
  private async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const { rows } = await this.pool.query<{ state: string; wait: string | null; query: string }>(
        `select state, wait_event_type || ':' || wait_event as wait, query
           from pg_stat_activity
          where datname = $1 and pid <> pg_backend_pid() and state not in ('idle') and backend_type = 'client backend'`,
        [this.database],
      );
      this.ticks += 1;
      for (const r of rows) {
        const key = `${r.state === 'active' ? '' : `[${r.state}] `}${shape(r.query)}`;
        this.byShape.set(key, (this.byShape.get(key) ?? 0) + 1);
        const w = r.wait ?? (r.state === 'active' ? 'CPU' : r.state);
        this.byWait.set(w, (this.byWait.get(w) ?? 0) + 1);
      }
    } catch {
      /* the database may be stopping */
    } finally {
      this.busy = false;
    }
  }
  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
  lines(top = 10): string[] {
    if (!this.ticks) return ['  (no samples)'];
    const total = [...this.byShape.values()].reduce((a, b) => a + b, 0);
    const out = [`  ${this.ticks} samples; on average ${(total / this.ticks).toFixed(2)} backends busy (not idle)`];
    out.push(
      `  by wait: ${[...this.byWait.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 6)
        .map(([k, v]) => `${k} ${(v / this.ticks).toFixed(2)}`)
        .join(', ')}`,
    );
    for (const [k, v] of [...this.byShape.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) out.push(`  ${(v / this.ticks).toFixed(2).padStart(5)}  ${k}`);
    return out;
  }
}

/** Tables read by sequential scans (a missing index shows up here), from pg_stat_user_tables. */
export async function seqScanReport(pool: pg.Pool, tables: string[]): Promise<string[]> {
  const { rows } = await pool.query<{ relname: string; seq_scan: string; seq_tup_read: string; idx_scan: string | null; n_live_tup: string }>(
    `select relname, seq_scan, seq_tup_read, idx_scan, n_live_tup from pg_stat_user_tables where relname = any($1) order by seq_tup_read desc`,
    [tables],
  );
  return rows.map(
    (r) =>
      `  ${r.relname.padEnd(18)} rows ${String(r.n_live_tup).padStart(7)}  seq scans ${String(r.seq_scan).padStart(7)} (rows read ${String(r.seq_tup_read).padStart(10)})  index scans ${String(r.idx_scan ?? 0).padStart(8)}`,
  );
}
