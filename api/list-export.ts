/**
 * A list as a download (`format=csv|xlsx` on GET /api/campaigns, /api/notifications, /api/tasks?view=…): Chinese
 * headers, names rather than ids, times in Beijing time. CSV: UTF-8 with a BOM (Excel and WPS read the Chinese),
 * CRLF lines, every text cell guarded against formula injection (csvLine); the workbook: one sheet, frozen header.
 */
import type express from 'express';
import ExcelJS from 'exceljs';
import { z } from 'zod';
import { beijingTime as formatBeijing } from '../domain/beijing-time';
import { csvLine } from './survey-import';

/** The most rows one export carries (the filters narrow a larger list). */
export const EXPORT_MAX_ROWS = 5000;

export const exportFormat = z.enum(['json', 'csv', 'xlsx'], { error: '格式须为 json、csv 或 xlsx / format must be json, csv or xlsx' }).default('json');
export type ExportFormat = z.infer<typeof exportFormat>;

export type ExportCell = string | number | null;

/** A time as 2026-11-30 14:34 in Beijing time; empty when none. */
export const beijingTime = (v: Date | string | null | undefined): string => (v ? formatBeijing(v) : '');

/** The Chinese half of a bilingual label ("调查摸底 / survey" → 调查摸底). */
export const zhOnly = (v: string | null | undefined): string => (v ? (v.split(' / ')[0] ?? v) : '');

/** Sends the table as CSV or an Excel workbook named `<title>.<ext>` (RFC 5987, with an ASCII fallback). */
export async function sendTable(
  res: express.Response,
  format: 'csv' | 'xlsx',
  t: { title: string; ascii: string; columns: string[]; rows: ExportCell[][] },
): Promise<void> {
  const name = `${t.title}.${format}`.replace(/[\\/:*?"<>|\r\n]/g, '_');
  res.setHeader('Content-Disposition', `attachment; filename="${t.ascii}.${format}"; filename*=UTF-8''${encodeURIComponent(name)}`);
  res.setHeader('Cache-Control', 'no-store');
  if (format === 'csv') {
    res.type('text/csv; charset=utf-8').send('\uFEFF' + csvLine(t.columns) + t.rows.map((r) => csvLine(r)).join(''));
    return;
  }
  const wb = new ExcelJS.Workbook();
  wb.title = t.title;
  const ws = wb.addWorksheet(t.title.slice(0, 31).replace(/[\\/?*[\]:]/g, '_'), { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.addRow(t.columns).font = { bold: true };
  for (const r of t.rows) ws.addRow(r.map((c) => (typeof c === 'string' && /^[=+\-@\t\r]/.test(c) ? `'${c}` : c)));
  ws.columns.forEach(
    (c, i) => (c.width = Math.min(60, Math.max(10, ...[t.columns[i] ?? '', ...t.rows.map((r) => String(r[i] ?? ''))].map((s) => s.length * 2)))),
  );
  res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(Buffer.from(await wb.xlsx.writeBuffer()));
}
