import { describe, it, expect } from 'vitest';
import { WorkingCalendar, toCstDateString, type CalendarEntry } from '../../domain/calendar';
import { calendarEntries, composeCalendar, officialDays, officialYearCovered, type CalendarOverride } from '../../domain/official-calendar';
import { parseDuration } from '../../domain/duration';
import { editCalendar, type Principal } from '../../domain/policy';

const HOUR = 3_600_000;

/** An instant given as China Standard Time wall-clock fields. */
function cst(y: number, mo: number, d: number, h = 0, mi = 0): Date {
  return new Date(Date.UTC(y, mo - 1, d, h - 8, mi));
}

/** The official calendar from the library (chinese-days), 2024–2026. */
const OFFICIAL = calendarEntries([2024, 2025, 2026], []);
const cal = new WorkingCalendar(OFFICIAL);

describe('WorkingCalendar.isWorkingDay', () => {
  it('an ordinary Monday is a working day and an ordinary Saturday/Sunday is not', () => {
    expect(cal.isWorkingDay('2025-03-10')).toBe(true);
    expect(cal.isWorkingDay('2025-03-08')).toBe(false);
    expect(cal.isWorkingDay('2025-03-09')).toBe(false);
  });

  it('a weekday inside the Spring Festival holiday is a day off', () => {
    expect(cal.isWorkingDay('2024-02-12')).toBe(false);
    expect(cal.isWorkingDay('2026-02-23')).toBe(false);
  });

  it('a 调休 Sunday before the Spring Festival is a working day', () => {
    expect(cal.isWorkingDay('2024-02-04')).toBe(true);
    expect(cal.isWorkingDay('2025-01-26')).toBe(true);
  });

  it('dates outside the table fall back to the Monday–Friday week', () => {
    expect(cal.isWorkingDay('2030-01-07')).toBe(true); // Monday
    expect(cal.isWorkingDay('2030-01-05')).toBe(false); // Saturday
  });

  it('an empty calendar is just the Monday–Friday week', () => {
    const plain = new WorkingCalendar([]);
    expect(plain.isWorkingDay('2024-10-01')).toBe(true);
    expect(plain.isWorkingDay('2024-09-29')).toBe(false);
  });

  it('a malformed or impossible date is rejected with a bilingual error', () => {
    expect(() => cal.isWorkingDay('2024-13-01')).toThrow(/日期格式无效.* \/ invalid date/);
    expect(() => cal.isWorkingDay('2025-02-29')).toThrow(/invalid date/);
    expect(() => cal.isWorkingDay('2025/03/10')).toThrow(/invalid date/);
  });
});

describe('WorkingCalendar construction', () => {
  it('an admin table listing the same date as holiday and workday is refused', () => {
    const entries: CalendarEntry[] = [
      { date: '2025-10-11', kind: 'workday' },
      { date: '2025-10-11', kind: 'holiday' },
    ];
    expect(() => new WorkingCalendar(entries)).toThrow(/both holiday and workday/);
  });

  it('an exact duplicate row is tolerated', () => {
    const c = new WorkingCalendar([
      { date: '2025-10-11', kind: 'workday', name: '国庆节调休上班' },
      { date: '2025-10-11', kind: 'workday' },
    ]);
    expect(c.isWorkingDay('2025-10-11')).toBe(true);
  });

  it('a row with a bad date is refused', () => {
    expect(() => new WorkingCalendar([{ date: '2025-1-1', kind: 'holiday' }])).toThrow(/invalid date/);
  });
});

describe('WorkingCalendar.addWorkingTime', () => {
  it('a 1-working-day limit started on Friday morning ends Monday at the same time', () => {
    expect(cal.addWorkingTime(cst(2025, 3, 7, 10), { days: 1, ms: 0 })).toEqual(cst(2025, 3, 10, 10));
  });

  it('a 5-working-day limit started on Wednesday skips one weekend', () => {
    expect(cal.addWorkingTime(cst(2025, 3, 5, 9, 30), { days: 5, ms: 0 })).toEqual(cst(2025, 3, 12, 9, 30));
  });

  it('a 3-working-day limit started on the Friday before 国庆 ends after the holiday', () => {
    // 2024: Sat 9-28 off, Sun 9-29 调休 workday (1), Mon 9-30 (2), 10-1..10-7 off, Tue 10-8 (3).
    expect(cal.addWorkingTime(cst(2024, 9, 27, 10), { days: 3, ms: 0 })).toEqual(cst(2024, 10, 8, 10));
  });

  it('a limit spanning the whole Spring Festival week skips all nine days off', () => {
    // 2026: Fri 2-13 → Sat 2-14 调休 (1), 2-15..2-23 off, Tue 2-24 (2).
    expect(cal.addWorkingTime(cst(2026, 2, 13, 16), { days: 2, ms: 0 })).toEqual(cst(2026, 2, 24, 16));
  });

  it('a 调休 Saturday after 国庆 counts as a working day', () => {
    // 2025: Fri 9-26 → Sun 9-28 (1), 9-29 (2), 9-30 (3), 10-1..10-8 off, 10-9 (4), 10-10 (5), Sat 10-11 调休 (6).
    expect(cal.addWorkingTime(cst(2025, 9, 26, 11), { days: 6, ms: 0 })).toEqual(cst(2025, 10, 11, 11));
    // Without the 调休 entry the same limit would run to Monday.
    const plain = new WorkingCalendar(OFFICIAL.filter((e) => e.date !== '2025-10-11'));
    expect(plain.addWorkingTime(cst(2025, 9, 26, 11), { days: 6, ms: 0 })).toEqual(cst(2025, 10, 13, 11));
  });

  it('a limit started on a 国庆 holiday counts from the first working day at 00:00', () => {
    // Start Thu 2024-10-03 15:00 (holiday) → count from Tue 10-08 00:00; one working day → Wed 10-09 00:00.
    expect(cal.addWorkingTime(cst(2024, 10, 3, 15), { days: 1, ms: 0 })).toEqual(cst(2024, 10, 9, 0));
  });

  it('a limit started on a Saturday counts Monday as the first working day', () => {
    expect(cal.addWorkingTime(cst(2025, 3, 8, 10), { days: 1, ms: 0 })).toEqual(cst(2025, 3, 11, 0));
    expect(cal.addWorkingTime(cst(2025, 3, 8, 10), { days: 1, ms: 9 * HOUR })).toEqual(cst(2025, 3, 11, 9));
  });

  it('a limit started on a 调休 Sunday treats that Sunday as a working day', () => {
    // 2024-02-18 is a 调休 Sunday; one working day later is Monday.
    expect(cal.addWorkingTime(cst(2024, 2, 18, 10), { days: 1, ms: 0 })).toEqual(cst(2024, 2, 19, 10));
  });

  it('a 2-hour reminder is plain wall-clock time, even on a holiday', () => {
    expect(cal.addWorkingTime(cst(2024, 10, 1, 10), { days: 0, ms: 2 * HOUR })).toEqual(cst(2024, 10, 1, 12));
    expect(cal.addWorkingTime(cst(2025, 3, 7, 23), { days: 0, ms: 2 * HOUR })).toEqual(cst(2025, 3, 8, 1));
  });

  it('a day-and-a-half limit P1DT12H from Friday evening ends Tuesday morning', () => {
    // Fri 20:00 → Mon 20:00 (1 working day) → +12 h wall clock → Tue 08:00.
    expect(cal.addWorkingTime(cst(2025, 3, 7, 20), parseDuration('P1DT12H'))).toEqual(cst(2025, 3, 11, 8));
  });

  it('the CST date decides, not the UTC date: Friday 23:30 CST is still Friday', () => {
    // 2025-03-07 23:30 CST is 15:30 UTC on the same day, but 00:30 CST Saturday is Friday 16:30 UTC.
    const fridayLate = cst(2025, 3, 7, 23, 30);
    const saturdayEarly = cst(2025, 3, 8, 0, 30);
    expect(toCstDateString(fridayLate)).toBe('2025-03-07');
    expect(toCstDateString(saturdayEarly)).toBe('2025-03-08');
    expect(saturdayEarly.toISOString().slice(0, 10)).toBe('2025-03-07');
    expect(cal.addWorkingTime(fridayLate, { days: 1, ms: 0 })).toEqual(cst(2025, 3, 10, 23, 30));
    expect(cal.addWorkingTime(saturdayEarly, { days: 1, ms: 0 })).toEqual(cst(2025, 3, 11, 0));
  });

  it('a zero-length duration returns a copy of the start', () => {
    const start = cst(2025, 3, 7, 10);
    const end = cal.addWorkingTime(start, { days: 0, ms: 0 });
    expect(end).toEqual(start);
    expect(end).not.toBe(start);
  });

  it('invalid inputs are rejected with bilingual errors', () => {
    expect(() => cal.addWorkingTime(new Date(Number.NaN), { days: 1, ms: 0 })).toThrow(/start date is invalid/);
    expect(() => cal.addWorkingTime(cst(2025, 3, 7), { days: -1, ms: 0 })).toThrow(/non-negative integer/);
    expect(() => cal.addWorkingTime(cst(2025, 3, 7), { days: 1.5, ms: 0 })).toThrow(/non-negative integer/);
    expect(() => cal.addWorkingTime(cst(2025, 3, 7), { days: 0, ms: -1 })).toThrow(/non-negative/);
  });

  it('a calendar that marks a whole year and more as holidays fails instead of looping', () => {
    const entries: CalendarEntry[] = [];
    for (let i = 0; i < 500; i++) {
      entries.push({ date: new Date(Date.UTC(2025, 0, 1 + i)).toISOString().slice(0, 10), kind: 'holiday' });
    }
    const broken = new WorkingCalendar(entries);
    expect(() => broken.addWorkingTime(cst(2025, 1, 2, 10), { days: 1, ms: 0 })).toThrow(/check the holiday table/);
  });
});

describe('the official calendar from chinese-days', () => {
  it('2026 National Day: 1–7 October off, with 调休 on Sunday 20 September and Saturday 10 October', () => {
    const days = officialDays(2026);
    const national = days.filter((d) => d.kind === 'holiday' && d.name === '国庆节').map((d) => d.date);
    expect(national).toEqual(['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05', '2026-10-06', '2026-10-07']);
    expect(days.filter((d) => d.kind === 'workday' && d.name === '国庆节调休上班').map((d) => d.date)).toEqual(['2026-09-20', '2026-10-10']);
    expect(cal.isWorkingDay('2026-10-05')).toBe(false);
    expect(cal.isWorkingDay('2026-10-08')).toBe(true);
  });

  it('a 调休 Sunday is a working day: 2026-09-20', () => {
    expect(new Date('2026-09-20T00:00:00Z').getUTCDay()).toBe(0);
    expect(cal.isWorkingDay('2026-09-20')).toBe(true);
    // A limit started on Saturday 19 September counts from the 调休 Sunday.
    expect(cal.addWorkingTime(cst(2026, 9, 19, 10), { days: 1, ms: 0 })).toEqual(cst(2026, 9, 21, 0));
  });

  it('every 调休 workday falls on a weekend and is named …调休上班; every day is named', () => {
    for (const y of [2024, 2025, 2026]) {
      for (const d of officialDays(y)) {
        expect(d.name.length).toBeGreaterThan(0);
        if (d.kind !== 'workday') continue;
        expect([0, 6]).toContain(new Date(`${d.date}T00:00:00Z`).getUTCDay());
        expect(d.name).toMatch(/调休上班$/);
      }
    }
  });

  it('has the published holiday lengths for 2024–2026', () => {
    const count = (year: number, name: string): number => officialDays(year).filter((e) => e.kind === 'holiday' && e.name === name).length;
    expect(count(2024, '春节')).toBe(8);
    expect(count(2024, '国庆节')).toBe(7);
    expect(count(2025, '春节')).toBe(8);
    expect(count(2026, '元旦')).toBe(3);
    expect(count(2026, '春节')).toBe(9);
    expect(count(2026, '国庆节')).toBe(7);
    for (const y of [2024, 2025, 2026]) expect(count(y, '劳动节')).toBe(5);
  });

  it('knows which years it covers: a year not yet announced has no official days', () => {
    expect(officialYearCovered(2026)).toBe(true);
    expect(officialYearCovered(2099)).toBe(false);
    expect(officialDays(2099)).toEqual([]);
  });
});

describe('overrides on top of the official calendar', () => {
  const province = (date: string, kind: 'holiday' | 'workday', name = ''): CalendarOverride => ({ date, kind, name, orgId: 'henan' });
  const city = (date: string, kind: 'holiday' | 'workday', name = ''): CalendarOverride => ({ date, kind, name, orgId: 'pds' });

  it('a year announced after the library: the province’s overrides make the calendar', () => {
    const y2099 = [province('2099-01-01', 'holiday', '元旦'), province('2099-01-04', 'workday', '元旦调休上班')];
    const c = new WorkingCalendar(calendarEntries([2099], y2099));
    expect(c.isWorkingDay('2099-01-01')).toBe(false); // a Thursday
    expect(c.isWorkingDay('2099-01-04')).toBe(true); // a Sunday
    expect(composeCalendar([2099], y2099)).toEqual([
      { date: '2099-01-01', kind: 'holiday', name: '元旦', source: 'override', orgId: 'henan' },
      { date: '2099-01-04', kind: 'workday', name: '元旦调休上班', source: 'override', orgId: 'henan' },
    ]);
  });

  it('an override replaces the official day, and the nearest org’s override wins', () => {
    // The province declares 2026-10-08 a holiday; the city keeps it a working day for its subtree.
    const provinceOnly = new WorkingCalendar(calendarEntries([2026], [province('2026-10-08', 'holiday', '延长假期')]));
    expect(provinceOnly.isWorkingDay('2026-10-08')).toBe(false);
    const withCity = new WorkingCalendar(calendarEntries([2026], [province('2026-10-08', 'holiday'), city('2026-10-08', 'workday', '照常上班')]));
    expect(withCity.isWorkingDay('2026-10-08')).toBe(true);
    // An override turning the official 调休 Sunday back into a day off.
    expect(new WorkingCalendar(calendarEntries([2026], [city('2026-09-20', 'holiday')])).isWorkingDay('2026-09-20')).toBe(false);
    expect(
      composeCalendar([2026], [province('2026-10-08', 'holiday'), city('2026-10-08', 'workday', '照常上班')]).find((d) => d.date === '2026-10-08'),
    ).toEqual({
      date: '2026-10-08',
      kind: 'workday',
      name: '照常上班',
      source: 'override',
      orgId: 'pds',
    });
  });

  it('overrides of years not asked for are left out', () => {
    expect(composeCalendar([2026], [province('2027-05-06', 'holiday')]).some((d) => d.date.startsWith('2027'))).toBe(false);
  });
});

describe('who edits the calendar (domain/policy.ts editCalendar)', () => {
  const principal = (orgPath: string, roles: string[]): Principal => ({ username: 'u', orgId: orgPath.split('/').at(-2)!, orgPath, roles });
  const cityAdmin = principal('/henan/pds/', ['admin']);

  it('a city or province admin edits their own org and the orgs below it', () => {
    expect(editCalendar(cityAdmin, 'city', '/henan/pds/')).toEqual({ allow: true });
    expect(editCalendar(cityAdmin, 'city', '/henan/pds/pds-xinhua/')).toEqual({ allow: true });
    expect(editCalendar(principal('/henan/', ['admin']), 'province', '/henan/xc/')).toEqual({ allow: true });
  });

  it('outside the subtree (the province, another city) is not found; a county admin or a non-admin is refused', () => {
    expect(editCalendar(cityAdmin, 'city', '/henan/')).toMatchObject({ allow: false, status: 404 });
    expect(editCalendar(cityAdmin, 'city', '/henan/xc/')).toMatchObject({ allow: false, status: 404 });
    expect(editCalendar(principal('/henan/pds/pds-xinhua/', ['admin']), 'county', '/henan/pds/pds-xinhua/')).toMatchObject({ allow: false, status: 403 });
    expect(editCalendar(principal('/henan/pds/', ['reviewer', 'supervisor']), 'city', '/henan/pds/')).toMatchObject({ allow: false, status: 403 });
  });
});
