/**
 * The API process killed with SIGKILL in the middle of a campaign launch (the
 * API as its own OS process): nothing is lost and nothing is done twice. The
 * client's retry with the same Idempotency-Key is told the first attempt is
 * still in progress while its claim is fresh, and once the claim's lease has
 * passed the retry finishes the launch — the campaign recorded once, its
 * workflow started once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idFromKey } from '../../api/approvals-service';
import { buildLaunch } from '../support/campaigns';
import { unique } from '../support/factories';
import { eventually, startHarness, type Harness } from '../support/harness';
import { spawnApi, sleep, type ApiProcess } from './support';

let h: Harness;
let api: ApiProcess | undefined;
beforeAll(async () => {
  h = await startHarness();
  api = await spawnApi({ taskQueue: h.taskQueue });
}, 180_000);
afterAll(async () => {
  await api?.kill9();
  await h?.close();
});

describe('the API killed mid-request', () => {
  it('a campaign launch cut off by kill -9 is completed by the retry with the same key: one campaign, one workflow', async () => {
    const token = await h.login('city.admin');
    const key = unique('launch-crash-');
    const { id: _ignored, ...body } = buildLaunch();
    void _ignored;
    const id = idFromKey('city.admin', key);
    const first = fetch(`${api!.url}/api/campaigns`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(body),
    }).then(
      (r) => r.status,
      () => 'cut off' as const,
    );
    // Kill the API the moment the request has claimed its key (the work under way, the answer not given).
    await eventually(async () => (await h.db('idempotency_keys').where({ username: 'city.admin', key }).first()) !== undefined, 20_000, 2);
    await api!.kill9();
    api = undefined;
    const outcome = await first;
    const claim = await h.db('idempotency_keys').where({ username: 'city.admin', key }).first();

    const retry = () => h.call('POST', '/api/campaigns', { token, body, headers: { 'Idempotency-Key': key } });
    if (outcome === 'cut off' && claim?.status === null) {
      // Within the lease the retry is told the first attempt may still be running…
      const early = await retry();
      expect(early.status).toBe(409);
      expect(early.body.detail).toContain('in progress');
      // …a minute later (the claim's lease has passed) it takes over.
      await h
        .db('idempotency_keys')
        .where({ username: 'city.admin', key })
        .update({ created_at: h.db.raw("now() - interval '2 minutes'") });
    }
    const r = await retry();
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toEqual({ id, workflowId: `campaign-${id}` });
    await eventually(async () => (await h.db('campaigns').where({ id }).first('phase'))?.phase === 'survey', 30_000);
    expect(Number((await h.db('campaigns').where({ id }).count({ n: '*' }).first())?.n)).toBe(1);
    expect(Number((await h.db('campaign_regions').where({ campaign_id: id }).count({ n: '*' }).first())?.n)).toBe(body.regions.length);
    const described = await h.temporal.workflow.getHandle(`campaign-${id}`).describe();
    expect(described.status.name).toBe('RUNNING');
    // One run of the campaign workflow, not two.
    let runs = 0;
    for await (const w of h.temporal.workflow.list({ query: `WorkflowId = "campaign-${id}"` })) if (w.workflowId === `campaign-${id}`) runs += 1;
    expect(runs).toBe(1);
    // And again: the stored answer.
    await sleep(100);
    const again = await retry();
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  }, 120_000);
});
