/**
 * The cadences of seed 001 (日收集、周调度、月督查): Beijing-time days, ISO
 * weeks from Monday, calendar months — and the fold of timed counts into them.
 */
import { describe, expect, it } from 'vitest';
import { beijingDayStart } from '../../domain/beijing-time';
import { foldByPeriod, periodOf } from '../../domain/join-cadence';

describe('periodOf', () => {
  it('a day ends at midnight in Beijing (16:00 UTC), not at UTC midnight', () => {
    expect(periodOf('2026-11-29T15:59:59.999Z', 'day')).toEqual({ key: '2026-11-29', label: '2026年11月29日', first: '2026-11-29', last: '2026-11-29' });
    expect(periodOf('2026-11-29T16:00:00Z', 'day').key).toBe('2026-11-30');
    expect(periodOf(new Date('2026-11-30T00:30:00Z'), 'day').label).toBe('2026年11月30日');
  });

  it('a week runs Monday to Sunday in Beijing time and is labelled with its ISO number and dates', () => {
    expect(periodOf('2026-11-23T00:00:00+08:00', 'week')).toEqual({
      key: '2026-W48',
      label: '2026年第48周 (11-23—11-29)',
      first: '2026-11-23',
      last: '2026-11-29',
    });
    // Sunday 23:59 in Beijing is still week 48; Monday 00:00 in Beijing (Sunday 16:00 UTC) is week 49.
    expect(periodOf('2026-11-29T23:59:00+08:00', 'week').key).toBe('2026-W48');
    expect(periodOf('2026-11-29T16:00:00Z', 'week')).toMatchObject({ key: '2026-W49', label: '2026年第49周 (11-30—12-06)' });
  });

  it('weeks across the new year belong to the year of their Thursday', () => {
    expect(periodOf('2026-01-01T08:00:00+08:00', 'week')).toMatchObject({ key: '2026-W01', first: '2025-12-29', last: '2026-01-04' });
    expect(periodOf('2025-12-29T00:00:00+08:00', 'week').key).toBe('2026-W01');
    expect(periodOf('2027-01-01T12:00:00+08:00', 'week')).toMatchObject({ key: '2026-W53', label: '2026年第53周 (12-28—01-03)' });
  });

  it('a month is the calendar month in Beijing time', () => {
    expect(periodOf('2026-11-30T15:59:59Z', 'month')).toEqual({ key: '2026-11', label: '2026年11月', first: '2026-11-01', last: '2026-11-30' });
    expect(periodOf('2026-11-30T16:00:00Z', 'month')).toMatchObject({ key: '2026-12', label: '2026年12月', last: '2026-12-31' });
    expect(periodOf('2026-02-10T00:00:00Z', 'month').last).toBe('2026-02-28');
  });

  it('a Beijing day starts at 16:00 UTC the day before', () => {
    expect(beijingDayStart('2026-11-30').toISOString()).toBe('2026-11-29T16:00:00.000Z');
  });
});

describe('foldByPeriod', () => {
  const c = (received: number, approved = 0, rejected = 0, pending = 0) => ({ received, approved, rejected, pending, withdrawn: 0 });
  const rows = [
    { region: 'a', at: '2026-11-29T15:00:00Z', ...c(2, 1, 1) }, // Sunday 23:00 Beijing, week 48
    { region: 'a', at: '2026-11-29T16:00:00Z', ...c(1, 0, 0, 1) }, // Monday 00:00 Beijing, week 49
    { region: 'b', at: '2026-11-30T02:00:00Z', ...c(3, 3) }, // Monday, week 49
  ];

  it('sums per region and period, per period, per region and overall, periods ascending', () => {
    const w = foldByPeriod(rows, 'week');
    expect(w.periods.map((p) => [p.key, p.total.received])).toEqual([
      ['2026-W48', 2],
      ['2026-W49', 4],
    ]);
    expect(w.cells).toEqual(
      expect.arrayContaining([
        { period: '2026-W48', region: 'a', ...c(2, 1, 1) },
        { period: '2026-W49', region: 'a', ...c(1, 0, 0, 1) },
        { period: '2026-W49', region: 'b', ...c(3, 3) },
      ]),
    );
    expect(w.cells).toHaveLength(3);
    expect(w.regions).toEqual({ a: c(3, 1, 1, 1), b: c(3, 3) });
    expect(w.total).toEqual(c(6, 4, 1, 1));
  });

  it('by month the three fall in November and the Monday in Beijing stays in November too', () => {
    const m = foldByPeriod(rows, 'month');
    expect(m.periods.map((p) => [p.label, p.total.received])).toEqual([['2026年11月', 6]]);
    const d = foldByPeriod(rows, 'day');
    expect(d.periods.map((p) => p.key)).toEqual(['2026-11-29', '2026-11-30']);
  });
});
