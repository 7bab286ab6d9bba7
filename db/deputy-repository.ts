/**
 * 代理/委托 (deputies while away): the ranges people name a deputy for, and
 * who stands in for whom at a given time (asked when a step starts).
 */
import type { Db } from './knex';

export interface DeputyRange {
  id: string;
  username: string;
  deputy: string;
  deputyName: string;
  startsAt: Date;
  endsAt: Date;
  /** Application types the range covers; null = all types. */
  types: string[] | null;
  createdBy: string;
  createdAt: Date;
}

const columns = {
  id: 'd.id',
  username: 'd.username',
  deputy: 'd.deputy',
  deputyName: 'u.name',
  startsAt: 'd.starts_at',
  endsAt: 'd.ends_at',
  types: 'd.types',
  createdBy: 'd.created_by',
  createdAt: 'd.created_at',
};

/** The user's range in force or ahead (not ended early, not yet over), if any. */
export async function currentDeputyRange(db: Db, username: string, now = new Date()): Promise<DeputyRange | undefined> {
  return db('deputies as d')
    .join('users as u', 'u.username', 'd.deputy')
    .select<DeputyRange[]>(columns)
    .where('d.username', username)
    .whereNull('d.ended_at')
    .andWhere('d.ends_at', '>', now)
    .orderBy('d.id', 'desc')
    .first();
}

/**
 * Names a deputy: ends the user's range in force or ahead (one at most) and
 * starts this one. Returns the ended range, if there was one. Run inside the
 * caller's transaction, beside its admin record.
 */
export async function setDeputyRange(
  db: Db,
  r: { username: string; deputy: string; startsAt: Date; endsAt: Date; types: string[] | null; createdBy: string },
  now = new Date(),
): Promise<{ range: DeputyRange; replaced?: DeputyRange }> {
  const replaced = await endDeputyRange(db, r.username, now);
  const [row] = await db('deputies')
    .insert({ username: r.username, deputy: r.deputy, starts_at: r.startsAt, ends_at: r.endsAt, types: r.types, created_by: r.createdBy })
    .returning<{ id: string }[]>('id');
  const range = await db('deputies as d').join('users as u', 'u.username', 'd.deputy').select<DeputyRange[]>(columns).where('d.id', row!.id).first();
  return { range: range!, ...(replaced ? { replaced } : {}) };
}

/** Ends the user's range in force or ahead now (a range not yet started simply never starts). Returns it, if any. */
export async function endDeputyRange(db: Db, username: string, now = new Date()): Promise<DeputyRange | undefined> {
  const current = await currentDeputyRange(db, username, now);
  if (!current) return undefined;
  await db('deputies').where({ id: current.id }).update({ ended_at: now });
  return current;
}

/**
 * Who stands in for each of `usernames` at `now` for an application of
 * `type`: absent person → deputy, for the ranges in force (started, not over,
 * not ended early, covering the type). Users not away are left out.
 */
export async function activeDeputies(db: Db, usernames: readonly string[], type: string | undefined, now = new Date()): Promise<Record<string, string>> {
  if (usernames.length === 0) return {};
  const q = db('deputies')
    .select<{ username: string; deputy: string }[]>('username', 'deputy')
    .whereIn('username', [...usernames])
    .whereNull('ended_at')
    .andWhere('starts_at', '<=', now)
    .andWhere('ends_at', '>', now)
    .orderBy('id');
  if (type) q.andWhere((w) => void w.whereNull('types').orWhereRaw('? = ANY(types)', [type]));
  else q.whereNull('types');
  const out: Record<string, string> = {};
  for (const r of await q) out[r.username] = r.deputy;
  return out;
}

/** The user's deputy in force or ahead, as GET /api/me shows it (null when none). */
export async function deputyOf(
  db: Db,
  username: string,
  now = new Date(),
): Promise<{ deputy: string; deputyName: string; from: string; to: string; types: string[] | null; active: boolean } | null> {
  const r = await currentDeputyRange(db, username, now);
  if (!r) return null;
  return {
    deputy: r.deputy,
    deputyName: r.deputyName,
    from: r.startsAt.toISOString(),
    to: r.endsAt.toISOString(),
    types: r.types,
    active: r.startsAt <= now,
  };
}
