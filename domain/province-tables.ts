/**
 * A province bulletin (全省通报) as tables — cities, ranking, campaigns, each
 * city's configuration — the one model its HTML page, CSV and workbook are
 * rendered from (as domain/bulletin-tables.ts is for a city's bulletin). Pure.
 */
import type { Cell, ExportLang } from './bulletin-tables';
import { labelParts } from './campaign';
import type { ProvinceBulletinData } from './province';

export interface ProvinceTable {
  key: 'cities' | 'ranking' | 'campaigns' | 'configuration';
  title: string;
  sheet: string;
  columns: string[];
  rows: Cell[][];
  total?: Cell[];
  note?: string;
}

export const PROVINCE_TABLE_KEYS: ProvinceTable['key'][] = ['cities', 'ranking', 'campaigns', 'configuration'];

const text = (v: string): Cell => ({ t: 'text', v });
const int = (v: number): Cell => ({ t: 'int', v });
const pct = (v: number | null): Cell => ({ t: 'pct', v });

/** The tables in one language (Chinese by default). */
export function provinceTables(d: ProvinceBulletinData, lang: ExportLang = 'zh'): ProvinceTable[] {
  const one = (label: string) => labelParts(label)[lang];
  return bilingual(d).map((t) => ({
    ...t,
    title: one(t.title),
    sheet: lang === 'zh' ? t.sheet.split(' ')[0]! : t.sheet.slice(t.sheet.indexOf(' ') + 1),
    columns: t.columns.map(one),
    rows: t.rows.map((r) => r.map((c) => (c.t === 'text' ? text(one(c.v)) : c))),
    ...(t.total ? { total: t.total.map((c) => (c.t === 'text' ? text(one(c.v)) : c)) } : {}),
    ...(t.note ? { note: one(t.note) } : {}),
  }));
}

function bilingual(d: ProvinceBulletinData): ProvinceTable[] {
  const o = d.overview;
  const cities: ProvinceTable = {
    key: 'cities',
    title: '各市完成情况 / Completion by city',
    sheet: '各市 Cities',
    columns: [
      '城市 / City',
      '行动数 / Campaigns',
      '新增会员 / New members',
      '会员目标 / Member target',
      '完成率 / Completion',
      '建会数 / Unions established',
      '建会目标 / Union target',
      '建会完成率 / Unions %',
      '逾期事项 / Overdue items',
      '督办 / Supervision',
      '问责 / Accountability',
      '超时审批 / Approvals past limit',
    ],
    rows: o.cities.map((c) => [
      text(c.name),
      int(c.campaigns),
      int(c.members.count),
      int(c.members.target),
      pct(c.members.pct),
      int(c.unions.established),
      int(c.unions.target),
      pct(c.unions.pct),
      int(c.overdue.items),
      int(c.overdue.supervision),
      int(c.overdue.accountability),
      int(c.overdue.approvalsPastLimit),
    ]),
    total: [
      text('全省合计 / province total'),
      int(o.totals.campaigns),
      int(o.totals.members.count),
      int(o.totals.members.target),
      pct(o.totals.members.pct),
      int(o.totals.unions.established),
      int(o.totals.unions.target),
      pct(o.totals.unions.target > 0 ? Math.round((o.totals.unions.established / o.totals.unions.target) * 1000) / 10 : null),
      int(o.totals.overdue.items),
      int(o.totals.overdue.supervision),
      int(o.totals.overdue.accountability),
      int(o.totals.overdue.approvalsPastLimit),
    ],
    note: '会员与建会按各市通报的口径统计；督办、问责为尚未解决的逾期事项 / members and unions are counted as in each city’s bulletin; supervision and accountability are unresolved overdue items',
  };
  const ranking: ProvinceTable = {
    key: 'ranking',
    title: '各市排名 / Ranking of the cities',
    sheet: '排名 Ranking',
    columns: ['名次 / Rank', '城市 / City', '完成率 / Completion', '新增会员 / New members', '会员目标 / Member target', '建会完成率 / Unions %'],
    rows: o.ranking.map((r) => [int(r.rank), text(r.name), pct(r.completion), int(r.members), int(r.target), pct(r.unionsPct)]),
    note: '按新增会员完成率排名，其次建会完成率；本年度无行动的城市不参加排名 / ranked by member completion, then unions; cities without a campaign this year are not ranked',
  };
  const campaigns: ProvinceTable = {
    key: 'campaigns',
    title: '各市行动 / Campaigns of the cities',
    sheet: '行动 Campaigns',
    columns: [
      '城市 / City',
      '行动 / Campaign',
      '阶段 / Phase',
      '参与地区 / Regions',
      '新增会员 / New members',
      '会员目标 / Member target',
      '完成率 / Completion',
      '建会数 / Unions established',
      '逾期事项 / Overdue items',
      '督办 / Supervision',
      '问责 / Accountability',
    ],
    rows: o.campaigns.map((c) => [
      text(c.cityName),
      text(c.name),
      text(c.phaseLabel),
      int(c.regions),
      int(c.members.count),
      int(c.members.target),
      pct(c.members.pct),
      int(c.unions.established),
      int(c.overdue.items),
      int(c.overdue.supervision),
      int(c.overdue.accountability),
    ]),
    note: '本年度暂无行动 / no campaign this year',
  };
  const configuration: ProvinceTable = {
    key: 'configuration',
    title: '各市行动配置 / Each city’s configuration',
    sheet: '配置 Configuration',
    columns: [
      '城市 / City',
      '行动 / Campaign',
      '重点群体及负责产业工会 / Groups and their industry unions',
      '会员目标 / Member target',
      '建会目标 / Union target',
    ],
    rows: o.cities.flatMap((c) =>
      c.configuration.map((k) => [
        text(c.name),
        text(k.campaignName),
        text(k.groups.map((g) => `${g.name}${g.industryUnion ? `（${g.industryUnion}）` : ''}`).join('、')),
        int(k.targets.newMembers),
        int(k.targets.newUnions),
      ]),
    ),
    note: '本年度暂无行动 / no campaign this year',
  };
  return [cities, ranking, campaigns, configuration];
}
