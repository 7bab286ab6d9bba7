/**
 * The approval engine (审批引擎): the state machine of one application
 * climbing its chain, as pure functions over {@link ApprovalState}.
 *
 * Nothing here performs I/O or reads the clock: each function changes the
 * state it is given and returns the {@link Effects} to perform — audit
 * entries, task records, notifications, whether the application projection
 * must be written — or, from {@link advance}, what must happen next (resolve
 * a step's approvers, run an automated step). The workflow
 * (approval-chain.ts) performs them through its activities and feeds the
 * results back ({@link onStepResolved}, {@link onAutoStepResult}).
 *
 * Who may do what comes from domain/policy.ts only. Versioning decisions
 * (`patched()`) reach the engine as the {@link Patches} function the workflow
 * passes in, asked at exactly the points the workflow asked them before.
 *
 * Deterministic and I/O-free: imported by workflow code and by unit tests.
 */
import {
  allowedActions,
  formLabels,
  HOLDING_POOL_STEP,
  TRANSFER_STEPS,
  type FieldAccess,
  type HumanStep,
  type ParallelGroup,
  type Step,
} from '../domain/chain';
import { ENDED_STATUSES, REASONS, isOrgApplication, removableSigners, retractableTask as retractable } from '../domain/action-availability';
import { amountCorrectionProblem, applyEdits, canonicalJson } from '../domain/form';
import {
  actForApplicant,
  copyApplicationTarget,
  decideTask,
  editFormFields,
  deputyOn,
  handOffTarget,
  joinApplication,
  urgeApplication,
  type ApplicationFacts,
  type Principal,
  type TaskFacts,
} from '../domain/policy';
import type {
  ActionInput,
  Actor,
  ApplicationView,
  ApprovalInput,
  ApprovalState,
  AuditEntry,
  AutoStepInput,
  AutoStepResult,
  BranchState,
  ConditionPayload,
  ConditionResult,
  EvaluateConditionInput,
  NotificationRecord,
  ProcessedDigest,
  ResolvedStep,
  ResolveStepInput,
  StepState,
  TaskRecord,
  TaskState,
  TransitionRecord,
} from './approval-types';

/** Statuses after which nothing but comments happens. */
export const FINAL: ReadonlySet<string> = ENDED_STATUSES;
/** Idempotency keys kept per application (oldest dropped first). */
export const MAX_REMEMBERED_KEYS = 1000;
/** The patch behind which a changed resubmission restarts the review. */
export const CHANGED_RESUBMIT_PATCH = 'changed-resubmit-restarts';
/** The patch behind which a step's condition (`when`) is evaluated when the step is reached. */
export const STEP_CONDITIONS_PATCH = 'step-conditions';

/** The records a transition produces, for the workflow to persist in one activity. */
export interface Effects {
  audit: AuditEntry[];
  tasks: TaskRecord[];
  notifications: NotificationRecord[];
  /** The application row (status, current step, title, payload) must be written. */
  projection: boolean;
}

/** A refused action: the HTTP-like type the API maps to 403 / 409 / 400, and the bilingual reason. */
export interface Refusal {
  type: 'Forbidden' | 'Conflict' | 'BadRequest';
  message: string;
}

/** `patched(id)` of the workflow; unit tests pass `() => true` (a new run). */
export type Patches = (patchId: string) => boolean;

/** What the chain needs next. */
export type Next =
  /** Resolve a human step's approvers (and its condition); `branch`: a step of the parallel group at `stepIndex`. */
  | { kind: 'resolve'; stepIndex: number; branch?: number; input: ResolveStepInput }
  /** Evaluate a parallel group's condition; answer with {@link onConditionEvaluated}. */
  | { kind: 'evaluate'; stepIndex: number; input: EvaluateConditionInput }
  | { kind: 'runAuto'; stepIndex: number; input: AutoStepInput }
  /** A human step is open: wait for actions (or deadlines). */
  | { kind: 'wait' }
  /** Nothing to move: the application is final, returned, or all steps are through. */
  | { kind: 'done' };

/** A deadline handler's request: find who an overdue task escalates to (督办). */
export interface EscalationRequest {
  taskId: string;
  orgId: string;
}

export function noEffects(): Effects {
  return { audit: [], tasks: [], notifications: [], projection: false };
}

/** Adds `from` to `into`; a task queued twice keeps its first place and its latest record. */
export function mergeEffects(into: Effects, from: Effects): void {
  into.audit.push(...from.audit);
  into.notifications.push(...from.notifications);
  for (const t of from.tasks) {
    const idx = into.tasks.findIndex((x) => x.id === t.id);
    if (idx >= 0) into.tasks[idx] = t;
    else into.tasks.push(t);
  }
  into.projection = into.projection || from.projection;
}

export function initialState(input: ApprovalInput): ApprovalState {
  const labels = formLabels(input.chain.form);
  return {
    ...(Object.keys(labels).length ? { formLabels: labels } : {}),
    applicationId: input.applicationId,
    type: input.type,
    chainKey: input.chain.key,
    chainVersion: input.chain.version,
    applicant: input.applicant,
    applicantOrg: input.applicantOrg,
    title: input.title,
    payload: input.payload,
    targetOrg: input.targetOrg,
    status: 'pending',
    steps: input.chain.steps.map((def: Step) => ({ def: JSON.parse(JSON.stringify(def)) as Step, status: 'waiting', forbidden: [] })),
    current: 0,
    tasks: [],
    revision: 0,
    dedupBlocked: false,
    processed: {},
    processedOrder: [],
    seq: 0,
    participants: input.applicant ? [input.applicant] : [],
  };
}

/** The application as the query and every action's result show it. */
export function view(s: ApprovalState): ApplicationView {
  return {
    id: s.applicationId,
    type: s.type,
    status: s.status,
    currentStep: FINAL.has(s.status) ? null : (s.steps[s.current]?.def.name ?? null),
    currentStepIndex: s.current,
    chainVersion: s.chainVersion,
    steps: s.steps.map((st, index) => ({
      index,
      id: st.def.id,
      name: st.def.name,
      type: st.def.type,
      status: st.status,
      added: st.added,
      rule: st.rule,
      def: st.def,
      ...(st.branches
        ? {
            branches: st.branches.map((b, bi) => ({
              index: bi,
              name: branchName(st, bi),
              status: b.status,
              current: b.current,
              steps: b.steps.map((x, i) => ({ index: i, id: x.def.id, name: x.def.name, status: x.status, rule: x.rule })),
            })),
          }
        : {}),
    })),
    tasks: s.tasks.filter((t) => t.kind !== 'cc'),
    targetOrg: s.targetOrg,
    revision: s.revision,
    ...(s.formLabels ? { formLabels: s.formLabels } : {}),
  };
}

// ---------------------------------------------------------------------------
// Parallel groups (并行分支): where a task's step lives
// ---------------------------------------------------------------------------

/** The step a task belongs to: a chain step, or a step inside a branch of the parallel group at `stepIndex`. */
export function stepOf(s: ApprovalState, t: { stepIndex: number; branch?: number; branchStep?: number }): StepState | undefined {
  const st = s.steps[t.stepIndex];
  if (t.branch === undefined || !st?.branches) return st;
  return st.branches[t.branch]?.steps[t.branchStep ?? 0];
}

/**
 * A branch is named by its first step (branches carry no name of their own in a chain), in Chinese and
 * English: 分支 1（工交工会审核） / branch 1 (transport union review).
 */
export function branchLabel(group: StepState, branch: number): { zh: string; en: string } {
  const def = group.def as ParallelGroup;
  const first = group.branches?.[branch]?.steps[0]?.def.name ?? def.branches?.[branch]?.[0]?.name ?? '';
  const cut = first.indexOf(' / ');
  const [zh, en] = cut >= 0 ? [first.slice(0, cut), first.slice(cut + 3)] : [first, first];
  return { zh: `分支 ${branch + 1}（${zh}）`, en: `branch ${branch + 1} (${en})` };
}

/** A branch's name as the API shows it: "中文 / English". */
export function branchName(group: StepState, branch: number): string {
  const l = branchLabel(group, branch);
  return `${l.zh} / ${l.en}`;
}

/** The payload fields a condition reads. */
function conditionPayload(s: ApprovalState): ConditionPayload {
  const p = s.payload;
  return {
    ...(p.amount !== undefined ? { amount: p.amount } : {}),
    ...(p.group !== undefined ? { group: p.group } : {}),
    ...(p.form !== undefined ? { form: p.form } : {}),
    ...(s.formLabels ? { labels: s.formLabels } : {}),
  };
}

// ---------------------------------------------------------------------------
// Idempotency: a small digest per key
// ---------------------------------------------------------------------------

/** Whether this idempotency key was already processed (a repeat returns the current view and changes nothing). */
export function seen(s: ApprovalState, key: string): boolean {
  return !!s.processed[key];
}

/**
 * Whether the action names a task this state has not opened (yet). While transitions are out or queued, such an
 * action may concern a task one of them opens — after a worker crash the run writes its tasks again while approvers
 * already see them — so it waits for them instead of being refused.
 */
export function namesUnopenedTask(s: ApprovalState, a: ActionInput): boolean {
  return !!a.taskId && !s.tasks.some((t) => t.id === a.taskId);
}

/** Records what a key did: the action, its task, and the status and revision it left. */
export function remember(s: ApprovalState, key: string, a: Pick<ProcessedDigest, 'action' | 'taskId'>): void {
  const digest: ProcessedDigest = { action: a.action, ...(a.taskId ? { taskId: a.taskId } : {}), status: s.status, revision: s.revision };
  if (!s.processed[key]) s.processedOrder.push(key);
  s.processed[key] = digest;
  while (s.processedOrder.length > MAX_REMEMBERED_KEYS) delete s.processed[s.processedOrder.shift()!];
}

// ---------------------------------------------------------------------------
// Validation: pure checks against the current state and the policy.
// ---------------------------------------------------------------------------

/** The actor as the policy sees them. Without an org path (an old caller) nobody's subtree covers anything. */
function principalOf(actor: Actor): Principal {
  // '\u0000' starts no org path: `within(path, '')` would put everything in scope.
  return {
    username: actor.username,
    orgId: actor.orgId,
    orgPath: actor.orgPath || '\u0000',
    roles: actor.roles,
    ...(actor.posts ? { posts: actor.posts } : {}),
  };
}

function applicationFacts(s: ApprovalState, a: ActionInput): ApplicationFacts | undefined {
  return a.application ? { applicant: s.applicant, applicantOrgPath: a.application.applicantOrgPath, targetOrgPath: a.application.targetOrgPath } : undefined;
}

/** What the policy needs of a task in state. */
export function taskFacts(s: ApprovalState, t: TaskState): TaskFacts {
  const def = stepOf(s, t)?.def;
  return {
    assignee: t.assignee,
    delegatedTo: t.delegatedTo ?? null,
    role: t.role,
    orgId: t.orgId,
    orgPath: t.orgPath ?? null,
    candidates: t.candidates,
    showsPersonalData: def?.type === 'human' && !!def.showsPersonalData,
    deputies: t.deputies ?? null,
  };
}

const refusal = (type: Refusal['type'], message: string): Refusal => ({ type, message });

/** Each named user must be a known, active user the task (or, without a task, the application) may go to. */
function refuseTargets(s: ApprovalState, a: ActionInput, usernames: readonly string[], task: TaskState | undefined): Refusal | undefined {
  for (const u of usernames) {
    const fact = a.targets?.find((x) => x.username === u);
    if (!fact || !fact.active) return refusal('BadRequest', `用户 ${u} 不存在或已停用 / unknown or inactive user ${u}`);
    const d = task ? handOffTarget(taskFacts(s, task), fact) : copyApplicationTarget(applicationFacts(s, a), fact);
    if (!d.allow) return refusal('Forbidden', `${d.reason}（${u}）`);
  }
  return undefined;
}

/**
 * The Update validator: may this actor do this now? Returns the refusal, or
 * undefined when allowed. An already processed idempotency key is allowed
 * (its handler returns the current view and changes nothing).
 */
export function validate(s: ApprovalState, a: ActionInput): Refusal | undefined {
  if (seen(s, a.idempotencyKey)) return undefined;
  if (FINAL.has(s.status) && a.action !== 'comment') return refusal('Conflict', `申请已结束（${s.status}）/ application is already ${s.status}`);
  const me = a.actor.username;
  const p = principalOf(a.actor);
  const orgApplication = isOrgApplication(s.type);
  switch (a.action) {
    case 'resubmit':
      if (s.status !== 'returned') return refusal('Conflict', '只有被退回的申请可以重新提交 / only a returned application can be resubmitted');
      if (!actForApplicant(p, { applicant: s.applicant, applicantOrgId: s.applicantOrg, orgApplication }).allow)
        return refusal('Forbidden', '只有申请人（或申请单位的干事）可以重新提交 / only the applicant can resubmit');
      return undefined;
    case 'withdraw':
      if (!actForApplicant(p, { applicant: s.applicant, applicantOrgId: s.applicantOrg, orgApplication }).allow)
        return refusal('Forbidden', '只有申请人（或申请单位的干事）可以撤回 / only the applicant can withdraw');
      return undefined;
    case 'retract':
      if (!retractableTask(s, me)) return refusal('Conflict', REASONS.nothingToRetract);
      return undefined;
    case 'urge': {
      if (s.status !== 'pending') return refusal('Conflict', '申请不在审批中 / application is not pending');
      const facts = applicationFacts(s, a) ?? { applicant: s.applicant, applicantOrgPath: '\u0000', targetOrgPath: null };
      if (!urgeApplication(p, facts).allow) return refusal('Forbidden', '只有申请人或管理员可以催办 / only the applicant or an admin can urge');
      return undefined;
    }
    case 'comment': {
      if (!a.comment) return refusal('BadRequest', '请填写意见 / comment is required');
      // On a task (the approvers' thread) participants only; on the application also an admin over it.
      const d = joinApplication(p, a.taskId ? undefined : applicationFacts(s, a), isParticipant(s, me));
      if (!d.allow) return refusal('Forbidden', d.reason);
      return undefined;
    }
    case 'cc': {
      if (!a.to?.length) return refusal('BadRequest', '请选择抄送人 / choose who to copy');
      // A copy from a task goes where the task could go; a copy of the application stays with the orgs it concerns.
      const task = a.taskId ? s.tasks.find((x) => x.id === a.taskId && x.kind === 'approval') : undefined;
      if (a.taskId && !task) return refusal('Conflict', '任务不存在或不属于此申请 / no such task on this application');
      // Copying from a task is one of the task's actions: its holder's (or an overriding admin's), like a hand-off;
      // copying the application is for its participants and the admins over it.
      const d = task ? decideTask(p, taskFacts(s, task), { applicant: s.applicant }) : joinApplication(p, applicationFacts(s, a), isParticipant(s, me));
      if (!d.allow) return refusal('Forbidden', d.reason);
      return refuseTargets(s, a, a.to, task);
    }
    default:
      return validateTaskAction(s, a, p);
  }
}

function validateTaskAction(s: ApprovalState, a: ActionInput, p: Principal): Refusal | undefined {
  const me = a.actor.username;
  const t = s.tasks.find((x) => x.id === a.taskId);
  if (!t || t.kind !== 'approval') return refusal('Conflict', '任务不存在或不属于此申请 / no such task on this application');
  if (t.status !== 'pending') return refusal('Conflict', `任务已${t.status === 'completed' ? '完成' : '取消'}，不能再处理 / task is already ${t.status}`);
  const step = stepOf(s, t);
  if (!step || step.def.type !== 'human' || t.stepIndex !== s.current) return refusal('Conflict', '任务不在当前步骤 / task is not at the current step');
  if (t.branch !== undefined && (a.action === 'addSigner' || a.action === 'removeSigner' || a.action === 'assign'))
    return refusal('Conflict', '并行分支中的步骤不支持加签、减签或分拣 / a step inside a parallel branch does not take added signers or sorting');
  // 减签 of signers added before one's own step: while they sign, the adder's
  // own task is cancelled, so the adder names the signer's task instead.
  const takingBack = a.action === 'removeSigner' && step.added?.by === me;
  if (!takingBack) {
    // 退回角色池 is the administration's move, not one of the step's configured actions.
    if (a.action !== 'release' && !allowedActions(step.def).includes(a.action as never))
      return refusal('Conflict', `此步骤不允许“${a.action}” / this step does not allow ${a.action}`);
    const d = decideTask(p, taskFacts(s, t), { applicant: s.applicant });
    if (!d.allow) return refusal('Forbidden', d.reason);
  }
  // Whatever the step's rule (skip or forbid), the applicant never decides their own
  // application: not as an admin acting in bulk, nor on a task handed to them.
  if ((step.forbidden.includes(me) || (!!s.applicant && s.applicant === me)) && ['approve', 'reject', 'return'].includes(a.action))
    return refusal('Forbidden', '申请人不能审批自己的申请 / the applicant may not approve their own application');
  if (s.applicant && ['transfer', 'delegate', 'addSigner'].includes(a.action) && a.to?.includes(s.applicant))
    return refusal('BadRequest', '不能交给申请人本人审批 / cannot hand the decision to the applicant');
  if (t.delegatedTo && a.action !== 'approve' && a.action !== 'reject' && t.delegatedTo === me)
    return refusal('Conflict', '被委派人只能给出同意或不同意意见 / a delegate can only give an approve or reject opinion');
  // 字段权限: corrections go with an approval, by whoever decides the task, on fields the step lets them edit.
  if (a.edits && Object.keys(a.edits).length) {
    if (a.action !== 'approve') return refusal('BadRequest', '只有同意时可以修改表单 / form edits go with an approval');
    if (t.delegatedTo && t.delegatedTo === me)
      return refusal('Forbidden', '被委派人只能给出意见，不能修改表单 / a delegate gives an opinion and edits nothing');
    const d = editFormFields(step.def.fields, Object.keys(a.edits));
    if (!d.allow) return refusal('Forbidden', d.reason);
    const lowered = 'amount' in a.edits ? amountCorrectionProblem(s.payload.amount, a.edits.amount) : undefined;
    if (lowered) return refusal('BadRequest', lowered);
  }
  switch (a.action) {
    case 'return':
      if (a.returnTo === undefined) return refusal('BadRequest', '请选择退回到申请人或之前的步骤 / returnTo is required');
      if (a.returnTo === 'applicant' && !s.applicant) return refusal('Conflict', '此申请没有可退回的账号申请人 / this applicant has no account to return to');
      if (typeof a.returnTo === 'number' && (a.returnTo < 0 || a.returnTo >= s.current || s.steps[a.returnTo]?.def.type !== 'human'))
        return refusal('BadRequest', '只能退回到之前的人工审批步骤 / returnTo must be an earlier human step');
      return undefined;
    case 'transfer':
    case 'delegate':
      if (a.to?.length !== 1) return refusal('BadRequest', '请选择一位接收人 / choose exactly one user');
      if (a.to[0] === me) return refusal('BadRequest', '不能转给自己 / cannot hand the task to yourself');
      return refuseTargets(s, a, a.to, t);
    case 'addSigner':
      if (!a.to?.length) return refusal('BadRequest', '请选择加签人 / choose who to add');
      if (a.position !== 'before' && a.position !== 'after') return refusal('BadRequest', '请选择在当前步骤之前或之后加签 / position must be before or after');
      return refuseTargets(s, a, a.to, t);
    case 'removeSigner':
      if (a.to?.length !== 1) return refusal('BadRequest', '请选择要减签的人 / choose the signer to remove');
      if (findAddedStep(s, a.to[0]!, me) === undefined)
        return refusal('Conflict', '没有您添加的、尚未处理的该加签人 / no pending signer of that name added by you');
      return undefined;
    case 'assign':
      if (a.to?.length !== 1) return refusal('BadRequest', '请选择一个基层工会 / choose one grassroots union');
      return undefined;
    case 'release': {
      const holder = a.holder ?? t.delegatedTo ?? t.assignee;
      if (t.delegatedTo && holder === t.delegatedTo) return undefined;
      if (!holder || holder !== t.assignee) return refusal('Conflict', '该用户不持有此任务 / that user does not hold this task');
      if (!t.role || !t.orgId) return refusal('Conflict', '此任务没有可退回的角色池 / this task has no role pool to go back to');
      return undefined;
    }
    default:
      return undefined;
  }
}

function isParticipant(s: ApprovalState, username: string): boolean {
  return s.applicant === username || s.participants.includes(username) || s.tasks.some((t) => t.candidates.includes(username) || t.assignee === username);
}

/** The caller's approval of the step before the current one, while the current step has not acted (撤销): the rule in domain/action-availability.ts. */
function retractableTask(s: ApprovalState, username: string): TaskState | undefined {
  return retractable(
    { status: s.status, current: s.current, steps: s.steps.map((st) => ({ type: st.def.type, status: st.status })), tasks: s.tasks },
    username,
  );
}

function findAddedStep(s: ApprovalState, username: string, by: string): number | undefined {
  return removableSigners(s, by).find((x) => x.username === username)?.stepIndex;
}

// ---------------------------------------------------------------------------
// The recorder: state helpers that also note the records to persist.
// ---------------------------------------------------------------------------

/** One transition in the making: the state and the effects it has produced so far (also used by approval-migration.ts). */
export class Transition {
  readonly fx: Effects = noEffects();
  constructor(
    readonly s: ApprovalState,
    readonly patches: Patches,
  ) {}

  nextId(prefix: string): string {
    this.s.seq += 1;
    return `${this.s.applicationId}-${prefix}-${this.s.seq}`;
  }
  audit(actor: string, action: string, stepIndex: number | null, comment?: string | null, data?: Record<string, unknown>): void {
    const step = stepIndex === null ? undefined : this.s.steps[stepIndex];
    // An entry of a step inside a parallel branch names the group and that step.
    const inBranch =
      step && typeof data?.branch === 'number' && typeof data.branchStep === 'number'
        ? stepOf(this.s, { stepIndex: stepIndex!, branch: data.branch, branchStep: data.branchStep })
        : undefined;
    this.fx.audit.push({
      key: this.nextId('audit'),
      applicationId: this.s.applicationId,
      actor,
      action,
      stepIndex,
      step: step ? (inBranch ? `${step.def.name} › ${inBranch.def.name}` : step.def.name) : null,
      comment: comment ?? null,
      data,
    });
  }
  notify(username: string, kind: NotificationRecord['kind'], message: string): void {
    this.fx.notifications.push({ key: this.nextId('note'), username, applicationId: this.s.applicationId, kind, message });
  }
  queueTask(t: TaskState): void {
    const s = this.s;
    const def = stepOf(s, t)?.def; // a branch task: its step inside the parallel group
    const fields = def?.type === 'human' ? def.fields : undefined;
    const rec: TaskRecord = {
      id: t.id,
      applicationId: s.applicationId,
      kind: t.kind,
      stepIndex: t.stepIndex,
      stepName: stepOf(s, t)?.def.name ?? '',
      assignee: t.delegatedTo ?? t.assignee,
      owner: t.delegatedTo ? t.assignee : null,
      role: t.delegatedTo ? null : t.role,
      orgId: t.orgId,
      orgPath: t.orgPath ?? null,
      showsPersonalData: taskFacts(s, t).showsPersonalData,
      candidates: t.delegatedTo ? [t.delegatedTo] : t.candidates,
      status: t.status,
      decision: t.decision ?? null,
      dueAt: t.dueAt ?? null,
      subject: s.title,
      ...(t.deputies ? { deputies: t.deputies } : {}),
      ...(fields && t.kind === 'approval' ? { fields } : {}),
      ...(t.decidedBy ? { decidedBy: t.decidedBy } : {}),
    };
    mergeEffects(this.fx, { audit: [], notifications: [], tasks: [rec], projection: false });
  }
  pendingApprovalTasks(): TaskState[] {
    return this.s.tasks.filter((t) => t.status === 'pending' && t.kind === 'approval');
  }
  addParticipant(username: string): void {
    if (!this.s.participants.includes(username)) this.s.participants.push(username);
  }
  complete(t: TaskState, decision: string, by: string): void {
    t.status = 'completed';
    t.decision = decision;
    t.decidedBy = by;
    this.queueTask(t);
  }
  cancel(t: TaskState): void {
    t.status = 'cancelled';
    this.queueTask(t);
  }
  cancelPending(stepIndex?: number): void {
    for (const t of this.s.tasks) if (t.status === 'pending' && (stepIndex === undefined || t.stepIndex === stepIndex)) this.cancel(t);
  }
  reassign(t: TaskState, to: string): void {
    t.assignee = to;
    t.role = null;
    t.candidates = [to];
    t.delegatedTo = undefined;
    // 代理: a task handed on (转办, escalation) is no longer held on anyone's behalf.
    delete t.deputies;
    this.addParticipant(to);
    this.queueTask(t);
  }
  restartFrom(index: number): void {
    const s = this.s;
    this.cancelPending();
    for (let i = index; i < s.steps.length; i++) resetStep(s.steps[i]!);
    s.current = index;
    s.lastApproval = undefined;
  }
  insertStep(index: number, st: StepState): void {
    const s = this.s;
    s.steps.splice(index, 0, st);
    for (const t of s.tasks) if (t.stepIndex >= index) t.stepIndex += 1;
    if (s.current > index) s.current += 1;
    if (s.returnedFrom !== undefined && s.returnedFrom >= index) s.returnedFrom += 1;
  }
  removeStep(index: number): void {
    const s = this.s;
    s.steps.splice(index, 1);
    for (const t of s.tasks) if (t.stepIndex > index) t.stepIndex -= 1;
    if (s.current > index) s.current -= 1;
  }
}

/** A step back to waiting; a parallel group forgets its branches (it starts afresh when reached again). */
function resetStep(st: StepState): void {
  st.status = 'waiting';
  delete st.branches;
}

// ---------------------------------------------------------------------------
// Submitting and applying actions
// ---------------------------------------------------------------------------

/** The application was submitted: its first timeline entry. */
export function submitted(s: ApprovalState, applicant: string | null, patches: Patches): Effects {
  const tx = new Transition(s, patches);
  tx.audit(applicant ?? 'applicant', 'submitted', null, undefined, { type: s.type, chain: `${s.chainKey}@v${s.chainVersion}` });
  tx.fx.projection = true;
  return tx.fx;
}

/**
 * Applies a validated action (or a system action: SLA, cancel, revise).
 * Synchronous, so a concurrent action's validator sees the new state.
 * `advance: true` when the chain must move on (resolve and open the next step).
 */
export function apply(s: ApprovalState, a: ActionInput, patches: Patches): { advance: boolean; effects: Effects } {
  const tx = new Transition(s, patches);
  const advance = applyAction(tx, a);
  return { advance, effects: tx.fx };
}

function applyAction(tx: Transition, a: ActionInput): boolean {
  const s = tx.s;
  const me = a.actor.username;
  const comment = a.comment ?? null;
  tx.addParticipant(me);
  switch (a.action) {
    case 'comment':
      tx.audit(me, 'comment', s.current, comment);
      return false;
    case 'cc':
      for (const u of a.to ?? []) {
        const id = tx.nextId('cc');
        const copy: TaskState = { id, kind: 'cc', stepIndex: s.current, assignee: u, role: null, orgId: null, candidates: [u], status: 'completed' };
        s.tasks.push(copy);
        tx.queueTask(copy);
        tx.notify(u, 'cc', `「${s.title}」抄送给您，请知悉。 / “${s.title}” was copied to you for your information.`);
        tx.addParticipant(u);
      }
      tx.audit(me, 'cc', s.current, comment, { to: a.to });
      return false;
    case 'urge':
      for (const t of tx.pendingApprovalTasks())
        for (const u of t.assignee ? [t.assignee] : t.candidates)
          tx.notify(u, 'urge', `「${s.title}」被催办，请您尽快审批。 / You were urged to act on “${s.title}” soon.`);
      tx.audit(me, 'urge', s.current, comment);
      return false;
    case 'withdraw':
      tx.cancelPending();
      s.status = 'withdrawn';
      tx.audit(me, 'withdraw', s.current, comment);
      tx.fx.projection = true;
      return false;
    case 'resubmit':
      return resubmit(tx, a);
    case 'retract': {
      const t = retractableTask(s, me)!;
      tx.cancelPending();
      resetStep(s.steps[s.current]!);
      s.current = t.stepIndex;
      s.steps[s.current]!.status = 'active';
      t.status = 'pending';
      t.decision = undefined;
      t.decidedBy = undefined;
      tx.queueTask(t);
      s.lastApproval = undefined;
      tx.audit(me, 'retract', s.current, comment);
      tx.fx.projection = true;
      return false;
    }
    default:
      return applyTaskAction(
        tx,
        a,
        s.tasks.find((x) => x.id === a.taskId)!,
      );
  }
}

/** Whether the revised fields differ from what the approvals were given for. */
export function changesSubject(s: ApprovalState, changes: ActionInput['changes']): boolean {
  if (!changes) return false;
  if (changes.title !== undefined && changes.title !== s.title) return true;
  // Compared as values: a revised form comes back from the database with its keys in another order.
  return Object.entries(changes.payload ?? {}).some(([k, v]) => canonicalJson(v) !== canonicalJson(s.payload[k]));
}

/**
 * 重新提交. Unchanged, the chain resumes at the step that returned it. Changed
 * (title, amount, reason, fields), every earlier approval is void and the
 * review restarts at the first human step; the timeline names the voided
 * approvals and why.
 */
function resubmit(tx: Transition, a: ActionInput): boolean {
  const s = tx.s;
  const me = a.actor.username;
  const changed = changesSubject(s, a.changes) && tx.patches(CHANGED_RESUBMIT_PATCH);
  if (a.changes?.title) s.title = a.changes.title;
  if (a.changes?.payload) s.payload = { ...s.payload, ...a.changes.payload };
  for (const t of s.tasks) if (t.kind === 'revision' && t.status === 'pending') tx.complete(t, 'resubmit', me);
  s.status = 'pending';
  s.revision += 1;
  s.dedupBlocked = true;
  tx.audit(me, 'resubmit', s.returnedFrom ?? 0, a.comment ?? null, { changes: a.changes ?? {} });
  let from = s.returnedFrom ?? 0;
  if (changed) {
    const voided = s.tasks.filter((t) => t.kind === 'approval' && t.status === 'completed' && t.decision === 'approve' && !t.voided);
    for (const t of voided) t.voided = true;
    const firstHuman = s.steps.findIndex((st) => st.def.type === 'human' || st.def.type === 'parallel');
    from = firstHuman < 0 ? from : Math.min(from, firstHuman);
    tx.audit('system', 'approvalsVoided', from, '内容已修改，此前的审批作废 / the application changed: earlier approvals are void', {
      voided: voided.map((t) => ({ taskId: t.id, stepIndex: t.stepIndex, step: s.steps[t.stepIndex]?.def.name ?? null, approver: t.decidedBy ?? null })),
      restartAt: from,
    });
  }
  tx.restartFrom(from);
  s.returnedFrom = undefined;
  tx.fx.projection = true;
  return true;
}

/** A step's field permissions with every `edit` turned `read`. */
function readOnlyFields(fields: Record<string, FieldAccess>): Record<string, FieldAccess> {
  return Object.fromEntries(Object.entries(fields).map(([f, a]) => [f, a === 'edit' ? 'read' : a]));
}

/** Applies an approver's corrections to the application and records them (old and new values) on the timeline. */
function formEdits(tx: Transition, me: string, t: TaskState, edits: Record<string, unknown>, by: Record<string, unknown> | undefined): void {
  const s = tx.s;
  const subject = { title: s.title, payload: s.payload };
  const done = applyEdits(subject, edits);
  if (!done.length) return;
  s.title = subject.title;
  s.payload = subject.payload;
  tx.audit(me, 'formEdited', t.stepIndex, '修改表单 / form corrected', { edits: done, ...by });
  tx.fx.projection = true;
}

/** The holder an admin overrides, as the timeline names it. */
function holderOf(t: TaskState): string {
  return t.delegatedTo ?? t.assignee ?? `${t.role ?? '?'}@${t.orgId ?? '?'}`;
}

function applyTaskAction(tx: Transition, a: ActionInput, t: TaskState): boolean {
  const s = tx.s;
  const me = a.actor.username;
  const comment = a.comment ?? null;
  const step = stepOf(s, t)!;
  // A task inside a parallel branch: its timeline entries name the branch and its step.
  const where = t.branch !== undefined ? { branch: t.branch, branchStep: t.branchStep ?? 0 } : undefined;
  // An admin acting in the holder's place says so on the timeline (override).
  // The system's own actors (SLA) keep the old marker.
  const system = !!a.actor.asAdmin;
  const decision = system ? undefined : decideTask(principalOf(a.actor), taskFacts(s, t), { applicant: s.applicant });
  // 代理: a deputy acting on a task they hold for someone away says whose (代…审批).
  const absent = system ? undefined : deputyOn(a.actor, t);
  const actedAs = system
    ? !decideTask(principalOf(a.actor), taskFacts(s, t)).allow
      ? { onBehalfOfAdmin: true }
      : undefined
    : decision?.allow && decision.override
      ? { override: true, overrode: holderOf(t), onBehalfOfAdmin: true }
      : absent
        ? { onBehalfOf: absent }
        : undefined;
  const by = where ? { ...actedAs, ...where } : actedAs;
  switch (a.action) {
    case 'approve':
    case 'reject': {
      if (t.delegatedTo && t.delegatedTo === me && !system) {
        // 委派: the delegate gives an opinion; the task returns to its owner to decide.
        tx.audit(me, 'delegateResolved', t.stepIndex, comment, { opinion: a.action, ...where });
        t.delegatedTo = undefined;
        tx.queueTask(t);
        return false;
      }
      // 字段权限: the approver's corrections, each with its old and new value, before the approval itself.
      if (a.action === 'approve' && a.edits) formEdits(tx, me, t, a.edits, by);
      tx.complete(t, a.action, me);
      tx.audit(me, a.action, t.stepIndex, comment, by);
      if (a.action === 'reject') {
        tx.cancelPending();
        s.status = 'rejected';
        step.status = 'done';
        if (s.applicant) tx.notify(s.applicant, 'decided', `您的申请「${s.title}」未获通过。 / Your application “${s.title}” was rejected.`);
        tx.fx.projection = true;
        return false;
      }
      const def = step.def as HumanStep;
      if (where) {
        // Inside a branch: the approve-once rule does not reach across branches or out of the group.
        s.lastApproval = undefined;
        const siblings = s.tasks.filter(
          (x) => x.stepIndex === t.stepIndex && x.branch === t.branch && x.branchStep === t.branchStep && x.kind === 'approval' && x.status === 'pending',
        );
        if (def.mode === 'all' && siblings.length > 0) return false;
        for (const x of siblings) tx.cancel(x);
        step.status = 'done';
        tx.fx.projection = true;
        return branchStepFinished(tx, where.branch);
      }
      s.lastApproval = { username: me, stepIndex: t.stepIndex, revision: s.revision };
      const siblings = s.tasks.filter((x) => x.stepIndex === t.stepIndex && x.kind === 'approval' && x.status === 'pending');
      if (def.mode === 'all' && siblings.length > 0) return false;
      for (const x of siblings) tx.cancel(x);
      step.status = 'done';
      s.current += 1;
      tx.fx.projection = true;
      return true;
    }
    case 'return': {
      tx.complete(t, 'return', me);
      tx.cancelPending();
      s.dedupBlocked = true;
      if (a.returnTo === 'applicant') {
        s.status = 'returned';
        s.returnedFrom = t.stepIndex;
        s.returnDeadline = a.deadline;
        step.status = 'waiting';
        // Returned from inside a branch: the group starts afresh, every branch, when the application comes back.
        if (where) resetStep(s.steps[t.stepIndex]!);
        const task: TaskState = {
          id: tx.nextId('revise'),
          kind: 'revision',
          stepIndex: t.stepIndex,
          assignee: s.applicant,
          role: null,
          orgId: s.applicantOrg,
          candidates: [s.applicant!],
          status: 'pending',
        };
        s.tasks.push(task);
        tx.queueTask(task);
        tx.notify(
          s.applicant!,
          'returned',
          `您的申请「${s.title}」被退回，请修改后重新提交。 / Your application “${s.title}” was returned: please revise and resubmit it.`,
        );
        tx.audit(me, 'return', t.stepIndex, comment, { to: 'applicant', ...(a.deadline ? { deadline: a.deadline } : {}), ...by });
        tx.fx.projection = true;
        return false;
      }
      const target = a.returnTo as number;
      tx.audit(me, 'return', t.stepIndex, comment, { to: target, toStep: s.steps[target]!.def.name, ...by });
      tx.restartFrom(target);
      tx.fx.projection = true;
      return true;
    }
    case 'transfer': {
      const to = a.to![0]!;
      tx.reassign(t, to);
      s.dedupBlocked = true;
      tx.audit(me, 'transfer', t.stepIndex, comment, { to, ...by });
      return false;
    }
    case 'delegate': {
      const to = a.to![0]!;
      // 委派 of a role task: whoever delegates claims it, so the opinion comes
      // back to them (not to the role pool, where the delegate could decide).
      if (!t.assignee) {
        t.assignee = me;
        t.candidates = [me];
      }
      t.delegatedTo = to;
      tx.addParticipant(to);
      tx.queueTask(t);
      tx.notify(to, 'reminder', `「${s.title}」已委派给您处理。 / “${s.title}” was delegated to you.`);
      tx.audit(me, 'delegate', t.stepIndex, comment, { to, ...by });
      return false;
    }
    case 'addSigner': {
      const users = a.to!;
      const added: StepState = {
        def: {
          id: `added-${s.seq + 1}`,
          // Named without logins: the people are shown by name wherever the step is (its tasks, the route diagram).
          name: '加签 / added signer',
          type: 'human',
          who: { kind: 'users', usernames: users },
          mode: users.length > 1 ? 'all' : 'single',
          onNoApprover: 'skip',
          dedupConsecutive: false,
          actions: ['approve', 'reject', 'return', 'transfer', 'comment', 'cc'],
          // An added signer of an identity review sees what the step shows.
          ...(step.def.type === 'human' && step.def.showsPersonalData ? { showsPersonalData: true } : {}),
          // An added signer sees the form as the step that added them, and edits nothing.
          ...(step.def.type === 'human' && step.def.fields ? { fields: readOnlyFields(step.def.fields) } : {}),
        },
        status: 'waiting',
        added: { by: me, position: a.position! },
        forbidden: [],
      };
      s.seq += 1;
      s.dedupBlocked = true;
      tx.audit(me, 'addSigner', t.stepIndex, comment, { to: users, position: a.position, ...by });
      if (a.position === 'after') {
        tx.insertStep(t.stepIndex + 1, added);
        return false;
      }
      // Before: the current step waits until the added signers have approved.
      tx.cancelPending(t.stepIndex);
      step.status = 'waiting';
      tx.insertStep(t.stepIndex, added);
      tx.fx.projection = true;
      return true;
    }
    case 'removeSigner': {
      const who = a.to![0]!;
      const idx = findAddedStep(s, who, me)!;
      const st = s.steps[idx]!;
      tx.audit(me, 'removeSigner', t.stepIndex, comment, { removed: who });
      const def = st.def as HumanStep;
      const remaining = def.who.kind === 'users' ? def.who.usernames.filter((u) => u !== who) : [];
      if (remaining.length > 0) {
        def.who = { kind: 'users', usernames: remaining };
        def.mode = remaining.length > 1 ? 'all' : 'single';
        for (const x of s.tasks) if (x.stepIndex === idx && x.status === 'pending' && x.assignee === who) tx.cancel(x);
        return false;
      }
      if (st.status === 'active') {
        tx.cancelPending(idx);
        tx.removeStep(idx);
        s.steps[s.current]!.status = 'waiting';
        tx.fx.projection = true;
        return true;
      }
      tx.removeStep(idx);
      return false;
    }
    case 'release': {
      const holder = a.holder ?? t.delegatedTo ?? t.assignee!;
      if (t.delegatedTo && holder === t.delegatedTo) {
        // A delegate lets go: the delegation ends and the task is its owner's again.
        t.delegatedTo = undefined;
        tx.queueTask(t);
        tx.notify(
          t.assignee!,
          'reminder',
          `「${s.title}」的委派已结束，任务回到您手中，请您处理。 / The delegation of “${s.title}” ended: the task is back with you.`,
        );
        tx.audit(me, 'release', t.stepIndex, comment, { from: holder, to: t.assignee, delegationEnded: true, ...by });
        return false;
      }
      // The assignee lets go (and any delegation they made ends): whoever holds the role in the task's org may take it.
      t.assignee = null;
      t.delegatedTo = undefined;
      t.candidates = (a.to ?? []).filter((u) => u !== holder);
      s.dedupBlocked = true;
      tx.queueTask(t);
      for (const u of t.candidates)
        tx.notify(u, 'reminder', `「${s.title}」已回到您所在岗位的待办中，请处理。 / “${s.title}” is back in your role’s pool: please act on it.`);
      tx.audit(me, 'release', t.stepIndex, comment, { from: holder, pool: `${t.role}@${t.orgId}`, ...by });
      return false;
    }
    case 'assign': {
      const org = a.to![0]!;
      tx.complete(t, 'assign', me);
      for (const x of tx.pendingApprovalTasks()) tx.cancel(x);
      s.targetOrg = org;
      tx.audit(me, 'assign', t.stepIndex, comment, { targetOrg: org, ...by });
      step.status = 'done';
      s.current += 1;
      tx.fx.projection = true;
      return true;
    }
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------
// Moving along the chain
// ---------------------------------------------------------------------------

/**
 * What the chain needs next. Marks the current step active; when all steps
 * are through, the application is approved ('done').
 */
export function advance(s: ApprovalState, patches: Patches): { next: Next; effects: Effects } {
  const tx = new Transition(s, patches);
  if (s.status === 'pending' && s.current < s.steps.length) {
    const st = s.steps[s.current]!;
    if (st.def.type === 'parallel') return { next: advanceGroup(tx, st, st.def), effects: tx.fx };
    if (st.status === 'active' && s.tasks.some((t) => t.stepIndex === s.current && t.status === 'pending' && t.kind === 'approval'))
      return { next: { kind: 'wait' }, effects: tx.fx };
    st.status = 'active';
    tx.fx.projection = true;
    if (st.def.type === 'auto') {
      const input: AutoStepInput = {
        applicationId: s.applicationId,
        activity: st.def.activity,
        type: s.type,
        applicant: s.applicant,
        applicantOrg: s.applicantOrg,
        title: s.title,
        payload: s.payload,
        targetOrg: s.targetOrg,
      };
      return { next: { kind: 'runAuto', stepIndex: s.current, input }, effects: tx.fx };
    }
    return { next: { kind: 'resolve', stepIndex: s.current, input: resolveInput(tx, st.def) }, effects: tx.fx };
  }
  if (s.status === 'pending' && s.current >= s.steps.length) {
    s.status = 'approved';
    tx.audit('system', 'approved', null, '审批完成 / all steps approved');
    if (s.applicant) tx.notify(s.applicant, 'decided', `您的申请「${s.title}」已通过。 / Your application “${s.title}” was approved.`);
  }
  tx.fx.projection = true;
  return { next: { kind: 'done' }, effects: tx.fx };
}

/** What the step-resolution activity needs: the step, the applicant, and the facts its condition reads. */
function resolveInput(tx: Transition, def: HumanStep): ResolveStepInput {
  const s = tx.s;
  // Runs from before conditions never carried one; a new run asks the patch once it meets a condition.
  const conditional = def.when !== undefined && tx.patches(STEP_CONDITIONS_PATCH);
  return {
    applicationId: s.applicationId,
    step: def,
    applicant: s.applicant,
    applicantOrg: s.applicantOrg,
    targetOrg: s.targetOrg,
    type: s.type,
    ...(conditional ? { facts: conditionPayload(s) } : {}),
  };
}

/**
 * A parallel group at the current step: start it (after its condition, if
 * it has one), then resolve the next step of each branch that has one
 * waiting; wait when every branch has its tasks open.
 */
function advanceGroup(tx: Transition, st: StepState, def: ParallelGroup): Next {
  const s = tx.s;
  if (st.status === 'waiting') {
    if (def.when !== undefined) {
      return {
        kind: 'evaluate',
        stepIndex: s.current,
        input: { applicationId: s.applicationId, when: def.when, type: s.type, applicantOrg: s.applicantOrg, facts: conditionPayload(s) },
      };
    }
    startGroup(tx, st, def);
  }
  for (const [b, branch] of (st.branches ?? []).entries()) {
    if (branch.status !== 'active') continue;
    const next = branch.steps[branch.current];
    if (!next || next.status !== 'waiting') continue;
    next.status = 'active';
    tx.fx.projection = true;
    return { kind: 'resolve', stepIndex: s.current, branch: b, input: resolveInput(tx, next.def as HumanStep) };
  }
  return { kind: 'wait' };
}

function startGroup(tx: Transition, st: StepState, def: ParallelGroup): void {
  const s = tx.s;
  st.status = 'active';
  st.branches = def.branches.map((steps): BranchState => ({
    steps: steps.map((d) => ({ def: JSON.parse(JSON.stringify(d)) as HumanStep, status: 'waiting', forbidden: [] })),
    current: 0,
    status: 'active',
  }));
  const names = st.branches.map((_, b) => branchLabel(st, b));
  tx.audit(
    'system',
    'parallelStarted',
    s.current,
    `并行分支开始（${def.mode === 'all' ? '全部完成后继续' : '任一完成即继续'}）：${names.map((n) => n.zh).join('、')} / parallel branches started (${def.mode === 'all' ? 'all must finish' : 'the first to finish decides'}): ${names.map((n) => n.en).join(', ')}`,
    { mode: def.mode, branches: names.map((n) => `${n.zh} / ${n.en}`) },
  );
  tx.fx.projection = true;
}

/**
 * A parallel group's condition, evaluated: false skips the whole group (the
 * timeline says which condition); true starts its branches.
 */
export function onConditionEvaluated(s: ApprovalState, r: ConditionResult, patches: Patches): Effects {
  const tx = new Transition(s, patches);
  const st = s.steps[s.current]!;
  if (st.def.type !== 'parallel' || st.status !== 'waiting') return tx.fx;
  if (r.holds) {
    startGroup(tx, st, st.def);
    return tx.fx;
  }
  st.status = 'skipped';
  st.rule = r.note;
  tx.audit('system', 'skipped', s.current, st.rule, { condition: { when: st.def.when, holds: false, zh: r.zh, en: r.en } });
  s.current += 1;
  tx.fx.projection = true;
  return tx.fx;
}

/**
 * A step of a branch finished (approved or skipped): the branch moves to its
 * next step, or is done; the group is done when every branch is (mode all)
 * or at the first (mode any: the other branches' open tasks are cancelled).
 * True when the chain must move on (resolve a next step).
 */
function branchStepFinished(tx: Transition, b: number): boolean {
  const s = tx.s;
  const group = s.steps[s.current]!;
  const def = group.def as ParallelGroup;
  const branch = group.branches![b]!;
  branch.current += 1;
  if (branch.current < branch.steps.length) return true;
  branch.status = 'done';
  const done = branchLabel(group, b);
  tx.audit('system', 'branchDone', s.current, `${done.zh}已完成 / ${done.en} finished`, { branch: b });
  if (def.mode === 'any') {
    const cancelled: number[] = [];
    for (const [i, other] of group.branches!.entries()) {
      if (i === b || other.status !== 'active') continue;
      other.status = 'cancelled';
      cancelled.push(i);
      for (const x of other.steps) if (x.status === 'waiting' || x.status === 'active') x.status = 'skipped';
      for (const t of s.tasks) if (t.stepIndex === s.current && t.branch === i && t.status === 'pending') tx.cancel(t);
    }
    if (cancelled.length)
      tx.audit(
        'system',
        'branchesCancelled',
        s.current,
        `${done.zh}已先完成（任一即可），取消其余分支：${cancelled.map((i) => branchLabel(group, i).zh).join('、')} / ${done.en} finished first: ${cancelled.map((i) => branchLabel(group, i).en).join(', ')} cancelled`,
        { finished: b, cancelled },
      );
  } else if (group.branches!.some((x) => x.status === 'active')) {
    return false;
  }
  group.status = 'done';
  tx.audit('system', 'parallelDone', s.current, `并行分支“${def.name}”已完成 / parallel group finished`, { mode: def.mode });
  s.current += 1;
  tx.fx.projection = true;
  return true;
}

/** An automated step's result: the chain moves on (or ends, holds for sorting, or turns into a transfer). */
export function onAutoStepResult(s: ApprovalState, r: AutoStepResult, patches: Patches): Effects {
  const tx = new Transition(s, patches);
  const st = s.steps[s.current]!;
  if (st.def.type !== 'auto') return tx.fx;
  tx.audit('system', `auto:${st.def.activity}`, s.current, r.note, { outcome: r.outcome, ...('data' in r ? r.data : {}) });
  st.status = 'done';
  if (r.outcome === 'reject') {
    s.status = 'rejected';
  } else if (r.outcome === 'hold') {
    tx.insertStep(s.current + 1, { def: HOLDING_POOL_STEP, status: 'waiting', forbidden: [] });
    s.current += 1;
  } else if (r.outcome === 'convertToTransfer') {
    s.targetOrg = r.targetOrg;
    s.type = 'transfer';
    // Replace the rest of the membership chain with the transfer chain.
    s.steps.splice(s.current + 1);
    for (const def of TRANSFER_STEPS) s.steps.push({ def: JSON.parse(JSON.stringify(def)) as Step, status: 'waiting', forbidden: [] });
    s.current += 1;
    s.dedupBlocked = true;
  } else {
    if (r.targetOrg) s.targetOrg = r.targetOrg;
    s.current += 1;
  }
  return tx.fx;
}

/**
 * A human step's approvers, resolved: skip it, approve it once (the same
 * approver as the step before), or open its tasks. `opened: true` when the
 * chain now waits for people; otherwise call {@link advance} again.
 */
export function onStepResolved(s: ApprovalState, resolved: ResolvedStep, patches: Patches, branch?: number): { opened: boolean; effects: Effects } {
  const tx = new Transition(s, patches);
  const condition =
    resolved.condition && !resolved.condition.holds ? { condition: { when: (stepDef(s, branch) as HumanStep).when, ...resolved.condition } } : undefined;
  if (branch !== undefined) {
    // A step inside a parallel branch: skipped, or its tasks opened; the other branches go on either way.
    const group = s.steps[s.current]!;
    const b = group.branches![branch]!;
    const st = b.steps[b.current]!;
    st.rule = resolved.rule;
    st.forbidden = resolved.forbidden;
    const where = { branch, branchStep: b.current };
    if (resolved.skip) {
      st.status = 'skipped';
      tx.audit('system', 'skipped', s.current, resolved.rule, { ...where, ...condition });
      branchStepFinished(tx, branch);
      return { opened: false, effects: tx.fx };
    }
    openTasks(tx, resolved, st, where);
    return { opened: false, effects: tx.fx };
  }
  const st = s.steps[s.current]!;
  const def = st.def as HumanStep;
  st.rule = resolved.rule;
  st.forbidden = resolved.forbidden;
  if (resolved.skip) {
    st.status = 'skipped';
    tx.audit('system', 'skipped', s.current, resolved.rule, condition);
    s.current += 1;
    return { opened: false, effects: tx.fx };
  }
  const last = s.lastApproval;
  if (
    def.dedupConsecutive !== false &&
    !s.dedupBlocked &&
    last &&
    last.stepIndex === s.current - 1 &&
    last.revision === s.revision &&
    resolved.candidates.includes(last.username) &&
    !resolved.forbidden.includes(last.username) &&
    // An added signer's approval is their opinion, not this step's decision (加签).
    !(s.steps[s.current - 1]?.added && patches('added-signer-blocks-approve-once'))
  ) {
    st.status = 'done';
    tx.audit(last.username, 'approve', s.current, '同一审批人已在上一步同意，自动通过 / same approver as the previous step: approved once', {
      auto: 'approveOnce',
    });
    s.lastApproval = { ...last, stepIndex: s.current };
    s.current += 1;
    return { opened: false, effects: tx.fx };
  }
  s.dedupBlocked = false;
  openTasks(tx, resolved, st);
  return { opened: true, effects: tx.fx };
}

/** The definition of the current step, or of the current step of a branch of the current group. */
function stepDef(s: ApprovalState, branch?: number): Step | undefined {
  const st = s.steps[s.current];
  if (branch === undefined) return st?.def;
  const b = st?.branches?.[branch];
  return b?.steps[b.current]?.def;
}

function openTasks(tx: Transition, r: ResolvedStep, st: StepState, where?: { branch: number; branchStep: number }): void {
  const s = tx.s;
  const def = st.def as HumanStep;
  const base = { kind: 'approval' as const, stepIndex: s.current, ...where, status: 'pending' as const, dueAt: r.dueAt, remindAt: r.remindAt };
  // Where each task belongs: a named user's org, else the resolved org (null when the activity predates paths).
  const pathOf = (u?: string) => (u && r.orgPaths?.[u]) ?? r.orgPath ?? null;
  if (def.mode === 'single' && r.role && r.orgId) {
    // One task for the role in that org: whoever holds the role may act; the first wins.
    const t: TaskState = { ...base, id: tx.nextId('task'), assignee: null, role: r.role, orgId: r.orgId, orgPath: pathOf(), candidates: r.candidates };
    // 代理: the role holders away are replaced in the pool by their deputies (recorded when the step was resolved).
    if (r.deputies) t.deputies = { ...r.deputies };
    s.tasks.push(t);
    tx.queueTask(t);
  } else {
    // Named tasks only for those allowed to act: a task for a forbidden applicant could
    // never be completed and would hold a 会签 step (or a single step naming them first) forever.
    const excluded = r.candidates.some((u) => st.forbidden.includes(u)) && tx.patches('no-task-for-forbidden-applicant') ? st.forbidden : [];
    const eligible = r.candidates.filter((u) => !excluded.includes(u));
    const people = def.mode === 'single' ? eligible.slice(0, 1) : eligible;
    for (const u of people) {
      const t: TaskState = { ...base, id: tx.nextId('task'), assignee: u, role: r.role, orgId: r.orgId, orgPath: pathOf(u), candidates: [u] };
      // 代理: a task named to a deputy records whom they stand in for.
      const standsInFor = Object.entries(r.deputies ?? {}).filter(([, deputy]) => deputy === u);
      if (standsInFor.length) t.deputies = Object.fromEntries(standsInFor);
      s.tasks.push(t);
      tx.queueTask(t);
    }
  }
  tx.audit('system', 'stepStarted', s.current, st.rule ?? null, {
    candidates: r.candidates,
    dueAt: r.dueAt,
    ...(r.deputies ? { deputies: r.deputies } : {}),
    ...where,
  });
}

// ---------------------------------------------------------------------------
// Time limits (SLA): reminders before, then the step's timeout action.
// ---------------------------------------------------------------------------

/** The nearest reminder or due time of a pending task (epoch ms), if any. */
export function nextDeadline(s: ApprovalState): number | undefined {
  let next: number | undefined;
  for (const t of s.tasks) {
    if (t.status !== 'pending' || t.kind !== 'approval') continue;
    if (t.remindAt && !t.reminded) next = Math.min(next ?? Infinity, Date.parse(t.remindAt));
    if (t.dueAt && !t.escalated) next = Math.min(next ?? Infinity, Date.parse(t.dueAt));
  }
  return next;
}

/** The org an org path names: its last segment ('/henan/pds/' → 'pds'). */
function orgIdOfPath(path: string | null | undefined): string | undefined {
  return path?.split('/').filter(Boolean).pop();
}

const SYSTEM: Actor = { username: 'system', orgId: '', roles: [], asAdmin: true };

/**
 * Handles what is due at `now`: reminders, then each overdue task's timeout
 * action. A generator: for an escalation it yields the task whose
 * supervisor must be found and resumes with the answer (or null), so the
 * workflow looks each up in task order. Returns whether the chain must move
 * on, and the effects. A named user's task escalates from that user's org
 * (tasks of runs from before org paths were kept: from the applicant's org).
 */
export function* handleDeadlines(
  s: ApprovalState,
  now: number,
  patches: Patches,
): Generator<EscalationRequest, { advance: boolean; effects: Effects }, { username: string; rule: string } | null> {
  const tx = new Transition(s, patches);
  let needsAdvance = false;
  for (const t of tx.pendingApprovalTasks()) {
    if (t.status !== 'pending') continue;
    if (t.remindAt && !t.reminded && Date.parse(t.remindAt) <= now) {
      t.reminded = true;
      for (const u of t.assignee ? [t.assignee] : t.candidates)
        tx.notify(u, 'reminder', `「${s.title}」的审批即将超时，请尽快处理。 / “${s.title}” is due soon: please act on it.`);
      tx.audit('system', 'reminded', t.stepIndex, null, { taskId: t.id, dueAt: t.dueAt });
    }
    if (t.dueAt && !t.escalated && Date.parse(t.dueAt) <= now) {
      t.escalated = true;
      const step = stepOf(s, t)!.def as HumanStep;
      const action = step.sla?.onTimeout ?? 'escalate';
      if (action === 'escalate') {
        const sup = yield { taskId: t.id, orgId: t.orgId ?? orgIdOfPath(t.orgPath) ?? s.applicantOrg };
        if (sup) {
          tx.reassign(t, sup.username);
          tx.notify(
            sup.username,
            'escalation',
            `「${s.title}」的审批已超时，现升级由您督办。 / The approval of “${s.title}” is overdue and was escalated to you.`,
          );
        }
        tx.audit('system', 'escalated', t.stepIndex, sup?.rule ?? '无上级可升级 / nobody to escalate to', { taskId: t.id, to: sup?.username ?? null });
        tx.queueTask(t);
      } else {
        const approve = action === 'autoApprove';
        const moved = applyAction(tx, {
          action: approve ? 'approve' : 'reject',
          actor: SYSTEM,
          taskId: t.id,
          idempotencyKey: `sla-${t.id}`,
          comment: approve ? '超时自动通过 / approved automatically at the time limit' : '超时自动驳回 / rejected automatically at the time limit',
        });
        needsAdvance = (approve && moved) || needsAdvance;
      }
    }
  }
  return { advance: needsAdvance, effects: tx.fx };
}

/** Runs {@link handleDeadlines} with a synchronous escalation look-up (unit tests). */
export function handleDeadlinesWith(
  s: ApprovalState,
  now: number,
  patches: Patches,
  escalateTo: (r: EscalationRequest) => { username: string; rule: string } | null,
): { advance: boolean; effects: Effects } {
  const run = handleDeadlines(s, now, patches);
  let step = run.next();
  while (!step.done) step = run.next(escalateTo(step.value));
  return step.value;
}

// ---------------------------------------------------------------------------
// Phase-end escalation (督办 by the campaign)
// ---------------------------------------------------------------------------

/** The pending tasks a phase-end escalation asks about; undefined when the application is final. */
export function escalationCandidates(s: ApprovalState): { id: string; orgId: string | null; kind: string }[] | undefined {
  if (FINAL.has(s.status)) return undefined;
  return s.tasks
    .filter((t) => t.status === 'pending' && (t.kind === 'approval' || t.kind === 'revision'))
    .map((t) => ({ id: t.id, orgId: t.orgId, kind: t.kind }));
}

/** A 督办 message: the campaign's reason (bilingual, naming the campaign and phase) and the application, as full sentences. */
function escalationMessage(reason: string, title: string): string {
  const at = reason.indexOf(' / ');
  const zh = at < 0 ? reason : reason.slice(0, at);
  const en = at < 0 ? reason : reason.slice(at + 3);
  return `督办：「${title}」——${zh}，请尽快处理。 / Escalation: “${title}”: ${en}; please act on it.`;
}

/** Pending tasks below `toOrg` move to its admin; every pending task's holders and the org's admins are told. */
export function applyEscalationPlan(
  s: ApprovalState,
  toOrg: string,
  reason: string,
  plan: { reassign: { taskId: string; to: string }[]; notify: string[] },
  patches: Patches,
): Effects {
  const tx = new Transition(s, patches);
  for (const move of plan.reassign) {
    const t = s.tasks.find((x) => x.id === move.taskId);
    if (t && t.status === 'pending') tx.reassign(t, move.to);
  }
  for (const u of plan.notify) tx.notify(u, 'escalation', escalationMessage(reason, s.title));
  tx.audit('system', 'phaseEscalated', s.current, reason, { toOrg, reassigned: plan.reassign });
  return tx.fx;
}

// ---------------------------------------------------------------------------
// One write per transition (the `one-write-per-transition` path)
// ---------------------------------------------------------------------------

/** A look-up {@link advancing} needs answered: a step's approvers, a group's condition, an automated step's run. */
export type AdvanceRequest = Extract<Next, { kind: 'resolve' | 'evaluate' | 'runAuto' }>;
/** The answer to an {@link AdvanceRequest}, as the transition activity returns it (in order) to the workflow. */
export type AdvanceAnswer =
  { kind: 'resolve'; result: ResolvedStep } | { kind: 'evaluate'; result: ConditionResult } | { kind: 'runAuto'; result: AutoStepResult };

/**
 * Moves along the chain as far as it can, like the workflow's loop over
 * {@link advance}, collecting every effect into `outbox`; yields each look-up
 * and takes its answer. Two drivers run it over the same state and the same
 * answers, with the same effects: the transition activity (with real
 * look-ups, writing the records) and then the workflow (with the answers the
 * activity returned, recorded in its history). An automated step is yielded
 * after the records so far — it may read them (a chain change reads its
 * approvals) — so a driver writes the outbox before it runs one.
 */
export function* advancing(s: ApprovalState, patches: Patches, outbox: Effects): Generator<AdvanceRequest, void, AdvanceAnswer> {
  for (;;) {
    const { next, effects } = advance(s, patches);
    mergeEffects(outbox, effects);
    if (next.kind === 'resolve') {
      const r = onStepResolved(s, answerOf(yield next, 'resolve'), patches, next.branch);
      mergeEffects(outbox, r.effects);
      if (r.opened) return;
    } else if (next.kind === 'evaluate') {
      mergeEffects(outbox, onConditionEvaluated(s, answerOf(yield next, 'evaluate'), patches));
    } else if (next.kind === 'runAuto') {
      mergeEffects(outbox, onAutoStepResult(s, answerOf(yield next, 'runAuto'), patches));
    } else {
      return;
    }
  }
}

interface AnswerResults {
  resolve: ResolvedStep;
  evaluate: ConditionResult;
  runAuto: AutoStepResult;
}

function answerOf<K extends AdvanceAnswer['kind']>(a: AdvanceAnswer | undefined, kind: K): AnswerResults[K] {
  // The workflow replays the activity's answers: a different sequence means the two runs diverged (a bug, not input).
  if (a?.kind !== kind) throw new Error(`transition answers out of step: expected ${kind}, got ${a?.kind ?? 'none'}`);
  return a.result as AnswerResults[K];
}

/** Whether the outbox holds anything to write. */
export function hasEffects(fx: Effects): boolean {
  return fx.audit.length > 0 || fx.tasks.length > 0 || fx.notifications.length > 0 || fx.projection;
}

/** The outbox as one transition's records (the application row from the state, when the projection changed); empties it. */
export function takeRecord(s: ApprovalState, outbox: Effects): TransitionRecord {
  const record: TransitionRecord = {
    applicationId: s.applicationId,
    audit: outbox.audit.splice(0),
    tasks: outbox.tasks.splice(0),
    notifications: outbox.notifications.splice(0),
    application: outbox.projection
      ? {
          status: s.status,
          currentStep: FINAL.has(s.status) ? null : (s.steps[s.current]?.def.name ?? null),
          chainVersion: s.chainVersion,
          type: s.type,
          title: s.title,
          payload: s.payload,
          targetOrg: s.targetOrg ?? null,
        }
      : undefined,
  };
  outbox.projection = false;
  return record;
}
