/**
 * 居民身份证号码 (GB 11643-1999) validation and personal-data masking.
 *
 * Pure and deterministic (no clock, no I/O) so it can run inside Temporal
 * workflow code as well as in the API layer.
 *
 * Layout of the 18 characters:
 *   1–6   address (region) code
 *   7–14  birth date YYYYMMDD
 *   15–17 sequence code; the 17th digit is odd for men, even for women
 *   18    ISO 7064 MOD 11-2 check character (0–9 or X)
 */

export type IdNumberValidation = { ok: true; normalized: string; birthDate: string; sex: 'male' | 'female' } | { ok: false; reason: string };

/** Optional checks that need outside information. */
export interface ValidateIdNumberOptions {
  /**
   * Today's date (YYYY-MM-DD, CST). When given, birth dates after it are
   * rejected. Not defaulted from the clock because this module must stay
   * deterministic for workflow replay.
   */
  today?: string;
}

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';
/** Earliest accepted birth year: anything earlier is certainly a typo. */
const MIN_BIRTH_YEAR = 1900;

/** Check character for 17 digits (caller guarantees the format). */
function checkChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    sum += Number(first17.charAt(i)) * (WEIGHTS[i] ?? 0);
  }
  return CHECK_CHARS.charAt(sum % 11);
}

function isRealDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  // Date.UTC normalises overflow (Feb 30 → Mar 1/2); a round-trip catches it.
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

/**
 * Validate an 18-character resident ID number.
 *
 * Checks, in order: length 18, first 17 characters are digits, last character
 * is a digit or X (lower-case x is accepted and upper-cased), the birth date
 * at positions 7–14 is a real calendar date not before 1900 (and not after
 * `options.today` when given), and the MOD 11-2 check character matches.
 * Surrounding whitespace is ignored because the value usually comes from a
 * form field. The region code is not checked against a code table (codes
 * change over time and old IDs stay valid).
 *
 * @returns `{ ok: true, normalized, birthDate: 'YYYY-MM-DD', sex }` or
 *   `{ ok: false, reason }` with a Chinese / English reason. Never throws.
 */
export function validateIdNumber(id: string, options: ValidateIdNumberOptions = {}): IdNumberValidation {
  if (typeof id !== 'string') {
    return { ok: false, reason: '身份证号码必须是字符串 / ID number must be a string' };
  }
  const s = id.trim().toUpperCase();
  if (s.length !== 18) {
    return {
      ok: false,
      reason: `身份证号码应为18位，实际为${s.length}位 / ID number must be 18 characters, got ${s.length}`,
    };
  }
  const first17 = s.slice(0, 17);
  if (!/^\d{17}$/.test(first17)) {
    return { ok: false, reason: '身份证号码前17位必须为数字 / the first 17 characters of the ID number must be digits' };
  }
  const last = s.charAt(17);
  if (!/^[\dX]$/.test(last)) {
    return { ok: false, reason: '身份证号码最后一位必须为数字或X / the last character of the ID number must be a digit or X' };
  }

  const y = Number(s.slice(6, 10));
  const m = Number(s.slice(10, 12));
  const d = Number(s.slice(12, 14));
  if (!isRealDate(y, m, d)) {
    return { ok: false, reason: '身份证号码中的出生日期无效 / the birth date in the ID number is not a real date' };
  }
  if (y < MIN_BIRTH_YEAR) {
    return { ok: false, reason: `身份证号码中的出生年份早于${MIN_BIRTH_YEAR}年 / the birth year in the ID number is before ${MIN_BIRTH_YEAR}` };
  }
  const birthDate = `${s.slice(6, 10)}-${s.slice(10, 12)}-${s.slice(12, 14)}`;
  // ISO date strings compare correctly as plain strings.
  if (options.today !== undefined && birthDate > options.today) {
    return { ok: false, reason: '身份证号码中的出生日期晚于今天 / the birth date in the ID number is in the future' };
  }

  if (checkChar(first17) !== last) {
    return { ok: false, reason: '身份证号码校验位错误 / ID number check digit is wrong' };
  }

  const sex = Number(s.charAt(16)) % 2 === 1 ? 'male' : 'female';
  return { ok: true, normalized: s, birthDate, sex };
}

/**
 * Build a valid ID number by appending the MOD 11-2 check character to 17
 * digits. Used by tests, seed data and benchmarks to generate IDs.
 *
 * @throws Error if `prefix17` is not exactly 17 digits.
 */
export function makeIdNumber(prefix17: string): string {
  if (!/^\d{17}$/.test(prefix17)) {
    throw new Error(`身份证号码前17位必须是17个数字 / the ID number prefix must be exactly 17 digits: ${JSON.stringify(prefix17)}`);
  }
  return prefix17 + checkChar(prefix17);
}

/**
 * Mask an ID number for display and logs: keep the first 6 (region) and last
 * 4 characters, replace the rest with `*` — `410402********1234`.
 * Inputs of 10 characters or fewer would leak entirely under that rule, so
 * they keep at most the last 4 characters and never more than half.
 */
export function maskIdNumber(id: string): string {
  const s = id.trim().toUpperCase();
  if (s.length > 10) {
    return s.slice(0, 6) + '*'.repeat(s.length - 10) + s.slice(-4);
  }
  const keep = Math.min(4, Math.floor(s.length / 2));
  return '*'.repeat(s.length - keep) + (keep > 0 ? s.slice(-keep) : '');
}

/**
 * Mask a phone number: an 11-digit mainland mobile (1xxxxxxxxxx, spaces and
 * dashes ignored) becomes `138****5678`; anything else keeps only its last 4
 * characters, the rest replaced with `*` (numbers of 4 characters or fewer
 * are masked completely, since keeping 4 would reveal them whole).
 */
export function maskPhone(phone: string): string {
  const s = phone.replace(/[\s-]/g, '');
  if (/^1\d{10}$/.test(s)) {
    return `${s.slice(0, 3)}****${s.slice(7)}`;
  }
  if (s.length <= 4) return '*'.repeat(s.length);
  return '*'.repeat(s.length - 4) + s.slice(-4);
}
