/**
 * A bulletin as CSV and as an Excel workbook, both from the same tables as
 * the HTML page (domain/bulletin-tables.ts). CSV: UTF-8 with a BOM (so Excel
 * and WPS read the Chinese), CRLF lines, every text cell guarded against
 * formula injection (csvCell); numbers stay numbers so they can be summed.
 * Workbook: one sheet per table, Chinese-first headers, zh-CN number formats.
 */
import ExcelJS from 'exceljs';
import type { BulletinData } from '../domain/bulletin';
import { bulletinTables, type Cell, type ExportLang, type Table } from '../domain/bulletin-tables';
import { csvLine } from './survey-import';

const cellValue = (c: Cell): string | number | null => {
  switch (c.t) {
    case 'text':
      return c.v;
    case 'int':
      return c.v;
    case 'pct':
    case 'pts':
      return c.v === null ? null : Math.round(c.v * 10) / 10;
    case 'delta':
      return c.v;
  }
};

/** One table, or every table one after another (a title line, the header, the rows, a blank line). */
export function bulletinCsv(d: BulletinData, only?: Table['key'], lang: ExportLang = 'zh'): string {
  const tables = bulletinTables(d, lang).filter((t) => !only || t.key === only);
  let out = '\uFEFF';
  for (const [i, t] of tables.entries()) {
    if (!only) out += csvLine([t.title]);
    out += csvLine(t.columns);
    for (const row of t.rows) out += csvLine(row.map(cellValue));
    if (t.total) out += csvLine(t.total.map(cellValue));
    if (!only && i < tables.length - 1) out += '\r\n';
  }
  return out;
}

const FORMATS: Record<Cell['t'], string | undefined> = {
  text: undefined,
  int: '#,##0',
  // Stored as a percentage number (45.2 = 45.2 %), shown with its sign where it is a change.
  pct: '0.0"%"',
  delta: '+#,##0;-#,##0;0',
  pts: '+0.0;-0.0;0.0',
};

/** The workbook: one sheet per table, frozen headers, totals in bold. */
export async function bulletinXlsx(d: BulletinData, lang: ExportLang = 'zh'): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = d.campaign.cityName;
  wb.title = lang === 'zh' ? `${d.campaign.name}推进情况通报（${d.label}）` : `Progress bulletin: ${d.campaign.name}`;
  wb.created = new Date(d.issuedAt);
  for (const t of bulletinTables(d, lang)) {
    const ws = wb.addWorksheet(t.sheet, { views: [{ state: 'frozen', ySplit: 2 }] });
    ws.addRow([t.title]).font = { bold: true, size: 13 };
    const header = ws.addRow(t.columns);
    header.font = { bold: true };
    header.alignment = { wrapText: true, vertical: 'middle', horizontal: 'center' };
    header.eachCell((c) => {
      c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF2E6E6' } };
      c.border = { bottom: { style: 'thin' } };
    });
    const add = (cells: Cell[], bold = false) => {
      const row = ws.addRow(cells.map(cellValue));
      cells.forEach((c, i) => {
        const fmt = FORMATS[c.t];
        if (fmt) row.getCell(i + 1).numFmt = fmt;
      });
      if (bold) row.font = { bold: true };
    };
    for (const r of t.rows) add(r);
    if (t.total) add(t.total, true);
    if (t.note) ws.addRow([`${lang === 'zh' ? '注：' : 'Note: '}${t.note}`]).font = { italic: true, color: { argb: 'FF666666' } };
    t.columns.forEach((c, i) => {
      ws.getColumn(i + 1).width = i === 0 ? 24 : Math.min(30, Math.max(12, c.split(' / ')[0]!.length * 2 + 4));
    });
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
