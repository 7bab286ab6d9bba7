import type { ChainDefinition } from '../domain/chain';
import type { Db } from './knex';

/** The newest version of a chain; new applications start on it. */
export async function getLatestChain(db: Db, key: string): Promise<ChainDefinition | undefined> {
  const row = await db('chain_definitions').where({ key }).orderBy('version', 'desc').first('definition');
  return row?.definition as ChainDefinition | undefined;
}

export async function listChainVersions(db: Db, key: string): Promise<{ version: number; name: string; createdBy: string; createdAt: Date }[]> {
  return db('chain_definitions')
    .where({ key })
    .orderBy('version', 'desc')
    .select({ version: 'version', name: 'name', createdBy: 'created_by', createdAt: 'created_at' });
}

export async function listLatestChains(db: Db): Promise<ChainDefinition[]> {
  const rows = await db('chain_definitions as c')
    .whereRaw('c.version = (select max(version) from chain_definitions x where x.key = c.key)')
    .orderBy('c.key')
    .select('c.definition');
  return rows.map((r: { definition: ChainDefinition }) => r.definition);
}

/** Saves the definition as the next version of its key and returns it with that version. */
export async function saveChainVersion(db: Db, def: Omit<ChainDefinition, 'version'>, createdBy: string): Promise<ChainDefinition> {
  return db.transaction(async (trx) => {
    // Serialize concurrent saves of the same key.
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`chain:${def.key}`]);
    const row = await trx('chain_definitions').where({ key: def.key }).max<{ v: number | null }>({ v: 'version' }).first();
    const version = (row?.v ?? 0) + 1;
    const full: ChainDefinition = { ...def, version };
    await trx('chain_definitions').insert({ key: def.key, version, name: def.name, definition: JSON.stringify(full), created_by: createdBy });
    return full;
  });
}
