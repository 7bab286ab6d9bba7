/**
 * The approval engine (workflows/approval-engine.ts) on its own: pure
 * functions over the state, no Temporal, no database. A small driver plays
 * the workflow's part — it answers "resolve step i" and "run auto step i"
 * from a table — so each test reads as the business process: who acts, what
 * the state becomes, which records (audit, tasks, notifications) it asks to
 * write.
 */
import { describe, expect, it } from 'vitest';
import type { HumanStep, Step } from '../../domain/chain';
import type { TargetFacts } from '../../domain/policy';
import * as engine from '../../workflows/approval-engine';
import type { Effects, Patches } from '../../workflows/approval-engine';
import type { ActionInput, Actor, ApprovalState, AutoStepResult, ResolvedStep } from '../../workflows/approval-types';

// ---------------------------------------------------------------------------
// The demo org tree, as actors and target facts
// ---------------------------------------------------------------------------

const PATH: Record<string, string> = {
  henan: '/henan/',
  pds: '/henan/pds/',
  'pds-xinhua': '/henan/pds/pds-xinhua/',
  'pds-weidong': '/henan/pds/pds-weidong/',
  xc: '/henan/xc/',
};
const ORG_OF: Record<string, string> = {
  'prov.reviewer': 'henan',
  'prov.admin': 'henan',
  'city.admin': 'pds',
  'city.reviewer': 'pds',
  'city.reviewer2': 'pds',
  'city.staff': 'pds',
  'city.lead': 'pds',
  'xinhua.staff': 'pds-xinhua',
  'xinhua.reviewer': 'pds-xinhua',
  'xinhua.admin': 'pds-xinhua',
  'weidong.reviewer': 'pds-weidong',
  'xc.admin': 'xc',
  'xc.reviewer': 'xc',
};
const ROLES_OF: Record<string, string[]> = {
  'prov.admin': ['admin'],
  'city.admin': ['admin'],
  'xinhua.admin': ['admin'],
  'xc.admin': ['admin'],
  'xinhua.staff': ['staff'],
  'city.staff': ['staff'],
  'city.lead': ['supervisor'],
};

function actor(username: string): Actor {
  const orgId = ORG_OF[username]!;
  return { username, orgId, orgPath: PATH[orgId], roles: ROLES_OF[username] ?? ['reviewer'] };
}
function target(username: string, active = true): TargetFacts {
  return { username, active, orgPath: PATH[ORG_OF[username]!]! };
}

// ---------------------------------------------------------------------------
// Chains and the driver standing in for the workflow
// ---------------------------------------------------------------------------

const roleStep = (id: string, level: 'city' | 'province' | 'region', extra: Partial<HumanStep> = {}): HumanStep => ({
  id,
  name: `审核 ${id}`,
  type: 'human',
  who: { kind: 'role', role: 'reviewer', level },
  mode: 'single',
  ...extra,
});
const usersStep = (id: string, usernames: string[], mode: HumanStep['mode'], extra: Partial<HumanStep> = {}): HumanStep => ({
  id,
  name: `会审 ${id}`,
  type: 'human',
  who: { kind: 'users', usernames },
  mode,
  ...extra,
});
/** 经费补助: city review, province review, the notice. */
const SUBSIDY: Step[] = [
  roleStep('city', 'city'),
  roleStep('province', 'province'),
  { id: 'notice', name: '立项通知', type: 'auto', activity: 'issueSubsidyNotice' },
];

/** How the route resolution (the activity) answers, by step id; named users resolve to themselves in their orgs. */
function resolver(s: ApprovalState, overrides: Record<string, Partial<ResolvedStep>> = {}): ResolvedStep {
  const def = s.steps[s.current]!.def as HumanStep;
  const base: ResolvedStep =
    def.who.kind === 'users'
      ? {
          skip: false,
          rule: 'named',
          role: null,
          orgId: null,
          orgPath: null,
          orgPaths: Object.fromEntries(def.who.usernames.map((u) => [u, PATH[ORG_OF[u]!]!])),
          candidates: def.who.usernames,
          forbidden: [],
        }
      : def.who.level === 'province'
        ? { skip: false, rule: 'province reviewer', role: 'reviewer', orgId: 'henan', orgPath: '/henan/', candidates: ['prov.reviewer'], forbidden: [] }
        : def.who.level === 'region'
          ? {
              skip: false,
              rule: 'region reviewer',
              role: 'reviewer',
              orgId: 'pds-xinhua',
              orgPath: '/henan/pds/pds-xinhua/',
              candidates: ['xinhua.reviewer'],
              forbidden: [],
            }
          : {
              skip: false,
              rule: 'city reviewer',
              role: 'reviewer',
              orgId: 'pds',
              orgPath: '/henan/pds/',
              candidates: ['city.reviewer', 'city.reviewer2'],
              forbidden: [],
            };
  return { ...base, ...overrides[def.id] };
}

interface World {
  s: ApprovalState;
  fx: Effects;
  patches: Patches;
  resolve: Record<string, Partial<ResolvedStep>>;
  auto: Record<string, AutoStepResult>;
  /** Steps the driver resolved or ran, in order (the commands the workflow would issue). */
  commands: string[];
}

/** Plays the workflow's advance loop: resolve human steps, run auto steps, until people must act. */
function drive(w: World): void {
  for (;;) {
    const { next, effects } = engine.advance(w.s, w.patches);
    engine.mergeEffects(w.fx, effects);
    if (next.kind === 'resolve') {
      w.commands.push(`resolve:${next.input.step.id}`);
      const r = engine.onStepResolved(w.s, resolver(w.s, w.resolve), w.patches);
      engine.mergeEffects(w.fx, r.effects);
      if (r.opened) return;
    } else if (next.kind === 'runAuto') {
      w.commands.push(`auto:${next.input.activity}`);
      engine.mergeEffects(w.fx, engine.onAutoStepResult(w.s, w.auto[next.input.activity] ?? { outcome: 'done', note: 'ok' }, w.patches));
    } else return;
  }
}

function start(
  steps: Step[] = SUBSIDY,
  opts: Partial<Pick<World, 'patches' | 'resolve' | 'auto'>> & { type?: ApprovalState['type']; applicant?: string } = {},
): World {
  const applicant = opts.applicant ?? 'xinhua.staff';
  const s = engine.initialState({
    applicationId: 'app1',
    type: opts.type ?? 'subsidy',
    chain: { key: 'test', version: 1, name: 'test', type: opts.type ?? 'subsidy', steps },
    applicant,
    applicantOrg: ORG_OF[applicant] ?? 'pds-xinhua',
    title: '服务站补助',
    payload: { amount: 20000, reason: '新建服务站' },
  });
  const w: World = { s, fx: engine.noEffects(), patches: opts.patches ?? (() => true), resolve: opts.resolve ?? {}, auto: opts.auto ?? {}, commands: [] };
  engine.mergeEffects(w.fx, engine.submitted(s, applicant, w.patches));
  drive(w);
  return w;
}

let keys = 0;
/** One action as the workflow's Update handles it: validate; if allowed apply, advance, remember. Returns the refusal, if any. */
function act(w: World, a: Omit<ActionInput, 'idempotencyKey'> & { idempotencyKey?: string }): engine.Refusal | undefined {
  const input: ActionInput = {
    idempotencyKey: `k${++keys}`,
    application: { applicantOrgPath: PATH[w.s.applicantOrg] ?? '/henan/pds/pds-xinhua/', targetOrgPath: null },
    ...a,
  };
  const refusal = engine.validate(w.s, input);
  if (refusal) return refusal;
  if (engine.seen(w.s, input.idempotencyKey)) return undefined;
  const r = engine.apply(w.s, input, w.patches);
  engine.mergeEffects(w.fx, r.effects);
  if (r.advance) drive(w);
  engine.remember(w.s, input.idempotencyKey, input);
  return undefined;
}

/** Clears the collected effects (as a flush would) and returns them. */
function flushed(w: World): Effects {
  const fx = w.fx;
  w.fx = engine.noEffects();
  return fx;
}
const pendingTask = (w: World, stepIndex = w.s.current) => w.s.tasks.find((t) => t.kind === 'approval' && t.status === 'pending' && t.stepIndex === stepIndex)!;
const snapshot = (w: World) => JSON.stringify(w.s);

/** Asserts the action is refused with this type and changes nothing. */
function refused(w: World, a: Parameters<typeof act>[1], type: engine.Refusal['type'], reason?: RegExp) {
  const before = snapshot(w);
  flushed(w);
  const r = act(w, a);
  expect(r?.type).toBe(type);
  if (reason) expect(r?.message).toMatch(reason);
  expect(snapshot(w)).toBe(before);
  expect(w.fx).toEqual(engine.noEffects());
}

// ---------------------------------------------------------------------------

describe('submitting and approving along the chain', () => {
  it('a submitted application opens the first human step: one role task of the resolved org, with its org path', () => {
    const w = start();
    expect(w.commands).toEqual(['resolve:city']);
    expect(w.s.current).toBe(0);
    expect(w.s.steps[0]!.status).toBe('active');
    const t = pendingTask(w);
    expect(t).toMatchObject({ role: 'reviewer', orgId: 'pds', orgPath: '/henan/pds/', assignee: null, candidates: ['city.reviewer', 'city.reviewer2'] });
    expect(w.fx.audit.map((e) => e.action)).toEqual(['submitted', 'stepStarted']);
    expect(w.fx.tasks).toEqual([expect.objectContaining({ id: t.id, status: 'pending', role: 'reviewer', orgId: 'pds' })]);
    expect(w.fx.projection).toBe(true);
  });

  it('the holder approves; the chain moves on; the last approval runs the notice and the application is approved', () => {
    const w = start();
    flushed(w);
    expect(act(w, { action: 'approve', actor: actor('city.reviewer'), taskId: pendingTask(w).id })).toBeUndefined();
    expect(w.s.current).toBe(1);
    expect(w.s.lastApproval).toEqual({ username: 'city.reviewer', stepIndex: 0, revision: 0 });
    expect(w.fx.audit.map((e) => [e.action, e.actor])).toEqual([
      ['approve', 'city.reviewer'],
      ['stepStarted', 'system'],
    ]);
    expect(act(w, { action: 'approve', actor: actor('prov.reviewer'), taskId: pendingTask(w).id })).toBeUndefined();
    expect(w.commands).toEqual(['resolve:city', 'resolve:province', 'auto:issueSubsidyNotice']);
    expect(w.s.status).toBe('approved');
    const fx = flushed(w);
    expect(fx.audit.map((e) => e.action)).toEqual(['approve', 'stepStarted', 'approve', 'auto:issueSubsidyNotice', 'approved']);
    expect(fx.notifications).toEqual([expect.objectContaining({ username: 'xinhua.staff', kind: 'decided' })]);
  });

  it('reject ends the application, cancels what is pending and tells the applicant', () => {
    const w = start();
    flushed(w);
    act(w, { action: 'reject', actor: actor('city.reviewer2'), taskId: pendingTask(w).id, comment: '材料不全' });
    expect(w.s.status).toBe('rejected');
    expect(w.s.tasks[0]).toMatchObject({ status: 'completed', decision: 'reject', decidedBy: 'city.reviewer2' });
    expect(w.fx.notifications).toEqual([expect.objectContaining({ username: 'xinhua.staff', kind: 'decided' })]);
    expect(engine.view(w.s).currentStep).toBeNull();
    refused(w, { action: 'approve', actor: actor('city.reviewer'), taskId: w.s.tasks[0]!.id }, 'Conflict', /already rejected/);
  });

  it('a task of a user who neither holds it nor overrides is refused (Forbidden) and changes nothing', () => {
    const w = start();
    refused(w, { action: 'approve', actor: actor('xinhua.reviewer'), taskId: pendingTask(w).id }, 'Forbidden', /not assigned to you/);
    refused(w, { action: 'approve', actor: actor('city.reviewer'), taskId: 'app1-task-999' }, 'Conflict', /no such task/);
  });
});

describe('modes: single, all (会签), any (或签)', () => {
  it('single on named users opens one task for the first named user, in their own org', () => {
    const w = start([usersStep('s', ['xinhua.reviewer', 'city.reviewer'], 'single')]);
    expect(w.s.tasks.filter((t) => t.kind === 'approval')).toEqual([
      expect.objectContaining({ assignee: 'xinhua.reviewer', orgPath: '/henan/pds/pds-xinhua/', status: 'pending' }),
    ]);
  });

  it('all: every named approver must approve before the chain moves on', () => {
    const w = start([usersStep('all', ['city.reviewer', 'xinhua.reviewer'], 'all'), roleStep('province', 'province')]);
    const [a, b] = w.s.tasks;
    expect([a!.orgPath, b!.orgPath]).toEqual(['/henan/pds/', '/henan/pds/pds-xinhua/']);
    act(w, { action: 'approve', actor: actor('city.reviewer'), taskId: a!.id });
    expect(w.s.current).toBe(0);
    expect(b!.status).toBe('pending');
    act(w, { action: 'approve', actor: actor('xinhua.reviewer'), taskId: b!.id });
    expect(w.s.current).toBe(1);
    expect(w.s.steps[0]!.status).toBe('done');
  });

  it('any: the first decision counts; the other tasks are cancelled', () => {
    const w = start([usersStep('any', ['city.reviewer', 'xinhua.reviewer'], 'any'), roleStep('province', 'province')]);
    const [a, b] = w.s.tasks;
    flushed(w);
    act(w, { action: 'approve', actor: actor('xinhua.reviewer'), taskId: b!.id });
    expect(a!.status).toBe('cancelled');
    expect(w.s.current).toBe(1);
    expect(w.fx.tasks.find((t) => t.id === a!.id)).toMatchObject({ status: 'cancelled' });
  });
});

describe('rules: approve once, the applicant', () => {
  it('the same approver on consecutive steps approves once; the timeline says so', () => {
    const w = start([usersStep('a', ['city.reviewer'], 'single'), roleStep('city2', 'city'), roleStep('province', 'province')]);
    flushed(w);
    act(w, { action: 'approve', actor: actor('city.reviewer'), taskId: pendingTask(w).id });
    expect(w.s.current).toBe(2);
    expect(w.s.steps[1]!.status).toBe('done');
    expect(w.fx.audit.find((e) => e.data?.auto === 'approveOnce')).toMatchObject({ actor: 'city.reviewer', stepIndex: 1 });
  });

  it('an added signer’s approval does not approve the next step once', () => {
    const w = start([roleStep('city', 'city'), roleStep('province', 'province')], { resolve: { city: { candidates: ['city.reviewer'] } } });
    act(w, {
      action: 'addSigner',
      actor: actor('city.reviewer'),
      taskId: pendingTask(w).id,
      to: ['city.reviewer2'],
      position: 'after',
      targets: [target('city.reviewer2')],
    });
    act(w, { action: 'approve', actor: actor('city.reviewer'), taskId: pendingTask(w).id });
    expect(w.s.steps[1]!.added).toEqual({ by: 'city.reviewer', position: 'after' });
    expect(pendingTask(w)).toMatchObject({ assignee: 'city.reviewer2', orgPath: '/henan/pds/' });
  });

  it('the applicant never decides their own application, even as an admin; a forbidden candidate gets no task', () => {
    const w = start([roleStep('city', 'city'), roleStep('province', 'province')], {
      applicant: 'city.admin',
      resolve: { city: { candidates: ['city.reviewer', 'city.admin'], forbidden: ['city.admin'] } },
    });
    refused(w, { action: 'approve', actor: actor('city.admin'), taskId: pendingTask(w).id }, 'Forbidden', /applicant may not/);
    const w2 = start([usersStep('all', ['city.reviewer', 'city.admin'], 'all')], {
      applicant: 'city.admin',
      resolve: { all: { forbidden: ['city.admin'] } },
    });
    expect(w2.s.tasks.map((t) => t.assignee)).toEqual(['city.reviewer']);
    refused(
      w2,
      { action: 'transfer', actor: actor('city.reviewer'), taskId: pendingTask(w2).id, to: ['city.admin'], targets: [target('city.admin')] },
      'BadRequest',
      /applicant/,
    );
  });

  it('a step whose approvers resolve to nobody is skipped, with the rule on the timeline', () => {
    const w = start(SUBSIDY, { resolve: { city: { skip: true, rule: 'nobody: skipped', candidates: [] } } });
    expect(w.s.steps[0]!.status).toBe('skipped');
    expect(w.s.current).toBe(1);
    expect(w.fx.audit.find((e) => e.action === 'skipped')).toMatchObject({ comment: 'nobody: skipped', stepIndex: 0 });
  });
});

describe('admin override: only within the task’s org subtree', () => {
  it('the city admin overrides a city task; the timeline names the holder it overrode', () => {
    const w = start();
    flushed(w);
    expect(act(w, { action: 'approve', actor: actor('city.admin'), taskId: pendingTask(w).id })).toBeUndefined();
    expect(w.fx.audit[0]).toMatchObject({ action: 'approve', actor: 'city.admin', data: { override: true, overrode: 'reviewer@pds' } });
    expect(w.s.current).toBe(1);
  });

  it('the province admin overrides below; the city admin may not override the province’s task; another city’s admin nothing', () => {
    const w = start();
    refused(w, { action: 'approve', actor: actor('xc.admin'), taskId: pendingTask(w).id }, 'Forbidden');
    refused(w, { action: 'approve', actor: actor('xinhua.admin'), taskId: pendingTask(w).id }, 'Forbidden');
    act(w, { action: 'approve', actor: actor('prov.admin'), taskId: pendingTask(w).id });
    expect(w.s.current).toBe(1);
    refused(w, { action: 'approve', actor: actor('city.admin'), taskId: pendingTask(w).id }, 'Forbidden', /not assigned to you/);
  });

  it('an admin’s override follows the task’s org, not the application’s: a xinhua application’s city task is no xinhua admin’s', () => {
    const w = start([usersStep('u', ['city.reviewer'], 'single')]);
    refused(w, { action: 'approve', actor: actor('xinhua.admin'), taskId: pendingTask(w).id }, 'Forbidden');
    act(w, { action: 'approve', actor: actor('city.admin'), taskId: pendingTask(w).id });
    expect(w.s.status).toBe('approved');
  });

  it('a task of an old run (no org path) cannot be overridden, and an actor without an org path overrides nothing', () => {
    const w = start();
    delete pendingTask(w).orgPath;
    refused(w, { action: 'approve', actor: actor('prov.admin'), taskId: pendingTask(w).id }, 'Forbidden');
    const w2 = start();
    refused(w2, { action: 'approve', actor: { ...actor('prov.admin'), orgPath: undefined }, taskId: pendingTask(w2).id }, 'Forbidden');
  });

  it('the asAdmin flag from a request gives no override', () => {
    const w = start();
    refused(w, { action: 'approve', actor: { ...actor('xc.admin'), asAdmin: true }, taskId: pendingTask(w).id }, 'Forbidden');
  });
});

describe('return and resubmit', () => {
  it('return to the applicant: a revision task, a notice, status returned; only the applicant side may resubmit', () => {
    const w = start();
    act(w, { action: 'approve', actor: actor('city.reviewer'), taskId: pendingTask(w).id });
    flushed(w);
    act(w, { action: 'return', actor: actor('prov.reviewer'), taskId: pendingTask(w).id, returnTo: 'applicant', deadline: '2026-12-01T00:00:00Z' });
    expect(w.s).toMatchObject({ status: 'returned', returnedFrom: 1, returnDeadline: '2026-12-01T00:00:00Z' });
    expect(w.s.tasks.find((t) => t.kind === 'revision')).toMatchObject({ assignee: 'xinhua.staff', status: 'pending' });
    expect(w.fx.notifications).toEqual([expect.objectContaining({ username: 'xinhua.staff', kind: 'returned' })]);
    refused(w, { action: 'resubmit', actor: actor('city.reviewer') }, 'Forbidden');
    refused(w, { action: 'return', actor: actor('prov.reviewer'), taskId: w.s.tasks[1]!.id, returnTo: 'applicant' }, 'Conflict');
  });

  it('an unchanged resubmit resumes where it was returned; the earlier approval stands', () => {
    const w = start();
    act(w, { action: 'approve', actor: actor('city.reviewer'), taskId: pendingTask(w).id });
    act(w, { action: 'return', actor: actor('prov.reviewer'), taskId: pendingTask(w).id, returnTo: 'applicant' });
    flushed(w);
    act(w, { action: 'resubmit', actor: actor('xinhua.staff'), changes: { payload: { amount: 20000 } } });
    expect(w.s).toMatchObject({ status: 'pending', current: 1, revision: 1 });
    expect(w.fx.audit.map((e) => e.action)).toEqual(['resubmit', 'stepStarted']);
    expect(w.s.tasks.some((t) => t.voided)).toBe(false);
  });

  it('a changed resubmit voids every earlier approval and restarts at the first human step; approve-once does not carry over', () => {
    const w = start([
      { id: 'sort', name: '分拣', type: 'auto', activity: 'sortMembership' },
      usersStep('a', ['city.reviewer'], 'single'),
      roleStep('city2', 'city'),
      roleStep('province', 'province'),
    ]);
    act(w, { action: 'approve', actor: actor('city.reviewer'), taskId: pendingTask(w).id }); // step 1, and step 2 approved once
    expect(w.s.current).toBe(3);
    act(w, { action: 'return', actor: actor('prov.reviewer'), taskId: pendingTask(w).id, returnTo: 'applicant' });
    flushed(w);
    const commands = w.commands.length;
    act(w, { action: 'resubmit', actor: actor('xinhua.staff'), changes: { payload: { amount: 18000 } } });
    expect(w.s.payload.amount).toBe(18000);
    expect(w.s.current).toBe(1);
    expect(w.commands.slice(commands)).toEqual(['resolve:a']); // the automated sorting does not run again
    const voided = w.fx.audit.find((e) => e.action === 'approvalsVoided')!;
    expect(voided.comment).toBe('内容已修改，此前的审批作废 / the application changed: earlier approvals are void');
    expect(voided.data).toMatchObject({ restartAt: 1, voided: [expect.objectContaining({ stepIndex: 1, approver: 'city.reviewer' })] });
    expect(w.s.tasks.filter((t) => t.voided).map((t) => t.decidedBy)).toEqual(['city.reviewer']);
    // No approval of the old version counts any more: the first human step asks its approver again.
    expect(w.s.lastApproval).toBeUndefined();
    expect(pendingTask(w)).toMatchObject({ stepIndex: 1, assignee: 'city.reviewer', status: 'pending' });
    // Approved anew, the rule applies to the new version only.
    flushed(w);
    act(w, { action: 'approve', actor: actor('city.reviewer'), taskId: pendingTask(w).id });
    expect(w.s.lastApproval).toEqual({ username: 'city.reviewer', stepIndex: 2, revision: 1 });
    expect(w.fx.audit.map((e) => e.action)).toEqual(['approve', 'approve', 'stepStarted']);
    expect(w.s.current).toBe(3);
  });

  it('a changed title restarts too; runs before the patch resume where they were returned', () => {
    const steps = [roleStep('city', 'city'), roleStep('province', 'province')];
    const w = start(steps);
    act(w, { action: 'approve', actor: actor('city.reviewer'), taskId: pendingTask(w).id });
    act(w, { action: 'return', actor: actor('prov.reviewer'), taskId: pendingTask(w).id, returnTo: 'applicant' });
    act(w, { action: 'resubmit', actor: actor('xinhua.staff'), changes: { title: '新标题' } });
    expect(w.s.current).toBe(0);

    const asked: string[] = [];
    const old = start(steps, { patches: (id) => (asked.push(id), id !== engine.CHANGED_RESUBMIT_PATCH) });
    act(old, { action: 'approve', actor: actor('city.reviewer'), taskId: pendingTask(old).id });
    act(old, { action: 'return', actor: actor('prov.reviewer'), taskId: pendingTask(old).id, returnTo: 'applicant' });
    flushed(old);
    act(old, { action: 'resubmit', actor: actor('xinhua.staff'), changes: { payload: { amount: 1 } } });
    expect(asked).toContain(engine.CHANGED_RESUBMIT_PATCH);
    expect(old.s.current).toBe(1);
    expect(old.fx.audit.map((e) => e.action)).toEqual(['resubmit', 'stepStarted']);
  });

  it('return to an earlier step restarts there; a later step is no valid target', () => {
    const w = start();
    act(w, { action: 'approve', actor: actor('city.reviewer'), taskId: pendingTask(w).id });
    refused(w, { action: 'return', actor: actor('prov.reviewer'), taskId: pendingTask(w).id, returnTo: 1 }, 'BadRequest');
    flushed(w);
    act(w, { action: 'return', actor: actor('prov.reviewer'), taskId: pendingTask(w).id, returnTo: 0 });
    expect(w.s).toMatchObject({ status: 'pending', current: 0, dedupBlocked: false });
    expect(w.fx.audit[0]).toMatchObject({ action: 'return', data: { to: 0 } });
    expect(pendingTask(w).stepIndex).toBe(0);
  });
});

describe('withdraw and retract', () => {
  it('the applicant (or the applicant org’s staff) withdraws; an approver may not', () => {
    const w = start();
    refused(w, { action: 'withdraw', actor: actor('city.reviewer') }, 'Forbidden');
    act(w, { action: 'withdraw', actor: actor('xinhua.staff'), comment: '项目取消' });
    expect(w.s.status).toBe('withdrawn');
    expect(w.s.tasks[0]!.status).toBe('cancelled');
  });

  it('the previous step’s approver retracts while the next step has not acted', () => {
    const w = start();
    const t = pendingTask(w);
    act(w, { action: 'approve', actor: actor('city.reviewer'), taskId: t.id });
    refused(w, { action: 'retract', actor: actor('city.reviewer2') }, 'Conflict');
    flushed(w);
    act(w, { action: 'retract', actor: actor('city.reviewer') });
    expect(w.s.current).toBe(0);
    expect(t).toMatchObject({ status: 'pending', decision: undefined });
    expect(w.s.tasks[1]!.status).toBe('cancelled');
    expect(w.fx.audit.map((e) => e.action)).toEqual(['retract']);
  });
});

describe('hand-offs: transfer, delegate, add and remove signers', () => {
  it('transfer within the task’s org subtree; outside it, to an unknown or inactive user, or without facts, refused', () => {
    const w = start();
    const t = pendingTask(w);
    const base = { action: 'transfer' as const, actor: actor('city.reviewer'), taskId: t.id };
    refused(w, { ...base, to: ['xc.reviewer'], targets: [target('xc.reviewer')] }, 'Forbidden', /within the task/);
    refused(w, { ...base, to: ['xinhua.reviewer'] }, 'BadRequest', /unknown or inactive/);
    refused(w, { ...base, to: ['xinhua.reviewer'], targets: [target('xinhua.reviewer', false)] }, 'BadRequest');
    refused(w, { ...base, to: ['city.reviewer'], targets: [target('city.reviewer')] }, 'BadRequest', /yourself/);
    flushed(w);
    act(w, { ...base, to: ['xinhua.reviewer'], targets: [target('xinhua.reviewer')] });
    expect(t).toMatchObject({ assignee: 'xinhua.reviewer', role: null, candidates: ['xinhua.reviewer'], orgPath: '/henan/pds/' });
    expect(w.s.dedupBlocked).toBe(true);
    expect(w.fx.audit[0]).toMatchObject({ action: 'transfer', data: { to: 'xinhua.reviewer' } });
    expect(w.fx.tasks[0]).toMatchObject({ id: t.id, assignee: 'xinhua.reviewer' });
  });

  it('an admin’s transfer (cadre rotation) is an override and says so; a task of a personal-data step never leaves its org', () => {
    const w = start([roleStep('identity', 'region', { showsPersonalData: true })]);
    const t = pendingTask(w);
    refused(w, { action: 'transfer', actor: actor('xinhua.reviewer'), taskId: t.id, to: ['city.reviewer'], targets: [target('city.reviewer')] }, 'Forbidden');
    const w2 = start([roleStep('identity', 'city', { showsPersonalData: true })]);
    refused(
      w2,
      { action: 'transfer', actor: actor('city.reviewer'), taskId: pendingTask(w2).id, to: ['xinhua.reviewer'], targets: [target('xinhua.reviewer')] },
      'Forbidden',
      /personal data/,
    );
    refused(
      w2,
      { action: 'cc', actor: actor('city.reviewer'), taskId: pendingTask(w2).id, to: ['xinhua.reviewer'], targets: [target('xinhua.reviewer')] },
      'Forbidden',
      /personal data/,
    );
    flushed(w2);
    act(w2, { action: 'transfer', actor: actor('city.admin'), taskId: pendingTask(w2).id, to: ['city.reviewer2'], targets: [target('city.reviewer2')] });
    expect(w2.fx.audit[0]).toMatchObject({ action: 'transfer', actor: 'city.admin', data: { to: 'city.reviewer2', override: true, overrode: 'reviewer@pds' } });
  });

  it('delegate: the owner waits, the delegate only gives an opinion, the task comes back and its owner decides', () => {
    const w = start();
    const t = pendingTask(w);
    act(w, { action: 'delegate', actor: actor('city.reviewer'), taskId: t.id, to: ['xinhua.reviewer'], targets: [target('xinhua.reviewer')] });
    expect(t).toMatchObject({ assignee: 'city.reviewer', delegatedTo: 'xinhua.reviewer' });
    expect(w.fx.tasks.at(-1)).toMatchObject({ assignee: 'xinhua.reviewer', owner: 'city.reviewer' });
    refused(w, { action: 'approve', actor: actor('city.reviewer'), taskId: t.id }, 'Forbidden', /waiting for the delegate/);
    refused(w, { action: 'transfer', actor: actor('xinhua.reviewer'), taskId: t.id, to: ['city.reviewer2'], targets: [target('city.reviewer2')] }, 'Conflict');
    flushed(w);
    act(w, { action: 'approve', actor: actor('xinhua.reviewer'), taskId: t.id, comment: '预算合理' });
    expect(w.fx.audit[0]).toMatchObject({ action: 'delegateResolved', actor: 'xinhua.reviewer', data: { opinion: 'approve' } });
    expect(t.status).toBe('pending');
    expect(w.s.current).toBe(0);
    refused(w, { action: 'approve', actor: actor('xinhua.reviewer'), taskId: t.id }, 'Forbidden');
    act(w, { action: 'approve', actor: actor('city.reviewer'), taskId: t.id });
    expect(w.s.current).toBe(1);
  });

  it('addSigner before: the step waits for the added signer, then comes back to its own approvers (not approved once)', () => {
    const w = start();
    const t = pendingTask(w);
    refused(w, { action: 'addSigner', actor: actor('city.reviewer'), taskId: t.id, to: ['city.reviewer2'], targets: [target('city.reviewer2')] }, 'BadRequest');
    flushed(w);
    act(w, {
      action: 'addSigner',
      actor: actor('city.reviewer'),
      taskId: t.id,
      to: ['city.reviewer2'],
      position: 'before',
      targets: [target('city.reviewer2')],
    });
    expect(t.status).toBe('cancelled');
    expect(w.s.steps[0]).toMatchObject({ added: { by: 'city.reviewer', position: 'before' }, status: 'active' });
    expect(w.s.steps[1]!.def.id).toBe('city');
    expect(pendingTask(w)).toMatchObject({ stepIndex: 0, assignee: 'city.reviewer2', orgPath: '/henan/pds/' });
    act(w, { action: 'approve', actor: actor('city.reviewer2'), taskId: pendingTask(w).id });
    expect(w.s.current).toBe(1);
    expect(pendingTask(w)).toMatchObject({ role: 'reviewer', orgId: 'pds', stepIndex: 1 });
  });

  it('addSigner after inserts a step; removeSigner by its adder takes it out again', () => {
    const w = start();
    const t = pendingTask(w);
    act(w, {
      action: 'addSigner',
      actor: actor('city.reviewer'),
      taskId: t.id,
      to: ['xinhua.reviewer'],
      position: 'after',
      targets: [target('xinhua.reviewer')],
    });
    expect(w.s.steps.map((st) => st.def.id)).toEqual(['city', expect.stringMatching(/^added-/), 'province', 'notice']);
    refused(w, { action: 'removeSigner', actor: actor('city.reviewer2'), taskId: t.id, to: ['xinhua.reviewer'] }, 'Conflict');
    flushed(w);
    act(w, { action: 'removeSigner', actor: actor('city.reviewer'), taskId: t.id, to: ['xinhua.reviewer'] });
    expect(w.s.steps.map((st) => st.def.id)).toEqual(['city', 'province', 'notice']);
    expect(w.fx.audit[0]).toMatchObject({ action: 'removeSigner', data: { removed: 'xinhua.reviewer' } });
  });

  it('an added signer outside the task’s org is refused', () => {
    const w = start();
    refused(
      w,
      {
        action: 'addSigner',
        actor: actor('city.reviewer'),
        taskId: pendingTask(w).id,
        to: ['xc.reviewer'],
        position: 'after',
        targets: [target('xc.reviewer')],
      },
      'Forbidden',
    );
  });
});

describe('release (退回角色池): cadre rotation without a successor', () => {
  it('an admin returns a named task to its role pool: anyone holding the role there may take it; the timeline says so', () => {
    const w = start([roleStep('city', 'city', { mode: 'all' })]);
    const t = w.s.tasks.find((x) => x.assignee === 'city.reviewer')!;
    expect(t).toMatchObject({ role: 'reviewer', orgId: 'pds' });
    flushed(w);
    act(w, {
      action: 'release',
      actor: actor('city.admin'),
      taskId: t.id,
      holder: 'city.reviewer',
      to: ['city.reviewer', 'city.reviewer2'],
      comment: '干部轮岗',
    });
    expect(t).toMatchObject({ assignee: null, role: 'reviewer', orgId: 'pds', candidates: ['city.reviewer2'], status: 'pending' });
    expect(w.fx.tasks).toEqual([expect.objectContaining({ id: t.id, assignee: null, role: 'reviewer', orgId: 'pds', candidates: ['city.reviewer2'] })]);
    expect(w.fx.audit).toEqual([
      expect.objectContaining({
        actor: 'city.admin',
        action: 'release',
        comment: '干部轮岗',
        data: expect.objectContaining({ from: 'city.reviewer', pool: 'reviewer@pds', override: true }),
      }),
    ]);
    expect(w.fx.notifications.map((n) => n.username)).toEqual(['city.reviewer2']);
    // The pool's holder acts on it (the other 会签 task is theirs already; this one completes the step's other half).
    expect(act(w, { action: 'approve', actor: actor('city.reviewer2'), taskId: t.id })).toBeUndefined();
    expect(t).toMatchObject({ status: 'completed', decidedBy: 'city.reviewer2' });
  });

  it('refused outside the admin’s subtree, for someone who does not hold the task, and for a task with no role pool', () => {
    const w = start([roleStep('city', 'city', { mode: 'all' })]);
    const t = w.s.tasks.find((x) => x.assignee === 'city.reviewer')!;
    refused(w, { action: 'release', actor: actor('xc.admin'), taskId: t.id, holder: 'city.reviewer' }, 'Forbidden');
    refused(w, { action: 'release', actor: actor('city.admin'), taskId: t.id, holder: 'city.reviewer2' }, 'Conflict', /does not hold/);
    const named = start([usersStep('meet', ['city.reviewer'], 'single')]);
    refused(named, { action: 'release', actor: actor('city.admin'), taskId: pendingTask(named).id, holder: 'city.reviewer' }, 'Conflict', /role pool/);
  });

  it('a delegate released: the delegation ends and the task is its owner’s again; the owner released: back to the pool, delegation ended', () => {
    const w = start();
    const t = pendingTask(w);
    act(w, { action: 'delegate', actor: actor('city.reviewer'), taskId: t.id, to: ['xinhua.reviewer'], targets: [target('xinhua.reviewer')] });
    flushed(w);
    act(w, { action: 'release', actor: actor('city.admin'), taskId: t.id, holder: 'xinhua.reviewer', comment: '干部轮岗' });
    expect(t.delegatedTo).toBeUndefined();
    expect(t).toMatchObject({ assignee: 'city.reviewer', status: 'pending' });
    expect(w.fx.audit[0]).toMatchObject({ action: 'release', data: { from: 'xinhua.reviewer', to: 'city.reviewer', delegationEnded: true } });
    expect(w.fx.tasks[0]).toMatchObject({ id: t.id, assignee: 'city.reviewer', owner: null });
    expect(act(w, { action: 'approve', actor: actor('city.reviewer'), taskId: t.id })).toBeUndefined();

    const w2 = start();
    const t2 = pendingTask(w2);
    act(w2, { action: 'delegate', actor: actor('city.reviewer'), taskId: t2.id, to: ['xinhua.reviewer'], targets: [target('xinhua.reviewer')] });
    flushed(w2);
    act(w2, { action: 'release', actor: actor('city.admin'), taskId: t2.id, holder: 'city.reviewer', to: ['city.reviewer2'] });
    expect(t2).toMatchObject({ assignee: null, role: 'reviewer', orgId: 'pds', candidates: ['city.reviewer2'] });
    expect(t2.delegatedTo).toBeUndefined();
    expect(w2.fx.tasks[0]).toMatchObject({ assignee: null, owner: null, role: 'reviewer' });
    refused(w2, { action: 'approve', actor: actor('xinhua.reviewer'), taskId: t2.id }, 'Forbidden');
    expect(act(w2, { action: 'approve', actor: actor('city.reviewer2'), taskId: t2.id })).toBeUndefined();
  });
});

describe('comment, urge, cc', () => {
  it('participants comment; an outsider may not; an admin whose subtree covers the application may; a comment needs text', () => {
    const w = start();
    refused(w, { action: 'comment', actor: actor('city.reviewer') }, 'BadRequest');
    refused(w, { action: 'comment', actor: actor('xc.admin'), comment: '看看' }, 'Forbidden');
    refused(w, { action: 'comment', actor: actor('weidong.reviewer'), comment: '看看' }, 'Forbidden');
    // On a task, the approvers' thread, only participants speak.
    refused(w, { action: 'comment', actor: actor('city.admin'), taskId: pendingTask(w).id, comment: '看看' }, 'Forbidden');
    flushed(w);
    act(w, { action: 'comment', actor: actor('city.reviewer'), comment: '正在核实' });
    act(w, { action: 'comment', actor: actor('city.admin'), comment: '请尽快' });
    expect(w.fx.audit.map((e) => [e.action, e.actor])).toEqual([
      ['comment', 'city.reviewer'],
      ['comment', 'city.admin'],
    ]);
  });

  it('urge: the applicant, or an admin over the application, reminds every holder of a pending task', () => {
    const w = start();
    refused(w, { action: 'urge', actor: actor('city.reviewer') }, 'Forbidden');
    refused(w, { action: 'urge', actor: actor('xc.admin') }, 'Forbidden');
    flushed(w);
    act(w, { action: 'urge', actor: actor('xinhua.staff') });
    expect(w.fx.notifications.map((n) => [n.username, n.kind])).toEqual([
      ['city.reviewer', 'urge'],
      ['city.reviewer2', 'urge'],
    ]);
    act(w, { action: 'urge', actor: actor('city.admin') });
    expect(w.fx.audit.map((e) => e.actor)).toEqual(['xinhua.staff', 'city.admin']);
  });

  it('cc of the application: only to people within the applicant’s or the receiving org, or above the applicant; the copy is a completed cc task', () => {
    const w = start();
    refused(
      w,
      { action: 'cc', actor: actor('xinhua.staff'), to: ['weidong.reviewer'], targets: [target('weidong.reviewer')] },
      'Forbidden',
      /applicant’s or the receiving org/,
    );
    refused(w, { action: 'cc', actor: actor('xinhua.staff'), to: [] }, 'BadRequest');
    flushed(w);
    act(w, { action: 'cc', actor: actor('xinhua.staff'), to: ['xinhua.reviewer'], targets: [target('xinhua.reviewer')] });
    expect(w.s.tasks.find((t) => t.kind === 'cc')).toMatchObject({ assignee: 'xinhua.reviewer', status: 'completed' });
    expect(w.fx.notifications).toEqual([expect.objectContaining({ username: 'xinhua.reviewer', kind: 'cc' })]);
    expect(w.s.participants).toContain('xinhua.reviewer');
    expect(engine.view(w.s).tasks.some((t) => t.kind === 'cc')).toBe(false);
  });

  it('cc from a task goes where the task could go', () => {
    const w = start();
    act(w, { action: 'cc', actor: actor('city.reviewer'), taskId: pendingTask(w).id, to: ['city.lead'], targets: [target('city.lead')] });
    expect(w.s.tasks.find((t) => t.kind === 'cc')).toMatchObject({ assignee: 'city.lead' });
    refused(w, { action: 'cc', actor: actor('city.reviewer'), taskId: pendingTask(w).id, to: ['xc.admin'], targets: [target('xc.admin')] }, 'Forbidden');
  });
});

describe('holding pool and automated outcomes', () => {
  const MEMBERSHIP: Step[] = [{ id: 'sort', name: '平台分拣', type: 'auto', activity: 'sortMembership' }, roleStep('review', 'city')];

  it('nobody matched: the application waits in the holding pool until city staff assign it to a union', () => {
    const w = start(MEMBERSHIP, {
      type: 'membership',
      auto: { sortMembership: { outcome: 'hold', note: '无匹配' } },
      resolve: { holdingPool: { role: 'staff', candidates: ['city.staff'] } },
    });
    expect(w.s.steps.map((st) => st.def.id)).toEqual(['sort', 'holdingPool', 'review']);
    const t = pendingTask(w);
    expect(t).toMatchObject({ stepIndex: 1, role: 'staff', orgId: 'pds' });
    refused(w, { action: 'approve', actor: actor('city.staff'), taskId: t.id }, 'Conflict', /does not allow/);
    refused(w, { action: 'assign', actor: actor('city.staff'), taskId: t.id, to: [] }, 'BadRequest');
    flushed(w);
    act(w, { action: 'assign', actor: actor('city.staff'), taskId: t.id, to: ['pds-xinhua-express'] });
    expect(w.s.targetOrg).toBe('pds-xinhua-express');
    expect(w.s.current).toBe(2);
    expect(w.fx.audit[0]).toMatchObject({ action: 'assign', data: { targetOrg: 'pds-xinhua-express' } });
  });

  it('already a member elsewhere: the membership chain turns into a transfer to that union', () => {
    const w = start(MEMBERSHIP, {
      type: 'membership',
      auto: { sortMembership: { outcome: 'convertToTransfer', note: '已是会员', targetOrg: 'pds-weidong', fromOrg: 'x' } },
    });
    expect(w.s.type).toBe('transfer');
    expect(w.s.targetOrg).toBe('pds-weidong');
    expect(w.s.steps.map((st) => st.def.id)).toEqual(['sort', 'receivingReview', 'transfer']);
    expect(w.s.current).toBe(1);
    expect(w.commands).toEqual(['auto:sortMembership', 'resolve:receivingReview']);
  });

  it('an automated step that rejects ends the application', () => {
    const w = start(MEMBERSHIP, { type: 'membership', auto: { sortMembership: { outcome: 'reject', note: '重复申请' } } });
    expect(w.s.status).toBe('rejected');
    expect(w.fx.audit.find((e) => e.action === 'auto:sortMembership')).toMatchObject({ comment: '重复申请', data: { outcome: 'reject' } });
  });
});

describe('time limits (SLA)', () => {
  const due = '2026-01-05T00:00:00.000Z';
  const remind = '2026-01-04T00:00:00.000Z';
  const slaStep = (onTimeout: 'escalate' | 'autoApprove' | 'autoReject') =>
    roleStep('city', 'city', { sla: { limit: 'P1D', remindBefore: 'PT24H', onTimeout } });
  const at = (iso: string) => Date.parse(iso);

  it('a reminder before the limit, then escalation to the supervisor the workflow looks up', () => {
    const w = start([slaStep('escalate')], { resolve: { city: { dueAt: due, remindAt: remind } } });
    expect(engine.nextDeadline(w.s)).toBe(at(remind));
    flushed(w);
    let r = engine.handleDeadlinesWith(w.s, at(remind), w.patches, () => {
      throw new Error('no escalation yet');
    });
    expect(r.advance).toBe(false);
    expect(r.effects.notifications.map((n) => [n.username, n.kind])).toEqual([
      ['city.reviewer', 'reminder'],
      ['city.reviewer2', 'reminder'],
    ]);
    expect(r.effects.audit.map((e) => e.action)).toEqual(['reminded']);
    expect(engine.nextDeadline(w.s)).toBe(at(due));
    const asked: engine.EscalationRequest[] = [];
    r = engine.handleDeadlinesWith(w.s, at(due), w.patches, (q) => (asked.push(q), { username: 'city.lead', rule: 'supervisor of pds' }));
    expect(asked).toEqual([{ taskId: pendingTask(w).id, orgId: 'pds' }]);
    expect(pendingTask(w)).toMatchObject({ assignee: 'city.lead', escalated: true });
    expect(r.effects.audit[0]).toMatchObject({ action: 'escalated', data: { to: 'city.lead' } });
    expect(r.effects.notifications).toEqual([expect.objectContaining({ username: 'city.lead', kind: 'escalation' })]);
    expect(engine.nextDeadline(w.s)).toBeUndefined();
  });

  it('autoApprove approves as the system and the chain moves on; autoReject rejects', () => {
    const w = start([slaStep('autoApprove'), roleStep('province', 'province')], { resolve: { city: { dueAt: due } } });
    const r = engine.handleDeadlinesWith(w.s, at(due), w.patches, () => null);
    expect(r.advance).toBe(true);
    expect(r.effects.audit[0]).toMatchObject({ action: 'approve', actor: 'system', data: { onBehalfOfAdmin: true } });
    expect(w.s.current).toBe(1);
    const w2 = start([slaStep('autoReject')], { resolve: { city: { dueAt: due } } });
    const r2 = engine.handleDeadlinesWith(w2.s, at(due), w2.patches, () => null);
    expect(r2.advance).toBe(false);
    expect(w2.s.status).toBe('rejected');
  });

  it('phase-end escalation moves the planned tasks and tells the city', () => {
    const w = start();
    const t = pendingTask(w);
    expect(engine.escalationCandidates(w.s)).toEqual([{ id: t.id, orgId: 'pds', kind: 'approval' }]);
    const fx = engine.applyEscalationPlan(
      w.s,
      'pds',
      '阶段结束',
      { reassign: [{ taskId: t.id, to: 'city.admin' }], notify: ['city.admin', 'city.lead'] },
      w.patches,
    );
    expect(t.assignee).toBe('city.admin');
    expect(fx.notifications.map((n) => n.username)).toEqual(['city.admin', 'city.lead']);
    expect(fx.audit[0]).toMatchObject({ action: 'phaseEscalated', data: { toOrg: 'pds' } });
    act(w, { action: 'withdraw', actor: actor('xinhua.staff') });
    expect(engine.escalationCandidates(w.s)).toBeUndefined();
  });
});

describe('idempotency', () => {
  it('a repeated key changes nothing; the key keeps a small digest, not a view', () => {
    const w = start();
    const t = pendingTask(w);
    act(w, { action: 'approve', actor: actor('city.reviewer'), taskId: t.id, idempotencyKey: 'same' });
    expect(w.s.processed.same).toEqual({ action: 'approve', taskId: t.id, status: 'pending', revision: 0 });
    flushed(w);
    const before = snapshot(w);
    expect(act(w, { action: 'approve', actor: actor('city.reviewer'), taskId: t.id, idempotencyKey: 'same' })).toBeUndefined();
    expect(snapshot(w)).toBe(before);
    expect(w.fx).toEqual(engine.noEffects());
  });

  it('a state resumed with old full views still knows their keys; old keys drop out past the limit', () => {
    const w = start();
    w.s.processed.old = engine.view(w.s);
    w.s.processedOrder.push('old');
    expect(engine.seen(w.s, 'old')).toBe(true);
    expect(engine.validate(w.s, { action: 'withdraw', actor: actor('city.reviewer'), idempotencyKey: 'old' })).toBeUndefined();
    for (let i = 0; i < engine.MAX_REMEMBERED_KEYS; i++) engine.remember(w.s, `k-${i}`, { action: 'comment' });
    expect(engine.seen(w.s, 'old')).toBe(false);
    expect(w.s.processedOrder).toHaveLength(engine.MAX_REMEMBERED_KEYS);
  });
});

describe('field permissions (字段权限): corrections with an approval', () => {
  const FORM_STEPS: Step[] = [
    roleStep('city', 'city', { fields: { amount: 'edit', workers: 'edit', bankAccount: 'hidden' } }),
    roleStep('province', 'province', { fields: { title: 'edit' } }),
    { id: 'notice', name: '立项通知', type: 'auto', activity: 'issueSubsidyNotice' },
  ];
  const withForm = () => {
    const w = start(FORM_STEPS);
    w.s.payload = { ...w.s.payload, form: { workers: 80, bankAccount: '6222' } };
    return w;
  };

  it('the task records carry their step’s field permissions', () => {
    const w = withForm();
    expect(w.fx.tasks).toEqual([expect.objectContaining({ stepIndex: 0, fields: { amount: 'edit', workers: 'edit', bankAccount: 'hidden' } })]);
  });

  it('an approval with corrections updates the payload and records each edit (old and new value) before the approval; unchanged values are no edit', () => {
    const w = withForm();
    flushed(w);
    expect(act(w, { action: 'approve', actor: actor('city.reviewer'), taskId: pendingTask(w).id, edits: { amount: 15000, workers: 80 } })).toBeUndefined();
    expect(w.s.payload).toEqual({ amount: 15000, reason: '新建服务站', form: { workers: 80, bankAccount: '6222' } });
    const fx = flushed(w);
    expect(fx.audit.map((e) => e.action)).toEqual(['formEdited', 'approve', 'stepStarted']);
    expect(fx.audit[0]).toMatchObject({ actor: 'city.reviewer', stepIndex: 0, data: { edits: [{ field: 'amount', before: 20000, after: 15000 }] } });
    expect(fx.projection).toBe(true);
    // The province may correct the title: the projection and the next task's subject carry it.
    expect(act(w, { action: 'approve', actor: actor('prov.reviewer'), taskId: pendingTask(w).id, edits: { title: '服务站补助（核定）' } })).toBeUndefined();
    expect(w.s.title).toBe('服务站补助（核定）');
    expect(w.s.status).toBe('approved');
  });

  it('corrections of fields the step may not edit, with anything but an approval, or by a delegate are refused and change nothing', () => {
    const w = withForm();
    const taskId = pendingTask(w).id;
    refused(w, { action: 'approve', actor: actor('city.reviewer'), taskId, edits: { reason: '改' } }, 'Forbidden', /may not edit: reason/);
    refused(w, { action: 'approve', actor: actor('city.reviewer'), taskId, edits: { bankAccount: 'x', amount: 1 } }, 'Forbidden', /may not edit: bankAccount$/);
    refused(w, { action: 'reject', actor: actor('city.reviewer'), taskId, edits: { amount: 1 } }, 'BadRequest', /go with an approval/);
    refused(w, { action: 'approve', actor: actor('city.reviewer'), taskId, edits: { amount: 20000.5 } }, 'BadRequest', /lower the amount/);
    // Someone who does not hold the task is refused as before, edits or not.
    refused(w, { action: 'approve', actor: actor('xinhua.reviewer'), taskId, edits: { amount: 1 } }, 'Forbidden', /not assigned to you/);
    act(w, { action: 'delegate', actor: actor('city.reviewer'), taskId, to: ['city.reviewer2'], targets: [target('city.reviewer2')] });
    refused(w, { action: 'approve', actor: actor('city.reviewer2'), taskId, edits: { amount: 1 } }, 'Forbidden', /delegate/);
  });

  it('an added signer sees the form as the step that added them, and may edit nothing', () => {
    const w = withForm();
    flushed(w);
    act(w, {
      action: 'addSigner',
      actor: actor('city.reviewer'),
      taskId: pendingTask(w).id,
      to: ['city.reviewer2'],
      position: 'before',
      targets: [target('city.reviewer2')],
    });
    expect(w.s.steps[0]!.def).toMatchObject({ fields: { amount: 'read', workers: 'read', bankAccount: 'hidden' } });
    refused(w, { action: 'approve', actor: actor('city.reviewer2'), taskId: pendingTask(w).id, edits: { amount: 1 } }, 'Forbidden', /may not edit: amount/);
  });
});
