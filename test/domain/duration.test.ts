import { describe, it, expect } from 'vitest';
import { durationToMs, isValidDuration, parseDuration } from '../../domain/duration';

const HOUR = 3_600_000;
const DAY = 86_400_000;

describe('parseDuration — accepted forms', () => {
  it('a plain millisecond number is wall-clock time, not working days', () => {
    expect(parseDuration(90_000)).toEqual({ days: 0, ms: 90_000 });
    expect(parseDuration(2 * DAY)).toEqual({ days: 0, ms: 2 * DAY });
    expect(parseDuration(0)).toEqual({ days: 0, ms: 0 });
  });

  it('a digit string from a config file is read as milliseconds', () => {
    expect(parseDuration('3600000')).toEqual({ days: 0, ms: HOUR });
    expect(parseDuration(' 500 ')).toEqual({ days: 0, ms: 500 });
  });

  it('a 3-working-day limit P3D is three whole days', () => {
    expect(parseDuration('P3D')).toEqual({ days: 3, ms: 0 });
  });

  it('a two-week limit P2W is fourteen working days', () => {
    expect(parseDuration('P2W')).toEqual({ days: 14, ms: 0 });
  });

  it('a 2-hour reminder PT2H is pure wall-clock time', () => {
    expect(parseDuration('PT2H')).toEqual({ days: 0, ms: 2 * HOUR });
  });

  it('a 30-minute escalation PT30M is pure wall-clock time', () => {
    expect(parseDuration('PT30M')).toEqual({ days: 0, ms: 30 * 60_000 });
  });

  it('fractional seconds PT1.5S become 1500 ms (comma decimal too)', () => {
    expect(parseDuration('PT1.5S')).toEqual({ days: 0, ms: 1500 });
    expect(parseDuration('PT1,5S')).toEqual({ days: 0, ms: 1500 });
  });

  it('a day and a half P1DT12H keeps the day and the hours separate', () => {
    expect(parseDuration('P1DT12H')).toEqual({ days: 1, ms: 12 * HOUR });
  });

  it('36 hours PT36H is not folded into a working day', () => {
    expect(parseDuration('PT36H')).toEqual({ days: 0, ms: 36 * HOUR });
  });

  it('a combined duration P1W2DT1H2M3S adds up every component', () => {
    expect(parseDuration('P1W2DT1H2M3S')).toEqual({ days: 9, ms: HOUR + 2 * 60_000 + 3_000 });
  });

  it('a fraction on the last time component is allowed (PT0.1H without float noise)', () => {
    expect(parseDuration('PT0.1H')).toEqual({ days: 0, ms: 360_000 });
    expect(parseDuration('PT1H0.5M')).toEqual({ days: 0, ms: HOUR + 30_000 });
  });

  it('an admin typing lower case p3d still gets three days', () => {
    expect(parseDuration('p3d')).toEqual({ days: 3, ms: 0 });
    expect(parseDuration('pt30m')).toEqual({ days: 0, ms: 30 * 60_000 });
  });
});

describe('parseDuration — rejections', () => {
  it('a one-year limit P1Y is rejected because years have no fixed length', () => {
    expect(() => parseDuration('P1Y')).toThrow(/年或月.*years and months/);
  });

  it('a one-month limit P1M is rejected, but PT1M (one minute) is fine', () => {
    expect(() => parseDuration('P1M')).toThrow(/years and months/);
    expect(() => parseDuration('P1Y2M3D')).toThrow(/years and months/);
    expect(parseDuration('PT1M')).toEqual({ days: 0, ms: 60_000 });
  });

  it('garbage text is rejected with a bilingual message', () => {
    expect(() => parseDuration('three days')).toThrow(/时长格式无效.* \/ invalid duration/);
    expect(() => parseDuration('')).toThrow(/invalid duration/);
    expect(() => parseDuration('3d')).toThrow(/invalid duration/);
    expect(() => parseDuration('P3X')).toThrow(/invalid duration/);
  });

  it('empty ISO durations P and PT are rejected', () => {
    expect(() => parseDuration('P')).toThrow(/invalid duration/);
    expect(() => parseDuration('PT')).toThrow(/invalid duration/);
    expect(() => parseDuration('P1DT')).toThrow(/invalid duration/);
  });

  it('negative durations are rejected in every form', () => {
    expect(() => parseDuration(-1)).toThrow(/non-negative/);
    expect(() => parseDuration('-1000')).toThrow(/negative/);
    expect(() => parseDuration('-P1D')).toThrow(/negative/);
    expect(() => parseDuration('P-1D')).toThrow(/invalid duration/);
  });

  it('non-integer or non-finite millisecond numbers are rejected', () => {
    expect(() => parseDuration(1.5)).toThrow(/integer/);
    expect(() => parseDuration(Number.NaN)).toThrow(/integer/);
    expect(() => parseDuration(Number.POSITIVE_INFINITY)).toThrow(/integer/);
  });

  it('fractional days and fractions on a non-final component are rejected', () => {
    expect(() => parseDuration('P1.5D')).toThrow(/invalid duration/);
    expect(() => parseDuration('PT1.5H30M')).toThrow(/last time component/);
  });

  it('an absurdly large value is rejected instead of losing precision', () => {
    expect(() => parseDuration('99999999999999999999')).toThrow(/too large/);
  });
});

describe('durationToMs and isValidDuration', () => {
  it('a day and a half P1DT12H is 36 wall-clock hours in total', () => {
    expect(durationToMs('P1DT12H')).toBe(36 * HOUR);
    expect(durationToMs('P2W')).toBe(14 * DAY);
    expect(durationToMs(1234)).toBe(1234);
    expect(durationToMs('PT1.5S')).toBe(1500);
  });

  it('durationToMs rejects what parseDuration rejects', () => {
    expect(() => durationToMs('P1Y')).toThrow();
  });

  it('isValidDuration answers without throwing, for form validation', () => {
    for (const ok of ['P3D', 'PT2H', 'PT30M', 'PT1.5S', 'P1DT12H', 'P2W', '1000', 1000, 0]) {
      expect(isValidDuration(ok)).toBe(true);
    }
    for (const bad of ['P1Y', 'P1M', 'garbage', '', '-5', -5, 1.5, 'P', null, undefined, {}]) {
      expect(isValidDuration(bad)).toBe(false);
    }
  });
});
