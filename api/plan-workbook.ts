/**
 * The city's 项目清单+责任制 行动计划 as an Excel workbook, in the seed's shape: a 汇总 sheet (per region and per
 * target group, with totals) and one sheet per region with its two lists — 建会入会项目清单 (name, type, groups,
 * location, planned members, responsible unit, completion date) and 维护服务项目清单 (name, type, responsible
 * unit, date, planned coverage) — each closed by a 合计 row. Totals are written as numbers, never formulas, and
 * every text cell that a spreadsheet would read as a formula is guarded with a leading apostrophe.
 */
import ExcelJS from 'exceljs';
import type { CampaignPlan } from '../domain/campaign-plan';

export const ORGANIZING_COLUMNS = ['序号', '项目名称', '项目类型', '重点群体', '地点', '拟发展会员数', '责任单位', '完成时间'];
export const SERVICE_COLUMNS = ['序号', '项目名称', '项目类型', '责任单位', '实施时间', '拟覆盖职工人数'];
export const SUMMARY_COLUMNS = ['地区', '建会入会项目数', '拟发展会员数', '维护服务项目数', '拟覆盖职工人数'];

type Cell = string | number | null;

/** A text that Excel or WPS would take for a formula (=, +, -, @, tab, CR) is stored with a leading apostrophe. */
export const guard = (c: Cell): Cell => (typeof c === 'string' && /^[=+\-@\t\r]/.test(c) ? `'${c}` : c);

/** A sheet name Excel accepts: at most 31 characters, none of \ / ? * [ ] :, unique in the workbook. */
function sheetName(name: string, taken: Set<string>): string {
  const base = name.replace(/[\\/?*[\]:]/g, '_').slice(0, 28) || '地区';
  let n = base;
  for (let i = 2; taken.has(n); i++) n = `${base}(${i})`;
  taken.add(n);
  return n;
}

export async function planWorkbook(p: {
  title: string;
  cityName: string;
  revisionLabel: string;
  plan: CampaignPlan;
  groupName: (id: string) => string;
}): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.title = p.title;
  const taken = new Set<string>(['汇总']);
  const bold = { bold: true };
  const add = (ws: ExcelJS.Worksheet, cells: Cell[]) => ws.addRow(cells.map(guard));

  const sum = wb.addWorksheet('汇总');
  add(sum, [p.title]).font = { bold: true, size: 14 };
  add(sum, [`报送单位：${p.cityName}，${p.revisionLabel}`]);
  add(sum, []);
  add(sum, ['一、各地区项目汇总']).font = bold;
  add(sum, SUMMARY_COLUMNS).font = bold;
  for (const r of p.plan.regions) add(sum, [r.name, r.totals.organizing, r.totals.plannedMembers, r.totals.service, r.totals.plannedCoverage]);
  add(sum, ['合计', p.plan.totals.organizing, p.plan.totals.plannedMembers, p.plan.totals.service, p.plan.totals.plannedCoverage]).font = bold;
  add(sum, []);
  add(sum, ['二、按重点群体（拟发展会员数；一个项目涉及多个群体时分别计入）']).font = bold;
  add(sum, ['重点群体', ...p.plan.regions.map((r) => r.name), '项目数', '合计']).font = bold;
  for (const g of p.plan.groups) add(sum, [g.name, ...p.plan.regions.map((r) => g.byRegion[r.org]?.plannedMembers ?? 0), g.projects, g.plannedMembers]);
  sum.getColumn(1).width = 24;
  for (let i = 2; i <= Math.max(6, p.plan.regions.length + 3); i++) sum.getColumn(i).width = 16;

  for (const r of p.plan.regions) {
    const ws = wb.addWorksheet(sheetName(r.name, taken));
    add(ws, [`${r.name}“项目清单+责任制”行动计划`]).font = { bold: true, size: 13 };
    add(ws, []);
    add(ws, ['一、建会入会项目清单']).font = bold;
    add(ws, ORGANIZING_COLUMNS).font = bold;
    r.organizing.forEach((x, i) =>
      add(ws, [i + 1, x.name, x.typeLabel, x.groups.map(p.groupName).join('、'), x.location ?? '', x.plannedMembers, x.responsibleUnit, x.dueDate ?? '']),
    );
    add(ws, ['合计', `${r.totals.organizing} 个项目`, '', '', '', r.totals.plannedMembers, '', '']).font = bold;
    add(ws, []);
    add(ws, ['二、维护服务项目清单']).font = bold;
    add(ws, SERVICE_COLUMNS).font = bold;
    r.service.forEach((x, i) => add(ws, [i + 1, x.name, x.typeLabel, x.responsibleUnit, x.dueDate ?? '', x.plannedCoverage]));
    add(ws, ['合计', `${r.totals.service} 个项目`, '', '', '', r.totals.plannedCoverage]).font = bold;
    [6, 36, 18, 20, 20, 14, 24, 14].forEach((w, i) => (ws.getColumn(i + 1).width = w));
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
