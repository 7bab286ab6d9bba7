/**
 * 发起申请: GET /api/applications/form?type= answers the chain an application
 * of the caller would run on, with its form, and whether the policy lets the
 * caller apply (the web app's menu offers 发起申请 only then).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Approvals } from '../support/approvals';
import { buildChain, humanStep } from '../support/factories';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;
let api: Approvals;
beforeAll(async () => {
  h = await startHarness({ withWorker: true });
  api = new Approvals(h);
});
afterAll(async () => {
  await h?.close();
});

const form = {
  schema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    required: ['workers'],
    properties: { workers: { type: 'integer', minimum: 1, title: '受益职工人数' } },
  },
  ui: { workers: { 'ui:help': '本次补助惠及的职工人数' } },
};

describe('the application form of the caller', () => {
  it('when a county staff member asks for the subsidy form, they may apply on the subsidy chain in force for them', async () => {
    const token = await h.login('xinhua.staff');
    const r = await h.call('GET', '/api/applications/form?type=subsidy', { token });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    // The chain in force is the province-wide default or one of 平顶山's (other tests propose those): the same one
    // GET /api/chains/subsidy answers for the same caller.
    const inForce = await h.call('GET', '/api/chains/subsidy', { token });
    expect(inForce.status).toBe(200);
    expect(r.body).toMatchObject({ type: 'subsidy', canApply: true, chain: { key: 'subsidy', owner: inForce.body.owner, version: inForce.body.version } });
    expect(r.body.reason).toBeUndefined();
  });

  it('when a reviewer asks, the answer says the policy does not let them apply, and why', async () => {
    const r = await h.call('GET', '/api/applications/form?type=subsidy', { token: await h.login('city.reviewer') });
    expect(r.status).toBe(200);
    expect(r.body.canApply).toBe(false);
    expect(r.body.reason).toMatch(/只有工会干事或管理员可以申请补助/);
  });

  it('when the org has a chain with a form in force, its staff get that chain and its form', async () => {
    const chain = await api.saveChain({ ...buildChain({ steps: [humanStep({ id: 'review' })] }), form });
    const r = await h.call('GET', '/api/applications/form?type=subsidy', { token: await h.login(chain.staff) });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ canApply: true, chain: { key: chain.key, owner: chain.org, version: chain.version }, form });
  });

  it('refuses an unknown type with a 400 naming `type`, and answers 401 without a token', async () => {
    const bad = await h.call('GET', '/api/applications/form?type=membership', { token: await h.login('xinhua.staff') });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/problem\+json/);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['type']);
    const anonymous = await h.call('GET', '/api/applications/form?type=subsidy');
    expect(anonymous.status).toBe(401);
  });
});
