/**
 * Why an action is not possible now (办理条件): the state half of "may I do
 * this?" — the application has ended, the task was handled, the step does not
 * take the action, nothing to retract or to remove. Who may act is the
 * authorization policy's (domain/policy.ts); this module says only what the
 * state of the application and its task allows, with a bilingual reason, so
 * the task and application pages can show a refused action and why. The
 * approval engine's validator asks the same rule for 撤销 (retract).
 */

import type { Step } from './chain';

/** The actions the pages offer, by their Chinese and English names. */
export const ACTION_NAMES: Readonly<Record<string, readonly [string, string]>> = {
  approve: ['同意', 'approving'],
  reject: ['不同意', 'rejecting'],
  return: ['退回', 'returning'],
  transfer: ['转办', 'transferring'],
  delegate: ['委派', 'delegating'],
  addSigner: ['加签', 'adding signers'],
  removeSigner: ['减签', 'removing signers'],
  assign: ['人工分拣', 'sorting'],
  comment: ['评论', 'comments'],
  cc: ['抄送', 'copying'],
  withdraw: ['撤回', 'withdrawing'],
  resubmit: ['重新提交', 'resubmitting'],
  retract: ['撤回审批', 'retracting an approval'],
  urge: ['催办', 'urging'],
};

/** An org's own applications: its staff and admins act for the applicant (policy actForApplicant). */
export function isOrgApplication(type: string): boolean {
  return type === 'subsidy' || type === 'project_list' || type === 'self_assessment' || type === 'campaign_plan' || type === 'union_establishment';
}

/** The application statuses after which nothing but a comment is possible. */
export const ENDED_STATUSES: ReadonlySet<string> = new Set(['approved', 'rejected', 'withdrawn']);

export const REASONS = {
  ended: '申请已结束 / the application has ended',
  returned: '申请已退回申请人修改 / the application was returned to the applicant for revision',
  notPending: '申请不在审批中 / the application is not being reviewed',
  handled: '任务已处理 / the task has been handled',
  cancelled: '任务已取消 / the task was cancelled',
  notCurrent: '任务不在当前步骤 / the task is not at the current step',
  branch: '并行分支中的步骤不支持加签、减签或分拣 / a step inside a parallel branch does not take added signers or sorting',
  delegate: '被委派人只能给出同意或不同意意见 / a delegate can only give an approve or reject opinion',
  ownApplication: '申请人不能审批自己的申请 / the applicant may not approve their own application',
  noAddedSigner: '没有您添加的、尚未处理的加签人 / no pending signer added by you',
  onlyReturned: '只有被退回的申请可以重新提交 / only a returned application can be resubmitted',
  nothingToRetract: '没有可撤销的审批：下一步已处理或您未审批上一步 / nothing to retract: the next step has acted, or you did not approve the previous step',
} as const;

/** 此步骤不允许加签 / this step does not allow adding signers. */
export function stepRefuses(action: string): string {
  const [zh, en] = ACTION_NAMES[action] ?? [action, action];
  return `此步骤不允许${zh} / this step does not allow ${en}`;
}

/** What the state rule needs to know of a task and its application. */
export interface TaskStateFacts {
  applicationStatus: string;
  taskStatus: string;
  /** The task is at the application's current step (and the application is under review). */
  atCurrentStep: boolean;
  /** The current step's configured actions (for a step inside a parallel branch, that branch step's). */
  stepActions: readonly string[];
  inBranch: boolean;
  /** The caller is the delegate (委派) of this task: they give an opinion only. */
  callerIsDelegate: boolean;
  /** The caller is the application's applicant. */
  callerIsApplicant: boolean;
  /** 减签: how many signers the caller added that may still be removed. */
  removableSigners: number;
  /** The policy's answer to "may the caller decide this task" (decideTask, or approveChainChange for a chain change's approval). */
  decision: { allow: true } | { allow: false; reason: string };
}

/**
 * Why a task action (other than a comment) is not possible in this state, or
 * undefined when it is possible: first what ends every action (the
 * application ended, the task handled), then who may act (the policy's
 * decision, passed in), then what the step takes.
 */
export function taskActionRefusal(action: string, f: TaskStateFacts): string | undefined {
  if (ENDED_STATUSES.has(f.applicationStatus)) return REASONS.ended;
  if (f.taskStatus === 'completed') return REASONS.handled;
  if (f.taskStatus === 'cancelled') return REASONS.cancelled;
  if (f.applicationStatus === 'returned') return REASONS.returned;
  if (!f.decision.allow) return f.decision.reason;
  if (!f.atCurrentStep) return REASONS.notCurrent;
  if (!f.stepActions.includes(action)) return stepRefuses(action);
  if (f.inBranch && (action === 'addSigner' || action === 'removeSigner' || action === 'assign')) return REASONS.branch;
  if (f.callerIsDelegate && action !== 'approve' && action !== 'reject') return REASONS.delegate;
  if (f.callerIsApplicant && (action === 'approve' || action === 'reject' || action === 'return')) return REASONS.ownApplication;
  if (action === 'removeSigner' && f.removableSigners === 0) return REASONS.noAddedSigner;
  return undefined;
}

/**
 * Why an applicant's action (withdraw, resubmit, urge, cc of the application)
 * is not possible in this state of the application, or undefined. A comment
 * is possible until the application ends.
 */
export function applicationActionRefusal(action: string, status: string): string | undefined {
  // An ended application's workflow has finished: nothing reaches it any more, not even a comment.
  if (ENDED_STATUSES.has(status)) return REASONS.ended;
  if (action === 'resubmit' && status !== 'returned') return REASONS.onlyReturned;
  if (action === 'urge' && status !== 'pending') return REASONS.notPending;
  return undefined;
}

/** What the retract rule needs of an application: its status, current step, steps and tasks. */
export interface RetractFacts<T extends RetractTask> {
  status: string;
  current: number;
  steps: readonly { type: string; status: string }[];
  tasks: readonly T[];
}
export interface RetractTask {
  stepIndex: number;
  kind: string;
  status: string;
  decision?: string;
  decidedBy?: string;
  voided?: boolean;
}

/**
 * 撤回审批 (retract): the caller's approval of the step before the current
 * one, while the current step has not acted — the task to reopen, or
 * undefined (then {@link REASONS.nothingToRetract}).
 */
export function retractableTask<T extends RetractTask>(s: RetractFacts<T>, username: string): T | undefined {
  if (s.status !== 'pending') return undefined;
  const prev = s.current - 1;
  const prevStep = s.steps[prev];
  if (!prevStep || prevStep.type !== 'human' || prevStep.status !== 'done') return undefined;
  if (s.tasks.some((t) => t.stepIndex === s.current && t.kind === 'approval' && t.status === 'completed')) return undefined;
  return s.tasks.find((t) => t.stepIndex === prev && t.decision === 'approve' && t.decidedBy === username && !t.voided);
}

/** What the 减签 rule needs of an application: its current step, steps (with who added them) and tasks. */
export interface SignerFacts {
  current: number;
  steps: readonly { status: string; added?: { by: string }; def: Step }[];
  tasks: readonly { stepIndex: number; status: string }[];
}

/**
 * 减签: the signers `by` added (加签) at or after the current step who have
 * not acted yet — each with the step they sign at — in step order.
 */
export function removableSigners(s: SignerFacts, by: string): { username: string; stepIndex: number }[] {
  const out: { username: string; stepIndex: number }[] = [];
  for (let i = s.current; i < s.steps.length; i++) {
    const st = s.steps[i]!;
    if (!st.added || st.added.by !== by || st.def.type !== 'human' || st.def.who.kind !== 'users') continue;
    const open = st.status === 'waiting' || (st.status === 'active' && !s.tasks.some((t) => t.stepIndex === i && t.status === 'completed'));
    if (open) for (const username of st.def.who.usernames) out.push({ username, stepIndex: i });
  }
  return out;
}
