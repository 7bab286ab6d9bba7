/**
 * Look-ups of members by ID number (查询会籍): a transfer by ID number, a
 * progress report's members, a reviewer's view of whether the person is a
 * member. Those a caller chooses the numbers for count against a per-user
 * limit (Postgres, shared by every API process); every one is audited in
 * `id_lookups` — who, when, which keyed hash (never the number), why.
 */
import type { Db } from '../db/knex';
import { recordIdLookups, type IdLookupReason } from '../db/member-repository';
import { DEFAULT_LIMITS, idLookupLimiter } from './rate-limits';

export interface IdLookupDeps {
  db: Db;
  /** The key space of the shared rate-limit counters (ApiDeps.limitScope). */
  limitScope?: string;
  /** Per user per hour (default DEFAULT_LIMITS.idLookupsPerUser). */
  idLookupLimit?: number;
}

/** Counts one request (429 past the limit, nothing recorded), then records its look-ups. */
export type IdLookupGuard = (caller: { username: string }, reason: IdLookupReason, idNumberHashes: readonly string[], subject: string) => Promise<void>;

export function idLookupGuard(deps: IdLookupDeps): IdLookupGuard {
  const limit = idLookupLimiter(deps.db, deps.limitScope ?? '', deps.idLookupLimit ?? DEFAULT_LIMITS.idLookupsPerUser);
  return async (caller, reason, idNumberHashes, subject) => {
    await limit(caller.username);
    await recordIdLookups(deps.db, { actor: caller.username, idNumberHashes, reason, subject });
  };
}

/** Records a look-up the caller did not choose the number of (a reviewer's view of the task in hand): audited, not limited. */
export async function auditIdLookup(db: Db, caller: { username: string }, reason: IdLookupReason, idNumberHash: string, subject: string): Promise<void> {
  await recordIdLookups(db, { actor: caller.username, idNumberHashes: [idNumberHash], reason, subject });
}
