/**
 * Field permissions per step (字段权限): which form fields an approver at a
 * step sees, may correct with their approval, or never sees — seen through
 * the HTTP API by two approvers of one application, its applicant, an
 * oversight admin and a colleague above; corrections are recorded with their
 * old and new values, refused (403, nothing written) where the step may not
 * edit, and re-validated against the form's schema (400 form.<field>).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FormDefinition } from '../../domain/chain';
import { Approvals, type TimelineEntry } from '../support/approvals';
import { buildChain, buildSubsidy, humanStep, unique } from '../support/factories';
import { eventually, startHarness, type Harness } from '../support/harness';

let h: Harness;
let api: Approvals;
beforeAll(async () => {
  h = await startHarness();
  api = new Approvals(h);
});
afterAll(async () => {
  await h?.close();
});

const form: FormDefinition = {
  schema: {
    type: 'object',
    required: ['project', 'workers'],
    properties: {
      project: { type: 'string', title: '项目名称 / project', minLength: 1, maxLength: 100 },
      workers: { type: 'integer', title: '覆盖职工人数 / workers covered', minimum: 1 },
      bankAccount: { type: 'string', title: '收款账号 / bank account', maxLength: 40 },
    },
  },
};

/**
 * 县区初审 (xinhua.reviewer) never sees the bank account; 市总复核 (city.reviewer) may
 * correct the amount granted, the workers covered and the account; then the notice is issued.
 */
const steps = [
  humanStep({
    id: 'countyReview',
    name: '县区初审 / county review',
    who: { kind: 'users', usernames: ['xinhua.reviewer'] },
    onSelfApproval: 'forbid',
    fields: { bankAccount: 'hidden' },
  }),
  humanStep({
    id: 'cityReview',
    name: '市总复核 / city review',
    who: { kind: 'users', usernames: ['city.reviewer'] },
    onSelfApproval: 'forbid',
    fields: { amount: 'edit', workers: 'edit', bankAccount: 'edit', project: 'read' },
  }),
  { id: 'notice', name: '立项通知 / notice', type: 'auto' as const, activity: 'issueSubsidyNotice' as const },
];

const submitted = { project: '卫东区外卖骑手驿站', workers: 80, bankAccount: '6222 0000 1111 2222' };

async function startOne() {
  const chain = await api.saveChain(buildChain({ form, steps }));
  const id = await api.start(chain.staff, buildSubsidy({ amount: 50_000, form: submitted }));
  return { chain, id };
}

async function taskView(username: string, taskId: string) {
  const r = await h.call('GET', `/api/tasks/${taskId}`, { token: await h.login(username) });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

/** What nothing-written means here: the application row, its tasks and its audit trail as they were. */
async function snapshot(id: string) {
  const [app, tasks, audit] = await Promise.all([
    h.db('applications').where({ id }).first('payload', 'title', 'status', 'current_step'),
    h.db('tasks').where({ application_id: id }).orderBy('id').select('id', 'status', 'decision'),
    h.db('audit_log').where({ application_id: id }).count<{ n: string }[]>({ n: '*' }).first(),
  ]);
  return { app, tasks, audit: Number(audit?.n) };
}

describe('what each viewer sees of the form', () => {
  it('the county reviewer never sees the hidden field, the city reviewer sees it and may edit; the applicant and the oversight admin see all; a colleague above sees what no step hides', async () => {
    const { chain, id } = await startOne();
    const county = await api.task('xinhua.reviewer', id, 0);
    const cv = await taskView('xinhua.reviewer', county.id);
    // Absent, not masked: from the payload, the form's schema and the access map.
    expect(cv.subjectDetail.payload.form).toEqual({ project: submitted.project, workers: 80 });
    expect(Object.keys(cv.form.schema.properties).sort()).toEqual(['project', 'workers']);
    expect(JSON.stringify(cv)).not.toContain('6222');
    expect(cv.formAccess).toEqual({ title: 'read', amount: 'read', reason: 'read', project: 'read', workers: 'read' });
    const ca = await api.app('xinhua.reviewer', id);
    expect(ca.payload.form).toEqual({ project: submitted.project, workers: 80 });
    expect(ca.formAccess).toEqual(cv.formAccess);

    await api.ok('xinhua.reviewer', county.id, { action: 'approve', comment: '初审同意 / agreed' });
    const city = await api.task('city.reviewer', id, 1);
    const yv = await taskView('city.reviewer', city.id);
    expect(yv.subjectDetail.payload.form).toEqual(submitted);
    expect(yv.formAccess).toEqual({ title: 'read', amount: 'edit', reason: 'read', project: 'read', workers: 'edit', bankAccount: 'edit' });

    // The county reviewer, their task done, still does not see it.
    expect((await api.app('xinhua.reviewer', id)).payload.form).not.toHaveProperty('bankAccount');
    // The applicant: their own form, all read.
    const mine = await api.app(chain.staff, id);
    expect(mine.payload.form).toEqual(submitted);
    expect(mine.formAccess).toEqual({ title: 'read', amount: 'read', reason: 'read', project: 'read', workers: 'read', bankAccount: 'read' });
    // Oversight: the city's admin, who holds no task on it, sees every field, read-only.
    const admin = await api.app('city.admin', id);
    expect(admin.payload.form).toEqual(submitted);
    expect(Object.values(admin.formAccess)).toEqual(['read', 'read', 'read', 'read', 'read', 'read']);
    // A colleague above the applicant with no task and no oversight role: not what some step hides.
    const colleague = await api.app('xinhua.staff', id);
    expect(colleague.payload.form).toEqual({ project: submitted.project, workers: 80 });
    expect(colleague.formAccess).not.toHaveProperty('bankAccount');
  });
});

describe('an approver corrects fields with their approval', () => {
  it('the city reviewer corrects the amount granted and the workers covered: the timeline records old and new values, the payload and the notice carry them, and the county reviewer does not see edits of the hidden field', async () => {
    const { chain, id } = await startOne();
    await api.approve('xinhua.reviewer', id);
    const city = await api.task('city.reviewer', id, 1);
    const r = await api.act('city.reviewer', city.id, {
      action: 'approve',
      comment: '核减补助金额 / amount reduced',
      form: { amount: 40_000, workers: 120, bankAccount: '6222 0000 3333 4444', project: submitted.project },
    });
    // project is read-only at this step: sending it at all is refused, even unchanged (a client sends the fields it corrects).
    expect(r.status, JSON.stringify(r.body)).toBe(403);
    expect(r.body.errors).toEqual([{ path: 'form.project', message: '此步骤不能修改此字段 / this step may not edit this field' }]);
    const ok = await api.ok('city.reviewer', city.id, {
      action: 'approve',
      comment: '核减补助金额 / amount reduced',
      form: { amount: 40_000, workers: 120, bankAccount: '6222 0000 3333 4444' },
    });
    expect(ok.status).toBe('approved');

    const done = await api.status(id, 'approved', chain.staff);
    expect(done.payload.amount).toBe(40_000);
    expect(done.payload.form).toEqual({ project: submitted.project, workers: 120, bankAccount: '6222 0000 3333 4444' });
    const edited = (done.timeline as TimelineEntry[]).find((e) => e.action === 'formEdited')!;
    expect(edited).toMatchObject({ actor: 'city.reviewer', step: '市总复核 / city review', comment: '修改表单 / form corrected' });
    expect(edited.data!.edits).toEqual([
      { field: 'amount', before: 50_000, after: 40_000 },
      { field: 'workers', before: 80, after: 120 },
      { field: 'bankAccount', before: '6222 0000 1111 2222', after: '6222 0000 3333 4444' },
    ]);
    // The edit comes before the approval it went with.
    const actions = (done.timeline as TimelineEntry[]).map((e) => e.action);
    expect(actions.indexOf('formEdited')).toBe(actions.lastIndexOf('approve') - 1);
    // The money follows the correction.
    const notice = await eventually(async () => (await api.rows('subsidy_notices', id))[0]);
    expect(Number(notice.amount)).toBe(40_000);
    expect(done.notice.amount).toBe(40_000);

    // The county reviewer reads the timeline without the hidden field's edit, and without its value anywhere.
    const county = await api.app('xinhua.reviewer', id);
    const theirs = (county.timeline as TimelineEntry[]).find((e) => e.action === 'formEdited')!;
    expect(theirs.data!.edits).toEqual([
      { field: 'amount', before: 50_000, after: 40_000 },
      { field: 'workers', before: 80, after: 120 },
    ]);
    expect(JSON.stringify(county)).not.toContain('6222');
  });

  it('an edit of a read-only or hidden field is refused with 403 naming it, and nothing is written', async () => {
    const { id } = await startOne();
    const county = await api.task('xinhua.reviewer', id, 0);
    const before = await snapshot(id);
    const readOnly = await api.act('xinhua.reviewer', county.id, { action: 'approve', form: { amount: 1 } });
    expect(readOnly.status, JSON.stringify(readOnly.body)).toBe(403);
    expect(readOnly.headers.get('content-type')).toContain('application/problem+json');
    expect(readOnly.body.detail).toBe('此步骤不能修改这些字段 / this step may not edit: amount');
    expect(readOnly.body.errors).toEqual([{ path: 'form.amount', message: '此步骤不能修改此字段 / this step may not edit this field' }]);
    // A hidden field, and a name the form does not have, get the very same answer (no probing for hidden fields).
    const hidden = await api.act('xinhua.reviewer', county.id, { action: 'approve', form: { bankAccount: 'x' } });
    const unknown = await api.act('xinhua.reviewer', county.id, { action: 'approve', form: { nosuch: 'x' } });
    expect([hidden.status, unknown.status]).toEqual([403, 403]);
    expect(hidden.body.errors).toEqual([{ path: 'form.bankAccount', message: '此步骤不能修改此字段 / this step may not edit this field' }]);
    expect(unknown.body.errors).toEqual([{ path: 'form.nosuch', message: '此步骤不能修改此字段 / this step may not edit this field' }]);
    expect(await snapshot(id)).toEqual(before);
    expect((await taskView('xinhua.reviewer', county.id)).status).toBe('pending');
  });

  it('a correction that breaks the schema, or goes with anything but an approval, is refused with 400 naming the field, and nothing is written', async () => {
    const { id } = await startOne();
    await api.approve('xinhua.reviewer', id);
    const city = await api.task('city.reviewer', id, 1);
    const before = await snapshot(id);
    const bad = await api.act('city.reviewer', city.id, { action: 'approve', form: { workers: 0, amount: -5, bankAccount: 'x'.repeat(41) } });
    expect(bad.status, JSON.stringify(bad.body)).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect([...(bad.body.errors as { path: string }[])].sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { path: 'form.amount', message: '金额须大于 0 / must be positive' },
      { path: 'form.bankAccount', message: '不应多于 40 个字符 / must NOT have more than 40 characters' },
      { path: 'form.workers', message: '应当为 >= 1 / must be >= 1' },
    ]);
    // 核减, not 核增: the amount may be lowered, never raised above what was applied for.
    const raised = await api.act('city.reviewer', city.id, { action: 'approve', form: { amount: 50_000.01 } });
    expect(raised.status).toBe(400);
    expect(raised.body.errors).toEqual([
      { path: 'form.amount', message: '核定金额不能高于申请金额（50000 元）/ an approver may lower the amount, not raise it above 50000' },
    ]);
    const withReturn = await api.act('city.reviewer', city.id, { action: 'return', returnTo: 'applicant', form: { workers: 100 } });
    expect(withReturn.status).toBe(400);
    expect(withReturn.body.errors).toEqual([{ path: 'form', message: '只用于 approve / approve only' }]);
    const notObject = await api.act('city.reviewer', city.id, { action: 'approve', form: 'workers=100' });
    expect(notObject.status).toBe(400);
    expect(notObject.body.errors.map((e: { path: string }) => e.path)).toEqual(['form']);
    expect(await snapshot(id)).toEqual(before);
  });

  it('the same correction sent twice with one Idempotency-Key is recorded once', async () => {
    const { id } = await startOne();
    await api.approve('xinhua.reviewer', id);
    const city = await api.task('city.reviewer', id, 1);
    const key = unique('edit-');
    const body = { action: 'approve', form: { amount: 45_000 } };
    const first = await api.act('city.reviewer', city.id, body, { 'Idempotency-Key': key });
    const again = await api.act('city.reviewer', city.id, body, { 'Idempotency-Key': key });
    expect([first.status, again.status]).toEqual([200, 200]);
    const done = await api.status(id, 'approved', 'city.admin');
    expect((done.timeline as TimelineEntry[]).filter((e) => e.action === 'formEdited')).toHaveLength(1);
    expect(done.payload.amount).toBe(45_000);
  });
});

describe('the applicant revises the form when it is returned', () => {
  it('a resubmission revises form fields (the rest stay), validated against the schema; the review restarts; an approver never reads a hidden field in the revision', async () => {
    const { chain, id } = await startOne();
    const county = await api.task('xinhua.reviewer', id, 0);
    await api.ok('xinhua.reviewer', county.id, { action: 'return', returnTo: 'applicant', comment: '请补充账号 / fix the account' });
    await api.status(id, 'returned', chain.staff);
    const before = await snapshot(id);
    const bad = await api.appAct(chain.staff, id, { action: 'resubmit', changes: { form: { workers: 'many', nosuch: 1 } } });
    expect(bad.status, JSON.stringify(bad.body)).toBe(400);
    expect((bad.body.errors as { path: string }[]).map((e) => e.path).sort()).toEqual(['changes.form.nosuch', 'changes.form.workers']);
    expect(await snapshot(id)).toEqual(before);

    const ok = await api.appAct(chain.staff, id, { action: 'resubmit', changes: { form: { bankAccount: '6222 9999 8888 7777', workers: 95 } } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const mine = await api.status(id, 'pending', chain.staff);
    expect(mine.payload.form).toEqual({ project: submitted.project, workers: 95, bankAccount: '6222 9999 8888 7777' });
    const revision = (mine.timeline as TimelineEntry[]).find((e) => e.action === 'resubmit')!;
    expect(revision.data!.changes.payload.form).toEqual({ project: submitted.project, workers: 95, bankAccount: '6222 9999 8888 7777' });
    // The county reviewer reviews it again, and reads the revision without the hidden account.
    await api.task('xinhua.reviewer', id, 0);
    const theirs = await api.app('xinhua.reviewer', id);
    expect((theirs.timeline as TimelineEntry[]).find((e) => e.action === 'resubmit')!.data!.changes.payload.form).toEqual({
      project: submitted.project,
      workers: 95,
    });
    expect(JSON.stringify(theirs)).not.toContain('6222');
  });
});

describe('field permissions in a chain definition', () => {
  it('a step naming a field the form does not have, or hiding a built-in field, is refused with 400 naming it; nothing is proposed', async () => {
    const key = unique('t-');
    const r = await h.call('POST', '/api/chains', {
      token: await h.login('city.admin'),
      body: {
        ...buildChain({ key, form, steps: [humanStep({ id: 'review', fields: { bankAcount: 'hidden', amount: 'hidden', workers: 'write' as never } })] }),
        owner: 'pds-xinhua',
      },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect((r.body.errors as { path: string }[]).map((e) => e.path).sort()).toEqual(['steps.0.fields.workers']);
    const r2 = await h.call('POST', '/api/chains', {
      token: await h.login('city.admin'),
      body: {
        ...buildChain({ key, form, steps: [humanStep({ id: 'review', fields: { bankAcount: 'hidden', amount: 'hidden', title: 'edit' } })] }),
        owner: 'pds-xinhua',
      },
    });
    expect(r2.status, JSON.stringify(r2.body)).toBe(400);
    expect((r2.body.errors as { path: string }[]).map((e) => e.path).sort()).toEqual(['steps.0.fields.amount', 'steps.0.fields.bankAcount']);
    const proposals = await h
      .db('applications')
      .where({ type: 'chain_change' })
      .whereRaw("payload->'definition'->>'key' = ?", [key])
      .count<{ n: string }[]>({ n: '*' })
      .first();
    expect(Number(proposals?.n)).toBe(0);
  });
});
