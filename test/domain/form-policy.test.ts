/**
 * 字段权限 in the policy (domain/policy.ts `formAccess`, `editFormFields`) and
 * the pure form rules that apply its answer (domain/form.ts): who sees which
 * field of an application's form, read or edit, and what a viewer's payload,
 * form definition and timeline look like without the hidden fields.
 */
import { describe, expect, it } from 'vitest';
import { humanStepsOf, type FormDefinition, type Step } from '../../domain/chain';
import { applyEdits, filterFormDefinition, filterPayload, filterTimelineData, hiddenAnywhere, withExplicitOrder } from '../../domain/form';
import { humanStep } from '../support/factories';
import { editFormFields, formAccess, type FormTaskFacts, type FormViewFacts, type Principal } from '../../domain/policy';

const p = (username: string, orgPath: string, roles: string[], orgId = orgPath.split('/').at(-2)!): Principal => ({ username, orgId, orgPath, roles });
const countyReviewer = p('xinhua.reviewer', '/henan/pds/pds-xinhua/', ['reviewer']);
const cityReviewer = p('city.reviewer', '/henan/pds/', ['reviewer']);
const cityAdmin = p('city.admin', '/henan/pds/', ['admin']);
const cityLead = p('city.lead', '/henan/pds/', ['supervisor']);
const cityStaff = p('city.staff', '/henan/pds/', ['staff']);
const applicantStaff = p('t1.staff', '/henan/pds/pds-xinhua/t1/', ['staff']);
const colleague = p('t1.staff2', '/henan/pds/pds-xinhua/t1/', ['staff']);

const task = (over: Partial<FormTaskFacts>): FormTaskFacts => ({
  assignee: null,
  role: 'reviewer',
  orgId: 'pds',
  orgPath: '/henan/pds/',
  candidates: [],
  kind: 'approval',
  status: 'pending',
  ...over,
});
const countyTask = task({ orgId: 'pds-xinhua', orgPath: '/henan/pds/pds-xinhua/', status: 'completed', fields: { bankAccount: 'hidden' } });
const cityTask = task({ fields: { amount: 'edit', bankAccount: 'edit' } });

const facts = (over: Partial<FormViewFacts> = {}): FormViewFacts => ({
  applicant: 't1.staff',
  applicantOrgId: 't1',
  applicantOrgPath: '/henan/pds/pds-xinhua/t1/',
  targetOrgPath: null,
  orgApplication: true,
  fields: ['title', 'amount', 'reason', 'project', 'bankAccount'],
  hiddenAnywhere: ['bankAccount'],
  tasks: [countyTask, cityTask],
  ...over,
});

describe('formAccess: how each viewer sees the form', () => {
  it('an approver sees their step’s permissions: hidden stays hidden after their task is done, edit only while pending', () => {
    expect(formAccess(countyReviewer, facts())).toEqual({ title: 'read', amount: 'read', reason: 'read', project: 'read', bankAccount: 'hidden' });
    expect(formAccess(cityReviewer, facts())).toEqual({ title: 'read', amount: 'edit', reason: 'read', project: 'read', bankAccount: 'edit' });
    const done = { ...cityTask, status: 'completed' };
    expect(formAccess(cityReviewer, facts({ tasks: [countyTask, done] }))).toMatchObject({ amount: 'read', bankAccount: 'read' });
    // A cancelled task gives nothing: the reviewer falls back to what no step hides.
    expect(formAccess(cityReviewer, facts({ tasks: [countyTask, { ...cityTask, status: 'cancelled' }] }))).toMatchObject({ bankAccount: 'hidden' });
  });

  it('through a task: its holder and an overriding admin get the step’s permissions; others fall back to their own', () => {
    expect(formAccess(cityAdmin, facts(), cityTask)).toMatchObject({ amount: 'edit', bankAccount: 'edit' });
    expect(formAccess(cityAdmin, facts(), countyTask)).toMatchObject({ bankAccount: 'hidden' });
    // Without a task to look through, the city admin holds none: oversight, every field read.
    expect(Object.values(formAccess(cityAdmin, facts()))).toEqual(['read', 'read', 'read', 'read', 'read']);
    // city.staff cannot decide the city task: through it, they see what anyone above sees.
    expect(formAccess(cityStaff, facts(), cityTask)).toMatchObject({ amount: 'read', bankAccount: 'hidden' });
  });

  it('the applicant side sees every field, read; oversight (admin, supervisor) too; a colleague above without a task not what a step hides', () => {
    const all = { title: 'read', amount: 'read', reason: 'read', project: 'read', bankAccount: 'read' };
    expect(formAccess(applicantStaff, facts())).toEqual(all);
    // An org's own application: its staff act for it.
    expect(formAccess(colleague, facts())).toEqual(all);
    // A worker's own application (membership) is its applicant's only.
    expect(formAccess(colleague, facts({ orgApplication: false }))).toMatchObject({ bankAccount: 'hidden' });
    expect(formAccess(cityLead, facts())).toEqual(all);
    expect(formAccess(cityStaff, facts())).toMatchObject({ bankAccount: 'hidden', project: 'read' });
  });

  it('editFormFields allows only fields the step marks edit, naming the others', () => {
    expect(editFormFields({ amount: 'edit' }, ['amount'])).toEqual({ allow: true });
    expect(editFormFields({ amount: 'edit', note: 'hidden' }, ['amount', 'note', 'x'])).toEqual({
      allow: false,
      status: 403,
      reason: '此步骤不能修改这些字段 / this step may not edit: note, x',
    });
    expect(editFormFields(undefined, ['amount'])).toMatchObject({ allow: false, status: 403 });
  });
});

describe('the form as a viewer sees it', () => {
  const form: FormDefinition = {
    schema: { type: 'object', required: ['project', 'bankAccount'], properties: { project: { type: 'string' }, bankAccount: { type: 'string' } } },
    ui: { 'ui:order': ['bankAccount', '*'], bankAccount: { 'ui:title': '收款账号' } },
  };
  const access = { project: 'read', bankAccount: 'hidden' } as const;

  it('hidden fields are absent from the payload, the schema, the uiSchema and the timeline, not masked', () => {
    expect(filterPayload({ amount: 1, form: { project: 'p', bankAccount: '6222' } }, access)).toEqual({ amount: 1, form: { project: 'p' } });
    expect(filterFormDefinition(form, access)).toEqual({
      schema: { type: 'object', required: ['project'], properties: { project: { type: 'string' } } },
      ui: { 'ui:order': ['*'] },
    });
    const data = {
      edits: [
        { field: 'bankAccount', before: '1', after: '2' },
        { field: 'project', before: 'a', after: 'b' },
      ],
    };
    expect(filterTimelineData(data, access)).toEqual({ edits: [{ field: 'project', before: 'a', after: 'b' }] });
    const revision = { changes: { payload: { form: { project: 'p', bankAccount: '6222' } } } };
    expect(filterTimelineData(revision, access)).toEqual({ changes: { payload: { form: { project: 'p' } } } });
    const auto = { id: 'notice', name: '下拨', type: 'auto', activity: 'issueSubsidyNotice' } as const;
    expect(hiddenAnywhere([humanStep({ id: 's1', fields: { a: 'hidden', b: 'edit' } }), auto, humanStep({ id: 's2', fields: { a: 'hidden' } })])).toEqual([
      'a',
    ]);
    // Steps inside the branches of a parallel group (并行分支) count too, each with its path.
    const grouped: Step[] = [
      auto,
      { type: 'parallel', id: 'g', name: '并行', mode: 'all', branches: [[humanStep({ id: 'b1', fields: { c: 'hidden' } })], [humanStep({ id: 'b2' })]] },
    ];
    expect(hiddenAnywhere(grouped)).toEqual(['c']);
    expect(humanStepsOf(grouped).map((x) => x.path.join('.'))).toEqual(['steps.1.branches.0.0', 'steps.1.branches.1.0']);
  });

  it('corrections change the title, the built-ins or the form, and list only what changed; the written order is kept in ui:order', () => {
    const subject = { title: 'T', payload: { amount: 10, form: { project: 'p', nested: { a: 1, b: 2 } } } };
    expect(applyEdits(subject, { amount: 8, title: 'T2', project: 'p', nested: { b: 2, a: 1 }, site: 'x' })).toEqual([
      { field: 'amount', before: 10, after: 8 },
      { field: 'title', before: 'T', after: 'T2' },
      { field: 'site', before: null, after: 'x' },
    ]);
    expect(subject).toEqual({ title: 'T2', payload: { amount: 8, form: { project: 'p', nested: { a: 1, b: 2 }, site: 'x' } } });
    expect(withExplicitOrder(form).ui!['ui:order']).toEqual(['bankAccount', 'project']);
    expect(withExplicitOrder({ schema: form.schema }).ui).toEqual({ 'ui:order': ['project', 'bankAccount'] });
  });
});
