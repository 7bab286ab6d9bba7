/**
 * Enterprises in the survey (调查摸底) and the rules that decide how each one
 * is to be organized: 单建 (builds its own union) or 联建 (covered by a joint
 * union or a regional/industry federation), and whether it goes on the
 * 挂号销号 ledger (registered as a target, crossed off when its union exists).
 *
 * Pure and deterministic (no clock, no I/O, no Node built-ins) so workflow
 * code may import it as well as the API and the repositories. "Today" is
 * always passed in by the caller.
 *
 * The rules, from seed 002 (宁波, 2021):
 *   "建会对象为开业或者设立一年后仍未建立工会组织的25人以上企业、事业单位，特别是针对
 *    百人以上未建会单位要做到100%建会，25人以下的单位主要以联合工会形式覆盖。以区域性、
 *    行业性工会联合会为主要形式，覆盖'八大群体'等灵活就业人员。"
 * and the survey's 五清 fields from seed 004 (平顶山, 2019): 未建会企业数量清、未建会原因清、
 * 企业法人思想动态清、职工人数清、所处区域清.
 */

/** How an enterprise is to be organized, in the order the gap list (建会空白点) shows them. */
export const CLASSIFICATIONS = ['own_union_mandatory', 'own_union', 'joint_coverage', 'has_union'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

/** 挂号销号 ledger states: registered (挂号) → crossed_off (销号); enterprises with a union are no target. */
export const LEDGER_STATUSES = ['registered', 'crossed_off', 'not_target'] as const;
export type LedgerStatus = (typeof LEDGER_STATUSES)[number];

/** 法人思想动态: the employer's attitude towards a union. */
export const EMPLOYER_ATTITUDES = ['supportive', 'neutral', 'resistant', 'unknown'] as const;
export type EmployerAttitude = (typeof EMPLOYER_ATTITUDES)[number];

/** Headcount from which an enterprise without a union must build its own (单建), after a year in operation. */
export const OWN_UNION_MIN_EMPLOYEES = 25;
/** Headcount from which building its own union is mandatory with a 100% target (百人以上 100% 建会). */
export const MANDATORY_MIN_EMPLOYEES = 100;

/** Chinese / English labels for UI, exports and bulletins. */
export const CLASSIFICATION_NAMES: Record<Classification, { zh: string; en: string }> = {
  own_union_mandatory: { zh: '百人以上应建（100%单建）', en: '100+ employees: must build its own union (target 100%)' },
  own_union: { zh: '25人以上应单建', en: '25+ employees, a year in operation: builds its own union' },
  joint_coverage: { zh: '联合工会/联合会覆盖（联建）', en: 'covered by a joint union or a regional/industry federation' },
  has_union: { zh: '已建会', en: 'already has a union' },
};

export const LEDGER_STATUS_NAMES: Record<LedgerStatus, { zh: string; en: string }> = {
  registered: { zh: '已挂号（未建会）', en: 'registered target (no union yet)' },
  crossed_off: { zh: '已销号（已建会）', en: 'crossed off (union established)' },
  not_target: { zh: '非建会对象', en: 'not a target' },
};

export const EMPLOYER_ATTITUDE_NAMES: Record<EmployerAttitude, { zh: string; en: string }> = {
  supportive: { zh: '支持', en: 'supportive' },
  neutral: { zh: '中立', en: 'neutral' },
  resistant: { zh: '抵触', en: 'resistant' },
  unknown: { zh: '不详', en: 'unknown' },
};

/** The facts the classification needs (a subset of the 五清 survey record). */
export interface EnterpriseFacts {
  employees: number;
  hasUnion: boolean;
  /** Date the enterprise opened or was established (开业或者设立), YYYY-MM-DD; unknown when absent. */
  operatingSince?: string | null;
}

/**
 * One survey record (五清) as accepted by validation: trimmed, typed and
 * normalized (credit code upper-cased, dates YYYY-MM-DD), with the 1-based
 * row number it had in the upload.
 */
export interface ValidatedRow {
  row: number;
  name: string;
  creditCode: string | null;
  address: string | null;
  region: string;
  employees: number;
  groupCounts: Record<string, number>;
  hasUnion: boolean;
  reasonNoUnion: string | null;
  employerAttitude: EmployerAttitude | null;
  operatingSince: string | null;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function splitDate(date: string, what: string): [number, number, number] {
  const m = ISO_DATE.exec(date);
  if (!m || !isRealDate(Number(m[1]), Number(m[2]), Number(m[3]))) {
    throw new RangeError(`${what} 应为 YYYY-MM-DD 格式的日期 / ${what} must be a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  }
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** True for a real calendar date (no 30 February). */
export function isRealDate(y: number, m: number, d: number): boolean {
  if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d) || m < 1 || m > 12 || d < 1) return false;
  return d <= daysInMonth(y, m);
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * The first anniversary of `date` (YYYY-MM-DD). A date without a counterpart
 * a year later (29 February) ends on the last day of that month, as 民法典
 * art. 203 counts periods in years: "没有对应日的，月末日为期间的最后一日".
 */
export function firstAnniversary(date: string): string {
  const [y, m, d] = splitDate(date, 'operatingSince');
  const day = Math.min(d, daysInMonth(y + 1, m));
  return `${pad(y + 1, 4)}-${pad(m)}-${pad(day)}`;
}

/**
 * True when an enterprise opened on `operatingSince` has operated at least
 * one year by `asOf` (both YYYY-MM-DD): on its first anniversary it has.
 */
export function operatedOneYear(operatingSince: string, asOf: string): boolean {
  splitDate(asOf, 'asOf');
  // ISO dates compare correctly as strings.
  return firstAnniversary(operatingSince) <= asOf;
}

/**
 * Classify an enterprise for the campaign (seed 002):
 *
 * - it has a union → `has_union` (not a target);
 * - 100 or more employees → `own_union_mandatory`: it must build its own union
 *   (单建) and the target is 100% ("百人以上未建会单位要做到100%建会"), however
 *   long it has operated;
 * - 25 or more employees and operating at least one year by `asOf` → `own_union`
 *   ("开业或者设立一年后仍未建立工会组织的25人以上企业"); an unknown opening date
 *   counts as a year in operation, so the survey errs towards 单建 and the
 *   region checks the enterprise rather than missing it;
 * - otherwise (under 25 employees, or 25–99 for less than a year) →
 *   `joint_coverage`: covered by a joint union (联合工会) or a regional/industry
 *   federation (联建, "25人以下的单位主要以联合工会形式覆盖").
 *
 * @param facts headcount (an integer ≥ 0), whether it has a union, and its opening date if known
 * @param asOf the reference day, YYYY-MM-DD (usually today in China); never read from the clock
 * @throws RangeError for a negative or fractional headcount or a malformed date
 */
export function classifyEnterprise(facts: EnterpriseFacts, asOf: string): Classification {
  const { employees, hasUnion, operatingSince } = facts;
  if (!Number.isInteger(employees) || employees < 0) {
    throw new RangeError(`职工人数应为非负整数 / employees must be a non-negative integer: ${employees}`);
  }
  splitDate(asOf, 'asOf');
  if (hasUnion) return 'has_union';
  if (employees >= MANDATORY_MIN_EMPLOYEES) return 'own_union_mandatory';
  if (employees >= OWN_UNION_MIN_EMPLOYEES) {
    if (operatingSince === undefined || operatingSince === null || operatedOneYear(operatingSince, asOf)) return 'own_union';
  }
  return 'joint_coverage';
}

/**
 * Where a newly surveyed enterprise enters the 挂号销号 ledger: every target
 * (单建 or 联建) is registered (挂号); an enterprise with a union is no target.
 * Crossing off (销号) happens later, when its union is established.
 */
export function ledgerStatusFor(classification: Classification): 'registered' | 'not_target' {
  return classification === 'has_union' ? 'not_target' : 'registered';
}

// 统一社会信用代码 (GB 32100-2015): 18 characters from this 31-character set
// (digits and upper-case letters without I, O, Z, S, V); the 18th is a MOD 31 check character.
const CREDIT_CODE_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
const CREDIT_CODE_FORMAT = /^[0-9A-HJ-NP-RTUW-Y]{18}$/;

function creditCodeCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += CREDIT_CODE_CHARS.indexOf(first17.charAt(i)) * (CREDIT_CODE_WEIGHTS[i] ?? 0);
  return CREDIT_CODE_CHARS.charAt((31 - (sum % 31)) % 31);
}

/**
 * Validate a 统一社会信用代码 (unified social credit code, GB 32100-2015):
 * 18 characters of digits and upper-case letters excluding I, O, Z, S and V,
 * whose last character is the MOD 31 check character. Surrounding whitespace
 * is ignored and lower case is upper-cased (codes are often typed by hand).
 *
 * @returns `{ ok: true, normalized }` or `{ ok: false, reason }` (Chinese / English). Never throws.
 */
export function validateCreditCode(code: string): { ok: true; normalized: string } | { ok: false; reason: string } {
  const s = code.trim().toUpperCase();
  if (s.length !== 18) {
    return { ok: false, reason: `统一社会信用代码应为18位，实际为${s.length}位 / the credit code must be 18 characters, got ${s.length}` };
  }
  if (!CREDIT_CODE_FORMAT.test(s)) {
    return {
      ok: false,
      reason: '统一社会信用代码只能包含数字和大写字母（不含 I、O、Z、S、V） / the credit code may hold only digits and upper-case letters except I, O, Z, S, V',
    };
  }
  if (creditCodeCheckChar(s.slice(0, 17)) !== s.charAt(17)) {
    return { ok: false, reason: '统一社会信用代码校验位错误 / the credit code check character is wrong' };
  }
  return { ok: true, normalized: s };
}

/**
 * Build a valid credit code by appending the check character to 17 allowed
 * characters. Used by tests, seed data and benchmarks.
 *
 * @throws Error if `prefix17` is not 17 characters of the allowed set.
 */
export function makeCreditCode(prefix17: string): string {
  if (!/^[0-9A-HJ-NP-RTUW-Y]{17}$/.test(prefix17)) {
    throw new Error(`统一社会信用代码前17位无效 / invalid credit code prefix: ${JSON.stringify(prefix17)}`);
  }
  return prefix17 + creditCodeCheckChar(prefix17);
}
