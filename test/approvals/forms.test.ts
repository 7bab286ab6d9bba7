/**
 * Forms per application type (申请表单): a chain owner declares the form of an
 * application type as JSON Schema 2020-12 with an rjsf uiSchema (Chinese
 * labels, order, widgets), versioned with the chain; submissions are
 * validated with Ajv and every bad field is named (`form.<field>`), Chinese
 * first; nothing is written for a refused submission or chain.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FormDefinition } from '../../domain/chain';
import { Approvals } from '../support/approvals';
import { buildChain, buildSubsidy, humanStep, unique } from '../support/factories';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;
let api: Approvals;
beforeAll(async () => {
  h = await startHarness();
  api = new Approvals(h);
});
afterAll(async () => {
  await h?.close();
});

/** 服务站建设补助 form: what the project is, how many workers it serves, whom to write to. */
function stationForm(): FormDefinition {
  return {
    schema: {
      type: 'object',
      required: ['project', 'workers'],
      properties: {
        project: { type: 'string', title: '项目名称 / project', minLength: 1, maxLength: 100 },
        workers: { type: 'integer', minimum: 1, maximum: 100_000 },
        contactEmail: { type: 'string', format: 'email', title: '联系邮箱 / contact e-mail' },
        opensOn: { type: 'string', format: 'date', title: '开放日期 / opens on' },
      },
    },
    ui: {
      'ui:order': ['project', 'workers', '*'],
      workers: { 'ui:title': '覆盖职工人数 / workers covered', 'ui:widget': 'updown', 'ui:help': '预计使用服务站的户外劳动者 / expected users' },
      opensOn: { 'ui:widget': 'date' },
    },
  };
}

/** The form as stored: its field order spelt out in `ui:order`. */
function storedForm(form = stationForm()): FormDefinition {
  return { ...form, ui: { ...form.ui, 'ui:order': ['project', 'workers', 'contactEmail', 'opensOn'] } };
}

async function applicationsOf(username: string): Promise<number> {
  const row = await h.db('applications').where({ applicant: username }).count<{ n: string }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** Chain changes proposed for one chain key (each is an application of the chain_change type). */
async function proposalsFor(key: string): Promise<number> {
  const row = await h
    .db('applications')
    .where({ type: 'chain_change' })
    .whereRaw("payload->'definition'->>'key' = ?", [key])
    .count<{ n: string }[]>({ n: '*' })
    .first();
  return Number(row?.n ?? 0);
}

async function propose(body: unknown) {
  return h.call('POST', '/api/chains', { token: await h.login('city.admin'), body });
}

describe('a chain owner declares the form of an application type', () => {
  it('when a chain with a form takes effect, the chain shows the form and each new version keeps its own, and the change says what changed in words', async () => {
    const chain = await api.saveChain(buildChain({ form: stationForm(), steps: [humanStep({ id: 'review' })] }));
    expect(chain.form).toEqual(storedForm());
    const stored = await h.db('chain_definitions').where({ key: chain.key, owner_org: chain.org, version: chain.version }).first('definition');
    expect(stored.definition.form).toEqual(storedForm());

    // Version 2: a field added, one made optional, and a step that lets its approver correct the amount.
    const v2form = stationForm();
    (v2form.schema.properties as Record<string, unknown>).site = { type: 'string', title: '选址 / site', maxLength: 200 };
    v2form.schema.required = ['project'];
    const proposed = await propose({
      ...buildChain({ key: chain.key, form: v2form, steps: [humanStep({ id: 'review', fields: { amount: 'edit' } })] }),
      owner: chain.org,
    });
    expect(proposed.status, JSON.stringify(proposed.body)).toBe(202);
    const change = await api.app('city.admin', proposed.body.id);
    expect(change.payload.diff.lines).toEqual(
      expect.arrayContaining([
        '新增表单字段“选址 / site” / form field added: site',
        '表单字段“覆盖职工人数 / workers covered”改为选填 / form field now optional: workers',
        expect.stringMatching(/^修改步骤“审批 review”：字段权限“金额”（fields\.amount）：只读（默认） → 可编辑/),
      ]),
    );
    // Nothing else changed: the stored form's key order is not a change.
    expect(change.payload.diff.lines).toHaveLength(3);
    expect(change.payload.definition.form.ui['ui:order']).toEqual(['project', 'workers', 'contactEmail', 'opensOn', 'site']);
    // Version 1 is still the one in force until the change is approved.
    const now = await h.call('GET', `/api/chains/${chain.key}?owner=${chain.org}`, { token: await h.login('city.admin') });
    expect(now.body).toMatchObject({ version: chain.version, form: storedForm() });
  });

  it('a form that is not valid JSON Schema, breaks the limits or lacks Chinese labels is refused with 400 naming each place, and no change is proposed', async () => {
    const key = unique('t-');
    const bad = {
      ...buildChain({ key, steps: [humanStep({ id: 'review', fields: { missing: 'read', title: 'hidden' } })] }),
      owner: 'pds-xinhua',
      form: {
        schema: {
          type: 'object',
          properties: {
            workers: { type: 'integr', title: '人数 / workers' },
            code: { type: 'string', title: '信用代码 / credit code', pattern: '^(a+)+$' },
            amount: { type: 'number', title: '金额 / amount' },
            nolabel: { type: 'string', title: 'no label' },
            sites: { type: 'array', title: '选址 / sites', items: { type: 'string', maxLength: 50 }, uniqueItems: true },
          },
        },
        ui: { 'ui:order': ['workers', 'ghost'], workers: { 'ui:widget': 'file', 'ui:onClick': 'x' } },
      },
    };
    const r = await propose(bad);
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    const paths = (r.body.errors as { path: string }[]).map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'form.schema',
        'form.schema.properties.code.pattern',
        'form.schema.properties.sites.uniqueItems',
        'form.schema.properties.amount',
        'form.ui.nolabel',
        'form.ui.ui:order',
        'form.ui.workers.ui:widget',
        'form.ui.workers.ui:onClick',
        'steps.0.fields.missing',
        'steps.0.fields.title',
      ]),
    );
    const compile = (r.body.errors as { path: string; message: string }[]).find((e) => e.path === 'form.schema')!;
    expect(compile.message).toMatch(/^不是有效的 JSON Schema 2020-12/);
    expect(await proposalsFor(key)).toBe(0);

    // A form that is not an object schema, and one too large.
    const notObject = await propose({ ...buildChain({ key }), owner: 'pds-xinhua', form: { schema: { type: 'string' } } });
    expect(notObject.status).toBe(400);
    expect((notObject.body.errors as { path: string }[]).map((e) => e.path).sort()).toEqual(['form.schema.properties', 'form.schema.type']);
    const properties = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`f${i}`, { type: 'string', title: `字段 ${i}` }]));
    const tooMany = await propose({ ...buildChain({ key }), owner: 'pds-xinhua', form: { schema: { type: 'object', properties } } });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors).toEqual([{ path: 'form.schema.properties', message: '最多 100 个字段 / at most 100 fields' }]);
    // The membership chain takes no form: the public join page (扫码入会) could not fill it in.
    const membership = await propose({ ...buildChain({ key, type: 'membership' }), owner: 'pds-xinhua', form: stationForm() });
    expect(membership.status).toBe(400);
    expect(membership.body.errors.map((e: { path: string }) => e.path)).toEqual(['form']);
    expect(await proposalsFor(key)).toBe(0);
  });
});

describe('an applicant submits the form of their application type', () => {
  it('a good submission is stored with the application and shown to the applicant with the form and their read-only access', async () => {
    const chain = await api.saveChain(buildChain({ form: stationForm() }));
    const form = { project: '新华区快递员服务站', workers: 320, contactEmail: 'station@example.cn', opensOn: '2026-12-01' };
    const id = await api.start(chain.staff, buildSubsidy({ form }));
    const app = await api.app(chain.staff, id);
    expect(app.payload.form).toEqual(form);
    expect(app.form).toEqual(storedForm());
    expect(app.formAccess).toEqual({ title: 'read', amount: 'read', reason: 'read', project: 'read', workers: 'read', contactEmail: 'read', opensOn: 'read' });
    const row = await h.db('applications').where({ id }).first('payload');
    expect(row.payload.form).toEqual(form);
    // The approver sees the same form (no step hides anything here).
    const task = await api.task('city.reviewer', id);
    const seen = await h.call('GET', `/api/tasks/${task.id}`, { token: await h.login('city.reviewer') });
    expect(seen.body.subjectDetail.payload.form).toEqual(form);
  });

  it('each bad field is named form.<field>, Chinese first, and nothing is written', async () => {
    const chain = await api.saveChain(buildChain({ form: stationForm() }));
    const before = await applicationsOf(chain.staff);
    const r = await api.create(
      chain.staff,
      buildSubsidy({ form: { project: '', workers: 2.5, contactEmail: 'not-an-email', opensOn: '31/12/2026', extra: 1 } }),
    );
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    const errors = r.body.errors as { path: string; message: string }[];
    expect(errors.map((e) => e.path).sort()).toEqual(['form.contactEmail', 'form.extra', 'form.opensOn', 'form.project', 'form.workers']);
    expect(errors.find((e) => e.path === 'form.workers')!.message).toBe('应当是 integer 类型 / must be integer');
    expect(errors.find((e) => e.path === 'form.contactEmail')!.message).toBe('应当匹配格式 "email" / must match format "email"');
    expect(errors.find((e) => e.path === 'form.extra')!.message).toBe('表单没有这个字段 / the form has no such field');
    for (const e of errors) expect(e.message).toMatch(/^\p{Script=Han}/u);

    // Required fields missing: each named.
    const missing = await api.create(chain.staff, buildSubsidy({ form: { contactEmail: 'a@b.cn' } }));
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([
      { path: 'form.project', message: '必填 / required' },
      { path: 'form.workers', message: '必填 / required' },
    ]);
    expect(await applicationsOf(chain.staff)).toBe(before);
  });

  it('a chain with a form and a body without one is 400 naming form; a form where the chain has none is 400 too; nothing is written', async () => {
    const chain = await api.saveChain(buildChain({ form: stationForm() }));
    const none = await api.create(chain.staff, buildSubsidy());
    expect(none.status, JSON.stringify(none.body)).toBe(400);
    expect(none.body.errors).toEqual([{ path: 'form', message: '必填 / required' }]);
    const notObject = await api.create(chain.staff, { ...buildSubsidy(), form: ['project'] });
    expect(notObject.status).toBe(400);
    expect(notObject.body.errors.map((e: { path: string }) => e.path)).toEqual(['form']);
    expect(await applicationsOf(chain.staff)).toBe(0);

    const plain = await api.saveChain(buildChain());
    const extra = await api.create(plain.staff, buildSubsidy({ form: { project: 'x' } }));
    expect(extra.status).toBe(400);
    expect(extra.body.errors).toEqual([{ path: 'form', message: '此类申请没有表单 / no form here' }]);
    expect(await applicationsOf(plain.staff)).toBe(0);
  });

  it('an application keeps the form of the chain version it started on', async () => {
    const chain = await api.saveChain(buildChain({ form: stationForm() }));
    const id = await api.start(chain.staff, buildSubsidy({ form: { project: '服务站', workers: 10 } }));
    const v2 = stationForm();
    v2.schema.required = ['project', 'workers', 'contactEmail'];
    await api.installChain({ ...buildChain({ key: chain.key, form: v2 }) }, chain.org);
    // The running application shows its own version's form; a new one must meet the new version's.
    expect((await api.app(chain.staff, id)).form).toEqual(storedForm());
    const r = await api.create(chain.staff, buildSubsidy({ form: { project: '服务站', workers: 10 } }));
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([{ path: 'form.contactEmail', message: '必填 / required' }]);
  });
});
