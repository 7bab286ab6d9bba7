/**
 * One transition of an application, written in one local activity (the
 * `one-write-per-transition` path of workflows/approval-chain.ts): the
 * records of the action that started it, and — when the chain moves on — the
 * look-ups of the next steps (approvers, conditions, automated steps) with
 * the records they produce, so an approval costs one history marker instead
 * of a write, a look-up and another write.
 *
 * The activity runs the engine's pure {@link advancing} over a copy of the
 * workflow's state with real look-ups and returns the answers, in order; the
 * workflow runs it again over its own state with those answers (recorded in
 * its history) and so reaches the same state and the same records, already
 * written. Every write is keyed and every automated step idempotent, so a
 * retried call rewrites nothing twice.
 */
import { advancing, hasEffects, takeRecord, type AdvanceAnswer, type AdvanceRequest, type Effects } from '../workflows/approval-engine';
import type { ApprovalState, TransitionRecord } from '../workflows/approval-types';

export interface TransitionInput {
  state: ApprovalState;
  /** The records not yet written. */
  outbox: Effects;
  /** Whether the chain moves on after them (an action that decided a step, a submission, a resubmission). */
  advance: boolean;
}

export interface TransitionLookups {
  write(record: TransitionRecord): Promise<void>;
  answer(request: AdvanceRequest): Promise<AdvanceAnswer>;
}

export async function commitTransition(io: TransitionLookups, input: TransitionInput): Promise<AdvanceAnswer[]> {
  const { state: s, outbox } = input;
  const answers: AdvanceAnswer[] = [];
  if (input.advance) {
    // Patches are all applied on this path: a run takes it only when started on code that has every one.
    const run = advancing(s, () => true, outbox);
    let step = run.next();
    while (!step.done) {
      // The step shows as active, and what led to it is on record, while an automated step runs (as before this path).
      if (step.value.kind === 'runAuto' && hasEffects(outbox)) await io.write(takeRecord(s, outbox));
      // What the workflow will see: the answer as its history stores it (JSON), so both runs take the same input.
      const answer = JSON.parse(JSON.stringify(await io.answer(step.value))) as AdvanceAnswer;
      answers.push(answer);
      step = run.next(answer);
    }
  }
  if (hasEffects(outbox)) await io.write(takeRecord(s, outbox));
  return answers;
}
