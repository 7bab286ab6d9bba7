/**
 * The survey upload (调查摸底): parse a region's enterprise records (the 五清
 * fields) from a JSON array or a CSV file, and validate every row against the
 * contract, collecting each bad row's reasons with its 1-based row number so
 * the region can fix its spreadsheet in one pass.
 *
 * Values are stored as typed, never rewritten to defuse spreadsheet formulas:
 * that happens on the way out, in {@link csvCell}, for every CSV export (and
 * a CSV upload drops that export guard again, so exported lists re-import as
 * the same enterprises).
 */
import { parse as parseCsv, CsvError } from 'csv-parse/sync';
import { z } from 'zod';
import { EMPLOYER_ATTITUDES, isRealDate, validateCreditCode, type ValidatedRow } from '../domain/enterprise';
import { attitudeOf, groupOf, regionOf, type SurveyNames } from '../domain/survey-names';
import { badRequest, HttpError, requireStorableText } from './errors';

export type { ValidatedRow } from '../domain/enterprise';

/** Most rows one upload may carry; larger surveys are split into several uploads. */
export const MAX_ROWS = 50_000;
export const MAX_EMPLOYEES = 1_000_000;
const MAX_NAME = 200;
const MAX_TEXT = 500;
const MIN_YEAR = 1900;
/**
 * Longest cell (in UTF-16 units) read from an upload. Checked before any cell is
 * coerced, so no per-cell work ever sees more than this: a name is at most 200
 * characters and a text field 500; a groupCounts cell of all the groups fits easily.
 */
export const MAX_CELL = 2_000;
/** Most entries one groupCounts object may hold (checked before it is read). */
export const MAX_GROUP_ENTRIES = 50;
/** Longest CSV record (one line, all its cells): ten cells at the cell limit, and some spare. */
export const MAX_CSV_RECORD = 32_768;
/** Cell starts a spreadsheet runs as a formula (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** The contract's field names (also the CSV column names). */
export const SURVEY_FIELDS = [
  'name',
  'creditCode',
  'address',
  'region',
  'employees',
  'groupCounts',
  'hasUnion',
  'reasonNoUnion',
  'employerAttitude',
  'operatingSince',
] as const;
export type SurveyField = (typeof SURVEY_FIELDS)[number];
const REQUIRED_COLUMNS: SurveyField[] = ['name', 'region', 'employees', 'hasUnion'];

/**
 * CSV column names: the contract's names (any case, snake_case too) and the
 * Chinese headings regions' spreadsheets use — which are also the headings of
 * the gap-list export, so an exported list can be corrected and uploaded again.
 */
const COLUMN_ALIASES: Record<SurveyField, string[]> = {
  name: ['企业名称', '单位名称', '名称'],
  creditCode: ['credit_code', '统一社会信用代码', '信用代码'],
  address: ['地址', '企业地址'],
  region: ['所属地区', '地区', '区域'],
  employees: ['职工人数', '人数'],
  groupCounts: ['group_counts', '重点群体人数'],
  hasUnion: ['has_union', '是否建会'],
  reasonNoUnion: ['reason_no_union', '未建会原因'],
  employerAttitude: ['employer_attitude', '法人态度', '法人思想动态'],
  operatingSince: ['operating_since', '开业日期', '成立日期'],
};
const COLUMN_BY_NAME = new Map<string, SurveyField>();
for (const f of SURVEY_FIELDS) {
  COLUMN_BY_NAME.set(f.toLowerCase(), f);
  for (const a of COLUMN_ALIASES[f]) COLUMN_BY_NAME.set(a.toLowerCase(), f);
}

export const FIELD_LABELS: Record<SurveyField, string> = {
  name: '企业名称',
  creditCode: '统一社会信用代码',
  address: '地址',
  region: '所属地区',
  employees: '职工人数',
  groupCounts: '重点群体人数',
  hasUnion: '是否建会',
  reasonNoUnion: '未建会原因',
  employerAttitude: '法人态度',
  operatingSince: '开业日期',
};

export interface RowFieldError {
  field: string;
  message: string;
}
/** A bad row: its 1-based number in the upload (the CSV header is not a row) and every reason. */
export interface RejectedRow {
  row: number;
  errors: RowFieldError[];
}
export interface UploadRow {
  row: number;
  data: unknown;
  /** CSV cells beyond the header's columns (usually an unquoted comma in an address). */
  extraCells?: number;
}
export interface ParsedUpload {
  format: 'json' | 'csv';
  rows: UploadRow[];
  /** CSV columns that are not survey fields and were not read. */
  ignoredColumns: string[];
}
export interface ValidationContext {
  /** The region org id in the URL: every row's `region` must name it. */
  regionOrg: string;
  /** The campaign's target groups (groupCounts keys). */
  groups: readonly string[];
  /** Today in China, YYYY-MM-DD: opening dates after it are refused. */
  today: string;
  /** The Chinese names cells may use beside the codes: the groups' names and the region's org name (domain/survey-names.ts). */
  names?: SurveyNames;
}

const tooMany = (n: number | string) =>
  new HttpError(413, `每次最多上传 ${MAX_ROWS} 行，本次为 ${n} 行，请分批上传 / at most ${MAX_ROWS} rows per upload (got ${n}); split the file`);

/** Today's date in China (UTC+8, no daylight saving), YYYY-MM-DD. */
export function chinaToday(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/**
 * Reads an upload by its content type: `application/json` (an array of
 * records, as JSON text or already parsed) or `text/csv` (the raw
 * text). Throws 415 for other types, 400 for a malformed file, 413 past
 * {@link MAX_ROWS}.
 */
export function parseUpload(contentType: string | undefined, body: unknown): ParsedUpload {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) return parseJsonUpload(typeof body === 'string' ? parseJsonText(body) : body);
  if (type === 'text/csv' || type === 'application/csv') {
    if (typeof body !== 'string') throw badRequest('CSV 内容为空 / the CSV body is empty');
    return parseCsvUpload(body);
  }
  throw new HttpError(
    415,
    '请以 application/json（数组）、text/csv 或 xlsx 工作簿上传 / upload a JSON array (application/json), CSV (text/csv) or an xlsx workbook',
  );
}

/** JSON.parse (linear in its input) with the contract's 400 for malformed text. */
function parseJsonText(text: string): unknown {
  if (text.trim() === '') throw badRequest('请求体为空 / the body is empty', [{ path: '(body)', message: 'empty body' }]);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw badRequest(`JSON 格式错误 / malformed JSON: ${(e as Error).message}`, [{ path: '(body)', message: 'malformed JSON' }]);
  }
}

/** A JSON upload: an array of records; row n is index n − 1. */
export function parseJsonUpload(body: unknown): ParsedUpload {
  if (!Array.isArray(body)) {
    throw badRequest('请求体应为企业记录数组 / the body must be a JSON array of enterprise records', [{ path: '(body)', message: 'expected an array' }]);
  }
  if (body.length === 0)
    throw badRequest('上传内容没有企业记录 / the upload holds no records', [{ path: '(body)', message: '至少一条企业记录 / at least one record' }]);
  if (body.length > MAX_ROWS) throw tooMany(body.length);
  return { format: 'json', rows: (body as unknown[]).map((data, i) => ({ row: i + 1, data })), ignoredColumns: [] };
}

/**
 * A CSV upload: a header row naming the columns (contract names or their
 * Chinese headings, any order), then one enterprise per record. A UTF-8 BOM
 * is skipped; quoted cells may hold commas, quotes and line breaks. Blank
 * lines are skipped but keep their number, so row numbers match what the
 * region sees in its spreadsheet (minus the header).
 */
export function parseCsvUpload(text: string): ParsedUpload {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (source.includes('\uFFFD')) {
    // A GBK file read as UTF-8: every Chinese character would be garbage.
    throw badRequest(
      '文件不是 UTF-8 编码：请另存为“CSV UTF-8”，或在 Content-Type 中注明 charset=gbk / the file is not UTF-8: save it as CSV UTF-8 or send Content-Type: text/csv; charset=gbk',
    );
  }
  let records: string[][];
  try {
    // csv-parse is a linear state machine; max_record_size bounds what one record may hold.
    records = parseCsv(source, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: false,
      to: MAX_ROWS + 2,
      max_record_size: MAX_CSV_RECORD,
    }) as string[][];
  } catch (e) {
    if (e instanceof CsvError) {
      const line = (e as CsvError & { lines?: number }).lines;
      throw badRequest(`CSV 格式错误${line ? `（第 ${line} 行附近）` : ''} / malformed CSV: ${e.message}`, [{ path: '(body)', message: e.message }]);
    }
    throw e;
  }
  const header = records[0];
  if (!header || header.every((c) => c.trim() === '')) throw badRequest('CSV 缺少表头行 / the CSV has no header row');
  if (records.length - 1 > MAX_ROWS) throw tooMany(`${MAX_ROWS}+`);

  const columns: (SurveyField | undefined)[] = [];
  const ignoredColumns: string[] = [];
  const seen = new Set<SurveyField>();
  for (const raw of header) {
    const name = raw.trim();
    const field = COLUMN_BY_NAME.get(name.toLowerCase());
    if (field && seen.has(field))
      throw badRequest(`CSV 表头中“${name}”重复 / the CSV header names ${field} twice`, [{ path: field, message: 'duplicate column' }]);
    if (field) seen.add(field);
    else if (name) ignoredColumns.push(name);
    columns.push(field);
  }
  const missing = REQUIRED_COLUMNS.filter((f) => !seen.has(f));
  if (missing.length) {
    throw badRequest(
      `CSV 缺少必需的列：${missing.map((f) => `${f}（${FIELD_LABELS[f]}）`).join('、')} / the CSV lacks required columns: ${missing.join(', ')}`,
      missing.map((f) => ({ path: f, message: 'missing column' })),
    );
  }

  const rows: UploadRow[] = [];
  for (let i = 1; i < records.length; i++) {
    const rec = records[i]!;
    if (rec.every((c) => c.trim() === '')) continue;
    const data: Record<string, string> = {};
    for (let c = 0; c < columns.length && c < rec.length; c++) {
      const field = columns[c];
      if (field) data[field] = unguard(rec[c]!);
    }
    const extra = rec.slice(columns.length).filter((c) => c.trim() !== '').length;
    rows.push(extra ? { row: i, data, extraCells: extra } : { row: i, data });
  }
  if (rows.length === 0) throw badRequest('CSV 只有表头，没有企业记录 / the CSV has a header but no records');
  return { format: 'csv', rows, ignoredColumns };
}

/**
 * Removes the formula guard {@link csvCell} puts on exports (an apostrophe
 * before =, +, -, @, tab or CR), so an exported list uploaded again names
 * the same enterprises. Nothing else is changed on import.
 */
function unguard(cell: string): string {
  return cell.length > 1 && cell.charCodeAt(0) === 39 && FORMULA_START.test(cell.charAt(1)) ? cell.slice(1) : cell;
}

// ---- Coercion: spreadsheet text (and lenient JSON) into typed values ------------------------
// Anything that does not coerce is passed on unchanged, so the schema reports it with its reason.

function text(v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  if (typeof v !== 'string') return v;
  const t = v.trim();
  return t === '' ? undefined : t;
}

function int(v: unknown): unknown {
  const t = text(v);
  if (typeof t !== 'string') return t;
  // Spreadsheets format 1200 as "1,200".
  const s = /^\d{1,3}(?:,\d{3})+$/.test(t) ? t.replace(/,/g, '') : t;
  return /^[+-]?\d+(?:\.\d+)?$/.test(s) ? Number(s) : t;
}

const TRUE_WORDS = new Set(['true', '是', '1', 'yes', 'y', '有', '已建']);
const FALSE_WORDS = new Set(['false', '否', '0', 'no', 'n', '无', '未建']);
function bool(v: unknown): unknown {
  if (v === 1) return true;
  if (v === 0) return false;
  const t = text(v);
  if (typeof t !== 'string') return t;
  const s = t.toLowerCase();
  if (TRUE_WORDS.has(s)) return true;
  if (FALSE_WORDS.has(s)) return false;
  return t;
}

function attitude(v: unknown): unknown {
  const t = text(v);
  if (typeof t !== 'string') return t;
  return attitudeOf(t) ?? t;
}

function date(v: unknown): unknown {
  const t = text(v);
  if (typeof t !== 'string') return t;
  // 2019-03-05, 2019/3/5, 2019.3.5, 20190305, or an ISO timestamp's date part.
  const m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(t) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(t);
  if (!m) return t;
  return `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
}

/**
 * `courier:3;food_delivery:2` (full-width ：； too), a JSON object, or an object.
 * Read by splitting at separators and at each part's first colon — no regex over
 * the raw cell, so the work is linear in the cell (which is at most {@link MAX_CELL}).
 */
function groupCounts(v: unknown): unknown {
  const t = text(v);
  if (typeof t !== 'string') return t;
  if (t.startsWith('{')) {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return t;
    }
  }
  const out: Record<string, unknown> = {};
  for (const part of t.split(/[;；]/)) {
    if (part.trim() === '') continue;
    const colon = firstColon(part);
    const group = colon < 0 ? '' : part.slice(0, colon).trim();
    if (group === '') return t;
    out[group] = int(part.slice(colon + 1));
  }
  return out;
}

/** Index of the first `:` or full-width `：`, or −1. */
function firstColon(s: string): number {
  const a = s.indexOf(':');
  const b = s.indexOf('：');
  if (a < 0) return b;
  return b < 0 ? a : Math.min(a, b);
}

/**
 * The cell limits, checked before any cell is coerced or validated: every text
 * cell at most {@link MAX_CELL} characters, a groupCounts object at most
 * {@link MAX_GROUP_ENTRIES} entries. One error per oversized field.
 */
function oversizedCells(data: Record<string, unknown>): RowFieldError[] {
  const errors: RowFieldError[] = [];
  for (const field of SURVEY_FIELDS) {
    const v = data[field];
    if (typeof v === 'string' && v.length > MAX_CELL) {
      errors.push({ field, message: `单元格超过 ${MAX_CELL} 个字符（${v.length}） / the cell holds more than ${MAX_CELL} characters (${v.length})` });
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>);
      const tooLong = entries.some(([k, n]) => k.length > MAX_CELL || (typeof n === 'string' && n.length > MAX_CELL));
      if (entries.length > MAX_GROUP_ENTRIES || tooLong) {
        errors.push({
          field,
          message: `最多 ${MAX_GROUP_ENTRIES} 项，每项不超过 ${MAX_CELL} 个字符 / at most ${MAX_GROUP_ENTRIES} entries of at most ${MAX_CELL} characters each`,
        });
      }
    }
  }
  return errors;
}

function coerce(data: Record<string, unknown>, names: SurveyNames | undefined): Record<SurveyField, unknown> {
  const code = text(data.creditCode);
  const region = text(data.region);
  let counts = groupCounts(data.groupCounts);
  if (names && counts && typeof counts === 'object' && !Array.isArray(counts)) {
    // A group by its Chinese name (快递员:3) counts as its code; an unknown one stays as typed, for the error.
    counts = Object.fromEntries(Object.entries(counts as Record<string, unknown>).map(([k, n]) => [groupOf(k, names) ?? k, n]));
  }
  return {
    name: text(data.name),
    creditCode: typeof code === 'string' ? code.toUpperCase() : code,
    address: text(data.address),
    region: names && typeof region === 'string' ? (regionOf(region, names) ?? region) : region,
    employees: int(data.employees),
    groupCounts: counts,
    hasUnion: bool(data.hasUnion),
    reasonNoUnion: text(data.reasonNoUnion),
    employerAttitude: attitude(data.employerAttitude),
    operatingSince: date(data.operatingSince),
  };
}

// ---- The row schema ---------------------------------------------------------------------------

const typed = (required: string, wrongType: string) => ({
  error: (iss: { input?: unknown }) => (iss.input === undefined ? required : wrongType),
});
const optionalText = (label: string, field: string, max: number) =>
  z
    .string(typed('', `${label}应为文本 / ${field} must be text`))
    .max(max, `${label}不能超过${max}个字符 / ${field} must be at most ${max} characters`)
    .optional();

function rowSchema(ctx: ValidationContext) {
  const groups = new Set(ctx.groups);
  const groupNames = ctx.groups.map((g) => ctx.names?.groups.find((n) => n.id === g)?.name ?? g).join('、');
  return z.object({
    name: z
      .string(typed('企业名称必填 / name is required', '企业名称应为文本 / name must be text'))
      .max(MAX_NAME, `企业名称不能超过${MAX_NAME}个字符 / name must be at most ${MAX_NAME} characters`),
    creditCode: z
      .string(typed('', '统一社会信用代码应为文本 / creditCode must be text'))
      .superRefine((v, c) => {
        const r = validateCreditCode(v);
        if (!r.ok) c.addIssue({ code: 'custom', message: r.reason });
      })
      .optional(),
    address: optionalText('地址', 'address', MAX_TEXT),
    region: z.string(typed('所属地区必填 / region is required', '所属地区应为组织编号 / region must be an org id')).refine((v) => v === ctx.regionOrg, {
      error: (iss) =>
        `所属地区“${String(iss.input)}”与本次上传的地区“${ctx.names?.region.name ?? ctx.regionOrg}”不符 / region ${String(iss.input)} is not the region of this upload (${ctx.regionOrg})`,
    }),
    employees: z
      .number(typed('职工人数必填 / employees is required', '职工人数应为整数 / employees must be a whole number'))
      .int('职工人数应为整数 / employees must be a whole number')
      .min(0, '职工人数不能为负数 / employees cannot be negative')
      .max(MAX_EMPLOYEES, `职工人数不能超过${MAX_EMPLOYEES.toLocaleString('en')} / employees must be at most ${MAX_EMPLOYEES.toLocaleString('en')}`),
    groupCounts: z
      .record(
        z.string().refine((k) => groups.has(k)),
        z
          .number({ error: '重点群体人数应为非负整数 / each group count must be a whole number ≥ 0' })
          .int('重点群体人数应为非负整数 / each group count must be a whole number ≥ 0')
          .min(0, '重点群体人数应为非负整数 / each group count must be a whole number ≥ 0'),
        {
          error: (iss) =>
            iss.code === 'invalid_key'
              ? `重点群体“${String(iss.input as unknown as string)}”不是本次行动的重点群体（可用：${groupNames}） / ${String(iss.input as unknown as string)} is not one of the campaign's groups (${ctx.groups.join(', ')})`
              : '重点群体人数格式应为 群体:人数;群体:人数 或 JSON 对象 / groupCounts must be group:count;group:count or a JSON object',
        },
      )
      .optional(),
    hasUnion: z.boolean(typed('是否建会必填 / hasUnion is required', '是否建会应为 是/否、true/false 或 1/0 / hasUnion must be true/false, 是/否 or 1/0')),
    reasonNoUnion: optionalText('未建会原因', 'reasonNoUnion', MAX_TEXT),
    employerAttitude: z
      .enum(EMPLOYER_ATTITUDES, {
        error: (iss) =>
          `法人态度“${String(iss.input)}”无法识别，应为 支持、中立、抵触（反对）或 不详 / employerAttitude ${String(iss.input)} must be supportive, neutral, resistant or unknown`,
      })
      .optional(),
    operatingSince: z
      .string(typed('', '开业日期应为日期 / operatingSince must be a date'))
      .superRefine((v, c) => {
        const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
        if (!m || !isRealDate(Number(m[1]), Number(m[2]), Number(m[3]))) {
          c.addIssue({ code: 'custom', message: '开业日期应为 YYYY-MM-DD 格式的真实日期 / operatingSince must be a real date, YYYY-MM-DD' });
        } else if (Number(m[1]) < MIN_YEAR) {
          c.addIssue({ code: 'custom', message: `开业日期不能早于${MIN_YEAR}年 / operatingSince cannot be before ${MIN_YEAR}` });
        } else if (v > ctx.today) {
          c.addIssue({ code: 'custom', message: `开业日期不能晚于今天（${ctx.today}） / operatingSince cannot be in the future (today is ${ctx.today})` });
        }
      })
      .optional(),
  });
}

/** validateRows reports its progress every this many rows. */
const PROGRESS_EVERY = 1_000;

const FIELD_ORDER = new Map<string, number>(SURVEY_FIELDS.map((f, i) => [f, i]));
const fieldRank = (field: string) => FIELD_ORDER.get(field.split('.')[0]!) ?? -1;

/**
 * Validates every row against the contract's enterprise record and sorts the
 * rows into accepted (typed, normalized) and rejected (every reason, Chinese
 * first then English, with the row number). A later row describing the same
 * enterprise as an earlier one (same credit code, or same name where neither
 * has a code — the registry's identity) is rejected; the earlier one stands.
 * Pure: no I/O, runs in linear time (about 10 µs a row).
 */
export function validateRows(
  rows: readonly UploadRow[],
  ctx: ValidationContext,
  onProgress?: (done: number, total: number) => void,
): { accepted: ValidatedRow[]; rejected: RejectedRow[] } {
  const schema = rowSchema(ctx);
  const accepted: ValidatedRow[] = [];
  const rejected: RejectedRow[] = [];
  const firstRowOf = new Map<string, number>();

  for (const [index, { row, data, extraCells }] of rows.entries()) {
    if (onProgress && index % PROGRESS_EVERY === 0) onProgress(index, rows.length);
    const errors: RowFieldError[] = [];
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      rejected.push({ row, errors: [{ field: '(row)', message: '每行应为一个企业记录对象 / each row must be an enterprise record object' }] });
      continue;
    }
    // Limits first: an oversized cell is refused before any coercion or regex looks at it.
    const oversized = oversizedCells(data as Record<string, unknown>);
    if (oversized.length) {
      rejected.push({ row, errors: oversized });
      continue;
    }
    if (extraCells) {
      errors.push({
        field: '(row)',
        message: `本行比表头多 ${extraCells} 个单元格，含逗号的内容请加英文双引号 / ${extraCells} more cells than header columns; quote values that contain commas`,
      });
    }
    const input = coerce(data as Record<string, unknown>, ctx.names);
    const parsed = schema.safeParse(input);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) errors.push({ field: issue.path.map(String).join('.') || '(row)', message: issue.message });
    }

    // A group's headcount cannot exceed the enterprise's.
    const employees = input.employees;
    const counts = input.groupCounts;
    if (typeof employees === 'number' && Number.isInteger(employees) && employees >= 0 && counts && typeof counts === 'object' && !Array.isArray(counts)) {
      for (const [group, n] of Object.entries(counts as Record<string, unknown>)) {
        if (typeof n === 'number' && Number.isInteger(n) && n > employees) {
          errors.push({
            field: `groupCounts.${group}`,
            message: `重点群体人数 ${n} 超过职工人数 ${employees} / group count ${n} exceeds employees (${employees})`,
          });
        }
      }
    }

    // 一企一档: one record per enterprise per upload.
    // The key is the registry's identity, coalesce(credit_code, name), so that one insert
    // statement never meets the same enterprise twice.
    const hasCode = typeof input.creditCode === 'string';
    const key = hasCode ? (input.creditCode as string) : typeof input.name === 'string' ? input.name : undefined;
    if (key !== undefined) {
      const first = firstRowOf.get(key);
      if (first === undefined) firstRowOf.set(key, row);
      else if (hasCode) {
        errors.push({
          field: 'creditCode',
          message: `与第 ${first} 行是同一企业（统一社会信用代码相同） / the same enterprise as row ${first} (same credit code)`,
        });
      } else {
        errors.push({
          field: 'name',
          message: `与第 ${first} 行是同一企业（名称相同且均无信用代码） / the same enterprise as row ${first} (same name, no credit code)`,
        });
      }
    }

    if (errors.length || !parsed.success) {
      errors.sort((a, b) => fieldRank(a.field) - fieldRank(b.field));
      rejected.push({ row, errors });
      continue;
    }
    const v = parsed.data;
    accepted.push({
      row,
      name: v.name,
      creditCode: v.creditCode ?? null,
      address: v.address ?? null,
      region: v.region,
      employees: v.employees,
      groupCounts: v.groupCounts ?? {},
      hasUnion: v.hasUnion,
      reasonNoUnion: v.reasonNoUnion ?? null,
      employerAttitude: v.employerAttitude ?? null,
      operatingSince: v.operatingSince ?? null,
    });
  }
  onProgress?.(rows.length, rows.length);
  return { accepted, rejected };
}

/** What a survey upload is read into: {@link readSurveyUpload}'s answer. */
export interface ReadUpload {
  format: 'json' | 'csv' | 'xlsx';
  rowCount: number;
  ignoredColumns: string[];
  accepted: ValidatedRow[];
  rejected: RejectedRow[];
}

/**
 * Parses and validates one upload (the whole CPU-bound part of a survey
 * upload): text Postgres cannot store is refused (400) like on every other
 * mutating route. Linear in the upload's size; runs on the API's event loop for
 * small uploads and in a worker thread for large ones (api/survey-parse.ts).
 */
export function readSurveyUpload(
  contentType: string | undefined,
  body: unknown,
  ctx: ValidationContext,
  onProgress?: (phase: 'parsing' | 'validating', done: number, total: number) => void,
): ReadUpload {
  onProgress?.('parsing', 0, 0);
  const upload = parseUpload(contentType, body);
  requireStorableText(upload.rows.map((r) => r.data));
  const { accepted, rejected } = validateRows(upload.rows, ctx, (done, total) => onProgress?.('validating', done, total));
  return { format: upload.format, rowCount: upload.rows.length, ignoredColumns: upload.ignoredColumns, accepted, rejected };
}

// ---- CSV export ---------------------------------------------------------------------------------

/**
 * One CSV cell for an export, safe to open in Excel/WPS: a text cell starting
 * with `=`, `+`, `-`, `@`, a tab or a carriage return would run as a formula
 * (CSV injection), so it gets a leading apostrophe; then the cell is quoted
 * when it holds a comma, a quote, a line break or edge spaces (quotes doubled).
 * Numbers are written as numbers (a negative number is not a formula).
 * null/undefined become an empty cell; dates their ISO form.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let s: string;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) s = value.toISOString();
  else if (typeof value === 'object') s = JSON.stringify(value);
  else s = `${value as string | boolean}`;
  if (FORMULA_START.test(s)) s = `'${s}`;
  if (/[",\r\n]/.test(s) || /^\s|\s$/.test(s)) s = `"${s.replace(/"/g, '""')}"`;
  return s;
}

/** One CSV line (CRLF-terminated, as RFC 4180 and Excel expect) from cells. */
export function csvLine(values: readonly unknown[]): string {
  return values.map(csvCell).join(',') + '\r\n';
}
