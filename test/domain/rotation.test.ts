/** 干部轮岗 (domain/rotation.ts): how a person holds a task and what a rotation does with it. */
import { describe, expect, it } from 'vitest';
import { holdOf, rotationMove } from '../../domain/rotation';

const task = (t: Partial<{ assignee: string | null; owner: string | null; role: string | null; orgId: string | null }>) => ({
  assignee: null,
  owner: null,
  role: null,
  orgId: null,
  ...t,
});

describe('cadre rotation: each task’s move', () => {
  it('names how the person holds a task, or that they do not', () => {
    expect(holdOf(task({ assignee: 'wang', role: 'reviewer', orgId: 'x' }), 'wang')).toBe('named');
    expect(holdOf(task({ role: 'reviewer', orgId: 'x' }), 'wang')).toBe('pool');
    expect(holdOf(task({ assignee: 'li', owner: 'wang' }), 'wang')).toBe('delegatedByThem');
    expect(holdOf(task({ assignee: 'wang', owner: 'li' }), 'wang')).toBe('delegatedToThem');
    expect(holdOf(task({ assignee: 'li' }), 'wang')).toBeUndefined();
  });

  it('with a successor: every task they hold goes to the successor; a delegation to them goes back to its owner', () => {
    expect(rotationMove(task({ assignee: 'wang' }), 'named', 'zhao')).toEqual({ move: 'transfer', to: 'zhao' });
    expect(rotationMove(task({ role: 'reviewer', orgId: 'x' }), 'pool', 'zhao')).toEqual({ move: 'transfer', to: 'zhao' });
    expect(rotationMove(task({ assignee: 'li', owner: 'wang' }), 'delegatedByThem', 'zhao')).toEqual({ move: 'transfer', to: 'zhao' });
    expect(rotationMove(task({ assignee: 'wang', owner: 'li' }), 'delegatedToThem', 'zhao')).toEqual({ move: 'returnToOwner', to: 'li' });
  });

  it('without one: named tasks back to their role pool (none: a successor is needed), pool tasks stay, a delegated task to its delegate', () => {
    expect(rotationMove(task({ assignee: 'wang', role: 'reviewer', orgId: 'x' }), 'named', undefined)).toEqual({ move: 'release', to: 'reviewer@x' });
    expect(rotationMove(task({ assignee: 'wang' }), 'named', undefined)).toEqual({ move: 'needsSuccessor', to: null });
    expect(rotationMove(task({ role: 'reviewer', orgId: 'x' }), 'pool', undefined)).toEqual({ move: 'staysInPool', to: 'reviewer@x' });
    expect(rotationMove(task({ assignee: 'li', owner: 'wang' }), 'delegatedByThem', undefined)).toEqual({ move: 'transfer', to: 'li' });
  });
});
