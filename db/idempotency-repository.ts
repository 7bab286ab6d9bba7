/**
 * The API's Idempotency-Key rows (`idempotency_keys`): claimed by the request
 * that inserts one (status null while it runs), completed with its answer.
 */
import type { Db } from './knex';

export interface IdempotencyKeyRow {
  route: string;
  /** Null while the claiming request runs. */
  status: number | null;
  body: unknown;
  createdAt: Date;
}

/** Inserts the claim; false when the key already has a row (the insert is the lock). */
export async function claimKey(db: Db, owner: string, key: string, route: string): Promise<boolean> {
  const rows = await db('idempotency_keys')
    .insert({ username: owner, key, route, status: null, body: null })
    .onConflict(['username', 'key'])
    .ignore()
    .returning('key');
  return rows.length > 0;
}

export async function getKey(db: Db, owner: string, key: string): Promise<IdempotencyKeyRow | undefined> {
  return db('idempotency_keys')
    .select<IdempotencyKeyRow[]>({ route: 'route', status: 'status', body: 'body', createdAt: 'created_at' })
    .where({ username: owner, key })
    .first();
}

/**
 * Takes over a claim without an answer older than `leaseMs` (its process
 * died); false when it is younger or another request took it first (the
 * update renews the claim, so only one succeeds).
 */
export async function takeOverKey(db: Db, owner: string, key: string, leaseMs: number): Promise<boolean> {
  const n = await db('idempotency_keys')
    .where({ username: owner, key })
    .whereNull('status')
    .whereRaw('created_at < now() - make_interval(secs => ?)', [leaseMs / 1000])
    .update({ created_at: db.fn.now() });
  return n > 0;
}

/** Stores the answer of the claiming request. */
export async function completeKey(db: Db, owner: string, key: string, status: number, body: unknown): Promise<void> {
  await db('idempotency_keys')
    .where({ username: owner, key })
    .update({ status, body: JSON.stringify(body ?? null), completed_at: db.fn.now() });
}

/** Removes the claim of a call that failed (it changed nothing, so it may be retried). */
export async function releaseKey(db: Db, owner: string, key: string): Promise<void> {
  await db('idempotency_keys').where({ username: owner, key }).whereNull('status').delete();
}

/** Removes the key if it is older than `ttlMs` (expired, so the key may be used afresh). */
export async function releaseExpiredKey(db: Db, owner: string, key: string, ttlMs: number): Promise<void> {
  await db('idempotency_keys')
    .where({ username: owner, key })
    .whereRaw('created_at < now() - make_interval(secs => ?)', [ttlMs / 1000])
    .delete();
}

/** Deletes every key created before `before`; returns how many. */
export async function purgeKeysBefore(db: Db, before: Date): Promise<number> {
  return db('idempotency_keys').where('created_at', '<', before).delete();
}
