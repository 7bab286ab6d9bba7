/**
 * 在办申请迁移: one running application moves to a new version of its chain,
 * as a pure function over {@link ApprovalState} like the rest of the
 * approval engine (approval-engine.ts). The steps it has been through stay as
 * they were (their tasks and the timeline keep pointing at them); from the
 * step it waits at on, the new version's steps from the mapped step replace
 * the old ones. The open tasks of the old step are cancelled; the workflow
 * then resolves and opens the mapped step afresh ({@link MigrationOutcome.advance}).
 * A returned application stays with its applicant and resumes at the mapped
 * step when resubmitted.
 *
 * Which application may move is domain/chain-migration.ts; the workflow
 * (approval-chain.ts) runs this in its one-at-a-time queue, so an action in
 * flight finishes on the old version first.
 */
import type { ChainDefinition, Step } from '../domain/chain';
import { migrationComment, migrationEligibility, type MigrationCandidate, type MigrationPlan } from '../domain/chain-migration';
import { FINAL, Transition, type Effects, type Patches, type Refusal } from './approval-engine';
import type { ApprovalState } from './approval-types';

/** The migrate Update's argument: the plan, the new version, and who runs it. */
export interface MigrateInput {
  /** Idempotency key (the job's key prefix and the application id): a retried job moves nothing twice. */
  idempotencyKey: string;
  /** Who runs the migration (the timeline names them). */
  by: string;
  plan: MigrationPlan;
  /** The new version's definition (plan.toVersion). */
  chain: ChainDefinition;
}

/** What the migrate Update answers. */
export interface MigrateResult {
  /** Moved by this call. */
  migrated: boolean;
  /** Was already on the new version (a repeat): nothing changed. */
  already: boolean;
  chainVersion: number;
  status: string;
  fromStep?: string;
  toStep?: string;
  /** The step it waits at now. */
  currentStep: string | null;
}

export interface MigrationOutcome {
  result: MigrateResult;
  /** The mapped step must be resolved and opened (a pending application). */
  advance: boolean;
  effects: Effects;
}

/** The application as the migration rules see it. */
export function candidateOf(s: ApprovalState): MigrationCandidate {
  const st = s.steps[s.current];
  return {
    status: s.status,
    type: s.type,
    chainKey: s.chainKey,
    chainVersion: s.chainVersion,
    current: st ? { id: st.def.id, name: st.def.name, added: !!st.added } : undefined,
  };
}

/** Why this application cannot move now, or undefined when it can (or already did). */
export function refuseMigration(s: ApprovalState, m: MigrateInput): Refusal | undefined {
  if (m.chain.key !== m.plan.key || m.chain.version !== m.plan.toVersion)
    return { type: 'BadRequest', message: '迁移目标与审批链版本不符 / the target chain does not match the plan' };
  const e = migrationEligibility(candidateOf(s), m.plan, m.chain);
  return e.ok ? undefined : { type: 'Conflict', message: e.reason };
}

const currentStepOf = (s: ApprovalState) => (FINAL.has(s.status) ? null : (s.steps[s.current]?.def.name ?? null));

/** The answer for an application already on the target version (or a repeated key). */
export function unchanged(s: ApprovalState): MigrateResult {
  return { migrated: false, already: true, chainVersion: s.chainVersion, status: s.status, currentStep: currentStepOf(s) };
}

/**
 * Moves the application (call {@link refuseMigration} first): cancels the
 * open tasks of the step it waits at, swaps in the new version's steps from
 * the mapped one, records the move on the timeline and in the projection.
 */
export function migrate(s: ApprovalState, m: MigrateInput, patches: Patches): MigrationOutcome {
  const e = migrationEligibility(candidateOf(s), m.plan, m.chain);
  const tx = new Transition(s, patches);
  if (!e.ok || e.already) return { result: unchanged(s), advance: false, effects: tx.fx };
  const at = s.current;
  // The old step's open approval tasks end (a returned application's revision task stays with its applicant).
  for (const t of tx.pendingApprovalTasks()) tx.cancel(t);
  const steps = m.chain.steps
    .slice(e.toStep.index)
    .map((def: Step) => ({ def: JSON.parse(JSON.stringify(def)) as Step, status: 'waiting' as const, forbidden: [] }));
  s.steps.splice(at, s.steps.length - at, ...steps);
  const fromVersion = s.chainVersion;
  s.chainVersion = m.plan.toVersion;
  // A migration is a change: the approve-once rule does not carry an approval across it.
  s.dedupBlocked = true;
  // The revision task now belongs to the mapped step (its name changes on the task list).
  for (const t of s.tasks) if (t.kind === 'revision' && t.status === 'pending' && t.stepIndex === at) tx.queueTask(t);
  tx.audit(m.by, 'migrated', at, migrationComment(fromVersion, m.plan.toVersion, e.fromStep.name, e.toStep.name), {
    fromVersion,
    toVersion: m.plan.toVersion,
    fromStep: e.fromStep,
    toStep: { id: e.toStep.id, name: e.toStep.name },
  });
  tx.fx.projection = true;
  return {
    result: {
      migrated: true,
      already: false,
      chainVersion: s.chainVersion,
      status: s.status,
      fromStep: e.fromStep.name,
      toStep: e.toStep.name,
      currentStep: currentStepOf(s),
    },
    advance: s.status === 'pending',
    effects: tx.fx,
  };
}
