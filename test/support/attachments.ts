/**
 * Files for the attachment and print tests: real files of each allowed type
 * (a PDF made with pdfkit, an xlsx made with exceljs, a PNG and a JPEG from
 * test/fixtures/attachments, drawn by Chromium), multipart bodies as a
 * browser sends them, and a small reader of the text a pdfkit PDF shows.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import PDFDocument from 'pdfkit';
import type { Harness } from './harness';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/attachments');

export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A one-page PDF (standard font, so no font file is needed) saying `text`; `padTo` bytes at least, with a comment. */
export function samplePdf(text = 'Receipt', padTo = 0): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A5' });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.on('data', (c: Buffer) => chunks.push(c));
  doc.text(text);
  doc.end();
  return done.then((pdf) => (pdf.length >= padTo ? pdf : Buffer.concat([pdf, Buffer.from(`%${'0'.repeat(padTo - pdf.length)}\n`)])));
}

/** A small workbook: one sheet of subsidy items. */
export async function sampleXlsx(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('补助明细');
  sheet.addRow(['项目', '金额（元）']);
  sheet.addRow(['司机之家桌椅', 3200]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export const samplePng = () => fs.readFileSync(path.join(FIXTURES, 'scan.png'));
export const sampleJpeg = () => fs.readFileSync(path.join(FIXTURES, 'photo.jpg'));

/** A multipart/form-data body as a browser's FormData makes it: the bytes and their Content-Type (with the boundary). */
export async function multipart(
  file: { bytes: Buffer; name: string; type?: string } | undefined,
  fields: Record<string, string> = {},
): Promise<{ raw: Uint8Array; contentType: string }> {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  if (file) fd.append('file', new Blob([new Uint8Array(file.bytes)], { type: file.type ?? 'application/octet-stream' }), file.name);
  const r = new Response(fd);
  return { raw: new Uint8Array(await r.arrayBuffer()), contentType: r.headers.get('content-type')! };
}

/** POST /api/applications/:id/attachments as `username`. */
export async function upload(
  h: Harness,
  username: string,
  appId: string,
  file: { bytes: Buffer; name: string; type?: string } | undefined,
  fields: Record<string, string> = {},
  headers: Record<string, string> = {},
) {
  const body = await multipart(file, fields);
  return h.call('POST', `/api/applications/${appId}/attachments`, {
    token: await h.login(username),
    raw: body.raw,
    headers: { 'content-type': body.contentType, ...headers },
  });
}

/** GET as bytes (the harness's call reads text). */
export async function download(h: Harness, username: string, path: string): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
  const res = await fetch(h.url + path, { headers: { authorization: `Bearer ${await h.login(username)}` } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** Every file under the attachment folder (the temporary folder of partial writes aside). */
export function storedFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && !d.parentPath.endsWith(`${path.sep}tmp`))
    .map((d) => path.join(d.parentPath, d.name));
}

/**
 * What a pdfkit PDF shows, as text: its compressed streams inflated, the
 * embedded fonts' ToUnicode maps read, and the glyph ids of every text
 * operator (TJ) turned back into characters — one line per operator. Also the
 * page count and the embedded fonts' names.
 */
export function readPdf(pdf: Buffer): { text: string; pages: number; fonts: string[] } {
  const latin = pdf.toString('latin1');
  const streams: string[] = [];
  for (const m of latin.matchAll(/stream\r?\n/g)) {
    const start = m.index + m[0].length;
    const end = latin.indexOf('endstream', start);
    try {
      streams.push(zlib.inflateSync(pdf.subarray(start, end)).toString('latin1'));
    } catch {
      /* not a deflated stream (a font program…) */
    }
  }
  const toUnicode = new Map<number, string>();
  for (const cmap of streams.filter((s) => s.includes('beginbfrange') || s.includes('beginbfchar'))) {
    for (const r of cmap.matchAll(/<([0-9a-f]+)>\s*<[0-9a-f]+>\s*\[([^\]]*)\]/gi)) {
      const first = parseInt(r[1]!, 16);
      // An entry may hold several characters (a ligature: <0066 0066> is "ff").
      [...r[2]!.matchAll(/<([0-9a-f ]+)>/gi)].forEach((u, i) => toUnicode.set(first + i, hexToText(u[1]!.replace(/ /g, ''))));
    }
    for (const r of cmap.matchAll(/<([0-9a-f]{4})>\s*<([0-9a-f]+)>\s*$/gim)) toUnicode.set(parseInt(r[1]!, 16), hexToText(r[2]!));
  }
  const lines: string[] = [];
  for (const s of streams) {
    // pdfkit writes each text operator on a line of its own: [<glyph ids> kerning …] TJ
    for (const line of s.split('\n').filter((l) => l.startsWith('[') && l.endsWith('] TJ'))) {
      const glyphs = [...line.matchAll(/<([0-9a-f]+)>/gi)].flatMap((h) => h[1]!.match(/.{4}/g) ?? []);
      lines.push(glyphs.map((g) => toUnicode.get(parseInt(g, 16)) ?? '').join(''));
    }
  }
  return {
    text: lines.join('\n'),
    pages: (latin.match(/\/Type \/Page\b/g) ?? []).length,
    fonts: [...new Set([...latin.matchAll(/\/BaseFont \/(?:[A-Z]{6}\+)?([\w-]+)/g)].map((m) => m[1]!))],
  };
}

function hexToText(hex: string): string {
  const units = (hex.match(/.{4}/g) ?? []).map((u) => parseInt(u, 16));
  return String.fromCharCode(...units);
}
