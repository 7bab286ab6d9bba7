/**
 * The chains that ship with the product (version 1 of each), global: they
 * apply wherever no org above the applicant owns a chain of the type. Admins
 * propose an org's own versions (审批链变更); running applications keep the
 * version they started with.
 */
import { TRANSFER_STEPS, type ChainDefinition, type Step } from './chain';

/**
 * A review by the reviewers of the city or the province: one decides, within
 * five working days (reminded a day before, then escalated); nobody reviews
 * their own application; with no reviewer there, the org's admin.
 */
function review(id: string, name: string, level: 'city' | 'province'): Step {
  return {
    id,
    name,
    type: 'human',
    who: { kind: 'role', role: 'reviewer', level },
    mode: 'single',
    sla: { limit: 'P5D', remindBefore: 'P1D', onTimeout: 'escalate' },
    onNoApprover: 'admin',
    onSelfApproval: 'forbid',
  };
}

export const SUBSIDY_CHAIN: ChainDefinition = {
  key: 'subsidy',
  version: 1,
  type: 'subsidy',
  name: '经费补助申请 / subsidy application',
  steps: [
    review('cityReview', '市总初审 / city initial review', 'city'),
    review('provinceReview', '省总审核 / province review', 'province'),
    { id: 'notice', name: '立项通知与补助下拨 / approval notice and disbursement', type: 'auto', activity: 'issueSubsidyNotice' },
  ],
};

/** 网上入会: the eight-step closed loop (submission is the first). */
export const MEMBERSHIP_CHAIN: ChainDefinition = {
  key: 'membership',
  version: 1,
  type: 'membership',
  name: '网上入会 / online membership application',
  steps: [
    { id: 'sorting', name: '平台分拣 / platform sorting', type: 'auto', activity: 'sortMembership' },
    {
      id: 'initialReview',
      name: '信息初审 / initial review',
      type: 'human',
      who: { kind: 'role', role: 'reviewer', level: 'target' },
      mode: 'single',
      sla: { limit: 'P3D', remindBefore: 'P1D', onTimeout: 'escalate' },
      onNoApprover: 'admin',
      actions: ['approve', 'reject', 'transfer', 'delegate', 'addSigner', 'removeSigner', 'comment', 'cc'],
    },
    { id: 'assignment', name: '任务分配 / assignment to the union', type: 'auto', activity: 'assignToUnion' },
    {
      id: 'identityReview',
      name: '身份审核 / identity review',
      type: 'human',
      who: { kind: 'role', role: 'reviewer', level: 'target' },
      mode: 'single',
      onNoApprover: 'admin',
      // Identity must be looked at by a person even if they did the initial review.
      dedupConsecutive: false,
      showsPersonalData: true,
      actions: ['approve', 'reject', 'transfer', 'delegate', 'comment', 'cc'],
    },
    {
      id: 'admission',
      name: '吸纳入会 / admission',
      type: 'human',
      who: { kind: 'role', role: 'reviewer', level: 'target' },
      mode: 'single',
      onNoApprover: 'admin',
      actions: ['approve', 'reject', 'transfer', 'delegate', 'comment', 'cc'],
    },
    { id: 'collection', name: '信息采集 / information collection', type: 'auto', activity: 'collectMemberInfo' },
    { id: 'verification', name: '实名认证 / real-name verification', type: 'auto', activity: 'verifyRealName' },
  ],
};

/** 会籍转移: the transfer-out approval is removed; only the receiving union approves. */
export const TRANSFER_CHAIN: ChainDefinition = {
  key: 'transfer',
  version: 1,
  type: 'transfer',
  name: '会籍转移 / membership transfer',
  steps: TRANSFER_STEPS,
};

/** 立项审核: a region's project list — the city organization department consolidates, the province's grassroots department reviews. */
export const PROJECT_LIST_CHAIN: ChainDefinition = {
  key: 'project_list',
  version: 1,
  type: 'project_list',
  name: '项目清单审核 / project list review',
  steps: [
    review('cityConsolidation', '市总组织部汇总审核 / city organization department', 'city'),
    review('provinceReview', '省总基层工作部审核 / province grassroots department', 'province'),
  ],
};

/** 绩效自评审核: the city organization department checks a project's self-assessment against its records. */
export const SELF_ASSESSMENT_CHAIN: ChainDefinition = {
  key: 'self_assessment',
  version: 1,
  type: 'self_assessment',
  name: '项目绩效自评审核 / self-assessment review',
  steps: [
    {
      id: 'cityAssessment',
      name: '市总组织部考核 / city assessment',
      type: 'human',
      who: { kind: 'role', role: 'reviewer', level: 'city' },
      mode: 'single',
      onNoApprover: 'admin',
      onSelfApproval: 'forbid',
      actions: ['approve', 'reject', 'return', 'transfer', 'delegate', 'comment', 'cc'],
    },
  ],
};

/**
 * 建会程序: one union (enterprise union, joint union, federation) established
 * through its steps. The approvals are the higher union's: the region
 * federation (县区总工会 or 产业工会) the new union will sit under, whose
 * reviewers decide 筹备批复 and 上级工会批复; the steps between are the
 * region's own work, tasks for its staff, each recording its fields
 * (筹备组组长, 会员人数, the election's date and chair) and documents
 * (attachments on the step's task). The application is the region's own (no
 * personal applicant), so its staff may act on every step and resubmit
 * after a return. On approval the union joins the org tree, the enterprise
 * is crossed off (销号) and only then is it counted
 * (workflows/union-establishment.ts).
 */
function regionStep(id: string, name: string, fields: Record<string, 'edit'>): Step {
  return {
    id,
    name,
    type: 'human',
    who: { kind: 'role', role: 'staff', level: 'self' },
    mode: 'single',
    sla: { limit: 'P20D', remindBefore: 'P2D', onTimeout: 'escalate' },
    onNoApprover: 'admin',
    dedupConsecutive: false,
    fields,
    actions: ['approve', 'transfer', 'comment', 'cc'],
  };
}

function higherUnionStep(id: string, name: string): Step {
  return {
    id,
    name,
    type: 'human',
    who: { kind: 'role', role: 'reviewer', level: 'self' },
    mode: 'single',
    sla: { limit: 'P5D', remindBefore: 'P1D', onTimeout: 'escalate' },
    onNoApprover: 'admin',
    onSelfApproval: 'forbid',
    dedupConsecutive: false,
    actions: ['approve', 'reject', 'return', 'transfer', 'delegate', 'comment', 'cc'],
  };
}

export const UNION_ESTABLISHMENT_CHAIN: ChainDefinition = {
  key: 'union_establishment',
  version: 1,
  type: 'union_establishment',
  name: '建会程序 / union establishment',
  form: {
    schema: {
      type: 'object',
      properties: {
        prepGroupLead: { type: 'string', title: '筹备组组长 / head of the preparatory group', maxLength: 50 },
        memberCount: { type: 'integer', title: '发展会员人数 / members recruited', minimum: 0, maximum: 100000 },
        electionDate: { type: 'string', title: '会员大会选举日期 / date of the members’ assembly', format: 'date' },
        chair: { type: 'string', title: '当选工会主席 / elected chair', maxLength: 50 },
      },
    },
    ui: {
      'ui:order': ['prepGroupLead', 'memberCount', 'electionDate', 'chair'],
      electionDate: { 'ui:widget': 'date' },
    },
  },
  steps: [
    higherUnionStep('prepApproval', '筹备批复 / approval to prepare'),
    regionStep('prepGroup', '成立筹备组 / preparatory group', { prepGroupLead: 'edit' }),
    regionStep('recruiting', '发展会员 / recruiting members', { memberCount: 'edit' }),
    regionStep('election', '会员大会选举 / members’ assembly election', { electionDate: 'edit', chair: 'edit' }),
    higherUnionStep('electionApproval', '上级工会批复 / approval of the election'),
  ],
};

/**
 * 审批链变更: a proposed chain version takes effect only when a second admin
 * approves it. The applicant's org of a chain_change application is the
 * chain's owner, so the step goes to the owner org's admins; the proposer is
 * forbidden to decide (where they are the only admin there, the nearest admin
 * above decides), and an admin above may decide through their override.
 * The decision cannot be handed on (no transfer, delegate or added signer):
 * only an admin approves a chain. Overdue: escalated, never decided by time.
 */
export const CHAIN_CHANGE_CHAIN: ChainDefinition = {
  key: 'chain_change',
  version: 1,
  type: 'chain_change',
  name: '审批链变更 / chain change',
  steps: [
    {
      id: 'adminApproval',
      name: '管理员复核 / second admin approval',
      type: 'human',
      who: { kind: 'role', role: 'admin', level: 'self' },
      mode: 'single',
      sla: { limit: 'P5D', remindBefore: 'P1D', onTimeout: 'escalate' },
      onNoApprover: 'admin',
      onSelfApproval: 'forbid',
      dedupConsecutive: false,
      actions: ['approve', 'reject', 'comment', 'cc'],
    },
    { id: 'activate', name: '新版本生效 / activate the new version', type: 'auto', activity: 'activateChainVersion' },
  ],
};

/**
 * 行动计划审核: the city's consolidated 项目清单+责任制 action plan, reviewed as one task by the province's
 * 基层工作部 (its reviewers; with none, its admin). The reviewer approves it or returns it to the city with
 * comments; there is no rejection — a plan is revised until it stands. Overdue: escalated, never decided by time.
 */
export const CAMPAIGN_PLAN_CHAIN: ChainDefinition = {
  key: 'campaign_plan',
  version: 1,
  type: 'campaign_plan',
  name: '行动计划审核 / action plan review',
  steps: [
    {
      id: 'provinceReview',
      name: '省总基层工作部审核 / province grassroots department',
      type: 'human',
      who: { kind: 'role', role: 'reviewer', level: 'province' },
      mode: 'single',
      sla: { limit: 'P5D', remindBefore: 'P1D', onTimeout: 'escalate' },
      onNoApprover: 'admin',
      onSelfApproval: 'forbid',
      actions: ['approve', 'return', 'transfer', 'delegate', 'comment', 'cc'],
    },
  ],
};

export const BUILTIN_CHAINS: ChainDefinition[] = [
  SUBSIDY_CHAIN,
  MEMBERSHIP_CHAIN,
  TRANSFER_CHAIN,
  PROJECT_LIST_CHAIN,
  SELF_ASSESSMENT_CHAIN,
  CHAIN_CHANGE_CHAIN,
  CAMPAIGN_PLAN_CHAIN,
  UNION_ESTABLISHMENT_CHAIN,
];
