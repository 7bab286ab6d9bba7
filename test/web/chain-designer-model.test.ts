/**
 * The chain designer's model (web/src/pages/chains/model.ts): what the
 * owner builds in the browser becomes the definition the API takes — rows
 * of field + operator + value as JSON Logic, form fields as JSON Schema with
 * the rjsf ui part, a limit in working days or hours as an ISO duration —
 * and comes back unchanged when the designer opens the saved chain.
 */
import { describe, expect, it } from 'vitest';
import jsonLogic from 'json-logic-js';
import {
  conditionFacts,
  conditionText,
  fromForm,
  fromLimit,
  fromLogic,
  insertAt,
  keyFromLabel,
  moveAt,
  newGroup,
  newHumanStep,
  pathOfError,
  pruneFieldAccess,
  removeAt,
  toForm,
  toLimit,
  toLogic,
  type FlowItem,
  type FormField,
} from '../../web/src/pages/chains/model';
import { diffWords } from '../../web/src/pages/chains/diff-words';

const FIELDS: FormField[] = [
  { key: 'headcount', label: '参与人数', labelEn: 'Headcount', kind: 'number', required: true, options: [], min: 1, max: 100000 },
  { key: 'grant', label: '申请补助', labelEn: '', kind: 'money', required: false, options: [] },
  { key: 'venue', label: '活动地点', labelEn: 'Venue', kind: 'select', required: false, options: ['职工之家', '司机之家'] },
  { key: 'note', label: '说明', labelEn: 'Notes', kind: 'textarea', required: false, options: [] },
  { key: 'startsOn', label: '开始日期', labelEn: '', kind: 'date', required: false, options: [] },
  { key: 'firstTime', label: '首次申请', labelEn: '', kind: 'boolean', required: false, options: [] },
];
const FACTS = conditionFacts(FIELDS, {
  types: [{ value: 'subsidy', label: '经费补助' }],
  groups: [
    { value: 'courier', label: '快递员' },
    { value: 'rider', label: '外卖骑手' },
  ],
  orgKinds: [{ value: 'county', label: '县区总工会' }],
});

describe('conditions built from rows', () => {
  it('one row is one comparison; several are joined with and/or; JSON Logic evaluates them as the owner meant', () => {
    const one = toLogic({ join: 'and', rows: [{ var: 'amount', op: '>', value: 50000 }] });
    expect(one).toEqual({ '>': [{ var: 'amount' }, 50000] });
    const two = toLogic({
      join: 'or',
      rows: [
        { var: 'amount', op: '>=', value: 50000 },
        { var: 'group', op: 'in', value: ['courier', 'rider'] },
      ],
    });
    expect(two).toEqual({ or: [{ '>=': [{ var: 'amount' }, 50000] }, { in: [{ var: 'group' }, ['courier', 'rider']] }] });
    expect(jsonLogic.apply(two as never, { amount: 100, group: 'rider' })).toBe(true);
    expect(jsonLogic.apply(two as never, { amount: 100, group: 'guard' })).toBe(false);
    const contains = toLogic({ join: 'and', rows: [{ var: 'form.note', op: 'contains', value: '司机' }] });
    expect(jsonLogic.apply(contains as never, { form: { note: '货车司机之家' } })).toBe(true);
  });

  it('rows not filled in yet make no condition, and a saved condition opens as the rows that made it', () => {
    expect(toLogic({ join: 'and', rows: [{ var: '', op: '>', value: undefined }] })).toBeUndefined();
    const rows = {
      join: 'and' as const,
      rows: [
        { var: 'form.headcount', op: '>' as const, value: 100 },
        { var: 'applicantOrgLevel', op: '==' as const, value: 3 },
      ],
    };
    expect(fromLogic(toLogic(rows))).toEqual(rows);
    expect(fromLogic(undefined)).toEqual({ join: 'and', rows: [] });
    // One the builder did not write is shown read-only.
    expect(fromLogic({ if: [{ var: 'amount' }, true, false] })).toBeNull();
  });

  it('a condition reads in Chinese words, form fields by their label, never by a code', () => {
    expect(conditionText({ and: [{ '>': [{ var: 'amount' }, 50000] }, { in: [{ var: 'group' }, ['courier', 'rider']] }] }, FACTS)).toBe(
      '金额 大于 50000 且 群体 属于其中之一 快递员、外卖骑手',
    );
    expect(conditionText({ '==': [{ var: 'form.firstTime' }, true] }, FACTS)).toBe('首次申请 是 是');
    expect(FACTS.map((f) => f.label)).toEqual([
      '金额',
      '申请类型',
      '群体',
      '申请单位类型',
      '申请单位层级',
      '参与人数',
      '申请补助',
      '活动地点',
      '说明',
      '开始日期',
      '首次申请',
    ]);
  });
});

describe('the form', () => {
  it('fields become a JSON Schema with Chinese / English titles, bounds, options and required, and the ui order and widgets', () => {
    const form = toForm(FIELDS)!;
    expect(form.schema).toEqual({
      type: 'object',
      properties: {
        headcount: { title: '参与人数 / Headcount', type: 'number', minimum: 1, maximum: 100000 },
        grant: { title: '申请补助', type: 'number', minimum: 0 },
        venue: { title: '活动地点 / Venue', type: 'string', enum: ['职工之家', '司机之家'] },
        note: { title: '说明 / Notes', type: 'string', maxLength: 5000 },
        startsOn: { title: '开始日期', type: 'string', format: 'date' },
        firstTime: { title: '首次申请', type: 'boolean' },
      },
      required: ['headcount'],
      additionalProperties: false,
    });
    expect(form.ui).toEqual({
      'ui:order': ['headcount', 'grant', 'venue', 'note', 'startsOn', 'firstTime'],
      grant: { 'ui:options': { kind: 'money' } },
      note: { 'ui:widget': 'textarea' },
      firstTime: { 'ui:widget': 'radio' },
    });
    expect(fromForm(form)).toEqual(FIELDS.map((f) => ({ ...f, help: undefined, min: f.min, max: f.max })));
    expect(toForm([])).toBeUndefined();
  });

  it('a key comes from the English label, unique, and a field removed from the form loses its permissions', () => {
    expect(keyFromLabel('Number of members', ['x'])).toBe('numberOfMembers');
    expect(keyFromLabel('Headcount', ['headcount'])).toBe('headcount1');
    expect(keyFromLabel('', [])).toBe('field1');
    const steps: FlowItem[] = [{ ...newHumanStep([]), fields: { headcount: 'edit', gone: 'hidden' } }];
    expect(pruneFieldAccess(steps, ['headcount'])).toEqual([{ ...steps[0], fields: { headcount: 'edit' } }]);
  });
});

describe('time limits and the flow', () => {
  it('a limit is a number of working days or hours', () => {
    expect(toLimit('P5D')).toEqual({ amount: 5, unit: 'days' });
    expect(toLimit('PT4H')).toEqual({ amount: 4, unit: 'hours' });
    expect(toLimit(7_200_000)).toEqual({ amount: 2, unit: 'hours' });
    expect(fromLimit({ amount: 3, unit: 'days' })).toBe('P3D');
    expect(fromLimit({ amount: 8, unit: 'hours' })).toBe('PT8H');
  });

  it('steps and branch groups are added, moved and removed with fresh ids; an error path finds its card', () => {
    let flow: FlowItem[] = [];
    flow = insertAt(flow, 0, newHumanStep(flow));
    flow = insertAt(flow, 1, newGroup(flow));
    flow = insertAt(flow, 0, newHumanStep(flow));
    expect(flow.map((s) => s.id)).toEqual(['step2', 'step1', 'parallel1']);
    flow = insertAt(flow, 1, newHumanStep(flow), 2, 0);
    expect(flow[2]).toMatchObject({ type: 'parallel', branches: [[{ id: 'parallel1a' }, { id: 'step3' }], [{ id: 'parallel1b' }]] });
    flow = moveAt(flow, [2, 0, 1], -1);
    expect(flow[2]).toMatchObject({ branches: [[{ id: 'step3' }, { id: 'parallel1a' }], [{ id: 'parallel1b' }]] });
    flow = removeAt(flow, [2, 1, 0]);
    expect(flow[2]).toMatchObject({ branches: [[{ id: 'step3' }, { id: 'parallel1a' }]] });
    flow = moveAt(flow, [0], 1);
    expect(flow.map((s) => s.id)).toEqual(['step1', 'step2', 'parallel1']);
    expect(pathOfError('steps.2.branches.0.1.who.usernames')).toEqual([2, 0, 1]);
    expect(pathOfError('steps.1.sla.limit')).toEqual([1]);
    expect(pathOfError('form.schema')).toBeNull();
  });
});

describe('the change in words', () => {
  it('says what changes as the designer names it: who, mode, limit, condition, field permissions, the form', () => {
    const before = {
      name: '补助',
      type: 'subsidy' as const,
      version: 1,
      steps: [
        {
          id: 'city',
          name: '市总初审 / city',
          type: 'human' as const,
          who: { kind: 'role' as const, role: 'reviewer', level: 'city' as const },
          mode: 'single' as const,
        },
        {
          id: 'prov',
          name: '省总审核 / province',
          type: 'human' as const,
          who: { kind: 'role' as const, role: 'reviewer', level: 'province' as const },
          mode: 'single' as const,
        },
      ],
    };
    const after = {
      name: '补助',
      type: 'subsidy' as const,
      steps: [
        { ...before.steps[0]!, mode: 'all' as const, sla: { limit: 'P3D', onTimeout: 'autoReject' as const }, fields: { headcount: 'edit' as const } },
        { ...before.steps[1]!, when: { '>': [{ var: 'amount' }, 50000] } },
        { id: 'extra', name: '工会主席', type: 'human' as const, who: { kind: 'users' as const, usernames: ['city.reviewer'] }, mode: 'any' as const },
      ],
      form: toForm(FIELDS.slice(0, 1)),
    };
    const lines = diffWords(before, after, FACTS, new Map([['city.reviewer', '市总组织部审核员']]));
    expect(lines).toEqual([
      '修改“市总初审”：字段“参与人数”的权限：（未设置） → 可编辑；审批方式：依次 → 会签；时限：（未设置） → 3 个工作日，到期自动驳回',
      '修改“省总审核”：条件：（无条件） → 金额 大于 50000',
      '新增第 3 步“工会主席”：市总组织部审核员，或签',
      '申请表单有修改（见“表单”页）',
    ]);
    expect(lines.join()).not.toMatch(/city\.reviewer|autoReject|reviewer|\{/);
  });
});
