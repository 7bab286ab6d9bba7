/**
 * Phases that open and close on their dates by Temporal timers (windows of
 * seconds here), reminders before a deadline, overdue escalation — 督办 at
 * the deadline, 问责 after the grace period — for a region that hands in
 * nothing, and out-of-phase submissions refused with the current phase named.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHarness, type Harness } from '../support/harness';
import { buildLaunch, CampaignDriver, organizingProject, phaseWindows, surveyCsv } from '../support/campaigns';

let h: Harness;
let d: CampaignDriver;
beforeAll(async () => {
  h = await startHarness();
  d = new CampaignDriver(h);
});
afterAll(async () => {
  await h?.close();
});

describe('phase timers and deadlines', () => {
  it('phases follow their dates; a silent region is reminded, then escalated for supervision and accountability, and ranks last', async () => {
    // Far enough ahead that the launch and the first reads happen before it, on a loaded machine too.
    const start = new Date(Date.now() + 8000);
    const launch = buildLaunch({ regions: ['pds-xinhua', 'pds-weidong'], targets: { newMembers: 20 }, phases: phaseWindows(start, 5000), remindBefore: 2000 });
    const { id } = await d.launch(launch);
    // Before the survey's start date the campaign waits.
    const before = await d.view(id);
    expect(before.phase).toBe('pending');
    const tooEarly = await d.plan(id, 'pds-xinhua');
    expect(tooEarly.status).toBe(409);

    await d.waitForPhase(id, 'survey', 20_000);
    expect((await d.plan(id, 'pds-xinhua')).status).toBe(200);
    const upload = await d.upload(id, 'pds-xinhua', surveyCsv('pds-xinhua', [{ name: '某快递分拨中心', employees: 60 }]));
    expect(upload.body.accepted).toBe(1);

    // weidong hands in nothing: its staff are reminded before the deadline…
    await eventually(
      async () =>
        (await h.db('notifications').where({ username: 'weidong.staff', kind: 'reminder' }).andWhere('message', 'like', '%调查摸底%').first()) ?? undefined,
      10_000,
    );
    expect(await h.db('notifications').where({ username: 'xinhua.staff', kind: 'reminder' }).andWhere('message', 'like', '%调查摸底%').first()).toBeUndefined();

    // …the survey closes on its date and the listing opens by timer…
    const listing = await d.waitForPhase(id, 'listing', 15_000);
    expect(listing.phaseSummaries[0]).toMatchObject({ phase: 'survey', closedBy: 'system' });
    const late = await d.plan(id, 'pds-weidong');
    expect(late.status).toBe(409);
    expect(late.body.detail).toContain('立项审核');

    // …its missing plan is overdue and escalated to the city (督办), then to accountability (问责).
    const weidong = await eventually(async () => {
      const v = await d.view(id);
      const r = v.regions.find((x: { org: string }) => x.org === 'pds-weidong');
      return r.overdue.some((o: { level: string }) => o.level === 'accountability') ? r : undefined;
    }, 15_000);
    expect(weidong.status).toBe('overdue');
    expect(weidong.overdue).toEqual(expect.arrayContaining([expect.objectContaining({ phase: 'survey', item: 'plan', level: 'accountability' })]));
    const actions = (await h.db('audit_log').where({ application_id: id }).select('action', 'data'))
      .filter((a: { data: { region?: string } | null }) => a.data?.region === 'pds-weidong')
      .map((a: { action: string }) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['regionReminded', 'overdueSupervision', 'overdueAccountability']));
    expect(
      await h.db('notifications').where({ username: 'prov.lead', kind: 'escalation' }).andWhere('message', 'like', `%${launch.name}%`).first(),
    ).toBeDefined();

    // A project list submitted in the listing phase but never reviewed is escalated to the city when the phase ends.
    const list = await d.projects(id, 'pds-xinhua', [organizingProject()]);
    expect(list.status, JSON.stringify(list.body)).toBe(201);
    await d.act('city.reviewer', list.body.applicationId, { action: 'approve' });
    const escalated = await eventually(async () => {
      const r = await h.call('GET', `/api/applications/${list.body.applicationId}`, { token: await d.as('xinhua.staff') });
      return r.body.timeline.find((e: { action: string }) => e.action === 'phaseEscalated');
    }, 15_000);
    expect(escalated.comment).toContain('升级至市总');

    // The remaining phases run out on their dates and the campaign closes with a ranking.
    const closed = await d.waitForPhase(id, 'closed', 30_000);
    expect(closed.phaseSummaries.map((p: { phase: string }) => p.phase)).toEqual(['survey', 'listing', 'implementation', 'assessment']);
    // Neither region recruited anyone (xinhua's list never cleared the province): equal scores share rank 1.
    expect(closed.ranking).toEqual([
      { org: 'pds-weidong', name: '卫东区总工会', score: 0, rank: 1 },
      { org: 'pds-xinhua', name: '新华区总工会', score: 0, rank: 1 },
    ]);
  }, 120_000);
});
