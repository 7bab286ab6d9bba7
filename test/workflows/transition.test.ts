/**
 * One write per transition (activities/transition.ts): the activity moves the
 * chain on a copy of the workflow's state with real look-ups and writes the
 * records; the workflow replays the answers on its own state. Here, without
 * Temporal or a database, the two runs are compared: the same state, and the
 * records written are exactly what the old flush–advance–flush path wrote.
 */
import { describe, expect, it } from 'vitest';
import type { Step } from '../../domain/chain';
import { commitTransition } from '../../activities/transition';
import * as engine from '../../workflows/approval-engine';
import type { AdvanceAnswer, AdvanceRequest, Effects } from '../../workflows/approval-engine';
import type { ApprovalState, TransitionRecord } from '../../workflows/approval-types';

/** 经费补助: city review, province review, the notice. */
const SUBSIDY: Step[] = [
  { id: 'city', name: '市总初审', type: 'human', who: { kind: 'role', role: 'reviewer', level: 'city' }, mode: 'single' },
  { id: 'province', name: '省总审核', type: 'human', who: { kind: 'role', role: 'reviewer', level: 'province' }, mode: 'single' },
  { id: 'notice', name: '立项通知', type: 'auto', activity: 'issueSubsidyNotice' },
];

const answer = (r: AdvanceRequest): AdvanceAnswer => {
  if (r.kind === 'runAuto') return { kind: 'runAuto', result: { outcome: 'done', note: '已发通知 / notice issued' } };
  if (r.kind === 'evaluate') throw new Error('no group conditions in this chain');
  const province = r.input.step.id === 'province';
  return {
    kind: 'resolve',
    result: {
      skip: false,
      rule: province ? 'province reviewer' : 'city reviewer',
      role: 'reviewer',
      orgId: province ? 'henan' : 'pds',
      orgPath: province ? '/henan/' : '/henan/pds/',
      candidates: [province ? 'prov.reviewer' : 'city.reviewer'],
      forbidden: [],
    },
  };
};

const start = (): { s: ApprovalState; outbox: Effects } => {
  const s = engine.initialState({
    applicationId: 'app1',
    type: 'subsidy',
    chain: { key: 'test', version: 1, name: 'test', type: 'subsidy', steps: SUBSIDY },
    applicant: 'xinhua.staff',
    applicantOrg: 'pds-xinhua',
    title: '服务站补助',
    payload: { amount: 20000 },
  });
  const outbox = engine.noEffects();
  engine.mergeEffects(
    outbox,
    engine.submitted(s, 'xinhua.staff', () => true),
  );
  return { s, outbox };
};

/** The activity's run (on a JSON copy, as it receives it), then the workflow's replay of its answers. */
async function transition(s: ApprovalState, outbox: Effects, moveOn: boolean): Promise<{ written: TransitionRecord[]; answers: AdvanceAnswer[] }> {
  const written: TransitionRecord[] = [];
  const copy = JSON.parse(JSON.stringify({ state: s, outbox })) as { state: ApprovalState; outbox: Effects };
  const answers = await commitTransition(
    { write: (r) => Promise.resolve(void written.push(r)), answer: (r) => Promise.resolve(answer(r)) },
    { ...copy, advance: moveOn },
  );
  if (moveOn) {
    const run = engine.advancing(s, () => true, outbox);
    let next = run.next();
    for (const a of answers) next = run.next(a);
    expect(next.done).toBe(true);
  }
  engine.takeRecord(s, outbox);
  expect(JSON.parse(JSON.stringify(s))).toEqual(copy.state);
  return { written, answers };
}

/** The old path: flush, advance with one look-up at a time (flushing before an automated step), flush. */
function oldPath(s: ApprovalState, outbox: Effects, moveOn: boolean): TransitionRecord[] {
  const written: TransitionRecord[] = [];
  const flush = () => engine.hasEffects(outbox) && written.push(engine.takeRecord(s, outbox));
  flush();
  if (moveOn) {
    const run = engine.advancing(s, () => true, outbox);
    let next = run.next();
    while (!next.done) {
      if (next.value.kind === 'runAuto') flush();
      next = run.next(answer(next.value));
    }
  }
  flush();
  return written;
}

const act = (s: ApprovalState, outbox: Effects, username: string, orgId: string) => {
  const taskId = s.tasks.find((t) => t.status === 'pending' && t.kind === 'approval')!.id;
  const applied = engine.apply(
    s,
    { action: 'approve', actor: { username, orgId, roles: ['reviewer'] }, taskId, idempotencyKey: `k-${taskId}`, comment: '同意' },
    () => true,
  );
  engine.mergeEffects(outbox, applied.effects);
  return applied.advance;
};

describe('one write per transition', () => {
  it('submit, two approvals and the notice: the activity and the workflow reach the same state, and the records are the old path’s, merged', async () => {
    const a = start();
    const b = start();
    const steps: [string, string][] = [
      ['city.reviewer', 'pds'],
      ['prov.reviewer', 'henan'],
    ];
    const first = await transition(a.s, a.outbox, true);
    const old: TransitionRecord[][] = [oldPath(b.s, b.outbox, true)];
    const lean = [first.written];
    expect(first.answers.map((x) => x.kind)).toEqual(['resolve']);
    for (const [u, org] of steps) {
      const moveOn = act(a.s, a.outbox, u, org);
      expect(act(b.s, b.outbox, u, org)).toBe(moveOn);
      lean.push((await transition(a.s, a.outbox, moveOn)).written);
      old.push(oldPath(b.s, b.outbox, moveOn));
    }
    expect(a.s).toEqual(b.s);
    expect(a.s.status).toBe('approved');
    // The old path wrote each action, then what the chain moved to (for the last approval: the action, the notice step
    // shown active, the outcome); the new one writes each transition once, plus once before the notice runs.
    expect(old.map((w) => w.length)).toEqual([2, 2, 3]);
    expect(lean.map((w) => w.length)).toEqual([1, 1, 2]);
    const merged = (ws: TransitionRecord[]) => ({
      audit: ws.flatMap((w) => w.audit),
      tasks: ws.flatMap((w) => w.tasks),
      notifications: ws.flatMap((w) => w.notifications),
      application: ws
        .map((w) => w.application)
        .filter(Boolean)
        .at(-1),
    });
    for (let i = 0; i < old.length; i++) expect(merged(lean[i]!)).toEqual(merged(old[i]!));
    // Before the notice runs, the province's approval is on record and the notice step shows as active.
    expect(lean[2]![0]!.audit.map((e) => e.action)).toEqual(['approve']);
    expect(lean[2]![0]!.application).toMatchObject({ status: 'pending', currentStep: '立项通知' });
    expect(lean[2]![1]!.application).toMatchObject({ status: 'approved', currentStep: null });
  });

  it('a workflow replaying answers that do not match its own look-ups stops with an error instead of writing a different history', () => {
    const { s, outbox } = start();
    const run = engine.advancing(s, () => true, outbox);
    expect(run.next().value).toMatchObject({ kind: 'resolve' });
    expect(() => run.next({ kind: 'runAuto', result: { outcome: 'done', note: '' } })).toThrow(/out of step: expected resolve, got runAuto/);
  });
});
