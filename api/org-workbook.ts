/**
 * The org tree as an xlsx workbook (组织机构导入导出): the columns and their
 * Chinese headers, the template (with a 说明 sheet of the allowed kinds),
 * reading an uploaded workbook into rows (in a worker thread for a large
 * file, as survey uploads are parsed), and the streamed export.
 */
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { ALLOWED_PARENT_KINDS, GRASSROOTS_SUBKINDS, ORG_KIND_NAMES, ORG_KINDS, SUBKIND_NAMES, type OrgField } from '../domain/org-tree';
import { HttpError } from './errors';
import { startTsWorker } from '../runtime/ts-worker';

/** The workbook's columns, in order: the org field and its header. */
export const ORG_COLUMNS: readonly { field: OrgField; header: string; width: number }[] = [
  { field: 'id', header: '机构编码', width: 24 },
  { field: 'name', header: '机构名称', width: 36 },
  { field: 'kind', header: '类型', width: 14 },
  { field: 'parent', header: '上级机构编码', width: 24 },
  { field: 'subkind', header: '基层工会类型', width: 16 },
  { field: 'groups', header: '重点群体', width: 24 },
  { field: 'area', header: '覆盖区域', width: 30 },
];

export const HEADER_OF: Record<OrgField, string> = Object.fromEntries(ORG_COLUMNS.map((c) => [c.field, c.header])) as Record<OrgField, string>;

export const SHEET_NAME = '组织机构';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** Rows one import may carry. */
export const MAX_IMPORT_ROWS = 50_000;

/** One data row of an uploaded workbook: its row number as Excel shows it, and its cells by field. */
export interface WorkbookRow {
  row: number;
  cells: Record<OrgField, string>;
}

/** The template: the header row, one example row, and a 说明 sheet with the kinds and the rules. */
export async function orgTemplate(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet(SHEET_NAME);
  sheet.columns = ORG_COLUMNS.map((c) => ({ header: c.header, key: c.field, width: c.width }));
  sheet.getRow(1).font = { bold: true };
  sheet.addRow({
    id: 'xh-gr-001',
    name: '示例快递企业工会',
    kind: ORG_KIND_NAMES.grassroots,
    parent: 'pds-xinhua',
    subkind: SUBKIND_NAMES.enterprise,
    groups: 'courier',
    area: '新华区',
  });
  const notes = wb.addWorksheet('说明');
  notes.columns = [
    { header: '类型', key: 'kind', width: 16 },
    { header: '代码 / code', key: 'code', width: 14 },
    { header: '可以设在哪些类型之下 / may sit under', key: 'parents', width: 50 },
  ];
  notes.getRow(1).font = { bold: true };
  for (const k of ORG_KINDS)
    notes.addRow({ kind: ORG_KIND_NAMES[k], code: k, parents: ALLOWED_PARENT_KINDS[k].map((p) => (p ? ORG_KIND_NAMES[p] : '（顶级）')).join('、') });
  notes.addRow({});
  notes.addRow({ kind: '基层工会类型', code: '', parents: GRASSROOTS_SUBKINDS.map((s) => SUBKIND_NAMES[s]).join('、') });
  notes.addRow({
    kind: '机构编码',
    code: '',
    parents: '字母、数字、- 和 _，不超过 64 位；留空则自动生成。已有编码即更新该机构（名称、重点群体、覆盖区域等），不移动、不改类型。',
  });
  notes.addRow({ kind: '上级机构编码', code: '', parents: '本表中的机构（前后顺序不限）或系统中已有、在您管理范围内的机构。' });
  notes.addRow({ kind: '重点群体', code: '', parents: '仅基层工会填写：重点群体代码，多个用逗号分隔。' });
  notes.addRow({ kind: '导入规则', code: '', parents: '任何一行有误则整份不导入，并列出每一行的错误。' });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** A cell as text: rich text joined, a formula by its result, a date as YYYY-MM-DD. */
export const cellText = (v: ExcelJS.CellValue): string => {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((r) => r.text).join('');
    if ('text' in v) return String(v.text);
    if ('result' in v) return cellText(v.result);
    if (v instanceof Date) return v.toISOString().slice(0, 10);
    return '';
  }
  return String(v);
};

/**
 * Reads an uploaded workbook's first sheet: the header row must carry the
 * template's headers (any order); empty rows are skipped. A file that is not
 * a workbook, or lacks a header, is refused (400); too many rows, 413.
 */
export async function readOrgWorkbook(data: Uint8Array, onProgress?: (done: number, total: number) => void): Promise<WorkbookRow[]> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(Buffer.from(data.buffer, data.byteOffset, data.byteLength) as unknown as ExcelJS.Buffer);
  } catch {
    throw new HttpError(400, '文件不是有效的 xlsx 工作簿 / the file is not an xlsx workbook', [{ path: '(body)', message: 'not an xlsx workbook' }]);
  }
  const sheet = wb.getWorksheet(SHEET_NAME) ?? wb.worksheets[0];
  if (!sheet) throw new HttpError(400, '工作簿没有工作表 / the workbook has no sheet', [{ path: '(body)', message: 'no sheet' }]);
  if (sheet.actualRowCount > MAX_IMPORT_ROWS + 1) throw new HttpError(413, `一次最多导入 ${MAX_IMPORT_ROWS} 行 / at most ${MAX_IMPORT_ROWS} rows per import`);
  const header = sheet.getRow(1);
  const colOf = new Map<OrgField, number>();
  header.eachCell((cell, col) => {
    const c = ORG_COLUMNS.find((x) => x.header === cellText(cell.value).trim());
    if (c) colOf.set(c.field, col);
  });
  const missing = ORG_COLUMNS.filter((c) => ['name', 'kind', 'parent'].includes(c.field) && !colOf.has(c.field));
  if (missing.length)
    throw new HttpError(
      400,
      '表头与模板不符，请使用下载的模板 / the header row does not match the template',
      missing.map((c) => ({ path: c.header, message: '缺少此列 / column missing' })),
    );
  const rows: WorkbookRow[] = [];
  const total = sheet.actualRowCount - 1;
  sheet.eachRow({ includeEmpty: false }, (r, rowNumber) => {
    if (rowNumber === 1) return;
    const cells = {} as Record<OrgField, string>;
    let any = false;
    for (const c of ORG_COLUMNS) {
      const col = colOf.get(c.field);
      cells[c.field] = col ? cellText(r.getCell(col).value).trim() : '';
      if (cells[c.field]) any = true;
    }
    if (any) rows.push({ row: rowNumber, cells });
    if (rows.length % 5000 === 0) onProgress?.(rows.length, total);
  });
  return rows;
}

/** What the worker thread (api/org-workbook-worker.ts) posts. */
export type WorkbookWorkerMessage =
  | { type: 'progress'; done: number; total: number }
  | { type: 'done'; rows: WorkbookRow[] }
  | { type: 'refused'; status: number; detail: string; errors?: { path: string; message: string }[] }
  | { type: 'crashed'; message: string };

/** Workbooks up to this size are read on the event loop (a few hundred rows). */
const INLINE_BYTES = 64 * 1024;
const WORKER_MODULE = new URL('./org-workbook-worker.ts', import.meta.url);

/** Reads a workbook off the event loop when it is large (the survey upload's worker-thread pattern, runtime/ts-worker.ts). */
export function parseOrgWorkbook(data: Buffer, onProgress?: (done: number, total: number) => void): Promise<WorkbookRow[]> {
  if (data.length <= INLINE_BYTES) return readOrgWorkbook(data, onProgress);
  return new Promise<WorkbookRow[]>((resolve, reject) => {
    const worker = startTsWorker(WORKER_MODULE, { data: new Uint8Array(data) }, { maxOldGenerationSizeMb: 1024 });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
      void worker.terminate();
    };
    worker.on('message', (m: WorkbookWorkerMessage) => {
      if (m.type === 'progress') onProgress?.(m.done, m.total);
      else if (m.type === 'done') settle(() => resolve(m.rows));
      else if (m.type === 'refused') settle(() => reject(new HttpError(m.status, m.detail, m.errors)));
      else settle(() => reject(new Error(`org workbook worker failed: ${m.message}`)));
    });
    worker.on('error', (e) => settle(() => reject(e)));
    worker.on('exit', (code) => settle(() => reject(new Error(`org workbook worker exited (${code}) without a result`))));
  });
}

/** An org as one export row. */
export interface ExportOrg {
  id: string;
  name: string;
  kind: string;
  parentId: string | null;
  subkind: string | null;
  groups: string[];
  area: string | null;
}

/** Streams orgs into an xlsx written to `out` (exceljs's streaming writer: rows are flushed as they come). */
export async function writeOrgExport(out: Writable, pages: AsyncIterable<ExportOrg[]>): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = wb.addWorksheet(SHEET_NAME);
  sheet.columns = ORG_COLUMNS.map((c) => ({ header: c.header, key: c.field, width: c.width }));
  for await (const page of pages) {
    for (const o of page) {
      sheet
        .addRow({
          id: o.id,
          name: o.name,
          kind: ORG_KIND_NAMES[o.kind as keyof typeof ORG_KIND_NAMES] ?? o.kind,
          parent: o.parentId ?? '',
          subkind: o.subkind ? (SUBKIND_NAMES[o.subkind as keyof typeof SUBKIND_NAMES] ?? o.subkind) : '',
          groups: o.groups.join(','),
          area: o.area ?? '',
        })
        .commit();
    }
  }
  sheet.commit();
  await wb.commit();
}
