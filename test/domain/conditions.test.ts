/**
 * domain/conditions.ts on its own: the facts of an application, evaluation
 * with json-logic-js, the words a condition is said in, and the checks that
 * refuse what a condition may not name.
 */
import { describe, expect, it } from 'vitest';
import { conditionFacts, conditionIssues, describeCondition, evaluateCondition, formFields, formLabels } from '../../domain/conditions';

const xinhua = { kind: 'county', path: '/henan/pds/pds-xinhua/' };

describe('the facts of an application', () => {
  it('takes amount and group from the payload (or its form), the org kind, and the org’s depth as its level', () => {
    expect(conditionFacts('subsidy', { amount: 60000, reason: 'x' }, xinhua)).toEqual({
      amount: 60000,
      type: 'subsidy',
      group: null,
      applicantOrgKind: 'county',
      applicantOrgLevel: 3,
      form: {},
    });
    expect(conditionFacts('membership', { form: { group: 'courier', headcount: 12 } }, { kind: 'province', path: '/henan/' })).toMatchObject({
      group: 'courier',
      applicantOrgLevel: 1,
      form: { headcount: 12 },
    });
  });
});

describe('evaluation', () => {
  const facts = conditionFacts('subsidy', { amount: 60000, form: { headcount: 150, sector: 'trade' } }, xinhua);
  it('answers comparisons, groups and form fields; absent or true always holds', () => {
    expect(evaluateCondition({ '>': [{ var: 'amount' }, 50000] }, facts)).toBe(true);
    expect(evaluateCondition({ and: [{ '<=': [{ var: 'amount' }, 50000] }, { '==': [{ var: 'form.sector' }, 'trade'] }] }, facts)).toBe(false);
    expect(evaluateCondition({ or: [{ '>=': [{ var: 'form.headcount' }, 100] }, false] }, facts)).toBe(true);
    expect(evaluateCondition({ in: [{ var: 'applicantOrgKind' }, ['county', 'industry']] }, facts)).toBe(true);
    expect(evaluateCondition({ '>=': [{ var: 'applicantOrgLevel' }, 4] }, facts)).toBe(false);
    expect(evaluateCondition(undefined, facts)).toBe(true);
    expect(evaluateCondition(false, facts)).toBe(false);
  });
});

describe('in words', () => {
  it('names facts, form fields by their labels and values by their names, in Chinese and English', () => {
    const form = { schema: { properties: { headcount: { type: 'integer', title: '职工人数' } } }, ui: { sector: { 'ui:title': '行业' } } };
    expect(formFields(form)).toEqual(['headcount']);
    expect(formLabels(form)).toEqual({ headcount: '职工人数' });
    expect(describeCondition({ '>': [{ var: 'amount' }, 50000] })).toEqual({ zh: '金额 > 50000', en: 'amount > 50000' });
    expect(
      describeCondition(
        { and: [{ '==': [{ var: 'group' }, 'courier'] }, { '>=': [{ var: 'form.headcount' }, 100] }, { '==': [{ var: 'applicantOrgKind' }, 'industry'] }] },
        { fields: formLabels(form), values: { courier: '快递员' } },
      ),
    ).toEqual({
      zh: '（群体 = “快递员”） 且 （表单“职工人数” ≥ 100） 且 （申请单位类别 = “产业工会”）',
      en: '(group = "courier") and (form field headcount ≥ 100) and (applicant org kind = "industry")',
    });
    expect(describeCondition({ '<': [10000, { var: 'amount' }, 50000] }).zh).toBe('10000 < 金额 < 50000');
  });
});

describe('checks', () => {
  it('accepts known facts and form fields; names unknown fields, operators and malformed groups by their path', () => {
    expect(conditionIssues({ '>=': [{ var: 'form.headcount' }, 100] }, ['headcount'])).toEqual([]);
    expect(conditionIssues(true, [])).toEqual([]);
    expect(conditionIssues({ '>': [{ var: 'form.headcount' }, 1] }, []).map((i) => i.path)).toEqual([['>', 0, 'var']]);
    expect(conditionIssues({ log: 1 }, []).map((i) => i.path)).toEqual([['log']]);
    expect(conditionIssues({ or: {} }, []).map((i) => i.path)).toEqual([['or']]);
    expect(conditionIssues({ '!': [1, 2] }, []).map((i) => i.path)).toEqual([['!']]);
    expect(conditionIssues([{ var: 'amount' }], []).map((i) => i.path)).toEqual([[]]);
    expect(conditionIssues({ missing_some: [1, ['amount', 'salary']] }, []).map((i) => i.path)).toEqual([['missing_some', 1, 1]]);
  });
});
