import type { Db } from './knex';

export interface OrgRow {
  id: string;
  name: string;
  kind: string;
  parentId: string | null;
  path: string;
  groups: string[];
  /** A grassroots union's kind (企业工会, 联合工会, 行业/区域工会联合会); null where not recorded. */
  subkind?: string | null;
}

export interface TargetGroupRow {
  id: string;
  name: string;
  industryUnionId: string | null;
}

const orgColumns = { id: 'id', name: 'name', kind: 'kind', parentId: 'parent_id', path: 'path', groups: 'groups', subkind: 'subkind' };

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
  // One round trip: the org's path names its ancestors' ids (primary-key look-ups).
  const rows: OrgRow[] = await db('orgs')
    .select(orgColumns)
    .whereRaw(`id = any(string_to_array(trim(both '/' from (select path from orgs where id = ?)), '/'))`, [id]);
  const self = rows.find((r) => r.id === id);
  if (!self) return [];
  const ids = self.path.split('/').filter(Boolean).reverse();
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

// ---------------------------------------------------------------------------
// Org administration (组织机构管理): the tree page, create, rename, move, deactivate, import
// ---------------------------------------------------------------------------

/** An org as the admin pages show it. */
export interface OrgAdminRow extends OrgRow {
  active: boolean;
  area: string | null;
  subkind: string | null;
  /** Orgs directly below it. */
  childCount: number;
}

const adminColumns = (db: Db) => ({
  id: 'o.id',
  name: 'o.name',
  kind: 'o.kind',
  parentId: 'o.parent_id',
  path: 'o.path',
  groups: 'o.groups',
  active: 'o.active',
  area: 'o.area',
  subkind: 'o.subkind',
  childCount: db.raw('(select count(*)::int from orgs c where c.parent_id = o.id)'),
});

export async function getOrgAdmin(db: Db, id: string): Promise<OrgAdminRow | undefined> {
  return db('orgs as o').select(adminColumns(db)).where('o.id', id).first();
}

/**
 * A page of orgs within `scopePath`: the children of `parentId` (lazy tree
 * loading), or those whose name or id contains `q` (search). Ordered by path.
 */
export async function listOrgPage(
  db: Db,
  f: { scopePath: string; parentId?: string; q?: string; limit: number; offset: number },
): Promise<{ items: OrgAdminRow[]; total: number }> {
  const base = db('orgs as o').where('o.path', 'like', `${f.scopePath}%`);
  if (f.parentId) base.andWhere('o.parent_id', f.parentId);
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    base.andWhere((w) => {
      void w.whereILike('o.name', like).orWhereILike('o.id', like);
    });
  }
  const [row] = await base.clone().count({ n: '*' });
  const items = await base.clone().select(adminColumns(db)).orderBy('o.path').limit(f.limit).offset(f.offset);
  return { items, total: Number(row?.n ?? 0) };
}

export interface NewOrg {
  id: string;
  name: string;
  kind: string;
  parentId: string;
  path: string;
  groups: string[];
  area: string | null;
  subkind: string | null;
}

export async function insertOrg(db: Db, o: NewOrg): Promise<void> {
  await db('orgs').insert({
    id: o.id,
    name: o.name,
    kind: o.kind,
    parent_id: o.parentId,
    path: o.path,
    groups: o.groups,
    area: o.area,
    subkind: o.subkind,
  });
}

export async function updateOrgFields(db: Db, id: string, fields: { name?: string; active?: boolean }): Promise<void> {
  await db('orgs')
    .where({ id })
    .update({ ...fields, updated_at: db.fn.now() });
}

/**
 * Moves an org and its subtree under a new parent: its parent_id, and the
 * path of every org at or below it rewritten in one UPDATE (the old path
 * prefix swapped for the new one). Run inside the caller's transaction.
 */
export async function moveOrgSubtree(db: Db, id: string, oldPath: string, newPath: string, newParentId: string): Promise<number> {
  await db('orgs').where({ id }).update({ parent_id: newParentId, updated_at: db.fn.now() });
  return db('orgs')
    .where('path', 'like', `${oldPath}%`)
    .update({ path: db.raw('? || substr(path, ?)', [newPath, oldPath.length + 1]), updated_at: db.fn.now() });
}

/** What keeps an org (with its subtree) from being deactivated: members, open tasks, running applications. */
export interface OrgLoad {
  members: number;
  openTasks: number;
  runningApplications: number;
}

export async function countOrgLoad(db: Db, path: string): Promise<OrgLoad> {
  const inTree = db('orgs').select('id').where('path', 'like', `${path}%`);
  const [[m], [t], [a]] = await Promise.all([
    db('members').whereIn('union_id', inTree.clone()).count({ n: '*' }),
    db('tasks').where('status', 'pending').whereIn('org_id', inTree.clone()).count({ n: '*' }),
    db('applications')
      .whereIn('status', ['pending', 'returned'])
      .andWhere((w) => {
        void w.whereIn('applicant_org', inTree.clone()).orWhereIn('target_org', inTree.clone());
      })
      .count({ n: '*' }),
  ]);
  return { members: Number(m!.n), openTasks: Number(t!.n), runningApplications: Number(a!.n) };
}

/** Orgs by id (those that exist), for an import's look-ups. */
export async function getOrgsByIds(db: Db, ids: readonly string[]): Promise<Map<string, OrgRow & { kind: string }>> {
  const out = new Map<string, OrgRow>();
  for (let i = 0; i < ids.length; i += 5000) {
    const rows: OrgRow[] = await db('orgs')
      .select(orgColumns)
      .whereIn('id', ids.slice(i, i + 5000));
    for (const r of rows) out.set(r.id, r);
  }
  return out;
}

/**
 * Writes an import's orgs (parents before children, paths computed by the
 * caller): new ones inserted, existing ones updated (name, kind, parent, path,
 * groups, area, subkind), in batches, inside the caller's transaction.
 */
export async function upsertImportedOrgs(db: Db, rows: NewOrg[], onBatch?: (done: number) => void): Promise<void> {
  const BATCH = 1000;
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH).map((o) => ({
      id: o.id,
      name: o.name,
      kind: o.kind,
      parent_id: o.parentId,
      path: o.path,
      groups: o.groups,
      area: o.area,
      subkind: o.subkind,
      updated_at: db.fn.now(),
    }));
    await db('orgs').insert(batch).onConflict('id').merge(['name', 'kind', 'parent_id', 'path', 'groups', 'area', 'subkind', 'updated_at']);
    onBatch?.(Math.min(i + BATCH, rows.length));
  }
}

/** Every org within `scopePath`, in path order, a page at a time (the export streams them). */
export async function* streamOrgsWithin(db: Db, scopePath: string, pageSize = 2000): AsyncGenerator<OrgAdminRow[]> {
  let after = '';
  for (;;) {
    const rows: OrgAdminRow[] = await db('orgs as o')
      .select({ ...adminColumns(db), childCount: db.raw('0') })
      .where('o.path', 'like', `${scopePath}%`)
      .andWhere('o.path', '>', after)
      .orderBy('o.path')
      .limit(pageSize);
    if (!rows.length) return;
    yield rows;
    after = rows[rows.length - 1]!.path;
  }
}
