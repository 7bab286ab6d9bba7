/**
 * The cadences of seed 001 (日收集、周调度、月督查): which day, week or month an
 * instant belongs to, as people in China count them — Beijing-time days
 * (midnight in Beijing, 16:00 UTC), ISO weeks starting on Monday, calendar
 * months. Pure arithmetic on a UTC+8 shift (China keeps no daylight saving).
 */
import { BEIJING_OFFSET_MS } from './beijing-time';

export type Cadence = 'day' | 'week' | 'month';

export const CADENCES: readonly Cadence[] = ['day', 'week', 'month'];

const DAY_MS = 86_400_000;

/** One period: a sortable key, its Chinese label, and its first and last Beijing day (YYYY-MM-DD). */
export interface Period {
  key: string;
  label: string;
  first: string;
  last: string;
}

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const md = (day: string) => day.slice(5);

/** The period of `by` an instant falls in, counted in Beijing time. */
export function periodOf(at: Date | string, by: Cadence): Period {
  const ms = (at instanceof Date ? at.getTime() : Date.parse(at)) + BEIJING_OFFSET_MS;
  // Midnight (as a UTC date) of the Beijing day.
  const day = Math.floor(ms / DAY_MS) * DAY_MS;
  const d = new Date(day);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  if (by === 'day') {
    const s = iso(day);
    return { key: s, label: `${y}年${m + 1}月${d.getUTCDate()}日`, first: s, last: s };
  }
  if (by === 'month') {
    const first = iso(Date.UTC(y, m, 1));
    const last = iso(Date.UTC(y, m + 1, 0));
    return { key: first.slice(0, 7), label: `${y}年${m + 1}月`, first, last };
  }
  // ISO week: Monday to Sunday; the week belongs to the year of its Thursday.
  const weekday = (d.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const monday = day - weekday * DAY_MS;
  const thursday = new Date(monday + 3 * DAY_MS);
  const weekYear = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(weekYear, 0, 1)) / DAY_MS / 7) + 1;
  const first = iso(monday);
  const last = iso(monday + 6 * DAY_MS);
  return { key: `${weekYear}-W${String(week).padStart(2, '0')}`, label: `${weekYear}年第${week}周 (${md(first)}—${md(last)})`, first, last };
}

/** The online-join figures of one region (or all) in one period. */
export interface JoinCounts {
  received: number;
  approved: number;
  rejected: number;
  pending: number;
  withdrawn: number;
}

const ZERO: JoinCounts = { received: 0, approved: 0, rejected: 0, pending: 0, withdrawn: 0 };

function add(into: JoinCounts, c: JoinCounts): void {
  into.received += c.received;
  into.approved += c.approved;
  into.rejected += c.rejected;
  into.pending += c.pending;
  into.withdrawn += c.withdrawn;
}

/**
 * Folds timed counts (e.g. hourly buckets) into periods of `by`: per region and
 * period, per period over all regions, per region over all periods, and the
 * grand total. Periods ascend; only periods with an application appear.
 */
export function foldByPeriod(rows: readonly ({ region: string; at: Date | string } & JoinCounts)[], by: Cadence) {
  const periods = new Map<string, Period>();
  const cells = new Map<string, JoinCounts>();
  const perPeriod = new Map<string, JoinCounts>();
  const perRegion = new Map<string, JoinCounts>();
  const total = { ...ZERO };
  const bump = <K>(m: Map<K, JoinCounts>, k: K, c: JoinCounts) => {
    const prev = m.get(k);
    if (prev) add(prev, c);
    else m.set(k, { ...c });
  };
  for (const r of rows) {
    const p = periodOf(r.at, by);
    periods.set(p.key, p);
    const c: JoinCounts = { received: r.received, approved: r.approved, rejected: r.rejected, pending: r.pending, withdrawn: r.withdrawn };
    bump(cells, `${p.key}\u0000${r.region}`, c);
    bump(perPeriod, p.key, c);
    bump(perRegion, r.region, c);
    add(total, c);
  }
  const sorted = [...periods.values()].sort((a, b) => a.key.localeCompare(b.key));
  return {
    periods: sorted.map((p) => ({ ...p, total: perPeriod.get(p.key)! })),
    cells: [...cells.entries()].map(([k, counts]) => {
      const [period, region] = k.split('\u0000') as [string, string];
      return { period, region, ...counts };
    }),
    regions: Object.fromEntries(perRegion) as Record<string, JoinCounts>,
    total,
  };
}
