/**
 * 审批路径预测: GET /api/applications/:id/route — per remaining step (and
 * branch), whether its condition holds now and in words, who would act by
 * name and post, and why — and POST /api/chains/route-preview, the same for
 * a draft chain and a sample application (the designer's preview), allowed
 * to whoever may propose chains for the owner.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParallelGroup } from '../../domain/chain';
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

const LARGE = { '>': [{ var: 'amount' }, 50000] };
const cityReview = humanStep({ id: 'cityReview', name: '市总审核 / city review', who: { kind: 'role', role: 'reviewer', level: 'city' } });
const provinceReview = humanStep({
  id: 'provinceReview',
  name: '省总审核 / province review',
  who: { kind: 'role', role: 'reviewer', level: 'province' },
  when: LARGE,
});
const CITY_REVIEWERS = [
  { name: '市总组织部审核员', post: '平顶山市总工会 审核员' },
  { name: '市总组织部审核员二', post: '平顶山市总工会 审核员' },
];
const group: ParallelGroup = {
  type: 'parallel',
  id: 'industries',
  name: '产业工会会审 / industry unions review',
  mode: 'all',
  branches: [
    [humanStep({ id: 'gongjiao', name: '工交工会审核', who: { kind: 'users', usernames: ['gongjiao.reviewer'] } })],
    [humanStep({ id: 'caimao', name: '财贸工会审核', who: { kind: 'users', usernames: ['city.reviewer2'] } })],
  ],
};

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

describe('GET /api/applications/:id/route', () => {
  it('says of each remaining step whether its condition holds now, in words, and who would act by name and post, and why', async () => {
    const chain = await api.saveChain(buildChain({ steps: [cityReview, provinceReview] }));
    const small = await api.start(chain.staff, buildSubsidy({ amount: 20_000 }));
    await api.task('city.reviewer', small);
    const r = await h.call('GET', `/api/applications/${small}/route`, { token: await h.login(chain.staff) });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const [city, province] = r.body.steps;
    expect(city).toMatchObject({ id: 'cityReview', status: 'active', remaining: true, condition: null });
    expect([...city.approvers].sort(byName)).toEqual(CITY_REVIEWERS);
    expect(province).toMatchObject({
      id: 'provinceReview',
      status: 'waiting',
      remaining: true,
      skip: true,
      condition: { holds: false, zh: '金额 > 50000', en: 'amount > 50000', text: '金额 > 50000 / amount > 50000' },
      // Whom it would reach were it reached: the province's reviewer, and why.
      approvers: [{ name: '省总基层工作部审核员', post: '河南省总工会 审核员' }],
      why: expect.stringContaining('的 审核员（省级）/ role reviewer at level province'),
    });
    // Logins stay in `who` for current clients; the Chinese words never show one.
    expect(JSON.stringify(province.approvers)).not.toContain('prov.reviewer');

    const large = await api.start(chain.staff, buildSubsidy({ amount: 60_000 }));
    await api.task('city.reviewer', large);
    const l = await h.call('GET', `/api/applications/${large}/route`, { token: await h.login('city.admin') });
    expect(l.body.steps[1]).toMatchObject({ skip: false, condition: { holds: true }, who: ['prov.reviewer'] });
    expect(l.body.steps[0].why).toBe('平顶山市总工会 的 审核员（市级）/ role reviewer at level city');

    // Out of scope: 404, as the application itself.
    expect((await h.call('GET', `/api/applications/${large}/route`, { token: await h.login('weidong.staff') })).status).toBe(404);
  });

  it('shows a parallel group’s branches: each branch’s step, who holds it now, and what is done', async () => {
    const chain = await api.saveChain(
      buildChain({ steps: [group, humanStep({ id: 'final', name: '市总复核', who: { kind: 'users', usernames: ['city.reviewer'] } })] }),
    );
    const id = await api.start(chain.staff, buildSubsidy());
    const gj = await api.task('gongjiao.reviewer', id);
    await api.task('city.reviewer2', id);
    await api.ok('gongjiao.reviewer', gj.id, { action: 'approve' });

    const r = await h.call('GET', `/api/applications/${id}/route`, { token: await h.login(chain.staff) });
    expect(r.status).toBe(200);
    const [g, final] = r.body.steps;
    expect(g).toMatchObject({ id: 'industries', type: 'parallel', status: 'active', remaining: true });
    expect(g.branches).toHaveLength(2);
    expect(g.branches[0]).toMatchObject({
      name: '分支 1（工交工会审核） / branch 1 (工交工会审核)',
      status: 'done',
      steps: [{ id: 'gongjiao', status: 'done', remaining: false }],
    });
    expect(g.branches[1]).toMatchObject({
      name: '分支 2（财贸工会审核） / branch 2 (财贸工会审核)',
      status: 'active',
      steps: [
        {
          id: 'caimao',
          status: 'active',
          remaining: true,
          who: ['city.reviewer2'],
          approvers: [{ name: '市总组织部审核员二', post: '平顶山市总工会 审核员' }],
        },
      ],
    });
    expect(g.approvers).toEqual([{ name: '市总组织部审核员二', post: '平顶山市总工会 审核员' }]);
    expect(final).toMatchObject({
      id: 'final',
      status: 'waiting',
      approvers: [{ name: '市总组织部审核员', post: '平顶山市总工会 审核员' }],
      why: '指定人员 / named users',
    });
  });
});

describe('POST /api/chains/route-preview', () => {
  const preview = async (username: string, body: unknown) => h.call('POST', '/api/chains/route-preview', { token: await h.login(username), body });
  const draft = (extra: Record<string, unknown> = {}) => ({
    key: unique('t-'),
    name: '补助草稿 / draft',
    type: 'subsidy',
    owner: 'pds',
    form: { schema: { type: 'object', properties: { headcount: { type: 'integer', title: '职工人数' } } } },
    steps: [
      cityReview,
      provinceReview,
      humanStep({
        id: 'courierUnion',
        name: '快递行业审核',
        who: { kind: 'users', usernames: ['gongjiao.reviewer'] },
        when: { '==': [{ var: 'group' }, 'courier'] },
      }),
      { ...group, when: { '>=': [{ var: 'form.headcount' }, 100] } },
    ],
    ...extra,
  });

  it('gives the route of a draft chain for a sample application: conditions in words, approvers, branches', async () => {
    const chain = draft();
    const r = await preview('city.admin', {
      chain,
      sample: { applicantOrg: 'pds-xinhua', amount: 60_000, group: 'courier', form: { headcount: 40 } },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.sample).toMatchObject({ applicantOrg: 'pds-xinhua', applicantOrgName: expect.stringContaining('新华区') });
    const [city, province, courier, industries] = r.body.steps;
    expect([...city.approvers].sort(byName)).toEqual(CITY_REVIEWERS);
    expect(city.why).toBe('平顶山市总工会 的 审核员（市级）/ role reviewer at level city');
    expect(province).toMatchObject({ skip: false, condition: { holds: true, zh: '金额 > 50000' } });
    expect(courier).toMatchObject({
      skip: false,
      condition: { holds: true, zh: '群体 = “快递员”', en: 'group = "courier"' },
      approvers: [{ name: '市工交工会审核员' }],
    });
    expect(industries).toMatchObject({ type: 'parallel', skip: true, condition: { holds: false, zh: '表单“职工人数” ≥ 100' } });
    expect(industries.branches.map((b: { name: string }) => b.name)).toEqual([
      '分支 1（工交工会审核） / branch 1 (工交工会审核)',
      '分支 2（财贸工会审核） / branch 2 (财贸工会审核)',
    ]);
    expect(industries.branches[1].steps[0].approvers).toEqual([{ name: '市总组织部审核员二', post: '平顶山市总工会 审核员' }]);

    // A smaller sample of another group: the province and the courier steps would be skipped.
    const small = await preview('city.admin', {
      chain: draft(),
      sample: { applicantOrg: 'pds-xinhua', amount: 20_000, group: 'truck_driver', form: { headcount: 120 } },
    });
    expect(small.body.steps.map((s: { skip?: boolean }) => !!s.skip)).toEqual([false, true, true, false]);
    // Previewing writes nothing.
    // Previewing proposes nothing: no chain change names the draft's key, no version of it exists.
    expect(await h.db('applications').where('title', 'like', `%${chain.key}%`)).toHaveLength(0);
    expect(await h.db('chain_definitions').where({ key: chain.key })).toHaveLength(0);
  });

  it('is for whoever may propose the chain: a staff member 403, an admin of another city 403, a county admin for the city’s chain 403', async () => {
    const body = { chain: draft(), sample: { applicantOrg: 'pds-xinhua', amount: 1000 } };
    expect((await preview('xinhua.staff', body)).status).toBe(403);
    expect((await preview('xc.admin', body)).status).toBe(403);
    expect((await preview('xinhua.admin', body)).status).toBe(403);
    expect((await preview('prov.admin', body)).status).toBe(200);
    const own = await preview('xinhua.admin', { chain: draft({ owner: undefined }), sample: { applicantOrg: 'pds-xinhua', amount: 1000 } });
    expect(own.status, JSON.stringify(own.body)).toBe(200);
    expect((await h.call('POST', '/api/chains/route-preview', { body })).status).toBe(401);
  });

  it('names only the people the caller may see: a draft naming someone of another city shows neither their name nor their login', async () => {
    const r = await preview('xinhua.admin', {
      chain: draft({
        owner: undefined,
        steps: [humanStep({ id: 'far', name: '外市审核', who: { kind: 'users', usernames: ['xc.reviewer', 'city.reviewer'] }, mode: 'all' })],
      }),
      sample: { applicantOrg: 'pds-xinhua', amount: 1000 },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.steps[0].who).toEqual(['city.reviewer']);
    expect(r.body.steps[0].approvers).toEqual([
      { name: '（范围外人员）', post: '（不在您的可见范围内）/ outside your scope' },
      { name: '市总组织部审核员', post: '平顶山市总工会 审核员' },
    ]);
    // Nothing of the person beyond the login the caller typed (echoed in the step and its rule): no name, no org.
    expect(JSON.stringify(r.body)).not.toContain('许昌');
  });

  it('answers 400 naming each bad field: the draft’s condition, a sample org outside the owner, a bad amount', async () => {
    const bad = await preview('city.admin', {
      chain: draft({ steps: [humanStep({ id: 'a', when: { '>': [{ var: 'salary' }, 1] } })] }),
      sample: { applicantOrg: 'xc', amount: 'many' },
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect((bad.body.errors as { path: string }[]).map((e) => e.path).sort()).toEqual(['chain.steps.0.when.>.0.var', 'sample.amount']);
    const outside = await preview('city.admin', { chain: draft(), sample: { applicantOrg: 'xc' } });
    expect(outside.status).toBe(400);
    expect(outside.body.errors).toEqual([{ path: 'sample.applicantOrg', message: expect.stringContaining('审批链所属组织或其下级') }]);
  });
});
