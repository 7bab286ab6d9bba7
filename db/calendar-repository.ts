import type { CalendarEntry } from '../domain/calendar';
import type { Db } from './knex';

/** The official working-day calendar (holidays and 调休 working days), admin-editable. */
export async function listCalendarDays(db: Db, year?: number): Promise<(CalendarEntry & { name: string })[]> {
  const q = db('calendar_days')
    .select({ date: db.raw("to_char(date, 'YYYY-MM-DD')"), kind: 'kind', name: 'name' })
    .orderBy('date');
  if (year) q.whereBetween('date', [`${year}-01-01`, `${year}-12-31`]);
  return q;
}

export async function upsertCalendarDays(db: Db, days: { date: string; kind: 'holiday' | 'workday'; name: string }[]): Promise<void> {
  if (!days.length) return;
  await db('calendar_days').insert(days).onConflict('date').merge();
}

export async function deleteCalendarDay(db: Db, date: string): Promise<number> {
  return db('calendar_days').where({ date }).delete();
}
