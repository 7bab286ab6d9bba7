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
  CancellationScope,
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
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from './activity-options';
import type { ActionInput, ActionResult, ApplicationView, ApprovalInput, ApprovalState } from './approval-types';
import * as engine from './approval-engine';
import { FINAL, type AdvanceAnswer, type Effects, type Patches } from './approval-engine';
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

/**
 * The patch behind which a transition is one local activity (activities/transition.ts): its records, the look-ups
 * of the steps it reaches and their records in one call, no BusinessStatus search attribute (the Postgres
 * projection answers every listing), and no other patch marker (a run on this path has every older patch).
 */
export const ONE_WRITE_PATCH = 'one-write-per-transition';

export const actUpdate = defineUpdate<ActionResult, [ActionInput]>('act');
export const getApplicationQuery = defineQuery<ApplicationView>('getApplication');
/** 在办申请迁移: move to a new chain version (approval-migration.ts), after any action in flight. */
export const migrateUpdate = defineUpdate<MigrateResult, [MigrateInput]>('migrate');

/** The system's own actor (cancel, revise on the submitter's behalf): acts without a validator. */
const systemActor = (username: string, orgId: string) => ({ username, orgId, roles: [], asAdmin: true });

export async function approvalWorkflow(input: ApprovalInput): Promise<ApplicationView> {
  const s: ApprovalState = input.resume ?? engine.initialState(input);
  // Said by the starter (input.path, fixed for the run's life), else asked first, once per run: a run started
  // before the patch (no marker in its history) keeps the old path throughout.
  const oneWrite = input.path === 'one-write' || patched(ONE_WRITE_PATCH);
  // On the new path every older patch is in force without its marker; older runs ask each as they did.
  const patches: Patches = oneWrite ? () => true : patched;
  // Runs started before this patch keep the old loop: it re-armed the SLA
  // timer only when a timer fired, so a step opened by an action (with a
  // nearer or a first deadline) waited for the previous timer, or forever.
  const rewakeOnNewDeadline = oneWrite || patched('sla-rewake-on-new-deadline');
  /** The records not yet written: the engine's effects, persisted by {@link flush}. */
  const outbox: Effects = engine.noEffects();
  const collect = (fx: Effects) => engine.mergeEffects(outbox, fx);
  /**
   * A transition activity is out (new path): it works on a copy of the state taken when it was called, and the
   * workflow replays its answers on its own state afterwards, so nothing may change the state meanwhile; an action
   * arriving then is checked and applied in its turn instead.
   */
  let committing = false;
  /**
   * New path: actions accepted and not yet committed — applied and waiting for their transition, or waiting for
   * their turn. An action arriving while there is one is checked against the state after them, in its turn: after a
   * worker crash the run starts again while approvers already see the tasks its transitions open, and an action for
   * such a task can reach the workflow in the same activation as the action that opens it.
   */
  let ahead = 0;
  const settling = () => oneWrite && (committing || ahead > 0);
  /** New path: the SLA timer running, for the deadline `at` (see untilDeadlineOrWake). */
  let armed: { at: number; scope: CancellationScope; fired: Promise<boolean> } | undefined;
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
      if (settling()) {
        ahead++;
        return exclusive(async () => {
          try {
            if (engine.seen(s, a.idempotencyKey)) return engine.view(s);
            // The validator let it through while actions were ahead of it: checked here against the state after them.
            const refusal = engine.validate(s, a);
            if (refusal) throw ApplicationFailure.create({ type: refusal.type, message: refusal.message, nonRetryable: true });
            const applied = engine.apply(s, a, patches);
            collect(applied.effects);
            await commit(applied.advance);
            engine.remember(s, a.idempotencyKey, a);
            return engine.view(s);
          } finally {
            ahead--;
          }
        });
      }
      const applied = engine.apply(s, a, patches); // synchronous: a concurrent action's validator sees the new state
      collect(applied.effects);
      if (oneWrite) ahead++;
      return exclusive(async () => {
        try {
          if (oneWrite) await commit(applied.advance);
          else {
            await flush();
            if (applied.advance) await advance();
            await flush();
          }
          engine.remember(s, a.idempotencyKey, a);
          return engine.view(s);
        } finally {
          if (oneWrite) ahead--;
        }
      });
    },
    {
      validator: (a: ActionInput) => {
        const refusal = engine.validate(s, a);
        // Actions are ahead of this one (a transition out, or waiting for one) and it names a task not open here yet:
        // one of them may open it. The handler checks it against the state after them, in its turn.
        if (!refusal || (settling() && engine.namesUnopenedTask(s, a))) return;
        throw ApplicationFailure.create({ type: refusal.type, message: refusal.message, nonRetryable: true });
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
        const moved = migration.migrate(s, m, patches);
        collect(moved.effects);
        await step(moved.advance);
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
    const resubmit = () => {
      if (s.status !== 'returned' || engine.seen(s, r.key)) return undefined;
      const action = {
        action: 'resubmit',
        actor: systemActor(r.actor, s.applicantOrg),
        idempotencyKey: r.key,
        changes: { title: r.title, payload: r.payload },
      } satisfies ActionInput;
      collect(engine.apply(s, action, patches).effects);
      return action;
    };
    // New path: applied in its turn (the state may not change under a transition activity).
    if (oneWrite)
      return exclusive(async () => {
        const action = resubmit();
        if (!action) return;
        await commit(true);
        engine.remember(s, r.key, action);
      });
    const action = resubmit();
    if (!action) return;
    await exclusive(async () => {
      await flush();
      await advance();
      await flush();
      engine.remember(s, r.key, action);
    });
  });
  setHandler(cancelSignal, async (c) => {
    const withdraw = () => {
      if (FINAL.has(s.status)) return false;
      collect(engine.apply(s, { action: 'withdraw', actor: systemActor('system', ''), idempotencyKey: `cancel-${s.seq}`, comment: c.reason }, patches).effects);
      return true;
    };
    if (oneWrite) return exclusive(async () => void (withdraw() && (await commit(false))));
    if (withdraw()) await exclusive(() => flush());
  });

  // ---- the business process ----
  if (!input.resume) {
    collect(engine.submitted(s, input.applicant, patches));
    await exclusive(() => step(true));
  }

  for (;;) {
    if (FINAL.has(s.status)) break;
    const fired = oneWrite ? await untilDeadlineOrWake() : await untilDeadlineOrWakeAsBefore();
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

  /** Old path: one timer per wait, cancelled when the chain wakes for another reason (each start and cancel an event). */
  async function untilDeadlineOrWakeAsBefore(): Promise<boolean> {
    const deadline = engine.nextDeadline(s);
    const timeout = deadline === undefined ? undefined : Math.max(0, deadline - Date.now());
    const wake = () => FINAL.has(s.status) || workflowInfo().continueAsNewSuggested || (rewakeOnNewDeadline && engine.nextDeadline(s) !== deadline);
    return timeout === undefined ? !(await condition(wake).then(() => true)) : !(await condition(wake, timeout));
  }

  /**
   * New path: waits for the armed SLA timer or a reason to wake; true when the timer fired. The timer is armed for
   * the nearest deadline and left running when deadlines move later or the chain ends — a cancelled timer is a
   * history event, and most chains finish long before their first deadline; one that fires early finds nothing due
   * ({@link handleDeadlines} writes nothing) and the next wait arms the next deadline. Only a nearer deadline
   * replaces it.
   */
  async function untilDeadlineOrWake(): Promise<boolean> {
    const deadline = engine.nextDeadline(s);
    if (deadline !== undefined && (!armed || deadline < armed.at)) {
      armed?.scope.cancel();
      const scope = new CancellationScope();
      const fired = scope
        .run(() => sleep(Math.max(0, deadline - Date.now())))
        .then(
          () => true,
          () => false, // cancelled: replaced by a nearer deadline
        );
      armed = { at: deadline, scope, fired };
    }
    const timer = armed;
    const nearer = () => {
      const next = engine.nextDeadline(s);
      return next !== undefined && (!timer || next < timer.at);
    };
    const waiting = new CancellationScope();
    const woke = waiting
      .run(() => condition(() => FINAL.has(s.status) || workflowInfo().continueAsNewSuggested || nearer()))
      .then(
        () => false,
        () => false,
      );
    const fired = await Promise.race(timer ? [woke, timer.fired] : [woke]);
    if (fired) {
      waiting.cancel(); // a condition has no command: cancelling it costs no event
      armed = undefined;
    }
    return fired;
  }

  /** Writes the outbox and, when `moveOn`, moves along the chain: one activity on the new path, else flush, advance, flush. */
  async function step(moveOn: boolean): Promise<void> {
    if (oneWrite) return commit(moveOn);
    await flush();
    if (moveOn) await advance();
    await flush();
  }

  /**
   * The new path's transition (activities/transition.ts): one local activity writes the outbox and moves along the
   * chain on a copy of the state; its answers, replayed here by the same pure engine, bring this state to the same
   * place with the same records — already written.
   */
  async function commit(moveOn: boolean): Promise<void> {
    if (!moveOn && !engine.hasEffects(outbox)) return;
    let answers: AdvanceAnswer[];
    committing = true;
    try {
      answers = await db.commitTransition({ state: s, outbox, advance: moveOn });
    } finally {
      committing = false;
    }
    if (moveOn) {
      const run = engine.advancing(s, patches, outbox);
      let next = run.next();
      for (const answer of answers) {
        if (next.done) break;
        next = run.next(answer);
      }
      if (!next.done) throw new Error(`transition answers out of step: ${answers.length} answers, more look-ups asked`);
    }
    const record = engine.takeRecord(s, outbox); // written by the activity: only what the notify signal needs
    if (record.application) await notifyStatus();
  }

  /** Moves along the chain: resolves and opens human steps, runs automated ones, until people must act or it ends. */
  async function advance(): Promise<void> {
    for (;;) {
      const { next, effects } = engine.advance(s, patches);
      collect(effects);
      if (next.kind === 'resolve') {
        const resolved = await db.resolveStep(next.input);
        const r = engine.onStepResolved(s, resolved, patches, next.branch);
        collect(r.effects);
        if (r.opened) return;
      } else if (next.kind === 'evaluate') {
        // A parallel group's condition (a step's own is evaluated with its approvers, by resolveStep).
        collect(engine.onConditionEvaluated(s, await db.evaluateCondition(next.input), patches));
      } else if (next.kind === 'runAuto') {
        await flush(); // the step shows as active while it runs
        collect(engine.onAutoStepResult(s, await auto.runAutoStep(next.input), patches));
      } else {
        return;
      }
    }
  }

  /** Reminders and timeout actions due now; escalations look up the supervisor, task by task. */
  async function handleDeadlines(): Promise<void> {
    const run = engine.handleDeadlines(s, Date.now(), patches);
    let next = run.next();
    while (!next.done) next = run.next(await db.resolveEscalation({ orgId: next.value.orgId }));
    collect(next.value.effects);
    await step(next.value.advance);
  }

  /** Phase end: pending tasks below `toOrg` move to its admin (engine.applyEscalationPlan). */
  async function escalateTo(toOrg: string, reason: string): Promise<void> {
    const tasks = engine.escalationCandidates(s);
    if (!tasks) return;
    const plan = await db.planEscalation({ toOrg, tasks });
    collect(engine.applyEscalationPlan(s, toOrg, reason, plan, patches));
    await step(false);
  }

  /** Old path: writes the outbox in one transition; keeps the search attribute and the notify workflow up to date. */
  async function flush(): Promise<void> {
    if (!engine.hasEffects(outbox)) return;
    const record = engine.takeRecord(s, outbox);
    await db.recordTransition(record);
    // BusinessStatus is indexed by Temporal's visibility store: write it when it changes, not on every
    // transition (histories recorded before the patch wrote it each time, and replay so).
    if (record.application && (s.indexedStatus !== s.status || !patched('business-status-on-change'))) {
      upsertSearchAttributes({ BusinessStatus: [s.status] });
      s.indexedStatus = s.status;
    }
    if (record.application) await notifyStatus();
  }

  /** Tells the workflow that asked to be notified (a campaign's) the application's status, once per status and revision. */
  async function notifyStatus(): Promise<void> {
    const marker = `${s.status}:${s.revision}`;
    if (input.notify && s.notified !== marker) {
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
