import { describe, expect, it } from 'vitest';
import { SUBSIDY_CHAIN } from '../../domain/builtin-chains';
import type { ChainDefinition, Step } from '../../domain/chain';
import { diffChains } from '../../domain/chain-diff';

const base: ChainDefinition = JSON.parse(JSON.stringify(SUBSIDY_CHAIN)) as ChainDefinition;
const edit = (fn: (steps: Step[]) => Step[], name = base.name) => ({ name, type: base.type, steps: fn(JSON.parse(JSON.stringify(base.steps)) as Step[]) });

describe('the readable difference of two chain versions', () => {
  it('the same chain has no changes and says so', () => {
    const d = diffChains(
      base,
      edit((s) => s),
    );
    expect(d).toMatchObject({ baseVersion: 1, chain: [], steps: [] });
    expect(d.lines).toEqual(['与现行版本相同 / no change from the version in force']);
  });

  it('a removed step and an added step are listed with their names, in Chinese and English', () => {
    const d = diffChains(
      base,
      edit((s) => [
        s[0]!,
        { id: 'lead', name: '分管领导 / leader', type: 'human', who: { kind: 'users', usernames: ['city.lead'] }, mode: 'single', onSelfApproval: 'forbid' },
        s[2]!,
      ]),
    );
    expect(d.steps.map((c) => [c.kind, c.stepId])).toEqual([
      ['removed', 'provinceReview'],
      ['added', 'lead'],
    ]);
    expect(d.lines[0]).toBe('删除步骤 2“省总审核 / province review” / step removed: provinceReview');
    expect(d.lines[1]).toContain('新增步骤 2“分管领导 / leader”');
    expect(d.lines[1]).toContain('指定人员 city.lead');
    expect(d.lines[1]).toContain('/ step added: lead');
  });

  it('a changed step lists each changed field with its old and new value, nested fields by their path', () => {
    const d = diffChains(
      base,
      edit((s) => {
        const r = s[0] as Extract<Step, { type: 'human' }>;
        r.sla = { limit: 'P2D', onTimeout: 'autoApprove' };
        r.onNoApprover = 'skip';
        r.who = { kind: 'role', role: 'admin', level: 'city' };
        return s;
      }),
    );
    expect(d.steps).toHaveLength(1);
    const c = d.steps[0]!;
    expect(c).toMatchObject({ kind: 'changed', stepId: 'cityReview', index: 0 });
    if (c.kind !== 'changed') throw new Error('expected a changed step');
    expect(c.fields).toEqual([
      { field: 'onNoApprover', before: 'admin', after: 'skip' },
      { field: 'sla.limit', before: 'P5D', after: 'P2D' },
      { field: 'sla.onTimeout', before: 'escalate', after: 'autoApprove' },
      { field: 'sla.remindBefore', before: 'P1D', after: undefined },
      { field: 'who.role', before: 'reviewer', after: 'admin' },
    ]);
    expect(c.text).toContain('时限（sla.limit）："P5D" → "P2D"');
    expect(c.text).toContain('提前提醒（sla.remindBefore）："P1D" → （未设置 / unset）');
    expect(c.text).toContain('/ step changed: cityReview');
  });

  it('a step moved to another position is reported with its old and new place', () => {
    const d = diffChains(
      base,
      edit((s) => [s[1]!, s[0]!, s[2]!]),
    );
    expect(d.steps.map((c) => [c.kind, c.stepId, c.index])).toEqual([
      ['changed', 'provinceReview', 0],
      ['changed', 'cityReview', 1],
    ]);
    expect(d.lines[0]).toContain('位置（index）：第 2 步 → 第 1 步');
  });

  it('a renamed chain names the chain-level change; a first chain with nothing in force says so', () => {
    const renamed = diffChains(
      base,
      edit((s) => s, '平顶山经费补助 / pds subsidy'),
    );
    expect(renamed.chain).toEqual([{ field: 'name', before: base.name, after: '平顶山经费补助 / pds subsidy' }]);
    expect(renamed.lines[0]).toBe(`修改审批链名称（name）："${base.name}" → "平顶山经费补助 / pds subsidy" / chain name changed`);

    const first = diffChains(
      undefined,
      edit((s) => s),
    );
    expect(first.baseVersion).toBeNull();
    expect(first.steps.map((c) => c.kind)).toEqual(['added', 'added', 'added']);
    expect(first.lines[0]).toBe('新建审批链，此前无适用版本 / a new chain: none was in force');
  });
});

describe('steps shifted by an insertion', () => {
  it('a step whose number changes only because a step was added before it is not reported as changed', () => {
    const d = diffChains(
      base,
      edit((s) => [
        s[0]!,
        s[1]!,
        { id: 'lead', name: '分管领导 / leader', type: 'human', who: { kind: 'users', usernames: ['city.lead'] }, mode: 'single' },
        s[2]!,
      ]),
    );
    expect(d.steps.map((c) => [c.kind, c.stepId, c.index])).toEqual([['added', 'lead', 2]]);
  });
});
