/**
 * The bulletin schedule (通报): created as the implementation phase opens,
 * one bulletin stored per period (never twice, however runs race), a paused
 * schedule catching up once when resumed, and removed when the phase closes.
 * The report period is three seconds here (reportEvery: PT3S).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { bulletinScheduleId, periodIndexAt } from '../../domain/bulletin';
import { eventually, startHarness, type Harness } from '../support/harness';
import { buildLaunch, CampaignDriver } from '../support/campaigns';
import { advanceToImplementation, storedBulletins } from '../support/reports';

let h: Harness;
let d: CampaignDriver;
beforeAll(async () => {
  h = await startHarness();
  d = new CampaignDriver(h);
});
afterAll(async () => {
  await h?.close();
});

const PERIOD_MS = 3000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until no bulletin run of the campaign is still running (a run started just before a pause may finish after it). */
async function settled(campaignId: string) {
  await eventually(
    async () => {
      for await (const w of h.temporal.workflow.list({
        query: `WorkflowType = 'bulletinWorkflow' AND CampaignId = '${campaignId}' AND ExecutionStatus = 'Running'`,
      }))
        if (w) return false;
      return true;
    },
    20_000,
    300,
  );
}

async function scheduled(campaignId: string) {
  return (await storedBulletins(h, campaignId)).filter((b: { kind: string }) => b.kind === 'scheduled') as {
    id: string;
    seq: number;
    period: string;
    period_index: number;
    data: any;
  }[];
}

describe('the bulletin schedule', () => {
  it('is created when implementation opens and stores one bulletin per period, even when runs for the same period race', async () => {
    const { id } = await d.launch(buildLaunch({ regions: ['pds-xinhua', 'pds-weidong'], reportEvery: 'PT3S' }));
    await d.waitForPhase(id, 'survey');
    // No schedule before the implementation phase.
    const none = await h.call('GET', `/api/campaigns/${id}/reports/schedule`, { token: await d.as('city.admin') });
    expect(none.status).toBe(404);

    await advanceToImplementation(d, id);
    const sched = await eventually(async () => {
      const r = await h.call('GET', `/api/campaigns/${id}/reports/schedule`, { token: await d.as('city.lead') });
      return r.status === 200 ? r.body : undefined;
    });
    expect(sched).toMatchObject({ scheduleId: bulletinScheduleId(id), paused: false, everyMs: PERIOD_MS });

    // Two periods end: a bulletin for each, numbered 第1期, 第2期, issued by the system.
    const first = await eventually(async () => {
      const b = await scheduled(id);
      return b.length >= 2 ? b : undefined;
    }, 20_000);
    expect(first[0]).toMatchObject({ period: 'P1', period_index: 1, seq: 1 });
    expect(first[0]!.data).toMatchObject({ kind: 'scheduled', label: '第1期', issuedBy: 'system', period: { key: 'P1', index: 1 } });
    expect(first[1]!.period_index).toBeGreaterThan(1);
    expect(Date.parse(first[0]!.data.period.end) - Date.parse(first[0]!.data.period.start)).toBe(PERIOD_MS);

    // More runs for periods already issued: two triggers within one period, racing the regular runs.
    const handle = h.temporal.schedule.getHandle(bulletinScheduleId(id));
    const anchor = Date.parse(first[0]!.data.period.start);
    const requested = Date.now();
    let seen: unknown[] = [];
    const triggered = async () => {
      const recent = (await handle.describe()).info.recentActions;
      seen = recent.map((a) => ({ scheduledAt: a.scheduledAt.toISOString(), takenAt: a.takenAt.toISOString(), workflowId: a.action.workflow.workflowId }));
      return recent.filter((a) => a.takenAt.getTime() >= requested - 500 && a.scheduledAt.getTime() % 1000 !== 0).length;
    };
    // A run's workflow id ends in its scheduled time to the second, so a trigger in the same second as a
    // regular run would be refused by Temporal as a duplicate id: trigger only well between two regular runs.
    const betweenRuns = async () => {
      for (;;) {
        const next = (await handle.describe()).info.nextActionTimes[0]?.getTime();
        const now = Date.now();
        if (next === undefined || (now >= next - PERIOD_MS + 1150 && now <= next - 800)) return;
        await sleep(100);
      }
    };
    // (One schedule change at a time: a change sent before the previous one has been applied can be lost.)
    await betweenRuns();
    await handle.trigger(ScheduleOverlapPolicy.ALLOW_ALL);
    await eventually(async () => (await triggered()) >= 1, 30_000, 300).catch((err) => {
      throw new Error(`${err.message}; trigger sent at ${new Date(requested).toISOString()}; recent actions: ${JSON.stringify(seen)}`);
    });
    await sleep(1100);
    await betweenRuns();
    await handle.trigger(ScheduleOverlapPolicy.ALLOW_ALL);
    await eventually(async () => (await triggered()) >= 2, 30_000, 300);
    // Hold the schedule and let every recent run finish: each stands for the period its scheduled time falls in
    // (TemporalScheduledStartTime), and only one run per period created a bulletin; the others found it.
    await handle.pause('counting the runs');
    const recent = (await handle.describe()).info.recentActions;
    const outcomes = await Promise.all(
      recent.map(async (a) => ({
        scheduledAt: a.scheduledAt.getTime(),
        ...((await h.temporal.workflow.getHandle(a.action.workflow.workflowId, a.action.workflow.firstExecutionRunId).result()) as {
          outcome: string;
          period?: string;
        }),
      })),
    );
    expect(outcomes.length).toBeGreaterThanOrEqual(4);
    for (const o of outcomes) expect(o.period).toBe(`P${periodIndexAt(anchor, PERIOD_MS, o.scheduledAt)}`);
    const created = outcomes.filter((o) => o.outcome === 'created');
    expect(outcomes.filter((o) => o.outcome === 'existing').length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((o) => o.period)).size).toBe(created.length);
    const stored = await scheduled(id);
    expect(new Set(stored.map((b) => b.period)).size).toBe(stored.length);
    for (const o of created) expect(stored.filter((b) => b.period === o.period)).toHaveLength(1);

    // Closing the implementation phase removes the schedule: no bulletin after that.
    await d.advance(id, '进入考核');
    await d.waitForPhase(id, 'assessment');
    await eventually(async () => (await h.call('GET', `/api/campaigns/${id}/reports/schedule`, { token: await d.as('city.admin') })).status === 404);
    const atClose = (await scheduled(id)).length;
    await sleep(PERIOD_MS * 2);
    expect((await scheduled(id)).length).toBe(atClose);
  }, 120_000);

  it('a paused schedule issues nothing; resumed, it catches up once — one bulletin for the latest period, naming the missed one — then runs on', async () => {
    const { id } = await d.launch(buildLaunch({ regions: ['pds-xinhua'], reportEvery: 'PT3S' }));
    await advanceToImplementation(d, id);
    const token = await d.as('city.admin');
    await eventually(async () => ((await scheduled(id)).length >= 1 ? true : undefined), 20_000);

    // Only the city admin pauses and resumes.
    expect((await h.call('POST', `/api/campaigns/${id}/reports/schedule`, { token: await d.as('city.lead'), body: { paused: true } })).status).toBe(403);
    const paused = await h.call('POST', `/api/campaigns/${id}/reports/schedule`, { token, body: { paused: true, note: '迎检暂停' } });
    expect(paused.status, JSON.stringify(paused.body)).toBe(200);
    expect(paused.body).toMatchObject({ paused: true, note: '迎检暂停' });
    await sleep(300);
    await settled(id);
    const before = await scheduled(id);
    const lastIndex = before[before.length - 1]!.period_index;

    // Two and a half periods pass while paused: nothing is issued.
    await sleep(PERIOD_MS * 2.5);
    expect((await scheduled(id)).length).toBe(before.length);

    const resumed = await h.call('POST', `/api/campaigns/${id}/reports/schedule`, { token, body: { paused: false } });
    expect(resumed.status, JSON.stringify(resumed.body)).toBe(200);
    expect(resumed.body.paused, 'the schedule shows it is running again').toBe(false);
    const caughtUp = await eventually(async () => {
      const b = await scheduled(id);
      return b.length > before.length ? b[before.length] : undefined;
    }, 10_000);
    // One bulletin, for the latest period that has ended; the periods in between are named, not issued.
    expect(caughtUp.period_index).toBeGreaterThanOrEqual(lastIndex + 2);
    const missed = Array.from({ length: caughtUp.period_index - lastIndex - 1 }, (_, i) => lastIndex + 1 + i);
    expect(caughtUp.data.missedPeriods).toEqual(missed);
    expect(caughtUp.data.changes.previous.seq).toBe(before[before.length - 1]!.seq);

    // The schedule runs on, and the missed periods are never issued afterwards.
    const later = await eventually(async () => {
      const b = await scheduled(id);
      return b.some((x) => x.period_index > caughtUp.period_index) ? b : undefined;
    }, 15_000);
    for (const m of missed)
      expect(
        later.some((b) => b.period_index === m),
        `missed period ${m} is never issued`,
      ).toBe(false);
    expect(new Set(later.map((b) => b.period)).size).toBe(later.length);
    // Catch-up once: between the resume and the next regular period, one bulletin.
    expect(later.filter((b) => b.period_index <= caughtUp.period_index && b.period_index > lastIndex)).toHaveLength(1);

    // Even an explicit backfill of the missed periods issues nothing for them: a later period has been issued.
    const handle = h.temporal.schedule.getHandle(bulletinScheduleId(id));
    const anchor = Date.parse(caughtUp.data.period.start) - (caughtUp.period_index - 1) * PERIOD_MS;
    const missedTimes = missed.map((m) => anchor + m * PERIOD_MS);
    await handle.backfill({
      start: new Date(missedTimes[0]! - 500),
      end: new Date(missedTimes[missedTimes.length - 1]! + 500),
      overlap: ScheduleOverlapPolicy.ALLOW_ALL,
    });
    const backfilled = await eventually(
      async () => {
        const ra = (await handle.describe()).info.recentActions.filter((a) => missedTimes.includes(a.scheduledAt.getTime()));
        return ra.length === missedTimes.length ? ra : undefined;
      },
      30_000,
      500,
    );
    for (const a of backfilled) {
      const r = (await h.temporal.workflow.getHandle(a.action.workflow.workflowId, a.action.workflow.firstExecutionRunId).result()) as {
        outcome: string;
        period: string;
      };
      expect(r).toMatchObject({ outcome: 'skipped', period: `P${periodIndexAt(anchor, PERIOD_MS, a.scheduledAt.getTime())}` });
    }
    const final = await scheduled(id);
    for (const m of missed)
      expect(
        final.some((b) => b.period_index === m),
        `missed period ${m} is not issued by a backfill`,
      ).toBe(false);

    await d.advance(id, '进入考核');
    await d.waitForPhase(id, 'assessment');
  }, 120_000);
});
