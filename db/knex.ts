/**
 * The database handle. db/ is the only folder that imports knex.
 */
import knexFactory, { type Knex } from 'knex';
import { migrationSource } from './migrations/index';

export type Db = Knex;

export function createDb(connectionString: string, opts: { poolMax?: number } = {}): Db {
  return knexFactory({
    client: 'pg',
    connection: { connectionString, application_name: 'union-drive' },
    pool: { min: 0, max: opts.poolMax ?? 10 },
    acquireConnectionTimeout: 10_000,
  });
}

/** Applies every pending migration (idempotent; safe to run at each start). */
export async function migrateLatest(db: Db): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource })) as [number, string[]];
  return applied;
}

/** Reachability check used by /readyz. */
export async function pingDb(db: Db): Promise<void> {
  await db.raw('select 1');
}
