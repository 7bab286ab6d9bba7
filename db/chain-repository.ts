/**
 * Chain definitions (审批链) in Postgres: versioned per (owner org, key). A
 * chain owned by an org applies to applications from that org's subtree;
 * the global built-ins (owner null) apply where no org above owns one.
 */
import type { Knex } from 'knex';
import type { ChainDefinition } from '../domain/chain';
import type { Db } from './knex';

/** A stored chain version with where it belongs. */
export interface StoredChain extends ChainDefinition {
  owner: string | null;
  ownerName: string | null;
  createdBy: string;
  createdAt: Date;
  /** The chain_change application that made this version take effect (none for built-ins). */
  sourceApplication: string | null;
}

const columns = {
  definition: 'c.definition',
  owner: 'c.owner_org',
  ownerName: 'o.name',
  ownerPath: 'o.path',
  createdBy: 'c.created_by',
  createdAt: 'c.created_at',
  sourceApplication: 'c.source_application',
  version: 'c.version',
};
type Row = {
  definition: ChainDefinition;
  owner: string | null;
  ownerName: string | null;
  createdBy: string;
  createdAt: Date;
  sourceApplication: string | null;
  version: number;
};
const toChain = (r: Row): StoredChain => ({
  ...r.definition,
  version: r.version,
  owner: r.owner,
  ownerName: r.ownerName,
  createdBy: r.createdBy,
  createdAt: r.createdAt,
  sourceApplication: r.sourceApplication,
});

/** The definition alone, as a running application snapshots it. */
export function chainSnapshot(c: StoredChain): ChainDefinition {
  return { key: c.key, version: c.version, owner: c.owner, name: c.name, type: c.type, steps: c.steps, ...(c.form ? { form: c.form } : {}) };
}

/** The org and its ancestors, by id (none for an unknown org). */
async function ancestorIds(db: Db, orgId: string): Promise<string[]> {
  const org: { path: string } | undefined = await db('orgs').where({ id: orgId }).first('path');
  return org ? org.path.split('/').filter(Boolean) : [];
}

/** The (owner, key) pair; owner null is the global built-in. */
const ownedBy = (owner: string | null) => (q: Knex.QueryBuilder) => (owner === null ? q.whereNull('c.owner_org') : q.where('c.owner_org', owner));

/**
 * The chain an application of this type from `orgId` starts on: the newest
 * version of the chain owned by the nearest org at or above `orgId` that
 * owns one of the type, else the global one. Where an owner has several keys
 * of the type, the key named like the type wins, then the newest.
 */
export async function resolveChain(db: Db, type: string, orgId: string): Promise<StoredChain | undefined> {
  const row: Row | undefined = await db('chain_definitions as c')
    .leftJoin('orgs as o', 'o.id', 'c.owner_org')
    .where('c.type', type)
    .whereRaw('(c.owner_org is null or c.owner_org = any(?))', [await ancestorIds(db, orgId)])
    .orderByRaw("length(coalesce(o.path, '')) desc, (c.key = ?) desc, c.version desc, c.created_at desc", [type])
    .first(columns);
  return row ? toChain(row) : undefined;
}

/** One stored version of one owner's chain `key` (owner null: the global one): the chain an application runs on. */
export async function getChainVersion(db: Db, key: string, owner: string | null, version: number): Promise<StoredChain | undefined> {
  const row: Row | undefined = await ownedBy(owner)(db('chain_definitions as c').leftJoin('orgs as o', 'o.id', 'c.owner_org').where('c.key', key))
    .where('c.version', version)
    .first(columns);
  return row ? toChain(row) : undefined;
}

/** The newest version of one owner's chain `key` (owner null: the global one). */
export async function getLatestChain(db: Db, key: string, owner: string | null = null): Promise<StoredChain | undefined> {
  const row: Row | undefined = await ownedBy(owner)(db('chain_definitions as c').leftJoin('orgs as o', 'o.id', 'c.owner_org').where('c.key', key))
    .orderBy('c.version', 'desc')
    .first(columns);
  return row ? toChain(row) : undefined;
}

/** The newest version of `key` that applies at `orgId`: owned by the nearest org at or above it, else global. */
export async function getApplicableChain(db: Db, key: string, orgId: string): Promise<StoredChain | undefined> {
  const row: Row | undefined = await db('chain_definitions as c')
    .leftJoin('orgs as o', 'o.id', 'c.owner_org')
    .where('c.key', key)
    .whereRaw('(c.owner_org is null or c.owner_org = any(?))', [await ancestorIds(db, orgId)])
    .orderByRaw("length(coalesce(o.path, '')) desc, c.version desc")
    .first(columns);
  return row ? toChain(row) : undefined;
}

export async function listChainVersions(
  db: Db,
  key: string,
  owner: string | null,
): Promise<{ version: number; name: string; createdBy: string; createdAt: Date; sourceApplication: string | null }[]> {
  return ownedBy(owner)(db('chain_definitions as c').where('c.key', key))
    .orderBy('c.version', 'desc')
    .select({ version: 'c.version', name: 'c.name', createdBy: 'c.created_by', createdAt: 'c.created_at', sourceApplication: 'c.source_application' });
}

/**
 * The newest version of every (owner, key) whose owner is global, at or above
 * the org at `orgPath`, or within its subtree: the chains a user there may read.
 */
export async function listVisibleChains(db: Db, orgPath: string): Promise<(StoredChain & { ownerPath: string | null })[]> {
  const ancestors = orgPath.split('/').filter(Boolean);
  const rows: (Row & { ownerPath: string | null })[] = await db('chain_definitions as c')
    .leftJoin('orgs as o', 'o.id', 'c.owner_org')
    .whereRaw("c.version = (select max(x.version) from chain_definitions x where x.key = c.key and coalesce(x.owner_org, '') = coalesce(c.owner_org, ''))")
    .whereRaw('(c.owner_org is null or c.owner_org = any(?) or o.path like ?)', [ancestors, `${orgPath}%`])
    .orderByRaw("c.type, length(coalesce(o.path, '')), c.key")
    .select(columns);
  return rows.map((r) => ({ ...toChain(r), ownerPath: r.ownerPath }));
}

/** The chain version an approved change saved, if it has run already. */
export async function getChainSavedBy(db: Db, applicationId: string): Promise<StoredChain | undefined> {
  const row: Row | undefined = await db('chain_definitions as c')
    .leftJoin('orgs as o', 'o.id', 'c.owner_org')
    .where('c.source_application', applicationId)
    .first(columns);
  return row ? toChain(row) : undefined;
}

/**
 * Saves the definition as the next version of (owner, key) and returns it.
 * With `sourceApplication` (the approved chain_change application) it runs
 * once: a retry returns the version the first run saved.
 */
export async function saveChainVersion(
  db: Db,
  def: Omit<ChainDefinition, 'version' | 'owner'>,
  opts: { owner: string | null; createdBy: string; sourceApplication?: string },
): Promise<StoredChain> {
  await db.transaction(async (trx) => {
    // Serialize concurrent saves of the same (owner, key).
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`chain:${opts.owner ?? ''}:${def.key}`]);
    if (opts.sourceApplication && (await trx('chain_definitions').where({ source_application: opts.sourceApplication }).first('key'))) return;
    const row = await ownedBy(opts.owner)(trx('chain_definitions as c').where('c.key', def.key)).max<{ v: number | null }>({ v: 'c.version' }).first();
    const version = (row?.v ?? 0) + 1;
    const full: ChainDefinition = {
      key: def.key,
      version,
      owner: opts.owner,
      name: def.name,
      type: def.type,
      steps: def.steps,
      ...(def.form ? { form: def.form } : {}),
    };
    await trx('chain_definitions').insert({
      key: def.key,
      version,
      name: def.name,
      type: def.type,
      owner_org: opts.owner,
      definition: JSON.stringify(full),
      created_by: opts.createdBy,
      source_application: opts.sourceApplication ?? null,
    });
  });
  const saved = opts.sourceApplication ? await getChainSavedBy(db, opts.sourceApplication) : await getLatestChain(db, def.key, opts.owner);
  if (!saved) throw new Error(`chain ${def.key} was not saved`);
  return saved;
}
