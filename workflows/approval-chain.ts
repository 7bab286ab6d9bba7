/**
 * 多级审批: one application (subsidy, online membership, transfer, …) climbing
 * its approval chain up the org tree. The chain is a snapshot of a stored
 * definition; each human step opens tasks for the approvers it resolves to,
 * and every approver action arrives as a Workflow Update whose validator
 * refuses a wrong actor, a task no longer pending or an action the step does
 * not allow before anything is written.
 *
 * Durable state lives here; Postgres holds projections (tasks, application
 * status, the append-only audit trail) written by one activity per
 * transition, keyed so that retries never duplicate a row.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineUpdate,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from './activity-options';
import { allowedActions, HOLDING_POOL_STEP, TRANSFER_STEPS, type HumanStep, type Step } from '../domain/chain';
import type {
  ActionInput,
  ActionResult,
  ApplicationView,
  ApprovalInput,
  ApprovalState,
  AuditEntry,
  NotificationRecord,
  StepState,
  TaskRecord,
  TaskState,
} from './approval-types';
import { cancelSignal, escalateSignal, reviseSignal, subjectStatusSignal } from './signals';

// Database writes and look-ups are short: local activities keep an action's
// latency to one workflow task. Retries are unbounded (a database outage
// pauses the chain; it resumes when Postgres returns).
const db = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  localRetryThreshold: '10 seconds',
  retry: { initialInterval: '200 ms', maximumInterval: '10 seconds', backoffCoefficient: 2 },
});
// Automated steps may send notices or touch several tables: regular activities.
const auto = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

export const actUpdate = defineUpdate<ActionResult, [ActionInput]>('act');
export const getApplicationQuery = defineQuery<ApplicationView>('getApplication');

const MAX_REMEMBERED_KEYS = 1000;
const FINAL = new Set(['approved', 'rejected', 'withdrawn']);

/** Refusals carry an HTTP-like type the API maps to 403 / 409 / 400. */
function refuse(type: 'Forbidden' | 'Conflict' | 'BadRequest', message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

export async function approvalWorkflow(input: ApprovalInput): Promise<ApplicationView> {
  const s: ApprovalState = input.resume ?? initialState(input);
  // Runs started before this patch keep the old loop: it re-armed the SLA
  // timer only when a timer fired, so a step opened by an action (with a
  // nearer or a first deadline) waited for the previous timer, or forever.
  const rewakeOnNewDeadline = patched('sla-rewake-on-new-deadline');
  const outbox: { audit: AuditEntry[]; tasks: TaskRecord[]; notifications: NotificationRecord[]; projection: boolean } = {
    audit: [],
    tasks: [],
    notifications: [],
    projection: false,
  };
  let tail: Promise<unknown> = Promise.resolve();
  /** Runs async work one at a time, in arrival order. */
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn);
    tail = run.catch(() => undefined);
    return run;
  };

  // ---- handlers: registered before the first await ----
  setHandler(getApplicationQuery, () => view(s));
  setHandler(
    actUpdate,
    async (a) => {
      const seen = s.processed[a.idempotencyKey];
      if (seen) return seen;
      const needsAdvance = apply(a); // synchronous: a concurrent action's validator sees the new state
      return exclusive(async () => {
        await flush();
        if (needsAdvance) await advance();
        await flush();
        const result = view(s);
        remember(a.idempotencyKey, result);
        return result;
      });
    },
    { validator: (a) => validate(a) },
  );
  // A campaign phase ended with this application pending: escalate to the city.
  setHandler(escalateSignal, async (e) => {
    await exclusive(() => escalateTo(e.toOrg, e.reason));
  });
  // The region or project revised the subject after a return: resubmit on the submitter's behalf.
  setHandler(reviseSignal, async (r) => {
    if (s.status !== 'returned' || s.processed[r.key]) return;
    apply({
      action: 'resubmit',
      actor: { username: r.actor, orgId: s.applicantOrg, roles: [], asAdmin: true },
      idempotencyKey: r.key,
      changes: { title: r.title, payload: r.payload },
    });
    await exclusive(async () => {
      await flush();
      await advance();
      await flush();
      remember(r.key, view(s));
    });
  });
  setHandler(cancelSignal, async (c) => {
    if (FINAL.has(s.status)) return;
    apply({ action: 'withdraw', actor: { username: 'system', orgId: '', roles: [], asAdmin: true }, idempotencyKey: `cancel-${s.seq}`, comment: c.reason });
    await exclusive(() => flush());
  });

  // ---- the business process ----
  if (!input.resume) {
    audit(input.applicant ?? 'applicant', 'submitted', null, undefined, { type: s.type, chain: `${s.chainKey}@v${s.chainVersion}` });
    outbox.projection = true;
    await exclusive(async () => {
      await flush();
      await advance();
      await flush();
    });
  }

  for (;;) {
    if (FINAL.has(s.status)) break;
    const deadline = nextDeadline();
    const timeout = deadline === undefined ? undefined : Math.max(0, deadline - Date.now());
    const wake = () => FINAL.has(s.status) || workflowInfo().continueAsNewSuggested || (rewakeOnNewDeadline && nextDeadline() !== deadline);
    const fired = timeout === undefined ? !(await condition(wake).then(() => true)) : !(await condition(wake, timeout));
    if (fired) await exclusive(() => handleDeadlines());
    if (workflowInfo().continueAsNewSuggested && !FINAL.has(s.status)) {
      await condition(allHandlersFinished);
      await tail;
      await continueAsNew<typeof approvalWorkflow>({ ...input, resume: s });
    }
  }
  await condition(allHandlersFinished);
  await tail;
  return view(s);

  // ---------------------------------------------------------------------
  // Validation: pure checks against the current state, no side effects.
  // ---------------------------------------------------------------------
  function validate(a: ActionInput): void {
    if (s.processed[a.idempotencyKey]) return; // a replay returns the first result
    if (FINAL.has(s.status) && a.action !== 'comment') refuse('Conflict', `申请已结束（${s.status}）/ application is already ${s.status}`);
    const me = a.actor.username;
    switch (a.action) {
      case 'resubmit':
        if (s.status !== 'returned') refuse('Conflict', '只有被退回的申请可以重新提交 / only a returned application can be resubmitted');
        if (!actsForApplicant(a)) refuse('Forbidden', '只有申请人（或申请单位的干事）可以重新提交 / only the applicant can resubmit');
        return;
      case 'withdraw':
        if (!actsForApplicant(a)) refuse('Forbidden', '只有申请人（或申请单位的干事）可以撤回 / only the applicant can withdraw');
        return;
      case 'retract': {
        const t = retractableTask(me);
        if (!t)
          refuse(
            'Conflict',
            '没有可撤销的审批：下一步已处理或您未审批上一步 / nothing to retract: the next step has acted, or you did not approve the previous step',
          );
        return;
      }
      case 'urge':
        if (s.status !== 'pending') refuse('Conflict', '申请不在审批中 / application is not pending');
        if (s.applicant !== me && !a.actor.asAdmin) refuse('Forbidden', '只有申请人或管理员可以催办 / only the applicant or an admin can urge');
        return;
      case 'comment':
        if (!a.comment) refuse('BadRequest', '请填写意见 / comment is required');
        if (!isParticipant(me) && !a.actor.asAdmin) refuse('Forbidden', '您不是此申请的参与人 / you take no part in this application');
        return;
      case 'cc':
        if (!a.to?.length) refuse('BadRequest', '请选择抄送人 / choose who to copy');
        if (!isParticipant(me) && !a.actor.asAdmin) refuse('Forbidden', '您不是此申请的参与人 / you take no part in this application');
        return;
      default:
        break;
    }
    // Task actions.
    const t = s.tasks.find((x) => x.id === a.taskId);
    if (!t || t.kind !== 'approval') refuse('Conflict', '任务不存在或不属于此申请 / no such task on this application');
    if (t.status !== 'pending') refuse('Conflict', `任务已${t.status === 'completed' ? '完成' : '取消'}，不能再处理 / task is already ${t.status}`);
    const step = s.steps[t.stepIndex];
    if (!step || step.def.type !== 'human' || t.stepIndex !== s.current) refuse('Conflict', '任务不在当前步骤 / task is not at the current step');
    // 减签 of signers added before one's own step: while they sign, the adder's
    // own task is cancelled, so the adder names the signer's task instead.
    const takingBack = a.action === 'removeSigner' && step.added?.by === me;
    if (!takingBack) {
      if (!allowedActions(step.def).includes(a.action as never)) refuse('Conflict', `此步骤不允许“${a.action}” / this step does not allow ${a.action}`);
      if (!canAct(t, a)) refuse('Forbidden', '此任务未分配给您 / this task is not assigned to you');
    }
    // Whatever the step's rule (skip or forbid), the applicant never decides their own
    // application: not as an admin acting in bulk, nor on a task handed to them.
    if ((step.forbidden.includes(me) || (!!s.applicant && s.applicant === me)) && ['approve', 'reject', 'return'].includes(a.action))
      refuse('Forbidden', '申请人不能审批自己的申请 / the applicant may not approve their own application');
    if (s.applicant && ['transfer', 'delegate', 'addSigner'].includes(a.action) && a.to?.includes(s.applicant))
      refuse('BadRequest', '不能交给申请人本人审批 / cannot hand the decision to the applicant');
    if (t.delegatedTo && a.action !== 'approve' && a.action !== 'reject' && t.delegatedTo === me)
      refuse('Conflict', '被委派人只能给出同意或不同意意见 / a delegate can only give an approve or reject opinion');
    switch (a.action) {
      case 'return':
        if (a.returnTo === undefined) refuse('BadRequest', '请选择退回到申请人或之前的步骤 / returnTo is required');
        if (a.returnTo === 'applicant' && !s.applicant) refuse('Conflict', '此申请没有可退回的账号申请人 / this applicant has no account to return to');
        if (typeof a.returnTo === 'number' && (a.returnTo < 0 || a.returnTo >= s.current || s.steps[a.returnTo]?.def.type !== 'human'))
          refuse('BadRequest', '只能退回到之前的人工审批步骤 / returnTo must be an earlier human step');
        return;
      case 'transfer':
      case 'delegate':
        if (a.to?.length !== 1) refuse('BadRequest', '请选择一位接收人 / choose exactly one user');
        if (a.to[0] === me) refuse('BadRequest', '不能转给自己 / cannot hand the task to yourself');
        return;
      case 'addSigner':
        if (!a.to?.length) refuse('BadRequest', '请选择加签人 / choose who to add');
        if (a.position !== 'before' && a.position !== 'after') refuse('BadRequest', '请选择在当前步骤之前或之后加签 / position must be before or after');
        return;
      case 'removeSigner': {
        if (a.to?.length !== 1) refuse('BadRequest', '请选择要减签的人 / choose the signer to remove');
        if (findAddedStep(a.to[0]!, me) === undefined) refuse('Conflict', '没有您添加的、尚未处理的该加签人 / no pending signer of that name added by you');
        return;
      }
      case 'assign':
        if (a.to?.length !== 1) refuse('BadRequest', '请选择一个基层工会 / choose one grassroots union');
        return;
      default:
        return;
    }
  }

  /** The applicant, or for an org's own applications (subsidy, project list, self-assessment) its staff and admins. */
  function actsForApplicant(a: ActionInput): boolean {
    if (s.applicant && s.applicant === a.actor.username) return true;
    const orgApplication = s.type === 'subsidy' || s.type === 'project_list' || s.type === 'self_assessment';
    return orgApplication && a.actor.orgId === s.applicantOrg && (a.actor.roles.includes('staff') || a.actor.roles.includes('admin'));
  }

  function canAct(t: TaskState, a: ActionInput): boolean {
    const me = a.actor.username;
    if (a.actor.asAdmin) return true;
    if (t.delegatedTo) return t.delegatedTo === me;
    if (t.assignee) return t.assignee === me;
    return !!t.role && t.orgId === a.actor.orgId && a.actor.roles.includes(t.role);
  }

  function isParticipant(username: string): boolean {
    return s.applicant === username || s.participants.includes(username) || s.tasks.some((t) => t.candidates.includes(username) || t.assignee === username);
  }

  function retractableTask(username: string): TaskState | undefined {
    if (s.status !== 'pending') return undefined;
    const prev = s.current - 1;
    const prevStep = s.steps[prev];
    if (!prevStep || prevStep.def.type !== 'human' || prevStep.status !== 'done') return undefined;
    const curTasks = s.tasks.filter((t) => t.stepIndex === s.current && t.kind === 'approval');
    if (curTasks.some((t) => t.status === 'completed')) return undefined;
    return s.tasks.find((t) => t.stepIndex === prev && t.decision === 'approve' && t.decidedBy === username);
  }

  function findAddedStep(username: string, by: string): number | undefined {
    for (let i = s.current; i < s.steps.length; i++) {
      const st = s.steps[i]!;
      if (st.added && st.added.by === by && st.def.type === 'human' && st.def.who.kind === 'users' && st.def.who.usernames.includes(username)) {
        if (st.status === 'waiting') return i;
        if (st.status === 'active' && !s.tasks.some((t) => t.stepIndex === i && t.status === 'completed')) return i;
      }
    }
    return undefined;
  }

  // ---------------------------------------------------------------------
  // Applying an action: synchronous state change; returns whether the
  // chain must move on (resolve and open the next step).
  // ---------------------------------------------------------------------
  function apply(a: ActionInput): boolean {
    const me = a.actor.username;
    const comment = a.comment ?? null;
    if (!s.participants.includes(me)) s.participants.push(me);
    switch (a.action) {
      case 'comment':
        audit(me, 'comment', s.current, comment);
        return false;
      case 'cc':
        for (const u of a.to ?? []) {
          const id = nextId('cc');
          s.tasks.push({ id, kind: 'cc', stepIndex: s.current, assignee: u, role: null, orgId: null, candidates: [u], status: 'completed' });
          queueTask(s.tasks[s.tasks.length - 1]!);
          notify(u, 'cc', `抄送：${s.title} / copied to you`);
          if (!s.participants.includes(u)) s.participants.push(u);
        }
        audit(me, 'cc', s.current, comment, { to: a.to });
        return false;
      case 'urge':
        for (const t of pendingApprovalTasks())
          for (const u of t.assignee ? [t.assignee] : t.candidates) notify(u, 'urge', `催办：${s.title} / please act on this application`);
        audit(me, 'urge', s.current, comment);
        return false;
      case 'withdraw':
        cancelPending();
        s.status = 'withdrawn';
        audit(me, 'withdraw', s.current, comment);
        outbox.projection = true;
        return false;
      case 'resubmit': {
        if (a.changes?.title) s.title = a.changes.title;
        if (a.changes?.payload) s.payload = { ...s.payload, ...a.changes.payload };
        for (const t of s.tasks) if (t.kind === 'revision' && t.status === 'pending') complete(t, 'resubmit', me);
        s.status = 'pending';
        s.revision += 1;
        s.dedupBlocked = true;
        audit(me, 'resubmit', s.returnedFrom ?? 0, comment, { changes: a.changes ?? {} });
        restartFrom(s.returnedFrom ?? 0);
        s.returnedFrom = undefined;
        outbox.projection = true;
        return true;
      }
      case 'retract': {
        const t = retractableTask(me)!;
        cancelPending();
        s.steps[s.current]!.status = 'waiting';
        s.current = t.stepIndex;
        s.steps[s.current]!.status = 'active';
        t.status = 'pending';
        t.decision = undefined;
        t.decidedBy = undefined;
        queueTask(t);
        s.lastApproval = undefined;
        audit(me, 'retract', s.current, comment);
        outbox.projection = true;
        return false;
      }
      default:
        return applyTaskAction(
          a,
          s.tasks.find((x) => x.id === a.taskId)!,
        );
    }
  }

  function applyTaskAction(a: ActionInput, t: TaskState): boolean {
    const me = a.actor.username;
    const comment = a.comment ?? null;
    const step = s.steps[t.stepIndex]!;
    const by = a.actor.asAdmin && !canAct(t, { ...a, actor: { ...a.actor, asAdmin: false } }) ? { onBehalfOfAdmin: true } : undefined;
    switch (a.action) {
      case 'approve':
      case 'reject': {
        if (t.delegatedTo && t.delegatedTo === me && !a.actor.asAdmin) {
          // 委派: the delegate gives an opinion; the task returns to its owner to decide.
          audit(me, 'delegateResolved', t.stepIndex, comment, { opinion: a.action });
          t.delegatedTo = undefined;
          queueTask(t);
          return false;
        }
        complete(t, a.action, me);
        audit(me, a.action, t.stepIndex, comment, by);
        if (a.action === 'reject') {
          cancelPending();
          s.status = 'rejected';
          step.status = 'done';
          if (s.applicant) notify(s.applicant, 'decided', `申请未通过：${s.title} / application rejected`);
          outbox.projection = true;
          return false;
        }
        s.lastApproval = { username: me, stepIndex: t.stepIndex, revision: s.revision };
        const def = step.def as HumanStep;
        const siblings = s.tasks.filter((x) => x.stepIndex === t.stepIndex && x.kind === 'approval' && x.status === 'pending');
        if (def.mode === 'all' && siblings.length > 0) return false;
        for (const x of siblings) cancel(x);
        step.status = 'done';
        s.current += 1;
        outbox.projection = true;
        return true;
      }
      case 'return': {
        complete(t, 'return', me);
        cancelPending();
        s.dedupBlocked = true;
        if (a.returnTo === 'applicant') {
          s.status = 'returned';
          s.returnedFrom = t.stepIndex;
          s.returnDeadline = a.deadline;
          step.status = 'waiting';
          const id = nextId('revise');
          const task: TaskState = {
            id,
            kind: 'revision',
            stepIndex: t.stepIndex,
            assignee: s.applicant,
            role: null,
            orgId: s.applicantOrg,
            candidates: [s.applicant!],
            status: 'pending',
          };
          s.tasks.push(task);
          queueTask(task);
          notify(s.applicant!, 'returned', `申请被退回修改：${s.title} / returned for revision`);
          audit(me, 'return', t.stepIndex, comment, { to: 'applicant', ...(a.deadline ? { deadline: a.deadline } : {}) });
          outbox.projection = true;
          return false;
        }
        const target = a.returnTo as number;
        audit(me, 'return', t.stepIndex, comment, { to: target, toStep: s.steps[target]!.def.name });
        restartFrom(target);
        outbox.projection = true;
        return true;
      }
      case 'transfer': {
        const to = a.to![0]!;
        reassign(t, to);
        s.dedupBlocked = true;
        audit(me, 'transfer', t.stepIndex, comment, { to, ...by });
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
        if (!s.participants.includes(to)) s.participants.push(to);
        queueTask(t);
        notify(to, 'reminder', `委派您处理：${s.title} / delegated to you`);
        audit(me, 'delegate', t.stepIndex, comment, { to });
        return false;
      }
      case 'addSigner': {
        const users = a.to!;
        const added: StepState = {
          def: {
            id: `added-${s.seq + 1}`,
            name: `加签 / added signer: ${users.join('、')}`,
            type: 'human',
            who: { kind: 'users', usernames: users },
            mode: users.length > 1 ? 'all' : 'single',
            onNoApprover: 'skip',
            dedupConsecutive: false,
            actions: ['approve', 'reject', 'return', 'transfer', 'comment', 'cc'],
          },
          status: 'waiting',
          added: { by: me, position: a.position! },
          forbidden: [],
        };
        s.seq += 1;
        s.dedupBlocked = true;
        audit(me, 'addSigner', t.stepIndex, comment, { to: users, position: a.position });
        if (a.position === 'after') {
          insertStep(t.stepIndex + 1, added);
          return false;
        }
        // Before: the current step waits until the added signers have approved.
        cancelPending(t.stepIndex);
        step.status = 'waiting';
        insertStep(t.stepIndex, added);
        outbox.projection = true;
        return true;
      }
      case 'removeSigner': {
        const who = a.to![0]!;
        const idx = findAddedStep(who, me)!;
        const st = s.steps[idx]!;
        audit(me, 'removeSigner', t.stepIndex, comment, { removed: who });
        const def = st.def as HumanStep;
        const remaining = def.who.kind === 'users' ? def.who.usernames.filter((u) => u !== who) : [];
        if (remaining.length > 0) {
          def.who = { kind: 'users', usernames: remaining };
          def.mode = remaining.length > 1 ? 'all' : 'single';
          for (const x of s.tasks) if (x.stepIndex === idx && x.status === 'pending' && x.assignee === who) cancel(x);
          return false;
        }
        if (st.status === 'active') {
          cancelPending(idx);
          removeStep(idx);
          s.steps[s.current]!.status = 'waiting';
          outbox.projection = true;
          return true;
        }
        removeStep(idx);
        return false;
      }
      case 'assign': {
        const org = a.to![0]!;
        complete(t, 'assign', me);
        for (const x of pendingApprovalTasks()) cancel(x);
        s.targetOrg = org;
        audit(me, 'assign', t.stepIndex, comment, { targetOrg: org });
        step.status = 'done';
        s.current += 1;
        outbox.projection = true;
        return true;
      }
      default:
        return false;
    }
  }

  // ---------------------------------------------------------------------
  // Moving along the chain: automated steps run, human steps open tasks.
  // ---------------------------------------------------------------------
  async function advance(): Promise<void> {
    while (s.status === 'pending' && s.current < s.steps.length) {
      const st = s.steps[s.current]!;
      if (st.status === 'active' && s.tasks.some((t) => t.stepIndex === s.current && t.status === 'pending' && t.kind === 'approval')) return;
      st.status = 'active';
      outbox.projection = true;
      if (st.def.type === 'auto') {
        await flush();
        const r = await auto.runAutoStep({
          applicationId: s.applicationId,
          activity: st.def.activity,
          type: s.type,
          applicant: s.applicant,
          applicantOrg: s.applicantOrg,
          title: s.title,
          payload: s.payload,
          targetOrg: s.targetOrg,
        });
        audit('system', `auto:${st.def.activity}`, s.current, r.note, { outcome: r.outcome, ...('data' in r ? r.data : {}) });
        if (r.outcome === 'reject') {
          st.status = 'done';
          s.status = 'rejected';
          continue;
        }
        if (r.outcome === 'hold') {
          st.status = 'done';
          insertStep(s.current + 1, { def: HOLDING_POOL_STEP, status: 'waiting', forbidden: [] });
          s.current += 1;
          continue;
        }
        if (r.outcome === 'convertToTransfer') {
          st.status = 'done';
          s.targetOrg = r.targetOrg;
          s.type = 'transfer';
          // Replace the rest of the membership chain with the transfer chain.
          s.steps.splice(s.current + 1);
          for (const def of TRANSFER_STEPS) s.steps.push({ def: JSON.parse(JSON.stringify(def)) as Step, status: 'waiting', forbidden: [] });
          s.current += 1;
          s.dedupBlocked = true;
          continue;
        }
        if (r.targetOrg) s.targetOrg = r.targetOrg;
        st.status = 'done';
        s.current += 1;
        continue;
      }

      const def = st.def;
      const resolved = await db.resolveStep({
        applicationId: s.applicationId,
        step: def,
        applicant: s.applicant,
        applicantOrg: s.applicantOrg,
        targetOrg: s.targetOrg,
      });
      st.rule = resolved.rule;
      st.forbidden = resolved.forbidden;
      if (resolved.skip) {
        st.status = 'skipped';
        audit('system', 'skipped', s.current, resolved.rule);
        s.current += 1;
        continue;
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
        !(s.steps[s.current - 1]?.added && patched('added-signer-blocks-approve-once'))
      ) {
        st.status = 'done';
        audit(last.username, 'approve', s.current, '同一审批人已在上一步同意，自动通过 / same approver as the previous step: approved once', {
          auto: 'approveOnce',
        });
        s.lastApproval = { ...last, stepIndex: s.current };
        s.current += 1;
        continue;
      }
      s.dedupBlocked = false;
      openTasks(resolved);
      return;
    }
    if (s.status === 'pending' && s.current >= s.steps.length) {
      s.status = 'approved';
      audit('system', 'approved', null, '审批完成 / all steps approved');
      if (s.applicant) notify(s.applicant, 'decided', `申请已通过：${s.title} / application approved`);
    }
    outbox.projection = true;
  }

  function openTasks(r: { role: string | null; orgId: string | null; candidates: string[]; dueAt?: string; remindAt?: string }): void {
    const st = s.steps[s.current]!;
    const def = st.def as HumanStep;
    const base = { kind: 'approval' as const, stepIndex: s.current, status: 'pending' as const, dueAt: r.dueAt, remindAt: r.remindAt };
    if (def.mode === 'single' && r.role && r.orgId) {
      // One task for the role in that org: whoever holds the role may act; the first wins.
      const t: TaskState = { ...base, id: nextId('task'), assignee: null, role: r.role, orgId: r.orgId, candidates: r.candidates };
      s.tasks.push(t);
      queueTask(t);
    } else {
      // Named tasks only for those allowed to act: a task for a forbidden applicant could
      // never be completed and would hold a 会签 step (or a single step naming them first) forever.
      const excluded = r.candidates.some((u) => st.forbidden.includes(u)) && patched('no-task-for-forbidden-applicant') ? st.forbidden : [];
      const eligible = r.candidates.filter((u) => !excluded.includes(u));
      const people = def.mode === 'single' ? eligible.slice(0, 1) : eligible;
      for (const u of people) {
        const t: TaskState = { ...base, id: nextId('task'), assignee: u, role: r.role, orgId: r.orgId, candidates: [u] };
        s.tasks.push(t);
        queueTask(t);
      }
    }
    audit('system', 'stepStarted', s.current, st.rule ?? null, { candidates: r.candidates, dueAt: r.dueAt });
  }

  // ---------------------------------------------------------------------
  // Time limits (SLA): reminders before, then the step's timeout action.
  // ---------------------------------------------------------------------
  function nextDeadline(): number | undefined {
    let next: number | undefined;
    for (const t of pendingApprovalTasks()) {
      if (t.remindAt && !t.reminded) next = Math.min(next ?? Infinity, Date.parse(t.remindAt));
      if (t.dueAt && !t.escalated) next = Math.min(next ?? Infinity, Date.parse(t.dueAt));
    }
    return next;
  }

  async function handleDeadlines(): Promise<void> {
    const now = Date.now();
    let needsAdvance = false;
    for (const t of pendingApprovalTasks()) {
      if (t.status !== 'pending') continue;
      if (t.remindAt && !t.reminded && Date.parse(t.remindAt) <= now) {
        t.reminded = true;
        for (const u of t.assignee ? [t.assignee] : t.candidates) notify(u, 'reminder', `审批即将超时：${s.title} / approval due soon`);
        audit('system', 'reminded', t.stepIndex, null, { taskId: t.id, dueAt: t.dueAt });
      }
      if (t.dueAt && !t.escalated && Date.parse(t.dueAt) <= now) {
        t.escalated = true;
        const step = s.steps[t.stepIndex]!.def as HumanStep;
        const action = step.sla?.onTimeout ?? 'escalate';
        if (action === 'escalate') {
          const sup = await db.resolveEscalation({ orgId: t.orgId ?? s.applicantOrg });
          if (sup) {
            reassign(t, sup.username);
            notify(sup.username, 'escalation', `超时升级：${s.title} / overdue approval escalated to you`);
          }
          audit('system', 'escalated', t.stepIndex, sup?.rule ?? '无上级可升级 / nobody to escalate to', { taskId: t.id, to: sup?.username ?? null });
          queueTask(t);
        } else if (action === 'autoApprove') {
          needsAdvance =
            apply({
              action: 'approve',
              actor: { username: 'system', orgId: '', roles: [], asAdmin: true },
              taskId: t.id,
              idempotencyKey: `sla-${t.id}`,
              comment: '超时自动通过 / approved automatically at the time limit',
            }) || needsAdvance;
        } else {
          apply({
            action: 'reject',
            actor: { username: 'system', orgId: '', roles: [], asAdmin: true },
            taskId: t.id,
            idempotencyKey: `sla-${t.id}`,
            comment: '超时自动驳回 / rejected automatically at the time limit',
          });
        }
      }
    }
    await flush();
    if (needsAdvance) await advance();
    await flush();
  }

  /** Pending tasks below `toOrg` move to its admin; every pending task's holders and the org's admins are told. */
  async function escalateTo(toOrg: string, reason: string): Promise<void> {
    if (FINAL.has(s.status)) return;
    const pending = s.tasks.filter((t) => t.status === 'pending' && (t.kind === 'approval' || t.kind === 'revision'));
    const plan = await db.planEscalation({ toOrg, tasks: pending.map((t) => ({ id: t.id, orgId: t.orgId, kind: t.kind })) });
    for (const move of plan.reassign) {
      const t = s.tasks.find((x) => x.id === move.taskId);
      if (t && t.status === 'pending') reassign(t, move.to);
    }
    for (const u of plan.notify) notify(u, 'escalation', `${reason}：${s.title}`);
    audit('system', 'phaseEscalated', s.current, reason, { toOrg, reassigned: plan.reassign });
    await flush();
  }

  // ---------------------------------------------------------------------
  // Small state helpers and the outbox of records to persist.
  // ---------------------------------------------------------------------
  function pendingApprovalTasks(): TaskState[] {
    return s.tasks.filter((t) => t.status === 'pending' && t.kind === 'approval');
  }
  function complete(t: TaskState, decision: string, by: string) {
    t.status = 'completed';
    t.decision = decision;
    t.decidedBy = by;
    queueTask(t);
  }
  function cancel(t: TaskState) {
    t.status = 'cancelled';
    queueTask(t);
  }
  function cancelPending(stepIndex?: number) {
    for (const t of s.tasks) if (t.status === 'pending' && (stepIndex === undefined || t.stepIndex === stepIndex)) cancel(t);
  }
  function reassign(t: TaskState, to: string) {
    t.assignee = to;
    t.role = null;
    t.candidates = [to];
    t.delegatedTo = undefined;
    if (!s.participants.includes(to)) s.participants.push(to);
    queueTask(t);
  }
  function restartFrom(index: number) {
    cancelPending();
    for (let i = index; i < s.steps.length; i++) s.steps[i]!.status = 'waiting';
    s.current = index;
    s.lastApproval = undefined;
  }
  function insertStep(index: number, st: StepState) {
    s.steps.splice(index, 0, st);
    for (const t of s.tasks) if (t.stepIndex >= index) t.stepIndex += 1;
    if (s.current > index) s.current += 1;
    if (s.returnedFrom !== undefined && s.returnedFrom >= index) s.returnedFrom += 1;
  }
  function removeStep(index: number) {
    s.steps.splice(index, 1);
    for (const t of s.tasks) if (t.stepIndex > index) t.stepIndex -= 1;
    if (s.current > index) s.current -= 1;
  }
  function nextId(prefix: string): string {
    s.seq += 1;
    return `${s.applicationId}-${prefix}-${s.seq}`;
  }
  function audit(actor: string, action: string, stepIndex: number | null, comment?: string | null, data?: Record<string, unknown>) {
    const step = stepIndex === null ? undefined : s.steps[stepIndex];
    outbox.audit.push({
      key: nextId('audit'),
      applicationId: s.applicationId,
      actor,
      action,
      stepIndex,
      step: step ? step.def.name : null,
      comment: comment ?? null,
      data,
    });
  }
  function notify(username: string, kind: NotificationRecord['kind'], message: string) {
    outbox.notifications.push({ key: nextId('note'), username, applicationId: s.applicationId, kind, message });
  }
  function queueTask(t: TaskState) {
    const idx = outbox.tasks.findIndex((x) => x.id === t.id);
    const rec: TaskRecord = {
      id: t.id,
      applicationId: s.applicationId,
      kind: t.kind,
      stepIndex: t.stepIndex,
      stepName: s.steps[t.stepIndex]?.def.name ?? '',
      assignee: t.delegatedTo ?? t.assignee,
      owner: t.delegatedTo ? t.assignee : null,
      role: t.delegatedTo ? null : t.role,
      orgId: t.orgId,
      candidates: t.delegatedTo ? [t.delegatedTo] : t.candidates,
      status: t.status,
      decision: t.decision ?? null,
      dueAt: t.dueAt ?? null,
      subject: s.title,
    };
    if (idx >= 0) outbox.tasks[idx] = rec;
    else outbox.tasks.push(rec);
  }
  async function flush(): Promise<void> {
    if (!outbox.audit.length && !outbox.tasks.length && !outbox.notifications.length && !outbox.projection) return;
    const record = {
      applicationId: s.applicationId,
      audit: outbox.audit.splice(0),
      tasks: outbox.tasks.splice(0),
      notifications: outbox.notifications.splice(0),
      application: outbox.projection
        ? {
            status: s.status,
            currentStep: FINAL.has(s.status) ? null : (s.steps[s.current]?.def.name ?? null),
            type: s.type,
            title: s.title,
            payload: s.payload,
            targetOrg: s.targetOrg ?? null,
          }
        : undefined,
    };
    outbox.projection = false;
    await db.recordTransition(record);
    // BusinessStatus is indexed by Temporal's visibility store: write it when it changes, not on every
    // transition (histories recorded before the patch wrote it each time, and replay so).
    if (record.application && (s.indexedStatus !== s.status || !patched('business-status-on-change'))) {
      upsertSearchAttributes({ BusinessStatus: [s.status] });
      s.indexedStatus = s.status;
    }
    const marker = `${s.status}:${s.revision}`;
    if (input.notify && record.application && s.notified !== marker) {
      s.notified = marker;
      await getExternalWorkflowHandle(input.notify.workflowId).signal(subjectStatusSignal, {
        applicationId: s.applicationId,
        type: s.type,
        status: s.status,
        ...(s.status === 'returned' && s.returnDeadline ? { deadline: s.returnDeadline } : {}),
      });
    }
  }
  function remember(key: string, result: ActionResult) {
    s.processed[key] = result;
    s.processedOrder.push(key);
    while (s.processedOrder.length > MAX_REMEMBERED_KEYS) delete s.processed[s.processedOrder.shift()!];
  }
}

function initialState(input: ApprovalInput): ApprovalState {
  return {
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

function view(s: ApprovalState): ApplicationView {
  return {
    id: s.applicationId,
    type: s.type,
    status: s.status,
    currentStep: FINAL.has(s.status) ? null : (s.steps[s.current]?.def.name ?? null),
    currentStepIndex: s.current,
    steps: s.steps.map((st, index) => ({
      index,
      id: st.def.id,
      name: st.def.name,
      type: st.def.type,
      status: st.status,
      added: st.added,
      rule: st.rule,
      def: st.def,
    })),
    tasks: s.tasks.filter((t) => t.kind !== 'cc'),
    targetOrg: s.targetOrg,
    revision: s.revision,
  };
}
