/**
 * Working-day calendar in China Standard Time (CST, UTC+8, no DST).
 *
 * Pure and deterministic: used from Temporal workflow code, so it never reads
 * the clock or the host time zone. Local dates are derived by shifting the
 * epoch by a fixed +8 h and reading the UTC fields, which gives the same answer
 * on every worker whatever its TZ setting.
 */

/** A deviation from the normal Monday–Friday week. */
export type CalendarEntry = {
  /** Local CST date, YYYY-MM-DD. */
  date: string;
  /** 'holiday' = day off (even on a weekday); 'workday' = worked (even on a weekend, 调休). */
  kind: 'holiday' | 'workday';
  name?: string;
};

/** Fixed offset of China Standard Time from UTC. China has observed no DST since 1991. */
export const CST_OFFSET_MS = 8 * 60 * 60 * 1000;
const MS_PER_DAY = 24 * 60 * 60 * 1000;

/**
 * Guard against an admin-edited table that marks (almost) everything as a
 * holiday: rather than loop forever inside a workflow, give up after a year
 * and a bit without a single working day.
 */
const MAX_CONSECUTIVE_NON_WORKING_DAYS = 400;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Parse a YYYY-MM-DD string into the UTC epoch ms of that date's midnight
 * (used only as a day index / weekday source, not as an instant).
 */
function parseDateKey(date: string): number {
  const m = DATE_RE.exec(date);
  if (m) {
    const y = Number(m[1]);
    const mo = Number(m[2]);
    const d = Number(m[3]);
    const t = Date.UTC(y, mo - 1, d);
    const back = new Date(t);
    // Date.UTC silently rolls 2024-02-30 over to March; reject instead.
    if (back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d) {
      return t;
    }
  }
  throw new Error(`日期格式无效，应为 YYYY-MM-DD 的真实日期 / invalid date, expected a real YYYY-MM-DD date: ${JSON.stringify(date)}`);
}

/**
 * The CST calendar date (YYYY-MM-DD) of an instant, independent of the host
 * time zone.
 */
export function toCstDateString(instant: Date): string {
  return new Date(instant.getTime() + CST_OFFSET_MS).toISOString().slice(0, 10);
}

/** Epoch ms of 00:00 CST on the CST date containing `t`. */
function startOfCstDay(t: number): number {
  const shifted = t + CST_OFFSET_MS;
  return shifted - (((shifted % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY) - CST_OFFSET_MS;
}

/**
 * Chinese working-day calendar: Monday–Friday are working days and weekends
 * are off, except where an entry says otherwise ('holiday' turns a day off,
 * 'workday' turns a weekend day into a 调休 working day).
 */
export class WorkingCalendar {
  private readonly overrides: ReadonlyMap<string, 'holiday' | 'workday'>;

  /**
   * @param entries Holiday and 调休 workday entries, typically loaded from the
   *   admin-editable calendar table. Exact duplicates are tolerated; the same
   *   date listed as both holiday and workday is a data error and throws,
   *   because silently picking one would make deadlines depend on row order.
   * @throws Error on a malformed date, unknown kind or conflicting entries.
   */
  constructor(entries: readonly CalendarEntry[]) {
    const map = new Map<string, 'holiday' | 'workday'>();
    for (const entry of entries) {
      parseDateKey(entry.date);
      if (entry.kind !== 'holiday' && entry.kind !== 'workday') {
        throw new Error(
          `日历条目类型无效（应为 holiday 或 workday） / invalid calendar entry kind (expected holiday or workday): ${entry.date} ${JSON.stringify(entry.kind)}`,
        );
      }
      const existing = map.get(entry.date);
      if (existing !== undefined && existing !== entry.kind) {
        throw new Error(`日历中同一日期既是节假日又是工作日 / calendar lists the same date as both holiday and workday: ${entry.date}`);
      }
      map.set(entry.date, entry.kind);
    }
    this.overrides = map;
  }

  /**
   * Whether a CST date is a working day: an explicit entry wins; otherwise
   * Monday–Friday work and Saturday/Sunday are off.
   *
   * @param date Local CST date, YYYY-MM-DD.
   * @throws Error if `date` is not a real YYYY-MM-DD date.
   */
  isWorkingDay(date: string): boolean {
    const dayKey = parseDateKey(date);
    const override = this.overrides.get(date);
    if (override !== undefined) return override === 'workday';
    const weekday = new Date(dayKey).getUTCDay(); // 0 = Sunday, 6 = Saturday
    return weekday !== 0 && weekday !== 6;
  }

  /**
   * Add a working-time duration to an instant.
   *
   * Rule (all dates in CST):
   * 1. If `duration.days` is 0, the result is simply `start + ms`.
   * 2. Otherwise, if `start` falls on a non-working day, the count starts at
   *    00:00 CST of the next working day (time spent on the weekend/holiday
   *    does not count, and the clock time is reset to midnight).
   * 3. From that point, step forward one calendar day at a time keeping the
   *    same clock time, counting only steps that land on a working day, until
   *    `days` working days have been counted. So a 1-day limit started on
   *    Friday 10:00 ends on the next working day at 10:00 (Monday, or later
   *    if Monday is a holiday), and a 调休 Saturday/Sunday counts like any
   *    other working day.
   * 4. Finally add `ms` as plain wall-clock time (it may cross into a
   *    non-working day; sub-day parts are not calendar-adjusted).
   *
   * @param start The instant the limit starts (e.g. task creation time).
   * @param duration Typically from `parseDuration`: whole working days plus a
   *   wall-clock part in ms. Both must be non-negative; `days` an integer.
   * @returns A new Date; `start` is not modified.
   * @throws Error on an invalid start date or duration, or if the calendar has
   *   no working day for over a year (corrupt calendar data).
   */
  addWorkingTime(start: Date, duration: { days: number; ms: number }): Date {
    const startMs = start.getTime();
    if (!Number.isFinite(startMs)) {
      throw new Error('开始时间无效 / start date is invalid');
    }
    const { days, ms } = duration;
    if (!Number.isSafeInteger(days) || days < 0) {
      throw new Error(`工作日天数必须是非负整数 / working days must be a non-negative integer: ${days}`);
    }
    if (!Number.isFinite(ms) || ms < 0) {
      throw new Error(`时长毫秒数必须是非负数 / duration milliseconds must be non-negative: ${ms}`);
    }
    if (days === 0) return new Date(startMs + ms);

    const isWorking = (t: number): boolean => this.isWorkingDay(toCstDateString(new Date(t)));
    const guardExceeded = (): never => {
      throw new Error(
        `工作日历连续 ${MAX_CONSECUTIVE_NON_WORKING_DAYS} 天没有工作日，请检查节假日配置 / working calendar has no working day for ${MAX_CONSECUTIVE_NON_WORKING_DAYS} consecutive days; check the holiday table`,
      );
    };

    let t = startMs;
    if (!isWorking(t)) {
      t = startOfCstDay(t);
      let skipped = 0;
      do {
        t += MS_PER_DAY;
        if (++skipped > MAX_CONSECUTIVE_NON_WORKING_DAYS) guardExceeded();
      } while (!isWorking(t));
    }

    // CST has a fixed offset, so "same clock time next day" is exactly +24 h.
    let counted = 0;
    let nonWorkingRun = 0;
    while (counted < days) {
      t += MS_PER_DAY;
      if (isWorking(t)) {
        counted++;
        nonWorkingRun = 0;
      } else if (++nonWorkingRun > MAX_CONSECUTIVE_NON_WORKING_DAYS) {
        guardExceeded();
      }
    }
    return new Date(t + ms);
  }
}
