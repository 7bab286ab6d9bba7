/**
 * The CJK font the printed 审批单 PDF is set in (PRINT_FONT_PATH, a face of a
 * .ttc collection named by PRINT_FONT_NAME): Debian's fonts-noto-cjk by
 * default, installed in the image. Found and opened once, when the API starts;
 * where it is missing or unreadable the API says so in its log and the PDF
 * requests answer 503 (the HTML page needs no font of the server's).
 */
import fs from 'node:fs';
import PDFDocument from 'pdfkit';

export interface PrintFontSettings {
  /** A .ttf, .otf or .ttc file. */
  path: string;
  /** The PostScript name of the face inside a collection. */
  name: string;
}

export const DEFAULT_PRINT_FONT: PrintFontSettings = { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', name: 'NotoSansCJKsc-Regular' };

/** The font, read into memory, or why it cannot be used. */
export type PrintFont = { ok: true; data: Buffer; name: string; path: string } | { ok: false; problem: string };

/** Reads the font file and checks pdfkit can open the named face in it. */
export function loadPrintFont(settings: PrintFontSettings): PrintFont {
  let data: Buffer;
  try {
    data = fs.readFileSync(settings.path);
  } catch (err) {
    return { ok: false, problem: `找不到打印用中文字体 ${settings.path}（${(err as NodeJS.ErrnoException).code ?? 'error'}）/ the print font is missing` };
  }
  try {
    const probe = new PDFDocument({ autoFirstPage: false });
    probe.registerFont('probe', data, settings.name);
    probe.font('probe');
  } catch (err) {
    return {
      ok: false,
      problem: `无法打开打印用中文字体 ${settings.path} 中的 ${settings.name}（${(err as Error).message}）/ cannot open the print font's face`,
    };
  }
  return { ok: true, data, name: settings.name, path: settings.path };
}
