/**
 * Field validators shared by the routes, for values the schema libraries
 * accept but Postgres cannot store: a workflow's write of such a value would
 * fail on every retry and hold the workflow for ever, so the API refuses it
 * up front (400).
 */
import { z } from 'zod';

const MIN_DATE = '1900-01-01';
const MAX_DATE = '2199-12-31';
const RANGE = `须在 ${MIN_DATE} 至 ${MAX_DATE} 之间 / must lie between ${MIN_DATE} and ${MAX_DATE}`;

/** A calendar date (YYYY-MM-DD) in a range Postgres and people can use (zod accepts year 0000, Postgres does not). */
export function isoDate(error = '日期格式 YYYY-MM-DD / a date (YYYY-MM-DD)') {
  return z.iso.date({ error }).refine((d) => d >= MIN_DATE && d <= MAX_DATE, RANGE);
}

/** A time with its UTC offset (at most ±14:00, as real time zones), in the same range. */
export function isoDateTime(error = '须为带时区的 ISO 8601 时间，如 2026-04-01T00:00:00+08:00 / an ISO 8601 time with offset') {
  return z.iso.datetime({ offset: true, error }).refine(
    (v) => {
      const offset = /[+-](\d{2}):?(\d{2})$/.exec(v);
      if (offset && Number(offset[1]) * 60 + Number(offset[2]) > 14 * 60) return false;
      const t = Date.parse(v);
      return Number.isFinite(t) && t >= Date.parse(`${MIN_DATE}T00:00:00Z`) && t <= Date.parse(`${MAX_DATE}T23:59:59Z`);
    },
    `时间${RANGE}，时区偏移不超过 ±14:00 / a time ${RANGE.split(' / ')[1]} with an offset of at most ±14:00`,
  );
}

/** A positive whole-number id of a database row (bigint): within what JavaScript and Postgres both hold exactly. */
export const rowId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER, '编号过大 / id too large');

/**
 * A page of a list that the web tables page by number (`page`, `pageSize`) and
 * clients page as the contract does (`limit`, `cursor` → `nextCursor`): the
 * cursor is the offset of the next row, so both name the same window.
 */
export function pagingQuery(maxSize: number) {
  return {
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(maxSize).optional(),
    limit: z.coerce.number().int().min(1).max(maxSize).optional(),
    cursor: z
      .string()
      .regex(/^\d{1,9}$/, '无效的游标 / invalid cursor')
      .optional(),
  };
}

export interface PageWindow {
  offset: number;
  size: number;
  page: number;
}

/** The window a paging query names: `limit` or `pageSize` rows, from `cursor` or from the start of `page`. */
export function pageWindow(q: { page: number; pageSize?: number; limit?: number; cursor?: string }, defaultSize: number): PageWindow {
  const size = q.limit ?? q.pageSize ?? defaultSize;
  const offset = q.cursor !== undefined ? Number(q.cursor) : (q.page - 1) * size;
  return { offset, size, page: Math.floor(offset / size) + 1 };
}

/** What a paged answer says besides its items: the total, the page, and the contract's `nextCursor` (null at the end). */
export function pageAnswer(w: PageWindow, shown: number, total: number): { total: number; page: number; pageSize: number; nextCursor: string | null } {
  const next = w.offset + shown;
  return { total, page: w.page, pageSize: w.size, nextCursor: shown > 0 && next < total ? String(next) : null };
}
