/**
 * The province's view across its cities (全省概览) and its bulletin of cities
 * (全省通报). Pure and deterministic: the province bulletin workflow imports
 * the period arithmetic, so no clock, no environment, no Node built-ins.
 *
 * A city's figures are its campaigns' figures of the year, each counted the
 * way the city's own bulletin counts them (composeBulletin over the same SQL
 * aggregates, db/report-repository.ts readBulletinFigures) — nothing is
 * counted twice in two ways. Overdue work comes from each region's overdue
 * list (督办, then 问责 after the grace period) and the approvals past their
 * time limit.
 *
 * A city org's overview is the same document with one city, itself.
 */
import { addMonthsBeijing, composeBulletin, pct, type RawFigures } from './bulletin';
import { BEIJING_OFFSET_MS } from './beijing-time';
import { PHASE_LABELS, type Phase } from './campaign';

/** The periods a province may set: whole months, one to twelve (P1M 每月 … P12M 每年). */
export const PROVINCE_PERIOD = /^P([1-9]|1[0-2])M$/;
export const DEFAULT_PROVINCE_EVERY = 'P3M';

export const provinceBulletinScheduleId = (orgId: string) => `province-bulletins-${orgId}`;

/** The months of a period setting (P1M → 1 … P12M → 12). */
export function provinceEveryMonths(every: string): number {
  const m = PROVINCE_PERIOD.exec(every);
  if (!m) throw new Error(`not a province period: ${every}`);
  return Number(m[1]);
}

export interface ProvincePeriod {
  /** '2026-07~2026-10': Beijing months, the end exclusive; unique per province. */
  key: string;
  /** The campaign year the period belongs to (its start's year). */
  year: number;
  /** The period's number within its year (1-based). */
  index: number;
  start: string;
  end: string;
  label: string;
}

const ym = (ms: number) => {
  const d = new Date(ms + BEIJING_OFFSET_MS);
  return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1 };
};
const pad = (n: number) => String(n).padStart(2, '0');
/** Beijing midnight of the first day of month m (1-based, may overflow) of year y, in ms. */
const monthStart = (y: number, m: number) => Date.UTC(y, m - 1, 1) - BEIJING_OFFSET_MS;

/**
 * The period that has just ended at `atMs`: periods run from each 1 January
 * (Beijing time) in steps of `months` months, the last of a year cut at the
 * next 1 January (P5M: Jan–May, Jun–Oct, Nov–Dec). A run a moment early
 * (within a minute) still stands for the period ending then.
 */
export function provincePeriodEndedAt(months: number, atMs: number): ProvincePeriod {
  const at = atMs + 60_000;
  const { y, m } = ym(at);
  // Boundaries of this year that have passed: 1 Jan, then every `months` months.
  const k = Math.floor((m - 1) / months); // periods of year y ended by `at`
  let year: number;
  let index: number;
  if (k === 0) {
    // The last period of the previous year ended on 1 January.
    year = y - 1;
    index = Math.ceil(12 / months);
  } else {
    year = y;
    index = k;
  }
  const startMonth = 1 + (index - 1) * months;
  const endMonth = Math.min(13, startMonth + months);
  const start = monthStart(year, startMonth);
  const end = monthStart(year, endMonth);
  return periodOf(year, index, start, end);
}

function periodOf(year: number, index: number, start: number, end: number): ProvincePeriod {
  const s = ym(start);
  const last = ym(addMonthsBeijing(end, -1));
  const e = ym(end);
  const span = s.m === last.m ? `${s.y}年${s.m}月` : `${s.y}年${s.m}月至${last.m}月`;
  const spanEn = s.m === last.m ? `${s.y}-${pad(s.m)}` : `${s.y}-${pad(s.m)} to ${last.y}-${pad(last.m)}`;
  return {
    key: `${s.y}-${pad(s.m)}~${e.y}-${pad(e.m)}`,
    year,
    index,
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    label: `${span}（${year}年第${index}期）/ ${spanEn} (period ${index} of ${year})`,
  };
}

/** The times a schedule fires, in Beijing months of the year: 1 January and each period's end within the year. */
export function provinceFireMonths(months: number): number[] {
  const out = new Set<number>([1]);
  for (let m = 1 + months; m <= 12; m += months) out.add(m);
  return [...out].sort((a, b) => a - b);
}

/** The period in words: 每月 / monthly … 每年 / yearly. */
export function provinceEveryLabel(every: string): string {
  const n = provinceEveryMonths(every);
  const words: Record<number, string> = {
    1: '每月 / monthly',
    2: '每两个月 / every two months',
    3: '每季度 / quarterly',
    6: '每半年 / every six months',
    12: '每年 / yearly',
  };
  return words[n] ?? `每${n}个月 / every ${n} months`;
}

// ---- The overview -------------------------------------------------------------------------

/** What the database gives for one campaign. */
export interface RawCampaign {
  id: string;
  name: string;
  cityOrg: string;
  phase: string;
  phaseEndsAt: string | null;
  groups: string[];
  targets: { newMembers: number; newUnions: number };
  /** Every region's overdue list (resolved ones included). */
  overdue: { level: string; resolvedAt?: string | null }[];
  figures: RawFigures;
}

export interface RawProvince {
  org: { id: string; name: string; kind: string };
  year: number;
  asOf: string;
  cities: { id: string; name: string; groupUnions: Record<string, { id: string; name: string }> }[];
  groupNames: Record<string, string>;
  campaigns: RawCampaign[];
}

export interface OverdueCounts {
  /** Unresolved overdue deliverables. */
  items: number;
  /** …of which still under supervision (督办). */
  supervision: number;
  /** …of which escalated to accountability (问责). */
  accountability: number;
  /** Approvals past their time limit. */
  approvalsPastLimit: number;
}

export interface CampaignSummary {
  id: string;
  name: string;
  city: string;
  cityName: string;
  phase: string;
  phaseLabel: string;
  phaseEndsAt: string | null;
  regions: number;
  members: { count: number; target: number; pct: number | null };
  unions: { established: number; target: number; pct: number | null };
  completion: number;
  overdue: OverdueCounts;
  /** The city's own ranking of its regions, first three. */
  topRegions: { rank: number; name: string; completion: number }[];
}

export interface CityConfiguration {
  campaign: string;
  campaignName: string;
  groups: { id: string; name: string; industryUnion: string | null }[];
  targets: { newMembers: number; newUnions: number };
  regions: number;
}

export interface CityRow {
  org: string;
  name: string;
  campaigns: number;
  members: { count: number; target: number; pct: number | null };
  unions: { established: number; target: number; pct: number | null };
  completion: number;
  overdue: OverdueCounts;
  /** null: no campaign this year (not ranked). */
  rank: number | null;
  configuration: CityConfiguration[];
}

export interface CityRanking {
  rank: number;
  org: string;
  name: string;
  completion: number;
  members: number;
  target: number;
  unionsPct: number | null;
}

export interface ProvinceOverview {
  org: { id: string; name: string; kind: string };
  year: number;
  asOf: string;
  cities: CityRow[];
  ranking: CityRanking[];
  campaigns: CampaignSummary[];
  totals: {
    campaigns: number;
    members: { count: number; target: number; pct: number | null };
    unions: { established: number; target: number };
    overdue: OverdueCounts;
  };
}

const zeroOverdue = (): OverdueCounts => ({ items: 0, supervision: 0, accountability: 0, approvalsPastLimit: 0 });
const addOverdue = (a: OverdueCounts, b: OverdueCounts) => {
  a.items += b.items;
  a.supervision += b.supervision;
  a.accountability += b.accountability;
  a.approvalsPastLimit += b.approvalsPastLimit;
};

/** One campaign's figures, composed exactly as its city bulletin composes them. */
export function summarizeCampaign(c: RawCampaign, cityName: string): CampaignSummary {
  const d = composeBulletin(
    c.figures,
    {
      id: c.id,
      seq: 0,
      kind: 'on_demand',
      period: { key: 'overview', kind: 'on_demand' },
      issuedAt: c.figures.asOf,
      issuedBy: 'system',
      phaseLabel: '',
      missedPeriods: [],
    },
    null,
    [],
  );
  const open = c.overdue.filter((o) => !o.resolvedAt);
  const unionTarget = d.totals.unions.target;
  return {
    id: c.id,
    name: c.name,
    city: c.cityOrg,
    cityName,
    phase: c.phase,
    phaseLabel: PHASE_LABELS[c.phase as Phase] ?? c.phase,
    phaseEndsAt: c.phaseEndsAt,
    regions: d.regions.length,
    members: { count: d.totals.members.count, target: d.totals.members.target, pct: d.totals.members.pct },
    unions: { established: d.totals.unions.established, target: unionTarget, pct: pct(d.totals.unions.established, unionTarget) },
    completion: d.totals.completion,
    overdue: {
      items: open.length,
      supervision: open.filter((o) => o.level === 'supervision').length,
      accountability: open.filter((o) => o.level === 'accountability').length,
      approvalsPastLimit: d.totals.overdue.approvals,
    },
    topRegions: d.ranking.slice(0, 3).map((r) => ({ rank: r.rank, name: r.name, completion: r.completion })),
  };
}

/**
 * The cities ranked by completion (new members against target), then unions
 * established against target, then new members; equal figures share a rank.
 * A city without a campaign this year is listed but not ranked.
 */
export function rankCities(cities: CityRow[]): CityRanking[] {
  const sorted = cities
    .filter((c) => c.campaigns > 0)
    .sort(
      (a, b) => b.completion - a.completion || (b.unions.pct ?? 0) - (a.unions.pct ?? 0) || b.members.count - a.members.count || a.org.localeCompare(b.org),
    );
  let rank = 0;
  let last: string | undefined;
  return sorted.map((c, i) => {
    const key = `${c.completion}|${c.unions.pct ?? 0}|${c.members.count}`;
    if (key !== last) rank = i + 1;
    last = key;
    return { rank, org: c.org, name: c.name, completion: c.completion, members: c.members.count, target: c.members.target, unionsPct: c.unions.pct };
  });
}

export function composeProvinceOverview(raw: RawProvince): ProvinceOverview {
  const cityName = new Map(raw.cities.map((c) => [c.id, c.name]));
  const campaigns = raw.campaigns.map((c) => summarizeCampaign(c, cityName.get(c.cityOrg) ?? c.figures.campaign.cityName));
  const cities: CityRow[] = raw.cities.map((city) => {
    const own = campaigns.filter((c) => c.city === city.id);
    const members = own.reduce((n, c) => n + c.members.count, 0);
    const target = own.reduce((n, c) => n + c.members.target, 0);
    const established = own.reduce((n, c) => n + c.unions.established, 0);
    const unionTarget = own.reduce((n, c) => n + c.unions.target, 0);
    const overdue = zeroOverdue();
    for (const c of own) addOverdue(overdue, c.overdue);
    return {
      org: city.id,
      name: city.name,
      campaigns: own.length,
      members: { count: members, target, pct: pct(members, target) },
      unions: { established, target: unionTarget, pct: pct(established, unionTarget) },
      completion: pct(members, target) ?? 0,
      overdue,
      rank: null,
      configuration: raw.campaigns
        .filter((c) => c.cityOrg === city.id)
        .map((c) => ({
          campaign: c.id,
          campaignName: c.name,
          groups: c.groups.map((g) => ({ id: g, name: raw.groupNames[g] ?? g, industryUnion: city.groupUnions[g]?.name ?? null })),
          targets: c.targets,
          regions: c.figures.regions.length,
        })),
    };
  });
  const ranking = rankCities(cities);
  for (const r of ranking) cities.find((c) => c.org === r.org)!.rank = r.rank;
  cities.sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || a.org.localeCompare(b.org));
  const totalMembers = cities.reduce((n, c) => n + c.members.count, 0);
  const totalTarget = cities.reduce((n, c) => n + c.members.target, 0);
  const overdue = zeroOverdue();
  for (const c of cities) addOverdue(overdue, c.overdue);
  return {
    org: raw.org,
    year: raw.year,
    asOf: raw.asOf,
    cities,
    ranking,
    campaigns,
    totals: {
      campaigns: campaigns.length,
      members: { count: totalMembers, target: totalTarget, pct: pct(totalMembers, totalTarget) },
      unions: { established: cities.reduce((n, c) => n + c.unions.established, 0), target: cities.reduce((n, c) => n + c.unions.target, 0) },
      overdue,
    },
  };
}

// ---- The province bulletin ----------------------------------------------------------------

export type ProvinceBulletinKind = 'scheduled' | 'on_demand';

export interface ProvinceBulletinData {
  schema: 1;
  id: string;
  seq: number;
  /** 第N期, 第N期（临时） */
  label: string;
  kind: ProvinceBulletinKind;
  period: { key: string; label: string; start?: string; end?: string };
  issuedAt: string;
  issuedBy: string;
  province: { id: string; name: string };
  /** The recipients by name (the province's supervisors). */
  recipients: string[];
  overview: ProvinceOverview;
}

export function provinceBulletinLabel(seq: number, kind: ProvinceBulletinKind): string {
  return kind === 'on_demand' ? `第${seq}期（临时）` : `第${seq}期`;
}

export function composeProvinceBulletin(
  overview: ProvinceOverview,
  meta: {
    id: string;
    seq: number;
    kind: ProvinceBulletinKind;
    period: { key: string; label?: string; start?: string; end?: string };
    issuedAt: string;
    issuedBy: string;
    recipients: string[];
  },
): ProvinceBulletinData {
  return {
    schema: 1,
    id: meta.id,
    seq: meta.seq,
    label: provinceBulletinLabel(meta.seq, meta.kind),
    kind: meta.kind,
    period: { ...meta.period, label: meta.period.label ?? '临时通报 / on-demand' },
    issuedAt: meta.issuedAt,
    issuedBy: meta.issuedBy,
    province: { id: overview.org.id, name: overview.org.name },
    recipients: meta.recipients,
    overview,
  };
}

/** The year a bulletin issued at `atMs` covers: the Beijing year of its period's start, else of the moment. */
export function beijingYear(atMs: number): number {
  return ym(atMs).y;
}
