/** Campaign configuration and phases: plain types shared by db/, api/ and workflows/. */
import { beijingTime } from './beijing-time';
export type Phase = 'pending' | 'survey' | 'listing' | 'implementation' | 'assessment' | 'closed';
export const PHASES = ['survey', 'listing', 'implementation', 'assessment'] as const;
export type WorkPhase = (typeof PHASES)[number];

export interface CampaignConfig {
  name: string;
  year: number;
  cityOrg: string;
  regions: string[];
  groups: string[];
  targets: { newMembers: number; newUnions?: number; perRegion?: Record<string, { newMembers: number; newUnions?: number }> };
  phases: Record<WorkPhase, { start: string; end: string }>;
  reportEvery?: string | number;
  /** How long before a phase deadline regions get a reminder (default P3D, or a quarter of a short phase). */
  remindBefore?: string | number;
}

export const PHASE_LABELS: Record<Phase, string> = {
  pending: '未开始 / not started',
  survey: '调查摸底 / survey',
  listing: '立项审核 / project listing and review',
  implementation: '推进实施 / implementation',
  assessment: '考核评比 / assessment',
  closed: '已结束 / closed',
};

/** The Chinese and English halves of a bilingual label ("调查摸底 / survey"); a label with no English half is both. */
export function labelParts(label: string): { zh: string; en: string } {
  const at = label.indexOf(' / ');
  return at < 0 ? { zh: label, en: label } : { zh: label.slice(0, at), en: label.slice(at + 3) };
}

/** An instant as 2026-07-03 14:05 in Beijing time, for messages (domain/beijing-time.ts). */
export const beijingMinute = (iso: string): string => beijingTime(iso);

/** What each region must deliver by the end of each phase (its deadline). */
export const PHASE_DELIVERABLES: Record<WorkPhase, { item: string; name: string }> = {
  survey: { item: 'plan', name: '实施方案 / implementation plan' },
  listing: { item: 'projectList', name: '项目清单 / project list' },
  implementation: { item: 'progress', name: '进展报告 / progress report' },
  assessment: { item: 'selfAssessment', name: '绩效自评 / self-assessments' },
};

/**
 * 督办 / 问责 message: a full sentence naming the campaign, the region, what is
 * overdue, in which phase and since when (Beijing time) — never a bare phase
 * name. `level` supervision is the first escalation (to the city), accountability
 * the second (the province's supervisors too, past the grace period).
 */
export function overdueMessage(p: { level: 'supervision' | 'accountability'; campaign: string; region: string; phase: WorkPhase; since: string }): string {
  const phase = labelParts(PHASE_LABELS[p.phase]);
  const due = labelParts(PHASE_DELIVERABLES[p.phase].name);
  const at = beijingMinute(p.since);
  return p.level === 'supervision'
    ? `【督办】「${p.campaign}」：${p.region}在${phase.zh}阶段应提交的${due.zh}已于北京时间 ${at} 逾期未交，请督促尽快提交。 / Supervision: ${p.campaign}: the ${due.en} ${p.region} owed for the ${phase.en} phase has been overdue since ${at} (Beijing time); please see that it is submitted soon.`
    : `【问责】「${p.campaign}」：${p.region}在${phase.zh}阶段应提交的${due.zh}自北京时间 ${at} 逾期至今仍未提交，已超过整改期限，请启动问责。 / Accountability: ${p.campaign}: the ${due.en} ${p.region} owed for the ${phase.en} phase, overdue since ${at} (Beijing time), is still missing after the grace period; accountability applies.`;
}

/** A region's targets: its per-region quota, else an even share of the city target. */
export function regionTargets(config: CampaignConfig, regionOrg: string): { newMembers: number; newUnions: number } {
  const own = config.targets.perRegion?.[regionOrg];
  if (own) return { newMembers: own.newMembers, newUnions: own.newUnions ?? 0 };
  const n = Math.max(1, config.regions.length);
  return { newMembers: Math.ceil(config.targets.newMembers / n), newUnions: Math.ceil((config.targets.newUnions ?? 0) / n) };
}

/**
 * The year-end score (评先) of a region, 0–100: completion against targets —
 * 60% new members, 30% new unions (when targeted), 10% share of its projects
 * qualified; each part capped at 100% so over-fulfilment in one part does
 * not hide a gap in another.
 */
export function regionScore(r: { members: number; targetMembers: number; unions: number; targetUnions: number; qualified: number; projects: number }): number {
  const part = (done: number, target: number) => (target > 0 ? Math.min(1, done / target) : 1);
  const weights = r.targetUnions > 0 ? { m: 0.6, u: 0.3, q: 0.1 } : { m: 0.9, u: 0, q: 0.1 };
  const q = r.projects > 0 ? r.qualified / r.projects : 0;
  const score = 100 * (weights.m * part(r.members, r.targetMembers) + weights.u * part(r.unions, r.targetUnions) + weights.q * q);
  return Math.round(score * 100) / 100;
}

const ORDER: Phase[] = ['pending', 'survey', 'listing', 'implementation', 'assessment', 'closed'];

/**
 * The phase that accepts each submission of a region or a project: the one rule the API gates submissions by
 * and the web app locks its forms by (campaignView's `submissions`).
 */
export const SUBMISSION_PHASES = {
  survey: { phase: 'survey', name: '摸底数据 / survey data' },
  plan: { phase: 'survey', name: '实施方案 / implementation plan' },
  projectList: { phase: 'listing', name: '项目清单 / project list' },
  progress: { phase: 'implementation', name: '进展报告 / progress reports' },
  selfAssessment: { phase: 'assessment', name: '绩效自评 / self-assessments' },
} as const satisfies Record<string, { phase: WorkPhase; name: string }>;
export type Submission = keyof typeof SUBMISSION_PHASES;

/** Whether a submission is accepted in `phase`, and if not why, in words ("立项审核阶段已结束，项目清单不可再修改"). */
export function submissionState(phase: Phase, submission: Submission): { open: true } | { open: false; reason: string } {
  const { phase: needed, name } = SUBMISSION_PHASES[submission];
  if (phase === needed) return { open: true };
  const p = labelParts(PHASE_LABELS[needed]);
  const n = labelParts(name);
  // The reason names the phase the campaign is in now.
  const now = labelParts(PHASE_LABELS[phase]);
  const nowZh = phase === 'closed' ? '行动已结束' : `现为${now.zh}阶段`;
  const nowEn = phase === 'closed' ? 'the campaign has closed' : `now: ${now.en}`;
  if (ORDER.indexOf(phase) > ORDER.indexOf(needed))
    return {
      open: false,
      reason: `${p.zh}阶段已结束（${nowZh}），${n.zh}不可再修改 / the ${p.en} phase has ended (${nowEn}): ${n.en} can no longer be changed`,
    };
  return {
    open: false,
    reason: `尚未进入${p.zh}阶段（${nowZh}），${n.zh}暂不受理 / ${n.en} are accepted from the ${p.en} phase (${nowEn})`,
  };
}

/**
 * The later of two phases. A workflow learns of a new phase by signal a
 * moment after the campaign projection shows it; the API passes the phase it
 * saw, so a submission in that moment is not refused.
 */
export function laterPhase(a: Phase, b: Phase | undefined): Phase {
  if (!b) return a;
  return ORDER.indexOf(b) > ORDER.indexOf(a) ? b : a;
}
