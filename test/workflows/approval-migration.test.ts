/**
 * 在办申请迁移 on its own: the plan's rules (domain/chain-migration.ts), who
 * may migrate (domain/policy.ts migrateChain) and the state swap
 * (workflows/approval-migration.ts), pure, without Temporal or a database.
 */
import { describe, expect, it } from 'vitest';
import type { ChainDefinition, HumanStep, Step } from '../../domain/chain';
import { migrationPlanIssues, type MigrationPlan } from '../../domain/chain-migration';
import { migrateChain, type Principal } from '../../domain/policy';
import * as engine from '../../workflows/approval-engine';
import { migrate, refuseMigration, type MigrateInput } from '../../workflows/approval-migration';
import type { ApprovalState } from '../../workflows/approval-types';

const human = (id: string, user: string): HumanStep => ({ id, name: `审核 ${id}`, type: 'human', who: { kind: 'users', usernames: [user] }, mode: 'single' });
const notice: Step = { id: 'notice', name: '立项通知 / notice', type: 'auto', activity: 'issueSubsidyNotice' };
const chain = (version: number, steps: Step[]): ChainDefinition => ({ key: 'k', version, owner: 't1', name: '测试 / test', type: 'subsidy', steps });
const V1 = chain(1, [human('a', 'u1'), human('b', 'u2'), human('c', 'u3'), notice]);
const V2 = chain(2, [human('a2', 'u1'), human('b2', 'u4'), human('c2', 'u5'), notice]);
const plan = (stepMap: Record<string, string>): MigrationPlan => ({ key: 'k', owner: 't1', fromVersion: 1, toVersion: 2, stepMap });
const always = () => true;

/** A v1 application whose first step `u1` approved: waiting at step b with u2's task open. */
function atSecondStep(): ApprovalState {
  const s = engine.initialState({ applicationId: 'app', type: 'subsidy', chain: V1, applicant: 'staff', applicantOrg: 't1', title: '补助', payload: {} });
  s.steps[0]!.status = 'done';
  s.steps[1]!.status = 'active';
  s.current = 1;
  s.tasks.push(
    {
      id: 'app-task-1',
      kind: 'approval',
      stepIndex: 0,
      assignee: 'u1',
      role: null,
      orgId: null,
      candidates: ['u1'],
      status: 'completed',
      decision: 'approve',
      decidedBy: 'u1',
    },
    { id: 'app-task-2', kind: 'approval', stepIndex: 1, assignee: 'u2', role: null, orgId: null, candidates: ['u2'], status: 'pending' },
  );
  s.seq = 2;
  return s;
}

const input = (stepMap: Record<string, string>): MigrateInput => ({ idempotencyKey: 'job:app', by: 'admin', plan: plan(stepMap), chain: V2 });

describe('the migration plan', () => {
  it('names each bad field: unknown versions, a target not newer or not in force, unknown or automated steps', () => {
    expect(migrationPlanIssues(plan({ b: 'b2' }), V1, V2, 2)).toEqual([]);
    expect(migrationPlanIssues({ ...plan({ b: 'b2' }), fromVersion: 9 }, undefined, V2, 2).map((i) => i.path)).toEqual(['fromVersion']);
    expect(migrationPlanIssues({ ...plan({ b: 'b2' }), toVersion: 1, fromVersion: 2 }, V2, V1, 2).map((i) => i.path)).toEqual(['toVersion']);
    expect(migrationPlanIssues(plan({ b: 'b2' }), V1, V2, 3).map((i) => i.path)).toEqual(['toVersion']);
    expect(migrationPlanIssues(plan({}), V1, V2, 2).map((i) => i.path)).toEqual(['stepMap']);
    const steps = migrationPlanIssues(plan({ x: 'b2', b: 'nope', c: 'notice', notice: 'c2' }), V1, V2, 2);
    expect(steps.map((i) => i.path)).toEqual(['stepMap.x', 'stepMap.b', 'stepMap.c', 'stepMap.notice']);
    expect(steps[2]!.message).toContain('自动步骤');
  });
});

describe('who may migrate', () => {
  const who = (username: string, orgPath: string, roles: string[]): Principal => ({
    username,
    orgId: orgPath.split('/').filter(Boolean).pop()!,
    orgPath,
    roles,
  });
  const OWNER = '/henan/pds/pds-xinhua/t1/';
  it('an admin of the owner or above; others who may read the chain 403; beside it 404; a built-in never', () => {
    expect(migrateChain(who('t1.admin', OWNER, ['admin']), OWNER)).toEqual({ allow: true });
    expect(migrateChain(who('city.admin', '/henan/pds/', ['admin']), OWNER)).toEqual({ allow: true });
    expect(migrateChain(who('city.reviewer', '/henan/pds/', ['reviewer']), OWNER)).toMatchObject({ allow: false, status: 403 });
    expect(migrateChain(who('t1.staff', OWNER, ['staff']), OWNER)).toMatchObject({ allow: false, status: 403 });
    expect(migrateChain(who('xc.admin', '/henan/xc/', ['admin']), OWNER)).toMatchObject({ allow: false, status: 404 });
    expect(migrateChain(who('prov.admin', '/henan/', ['admin']), null)).toMatchObject({ allow: false, status: 403 });
  });
});

describe('moving one application', () => {
  it('keeps the steps behind it, swaps in v2 from the mapped step, cancels the old step’s task and records the move', () => {
    const s = atSecondStep();
    expect(refuseMigration(s, input({ b: 'b2' }))).toBeUndefined();
    const out = migrate(s, input({ b: 'b2' }), always);
    expect(out.advance).toBe(true);
    expect(out.result).toMatchObject({ migrated: true, fromStep: '审核 b', toStep: '审核 b2', chainVersion: 2 });
    expect(s.chainVersion).toBe(2);
    expect(s.current).toBe(1);
    expect(s.steps.map((st) => `${st.def.id}:${st.status}`)).toEqual(['a:done', 'b2:waiting', 'c2:waiting', 'notice:waiting']);
    expect(s.tasks.find((t) => t.id === 'app-task-2')!.status).toBe('cancelled');
    expect(s.dedupBlocked).toBe(true);
    expect(out.effects.tasks.map((t) => `${t.id}:${t.status}`)).toEqual(['app-task-2:cancelled']);
    expect(out.effects.audit).toHaveLength(1);
    expect(out.effects.audit[0]).toMatchObject({ actor: 'admin', action: 'migrated', stepIndex: 1, step: '审核 b2' });
    expect(out.effects.audit[0]!.comment).toContain('审批链由第1版迁移至第2版');
    expect(out.effects.projection).toBe(true);

    // Again (a retried job): already on v2, nothing changes.
    const again = migrate(s, input({ b: 'b2' }), always);
    expect(again.result).toMatchObject({ migrated: false, already: true });
    expect(again.effects.audit).toHaveLength(0);
    expect(refuseMigration(s, input({ b: 'b2' }))).toBeUndefined();
  });

  it('refuses an unmapped step, an added signer’s step and a decided application, with the reason', () => {
    expect(refuseMigration(atSecondStep(), input({ c: 'c2' }))?.message).toContain('当前步骤“审核 b”在新版本中没有对应步骤');
    const added = atSecondStep();
    added.steps[1]!.added = { by: 'u1', position: 'after' };
    expect(refuseMigration(added, input({ b: 'b2' }))?.message).toContain('加签');
    const decided = atSecondStep();
    decided.status = 'rejected';
    expect(refuseMigration(decided, input({ b: 'b2' }))?.message).toContain('已办结');
  });
});
