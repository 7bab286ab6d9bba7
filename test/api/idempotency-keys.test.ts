/**
 * Idempotency-Key claimed before the work starts: a second request with the
 * same key while the first runs gets 409 "in progress"; keys expire; a claim
 * left by a process that died is taken over; a failed call frees its key.
 * Campaign Workflow Updates carry ids namespaced by caller, and a campaign
 * launch whose workflow start was lost is completed by the retry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idFromKey } from '../../api/approvals-service';
import { purgeExpiredKeys } from '../../api/idempotency';
import { insertCampaign } from '../../db/campaign-repository';
import { buildLaunch } from '../support/campaigns';
import { buildSubsidy, unique } from '../support/factories';
import { eventually, startHarness, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const countByTitle = async (title: string) => Number((await h.db('applications').where({ title }).count({ n: '*' }).first())?.n);

describe('Idempotency-Key claims', () => {
  it('while a request with a key is in progress, a second one with the same key gets 409 "in progress" and writes nothing', async () => {
    const token = await h.login('xinhua.staff');
    const key = unique('k-');
    // A request of this caller holding the key right now (inserted as the API claims it).
    await h.db('idempotency_keys').insert({ username: 'xinhua.staff', key, route: 'POST /api/applications', status: null, body: null });
    const body = buildSubsidy();
    const r = await h.call('POST', '/api/applications', { token, body, headers: { 'Idempotency-Key': key } });
    expect(r.status).toBe(409);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body.detail).toContain('in progress');
    expect(await countByTitle(body.title)).toBe(0);
  });

  it('ten concurrent requests with one key: exactly one runs, the others get 409 in progress or its replayed answer', async () => {
    const token = await h.login('xinhua.staff');
    const key = unique('k-');
    const body = buildSubsidy();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => h.call('POST', '/api/applications', { token, body, headers: { 'Idempotency-Key': key } })),
    );
    const ran = answers.filter((a) => a.status === 201 && a.headers.get('idempotent-replayed') !== 'true');
    expect(ran).toHaveLength(1);
    for (const a of answers) {
      if (a === ran[0]) continue;
      if (a.status === 409) expect(a.body.detail).toContain('in progress');
      else
        expect({ status: a.status, body: a.body, replayed: a.headers.get('idempotent-replayed') }).toEqual({
          status: 201,
          body: ran[0]!.body,
          replayed: 'true',
        });
    }
    expect(await countByTitle(body.title)).toBe(1);
    // Afterwards the key answers with the first result.
    const later = await h.call('POST', '/api/applications', { token, body, headers: { 'Idempotency-Key': key } });
    expect(later.status).toBe(201);
    expect(later.body).toEqual(ran[0]!.body);
  });

  it('a call refused with 400 frees its key: the corrected call with the same key runs', async () => {
    const token = await h.login('xinhua.staff');
    const key = unique('k-');
    const bad = await h.call('POST', '/api/applications', { token, body: { ...buildSubsidy(), amount: -1 }, headers: { 'Idempotency-Key': key } });
    expect(bad.status).toBe(400);
    expect(await h.db('idempotency_keys').where({ username: 'xinhua.staff', key }).first()).toBeUndefined();
    const body = buildSubsidy();
    const good = await h.call('POST', '/api/applications', { token, body, headers: { 'Idempotency-Key': key } });
    expect(good.status).toBe(201);
    expect(await countByTitle(body.title)).toBe(1);
  });

  it('a claim left by a process that died mid-request is taken over once its lease has passed', async () => {
    const token = await h.login('xinhua.staff');
    const key = unique('k-');
    await h.db('idempotency_keys').insert({
      username: 'xinhua.staff',
      key,
      route: 'POST /api/applications',
      status: null,
      body: null,
      created_at: h.db.raw("now() - interval '2 minutes'"),
    });
    const body = buildSubsidy();
    const r = await h.call('POST', '/api/applications', { token, body, headers: { 'Idempotency-Key': key } });
    expect(r.status).toBe(201);
    expect(await countByTitle(body.title)).toBe(1);
  });

  it('keys expire after a day: an old key runs afresh, and the purge deletes expired keys only', async () => {
    const token = await h.login('xinhua.staff');
    const key = unique('k-');
    const first = await h.call('POST', '/api/applications', { token, body: buildSubsidy(), headers: { 'Idempotency-Key': key } });
    expect(first.status).toBe(201);
    expect(
      (await h.call('POST', '/api/applications', { token, body: buildSubsidy(), headers: { 'Idempotency-Key': key } })).headers.get('idempotent-replayed'),
    ).toBe('true');
    await h
      .db('idempotency_keys')
      .where({ username: 'xinhua.staff', key })
      .update({ created_at: h.db.raw("now() - interval '25 hours'") });
    // Expired: the request runs again instead of being replayed (the application, named by the key, is still the one).
    const r = await h.call('POST', '/api/applications', { token, body: buildSubsidy(), headers: { 'Idempotency-Key': key } });
    expect(r.status).toBe(201);
    expect(r.headers.get('idempotent-replayed')).toBeNull();
    expect(r.body.id).toBe(first.body.id);
    expect(Number((await h.db('applications').where({ id: first.body.id }).count({ n: '*' }).first())?.n)).toBe(1);

    const oldKey = unique('k-');
    await h
      .db('idempotency_keys')
      .insert({ username: 'xinhua.staff', key: oldKey, route: 'POST /x', status: 200, body: '{}', created_at: h.db.raw("now() - interval '25 hours'") });
    expect(await purgeExpiredKeys(h.db)).toBeGreaterThanOrEqual(1);
    expect(await h.db('idempotency_keys').where({ username: 'xinhua.staff', key: oldKey }).first()).toBeUndefined();
    expect(await h.db('idempotency_keys').where({ username: 'xinhua.staff', key }).first()).toBeDefined();
  });
});

describe('campaigns', () => {
  it('a launch whose workflow start was lost (the API died after recording the campaign) is completed by the retry with the same key', async () => {
    const token = await h.login('city.admin');
    const key = unique('launch-');
    const { id: _ignored, ...body } = buildLaunch();
    void _ignored;
    const id = idFromKey('city.admin', key);
    // What the first attempt left: the campaign row, no workflow, no stored answer.
    await insertCampaign(h.db, {
      id,
      config: body,
      workflowId: `campaign-${id}`,
      createdBy: 'city.admin',
      regionTargets: Object.fromEntries(body.regions.map((r) => [r, { newMembers: 0, newUnions: 0 }])),
    });
    const retry = await h.call('POST', '/api/campaigns', { token, body, headers: { 'Idempotency-Key': key } });
    expect(retry.status, JSON.stringify(retry.body)).toBe(201);
    expect(retry.body).toEqual({ id, workflowId: `campaign-${id}` });
    const described = await h.temporal.workflow.getHandle(`campaign-${id}`).describe();
    expect(described.status.name).toBe('RUNNING');
    await eventually(async () => (await h.db('campaigns').where({ id }).first('phase'))?.phase === 'survey');
    // Once more: the stored answer, still one campaign and one workflow run.
    const again = await h.call('POST', '/api/campaigns', { token, body, headers: { 'Idempotency-Key': key } });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(retry.body);
    expect(Number((await h.db('campaigns').where({ id }).count({ n: '*' }).first())?.n)).toBe(1);
    // Another admin naming the same campaign id gets a conflict, not someone else's campaign.
    const other = await h.call('POST', '/api/campaigns', { token: await h.login('prov.admin'), body: { ...body, id } });
    expect(other.status, JSON.stringify(other.body)).toBe(409);
  });

  it("a Workflow Update's id is the caller's Idempotency-Key in the caller's own namespace", async () => {
    const token = await h.login('city.admin');
    const launched = await h.call('POST', '/api/campaigns', { token, body: buildLaunch() });
    expect(launched.status).toBe(201);
    const id = launched.body.id as string;
    await eventually(async () => (await h.db('campaigns').where({ id }).first('phase'))?.phase === 'survey');
    const key = unique('adv-');
    const r = await h.call('POST', `/api/campaigns/${id}/advance`, {
      token,
      body: { reason: '调查提前完成 / survey done early' },
      headers: { 'Idempotency-Key': key },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const updateIds: string[] = [];
    const history = await h.temporal.workflow.getHandle(`campaign-${id}`).fetchHistory();
    for (const e of history.events ?? []) {
      const accepted = e.workflowExecutionUpdateAcceptedEventAttributes;
      if (accepted?.acceptedRequest?.meta?.updateId) updateIds.push(accepted.acceptedRequest.meta.updateId);
    }
    expect(updateIds).toContain(`city.admin:${key}`);
    expect(updateIds).not.toContain(key);
  });
});
