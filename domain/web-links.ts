/**
 * Where a returned application is revised (修改后重新提交): the applicant's
 * task to revise (待办) and the notice that it was returned both open it. A
 * campaign's project list and self-assessment are revised on the region's work
 * page (their tab: the region workflow resubmits them), everything else on the
 * application's own page.
 */
export interface RevisedApplication {
  id: string;
  type: string;
  applicantOrg: string;
  campaignId: string | null;
}

const REGION_TAB: Record<string, string> = { project_list: 'projects', self_assessment: 'assessment' };

export function reviseLink(a: RevisedApplication): string {
  const tab = REGION_TAB[a.type];
  // The city's consolidated plan (行动计划) is revised and resubmitted on the campaign's 行动计划 tab.
  if (a.type === 'campaign_plan' && a.campaignId) return `/campaigns/${encodeURIComponent(a.campaignId)}?tab=plan`;
  if (tab && a.campaignId) return `/campaigns/${encodeURIComponent(a.campaignId)}/regions/${encodeURIComponent(a.applicantOrg)}?tab=${tab}`;
  return `/applications/${encodeURIComponent(a.id)}`;
}
