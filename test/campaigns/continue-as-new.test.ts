/**
 * Campaign workflows run for months, so their histories are kept bounded by
 * continue-as-new. With a small history limit the campaign and a region
 * continue as new while submissions keep arriving: none is lost, none is
 * applied twice, and a replayed Idempotency-Key still returns its result.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHarness, type Harness } from '../support/harness';
import { buildLaunch, CampaignDriver, surveyCsv } from '../support/campaigns';

let h: Harness;
let d: CampaignDriver;
beforeAll(async () => {
  h = await startHarness();
  d = new CampaignDriver(h);
});
afterAll(async () => {
  await h?.close();
});

async function runsOf(h: Harness, workflowId: string): Promise<number> {
  let n = 0;
  for await (const _ of h.temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` })) n += 1;
  return n;
}

describe('continue-as-new with traffic in flight', () => {
  it('the campaign and a region continue as new while plans and uploads arrive, and nothing is lost or doubled', async () => {
    const { id, workflowId } = await d.launch(buildLaunch({ historyLimit: 30 }));
    await d.waitForPhase(id, 'survey');
    const regionWf = `campaign-${id}-region-pds-xinhua`;
    const token = await d.as('xinhua.staff');

    // Twelve plan revisions (each an Update on the region) and uploads, all at once.
    const plans = Array.from({ length: 12 }, (_, i) =>
      h.call('POST', `/api/campaigns/${id}/regions/pds-xinhua/plan`, {
        token,
        headers: { 'Idempotency-Key': `plan-${id}-${i}` },
        body: { summary: `实施方案第 ${i + 1} 稿`, measures: ['排查', '建会'] },
      }),
    );
    const uploads = Array.from({ length: 3 }, (_, i) => d.upload(id, 'pds-xinhua', surveyCsv('pds-xinhua', [{ name: `连续企业${i}`, employees: 30 + i }])));
    const results = await Promise.all([...plans, ...uploads]);
    for (const r of results) expect(r.status, JSON.stringify(r.body)).toBe(200);

    // The region's history passed its limit: it continued as new at least once.
    await eventually(async () => ((await runsOf(h, regionWf)) > 1 ? true : undefined), 20_000);
    const planEvents = await h.db('audit_log').where({ application_id: id, action: 'planSubmitted' }).count<{ n: string }[]>({ n: '*' });
    expect(Number(planEvents[0]!.n)).toBe(12);

    // A replay of the first plan's key returns its result and writes nothing new.
    const replay = await h.call('POST', `/api/campaigns/${id}/regions/pds-xinhua/plan`, {
      token,
      headers: { 'Idempotency-Key': `plan-${id}-0` },
      body: { summary: '实施方案第 1 稿', measures: ['排查', '建会'] },
    });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const after = await h.db('audit_log').where({ application_id: id, action: 'planSubmitted' }).count<{ n: string }[]>({ n: '*' });
    expect(Number(after[0]!.n)).toBe(12);

    // The campaign itself continued as new too, and still takes an advance and moves on.
    await eventually(async () => ((await runsOf(h, workflowId)) > 1 ? true : undefined), 20_000);
    await d.advance(id, '连续推进测试');
    const listing = await d.waitForPhase(id, 'listing');
    expect(listing.regions.find((r: { org: string }) => r.org === 'pds-xinhua')).toMatchObject({
      planSubmitted: true,
      counts: expect.objectContaining({ enterprisesScreened: 3 }),
    });
    // The region learned of the new phase across its own continue-as-new: a plan is now refused.
    const late = await d.plan(id, 'pds-xinhua');
    expect(late.status).toBe(409);
  }, 120_000);
});
