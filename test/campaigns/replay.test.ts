/**
 * A recorded campaign history replays against the workflow code: a short
 * campaign runs to its close (phases advanced early), then the histories of
 * the campaign, a region and a project are replayed with the run's bundle.
 * Code that is not deterministic fails here.
 */
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually, startHarness, type Harness } from '../support/harness';
import { buildLaunch, CampaignDriver, organizingProject } from '../support/campaigns';

let h: Harness;
let d: CampaignDriver;
beforeAll(async () => {
  h = await startHarness();
  d = new CampaignDriver(h);
});
afterAll(async () => {
  await h?.close();
});

describe('replaying a recorded campaign', () => {
  it('the campaign, region and project histories of a finished campaign replay without a determinism error', async () => {
    const { id, workflowId } = await d.launch(buildLaunch({ regions: ['pds-xinhua'], targets: { newMembers: 5 } }));
    await d.waitForPhase(id, 'survey');
    expect((await d.plan(id, 'pds-xinhua')).status).toBe(200);
    await d.advance(id);
    await d.waitForPhase(id, 'listing');
    const list = await d.projects(id, 'pds-xinhua', [organizingProject()]);
    expect(list.status, JSON.stringify(list.body)).toBe(201);
    await d.act('city.reviewer', list.body.applicationId, { action: 'approve' });
    await d.act('prov.reviewer', list.body.applicationId, { action: 'approve' });
    const project = await eventually(async () => (await d.projectsOf(id)).find((p) => p.status === 'approved'));
    for (const phase of ['implementation', 'assessment', 'closed']) {
      await d.advance(id);
      await d.waitForPhase(id, phase);
    }
    const ids = [workflowId, `campaign-${id}-region-pds-xinhua`, `project-${project.id}`];
    for (const wf of ids) await h.temporal.workflow.getHandle(wf).result();
    const histories = await Promise.all(ids.map(async (wf) => ({ workflowId: wf, history: await h.temporal.workflow.getHandle(wf).fetchHistory() })));
    const results = [];
    for await (const r of Worker.runReplayHistories({ workflowBundle: { codePath: inject('workflowBundlePath') } }, histories)) results.push(r);
    expect(results.map((r) => r.workflowId).sort()).toEqual([...ids].sort());
    for (const r of results) expect(r.error, `${r.workflowId}: ${String(r.error)}`).toBeUndefined();
  }, 180_000);
});
