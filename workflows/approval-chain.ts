/**
 * 多级审批: one application (subsidy, online membership, transfer, …) climbing
 * its approval chain up the org tree. The chain is a snapshot of a stored
 * definition; each human step opens tasks for the approvers it resolves to,
 * and every approver action arrives as a Workflow Update whose validator
 * refuses a wrong actor, a task no longer pending or an action the step does
 * not allow before anything is written.
 *
 * The rules live in the approval engine (approval-engine.ts: pure
 * functions over the state, returning the records to write). This workflow
 * is the shell around it: it registers the handlers, performs the engine's
 * effects through the activities, and keeps the Temporal concerns — timers,
 * patches, continue-as-new, search attributes, one transition at a time.
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
import type { ActionInput, ActionResult, ApplicationView, ApprovalInput, ApprovalState } from './approval-types';
import * as engine from './approval-engine';
import { FINAL, type Effects } from './approval-engine';
import * as migration from './approval-migration';
import type { MigrateInput, MigrateResult } from './approval-migration';
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
/** 在办申请迁移: move to a new chain version (approval-migration.ts), after any action in flight. */
export const migrateUpdate = defineUpdate<MigrateResult, [MigrateInput]>('migrate');

/** The system's own actor (cancel, revise on the submitter's behalf): acts without a validator. */
const systemActor = (username: string, orgId: string) => ({ username, orgId, roles: [], asAdmin: true });

export async function approvalWorkflow(input: ApprovalInput): Promise<ApplicationView> {
  const s: ApprovalState = input.resume ?? engine.initialState(input);
  // Runs started before this patch keep the old loop: it re-armed the SLA
  // timer only when a timer fired, so a step opened by an action (with a
  // nearer or a first deadline) waited for the previous timer, or forever.
  const rewakeOnNewDeadline = patched('sla-rewake-on-new-deadline');
  /** The records not yet written: the engine's effects, persisted by {@link flush}. */
  const outbox: Effects = engine.noEffects();
  const collect = (fx: Effects) => engine.mergeEffects(outbox, fx);
  let tail: Promise<unknown> = Promise.resolve();
  /** Runs async work one at a time, in arrival order. */
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn);
    tail = run.catch(() => undefined);
    return run;
  };

  // ---- handlers: registered before the first await ----
  setHandler(getApplicationQuery, () => engine.view(s));
  setHandler(
    actUpdate,
    async (a) => {
      // A repeated Idempotency-Key changes nothing: the current view.
      if (engine.seen(s, a.idempotencyKey)) return engine.view(s);
      const applied = engine.apply(s, a, patched); // synchronous: a concurrent action's validator sees the new state
      collect(applied.effects);
      return exclusive(async () => {
        await flush();
        if (applied.advance) await advance();
        await flush();
        engine.remember(s, a.idempotencyKey, a);
        return engine.view(s);
      });
    },
    {
      validator: (a: ActionInput) => {
        const refusal = engine.validate(s, a);
        if (refusal) throw ApplicationFailure.create({ type: refusal.type, message: refusal.message, nonRetryable: true });
      },
    },
  );
  setHandler(
    migrateUpdate,
    (m) =>
      // In the queue: an action in flight finishes (on the old version) first; then the rules are asked again.
      exclusive(async () => {
        if (engine.seen(s, m.idempotencyKey)) return migration.unchanged(s);
        const refusal = migration.refuseMigration(s, m);
        if (refusal) throw ApplicationFailure.create({ type: refusal.type, message: refusal.message, nonRetryable: true });
        const moved = migration.migrate(s, m, patched);
        collect(moved.effects);
        await flush();
        if (moved.advance) await advance();
        await flush();
        engine.remember(s, m.idempotencyKey, { action: 'migrate' });
        return { ...moved.result, status: s.status, currentStep: engine.view(s).currentStep };
      }),
    {
      validator: (m: MigrateInput) => {
        if (engine.seen(s, m.idempotencyKey)) return;
        const refusal = migration.refuseMigration(s, m);
        if (refusal) throw ApplicationFailure.create({ type: refusal.type, message: refusal.message, nonRetryable: true });
      },
    },
  );
  // A campaign phase ended with this application pending: escalate to the city.
  setHandler(escalateSignal, async (e) => {
    await exclusive(() => escalateTo(e.toOrg, e.reason));
  });
  // The region or project revised the subject after a return: resubmit on the submitter's behalf.
  setHandler(reviseSignal, async (r) => {
    if (s.status !== 'returned' || engine.seen(s, r.key)) return;
    const action = {
      action: 'resubmit',
      actor: systemActor(r.actor, s.applicantOrg),
      idempotencyKey: r.key,
      changes: { title: r.title, payload: r.payload },
    } satisfies ActionInput;
    collect(engine.apply(s, action, patched).effects);
    await exclusive(async () => {
      await flush();
      await advance();
      await flush();
      engine.remember(s, r.key, action);
    });
  });
  setHandler(cancelSignal, async (c) => {
    if (FINAL.has(s.status)) return;
    collect(engine.apply(s, { action: 'withdraw', actor: systemActor('system', ''), idempotencyKey: `cancel-${s.seq}`, comment: c.reason }, patched).effects);
    await exclusive(() => flush());
  });

  // ---- the business process ----
  if (!input.resume) {
    collect(engine.submitted(s, input.applicant, patched));
    await exclusive(async () => {
      await flush();
      await advance();
      await flush();
    });
  }

  for (;;) {
    if (FINAL.has(s.status)) break;
    const deadline = engine.nextDeadline(s);
    const timeout = deadline === undefined ? undefined : Math.max(0, deadline - Date.now());
    const wake = () => FINAL.has(s.status) || workflowInfo().continueAsNewSuggested || (rewakeOnNewDeadline && engine.nextDeadline(s) !== deadline);
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
  return engine.view(s);

  /** Moves along the chain: resolves and opens human steps, runs automated ones, until people must act or it ends. */
  async function advance(): Promise<void> {
    for (;;) {
      const { next, effects } = engine.advance(s, patched);
      collect(effects);
      if (next.kind === 'resolve') {
        const resolved = await db.resolveStep(next.input);
        const r = engine.onStepResolved(s, resolved, patched, next.branch);
        collect(r.effects);
        if (r.opened) return;
      } else if (next.kind === 'evaluate') {
        // A parallel group's condition (a step's own is evaluated with its approvers, by resolveStep).
        collect(engine.onConditionEvaluated(s, await db.evaluateCondition(next.input), patched));
      } else if (next.kind === 'runAuto') {
        await flush(); // the step shows as active while it runs
        collect(engine.onAutoStepResult(s, await auto.runAutoStep(next.input), patched));
      } else {
        return;
      }
    }
  }

  /** Reminders and timeout actions due now; escalations look up the supervisor, task by task. */
  async function handleDeadlines(): Promise<void> {
    const run = engine.handleDeadlines(s, Date.now(), patched);
    let step = run.next();
    while (!step.done) step = run.next(await db.resolveEscalation({ orgId: step.value.orgId }));
    collect(step.value.effects);
    await flush();
    if (step.value.advance) await advance();
    await flush();
  }

  /** Phase end: pending tasks below `toOrg` move to its admin (engine.applyEscalationPlan). */
  async function escalateTo(toOrg: string, reason: string): Promise<void> {
    const tasks = engine.escalationCandidates(s);
    if (!tasks) return;
    const plan = await db.planEscalation({ toOrg, tasks });
    collect(engine.applyEscalationPlan(s, toOrg, reason, plan, patched));
    await flush();
  }

  /** Writes the outbox in one transition; keeps the search attribute and the notify workflow up to date. */
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
            chainVersion: s.chainVersion,
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
}
