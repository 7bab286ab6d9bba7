/**
 * Progress bulletins (通报): the city issues one every reporting period during
 * the implementation phase (推进实施; every two months by default) so that
 * supervisors (督办) see each region's progress and its rank. Pure and
 * deterministic — the bulletin workflow imports the period arithmetic — so
 * no clock, no environment, no Node built-ins here.
 *
 * A bulletin is an immutable snapshot: the figures (from SQL aggregates over
 * the projections) are composed here into per-region and per-group tables,
 * the ranking by completion, the change since the previous bulletin and the
 * trend over all bulletins so far, and stored as one JSON document.
 */
import { BEIJING_OFFSET_MS } from './beijing-time';
import { durationToMs, isValidDuration, MS_PER_DAY } from './duration';

/**
 * The reporting period (通报周期). The launch form offers calendar periods —
 * `P1M` 每月, `P2M` 每两个月 (the default), `P3M` 每季度 — and `P1W` 每周,
 * `P2W` 每两周; any other working duration the API accepted before (`P60D`,
 * `PT3S` in tests, milliseconds) still means a fixed length. A calendar
 * period ends on the same day of the month, in Beijing time, one, two or
 * three months on (the 31st ends on the month's last day when it has none).
 */
export const DEFAULT_REPORT_EVERY = 'P2M';

/** Project statuses, in the order the tables show them. */
export const PROJECT_STATUSES = ['proposed', 'approved', 'in_progress', 'rectifying', 'qualified', 'unqualified'] as const;
export type BulletinProjectStatus = (typeof PROJECT_STATUSES)[number];

export const PROJECT_STATUS_LABELS: Record<BulletinProjectStatus, string> = {
  proposed: '待批复',
  approved: '已批复',
  in_progress: '实施中',
  rectifying: '整改中',
  qualified: '已合格',
  unqualified: '不合格',
};

export const PROJECT_STATUS_EN: Record<BulletinProjectStatus, string> = {
  proposed: 'Proposed',
  approved: 'Approved',
  in_progress: 'In progress',
  rectifying: 'Rectifying',
  qualified: 'Qualified',
  unqualified: 'Unqualified',
};

/** The periods the launch form offers, in words. */
export const REPORT_PERIODS = [
  { value: 'P1W', label: '每周 / weekly' },
  { value: 'P2W', label: '每两周 / every two weeks' },
  { value: 'P1M', label: '每月 / monthly' },
  { value: 'P2M', label: '每两个月 / every two months' },
  { value: 'P3M', label: '每季度 / quarterly' },
] as const;

const CALENDAR_PERIOD = /^P([1-9]|1[0-2])M$/;

/** A period's length: whole calendar months, or a fixed number of milliseconds. */
export type ReportEvery = number | { months: number };

/** The calendar months of a `P<n>M` period (1–12), else undefined. */
export function reportEveryMonths(reportEvery: string | number | undefined): number | undefined {
  const m = typeof reportEvery === 'string' ? CALENDAR_PERIOD.exec(reportEvery.trim().toUpperCase()) : null;
  return m ? Number(m[1]) : undefined;
}

/** Whether the API accepts this as a report period: a calendar period `P1M`…`P12M`, or a working duration. */
export function isValidReportEvery(v: unknown): boolean {
  return (typeof v === 'string' && reportEveryMonths(v) !== undefined) || isValidDuration(v);
}

/** A period's nominal length in ms (a month counts 30 days): for windows and notes, never for period bounds. */
export function reportEveryMs(reportEvery: string | number | undefined): number {
  const months = reportEveryMonths(reportEvery ?? DEFAULT_REPORT_EVERY);
  if (months) return months * 30 * MS_PER_DAY;
  const ms = durationToMs(reportEvery ?? DEFAULT_REPORT_EVERY);
  return Math.max(1000, Math.round(ms / 1000) * 1000);
}

/** The period as the schedule counts it: calendar months, or fixed milliseconds. */
export function reportEvery(reportEvery: string | number | undefined): ReportEvery {
  const months = reportEveryMonths(reportEvery ?? DEFAULT_REPORT_EVERY);
  return months ? { months } : reportEveryMs(reportEvery);
}

const DAY_WORDS: Record<number, string> = { 1: '每天', 7: '每周', 14: '每两周', 30: '每30天', 60: '每60天', 90: '每90天' };
const MONTH_WORDS: Record<number, [string, string]> = {
  1: ['每月', 'monthly'],
  2: ['每两个月', 'every two months'],
  3: ['每季度', 'quarterly'],
  6: ['每半年', 'every six months'],
  12: ['每年', 'yearly'],
};

/** The period in words, bilingual ("每两个月 / every two months"): never an ISO duration. */
export function reportEveryLabel(v: string | number | undefined): string {
  const months = reportEveryMonths(v ?? DEFAULT_REPORT_EVERY);
  if (months) {
    const w = MONTH_WORDS[months];
    return w ? `${w[0]} / ${w[1]}` : `每${months}个月 / every ${months} months`;
  }
  let ms: number;
  try {
    ms = durationToMs(v ?? DEFAULT_REPORT_EVERY);
  } catch {
    return '—';
  }
  if (ms % MS_PER_DAY === 0) {
    const days = ms / MS_PER_DAY;
    if (days % 7 === 0 && days <= 28) return days === 7 ? '每周 / weekly' : `${DAY_WORDS[days] ?? `每${days / 7}周`} / every ${days / 7} weeks`;
    return `${DAY_WORDS[days] ?? `每${days}天`} / every ${days} days`;
  }
  if (ms % 3_600_000 === 0) return `每${ms / 3_600_000}小时 / every ${ms / 3_600_000} hours`;
  if (ms % 60_000 === 0) return `每${ms / 60_000}分钟 / every ${ms / 60_000} minutes`;
  return `每${Math.round(ms / 1000)}秒 / every ${Math.round(ms / 1000)} seconds`;
}

/** When a schedule is anchored: the phase's opening time, truncated to the second. */
export function scheduleAnchor(openedAtMs: number): number {
  return Math.floor(openedAtMs / 1000) * 1000;
}

/** `ms` moved `months` calendar months on, in Beijing time, the day clamped to the month's last. */
export function addMonthsBeijing(ms: number, months: number): number {
  const local = new Date(ms + BEIJING_OFFSET_MS);
  const y = local.getUTCFullYear();
  const m = local.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const moved = Date.UTC(
    y,
    m,
    Math.min(local.getUTCDate(), lastDay),
    local.getUTCHours(),
    local.getUTCMinutes(),
    local.getUTCSeconds(),
    local.getUTCMilliseconds(),
  );
  return moved - BEIJING_OFFSET_MS;
}

/** Period k (k ≥ 0) ends here: anchor + k·every, or k·n calendar months after the anchor. */
export function periodEnd(anchorMs: number, every: ReportEvery, k: number): number {
  return typeof every === 'number' ? anchorMs + k * every : addMonthsBeijing(anchorMs, k * every.months);
}

/** The largest k with periodEnd(k) ≤ atMs (calendar periods; at most a few hundred steps). */
function lastEndedBy(anchorMs: number, months: number, atMs: number): number {
  let k = 0;
  while (k < 10_000 && addMonthsBeijing(anchorMs, (k + 1) * months) <= atMs) k++;
  return k;
}

/**
 * The number of the latest period that has ended at `atMs` (1-based; 0 when
 * none has). A schedule fires at the end of period k; a little tolerance
 * absorbs a firing recorded a moment early.
 */
export function periodIndexAt(anchorMs: number, every: ReportEvery, atMs: number): number {
  if (typeof every !== 'number') return lastEndedBy(anchorMs, every.months, atMs + 60_000);
  const tolerance = Math.min(every / 10, 60_000);
  return Math.max(0, Math.floor((atMs - anchorMs + tolerance) / every));
}

/** Period k runs from the end of period k-1 to its own end. */
export function periodBounds(anchorMs: number, every: ReportEvery, index: number): { start: string; end: string } {
  return { start: new Date(periodEnd(anchorMs, every, index - 1)).toISOString(), end: new Date(periodEnd(anchorMs, every, index)).toISOString() };
}

/** The Temporal Schedule of a campaign's bulletins (one per campaign). */
export const bulletinScheduleId = (campaignId: string) => `bulletins-${campaignId}`;

/** The last period that ends within the phase (a firing exactly at the end still counts). */
export function lastPeriodIndex(anchorMs: number, every: ReportEvery, endMs: number): number {
  if (typeof every !== 'number') return lastEndedBy(anchorMs, every.months, endMs + 1000);
  return Math.max(0, Math.floor((endMs - anchorMs + 1000) / every));
}

/** The stored key of a scheduled period: unique per campaign (never two bulletins for one period). */
export const scheduledPeriodKey = (index: number) => `P${index}`;
/** The stored key of an on-demand issue: one per request (its Idempotency-Key, or a fresh id). */
export const onDemandPeriodKey = (requestKey: string) => `adhoc:${requestKey}`;

export type BulletinKind = 'scheduled' | 'on_demand';

export interface BulletinPeriod {
  key: string;
  kind: BulletinKind;
  /** Scheduled bulletins: the period number and its bounds. */
  index?: number;
  start?: string;
  end?: string;
}

// ---- The raw figures the SQL aggregates return ---------------------------------------------

export interface OnlineCounts {
  received: number;
  approved: number;
  pending: number;
  rejected: number;
  withdrawn: number;
}

export interface RawRegion {
  org: string;
  name: string;
  targetMembers: number;
  targetUnions: number;
  overdueDeliverables: number;
}

export interface RawFigures {
  campaign: { id: string; name: string; year: number; cityOrg: string; cityName: string; phase: string; groups: string[] };
  /** Members and online applications count from here (the campaign's start). */
  since: string;
  asOf: string;
  dataVersion: string;
  regions: RawRegion[];
  groupNames: Record<string, string>;
  /** Per region and group (group null when unknown). */
  members: { region: string; group: string | null; count: number; online: number }[];
  applications: ({ region: string; group: string | null } & OnlineCounts)[];
  projects: {
    region: string;
    status: string;
    count: number;
    unionsEstablished: number;
    plannedUnions: number;
    plannedMembers: number;
    /** Reported members waiting for real-name verification (absent in figures read before it existed). */
    membersPending?: number;
  }[];
  projectGroups: { group: string; count: number; plannedMembers: number }[];
  ledger: { region: string; targets: number; crossedOff: number }[];
  overdueApprovals: { region: string; count: number }[];
  /** 整改事项 still to act on (open, reported, sent back), oldest deadline first. Absent in figures read before issue 16. */
  rectifications?: RawRectification[];
}

export interface RawRectification {
  region: string;
  project: string;
  finding: string;
  severity: string;
  /** YYYY-MM-DD */
  deadline: string;
  status: string;
}

/** The bulletin's section of open rectifications per region (整改事项): counts and the items, overdue flagged. */
export interface RectificationSection {
  org: string;
  name: string;
  open: number;
  overdue: number;
  items: (Omit<RawRectification, 'region'> & { overdue: boolean })[];
}

// ---- The stored bulletin -------------------------------------------------------------------

export interface RegionFigures {
  org: string;
  name: string;
  unions: { established: number; planned: number; target: number; pct: number | null };
  /** Verified members only; `pending`: reported, waiting for real-name verification (待核验; absent in bulletins issued before it). */
  members: { count: number; viaProjects: number; online: number; target: number; pct: number | null; pending?: number };
  online: OnlineCounts;
  projects: { total: number; byStatus: Record<BulletinProjectStatus, number> };
  ledger: { targets: number; crossedOff: number };
  overdue: { deliverables: number; approvals: number };
  rectifying: number;
  /** Completion (完成率) used for the ranking: new members against the target, in %. */
  completion: number;
  byGroup: Record<string, { members: number; applications: number }>;
}

export interface GroupFigures {
  id: string;
  name: string;
  members: number;
  online: OnlineCounts;
  projects: number;
  plannedMembers: number;
  /** New members against the planned members of the approved projects for this group, in %. */
  pct: number | null;
}

export interface RankingRow {
  rank: number;
  org: string;
  name: string;
  completion: number;
  members: number;
  target: number;
  previousRank: number | null;
  /** Places moved up since the previous bulletin (negative: down). */
  rankChange: number | null;
}

export interface ChangeRow {
  org: string;
  name: string;
  members: number;
  unions: number;
  applications: number;
  approved: number;
  completionPts: number;
  rankChange: number | null;
}

export interface BulletinChanges {
  previous: { id: string; seq: number; issuedAt: string; label: string };
  totals: Omit<ChangeRow, 'org' | 'name' | 'rankChange'>;
  regions: ChangeRow[];
}

export interface TrendPoint {
  seq: number;
  label: string;
  issuedAt: string;
  members: number;
  unions: number;
  completion: number;
}

export interface BulletinData {
  schema: 1;
  id: string;
  seq: number;
  /** 第N期 */
  label: string;
  kind: BulletinKind;
  period: BulletinPeriod & { label: string };
  issuedAt: string;
  issuedBy: string;
  asOf: string;
  since: string;
  dataVersion: string;
  campaign: RawFigures['campaign'] & { phaseLabel: string };
  groups: { id: string; name: string }[];
  regions: RegionFigures[];
  totals: Omit<RegionFigures, 'org' | 'name' | 'byGroup'> & { name: string };
  byGroup: GroupFigures[];
  ranking: RankingRow[];
  changes: BulletinChanges | null;
  trend: TrendPoint[];
  /** Scheduled periods that passed without a bulletin since the previous scheduled one (caught up by this one). */
  missedPeriods: number[];
  /** Open rectifications per region (bulletins issued before issue 16 have none). */
  rectifications?: RectificationSection[];
}

/** One decimal place of a percentage; null when there is no target. */
export function pct(done: number, target: number): number | null {
  return target > 0 ? Math.round((done / target) * 1000) / 10 : null;
}

const OTHER_GROUP = '_other';
const zeroOnline = (): OnlineCounts => ({ received: 0, approved: 0, pending: 0, rejected: 0, withdrawn: 0 });
const addOnline = (a: OnlineCounts, b: OnlineCounts) => {
  a.received += b.received;
  a.approved += b.approved;
  a.pending += b.pending;
  a.rejected += b.rejected;
  a.withdrawn += b.withdrawn;
};
const zeroStatuses = () => Object.fromEntries(PROJECT_STATUSES.map((s) => [s, 0])) as Record<BulletinProjectStatus, number>;

/** The bulletin's title number: 第N期 (on-demand issues are numbered in the same series, marked 临时). */
export function bulletinLabel(seq: number, kind: BulletinKind): string {
  return kind === 'on_demand' ? `第${seq}期（临时）` : `第${seq}期`;
}

function periodLabel(p: BulletinPeriod): string {
  if (p.kind === 'on_demand' || p.index === undefined) return '临时通报 / on-demand';
  const d = (iso: string | undefined) => (iso ? iso.slice(0, 10) : '');
  return `第${p.index}个通报周期（${d(p.start)} 至 ${d(p.end)}）/ period ${p.index}`;
}

/**
 * Composes the figures into the per-region and per-group tables with totals
 * and the ranking. `previous` (the campaign's latest stored bulletin) gives
 * the change since then and, with `history`, the trend.
 */
export function composeBulletin(
  raw: RawFigures,
  meta: {
    id: string;
    seq: number;
    kind: BulletinKind;
    period: BulletinPeriod;
    issuedAt: string;
    issuedBy: string;
    phaseLabel: string;
    missedPeriods: number[];
  },
  previous: BulletinData | null,
  history: TrendPoint[],
): BulletinData {
  const known = new Set(raw.campaign.groups);
  const groupOf = (g: string | null) => (g && known.has(g) ? g : OTHER_GROUP);
  const groups = raw.campaign.groups.map((id) => ({ id, name: raw.groupNames[id] ?? id }));
  const hasOther = raw.members.some((m) => groupOf(m.group) === OTHER_GROUP) || raw.applications.some((a) => groupOf(a.group) === OTHER_GROUP);
  if (hasOther) groups.push({ id: OTHER_GROUP, name: '其他 / other' });

  const regions: RegionFigures[] = raw.regions.map((r) => {
    const members = raw.members.filter((m) => m.region === r.org);
    const apps = raw.applications.filter((a) => a.region === r.org);
    const projects = raw.projects.filter((p) => p.region === r.org);
    const online = zeroOnline();
    for (const a of apps) addOnline(online, a);
    const byStatus = zeroStatuses();
    for (const p of projects) if (p.status in byStatus) byStatus[p.status as BulletinProjectStatus] += p.count;
    const count = members.reduce((n, m) => n + m.count, 0);
    const viaOnline = members.reduce((n, m) => n + m.online, 0);
    const established = projects.reduce((n, p) => n + p.unionsEstablished, 0);
    const planned = projects.filter((p) => p.status !== 'proposed').reduce((n, p) => n + p.plannedUnions, 0);
    const unionTarget = r.targetUnions > 0 ? r.targetUnions : planned;
    const byGroup: RegionFigures['byGroup'] = Object.fromEntries(groups.map((g) => [g.id, { members: 0, applications: 0 }]));
    for (const m of members) byGroup[groupOf(m.group)]!.members += m.count;
    for (const a of apps) byGroup[groupOf(a.group)]!.applications += a.received;
    const ledger = raw.ledger.find((l) => l.region === r.org);
    return {
      org: r.org,
      name: r.name,
      unions: { established, planned, target: r.targetUnions, pct: pct(established, unionTarget) },
      members: {
        count,
        viaProjects: count - viaOnline,
        online: viaOnline,
        target: r.targetMembers,
        pct: pct(count, r.targetMembers),
        pending: projects.reduce((n, p) => n + (p.membersPending ?? 0), 0),
      },
      online,
      projects: { total: projects.reduce((n, p) => n + p.count, 0), byStatus },
      ledger: { targets: ledger?.targets ?? 0, crossedOff: ledger?.crossedOff ?? 0 },
      overdue: { deliverables: r.overdueDeliverables, approvals: raw.overdueApprovals.find((o) => o.region === r.org)?.count ?? 0 },
      rectifying: byStatus.rectifying,
      completion: pct(count, r.targetMembers) ?? 0,
      byGroup,
    };
  });

  const sum = (f: (r: RegionFigures) => number) => regions.reduce((n, r) => n + f(r), 0);
  const totalOnline = zeroOnline();
  for (const r of regions) addOnline(totalOnline, r.online);
  const totalStatus = zeroStatuses();
  for (const r of regions) for (const s of PROJECT_STATUSES) totalStatus[s] += r.projects.byStatus[s];
  const tMembers = sum((r) => r.members.count);
  const tTarget = sum((r) => r.members.target);
  const tUnions = sum((r) => r.unions.established);
  const tUnionTarget = sum((r) => r.unions.target);
  const tPlanned = sum((r) => r.unions.planned);
  const totals: BulletinData['totals'] = {
    name: '全市合计 / city total',
    unions: { established: tUnions, planned: tPlanned, target: tUnionTarget, pct: pct(tUnions, tUnionTarget > 0 ? tUnionTarget : tPlanned) },
    members: {
      count: tMembers,
      viaProjects: sum((r) => r.members.viaProjects),
      online: sum((r) => r.members.online),
      target: tTarget,
      pct: pct(tMembers, tTarget),
      pending: sum((r) => r.members.pending ?? 0),
    },
    online: totalOnline,
    projects: { total: sum((r) => r.projects.total), byStatus: totalStatus },
    ledger: { targets: sum((r) => r.ledger.targets), crossedOff: sum((r) => r.ledger.crossedOff) },
    overdue: { deliverables: sum((r) => r.overdue.deliverables), approvals: sum((r) => r.overdue.approvals) },
    rectifying: sum((r) => r.rectifying),
    completion: pct(tMembers, tTarget) ?? 0,
  };

  const byGroup: GroupFigures[] = groups.map((g) => {
    const online = zeroOnline();
    for (const a of raw.applications) if (groupOf(a.group) === g.id) addOnline(online, a);
    const members = raw.members.filter((m) => groupOf(m.group) === g.id).reduce((n, m) => n + m.count, 0);
    const pg = raw.projectGroups.find((p) => p.group === g.id);
    return {
      id: g.id,
      name: g.name,
      members,
      online,
      projects: pg?.count ?? 0,
      plannedMembers: pg?.plannedMembers ?? 0,
      pct: pct(members, pg?.plannedMembers ?? 0),
    };
  });

  const ranking = rankRegions(regions, previous);
  const label = bulletinLabel(meta.seq, meta.kind);
  const point: TrendPoint = { seq: meta.seq, label, issuedAt: meta.issuedAt, members: tMembers, unions: tUnions, completion: totals.completion };
  return {
    schema: 1,
    id: meta.id,
    seq: meta.seq,
    label,
    kind: meta.kind,
    period: { ...meta.period, label: periodLabel(meta.period) },
    issuedAt: meta.issuedAt,
    issuedBy: meta.issuedBy,
    asOf: raw.asOf,
    since: raw.since,
    dataVersion: raw.dataVersion,
    campaign: { ...raw.campaign, phaseLabel: meta.phaseLabel },
    groups,
    regions,
    totals,
    byGroup,
    ranking,
    changes: previous ? changesSince(previous, regions, totals, ranking) : null,
    trend: [...history.filter((h) => h.seq < meta.seq).sort((a, b) => a.seq - b.seq), point],
    missedPeriods: meta.missedPeriods,
    rectifications: rectificationSections(raw),
  };
}

/**
 * 整改事项 per region, as of the figures' time: an item the region still owes (open or sent back) past its
 * deadline day in Beijing is overdue (the same rule as domain/rectification.ts).
 */
export function rectificationSections(raw: Pick<RawFigures, 'regions' | 'rectifications' | 'asOf'>): RectificationSection[] {
  const today = beijingDay(raw.asOf);
  return raw.regions.map((r) => {
    const items = (raw.rectifications ?? [])
      .filter((x) => x.region === r.org)
      .map(({ region: _region, ...x }) => ({ ...x, overdue: (x.status === 'open' || x.status === 'returned') && x.deadline < today }));
    return { org: r.org, name: r.name, open: items.length, overdue: items.filter((x) => x.overdue).length, items };
  });
}

function beijingDay(iso: string): string {
  return new Date(Date.parse(iso) + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
}

/**
 * Regions ranked by completion (new members against target), then by unions
 * established against target; equal figures share a rank (1, 1, 3).
 */
export function rankRegions(regions: RegionFigures[], previous: BulletinData | null): RankingRow[] {
  const sorted = [...regions].sort(
    (a, b) => b.completion - a.completion || (b.unions.pct ?? 0) - (a.unions.pct ?? 0) || b.members.count - a.members.count || a.org.localeCompare(b.org),
  );
  const before = new Map((previous?.ranking ?? []).map((r) => [r.org, r.rank]));
  let rank = 0;
  let last: string | undefined;
  return sorted.map((r, i) => {
    const key = `${r.completion}|${r.unions.pct ?? 0}|${r.members.count}`;
    if (key !== last) rank = i + 1;
    last = key;
    const prev = before.get(r.org) ?? null;
    return {
      rank,
      org: r.org,
      name: r.name,
      completion: r.completion,
      members: r.members.count,
      target: r.members.target,
      previousRank: prev,
      rankChange: prev === null ? null : prev - rank,
    };
  });
}

function changesSince(previous: BulletinData, regions: RegionFigures[], totals: BulletinData['totals'], ranking: RankingRow[]): BulletinChanges {
  const prev = new Map(previous.regions.map((r) => [r.org, r]));
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    previous: { id: previous.id, seq: previous.seq, issuedAt: previous.issuedAt, label: previous.label },
    totals: {
      members: totals.members.count - previous.totals.members.count,
      unions: totals.unions.established - previous.totals.unions.established,
      applications: totals.online.received - previous.totals.online.received,
      approved: totals.online.approved - previous.totals.online.approved,
      completionPts: round(totals.completion - previous.totals.completion),
    },
    regions: regions.map((r) => {
      const p = prev.get(r.org);
      return {
        org: r.org,
        name: r.name,
        members: r.members.count - (p?.members.count ?? 0),
        unions: r.unions.established - (p?.unions.established ?? 0),
        applications: r.online.received - (p?.online.received ?? 0),
        approved: r.online.approved - (p?.online.approved ?? 0),
        completionPts: round(r.completion - (p?.completion ?? 0)),
        rankChange: ranking.find((x) => x.org === r.org)?.rankChange ?? null,
      };
    }),
  };
}

/** The trend point a stored bulletin contributes. */
export function trendPointOf(d: BulletinData): TrendPoint {
  return {
    seq: d.seq,
    label: d.label,
    issuedAt: d.issuedAt,
    members: d.totals.members.count,
    unions: d.totals.unions.established,
    completion: d.totals.completion,
  };
}
