/**
 * The database handle. db/ is the only folder that imports knex.
 */
import knexFactory, { type Knex } from 'knex';
import { migrationSource } from './migrations/index';

export type Db = Knex;

/** Default `statement_timeout` of every pooled connection: no request waits longer on one statement. */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;
/** Default for the statements of a survey import or a bulletin build ({@link allowLongStatements}). */
export const DEFAULT_LONG_STATEMENT_TIMEOUT_MS = 300_000;

export interface DbOptions {
  poolMax?: number;
  /** Postgres `statement_timeout` of every connection, ms (0: none). */
  statementTimeoutMs?: number;
  /** The timeout {@link allowLongStatements} grants a transaction, ms. */
  longStatementTimeoutMs?: number;
}

const longTimeoutOf = new WeakMap<Db, number>();
const connectionStringOf = new WeakMap<Db, string>();

/**
 * A pool of Postgres connections, each with a `statement_timeout` (the server
 * cancels a statement past it) and a client-side query timeout a little above
 * the long one (a database that hangs without answering — stopped, or
 * unreachable — frees the request and its pool slot too).
 */
export function createDb(connectionString: string, opts: DbOptions = {}): Db {
  const statementMs = opts.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const longMs = Math.max(opts.longStatementTimeoutMs ?? DEFAULT_LONG_STATEMENT_TIMEOUT_MS, statementMs);
  const db = knexFactory({
    client: 'pg',
    connection: {
      connectionString,
      application_name: 'union-drive',
      statement_timeout: statementMs,
      ...(longMs > 0 ? { query_timeout: longMs + 5_000 } : {}),
      connectionTimeoutMillis: 10_000,
    },
    pool: { min: 0, max: opts.poolMax ?? 10 },
    acquireConnectionTimeout: 10_000,
  });
  longTimeoutOf.set(db, longMs);
  connectionStringOf.set(db, connectionString);
  return db;
}

/**
 * Lets the statements of one transaction of `db` run up to the long timeout:
 * survey imports (50,000 rows) and bulletin builds (aggregates over a
 * province). Call it first in the transaction; it ends with the transaction.
 */
export async function allowLongStatements(db: Db, trx: Knex.Transaction): Promise<void> {
  const ms = longTimeoutOf.get(db) ?? DEFAULT_LONG_STATEMENT_TIMEOUT_MS;
  await trx.raw(`select set_config('statement_timeout', ?, true)`, [String(ms)]);
}

/**
 * Applies every pending migration (idempotent; safe to run at each start).
 * On a connection of its own without statement or query timeouts: building an
 * index on a large table may take longer than any request should.
 */
export async function migrateLatest(db: Db): Promise<string[]> {
  const connectionString = connectionStringOf.get(db);
  if (!connectionString) throw new Error('migrateLatest needs a handle made by createDb');
  const migrator = knexFactory({
    client: 'pg',
    connection: { connectionString, application_name: 'union-drive-migrate', statement_timeout: 0 },
    pool: { min: 0, max: 1 },
  });
  try {
    const [, applied] = (await migrator.migrate.latest({ migrationSource })) as [number, string[]];
    return applied;
  } finally {
    await migrator.destroy();
  }
}

/** Reachability check used by /readyz. */
export async function pingDb(db: Db): Promise<void> {
  await db.raw('select 1');
}
