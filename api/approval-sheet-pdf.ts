/**
 * The 审批单 as a PDF (A4), set with pdfkit in the CJK print font
 * (runtime/print-font.ts): the same content model as the HTML page
 * (domain/approval-sheet.ts), laid out as a form — the facts, the form's
 * fields, the decisions and the attachments as ruled tables, a footer with
 * who printed it and when (Beijing time) on every page.
 */
import PDFDocument from 'pdfkit';
import type { ApprovalSheet } from '../domain/approval-sheet';

type Font = { data: Buffer; name: string };

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = { top: 56, bottom: 64, left: 48, right: 48 };
const CONTENT = A4.width - MARGIN.left - MARGIN.right;
const PAD = 4;
const BODY = 10;

/** Renders the sheet; resolves with the PDF's bytes. */
export function approvalSheetPdf(sheet: ApprovalSheet, font: Font): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    info: { Title: `${sheet.title}：${sheet.subject}`, Subject: sheet.typeLabel, Creator: '建会入会集中行动工作流引擎', Producer: 'pdfkit' },
    lang: 'zh-CN',
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('cjk', font.data, font.name);
  doc.font('cjk');

  doc.fontSize(22).text(sheet.title, { align: 'center', characterSpacing: 8 });
  doc.moveDown(0.2);
  doc.fontSize(12).fillColor('#444').text(sheet.typeLabel, { align: 'center' }).fillColor('#000');
  doc.moveDown(0.8);

  const facts: string[][] = [
    ['申请类型', sheet.typeLabel],
    ['申请事项', sheet.subject],
    ['申请人', sheet.applicant.name],
    ['申请单位', sheet.applicant.org],
    ['提交时间', sheet.submittedAt],
    ['当前状态', sheet.status],
  ];
  table(doc, [90, CONTENT - 90], null, facts, true);

  heading(doc, '申请内容');
  if (sheet.fields.length)
    table(
      doc,
      [110, CONTENT - 110],
      null,
      sheet.fields.map((f) => [f.label, f.value]),
      true,
    );
  else note(doc, '无');

  heading(doc, '审批记录');
  if (sheet.decisions.length)
    table(
      doc,
      [78, 58, 92, 56, 74, CONTENT - 358],
      ['审批步骤', '审批人', '职务', '审批结果', '审批时间', '审批意见'],
      sheet.decisions.map((d) => [d.step, d.approver, d.post, d.decision, d.at, d.comment]),
    );
  else note(doc, '尚无审批记录');

  heading(doc, '附件');
  if (sheet.attachments.length)
    table(
      doc,
      [CONTENT - 290, 80, 50, 70, 90],
      ['文件名', '类型', '大小', '上传人', '上传时间'],
      sheet.attachments.map((a) => [a.name, a.type, a.size, a.uploadedBy, a.at]),
    );
  else note(doc, '无附件');

  // The footer on every page: who printed it, when, and the page number.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Written inside the bottom margin: without lifting it pdfkit would start a new page for the footer.
    doc.page.margins.bottom = 0;
    const y = A4.height - MARGIN.bottom + 20;
    doc.fontSize(8).fillColor('#555');
    doc.text(`打印人：${sheet.printedBy}    打印时间：${sheet.printedAt}（北京时间）`, MARGIN.left, y, { width: CONTENT, lineBreak: false, height: 12 });
    doc.text(`第 ${i - range.start + 1} 页 / 共 ${range.count} 页`, MARGIN.left, y, { width: CONTENT, align: 'right', lineBreak: false, height: 12 });
    doc.fillColor('#000');
  }
  doc.end();
  return done;
}

function heading(doc: PDFKit.PDFDocument, text: string): void {
  ensureSpace(doc, 40);
  doc.moveDown(0.8);
  const y = doc.y;
  doc
    .rect(MARGIN.left, y + 2, 3, 13)
    .fill('#c8102e')
    .fillColor('#000');
  doc.fontSize(13).text(text, MARGIN.left + 8, y, { width: CONTENT - 8 });
  doc.moveDown(0.3);
}

function note(doc: PDFKit.PDFDocument, text: string): void {
  doc.fontSize(BODY).fillColor('#666').text(text, MARGIN.left, doc.y, { width: CONTENT }).fillColor('#000');
}

function ensureSpace(doc: PDFKit.PDFDocument, h: number): void {
  if (doc.y + h > A4.height - MARGIN.bottom) doc.addPage();
}

/**
 * A ruled table: a header row (grey) when given, then the rows; each row as
 * tall as its tallest cell; a row that does not fit starts a new page, where
 * the header is repeated. `keyed`: the first column is a label column (grey).
 */
function table(doc: PDFKit.PDFDocument, widths: number[], head: string[] | null, rows: string[][], keyed = false): void {
  doc.fontSize(BODY);
  const drawRow = (cells: string[], shaded: (col: number) => boolean) => {
    const heights = cells.map((c, i) => doc.heightOfString(c || ' ', { width: widths[i]! - 2 * PAD }));
    const h = Math.max(...heights) + 2 * PAD;
    if (doc.y + h > A4.height - MARGIN.bottom) {
      doc.addPage();
      if (head && cells !== head) drawRow(head, () => true);
    }
    const y = doc.y;
    let x = MARGIN.left;
    cells.forEach((c, i) => {
      const w = widths[i]!;
      if (shaded(i)) doc.rect(x, y, w, h).fill('#f2f2f2').fillColor('#000');
      doc.lineWidth(0.5).rect(x, y, w, h).stroke('#333');
      doc.text(c, x + PAD, y + PAD, { width: w - 2 * PAD });
      x += w;
    });
    doc.x = MARGIN.left;
    doc.y = y + h;
  };
  if (head) drawRow(head, () => true);
  for (const r of rows) drawRow(r, (col) => keyed && col === 0);
}
