/**
 * The official calendar (国务院办公厅节假日安排) and the admin overrides on top.
 *
 * The State Council's holidays and 调休 working days come from the maintained
 * library `chinese-days` (it tracks each year's notice; see its data for the
 * years it covers). Admins add overrides for what the library does not know
 * yet — a year announced after its release — and for local holidays. An
 * override belongs to an org and applies to that org's subtree; a task's due
 * time uses the calendar of the task's org: the library, then the overrides of
 * the org's ancestors from the top down, so the nearest org's override wins.
 *
 * I/O-free, but NOT for workflow code: the activity that resolves a step
 * builds the entries here and hands the workflow computed due times only.
 */
import chineseDays from 'chinese-days';
import type { CalendarEntry } from './calendar';

export type DayKind = 'holiday' | 'workday';

/** A day that is not an ordinary Monday–Friday workday or weekend, and where that comes from. */
export interface CalendarDay {
  date: string;
  kind: DayKind;
  name: string;
  source: 'official' | 'override';
  /** For an override: the org whose override it is. */
  orgId?: string;
}

/** An admin override as stored (calendar_overrides). */
export interface CalendarOverride {
  date: string;
  kind: DayKind;
  name: string;
  orgId: string;
}

/** The library's names look like 'National Day,国庆节,3'; an ordinary day is just 'Saturday'. */
function chineseName(libraryName: string): string | undefined {
  const parts = libraryName.split(',');
  return parts.length >= 2 ? parts[1] : undefined;
}

/** Whether the library carries the State Council's notice for `year` (every notice makes 1 January a holiday). */
export function officialYearCovered(year: number): boolean {
  const d = chineseDays.getDayDetail(`${year}-01-01`);
  return !d.work && chineseName(d.name) !== undefined;
}

const byYear = new Map<number, CalendarDay[]>();

/**
 * The official deviations of one year: every day of each holiday period
 * (weekend days included, so the period reads whole) and each 调休 working day.
 * Empty for a year the library does not cover yet.
 */
export function officialDays(year: number): CalendarDay[] {
  const cached = byYear.get(year);
  if (cached) return cached;
  const days: CalendarDay[] = [];
  if (officialYearCovered(year)) {
    for (let t = Date.UTC(year, 0, 1); new Date(t).getUTCFullYear() === year; t += 86_400_000) {
      const date = new Date(t).toISOString().slice(0, 10);
      const d = chineseDays.getDayDetail(date);
      const name = chineseName(d.name);
      if (name === undefined) continue;
      days.push(d.work ? { date, kind: 'workday', name: `${name}调休上班`, source: 'official' } : { date, kind: 'holiday', name, source: 'official' });
    }
  }
  byYear.set(year, days);
  return days;
}

/**
 * The calendar of an org for some years: the official days, then the
 * overrides of the org's ancestors applied from the top down (nearest wins).
 *
 * @param overridesTopDown the overrides of the org and its ancestors, ordered
 *   from the root to the org itself (only their order matters, not their dates).
 * @returns the days that differ from the ordinary week, by date.
 */
export function composeCalendar(years: readonly number[], overridesTopDown: readonly CalendarOverride[]): CalendarDay[] {
  const map = new Map<string, CalendarDay>();
  for (const y of years) for (const d of officialDays(y)) map.set(d.date, d);
  const wanted = new Set(years);
  for (const o of overridesTopDown) {
    if (!wanted.has(Number(o.date.slice(0, 4)))) continue;
    map.set(o.date, { date: o.date, kind: o.kind, name: o.name, source: 'override', orgId: o.orgId });
  }
  return [...map.values()].sort((a, b) => a.date.localeCompare(b.date));
}

/** The same, as entries for {@link WorkingCalendar}. */
export function calendarEntries(years: readonly number[], overridesTopDown: readonly CalendarOverride[]): CalendarEntry[] {
  return composeCalendar(years, overridesTopDown).map(({ date, kind, name }) => ({ date, kind, name }));
}
