/**
 * A bulletin (通报) as tables: the one model the HTML page, the CSV and the
 * workbook (one sheet per table) are rendered from, so every format shows the
 * same figures under the same Chinese-first headers. Pure.
 */
import { beijingDate, beijingTime } from './beijing-time';
import { PROJECT_STATUSES, PROJECT_STATUS_EN, PROJECT_STATUS_LABELS, type BulletinData } from './bulletin';
import { RECTIFICATION_STATUS_LABELS, SEVERITY_LABELS, type RectificationStatus, type Severity } from './rectification';
import { labelParts } from './campaign';

/** The language of an export: the Chinese one says nothing in English, the English one nothing in Chinese it can avoid. */
export type ExportLang = 'zh' | 'en';

export type Cell =
  | { t: 'text'; v: string }
  | { t: 'int'; v: number }
  /** A percentage, e.g. 45.2 for 45.2 %; null when there is no target. */
  | { t: 'pct'; v: number | null }
  /** A signed change in a count. */
  | { t: 'delta'; v: number | null }
  /** A change in percentage points. */
  | { t: 'pts'; v: number | null };

export interface Table {
  key: 'overview' | 'regions' | 'projects' | 'groups' | 'matrix' | 'ranking' | 'changes' | 'trend' | 'rectifications';
  title: string;
  /** Worksheet name: at most 31 characters, none of / \ ? * [ ] : */
  sheet: string;
  columns: string[];
  rows: Cell[][];
  /** The total row, set apart in the HTML and the workbook. */
  total?: Cell[];
  note?: string;
}

export const TABLE_KEYS: Table['key'][] = ['overview', 'regions', 'projects', 'groups', 'matrix', 'ranking', 'changes', 'trend', 'rectifications'];

const text = (v: string): Cell => ({ t: 'text', v });
const int = (v: number): Cell => ({ t: 'int', v });
const pct = (v: number | null): Cell => ({ t: 'pct', v });
const delta = (v: number | null): Cell => ({ t: 'delta', v });
const pts = (v: number | null): Cell => ({ t: 'pts', v });

/** The tables in one language (Chinese by default): titles, headers, notes and labels, times in Beijing time. */
export function bulletinTables(d: BulletinData, lang: ExportLang = 'zh'): Table[] {
  const one = (label: string) => labelParts(label)[lang];
  return bilingualTables(d).map((t) => ({
    ...t,
    title: one(t.title),
    // "概况 Overview": the Chinese name before the first space, the English after it.
    sheet: lang === 'zh' ? t.sheet.split(' ')[0]! : t.sheet.slice(t.sheet.indexOf(' ') + 1),
    columns: t.columns.map(one),
    rows: t.rows.map((r) => r.map((c) => (c.t === 'text' ? text(one(c.v)) : c))),
    ...(t.total ? { total: t.total.map((c) => (c.t === 'text' ? text(one(c.v)) : c)) } : {}),
    ...(t.note ? { note: one(t.note) } : {}),
  }));
}

function bilingualTables(d: BulletinData): Table[] {
  const regionRow = (r: Pick<BulletinData['regions'][number], 'unions' | 'members' | 'online'> & { name: string }): Cell[] => [
    text(r.name),
    int(r.unions.established),
    int(r.unions.planned),
    int(r.unions.target),
    pct(r.unions.pct),
    int(r.members.count),
    int(r.members.viaProjects),
    int(r.members.online),
    int(r.members.target),
    pct(r.members.pct),
    int(r.members.pending ?? 0),
    int(r.online.received),
    int(r.online.approved),
    int(r.online.pending),
  ];
  const projectRow = (r: Pick<BulletinData['regions'][number], 'projects' | 'overdue' | 'rectifying' | 'ledger'> & { name: string }): Cell[] => [
    text(r.name),
    int(r.projects.total),
    ...PROJECT_STATUSES.map((s) => int(r.projects.byStatus[s])),
    int(r.overdue.deliverables),
    int(r.overdue.approvals),
    int(r.rectifying),
    int(r.ledger.targets),
    int(r.ledger.crossedOff),
  ];
  const changes = d.changes;
  return [
    {
      key: 'overview',
      title: '通报概况 / Overview',
      sheet: '概况 Overview',
      columns: ['项目 / Item', '内容 / Value'],
      rows: [
        [text('行动 / Campaign'), text(d.campaign.name)],
        [text('发布单位 / Issued by'), text(d.campaign.cityName)],
        [text('期号 / Issue'), text(d.label)],
        [text('通报周期 / Period'), text(d.period.label)],
        [text('发布时间 / Issued at'), text(beijingTime(d.issuedAt))],
        [text('数据截至 / Data as of'), text(beijingTime(d.asOf))],
        [text('统计起点 / Counted since'), text(beijingDate(d.since))],
        [text('所处阶段 / Phase'), text(d.campaign.phaseLabel)],
        [text('新增会员 / New members'), int(d.totals.members.count)],
        [text('待核验会员（不计入） / Members pending verification (not counted)'), int(d.totals.members.pending ?? 0)],
        [text('会员目标 / Member target'), int(d.totals.members.target)],
        [text('完成率 / Completion (%)'), pct(d.totals.completion)],
        [text('新建工会 / Unions established'), int(d.totals.unions.established)],
        [text('网上入会申请 / Online applications'), int(d.totals.online.received)],
        [text('逾期事项 / Overdue deliverables'), int(d.totals.overdue.deliverables)],
        [text('超时审批 / Approvals past their limit'), int(d.totals.overdue.approvals)],
        [text('整改中项目 / Rectifications open'), int(d.totals.rectifying)],
      ],
    },
    {
      key: 'regions',
      title: '一、分地区建会入会进展 / Unions and members by region',
      sheet: '分地区 By region',
      columns: [
        '地区 / Region',
        '新建工会 / Unions established',
        '计划建会 / Planned unions',
        '建会目标 / Union target',
        '建会完成率(%) / Unions vs plan (%)',
        '新增会员 / New members',
        '其中项目发展 / via projects',
        '其中网上入会 / joined online',
        '会员目标 / Member target',
        '会员完成率(%) / Members vs target (%)',
        '待核验会员 / Members pending verification',
        '网上入会申请 / Online applications',
        '已批准 / Approved',
        '待审批 / Pending',
      ],
      rows: d.regions.map(regionRow),
      total: regionRow(d.totals),
    },
    {
      key: 'projects',
      title: '二、项目推进与督办 / Projects, overdue work and rectification',
      sheet: '项目与督办 Projects',
      columns: [
        '地区 / Region',
        '项目总数 / Projects',
        ...PROJECT_STATUSES.map((s) => `${PROJECT_STATUS_LABELS[s]} / ${PROJECT_STATUS_EN[s]}`),
        '逾期事项 / Overdue deliverables',
        '超时审批 / Approvals past limit',
        '整改中 / Rectifications open',
        '挂号企业 / Ledger targets',
        '已销号 / Crossed off',
      ],
      rows: d.regions.map(projectRow),
      total: projectRow(d.totals),
    },
    {
      key: 'groups',
      title: '三、分重点群体进展 / Progress by target group',
      sheet: '分群体 By group',
      columns: [
        '重点群体 / Target group',
        '新增会员 / New members',
        '计划发展 / Planned members',
        '完成率(%) / vs plan (%)',
        '网上入会申请 / Online applications',
        '已批准 / Approved',
        '待审批 / Pending',
        '建会项目 / Projects',
      ],
      rows: d.byGroup.map((g) => [
        text(g.name),
        int(g.members),
        int(g.plannedMembers),
        pct(g.pct),
        int(g.online.received),
        int(g.online.approved),
        int(g.online.pending),
        int(g.projects),
      ]),
    },
    {
      key: 'matrix',
      title: '四、分地区分群体新增会员 / New members by region and group',
      sheet: '地区×群体 Region x group',
      columns: ['地区 / Region', ...d.groups.map((g) => g.name), '合计 / Total'],
      rows: d.regions.map((r) => [text(r.name), ...d.groups.map((g) => int(r.byGroup[g.id]?.members ?? 0)), int(r.members.count)]),
      total: [
        text(d.totals.name),
        ...d.groups.map((g) => int(d.regions.reduce((n, r) => n + (r.byGroup[g.id]?.members ?? 0), 0))),
        int(d.totals.members.count),
      ],
    },
    {
      key: 'ranking',
      title: '五、各地区完成情况排名 / Ranking by completion',
      sheet: '排名 Ranking',
      columns: [
        '名次 / Rank',
        '地区 / Region',
        '完成率(%) / Completion (%)',
        '新增会员 / New members',
        '会员目标 / Target',
        '上期名次 / Previous rank',
        '名次变化 / Places moved',
      ],
      rows: d.ranking.map((r) => [
        int(r.rank),
        text(r.name),
        pct(r.completion),
        int(r.members),
        int(r.target),
        r.previousRank === null ? text('—') : int(r.previousRank),
        delta(r.rankChange),
      ]),
      note: '按新增会员完成率排名，相同者按建会完成率 / ranked by new members against target, then unions',
    },
    {
      key: 'changes',
      title: changes
        ? `六、较上期（${changes.previous.label}）变化 / Change since the previous bulletin`
        : '六、较上期变化 / Change since the previous bulletin',
      sheet: '较上期 Change',
      columns: [
        '地区 / Region',
        '新增会员 / New members',
        '新建工会 / Unions',
        '网上入会申请 / Applications',
        '已批准 / Approved',
        '完成率变化(百分点) / Completion (pts)',
        '名次变化 / Places moved',
      ],
      rows: changes
        ? changes.regions.map((c) => [
            text(c.name),
            delta(c.members),
            delta(c.unions),
            delta(c.applications),
            delta(c.approved),
            pts(c.completionPts),
            delta(c.rankChange),
          ])
        : [],
      total: changes
        ? [
            text(d.totals.name),
            delta(changes.totals.members),
            delta(changes.totals.unions),
            delta(changes.totals.applications),
            delta(changes.totals.approved),
            pts(changes.totals.completionPts),
            delta(null),
          ]
        : undefined,
      note: changes ? undefined : '本期为首期通报，无上期数据 / the first bulletin: nothing to compare with',
    },
    {
      key: 'trend',
      title: '七、历次通报趋势 / Trend over the bulletins so far',
      sheet: '趋势 Trend',
      columns: ['期号 / Issue', '发布时间 / Issued at', '新增会员 / New members', '新建工会 / Unions established', '完成率(%) / Completion (%)'],
      rows: d.trend.map((p) => [text(p.label), text(beijingTime(p.issuedAt)), int(p.members), int(p.unions), pct(p.completion)]),
    },
    {
      key: 'rectifications',
      title: '八、各地区未完成整改事项 / Open rectifications by region',
      sheet: '整改事项 Rectifications',
      columns: [
        '地区 / Region',
        '未完成 / Open',
        '其中逾期 / Overdue',
        '项目 / Project',
        '检查发现问题 / Finding',
        '严重程度 / Severity',
        '整改期限 / Deadline',
        '状态 / Status',
      ],
      rows: (d.rectifications ?? []).flatMap((r) =>
        r.items.length
          ? r.items.map((x, i) => [
              text(r.name),
              i === 0 ? int(r.open) : text(''),
              i === 0 ? int(r.overdue) : text(''),
              text(x.project),
              text(x.finding),
              text(SEVERITY_LABELS[x.severity as Severity] ?? x.severity),
              text(x.deadline),
              text(statusText(x.status, x.overdue)),
            ])
          : [[text(r.name), int(0), int(0), text('—'), text('—'), text('—'), text('—'), text('—')]],
      ),
      total: d.rectifications
        ? [
            text(d.totals.name),
            int(d.rectifications.reduce((n, r) => n + r.open, 0)),
            int(d.rectifications.reduce((n, r) => n + r.overdue, 0)),
            text(''),
            text(''),
            text(''),
            text(''),
            text(''),
          ]
        : undefined,
      note: d.rectifications
        ? '检查发现问题限期整改，报整改完成并经市总验收后销号 / rectifications close once reported done and accepted by the city'
        : '本期通报早于整改事项统计 / this bulletin predates rectification tracking',
    },
  ];
}

/** "待整改（逾期） / open (overdue)": the item's status in both languages, overdue said in each. */
function statusText(status: string, overdue: boolean): string {
  const [zh = status, en = status] = (RECTIFICATION_STATUS_LABELS[status as RectificationStatus] ?? status).split(' / ');
  return overdue ? `${zh}（逾期） / ${en} (overdue)` : `${zh} / ${en}`;
}
