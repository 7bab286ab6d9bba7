/**
 * Chain safety (审批链安全校验): a chain must never move money or admit or
 * move a member on its own. Before every automated step that does — a
 * "guarded" step — an application must meet at least one human decision made
 * by someone other than the applicant, which nothing can skip and no clock
 * can take short of a working day.
 *
 * Pure and deterministic: the API refuses a proposed chain with these issues
 * (400, each naming its step path), and the unit tests run it directly.
 */
import { MS_PER_DAY, durationToMs } from './duration';
import type { AutoStepName, HumanStep, ParallelGroup, Step } from './chain';

/** Automated steps that move money (补助下拨), admit or move a member (入会、会籍转移), or change a chain (审批链生效). */
export const GUARDED_AUTO_STEPS: readonly AutoStepName[] = [
  'issueSubsidyNotice',
  'assignToUnion',
  'collectMemberInfo',
  'verifyRealName',
  'transferMembership',
  'activateChainVersion',
];

/** The shortest time limit after which a step may approve automatically: one working day (P1D). */
export const MIN_AUTO_APPROVE_MS = MS_PER_DAY;

export interface ChainIssue {
  /** Where in the chain, e.g. `steps.2.activity`, `steps.0.onNoApprover`. */
  path: string;
  message: string;
}

/**
 * Why this human step might not be a decision by a person other than the
 * applicant: each reason names the field that makes it so. Empty: the step is
 * a real human decision.
 */
export function weakHumanStep(step: HumanStep, index: number | string): ChainIssue[] {
  const at = (field: string) => `steps.${index}.${field}`;
  const issues: ChainIssue[] = [];
  if (step.when !== undefined && step.when !== true)
    issues.push({ path: at('when'), message: '带条件的步骤可能被跳过，不算人工审批 / a step with a condition may be skipped: not a human decision' });
  if (step.onNoApprover === 'skip')
    issues.push({ path: at('onNoApprover'), message: '无人匹配时会跳过，不算人工审批 / skipped when nobody matches: not a human decision' });
  if (step.who.kind === 'users' && new Set(step.who.usernames).size === 1 && (step.onSelfApproval ?? 'skip') === 'skip')
    issues.push({
      path: at('onSelfApproval'),
      message:
        '只指定一人且申请人本人时跳过：此人自己申请时无人审批，请设为 forbid 或多指定一人 / names one user and skips them as applicant: set forbid or name more users',
    });
  if (step.sla?.onTimeout === 'autoApprove' && durationToMs(step.sla.limit) < MIN_AUTO_APPROVE_MS)
    issues.push({
      path: at('sla.limit'),
      message: '超时自动通过的时限至少一个工作日（P1D）/ a step that approves automatically needs a time limit of at least one working day (P1D)',
    });
  return issues;
}

/**
 * Why a parallel group might not be a sound human decision. Mode `all` waits
 * for every branch, so one branch with a sound step is enough; mode `any`
 * ends with whichever branch finishes first, so every branch needs one. A
 * group with a condition may be skipped as a whole.
 */
export function weakParallelGroup(group: ParallelGroup, index: number): ChainIssue[] {
  if (group.when !== undefined && group.when !== true)
    return [{ path: `steps.${index}.when`, message: '带条件的分支组可能被跳过，不算人工审批 / a group with a condition may be skipped: not a human decision' }];
  const perBranch = group.branches.map((steps, b) => {
    const weak = steps.map((st, j) => weakHumanStep(st, `${index}.branches.${b}.${j}`));
    return weak.some((w) => w.length === 0) ? [] : weak.flat();
  });
  const sound = group.mode === 'all' ? perBranch.some((w) => w.length === 0) : perBranch.every((w) => w.length === 0);
  return sound ? [] : perBranch.flat();
}

/**
 * Every way an application could reach a guarded automated step without a
 * human decision by someone other than the applicant. For each guarded step
 * with no sound human step before it: the guarded step itself, and the
 * reasons each human step before it does not count.
 */
export function chainSafetyIssues(steps: readonly Step[]): ChainIssue[] {
  const issues: ChainIssue[] = [];
  let guarded = false; // a sound human decision has happened by this point
  const weakBefore: ChainIssue[] = [];
  steps.forEach((step, i) => {
    if (guarded) return;
    if (step.type === 'human') {
      const weak = weakHumanStep(step, i);
      if (weak.length === 0) guarded = true;
      else weakBefore.push(...weak);
      return;
    }
    if (step.type === 'parallel') {
      const weak = weakParallelGroup(step, i);
      if (weak.length === 0) guarded = true;
      else weakBefore.push(...weak);
      return;
    }
    if (!GUARDED_AUTO_STEPS.includes(step.activity)) return;
    issues.push({
      path: `steps.${i}.activity`,
      message: `自动步骤“${step.activity}”之前须有一个不可跳过、由申请人以外的人作出的人工审批 / "${step.activity}" needs a human decision by someone other than the applicant before it, one that cannot be skipped`,
    });
    for (const w of weakBefore) if (!issues.some((x) => x.path === w.path)) issues.push(w);
  });
  return issues;
}
