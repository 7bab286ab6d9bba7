/**
 * A province bulletin as CSV (UTF-8 with a BOM, CRLF, formula-safe cells) and
 * as a workbook (one sheet per table), from the same tables as its HTML page.
 */
import ExcelJS from 'exceljs';
import type { Cell, ExportLang } from '../domain/bulletin-tables';
import type { ProvinceBulletinData } from '../domain/province';
import { provinceTables, type ProvinceTable } from '../domain/province-tables';
import { csvLine } from './survey-import';

const value = (c: Cell): string | number | null => (c.t === 'text' ? c.v : c.t === 'int' ? c.v : c.v === null ? null : Math.round(c.v * 10) / 10);

export function provinceBulletinCsv(d: ProvinceBulletinData, only?: ProvinceTable['key'], lang: ExportLang = 'zh'): string {
  const tables = provinceTables(d, lang).filter((t) => !only || t.key === only);
  let out = '\uFEFF';
  for (const [i, t] of tables.entries()) {
    if (!only) out += csvLine([t.title]);
    out += csvLine(t.columns);
    for (const row of t.rows) out += csvLine(row.map(value));
    if (t.total) out += csvLine(t.total.map(value));
    if (!only && i < tables.length - 1) out += '\r\n';
  }
  return out;
}

export async function provinceBulletinXlsx(d: ProvinceBulletinData, lang: ExportLang = 'zh'): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = d.province.name;
  wb.created = new Date(d.issuedAt);
  for (const t of provinceTables(d, lang)) {
    const ws = wb.addWorksheet(t.sheet, { views: [{ state: 'frozen', ySplit: 2 }] });
    ws.addRow([t.title]).font = { bold: true, size: 13 };
    const header = ws.addRow(t.columns);
    header.font = { bold: true };
    header.alignment = { wrapText: true, vertical: 'middle', horizontal: 'center' };
    const add = (cells: Cell[], bold = false) => {
      const row = ws.addRow(cells.map(value));
      cells.forEach((c, i) => {
        if (c.t === 'int') row.getCell(i + 1).numFmt = '#,##0';
        if (c.t === 'pct') row.getCell(i + 1).numFmt = '0.0"%"';
      });
      if (bold) row.font = { bold: true };
    };
    for (const r of t.rows) add(r);
    if (t.total) add(t.total, true);
    t.columns.forEach((_, i) => {
      ws.getColumn(i + 1).width = i === 0 ? 22 : 16;
    });
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
