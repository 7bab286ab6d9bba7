/**
 * The 审批单 as a print-ready HTML page (A4, a print stylesheet, no script):
 * the same content model the PDF renders (domain/approval-sheet.ts). Every
 * value is escaped. Pure.
 */
import type { ApprovalSheet } from './approval-sheet';
import { escapeHtml } from './bulletin-html';

const FONT = "'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC','WenQuanYi Micro Hei',sans-serif";

const STYLE = `
@page { size: A4; margin: 18mm 16mm 20mm; }
* { box-sizing: border-box; }
body { font-family: ${FONT}; color: #111; font-size: 12pt; line-height: 1.5; margin: 0 auto; max-width: 178mm; padding: 8mm 0; }
h1 { text-align: center; font-size: 22pt; letter-spacing: 0.5em; margin: 0 0 2mm; }
.subtitle { text-align: center; color: #444; margin: 0 0 6mm; }
h2 { font-size: 13pt; margin: 6mm 0 2mm; border-left: 3pt solid #c8102e; padding-left: 2mm; }
table { width: 100%; border-collapse: collapse; page-break-inside: auto; }
tr { page-break-inside: avoid; }
th, td { border: 0.5pt solid #333; padding: 1.5mm 2mm; vertical-align: top; text-align: left; white-space: pre-wrap; word-break: break-word; }
th { background: #f2f2f2; font-weight: 600; }
table.facts th { width: 32mm; }
td.time { white-space: nowrap; }
.empty { color: #666; }
footer { margin-top: 8mm; font-size: 9pt; color: #555; display: flex; justify-content: space-between; border-top: 0.5pt solid #999; padding-top: 2mm; }
@media print { body { padding: 0; } a { color: inherit; text-decoration: none; } }
`;

const e = escapeHtml;

/** A ruled table; the column at `timeColumn` (a time) never wraps. */
function rows(cells: string[][], head: string[], timeColumn: number): string {
  const thead = `<thead><tr>${head.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead>`;
  const body = cells.map((r) => `<tr>${r.map((c, i) => (i === timeColumn ? `<td class="time">${e(c)}</td>` : `<td>${e(c)}</td>`)).join('')}</tr>`).join('');
  return `<table>${thead}<tbody>${body}</tbody></table>`;
}

/** The whole page. */
export function approvalSheetHtml(s: ApprovalSheet): string {
  const facts: [string, string][] = [
    ['申请类型', s.typeLabel],
    ['申请事项', s.subject],
    ['申请人', s.applicant.name],
    ['申请单位', s.applicant.org],
    ['提交时间', s.submittedAt],
    ['当前状态', s.status],
  ];
  const factRows = facts.map(([k, v]) => `<tr><th>${e(k)}</th><td>${e(v)}</td></tr>`).join('');
  const fields = s.fields.length
    ? `<table class="facts"><tbody>${s.fields.map((f) => `<tr><th>${e(f.label)}</th><td>${e(f.value)}</td></tr>`).join('')}</tbody></table>`
    : '<p class="empty">无</p>';
  const decisions = s.decisions.length
    ? rows(
        s.decisions.map((d) => [d.step, d.approver, d.post, d.decision, d.at, d.comment]),
        ['审批步骤', '审批人', '职务', '审批结果', '审批时间', '审批意见'],
        4,
      )
    : '<p class="empty">尚无审批记录</p>';
  const attachments = s.attachments.length
    ? rows(
        s.attachments.map((a) => [a.name, a.type, a.size, a.uploadedBy, a.at]),
        ['文件名', '类型', '大小', '上传人', '上传时间'],
        4,
      )
    : '<p class="empty">无附件</p>';
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(`${s.title}：${s.subject}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${e(s.title)}</h1>
<p class="subtitle">${e(s.typeLabel)}</p>
<table class="facts"><tbody>${factRows}</tbody></table>
<h2>申请内容</h2>
${fields}
<h2>审批记录</h2>
${decisions}
<h2>附件</h2>
${attachments}
<footer><span>打印人：${e(s.printedBy)}</span><span>打印时间：${e(s.printedAt)}（北京时间）</span></footer>
</body>
</html>
`;
}
