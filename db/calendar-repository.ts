/**
 * The admin overrides of the working calendar (calendar_overrides): what an
 * org sets on top of the official calendar for its subtree. The official days
 * themselves come from the library (domain/official-calendar.ts).
 */
import type { CalendarOverride, DayKind } from '../domain/official-calendar';
import type { Db } from './knex';
import { listAncestors, type OrgRow } from './org-repository';

export interface OverrideRow extends CalendarOverride {
  orgName: string;
  createdBy: string;
  createdAt: Date;
}

const columns = (db: Db) => ({
  date: db.raw("to_char(o.date, 'YYYY-MM-DD')"),
  kind: 'o.kind',
  name: 'o.name',
  orgId: 'o.org_id',
  orgName: 'g.name',
  createdBy: 'o.created_by',
  createdAt: 'o.created_at',
});

/** Every override (the table is small: a few rows per org and year). */
export async function listAllOverrides(db: Db): Promise<OverrideRow[]> {
  return db('calendar_overrides as o').join('orgs as g', 'g.id', 'o.org_id').select(columns(db)).orderBy('o.date');
}

/**
 * The overrides that apply to an org: its own and its ancestors', ordered from
 * the root down to the org (so applying them in order lets the nearest win).
 */
export function overridesTopDown(all: readonly OverrideRow[], ancestorsNearestFirst: readonly OrgRow[]): OverrideRow[] {
  const depth = new Map(ancestorsNearestFirst.map((o, i) => [o.id, ancestorsNearestFirst.length - i]));
  return all.filter((o) => depth.has(o.orgId)).sort((a, b) => depth.get(a.orgId)! - depth.get(b.orgId)! || a.date.localeCompare(b.date));
}

/** The overrides that apply to an org (see {@link overridesTopDown}), optionally of one year. */
export async function listOverridesFor(db: Db, orgId: string, year?: number): Promise<OverrideRow[]> {
  const ancestors = await listAncestors(db, orgId);
  const q = db('calendar_overrides as o')
    .join('orgs as g', 'g.id', 'o.org_id')
    .select(columns(db))
    .whereIn(
      'o.org_id',
      ancestors.map((a) => a.id),
    );
  if (year) q.whereBetween('o.date', [`${year}-01-01`, `${year}-12-31`]);
  return overridesTopDown(await q, ancestors);
}

export async function getOverride(db: Db, date: string, orgId: string): Promise<OverrideRow | undefined> {
  return db('calendar_overrides as o').join('orgs as g', 'g.id', 'o.org_id').select(columns(db)).where({ 'o.date': date, 'o.org_id': orgId }).first();
}

export async function upsertOverride(db: Db, o: { date: string; kind: DayKind; name: string; orgId: string; createdBy: string }): Promise<void> {
  await db('calendar_overrides')
    .insert({ date: o.date, kind: o.kind, name: o.name, org_id: o.orgId, created_by: o.createdBy })
    .onConflict(['date', 'org_id'])
    .merge({ kind: o.kind, name: o.name, created_by: o.createdBy, created_at: db.fn.now() });
}

export async function deleteOverride(db: Db, date: string, orgId: string): Promise<number> {
  return db('calendar_overrides').where({ date, org_id: orgId }).delete();
}
