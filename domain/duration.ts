/**
 * Duration parsing for workflow time limits (审批时限、催办间隔等).
 *
 * Pure and deterministic: this module is imported by Temporal workflow code,
 * so it must not touch the clock, the environment or any Node built-in.
 *
 * A parsed duration is split in two parts because they mean different things:
 * - `days` counts *working days* (the calendar decides which days count), and
 * - `ms` is plain wall-clock time added on top.
 * Hours are deliberately NOT folded into days: `PT24H` is 24 wall-clock hours,
 * whereas `P1D` is one working day, which may span a weekend or a holiday.
 */

/** A duration split into a working-day part and a wall-clock part. */
export interface ParsedDuration {
  /** Whole days; interpreted as working days by the calendar. */
  days: number;
  /** Time part in milliseconds; always added as wall-clock time. */
  ms: number;
}

const MS_PER_SECOND = 1_000;
const MS_PER_MINUTE = 60 * MS_PER_SECOND;
const MS_PER_HOUR = 60 * MS_PER_MINUTE;
/** Milliseconds in one calendar day (China has no DST, so this is exact). */
export const MS_PER_DAY = 24 * MS_PER_HOUR;

// Numbers are unsigned decimal; a fraction (`.` or `,` per ISO 8601) is allowed
// only on time components, and only on the last one present (checked below).
const ISO_DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/;

function fail(zh: string, en: string, input: unknown): never {
  throw new Error(`${zh} / ${en}: ${JSON.stringify(input)}`);
}

function toSafeInteger(value: number, input: unknown): number {
  if (!Number.isSafeInteger(value)) {
    fail('时长数值过大', 'duration is too large', input);
  }
  return value;
}

function parseIso(raw: string, original: string | number): ParsedDuration {
  // Designators are case-insensitive in practice (admins type `p3d`); ISO itself
  // uses upper case, so normalise before matching.
  const text = raw.toUpperCase();

  // Years and months have no fixed length (28–31 days, leap years), so a time
  // limit expressed in them would be ambiguous. Detect them explicitly so the
  // error says *why* instead of a generic "invalid format".
  const datePart = text.split('T')[0] ?? '';
  if (/\d[YM]/.test(datePart)) {
    fail(
      '不支持以年或月为单位的时长（天数不固定），请改用天（D）或周（W）',
      'years and months are not supported (their length is ambiguous); use days (D) or weeks (W)',
      original,
    );
  }

  const m = ISO_DURATION.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) {
    fail(
      '时长格式无效，应为毫秒数或 ISO 8601 时长（如 P3D、PT2H、P1DT12H）',
      'invalid duration; expected milliseconds or an ISO 8601 duration such as P3D, PT2H, P1DT12H',
      original,
    );
  }

  const [, weeks, days, hours, minutes, seconds] = m;
  const timeParts = [hours, minutes, seconds];

  // ISO 8601 only allows a decimal fraction on the lowest-order component.
  const lastIndex = timeParts.reduce<number>((acc, p, i) => (p !== undefined ? i : acc), -1);
  timeParts.forEach((p, i) => {
    if (p !== undefined && /[.,]/.test(p) && i !== lastIndex) {
      fail('只有最后一个时间分量可以带小数', 'only the last time component may have a fraction', original);
    }
  });

  const wholeDays = toSafeInteger(Number(weeks ?? 0) * 7 + Number(days ?? 0), original);

  const unitMs = [MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND];
  let ms = 0;
  timeParts.forEach((p, i) => {
    if (p === undefined) return;
    // Round to whole milliseconds: timers have ms resolution, and rounding
    // hides binary floating-point noise (0.1 h → 360000.00000000006).
    ms += Math.round(Number(p.replace(',', '.')) * (unitMs[i] ?? 0));
  });

  return { days: wholeDays, ms: toSafeInteger(ms, original) };
}

/**
 * Parse a duration given either as milliseconds or as an ISO 8601 duration.
 *
 * Accepted forms:
 * - a non-negative integer number, or a string of digits: milliseconds, always
 *   treated as wall-clock time (`{ days: 0, ms }`), because a raw ms count
 *   carries no "working day" intent;
 * - ISO 8601 durations built from weeks, days, hours, minutes and seconds:
 *   `P3D`, `P2W` (= 14 days), `PT2H`, `PT30M`, `PT1.5S`, `P1DT12H`. Weeks and
 *   days go to `days`; hours/minutes/seconds go to `ms` (not normalised into
 *   days, so `PT36H` stays 36 wall-clock hours).
 *
 * Rejected: years and months (ambiguous length), negative values, fractional
 * days/weeks, empty durations (`P`, `PT`) and anything else.
 *
 * @throws Error with a Chinese / English message when the input is invalid.
 */
export function parseDuration(input: string | number): ParsedDuration {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || !Number.isInteger(input) || input < 0) {
      fail('毫秒时长必须是非负整数', 'a millisecond duration must be a non-negative integer', input);
    }
    return { days: 0, ms: toSafeInteger(input, input) };
  }

  if (typeof input !== 'string') {
    fail('时长必须是字符串或数字', 'a duration must be a string or a number', input);
  }

  const text = input.trim();
  if (/^\d+$/.test(text)) {
    return { days: 0, ms: toSafeInteger(Number(text), input) };
  }
  if (/^p/i.test(text)) {
    return parseIso(text, input);
  }
  if (/^[-+]/.test(text)) {
    fail('时长不能为负数或带符号', 'a duration must not be negative or signed', input);
  }
  return fail(
    '时长格式无效，应为毫秒数或 ISO 8601 时长（如 P3D、PT2H、P1DT12H）',
    'invalid duration; expected milliseconds or an ISO 8601 duration such as P3D, PT2H, P1DT12H',
    input,
  );
}

/**
 * Total wall-clock length of a duration in milliseconds, treating each day as
 * 24 hours (`days * 86 400 000 + ms`). Useful for plain timers that do not
 * consult the working-day calendar.
 *
 * @throws Error when the input is invalid (see {@link parseDuration}).
 */
export function durationToMs(input: string | number): number {
  const { days, ms } = parseDuration(input);
  const total = days * MS_PER_DAY + ms;
  if (!Number.isSafeInteger(total)) {
    fail('时长数值过大', 'duration is too large', input);
  }
  return total;
}

/**
 * Whether {@link parseDuration} would accept the input. Never throws, so it is
 * suitable for form validation.
 */
export function isValidDuration(input: unknown): boolean {
  if (typeof input !== 'string' && typeof input !== 'number') return false;
  try {
    durationToMs(input);
    return true;
  } catch {
    return false;
  }
}
