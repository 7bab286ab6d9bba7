/**
 * Approval chains (审批链) are data: an ordered list of steps, stored
 * versioned in Postgres and snapshotted into each running application, so an
 * application keeps the chain version it started with.
 */

/** Where a step's approvers sit, relative to the applicant's org. */
export type OrgLevel =
  | 'self' // the applicant's own org
  | 'parent' // the org directly above it
  | 'region' // the nearest county/district or city industry union (县区总工会、产业工会)
  | 'city' // 市总工会
  | 'province' // 省总工会
  | 'target'; // the grassroots union the application was sorted to (membership, transfer)

export type Who = { kind: 'role'; role: string; level: OrgLevel } | { kind: 'users'; usernames: string[] };

/** single: one approver; all: 会签, everyone must approve; any: 或签, the first decision counts. */
export type StepMode = 'single' | 'all' | 'any';

export type TimeoutAction = 'escalate' | 'autoApprove' | 'autoReject';

export interface Sla {
  /** Time limit: ISO 8601 duration (day parts count working days) or milliseconds. */
  limit: string | number;
  /** Reminder this long before the limit. */
  remindBefore?: string | number;
  onTimeout: TimeoutAction;
}

export const TASK_ACTIONS = ['approve', 'reject', 'return', 'transfer', 'delegate', 'addSigner', 'removeSigner', 'assign', 'comment', 'cc'] as const;
export const APPLICATION_ACTIONS = ['resubmit', 'withdraw', 'retract', 'comment', 'urge', 'cc'] as const;
export type TaskAction = (typeof TASK_ACTIONS)[number];
export type ApplicationAction = (typeof APPLICATION_ACTIONS)[number];
/**
 * Administrative task actions: never configured on a step nor sent from the
 * task route; the cadre rotation job (干部轮岗) sends them. `release` (退回角色池)
 * ends one person's hold on a task: a delegate's (the task goes back to its
 * owner) or the assignee's (the task becomes a pool task of its role and org).
 */
export const ADMIN_TASK_ACTIONS = ['release'] as const;
export type AdminTaskAction = (typeof ADMIN_TASK_ACTIONS)[number];
export type ActionName = TaskAction | ApplicationAction | AdminTaskAction;

/**
 * A step's condition (条件): a JSON Logic expression (jsonlogic.com) over the
 * application's facts — `amount`, `type`, `group`, `applicantOrgKind`,
 * `applicantOrgLevel` and `form.<field>` — e.g. `{">": [{"var": "amount"}, 50000]}`.
 * Evaluated when the step is reached; false skips the step.
 */
export type Condition = Record<string, unknown> | boolean;

/** The facts a condition may name besides the form's own fields (`form.<field>`). */
export const CONDITION_FACTS = ['amount', 'type', 'group', 'applicantOrgKind', 'applicantOrgLevel'] as const;

/** What an approver at a step may do with a form field: see it, correct it, or never see it. */
export type FieldAccess = 'read' | 'edit' | 'hidden';

/** An application type's form (申请表单): JSON Schema 2020-12 plus display hints (labels, order, widgets). */
export interface FormDefinition {
  schema: Record<string, unknown>;
  ui?: Record<string, unknown>;
}

/** The labels a form gives its fields (for words about them): the ui part's `ui:title` or `label`, else the schema's `title`. */
export function formLabels(form?: FormDefinition | null): Record<string, string> {
  const out: Record<string, string> = {};
  const props = (form?.schema?.properties ?? {}) as Record<string, { title?: unknown } | undefined>;
  const ui = (form?.ui ?? {}) as Record<string, Record<string, unknown> | undefined>;
  for (const [name, p] of Object.entries(props)) {
    const hint = ui[name];
    const label = hint?.['ui:title'] ?? hint?.label ?? (p && typeof p === 'object' ? p.title : undefined);
    if (typeof label === 'string' && label.trim()) out[name] = label.trim();
  }
  return out;
}

export interface HumanStep {
  id: string;
  name: string;
  type: 'human';
  who: Who;
  mode: StepMode;
  sla?: Sla;
  /** Nobody matches: skip the step, or send it to the org's admin. Default: admin. */
  onNoApprover?: 'skip' | 'admin';
  /** The approver is the applicant: skip them, or forbid them to act. Default: skip. */
  onSelfApproval?: 'skip' | 'forbid';
  /** The same person approved the previous step: approve once (default true). */
  dedupConsecutive?: boolean;
  /** Actions this step allows on its tasks; default: all but `assign`. */
  actions?: TaskAction[];
  /** The step needs full personal data (ID numbers) to decide (身份审核). */
  showsPersonalData?: boolean;
  /** Reached only when this holds (evaluated afresh each time the step is reached); absent: always. */
  when?: Condition;
  /** Per form field: read (default), edit or hidden for this step's approvers. */
  fields?: Record<string, FieldAccess>;
}

/** Names of the automated steps the worker implements as activities. */
export const AUTO_STEPS = [
  'issueSubsidyNotice', // 立项通知 + 下拨补助资金
  'sortMembership', // 平台分拣 (and dedup by ID number)
  'assignToUnion', // 任务分配
  'collectMemberInfo', // 信息采集
  'verifyRealName', // 实名认证
  'transferMembership', // 会籍转移
  'activateChainVersion', // 审批链变更生效: saves an approved chain change (chain_change only)
] as const;
export type AutoStepName = (typeof AUTO_STEPS)[number];

export interface AutoStep {
  id: string;
  name: string;
  type: 'auto';
  activity: AutoStepName;
}

/**
 * 并行分支: branches that run at once (e.g. 工交工会 and 财贸工会 both review a
 * cross-industry project), joined when all of them, or the first of them
 * (`mode: 'any'`: the other branches' open tasks are cancelled), finish. Each
 * branch is a list of human steps climbed in order; a rejection in any branch
 * rejects the application; a return inside a branch returns the application
 * (to the applicant or an earlier step before the group) and the whole group
 * runs again when it comes back. Groups do not nest.
 */
export interface ParallelGroup {
  type: 'parallel';
  id: string;
  name: string;
  mode: 'all' | 'any';
  branches: HumanStep[][];
  /** Reached only when this holds; false skips the whole group. */
  when?: Condition;
}

export type Step = HumanStep | AutoStep | ParallelGroup;

/** Every human step of a chain with its path (`['steps', 2]`, `['steps', 3, 'branches', 0, 1]`): top-level ones and those in the branches of parallel groups. */
export function humanStepsOf(steps: readonly Step[]): { step: HumanStep; path: (string | number)[] }[] {
  return steps.flatMap((st, i) => {
    if (st.type === 'human') return [{ step: st, path: ['steps', i] }];
    if (st.type === 'parallel') return st.branches.flatMap((b, bi) => b.map((x, j) => ({ step: x, path: ['steps', i, 'branches', bi, j] })));
    return [];
  });
}

export const APPLICATION_TYPES = [
  'subsidy',
  'membership',
  'transfer',
  'project_list',
  'self_assessment',
  'chain_change',
  'campaign_plan',
  'union_establishment',
] as const;
export type ApplicationType = (typeof APPLICATION_TYPES)[number];

/**
 * 审批链变更: a change to a chain is itself an application, approved on the
 * built-in chain_change chain. That chain is the product's and cannot be
 * changed through itself, so it is the one type no org may configure.
 */
export const CONFIGURABLE_TYPES = APPLICATION_TYPES.filter((t): t is Exclude<ApplicationType, 'chain_change'> => t !== 'chain_change');

/** Automated steps only the built-in chain_change chain may run. */
export const BUILTIN_ONLY_AUTO_STEPS: readonly AutoStepName[] = ['activateChainVersion'];

export interface ChainDefinition {
  key: string;
  version: number;
  /**
   * The org that owns this chain (审批链归属): it applies to applications from
   * that org's subtree. Absent or null: a global built-in, the default everywhere.
   */
  owner?: string | null;
  name: string;
  /** The kind of application this chain approves. */
  type: ApplicationType;
  steps: Step[];
  /** The application type's form, versioned with the chain. */
  form?: FormDefinition;
}

export const DEFAULT_TASK_ACTIONS: TaskAction[] = ['approve', 'reject', 'return', 'transfer', 'delegate', 'addSigner', 'removeSigner', 'comment', 'cc'];

export function allowedActions(step: HumanStep): TaskAction[] {
  return step.actions ?? DEFAULT_TASK_ACTIONS;
}

/** The step that a holding-pool (周转池) application waits in for manual sorting by city staff. */
export const HOLDING_POOL_STEP: HumanStep = {
  id: 'holdingPool',
  name: '周转池人工分拣 / manual sorting',
  type: 'human',
  who: { kind: 'role', role: 'staff', level: 'city' },
  mode: 'any',
  onNoApprover: 'admin',
  dedupConsecutive: false,
  actions: ['assign', 'reject', 'comment', 'transfer'],
};

/** Steps a membership application continues with once it turns out to be a transfer. */
export const TRANSFER_STEPS: Step[] = [
  {
    id: 'receivingReview',
    name: '转入工会审核 / receiving union review',
    type: 'human',
    who: { kind: 'role', role: 'reviewer', level: 'target' },
    mode: 'single',
    onNoApprover: 'admin',
    showsPersonalData: true,
  },
  { id: 'transfer', name: '会籍转移 / transfer membership', type: 'auto', activity: 'transferMembership' },
];
