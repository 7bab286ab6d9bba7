/**
 * The bulletin (通报) as a print-friendly Chinese HTML page: a summary, a bar
 * chart of completion by region and a trend line over the bulletins so far —
 * both inline SVG drawn here, so the page needs no script and the same HTML
 * goes out as the email body — and the tables. Pure: the same data always
 * gives the same page. Numbers and dates are formatted for zh-CN (Beijing time).
 */
import { beijingDateZh, beijingTime, beijingTimeZh } from './beijing-time';
import type { BulletinData } from './bulletin';
import { bulletinTables, type Cell, type ExportLang, type Table } from './bulletin-tables';
import { labelParts } from './campaign';

const intFmt = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 0 });
const pctFmt = new Intl.NumberFormat('zh-CN', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
/** 1,234 */
export const formatInt = (n: number) => intFmt.format(n);
/** 45.2% (— without a target) */
export const formatPct = (n: number | null) => (n === null ? '—' : `${pctFmt.format(n)}%`);
/** +12 / −3 / 0 (— when unknown) */
export const formatDelta = (n: number | null) => (n === null ? '—' : n > 0 ? `+${intFmt.format(n)}` : n < 0 ? `−${intFmt.format(-n)}` : '0');
/** +1.5 个百分点 */
export const formatPts = (n: number | null) => (n === null ? '—' : `${n > 0 ? '+' : n < 0 ? '−' : ''}${pctFmt.format(Math.abs(n))}`);
/** 2026年7月3日 (Beijing time) */
export const formatDate = (iso: string) => beijingDateZh(iso);
/** 2026年7月3日 14:05 (Beijing time) */
export const formatTime = (iso: string) => beijingTimeZh(iso);
/** A time in the page's language: 2026年7月3日 14:05, or 2026-07-03 14:05 (Beijing time). */
const timeIn = (iso: string, lang: ExportLang) => (lang === 'zh' ? formatTime(iso) : `${beijingTime(iso)} (Beijing time)`);
/** One half of a bilingual label. */
const one = (label: string, lang: ExportLang) => labelParts(label)[lang];

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function formatCell(c: Cell): string {
  switch (c.t) {
    case 'text':
      return c.v;
    case 'int':
      return formatInt(c.v);
    case 'pct':
      return formatPct(c.v);
    case 'delta':
      return formatDelta(c.v);
    case 'pts':
      return formatPts(c.v);
  }
}

const FONT = "'Microsoft YaHei','PingFang SC','Noto Sans CJK SC','Source Han Sans SC','WenQuanYi Micro Hei',sans-serif";
const RED = '#c8102e';
const GREEN = '#2e7d32';
const GREY = '#9e9e9e';

const r1 = (n: number) => Math.round(n * 10) / 10;

/** A percentage axis from 0 to at least 100%, with at most eight round ticks. */
function percentAxis(values: number[]): { max: number; step: number } {
  const top = Math.max(100, ...values);
  const step = [20, 25, 50, 100, 200, 500, 1000].find((s) => Math.ceil(top / s) <= 8) ?? Math.ceil(top / 8 / 1000) * 1000;
  return { max: Math.ceil(top / step) * step, step };
}

/** Horizontal bars: each region's completion (new members against target), in rank order, with the 100% line. */
export function completionBarChart(d: BulletinData, lang: ExportLang = 'zh'): string {
  const rows = d.ranking;
  const width = 680;
  const labelW = 150;
  const valueW = 70;
  const barW = width - labelW - valueW;
  const rowH = 26;
  const top = 28;
  const bottom = 26;
  const height = top + rows.length * rowH + bottom;
  const { max, step } = percentAxis(rows.map((r) => r.completion));
  const x = (v: number) => labelW + (Math.max(0, v) / max) * barW;
  const parts: string[] = [];
  for (let t = 0; t <= max; t += step) {
    parts.push(`<line x1="${r1(x(t))}" y1="${top - 4}" x2="${r1(x(t))}" y2="${height - bottom}" stroke="#e0e0e0" stroke-width="1"/>`);
    parts.push(`<text x="${r1(x(t))}" y="${height - bottom + 16}" font-size="11" text-anchor="middle" fill="#555">${t}%</text>`);
  }
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    const w = r1(x(r.completion) - labelW);
    const color = r.completion >= 100 ? GREEN : RED;
    parts.push(`<text x="${labelW - 8}" y="${y + rowH / 2 + 4}" font-size="12" text-anchor="end" fill="#222">${escapeHtml(r.name)}</text>`);
    parts.push(
      `<rect x="${labelW}" y="${y + 5}" width="${Math.max(w, 0)}" height="${rowH - 10}" fill="${color}"><title>${escapeHtml(r.name)}${lang === 'zh' ? '：' : ': '}${formatPct(r.completion)}（${formatInt(r.members)} / ${formatInt(r.target)}${lang === 'zh' ? ' 人' : ''}）</title></rect>`,
    );
    parts.push(`<text x="${r1(labelW + Math.max(w, 0) + 6)}" y="${y + rowH / 2 + 4}" font-size="12" fill="#222">${formatPct(r.completion)}</text>`);
  });
  parts.push(`<line x1="${r1(x(100))}" y1="${top - 8}" x2="${r1(x(100))}" y2="${height - bottom}" stroke="#333" stroke-width="1.5" stroke-dasharray="5,3"/>`);
  parts.push(`<text x="${r1(x(100))}" y="${top - 12}" font-size="11" text-anchor="middle" fill="#333">${lang === 'zh' ? '目标' : 'target'} 100%</text>`);
  return svg(width, height, one('各地区新增会员完成率 / Completion by region', lang), parts);
}

/** The city's completion over every bulletin so far (this one last). */
export function trendLineChart(d: BulletinData, lang: ExportLang = 'zh'): string {
  const points = d.trend;
  const width = 680;
  const height = 240;
  const left = 56;
  const right = 30;
  const top = 24;
  const bottom = 40;
  const pad = 24; // keeps the first and last point clear of the axes
  const { max, step } = percentAxis(points.map((p) => p.completion));
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const x = (i: number) => left + pad + (points.length === 1 ? (plotW - 2 * pad) / 2 : (i / (points.length - 1)) * (plotW - 2 * pad));
  const y = (v: number) => top + plotH - (Math.max(0, v) / max) * plotH;
  const parts: string[] = [];
  for (let t = 0; t <= max; t += step) {
    parts.push(`<line x1="${left}" y1="${r1(y(t))}" x2="${width - right}" y2="${r1(y(t))}" stroke="#e0e0e0" stroke-width="1"/>`);
    parts.push(`<text x="${left - 6}" y="${r1(y(t)) + 4}" font-size="11" text-anchor="end" fill="#555">${t}%</text>`);
  }
  parts.push(`<line x1="${left}" y1="${r1(y(100))}" x2="${width - right}" y2="${r1(y(100))}" stroke="#333" stroke-width="1.5" stroke-dasharray="5,3"/>`);
  if (points.length > 1)
    parts.push(`<polyline fill="none" stroke="${RED}" stroke-width="2.5" points="${points.map((p, i) => `${r1(x(i))},${r1(y(p.completion))}`).join(' ')}"/>`);
  const every = Math.max(1, Math.ceil(points.length / 12));
  points.forEach((p, i) => {
    parts.push(
      `<circle cx="${r1(x(i))}" cy="${r1(y(p.completion))}" r="4" fill="${i === points.length - 1 ? RED : '#fff'}" stroke="${RED}" stroke-width="2"><title>${escapeHtml(lang === 'zh' ? `${p.label}：${formatPct(p.completion)}，新增会员 ${formatInt(p.members)} 人` : `${p.label}: ${formatPct(p.completion)}, ${formatInt(p.members)} new members`)}</title></circle>`,
    );
    if (i % every === 0 || i === points.length - 1) {
      parts.push(`<text x="${r1(x(i))}" y="${r1(y(p.completion)) - 9}" font-size="11" text-anchor="middle" fill="#222">${formatPct(p.completion)}</text>`);
      parts.push(
        `<text x="${r1(x(i))}" y="${height - bottom + 18}" font-size="11" text-anchor="middle" fill="#555">${escapeHtml(p.label.replace(/（临时）/, '*'))}</text>`,
      );
    }
  });
  if (points.length === 0)
    parts.push(`<text x="${width / 2}" y="${height / 2}" font-size="12" text-anchor="middle" fill="${GREY}">${lang === 'zh' ? '暂无数据' : 'no data'}</text>`);
  return svg(width, height, one('历次通报全市完成率趋势 / Completion over the bulletins', lang), parts);
}

function svg(width: number, height: number, title: string, parts: string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(title)}" font-family="${FONT}" style="max-width:100%;height:auto"><title>${escapeHtml(title)}</title>${parts.join('')}</svg>`;
}

function tableHtml(t: Table, lang: ExportLang): string {
  const numeric = (c: Cell) => c.t !== 'text';
  const cell = (c: Cell, tag: 'td' | 'th' = 'td') => {
    const cls = [numeric(c) ? 'num' : '', (c.t === 'delta' || c.t === 'pts') && c.v !== null && c.v < 0 ? 'neg' : ''].filter(Boolean).join(' ');
    return `<${tag}${cls ? ` class="${cls}"` : ''}>${escapeHtml(formatCell(c))}</${tag}>`;
  };
  const head = `<tr>${t.columns.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join('')}</tr>`;
  const body = t.rows.map((r) => `<tr>${r.map((c) => cell(c)).join('')}</tr>`).join('');
  const total = t.total ? `<tfoot><tr class="total">${t.total.map((c) => cell(c)).join('')}</tr></tfoot>` : '';
  const empty =
    t.rows.length === 0
      ? `<tr><td colspan="${t.columns.length}" class="empty">${escapeHtml(t.note ?? (lang === 'zh' ? '暂无数据' : 'no data'))}</td></tr>`
      : '';
  return `<section class="table"><h2>${escapeHtml(t.title)}</h2><table><thead>${head}</thead><tbody>${body || empty}</tbody>${total}</table>${t.note && t.rows.length ? `<p class="note">${lang === 'zh' ? '注：' : 'Note: '}${escapeHtml(t.note)}</p>` : ''}</section>`;
}

/** The summary paragraph, in the page's language. */
function summary(d: BulletinData, lang: ExportLang): string {
  const t = d.totals;
  const lines: string[] = [];
  if (lang === 'en') {
    lines.push(
      `<p>${escapeHtml(
        `As of ${timeIn(d.asOf, 'en')}: ${formatInt(t.members.count)} new members (${formatPct(t.completion)} of ${formatInt(t.members.target)}), ${formatInt(t.unions.established)} unions established, ${formatInt(t.online.received)} online applications (${formatInt(t.online.pending)} pending), ${formatInt(t.overdue.deliverables)} overdue deliverables, ${formatInt(t.overdue.approvals)} approvals past their limit, ${formatInt(t.rectifying)} rectifications open.`,
      )}</p>`,
    );
    return `<section class="summary">${lines.join('')}</section>`;
  }
  const zh = [
    `截至${formatTime(d.asOf)}，全市新增会员 ${formatInt(t.members.count)} 人（其中网上入会 ${formatInt(t.members.online)} 人），完成目标 ${formatInt(t.members.target)} 人的 ${formatPct(t.completion)}`,
    `新建工会 ${formatInt(t.unions.established)} 个（计划 ${formatInt(t.unions.planned)} 个）`,
    `受理网上入会申请 ${formatInt(t.online.received)} 件，已批准 ${formatInt(t.online.approved)} 件，待审批 ${formatInt(t.online.pending)} 件`,
    `逾期事项 ${formatInt(t.overdue.deliverables)} 项，超时审批 ${formatInt(t.overdue.approvals)} 件，整改中项目 ${formatInt(t.rectifying)} 个`,
  ].join('；');
  lines.push(`<p>${escapeHtml(zh)}。</p>`);
  if (d.changes) {
    const c = d.changes.totals;
    lines.push(
      `<p>${escapeHtml(`较上期（${d.changes.previous.label}）新增会员 ${formatDelta(c.members)} 人，新建工会 ${formatDelta(c.unions)} 个，完成率变化 ${formatPts(c.completionPts)} 个百分点。`)}</p>`,
    );
  }
  if (d.ranking.length >= 4) {
    const top = d.ranking
      .slice(0, 3)
      .map((r) => r.name)
      .join('、');
    const bottom = d.ranking
      .slice(-3)
      .map((r) => r.name)
      .join('、');
    lines.push(`<p>${escapeHtml(`完成率排名前列的是：${top}；排名靠后的是：${bottom}，请加快推进。`)}</p>`);
  }
  if (d.missedPeriods.length) lines.push(`<p>${escapeHtml(`第${d.missedPeriods.join('、')}个通报周期未按期发布，本期一并通报。`)}</p>`);
  return `<section class="summary">${lines.join('')}</section>`;
}

const STYLE = `
  body { font-family: ${FONT}; color: #222; margin: 0; background: #f5f5f5; }
  .bulletin { max-width: 960px; margin: 0 auto; padding: 24px 32px; background: #fff; }
  header { text-align: center; border-bottom: 3px solid ${RED}; padding-bottom: 12px; margin-bottom: 16px; }
  .issuer { color: ${RED}; font-size: 26px; font-weight: bold; letter-spacing: 4px; margin: 0 0 8px; }
  h1 { font-size: 20px; margin: 4px 0; }
  .no { margin: 4px 0; font-size: 15px; }
  .meta { color: #555; font-size: 12px; margin: 4px 0; }
  h2 { font-size: 15px; border-left: 4px solid ${RED}; padding-left: 8px; margin: 20px 0 8px; }
  .summary p { text-indent: 2em; line-height: 1.8; margin: 4px 0; }
  .summary p.en, p.en { text-indent: 0; color: #666; font-size: 12px; }
  table { border-collapse: collapse; width: 100%; font-size: 12px; }
  th, td { border: 1px solid #bbb; padding: 4px 6px; }
  th { background: #f2e6e6; font-weight: bold; text-align: center; }
  th .en { font-weight: normal; color: #666; font-size: 10px; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
  td.neg { color: ${RED}; }
  td.empty { text-align: center; color: #777; }
  tr.total td { font-weight: bold; background: #fafafa; }
  .note { font-size: 11px; color: #666; margin: 4px 0; }
  .chart { text-align: center; }
  .chart h2 { text-align: left; }
  footer { margin-top: 24px; font-size: 11px; color: #777; border-top: 1px solid #ddd; padding-top: 8px; }
  @page { size: A4 landscape; margin: 12mm; }
  @media print {
    body { background: #fff; }
    .bulletin { max-width: none; padding: 0; }
    section { page-break-inside: avoid; break-inside: avoid; }
    th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  }
`;

/**
 * The whole page (also the email body), in one language: Chinese (the default)
 * says nothing in English, the English page nothing in Chinese but names.
 * Times in Beijing time; no internal data version.
 */
export function renderBulletinHtml(d: BulletinData, lang: ExportLang = 'zh'): string {
  const zh = lang === 'zh';
  const title = zh ? `关于${d.campaign.name}推进情况的通报` : `Progress bulletin: ${d.campaign.name}`;
  const tables = bulletinTables(d, lang).filter((t) => t.key !== 'overview');
  const issue = zh ? d.label : d.label.replace(/第(\d+)期（临时）/, 'No. $1 (on demand)').replace(/第(\d+)期/, 'No. $1');
  const meta = zh
    ? `通报周期：${one(d.period.label, 'zh')} · 发布时间：${formatTime(d.issuedAt)} · 数据截至：${formatTime(d.asOf)} · 当前阶段：${one(d.campaign.phaseLabel, 'zh')}`
    : `Period: ${one(d.period.label, 'en')} · Issued: ${timeIn(d.issuedAt, 'en')} · Data as of: ${timeIn(d.asOf, 'en')} · Phase: ${one(d.campaign.phaseLabel, 'en')}`;
  const footer = zh
    ? `本通报由系统根据实名会员记录、项目进展、网上入会和审批数据生成，为发布时的数据快照，发布后不再更改。统计起点：${formatDate(d.since)}；数据截至：${formatTime(d.asOf)}。`
    : `Generated from real-name member records, project progress, online applications and approvals; a snapshot at issue, never changed afterwards. Counted since ${beijingTime(d.since).slice(0, 10)}; data as of ${timeIn(d.asOf, 'en')}.`;
  return `<!DOCTYPE html>
<html lang="${zh ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(zh ? `${title}（${d.label}）` : `${title} (${issue})`)}</title>
<style>${STYLE}</style>
</head>
<body>
<main class="bulletin">
<header>
<p class="issuer">${escapeHtml(d.campaign.cityName)}</p>
<h1>${escapeHtml(title)}</h1>
<p class="no">${escapeHtml(issue)}</p>
<p class="meta">${escapeHtml(meta)}</p>
</header>
${summary(d, lang)}
<section class="chart"><h2>${escapeHtml(one('各地区新增会员完成率 / Completion by region', lang))}</h2>${completionBarChart(d, lang)}</section>
<section class="chart"><h2>${escapeHtml(one('历次通报全市完成率趋势 / Completion over the bulletins so far', lang))}</h2>${trendLineChart(d, lang)}</section>
${tables.map((t) => tableHtml(t, lang)).join('\n')}
<footer>${escapeHtml(footer)}</footer>
</main>
</body>
</html>
`;
}

/** The email's subject: 【通报】… (第N期) / Progress bulletin No. N */
export function bulletinSubject(d: BulletinData): string {
  return `【通报】${d.campaign.name}推进情况（${d.label}）/ Progress bulletin No. ${d.seq}`;
}

/** A plain-text alternative for mail clients that show no HTML. */
export function bulletinText(d: BulletinData): string {
  const t = d.totals;
  const lines = [
    `${d.campaign.cityName}`,
    `关于${d.campaign.name}推进情况的通报（${d.label}）`,
    `数据截至 ${formatTime(d.asOf)}`,
    '',
    `全市新增会员 ${formatInt(t.members.count)} 人，完成率 ${formatPct(t.completion)}；新建工会 ${formatInt(t.unions.established)} 个；网上入会申请 ${formatInt(t.online.received)} 件（待审批 ${formatInt(t.online.pending)} 件）。`,
    '',
    '各地区排名：',
    ...d.ranking.map((r) => `${r.rank}. ${r.name}  ${formatPct(r.completion)}  (${formatInt(r.members)} / ${formatInt(r.target)})`),
  ];
  return lines.join('\n');
}
