/**
 * 项目清单+责任制 行动计划 (seed 004): the city organization department consolidates every region's approved
 * organizing and service projects into one action plan — per region and per target group, with the seed's
 * columns (name, location, planned members, responsible unit, completion date; for service projects the
 * planned coverage) — and reports it to the province's 基层工作部, which reviews it as one task.
 *
 * Pure rules: the consolidation, the phases the plan is worked in, and what a submission needs.
 */
import { PHASE_LABELS, labelParts, type Phase } from './campaign';

export const ORGANIZING_TYPE_LABELS: Record<string, string> = {
  enterprise_union: '企业工会',
  industry_federation: '行业工会联合会',
  regional_federation: '区域性工会联合会',
  joint_union: '联合工会',
  existing_union_growth: '已有工会发展会员',
};

export const SERVICE_TYPE_LABELS: Record<string, string> = {
  inclusive_service: '普惠服务',
  training: '教育培训',
  seasonal_care: '“四季送”关爱活动',
  democratic_management: '民主管理制度建设',
  service_station: '工会服务阵地建设',
};

/** One approved project as the plan lists it. */
export interface PlanProjectInput {
  id: string;
  regionOrg: string;
  /** The region's org path (for the policy's scope checks). */
  regionPath?: string;
  kind: string;
  type: string;
  name: string;
  location: string | null;
  plannedMembers: number;
  plannedCoverage: number;
  groups: string[];
  responsibleUnit: string;
  dueDate: string | null;
  status: string;
  returned: { at: string; by: string; comment: string } | null;
}

export interface PlanRow extends PlanProjectInput {
  typeLabel: string;
}

export interface PlanRegion {
  org: string;
  name: string;
  /** The region's project list: pending, returned, approved (or none submitted). */
  listStatus: string | null;
  organizing: PlanRow[];
  service: PlanRow[];
  totals: { organizing: number; service: number; plannedMembers: number; plannedCoverage: number };
}

export interface PlanGroup {
  group: string;
  name: string;
  /** Organizing projects naming the group (a project of several groups counts under each). */
  projects: number;
  plannedMembers: number;
  byRegion: Record<string, { projects: number; plannedMembers: number }>;
}

export interface CampaignPlan {
  regions: PlanRegion[];
  groups: PlanGroup[];
  totals: { projects: number; organizing: number; service: number; plannedMembers: number; plannedCoverage: number; returned: number };
}

/** Consolidates the approved projects of the campaign's regions, in the campaign's order of regions and groups. */
export function consolidatePlan(input: {
  regions: { org: string; name: string; listStatus: string | null }[];
  groups: { id: string; name: string }[];
  projects: PlanProjectInput[];
}): CampaignPlan {
  const byName = (a: PlanRow, b: PlanRow) =>
    (a.dueDate ?? '').localeCompare(b.dueDate ?? '') || a.name.localeCompare(b.name, 'zh-CN') || a.id.localeCompare(b.id);
  const rows: PlanRow[] = input.projects.map((p) => ({
    ...p,
    typeLabel: (p.kind === 'service' ? SERVICE_TYPE_LABELS : ORGANIZING_TYPE_LABELS)[p.type] ?? p.type,
  }));
  const regions: PlanRegion[] = input.regions.map((r) => {
    const mine = rows.filter((p) => p.regionOrg === r.org);
    const organizing = mine.filter((p) => p.kind === 'organizing').sort(byName);
    const service = mine.filter((p) => p.kind === 'service').sort(byName);
    return {
      ...r,
      organizing,
      service,
      totals: {
        organizing: organizing.length,
        service: service.length,
        plannedMembers: organizing.reduce((n, p) => n + p.plannedMembers, 0),
        plannedCoverage: service.reduce((n, p) => n + p.plannedCoverage, 0),
      },
    };
  });
  const groups: PlanGroup[] = input.groups.map((g) => {
    const naming = rows.filter((p) => p.kind === 'organizing' && p.groups.includes(g.id));
    const byRegion: PlanGroup['byRegion'] = {};
    for (const r of input.regions) {
      const here = naming.filter((p) => p.regionOrg === r.org);
      byRegion[r.org] = { projects: here.length, plannedMembers: here.reduce((n, p) => n + p.plannedMembers, 0) };
    }
    return { group: g.id, name: g.name, projects: naming.length, plannedMembers: naming.reduce((n, p) => n + p.plannedMembers, 0), byRegion };
  });
  const sum = (f: (r: PlanRegion) => number) => regions.reduce((n, r) => n + f(r), 0);
  return {
    regions,
    groups,
    totals: {
      projects: sum((r) => r.totals.organizing + r.totals.service),
      organizing: sum((r) => r.totals.organizing),
      service: sum((r) => r.totals.service),
      plannedMembers: sum((r) => r.totals.plannedMembers),
      plannedCoverage: sum((r) => r.totals.plannedCoverage),
      returned: rows.filter((p) => p.returned).length,
    },
  };
}

/**
 * The phases the plan is worked in: it is consolidated and reported at the end of 立项审核 (listing), and the
 * province's review, the city's returns of single projects and the regions' revisions may run on into the first
 * weeks of 推进实施 (implementation). From 考核评比 on, the plan is what was carried out: closed.
 */
export const PLAN_PHASES: readonly Phase[] = ['listing', 'implementation'];

export function planOpen(phase: Phase): { open: true } | { open: false; reason: string } {
  if (PLAN_PHASES.includes(phase)) return { open: true };
  const now = labelParts(PHASE_LABELS[phase]);
  return {
    open: false,
    reason: `行动计划只在立项审核和推进实施阶段汇总上报（现为${now.zh}阶段） / the action plan is consolidated and reported in the listing and implementation phases (now: ${now.en})`,
  };
}

/** The application status of the plan, and what the city may do with it now. */
export type PlanStatus = 'draft' | 'pending' | 'returned' | 'approved';

/** Why a submission cannot go now (nothing to submit, projects still out with their regions, already under review or approved). */
export function submitRefusal(status: PlanStatus, plan: CampaignPlan): string | undefined {
  if (status === 'pending') return '行动计划正在省总审核中，退回后方可重新提交 / the plan is under the province’s review; it can be resubmitted once returned';
  if (status === 'approved') return '行动计划已经省总审核通过 / the plan is already approved by the province';
  if (plan.totals.projects === 0) return '尚无已批准的项目，无法汇总上报 / no approved projects to consolidate yet';
  if (plan.totals.returned > 0)
    return `仍有 ${plan.totals.returned} 个项目退回地区修改中，修改后方可上报 / ${plan.totals.returned} project(s) are still returned to their regions for revision`;
  return undefined;
}

/** Whether the city may return a single project to its region now: not while the province reviews or after its approval. */
export function returnRefusal(status: PlanStatus, project: { returned: unknown }): string | undefined {
  if (status === 'pending') return '行动计划正在省总审核中，不能退回单个项目 / the plan is under the province’s review';
  if (status === 'approved') return '行动计划已审核通过，不能再退回项目 / the plan is approved';
  if (project.returned) return '该项目已退回地区修改 / the project is already returned to its region';
  return undefined;
}

/** A returned plan goes up again from the campaign's 行动计划 (POST /api/campaigns/:id/plan/submit), never as a bare resubmission. */
export const PLAN_RESUBMIT_ELSEWHERE =
  '行动计划须在集中行动的“行动计划”中修改后重新提交省总 / a returned action plan is resubmitted from the campaign’s action plan';
