/**
 * 在办申请迁移 (moving running applications to a new chain version): the
 * rules of a migration plan and of which application may move.
 *
 * An owner who saved a new version of a chain declares, per step of the old
 * version, the step of the new version that corresponds to it (`stepMap`).
 * An application moves when it still runs on the old version and the step it
 * waits at is mapped; it then continues under the new version from the
 * mapped step (workflows/approval-migration.ts). Steps are mapped by their
 * top-level id (a human step, or a branch group as a whole); an application
 * never rests at an automated step, and a migrated one always waits for a
 * person first, so only people's steps are mapped — a migration never lets an
 * application run straight into an automated step that moves money or a
 * member (domain/chain-safety.ts).
 *
 * Deterministic and I/O-free: imported by workflow code and by the API.
 */
import type { ChainDefinition } from './chain';

/** What the owner asks for: move the running applications of (key, owner) from one version to another. */
export interface MigrationPlan {
  key: string;
  /** The org owning the chain. */
  owner: string;
  fromVersion: number;
  toVersion: number;
  /** Old step id → new step id. */
  stepMap: Record<string, string>;
}

export interface MigrationIssue {
  path: string;
  message: string;
}

/** A step as the plan sees it: top-level, by id; `auto` for automated steps. */
interface StepRef {
  id: string;
  name: string;
  type: string;
}

const stepsOf = (c: ChainDefinition): StepRef[] => (c.steps as unknown as StepRef[]).map((st) => ({ id: st.id, name: st.name, type: st.type }));

/**
 * The plan's faults, each naming its field: unknown versions, a target that
 * is not the version in force or not newer, unknown or automated steps.
 * `latest` is the version in force (the newest of the chain).
 */
export function migrationPlanIssues(
  plan: Pick<MigrationPlan, 'fromVersion' | 'toVersion' | 'stepMap'>,
  from: ChainDefinition | undefined,
  to: ChainDefinition | undefined,
  latest: number,
): MigrationIssue[] {
  const issues: MigrationIssue[] = [];
  if (!from) issues.push({ path: 'fromVersion', message: `此审批链没有第${plan.fromVersion}版 / no version ${plan.fromVersion} of this chain` });
  if (!to) issues.push({ path: 'toVersion', message: `此审批链没有第${plan.toVersion}版 / no version ${plan.toVersion} of this chain` });
  else if (from && plan.toVersion <= plan.fromVersion)
    issues.push({ path: 'toVersion', message: '目标版本须新于原版本 / toVersion must be newer than fromVersion' });
  else if (plan.toVersion !== latest)
    issues.push({ path: 'toVersion', message: `只能迁移到现行版本（第${latest}版）/ only the version in force (${latest}) can be migrated to` });
  const entries = Object.entries(plan.stepMap);
  if (!entries.length) issues.push({ path: 'stepMap', message: '请至少对应一个步骤 / map at least one step' });
  // Steps are judged against the right versions only; one issue per mapped step.
  if (issues.length || !from || !to) return issues;
  const oldSteps = stepsOf(from);
  const newSteps = stepsOf(to);
  for (const [oldId, newId] of entries) {
    const path = `stepMap.${oldId}`;
    const old = oldSteps.find((st) => st.id === oldId);
    const target = newSteps.find((st) => st.id === newId);
    if (!old) issues.push({ path, message: `第${plan.fromVersion}版没有此步骤 / version ${plan.fromVersion} has no step ${oldId}` });
    else if (old.type === 'auto')
      issues.push({ path, message: `“${old.name}”是自动步骤，申请不会停留在此 / ${oldId} is an automated step: no application waits there` });
    else if (!target) issues.push({ path, message: `第${plan.toVersion}版没有所对应的步骤 / version ${plan.toVersion} has no step ${newId}` });
    else if (target.type === 'auto')
      issues.push({
        path,
        message: `“${target.name}”是自动步骤：迁移后的申请须先由人审批 / ${newId} is an automated step: a migrated application must wait for a person first`,
      });
  }
  return issues;
}

/** Where a running application stands, as the workflow's state (or its query) shows it. */
export interface MigrationCandidate {
  status: string;
  type: string;
  chainKey: string;
  chainVersion: number;
  /** The step it waits at (for a returned application: the step that returned it). */
  current: { id: string; name: string; added: boolean } | undefined;
}

export type Eligibility =
  | { ok: true; already: false; fromStep: { id: string; name: string }; toStep: { id: string; name: string; index: number } }
  /** Already on the target version (a repeated migration): nothing to do. */
  | { ok: true; already: true }
  | { ok: false; reason: string };

const RUNNING = new Set(['pending', 'returned']);

/**
 * Whether the application can move under the plan: still running on the old
 * version of this chain, waiting at a mapped step. `to` is the new version.
 */
export function migrationEligibility(app: MigrationCandidate, plan: MigrationPlan, to: ChainDefinition): Eligibility {
  if (app.chainKey !== plan.key) return { ok: false, reason: '申请不在此审批链上 / the application is not on this chain' };
  if (app.chainVersion === plan.toVersion) return { ok: true, already: true };
  if (!RUNNING.has(app.status)) return { ok: false, reason: '申请已办结 / the application is already decided' };
  if (app.chainVersion !== plan.fromVersion)
    return { ok: false, reason: `申请在第${app.chainVersion}版上，不在第${plan.fromVersion}版 / the application is on version ${app.chainVersion}` };
  if (app.type !== to.type)
    return { ok: false, reason: '申请已转为其他类型（如会籍转移），不再按此链审批 / the application turned into another type (e.g. a transfer)' };
  const cur = app.current;
  if (!cur) return { ok: false, reason: '申请没有当前步骤 / the application has no current step' };
  if (cur.added) return { ok: false, reason: `当前为加签步骤“${cur.name}”，新版本中没有对应步骤 / the current step is an added signer's step: no counterpart` };
  const newId = plan.stepMap[cur.id];
  if (newId === undefined)
    return { ok: false, reason: `当前步骤“${cur.name}”在新版本中没有对应步骤 / the current step “${cur.name}” has no counterpart in the new version` };
  const index = stepsOf(to).findIndex((st) => st.id === newId);
  const target = stepsOf(to)[index];
  if (!target || target.type === 'auto')
    return { ok: false, reason: `第${plan.toVersion}版没有所对应的人工步骤 / version ${plan.toVersion} has no human step ${newId}` };
  return { ok: true, already: false, fromStep: { id: cur.id, name: cur.name }, toStep: { id: target.id, name: target.name, index } };
}

/** The timeline's words for a migration. */
export function migrationComment(fromVersion: number, toVersion: number, fromStep: string, toStep: string): string {
  return `审批链由第${fromVersion}版迁移至第${toVersion}版：“${fromStep}”对应“${toStep}” / migrated from v${fromVersion} to v${toVersion}: ${fromStep} → ${toStep}`;
}
