import type { Db } from './knex';

export interface OrgRow {
  id: string;
  name: string;
  kind: string;
  parentId: string | null;
  path: string;
  groups: string[];
}

export interface TargetGroupRow {
  id: string;
  name: string;
  industryUnionId: string | null;
}

const orgColumns = { id: 'id', name: 'name', kind: 'kind', parentId: 'parent_id', path: 'path', groups: 'groups' };

export async function getOrg(db: Db, id: string): Promise<OrgRow | undefined> {
  return db('orgs').select(orgColumns).where({ id }).first();
}

export async function listOrgs(db: Db): Promise<OrgRow[]> {
  return db('orgs').select(orgColumns).orderBy('path');
}

/** Orgs at or below `rootId` in the tree. */
export async function listOrgsWithin(db: Db, rootId: string): Promise<OrgRow[]> {
  const root = await getOrg(db, rootId);
  if (!root) return [];
  return db('orgs').select(orgColumns).where('path', 'like', `${root.path}%`).orderBy('path');
}

/** The org and its ancestors, nearest first. */
export async function listAncestors(db: Db, id: string): Promise<OrgRow[]> {
  const org = await getOrg(db, id);
  if (!org) return [];
  const ids = org.path.split('/').filter(Boolean).reverse();
  const rows: OrgRow[] = await db('orgs').select(orgColumns).whereIn('id', ids);
  return ids.map((i) => rows.find((r) => r.id === i)).filter((r): r is OrgRow => !!r);
}

/** True when `orgId` is `scopeId` or lies below it. */
export async function isWithin(db: Db, orgId: string, scopeId: string): Promise<boolean> {
  const row = await db('orgs as o')
    .join('orgs as s', db.raw('o.path like s.path || ?', ['%']))
    .where('o.id', orgId)
    .andWhere('s.id', scopeId)
    .first(db.raw('1 as ok'));
  return !!row;
}

export async function listTargetGroups(db: Db): Promise<TargetGroupRow[]> {
  return db('target_groups').select({ id: 'id', name: 'name', industryUnionId: 'industry_union_id' }).orderBy('id');
}

export interface OrgInput {
  id: string;
  name: string;
  kind: string;
  parent: string | null;
  groups?: string[];
}

/**
 * Inserts or updates orgs (parents before children), computing each path.
 * Idempotent: loading the same tree twice changes nothing.
 */
export async function upsertOrgs(db: Db, orgs: OrgInput[]): Promise<void> {
  const byId = new Map(orgs.map((o) => [o.id, o]));
  const pathOf = (id: string, seen = new Set<string>()): string => {
    if (seen.has(id)) throw new Error(`org tree has a cycle at ${id}`);
    seen.add(id);
    const o = byId.get(id);
    if (!o) throw new Error(`unknown parent org ${id}`);
    return (o.parent ? pathOf(o.parent, seen) : '/') + `${o.id}/`;
  };
  const rows = orgs
    .map((o) => ({ id: o.id, name: o.name, kind: o.kind, parent_id: o.parent, path: pathOf(o.id), groups: o.groups ?? [] }))
    .sort((a, b) => a.path.split('/').length - b.path.split('/').length);
  await db.transaction(async (trx) => {
    for (const row of rows) await trx('orgs').insert(row).onConflict('id').merge();
  });
}

export async function upsertTargetGroups(
  db: Db,
  groups: { id: string; name: string; industryUnion?: string | null; industryUnionByCity?: Record<string, string> }[],
): Promise<void> {
  if (groups.length === 0) return;
  await db.transaction(async (trx) => {
    await trx('target_groups')
      .insert(groups.map((g) => ({ id: g.id, name: g.name, industry_union_id: g.industryUnion ?? null })))
      .onConflict('id')
      .merge();
    const byCity = groups.flatMap((g) =>
      Object.entries(g.industryUnionByCity ?? {}).map(([city, union]) => ({ group_id: g.id, city_id: city, union_id: union })),
    );
    if (byCity.length) await trx('group_industry_unions').insert(byCity).onConflict(['group_id', 'city_id']).merge();
  });
}

/** Each city's industry union for each target group: `{ [groupId]: { [cityId]: unionId } }`. */
export async function listIndustryUnionsByCity(db: Db): Promise<Record<string, Record<string, string>>> {
  const rows: { groupId: string; cityId: string; unionId: string }[] = await db('group_industry_unions').select({
    groupId: 'group_id',
    cityId: 'city_id',
    unionId: 'union_id',
  });
  const out: Record<string, Record<string, string>> = {};
  for (const r of rows) (out[r.groupId] ??= {})[r.cityId] = r.unionId;
  return out;
}
