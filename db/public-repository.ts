/**
 * The public join page's rows: one-time SMS codes, CAPTCHA challenges, the
 * development SMS outbox, applications' short references, and the look-ups
 * of the public status page. Codes and answers are stored as keyed hashes
 * (the caller hashes); phones never in clear.
 */
import crypto from 'node:crypto';
import type { Db } from './knex';

// ---------------------------------------------------------------------------
// One-time SMS codes
// ---------------------------------------------------------------------------

export async function insertSmsCode(db: Db, row: { phoneHash: string; purpose: string; codeHash: string; ttlSeconds: number }): Promise<void> {
  // Old codes are of no use to anyone: each new one sweeps those expired a day ago.
  await db('sms_codes').where('expires_at', '<', db.raw("now() - interval '1 day'")).delete();
  await db('sms_codes').insert({
    phone_hash: row.phoneHash,
    purpose: row.purpose,
    code_hash: row.codeHash,
    expires_at: db.raw(`now() + make_interval(secs => ?)`, [row.ttlSeconds]),
  });
}

export type CodeCheck = { ok: true; id: string } | { ok: false; reason: 'none' | 'wrong'; triesLeft: number };

const equalHashes = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
};

/**
 * Checks a code against the newest live one of the phone and purpose (not
 * consumed, not expired, tries left). A wrong code uses up a try; the code
 * stays live until consumed.
 */
export async function checkSmsCode(db: Db, q: { phoneHash: string; purpose: string; codeHash: string; maxAttempts: number }): Promise<CodeCheck> {
  return db.transaction(async (trx) => {
    const row = await trx('sms_codes')
      .where({ phone_hash: q.phoneHash, purpose: q.purpose })
      .whereNull('consumed_at')
      .where('expires_at', '>', trx.fn.now())
      .orderBy('id', 'desc')
      .forUpdate()
      .first('id', 'code_hash', 'attempts');
    if (!row || row.attempts >= q.maxAttempts) return { ok: false, reason: 'none', triesLeft: 0 };
    if (equalHashes(row.code_hash, q.codeHash)) return { ok: true, id: String(row.id) };
    await trx('sms_codes').where({ id: row.id }).increment('attempts', 1);
    return { ok: false, reason: 'wrong', triesLeft: Math.max(0, q.maxAttempts - row.attempts - 1) };
  });
}

/** Marks a code used; false when someone used it first. */
export async function consumeSmsCode(db: Db, id: string): Promise<boolean> {
  const n = await db('sms_codes').where({ id }).whereNull('consumed_at').update({ consumed_at: db.fn.now() });
  return n > 0;
}

/** Gives a consumed code back (the work it was spent on failed before anything was written). */
export async function releaseSmsCode(db: Db, id: string): Promise<void> {
  await db('sms_codes').where({ id }).update({ consumed_at: null });
}

// ---------------------------------------------------------------------------
// CAPTCHA challenges
// ---------------------------------------------------------------------------

export async function insertCaptcha(db: Db, row: { id: string; answerHash: string; ttlSeconds: number }): Promise<void> {
  await db('captchas').where('expires_at', '<', db.raw("now() - interval '1 hour'")).delete();
  await db('captchas').insert({ id: row.id, answer_hash: row.answerHash, expires_at: db.raw(`now() + make_interval(secs => ?)`, [row.ttlSeconds]) });
}

/** Uses a challenge up (right or wrong, it answers once); its answer hash when it was live. */
export async function takeCaptcha(db: Db, id: string): Promise<string | undefined> {
  const rows = await db('captchas')
    .where({ id })
    .whereNull('used_at')
    .where('expires_at', '>', db.fn.now())
    .update({ used_at: db.fn.now() })
    .returning('answer_hash');
  return rows[0]?.answer_hash as string | undefined;
}

// ---------------------------------------------------------------------------
// The development SMS outbox
// ---------------------------------------------------------------------------

export interface OutboxRow {
  id: string;
  phoneMasked: string;
  text: string;
  createdAt: Date;
}

export async function listSmsOutbox(db: Db, opts: { limit: number; phoneHash?: string }): Promise<OutboxRow[]> {
  const q = db('sms_outbox').select({ id: 'id', phoneMasked: 'phone_masked', text: 'text', createdAt: 'created_at' }).orderBy('id', 'desc').limit(opts.limit);
  if (opts.phoneHash) q.where({ phone_hash: opts.phoneHash });
  const rows = (await q) as OutboxRow[];
  return rows.map((r) => ({ ...r, id: String(r.id) }));
}

// ---------------------------------------------------------------------------
// Short references and the public status look-up
// ---------------------------------------------------------------------------

/** 'RH' + yymm (Beijing time) + '-' + 4 digits, e.g. RH2611-4821. */
export function newPublicRef(now = new Date(), digits = 4): string {
  const beijing = new Date(now.getTime() + 8 * 3600_000);
  const yymm = `${String(beijing.getUTCFullYear()).slice(2)}${String(beijing.getUTCMonth() + 1).padStart(2, '0')}`;
  const n = crypto.randomInt(0, 10 ** digits);
  return `RH${yymm}-${String(n).padStart(digits, '0')}`;
}

/**
 * Gives an application its short reference (unless it has one: a replayed
 * request keeps the first), retrying on the rare clash; after many clashes
 * in a month the number grows to 6 digits.
 */
export async function assignPublicRef(db: Db, applicationId: string): Promise<string> {
  for (let attempt = 0; attempt < 40; attempt++) {
    const existing = await db('applications').where({ id: applicationId }).first('public_ref');
    if (!existing) throw new Error(`application ${applicationId} not found`);
    if (existing.public_ref) return existing.public_ref as string;
    const ref = newPublicRef(new Date(), attempt < 20 ? 4 : 6);
    try {
      await db('applications').where({ id: applicationId }).whereNull('public_ref').update({ public_ref: ref });
    } catch (e) {
      if ((e as { code?: string }).code === '23505') continue; // that reference is taken
      throw e;
    }
  }
  throw new Error('no free public reference');
}

export interface PublicApplicationRow {
  id: string;
  publicRef: string | null;
  type: string;
  status: string;
  payload: Record<string, unknown>;
  applicantOrg: string;
  applicantOrgName: string;
  targetOrg: string | null;
  targetOrgName: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * A person's own applications: those whose payload carries the phone's hash
 * (whatever the application's type became — a membership application the
 * sorting step converted to a transfer keeps it) and, as asked, the
 * reference (short or long) or the ID number's hash.
 */
export async function findPublicApplications(
  db: Db,
  q: { phoneHash: string } & ({ reference: string } | { idNumberHash: string }),
): Promise<PublicApplicationRow[]> {
  const query = db('applications as a')
    .join('orgs as ao', 'ao.id', 'a.applicant_org')
    .leftJoin('orgs as tgo', 'tgo.id', 'a.target_org')
    .select({
      id: 'a.id',
      publicRef: 'a.public_ref',
      type: 'a.type',
      status: 'a.status',
      payload: 'a.payload',
      applicantOrg: 'a.applicant_org',
      applicantOrgName: 'ao.name',
      targetOrg: 'a.target_org',
      targetOrgName: 'tgo.name',
      createdAt: 'a.created_at',
      updatedAt: 'a.updated_at',
    })
    .whereRaw("a.payload->>'phoneHash' = ?", [q.phoneHash])
    .orderBy('a.created_at', 'desc')
    .limit(20);
  if ('reference' in q) {
    const ref = q.reference;
    void query.where((w) => {
      void w.where('a.public_ref', ref.toUpperCase()).orWhere('a.id', ref);
    });
  } else void query.whereRaw("a.payload->>'idNumberHash' = ?", [q.idNumberHash]);
  return query;
}
