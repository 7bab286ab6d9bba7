/**
 * The API's Idempotency-Key: repeating a mutating call with the same key
 * returns the first call's result and changes nothing more.
 *
 * The key is claimed before the work starts: a row is inserted (status null:
 * in progress) and only the request that inserted it runs; a second request
 * with the same key meanwhile gets 409 "处理中 / in progress". A successful
 * answer is stored on the row and replayed; a failed call changed nothing, so
 * its claim is released and the call may be retried. A claim left behind by a
 * process that died mid-request is taken over after {@link CLAIM_LEASE_MS}.
 * Keys are per caller (the signed-in user, or the client address for public
 * routes) and expire after {@link KEY_TTL_MS}; {@link purgeExpiredKeys}
 * deletes them.
 */
import type { NextFunction, Request, Response } from 'express';
import type { Db } from '../db/knex';
import { claimKey, completeKey, getKey, purgeKeysBefore, releaseExpiredKey, releaseKey, takeOverKey } from '../db/idempotency-repository';
import { badRequest, conflict, requireStorableText } from './errors';

/** How long a stored answer is replayed. */
export const KEY_TTL_MS = 24 * 60 * 60 * 1000;
/**
 * How long a claim without an answer counts as in progress. Every request has
 * shorter deadlines (Temporal calls 15 s, database statements), so an older
 * claim belongs to a process that died mid-request.
 */
export const CLAIM_LEASE_MS = 60_000;

export function idempotencyKeyOf(req: Request): string | undefined {
  const key = req.header('Idempotency-Key');
  if (key === undefined) return undefined;
  if (!/^[\w.:-]{1,200}$/.test(key))
    throw badRequest('Idempotency-Key 格式无效 / invalid Idempotency-Key', [{ path: 'Idempotency-Key', message: '1–200 letters, digits, . _ : -' }]);
  return key;
}

/** Whose key space a request uses: the signed-in user, or the client address for public routes. */
export function keyOwnerOf(req: Request): string {
  return req.caller?.username ?? `public:${req.ip}`;
}

/** Deletes keys older than {@link KEY_TTL_MS}; the API runs it every hour. */
export async function purgeExpiredKeys(db: Db, now = Date.now()): Promise<number> {
  return purgeKeysBefore(db, new Date(now - KEY_TTL_MS));
}

/** Claims the key for this request, or answers from (or refuses because of) an earlier one. */
async function claim(db: Db, owner: string, key: string, route: string): Promise<{ claimed: true } | { claimed: false; status: number; body: unknown }> {
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await claimKey(db, owner, key, route)) return { claimed: true };
    const prior = await getKey(db, owner, key);
    if (!prior) continue; // released or purged in between: claim again
    const age = Date.now() - new Date(prior.createdAt).getTime();
    if (age > KEY_TTL_MS) {
      await releaseExpiredKey(db, owner, key, KEY_TTL_MS);
      continue;
    }
    if (prior.route !== route) throw conflict('此 Idempotency-Key 已用于另一个请求 / this Idempotency-Key was used for another request');
    if (prior.status !== null) return { claimed: false, status: prior.status, body: prior.body };
    if (age > CLAIM_LEASE_MS && (await takeOverKey(db, owner, key, CLAIM_LEASE_MS))) return { claimed: true };
    throw conflict(
      '处理中：使用此 Idempotency-Key 的请求尚未完成，请稍后重试 / in progress: a request with this Idempotency-Key is still running, retry later',
    );
  }
  throw conflict('处理中，请稍后重试 / in progress, retry later');
}

export function idempotent(db: Db) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      // Every mutating route passes here: text Postgres cannot store is refused before any work starts.
      requireStorableText(req.body);
      const key = idempotencyKeyOf(req);
      if (!key) return next();
      const owner = keyOwnerOf(req);
      const route = `${req.method} ${req.originalUrl.split('?')[0]}`;
      const got = await claim(db, owner, key, route);
      if (!got.claimed) {
        res.setHeader('Idempotent-Replayed', 'true');
        return res.status(got.status).json(got.body);
      }
      let settled = false;
      const json = res.json.bind(res);
      const send = res.send.bind(res);
      // A success is stored before it is sent, so a retry after the answer always finds it.
      res.json = (body: unknown) => {
        if (settled || res.statusCode >= 300) return json(body);
        settled = true;
        completeKey(db, owner, key, res.statusCode, body).then(
          () => json(body),
          (err: unknown) => next(err),
        );
        return res;
      };
      // A refusal (the error middleware sends problem+json) changed nothing: release the key first.
      res.send = (body?: unknown) => {
        if (settled) return send(body);
        settled = true;
        const done = res.statusCode >= 300 ? releaseKey(db, owner, key) : completeKey(db, owner, key, res.statusCode, null);
        done.then(
          () => send(body),
          () => send(body),
        );
        return res;
      };
      // The client went away and nothing was answered (the handler threw past the middleware): free the key.
      res.on('close', () => {
        if (!settled) void releaseKey(db, owner, key).catch(() => undefined);
      });
      next();
    } catch (e) {
      next(e);
    }
  };
}
