/**
 * The approval engine's parallel groups and conditions on their own (pure
 * functions, no Temporal, no database): the cases the HTTP tests do not
 * reach quickly — a branch skipped by its condition deciding a mode-any
 * group, a time limit approving inside a branch, a retraction into the step
 * before a group, and runs from before conditions (the patch not taken).
 */
import { describe, expect, it } from 'vitest';
import type { HumanStep, ParallelGroup, Step } from '../../domain/chain';
import * as engine from '../../workflows/approval-engine';
import type { Effects, Patches } from '../../workflows/approval-engine';
import type { ActionInput, ApprovalState, ConditionResult, ResolvedStep, ResolveStepInput } from '../../workflows/approval-types';

const PATH: Record<string, string> = {
  'city.reviewer': '/henan/pds/',
  'city.reviewer2': '/henan/pds/',
  'gongjiao.reviewer': '/henan/pds/pds-gongjiao/',
  'prov.reviewer': '/henan/',
};
const ORG: Record<string, string> = { 'city.reviewer': 'pds', 'city.reviewer2': 'pds', 'gongjiao.reviewer': 'pds-gongjiao', 'prov.reviewer': 'henan' };

const named = (id: string, username: string, extra: Partial<HumanStep> = {}): HumanStep => ({
  id,
  name: `审核 ${id}`,
  type: 'human',
  who: { kind: 'users', usernames: [username] },
  mode: 'single',
  ...extra,
});
const group = (mode: 'all' | 'any', branches: HumanStep[][], extra: Partial<ParallelGroup> = {}): ParallelGroup => ({
  type: 'parallel',
  id: 'g',
  name: '会审',
  mode,
  branches,
  ...extra,
});

interface World {
  s: ApprovalState;
  fx: Effects;
  patches: Patches;
  /** Step ids whose condition (as the activity would judge it) does not hold. */
  falseConditions: Set<string>;
  resolved: ResolveStepInput[];
}

/** The activity's answer: named users resolve to themselves; a step in `falseConditions` with facts is skipped by it. */
function resolve(w: World, input: ResolveStepInput): ResolvedStep {
  w.resolved.push(input);
  const def = input.step;
  if (def.when !== undefined && input.facts && w.falseConditions.has(def.id)) {
    const c: ConditionResult = {
      holds: false,
      zh: '金额 > 50000',
      en: 'amount > 50000',
      note: '条件不满足：金额 > 50000，跳过 / condition not met: amount > 50000, skipped',
    };
    return { skip: true, rule: c.note, role: null, orgId: null, orgPath: null, candidates: [], forbidden: [], condition: c };
  }
  const users = def.who.kind === 'users' ? def.who.usernames : [];
  return {
    skip: false,
    rule: 'named',
    role: null,
    orgId: null,
    orgPath: null,
    orgPaths: Object.fromEntries(users.map((u) => [u, PATH[u]!])),
    candidates: users,
    forbidden: [],
    ...(def.sla ? { dueAt: new Date(1000).toISOString() } : {}),
  };
}

function drive(w: World): void {
  for (;;) {
    const { next, effects } = engine.advance(w.s, w.patches);
    engine.mergeEffects(w.fx, effects);
    if (next.kind === 'resolve') {
      const r = engine.onStepResolved(w.s, resolve(w, next.input), w.patches, next.branch);
      engine.mergeEffects(w.fx, r.effects);
      if (r.opened) return;
    } else if (next.kind === 'evaluate') {
      const holds = !w.falseConditions.has('group');
      engine.mergeEffects(w.fx, engine.onConditionEvaluated(w.s, { holds, zh: 'x', en: 'x', note: 'skipped' }, w.patches));
    } else if (next.kind === 'runAuto') {
      engine.mergeEffects(w.fx, engine.onAutoStepResult(w.s, { outcome: 'done', note: 'ok' }, w.patches));
    } else return;
  }
}

function start(steps: Step[], opts: { patches?: Patches; falseConditions?: string[] } = {}): World {
  const s = engine.initialState({
    applicationId: 'app1',
    type: 'subsidy',
    chain: { key: 'test', version: 1, name: 'test', type: 'subsidy', steps },
    applicant: 'xinhua.staff',
    applicantOrg: 'pds-xinhua',
    title: '跨行业服务站',
    payload: { amount: 20000, reason: '共建' },
  });
  const w: World = { s, fx: engine.noEffects(), patches: opts.patches ?? (() => true), falseConditions: new Set(opts.falseConditions), resolved: [] };
  engine.mergeEffects(w.fx, engine.submitted(s, 'xinhua.staff', w.patches));
  drive(w);
  return w;
}

let keys = 0;
function act(w: World, username: string, a: Omit<ActionInput, 'idempotencyKey' | 'actor'>): engine.Refusal | undefined {
  const input: ActionInput = {
    idempotencyKey: `k${++keys}`,
    actor: { username, orgId: ORG[username]!, orgPath: PATH[username], roles: ['reviewer'] },
    application: { applicantOrgPath: '/henan/pds/pds-xinhua/', targetOrgPath: null },
    ...a,
  };
  const refusal = engine.validate(w.s, input);
  if (refusal) return refusal;
  const r = engine.apply(w.s, input, w.patches);
  engine.mergeEffects(w.fx, r.effects);
  if (r.advance) drive(w);
  return undefined;
}
const taskOf = (w: World, username: string) => w.s.tasks.find((t) => t.status === 'pending' && t.candidates.includes(username))!;
const actions = (w: World) => w.fx.audit.map((e) => e.action);

describe('parallel groups in the engine', () => {
  it('mode any: a branch whose step its condition skips finishes first, and the other branch’s open task is cancelled', () => {
    const w = start(
      [
        group('any', [[named('gj', 'gongjiao.reviewer')], [named('big', 'city.reviewer', { when: { '>': [{ var: 'amount' }, 50000] } })]]),
        named('final', 'prov.reviewer'),
      ],
      { falseConditions: ['big'] },
    );
    expect(w.s.current).toBe(1);
    expect(w.s.steps[0]!.branches!.map((b) => b.status)).toEqual(['cancelled', 'done']);
    expect(w.s.tasks.find((t) => t.candidates.includes('gongjiao.reviewer'))!.status).toBe('cancelled');
    expect(taskOf(w, 'prov.reviewer').stepIndex).toBe(1);
    const skipped = w.fx.audit.find((e) => e.action === 'skipped')!;
    expect(skipped).toMatchObject({ step: '会审 › 审核 big', data: { branch: 1, branchStep: 0, condition: { holds: false, zh: '金额 > 50000' } } });
    expect(actions(w)).toEqual(expect.arrayContaining(['parallelStarted', 'branchDone', 'branchesCancelled', 'parallelDone']));
  });

  it('a time limit that approves automatically inside a branch finishes that branch only; the group waits for the other', () => {
    const sla = { limit: 1000, onTimeout: 'autoApprove' as const };
    const w = start([group('all', [[named('gj', 'gongjiao.reviewer', { sla })], [named('cm', 'city.reviewer')]]), named('final', 'prov.reviewer')]);
    const r = engine.handleDeadlinesWith(w.s, 5000, w.patches, () => null);
    engine.mergeEffects(w.fx, r.effects);
    if (r.advance) drive(w);
    expect(w.s.steps[0]!.branches!.map((b) => b.status)).toEqual(['done', 'active']);
    expect(w.s.current).toBe(0);
    expect(act(w, 'city.reviewer', { action: 'approve', taskId: taskOf(w, 'city.reviewer').id })).toBeUndefined();
    expect(w.s.current).toBe(1);
    expect(taskOf(w, 'prov.reviewer')).toBeDefined();
  });

  it('the approver of the step before a group retracts: the group’s tasks are cancelled and it starts afresh when reached again', () => {
    const w = start([named('first', 'city.reviewer2'), group('all', [[named('gj', 'gongjiao.reviewer')], [named('cm', 'city.reviewer')]])]);
    expect(act(w, 'city.reviewer2', { action: 'approve', taskId: taskOf(w, 'city.reviewer2').id })).toBeUndefined();
    expect(w.s.current).toBe(1);
    expect(act(w, 'city.reviewer2', { action: 'retract' })).toBeUndefined();
    expect(w.s.current).toBe(0);
    expect(w.s.steps[1]).toMatchObject({ status: 'waiting' });
    expect(w.s.steps[1]!.branches).toBeUndefined();
    expect(w.s.tasks.filter((t) => t.stepIndex === 1 && t.status === 'pending')).toHaveLength(0);
    expect(act(w, 'city.reviewer2', { action: 'approve', taskId: taskOf(w, 'city.reviewer2').id })).toBeUndefined();
    expect(w.s.tasks.filter((t) => t.stepIndex === 1 && t.status === 'pending')).toHaveLength(2);
  });

  it('a group whose condition does not hold is skipped whole, without resolving any branch', () => {
    const w = start(
      [
        group('all', [[named('gj', 'gongjiao.reviewer')], [named('cm', 'city.reviewer')]], { when: { '>': [{ var: 'amount' }, 1] } }),
        named('final', 'prov.reviewer'),
      ],
      {
        falseConditions: ['group'],
      },
    );
    expect(w.s.steps[0]!.status).toBe('skipped');
    expect(w.resolved.map((r) => r.step.id)).toEqual(['final']);
  });
});

describe('conditions and old runs', () => {
  it('a new run carries the facts to the activity; a run from before the patch does not (its steps are never skipped by condition)', () => {
    const steps = [named('big', 'prov.reviewer', { when: { '>': [{ var: 'amount' }, 50000] } }), named('final', 'city.reviewer')];
    const fresh = start(steps, { falseConditions: ['big'] });
    expect(fresh.resolved[0]!.facts).toEqual({ amount: 20000 });
    expect(fresh.s.steps[0]!.status).toBe('skipped');

    const old = start(steps, { falseConditions: ['big'], patches: (id) => id !== engine.STEP_CONDITIONS_PATCH });
    expect(old.resolved[0]!.facts).toBeUndefined();
    expect(old.s.steps[0]!.status).toBe('active');
  });
});
