/**
 * A province bulletin (全省通报) as a print-friendly page: the cities'
 * completion as SVG bars, then the tables. No script; Beijing time; one
 * language per page (zh by default).
 */
import { beijingTime } from './beijing-time';
import { escapeHtml, formatCell, formatPct, formatTime } from './bulletin-html';
import type { ExportLang } from './bulletin-tables';
import { labelParts } from './campaign';
import type { ProvinceBulletinData } from './province';
import { provinceTables, type ProvinceTable } from './province-tables';

const FONT = "'Microsoft YaHei','PingFang SC','Noto Sans CJK SC','Source Han Sans SC','WenQuanYi Micro Hei',sans-serif";
const RED = '#c8102e';
const GREEN = '#2e7d32';
const one = (label: string, lang: ExportLang) => labelParts(label)[lang];
const r1 = (n: number) => Math.round(n * 10) / 10;

/** Horizontal bars: each ranked city's completion, in rank order, with the 100% line. */
export function cityCompletionChart(d: ProvinceBulletinData, lang: ExportLang = 'zh'): string {
  const rows = d.overview.ranking;
  const width = 680;
  const labelW = 150;
  const barW = width - labelW - 70;
  const rowH = 28;
  const top = 28;
  const height = top + Math.max(1, rows.length) * rowH + 26;
  const max = Math.max(100, ...rows.map((r) => r.completion));
  const x = (v: number) => labelW + (Math.max(0, v) / max) * barW;
  const parts: string[] = [];
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    const w = r1(x(r.completion) - labelW);
    parts.push(`<text x="${labelW - 8}" y="${y + rowH / 2 + 4}" font-size="12" text-anchor="end" fill="#222">${escapeHtml(`${r.rank}. ${r.name}`)}</text>`);
    parts.push(`<rect x="${labelW}" y="${y + 5}" width="${Math.max(w, 0)}" height="${rowH - 10}" fill="${r.completion >= 100 ? GREEN : RED}"/>`);
    parts.push(`<text x="${r1(labelW + Math.max(w, 0) + 6)}" y="${y + rowH / 2 + 4}" font-size="12" fill="#222">${formatPct(r.completion)}</text>`);
  });
  parts.push(`<line x1="${r1(x(100))}" y1="${top - 8}" x2="${r1(x(100))}" y2="${height - 26}" stroke="#333" stroke-width="1.5" stroke-dasharray="5,3"/>`);
  parts.push(`<text x="${r1(x(100))}" y="${top - 12}" font-size="11" text-anchor="middle" fill="#333">${lang === 'zh' ? '目标' : 'target'} 100%</text>`);
  const title = one('各市新增会员完成率 / Completion by city', lang);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(title)}" font-family="${FONT}" style="max-width:100%;height:auto"><title>${escapeHtml(title)}</title>${parts.join('')}</svg>`;
}

function tableHtml(t: ProvinceTable, lang: ExportLang): string {
  const cell = (c: ProvinceTable['rows'][number][number]) => `<td${c.t === 'text' ? '' : ' class="num"'}>${escapeHtml(formatCell(c))}</td>`;
  const head = `<tr>${t.columns.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join('')}</tr>`;
  const body = t.rows.length
    ? t.rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')
    : `<tr><td colspan="${t.columns.length}" class="empty">${escapeHtml(t.note ?? (lang === 'zh' ? '暂无数据' : 'no data'))}</td></tr>`;
  const total = t.total ? `<tfoot><tr class="total">${t.total.map(cell).join('')}</tr></tfoot>` : '';
  const note = t.note && t.rows.length && t.key !== 'campaigns' && t.key !== 'configuration' ? `<p class="note">${escapeHtml(t.note)}</p>` : '';
  return `<section><h2>${escapeHtml(t.title)}</h2><table><thead>${head}</thead><tbody>${body}</tbody>${total}</table>${note}</section>`;
}

const STYLE = `
  body { font-family: ${FONT}; color: #222; margin: 0; background: #f5f5f5; }
  .bulletin { max-width: 1000px; margin: 0 auto; padding: 24px 32px; background: #fff; }
  header { text-align: center; border-bottom: 3px solid ${RED}; padding-bottom: 12px; margin-bottom: 16px; }
  .issuer { color: ${RED}; font-size: 26px; font-weight: bold; letter-spacing: 4px; margin: 0 0 8px; }
  h1 { font-size: 20px; margin: 4px 0; }
  .meta { color: #555; font-size: 12px; margin: 4px 0; }
  h2 { font-size: 15px; border-left: 4px solid ${RED}; padding-left: 8px; margin: 20px 0 8px; }
  table { border-collapse: collapse; width: 100%; font-size: 12px; }
  th, td { border: 1px solid #bbb; padding: 4px 6px; }
  th { background: #f2e6e6; }
  td.num { text-align: right; white-space: nowrap; }
  td.empty { text-align: center; color: #777; }
  tr.total td { font-weight: bold; background: #fafafa; }
  .note { font-size: 11px; color: #666; }
  footer { margin-top: 24px; font-size: 11px; color: #777; border-top: 1px solid #ddd; padding-top: 8px; }
  @page { size: A4 landscape; margin: 12mm; }
  @media print { body { background: #fff; } .bulletin { max-width: none; padding: 0; } section { break-inside: avoid; } }
`;

/** The whole page in one language. */
export function renderProvinceBulletinHtml(d: ProvinceBulletinData, lang: ExportLang = 'zh'): string {
  const zh = lang === 'zh';
  const title = zh ? `关于${d.overview.year}年各市建会入会集中行动推进情况的通报` : `Bulletin of the cities’ organizing drives, ${d.overview.year}`;
  const issue = zh ? d.label : d.label.replace(/第(\d+)期（临时）/, 'No. $1 (on demand)').replace(/第(\d+)期/, 'No. $1');
  const at = (iso: string) => (zh ? formatTime(iso) : `${beijingTime(iso)} (Beijing time)`);
  const meta = zh
    ? `通报周期：${one(d.period.label, 'zh')} · 发布时间：${at(d.issuedAt)} · 数据截至：${at(d.overview.asOf)}`
    : `Period: ${one(d.period.label, 'en')} · Issued: ${at(d.issuedAt)} · Data as of: ${at(d.overview.asOf)}`;
  return `<!DOCTYPE html>
<html lang="${zh ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`${title}（${issue}）`)}</title>
<style>${STYLE}</style>
</head>
<body>
<main class="bulletin">
<header>
<p class="issuer">${escapeHtml(d.province.name)}</p>
<h1>${escapeHtml(title)}</h1>
<p class="meta">${escapeHtml(issue)}</p>
<p class="meta">${escapeHtml(meta)}</p>
</header>
<section class="chart"><h2>${escapeHtml(one('各市新增会员完成率 / Completion by city', lang))}</h2>${cityCompletionChart(d, lang)}</section>
${provinceTables(d, lang)
  .map((t) => tableHtml(t, lang))
  .join('\n')}
<footer>${escapeHtml(zh ? '本通报为发布时的数据快照，按各市通报的统计口径生成，发布后不再更改。' : 'A snapshot at issue, counted as each city’s bulletin counts; never changed afterwards.')}</footer>
</main>
</body>
</html>
`;
}
