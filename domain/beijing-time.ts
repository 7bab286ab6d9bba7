/**
 * Times as people in China read them: Beijing time (Asia/Shanghai, UTC+8, no
 * daylight saving), never a raw UTC ISO string. The one place that formats an
 * instant for a user — messages, exports, prints, the API's display fields.
 * Plain arithmetic (no Intl), so workflow code may use it too.
 */
import { CST_OFFSET_MS } from './calendar';

/** Beijing is UTC+8 all year (the working-day calendar's China Standard Time). */
export const BEIJING_OFFSET_MS = CST_OFFSET_MS;

function shifted(at: Date | string): string | undefined {
  const ms = at instanceof Date ? at.getTime() : Date.parse(at);
  return Number.isNaN(ms) ? undefined : new Date(ms + BEIJING_OFFSET_MS).toISOString();
}

/** 2026-11-30 14:34 (Beijing time); an unreadable input is given back unchanged. */
export function beijingTime(at: Date | string): string {
  const s = shifted(at);
  return s === undefined ? String(at) : s.slice(0, 16).replace('T', ' ');
}

/** 2026-11-30 (the day in Beijing time). */
export function beijingDate(at: Date | string): string {
  const s = shifted(at);
  return s === undefined ? String(at) : s.slice(0, 10);
}

/** 2026年11月30日 14:34 (Beijing time), for Chinese prose. */
export function beijingTimeZh(at: Date | string): string {
  const s = shifted(at);
  if (s === undefined) return String(at);
  return `${Number(s.slice(0, 4))}年${Number(s.slice(5, 7))}月${Number(s.slice(8, 10))}日 ${s.slice(11, 16)}`;
}

/** 2026年11月30日 (the day in Beijing time), for Chinese prose. */
export function beijingDateZh(at: Date | string): string {
  return beijingTimeZh(at).split(' ')[0]!;
}

/** The instant a Beijing day (YYYY-MM-DD) begins: its midnight in Beijing. */
export function beijingDayStart(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00Z`) - BEIJING_OFFSET_MS);
}
