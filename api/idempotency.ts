/**
 * The API's Idempotency-Key: repeating a mutating call with the same key
 * returns the first call's result and changes nothing more. Successful
 * results are stored per caller and key; failed calls changed nothing, so
 * they are not stored and may be retried.
 */
import type { NextFunction, Request, Response } from 'express';
import type { Db } from '../db/knex';
import { badRequest, conflict, requireStorableText } from './errors';

export function idempotencyKeyOf(req: Request): string | undefined {
  const key = req.header('Idempotency-Key');
  if (key === undefined) return undefined;
  if (!/^[\w.:-]{1,200}$/.test(key))
    throw badRequest('Idempotency-Key 格式无效 / invalid Idempotency-Key', [{ path: 'Idempotency-Key', message: '1–200 letters, digits, . _ : -' }]);
  return key;
}

/** Whose key space a request uses: the signed-in user, or the client address for public routes. */
function ownerOf(req: Request): string {
  return req.caller?.username ?? `public:${req.ip}`;
}

export function idempotent(db: Db) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      // Every mutating route passes here: text Postgres cannot store is refused before any work starts.
      requireStorableText(req.body);
      const key = idempotencyKeyOf(req);
      if (!key) return next();
      const owner = ownerOf(req);
      const route = `${req.method} ${req.originalUrl.split('?')[0]}`;
      const prior = await db('idempotency_keys').where({ username: owner, key }).first();
      if (prior) {
        if (prior.route !== route) throw conflict('此 Idempotency-Key 已用于另一个请求 / this Idempotency-Key was used for another request');
        res.setHeader('Idempotent-Replayed', 'true');
        return res.status(prior.status as number).json(prior.body);
      }
      const json = res.json.bind(res);
      res.json = (body: unknown) => {
        if (res.statusCode < 300) {
          db('idempotency_keys')
            .insert({ username: owner, key, route, status: res.statusCode, body: JSON.stringify(body) })
            .onConflict(['username', 'key'])
            .ignore()
            .then(
              () => json(body),
              (err: unknown) => next(err),
            );
          return res;
        }
        return json(body);
      };
      next();
    } catch (e) {
      next(e);
    }
  };
}
