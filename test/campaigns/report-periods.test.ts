/**
 * Report periods in words and in calendar months: a campaign launched 每月 (P1M) gets a bulletin schedule whose
 * runs fall on the same day and time of each following month in Beijing time (not every 30 days); 每两个月 and
 * 每季度 are offered beside it, the old fixed durations (P60D) are still accepted, and every view shows the period
 * in words, never an ISO duration. A bad period is a 400 naming reportEvery.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMonthsBeijing, periodBounds, periodIndexAt, lastPeriodIndex, reportEveryLabel } from '../../domain/bulletin';
import { eventually, startHarness, type Harness } from '../support/harness';
import { buildLaunch, CampaignDriver } from '../support/campaigns';
import { advanceToImplementation } from '../support/reports';

let h: Harness;
let d: CampaignDriver;

beforeAll(async () => {
  h = await startHarness();
  d = new CampaignDriver(h);
});
afterAll(async () => {
  await h?.close();
});

/** Beijing wall-clock parts of an instant. */
const bj = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString();

describe('calendar months (domain/bulletin.ts)', () => {
  it('moves to the same day and time next month in Beijing time, the 31st to a shorter month’s last day', () => {
    // 2026-01-31 10:00 Beijing → 2026-02-28 10:00, → 2026-03-31 10:00 (two months on, not 28 Feb + 1 month).
    const jan31 = Date.parse('2026-01-31T10:00:00+08:00');
    expect(bj(addMonthsBeijing(jan31, 1))).toBe('2026-02-28T10:00:00.000Z');
    expect(bj(addMonthsBeijing(jan31, 2))).toBe('2026-03-31T10:00:00.000Z');
    // A Beijing day that is still the previous day in UTC (00:30 Beijing = 16:30 UTC the day before).
    const early = Date.parse('2026-03-01T00:30:00+08:00');
    expect(bj(addMonthsBeijing(early, 1))).toBe('2026-04-01T00:30:00.000Z');
    expect(bj(addMonthsBeijing(early, 12))).toBe('2027-03-01T00:30:00.000Z');
  });

  it('numbers calendar periods: bounds, the period ended at a time, the last one within a phase', () => {
    const anchor = Date.parse('2026-05-15T09:00:00+08:00');
    const quarter = { months: 3 };
    expect(periodBounds(anchor, quarter, 2)).toEqual({
      start: new Date('2026-08-15T09:00:00+08:00').toISOString(),
      end: new Date('2026-11-15T09:00:00+08:00').toISOString(),
    });
    expect(periodIndexAt(anchor, quarter, Date.parse('2026-08-15T08:59:30+08:00'))).toBe(1); // a firing a moment early
    expect(periodIndexAt(anchor, quarter, Date.parse('2026-08-14T09:00:00+08:00'))).toBe(0);
    expect(lastPeriodIndex(anchor, { months: 1 }, Date.parse('2026-12-31T00:00:00+08:00'))).toBe(7);
    // Fixed periods count as before.
    expect(periodIndexAt(anchor, 60_000, anchor + 150_000)).toBe(2);
  });

  it('says each period in words', () => {
    expect(reportEveryLabel('P1M')).toBe('每月 / monthly');
    expect(reportEveryLabel('P2M')).toBe('每两个月 / every two months');
    expect(reportEveryLabel('P3M')).toBe('每季度 / quarterly');
    expect(reportEveryLabel('P1W')).toBe('每周 / weekly');
    expect(reportEveryLabel('P14D')).toBe('每两周 / every 2 weeks');
    expect(reportEveryLabel('P60D')).toBe('每60天 / every 60 days');
    expect(reportEveryLabel(undefined)).toBe('每两个月 / every two months');
  });
});

describe('a campaign reporting monthly', () => {
  it('runs on the same Beijing day and time each month over a long implementation phase', async () => {
    const start = Date.now() - 1000;
    const hour = 3_600_000;
    const phases = {
      survey: { start: new Date(start).toISOString(), end: new Date(start + hour).toISOString() },
      listing: { start: new Date(start + hour).toISOString(), end: new Date(start + 2 * hour).toISOString() },
      implementation: { start: new Date(start + 2 * hour).toISOString(), end: new Date(start + 2 * hour + 200 * 86_400_000).toISOString() },
      assessment: { start: new Date(start + 2 * hour + 200 * 86_400_000).toISOString(), end: new Date(start + 2 * hour + 230 * 86_400_000).toISOString() },
    };
    const { id } = await d.launch(buildLaunch({ regions: ['pds-xinhua'], reportEvery: 'P1M', phases }));
    await d.waitForPhase(id, 'survey');
    expect((await d.view(id)).reportPeriod).toBe('每月 / monthly');
    await advanceToImplementation(d, id);
    const sched = await eventually(async () => {
      const r = await h.call('GET', `/api/campaigns/${id}/reports/schedule`, { token: await d.as('city.admin') });
      return r.status === 200 ? r.body : undefined;
    });
    // In words, never an ISO duration or milliseconds.
    expect(sched.period).toBe('每月 / monthly');
    expect(sched.note).toBe('通报：每月一期，共 6 期 / bulletins monthly, 6 in all');
    const runs = (sched.nextRuns as string[]).map((t) => Date.parse(t));
    expect(runs.length).toBeGreaterThanOrEqual(5);
    const anchor = runs[0]!;
    // Each next run is a calendar month after the first (the same day of the month and time in Beijing, or the month's
    // last day), never a fixed 30 days.
    runs.forEach((t, i) => expect(bj(t)).toBe(bj(addMonthsBeijing(anchor, i))));
    const opened = Date.parse(((await d.view(id)).phaseSummaries as { phase: string; closedAt: string }[]).find((s) => s.phase === 'listing')!.closedAt);
    // The first run is one calendar month after the phase opened (to the second).
    expect(Math.abs(runs[0]! - addMonthsBeijing(Math.floor(opened / 1000) * 1000, 1))).toBeLessThan(5_000);
  });
});

describe('the API accepts', () => {
  it('P1M, P2M, P3M and the durations it took before; refuses anything else naming reportEvery, nothing launched', async () => {
    for (const [every, words] of [
      ['P2M', '每两个月 / every two months'],
      ['P3M', '每季度 / quarterly'],
      ['P60D', '每60天 / every 60 days'],
    ] as const) {
      const { id } = await d.launch(buildLaunch({ regions: ['pds-xinhua'], reportEvery: every }));
      expect((await d.view(id)).reportPeriod).toBe(words);
    }
    for (const bad of ['P2X', 'P13M', 'P1Y', 'monthly']) {
      const body = buildLaunch({ regions: ['pds-xinhua'], reportEvery: bad });
      const r = await h.call('POST', '/api/campaigns', { token: await d.as('city.admin'), body });
      expect(r.status, bad).toBe(400);
      expect(r.body.errors.map((e: { path: string }) => e.path)).toEqual(['reportEvery']);
      expect(await h.db('campaigns').where({ id: body.id }).first()).toBeUndefined();
    }
  });
});
