/** Display names of the API's status words and kinds, in both languages. */
import type { Lang } from './i18n';

type Labels = Record<string, [zh: string, en: string]>;

export const PHASES: Labels = {
  pending: ['未开始', 'Not started'],
  survey: ['调查摸底', 'Survey'],
  listing: ['立项审核', 'Project listing'],
  implementation: ['推进实施', 'Implementation'],
  assessment: ['考核评比', 'Assessment'],
  closed: ['已结束', 'Closed'],
};
export const WORK_PHASES = ['survey', 'listing', 'implementation', 'assessment'] as const;
/** The report periods the launch form offers (the API's values; domain/bulletin.ts REPORT_PERIODS). */
export const REPORT_PERIODS: Labels = {
  P1W: ['每周', 'Weekly'],
  P2W: ['每两周', 'Every two weeks'],
  P1M: ['每月', 'Monthly'],
  P2M: ['每两个月', 'Every two months'],
  P3M: ['每季度', 'Quarterly'],
};

export const APP_STATUS: Labels = {
  pending: ['审批中', 'Pending'],
  returned: ['已退回', 'Returned'],
  approved: ['已通过', 'Approved'],
  rejected: ['未通过', 'Rejected'],
  withdrawn: ['已撤回', 'Withdrawn'],
};
export const TASK_STATUS: Labels = {
  pending: ['待办', 'Pending'],
  completed: ['已办', 'Completed'],
  cancelled: ['已取消', 'Cancelled'],
};
export const APP_TYPES: Labels = {
  subsidy: ['经费补助', 'Subsidy'],
  membership: ['网上入会', 'Membership'],
  transfer: ['会籍转移', 'Transfer'],
  project_list: ['项目清单', 'Project list'],
  self_assessment: ['绩效自评', 'Self-assessment'],
  chain_change: ['审批链变更', 'Chain change'],
  campaign_plan: ['行动计划', 'Action plan'],
  union_establishment: ['建会', 'Union establishment'],
};
export const PROJECT_STATUS: Labels = {
  proposed: ['待审核', 'Proposed'],
  approved: ['已立项', 'Approved'],
  in_progress: ['实施中', 'In progress'],
  rectifying: ['限期整改', 'Rectifying'],
  qualified: ['合格销账', 'Qualified'],
  unqualified: ['不合格', 'Unqualified'],
};
export const PROJECT_TYPES: Labels = {
  enterprise_union: ['企业工会（单建）', 'Enterprise union'],
  industry_federation: ['行业工会联合会', 'Industry federation'],
  regional_federation: ['区域性工会联合会', 'Regional federation'],
  joint_union: ['联合工会（联建）', 'Joint union'],
  existing_union_growth: ['已建工会扩面', 'Existing union growth'],
  inclusive_service: ['普惠服务', 'Inclusive service'],
  training: ['培训', 'Training'],
  seasonal_care: ['四季送', 'Seasonal care'],
  democratic_management: ['民主管理', 'Democratic management'],
  service_station: ['服务站点（职工之家、司机之家、户外劳动者服务站）', 'Service station'],
};
export const ORGANIZING_TYPES = ['enterprise_union', 'industry_federation', 'regional_federation', 'joint_union', 'existing_union_growth'];
export const SERVICE_TYPES = ['inclusive_service', 'training', 'seasonal_care', 'democratic_management', 'service_station'];

export const ACTIONS: Labels = {
  submitted: ['提交申请', 'Submitted'],
  approve: ['同意', 'Approved'],
  reject: ['不同意', 'Rejected'],
  return: ['退回', 'Returned'],
  transfer: ['转办', 'Transferred'],
  delegate: ['委派', 'Delegated'],
  delegateResolved: ['委派意见', 'Delegate opinion'],
  release: ['退回角色池 / 收回委派', 'Released (role pool / delegation ended)'],
  addSigner: ['加签', 'Signer added'],
  removeSigner: ['减签', 'Signer removed'],
  assign: ['人工分拣', 'Assigned'],
  comment: ['评论', 'Comment'],
  attachment: ['上传附件', 'Attachment'],
  cc: ['抄送', 'Copied'],
  urge: ['催办', 'Urged'],
  withdraw: ['撤回', 'Withdrawn'],
  retract: ['撤销', 'Retracted'],
  resubmit: ['重新提交', 'Resubmitted'],
  approved: ['审批完成', 'All approved'],
  skipped: ['跳过', 'Skipped'],
  stepStarted: ['进入步骤', 'Step started'],
  parallelStarted: ['并行分支开始', 'Parallel branches started'],
  branchDone: ['分支完成', 'Branch finished'],
  branchesCancelled: ['其余分支取消', 'Other branches cancelled'],
  parallelDone: ['并行分支完成', 'Parallel branches finished'],
  reminded: ['到期提醒', 'Reminder'],
  escalated: ['超时升级', 'Escalated'],
  phaseEscalated: ['阶段督办', 'Supervision'],
  migrated: ['迁移至新版审批链', 'Moved to the new chain version'],
  personalDataViewed: ['查看完整信息', 'Full details viewed'],
  formEdited: ['修改表单', 'Form corrected'],
  'auto:sortMembership': ['平台分拣', 'Platform sorting'],
  'auto:assignToUnion': ['任务分配', 'Assignment'],
  'auto:collectMemberInfo': ['信息采集', 'Information collection'],
  'auto:verifyRealName': ['实名认证', 'Real-name verification'],
  'auto:issueSubsidyNotice': ['立项通知与补助下拨', 'Notice and disbursement'],
  'auto:transferMembership': ['会籍转移', 'Membership transfer'],
};

export const ATTITUDES: Labels = {
  supportive: ['支持', 'Supportive'],
  neutral: ['中立', 'Neutral'],
  resistant: ['抵触', 'Resistant'],
  unknown: ['不明', 'Unknown'],
};
export const CLASSIFICATIONS: Labels = {
  own_union_mandatory: ['须单独建会（100 人以上）', 'Must build its own union (100+)'],
  own_union: ['单独建会（25 人以上）', 'Builds its own union (25+)'],
  joint_coverage: ['联建覆盖（25 人以下）', 'Joint coverage (under 25)'],
  has_union: ['已建会', 'Has a union'],
};
export const OVERDUE_ITEMS: Labels = {
  plan: ['实施方案', 'Implementation plan'],
  projectList: ['项目清单', 'Project list'],
  progress: ['进展报告', 'Progress report'],
  selfAssessment: ['绩效自评', 'Self-assessments'],
};
export const ROLES: Labels = {
  admin: ['管理员', 'Admin'],
  reviewer: ['审核员', 'Reviewer'],
  staff: ['干事', 'Staff'],
  supervisor: ['督办', 'Supervisor'],
};

/** The label of `key` in `labels`, or the key itself. */
export function label(labels: Labels, key: string | null | undefined, lang: Lang): string {
  if (!key) return '';
  const l = labels[key];
  return l ? (lang === 'zh' ? l[0] : l[1]) : key;
}

export const STATUS_COLORS: Record<string, string> = {
  pending: 'processing',
  returned: 'warning',
  approved: 'success',
  rejected: 'error',
  withdrawn: 'default',
  completed: 'success',
  cancelled: 'default',
  proposed: 'processing',
  in_progress: 'processing',
  rectifying: 'warning',
  qualified: 'success',
  unqualified: 'error',
};
