/**
 * The files of the bulk member upload (批量导入会员) and of the provincial
 * real-name export (省级会员库): the upload template in xlsx (会员名单 with
 * Chinese headers and two example rows, 说明 with each column's rules and the
 * allowed groups) or CSV; an uploaded CSV, xlsx workbook or JSON array read
 * into rows of cells by column (a large file in a worker thread, as the survey
 * upload does); and the export written as xlsx (会员名单 and 说明) or CSV.
 *
 * Row numbers: row n is the n-th record under the header (Excel's row n + 1),
 * as in the survey upload.
 */
import { parse as parseCsv, CsvError } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import {
  MAX_MEMBER_ROWS,
  MEMBER_COLUMNS,
  memberFieldLabel,
  memberFieldOf,
  PROVINCIAL_COLUMNS,
  REQUIRED_MEMBER_FIELDS,
  type MemberField,
} from '../domain/member-upload';
import type { SurveyNames } from '../domain/survey-names';
import { startTsWorker } from '../runtime/ts-worker';
import { badRequest, HttpError } from './errors';
import { cellText, XLSX_TYPE } from './org-workbook';
import { csvLine } from './survey-import';

export { XLSX_TYPE };

/** One record of an upload: its row number and its cells by field (text; a number where a workbook cell held one). */
export interface MemberRecord {
  row: number;
  cells: Partial<Record<MemberField, unknown>>;
  /** The record is no object (a JSON array's element): nothing to read. */
  notARecord?: boolean;
}

export interface ReadMembers {
  format: 'csv' | 'xlsx' | 'json';
  records: MemberRecord[];
  /** Header cells that name no column (not read). */
  ignoredColumns: string[];
}

const HEADERS = MEMBER_COLUMNS.map((c) => c.header);

/** The template's two example rows: an ordinary worker and a dispatched one, in the campaign's first group's name. */
function exampleRows(names: SurveyNames): string[][] {
  const g = names.groups[0]?.name ?? '';
  return [
    ['张三', '410402199001011230', '13800000000', g, '示例快递有限公司', '否', ''],
    ['李四', '41040219920315001X', '', g, '示例物流有限公司', '是', '示例人力资源有限公司'],
  ];
}

/** The CSV template (UTF-8 with a BOM so that Excel opens it in Chinese). */
export function memberTemplateCsv(names: SurveyNames): string {
  return (
    '\uFEFF' +
    csvLine(HEADERS) +
    exampleRows(names)
      .map((r) => csvLine(r))
      .join('')
  );
}

/** The xlsx template: 会员名单 (headers, examples; the ID and phone columns formatted as text) and 说明. */
export async function memberTemplateXlsx(names: SurveyNames): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('会员名单', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = MEMBER_COLUMNS.map((c) => ({ header: c.header, key: c.field, width: c.field === 'idNumber' ? 22 : c.field === 'name' ? 10 : 18 }));
  sheet.getRow(1).font = { bold: true };
  // Text cells: an 18-digit number typed into a number cell loses its last digits.
  for (const f of ['idNumber', 'phone'] as const) sheet.getColumn(f).numFmt = '@';
  for (const r of exampleRows(names)) sheet.addRow(r);
  const notes = wb.addWorksheet('说明');
  notes.columns = [
    { header: '列', key: 'column', width: 16 },
    { header: '填写说明', key: 'note', width: 70 },
  ];
  notes.getRow(1).font = { bold: true };
  for (const c of MEMBER_COLUMNS) notes.addRow({ column: c.header, note: c.note });
  notes.addRow({});
  notes.addRow({ column: '重点群体可填', note: names.groups.map((g) => g.name).join('、') });
  notes.addRow({
    column: '导入规则',
    note: `第一行为表头，每行一名会员，每次最多 ${MAX_MEMBER_ROWS} 行。任何一行有误则整份不导入，并列出每一行每一列的错误。`,
  });
  notes.addRow({ column: '计数', note: '同一身份证号只计一次；同一文件重复上传不会重复计数。' });
  notes.addRow({ column: '劳务派遣', note: '劳务派遣工先加入派遣单位的工会；派遣单位未建会的，加入用工单位工会。' });
  notes.addRow({ column: '示例行', note: '第 2、3 行为示例，上传前请删除。' });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const tooMany = (n: number | string) =>
  new HttpError(413, `每次最多导入 ${MAX_MEMBER_ROWS} 名会员，本次为 ${n} 行，请分批上传 / at most ${MAX_MEMBER_ROWS} rows per upload (got ${n})`);

/** Maps a header row to fields; 400 naming each required column that is missing, or a column named twice. */
function columnsOf(header: readonly string[]): { columns: (MemberField | undefined)[]; ignored: string[] } {
  const columns: (MemberField | undefined)[] = [];
  const ignored: string[] = [];
  const seen = new Set<MemberField>();
  for (const raw of header) {
    const f = memberFieldOf(raw);
    if (f && seen.has(f)) throw badRequest(`表头中“${raw.trim()}”重复 / the header names ${f} twice`, [{ path: f, message: '重复的列 / duplicate column' }]);
    if (f) seen.add(f);
    else if (raw.trim()) ignored.push(raw.trim());
    columns.push(f);
  }
  const missing = REQUIRED_MEMBER_FIELDS.filter((f) => !seen.has(f));
  if (missing.length)
    throw badRequest(
      `缺少必需的列：${missing.map(memberFieldLabel).join('、')}，请使用下载的模板 / required columns missing: ${missing.join(', ')}`,
      missing.map((f) => ({ path: f, message: `缺少“${memberFieldLabel(f)}”列 / column missing` })),
    );
  return { columns, ignored };
}

/** A CSV upload (UTF-8, the BOM skipped; body-parser has decoded a GBK file already). */
export function readMemberCsv(text: string): ReadMembers {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (source.includes('\uFFFD'))
    throw badRequest('文件不是 UTF-8 编码：请另存为“CSV UTF-8”，或注明 charset=gbk / the file is not UTF-8', [{ path: '(body)', message: 'not UTF-8' }]);
  let records: string[][];
  try {
    records = parseCsv(source, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: false,
      to: MAX_MEMBER_ROWS + 2,
      max_record_size: 32_768,
    }) as string[][];
  } catch (e) {
    if (e instanceof CsvError) throw badRequest(`CSV 格式错误 / malformed CSV: ${e.message}`, [{ path: '(body)', message: e.message }]);
    throw e;
  }
  const header = records[0];
  if (!header || header.every((c) => c.trim() === ''))
    throw badRequest('CSV 缺少表头行 / the CSV has no header row', [{ path: '(body)', message: 'no header row' }]);
  if (records.length - 1 > MAX_MEMBER_ROWS) throw tooMany(`${MAX_MEMBER_ROWS}+`);
  const { columns, ignored } = columnsOf(header);
  const out: MemberRecord[] = [];
  for (let i = 1; i < records.length; i++) {
    const rec = records[i]!;
    if (rec.every((c) => c.trim() === '')) continue;
    const cells: MemberRecord['cells'] = {};
    columns.forEach((f, c) => {
      if (f && c < rec.length) cells[f] = rec[c]!;
    });
    out.push({ row: i, cells });
  }
  if (!out.length) throw badRequest('文件只有表头，没有会员 / the file has a header but no members', [{ path: '(body)', message: 'no rows' }]);
  return { format: 'csv', records: out, ignoredColumns: ignored };
}

/** An xlsx upload: its first sheet (会员名单 when present), header in row 1; a number cell stays a number (the ID check refuses it). */
export async function readMemberXlsx(data: Uint8Array): Promise<ReadMembers> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(Buffer.from(data.buffer, data.byteOffset, data.byteLength) as unknown as ExcelJS.Buffer);
  } catch {
    throw badRequest('文件不是有效的 xlsx 工作簿 / the file is not an xlsx workbook', [{ path: '(body)', message: 'not an xlsx workbook' }]);
  }
  const sheet = wb.getWorksheet('会员名单') ?? wb.worksheets[0];
  if (!sheet) throw badRequest('工作簿没有工作表 / the workbook has no sheet', [{ path: '(body)', message: 'no sheet' }]);
  if (sheet.actualRowCount - 1 > MAX_MEMBER_ROWS) throw tooMany(sheet.actualRowCount - 1);
  const headerRow = sheet.getRow(1);
  const header: string[] = [];
  for (let c = 1; c <= sheet.columnCount; c++) header.push(cellText(headerRow.getCell(c).value));
  if (header.every((h) => h.trim() === '')) throw badRequest('工作表缺少表头行 / the sheet has no header row', [{ path: '(body)', message: 'no header row' }]);
  const { columns, ignored } = columnsOf(header);
  const out: MemberRecord[] = [];
  sheet.eachRow({ includeEmpty: false }, (r, n) => {
    if (n === 1) return;
    const cells: MemberRecord['cells'] = {};
    let any = false;
    columns.forEach((f, i) => {
      if (!f) return;
      const v = r.getCell(i + 1).value;
      const cell = typeof v === 'number' ? v : cellText(v);
      if (cell !== '') any = true;
      cells[f] = cell;
    });
    if (any) out.push({ row: n - 1, cells });
  });
  if (!out.length) throw badRequest('文件只有表头，没有会员 / the file has a header but no members', [{ path: '(body)', message: 'no rows' }]);
  return { format: 'xlsx', records: out, ignoredColumns: ignored };
}

/** A JSON upload: an array of records keyed by the columns' headings or codes (姓名 or name …). */
export function readMemberJson(body: unknown): ReadMembers {
  if (!Array.isArray(body) || body.length === 0)
    throw badRequest('请求体应为会员记录数组 / the body must be a non-empty JSON array of members', [
      { path: '(body)', message: 'expected a non-empty array' },
    ]);
  if (body.length > MAX_MEMBER_ROWS) throw tooMany(body.length);
  const ignored = new Set<string>();
  const records = (body as unknown[]).map((rec, i): MemberRecord => {
    if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) return { row: i + 1, cells: {}, notARecord: true };
    const cells: MemberRecord['cells'] = {};
    for (const [k, v] of Object.entries(rec as Record<string, unknown>)) {
      const f = memberFieldOf(k);
      if (!f) {
        ignored.add(k);
        continue;
      }
      // Kept as sent: the row check refuses anything but text, a number or 是/否 (naming the field).
      cells[f] = v;
    }
    return { row: i + 1, cells };
  });
  return { format: 'json', records, ignoredColumns: [...ignored].slice(0, 50) };
}

/** What the upload worker (api/member-workbook-worker.ts) posts. */
export type MemberWorkerMessage =
  | { type: 'done'; result: ReadMembers }
  | { type: 'refused'; status: number; detail: string; errors?: { path: string; message: string }[] }
  | { type: 'crashed'; message: string };

/** Files up to this many bytes are read on the event loop (a few hundred rows); larger ones in a worker thread. */
const INLINE_BYTES = 64 * 1024;
const WORKER_MODULE = new URL('./member-workbook-worker.ts', import.meta.url);

/** Reads a CSV text or an xlsx workbook's bytes; a large file off the event loop. */
export function readMemberFile(body: string | Uint8Array): Promise<ReadMembers> {
  if (body.length <= INLINE_BYTES) return typeof body === 'string' ? Promise.resolve().then(() => readMemberCsv(body)) : readMemberXlsx(body);
  return new Promise<ReadMembers>((resolve, reject) => {
    const worker = startTsWorker(WORKER_MODULE, { body: typeof body === 'string' ? body : new Uint8Array(body) }, { maxOldGenerationSizeMb: 512 });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
      void worker.terminate();
    };
    worker.on('message', (m: MemberWorkerMessage) => {
      if (m.type === 'done') settle(() => resolve(m.result));
      else if (m.type === 'refused') settle(() => reject(new HttpError(m.status, m.detail, m.errors)));
      else settle(() => reject(new Error(`member upload worker failed: ${m.message}`)));
    });
    worker.on('error', (e) => settle(() => reject(e)));
    worker.on('exit', (code) => settle(() => reject(new Error(`member upload worker exited (${code}) without a result`))));
  });
}

/** The provincial export as an xlsx workbook: 会员名单 (ID and phone as text) and 说明 (the column layout). */
export async function provincialXlsx(rows: (string | number)[][], meta: { campaign: string; exportedAt: string; exportedBy: string }): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.title = `省级会员库导出-${meta.campaign}`;
  const sheet = wb.addWorksheet('会员名单', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = PROVINCIAL_COLUMNS.map((c) => ({ header: c.header, width: c.header === '公民身份号码' ? 22 : Math.max(10, c.header.length * 3) }));
  sheet.getRow(1).font = { bold: true };
  for (const col of [3, 7]) sheet.getColumn(col).numFmt = '@';
  // Text only, guarded: a name or employer starting with = is data, not a formula.
  for (const r of rows) sheet.addRow(r.map((c) => (typeof c === 'string' && /^[=+\-@\t\r]/.test(c) ? `'${c}` : c)));
  const notes = wb.addWorksheet('说明');
  notes.columns = [
    { header: '列序', key: 'n', width: 6 },
    { header: '列名', key: 'header', width: 16 },
    { header: '格式', key: 'format', width: 60 },
  ];
  notes.getRow(1).font = { bold: true };
  PROVINCIAL_COLUMNS.forEach((c, i) => notes.addRow({ n: i + 1, header: c.header, format: c.format }));
  notes.addRow({});
  notes.addRow({ header: '导出范围', format: `集中行动“${meta.campaign}”经项目报送登记的会员（同一身份证号只列一次）` });
  notes.addRow({ header: '导出时间', format: `${meta.exportedAt}（北京时间）` });
  notes.addRow({ header: '导出人', format: meta.exportedBy });
  notes.addRow({ header: '个人信息', format: '本表含完整身份证号和手机号，仅用于报送省级会员数据库；每次导出均有记录。' });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The provincial export as CSV (UTF-8 with a BOM; cells guarded against formulas). */
export function provincialCsv(rows: (string | number)[][]): string {
  return '\uFEFF' + csvLine(PROVINCIAL_COLUMNS.map((c) => c.header)) + rows.map((r) => csvLine(r)).join('');
}
