/**
 * Rate limits that fit an office and hold across API processes. Every counter
 * lives in Postgres (`rate_limits`, rate-limiter-flexible's Postgres store),
 * so two API instances behind one proxy share them.
 *
 * Logins count FAILURES only: twenty colleagues behind one office address
 * signing in on a Monday morning never meet a limit. Wrong guesses are
 * limited twice:
 * - per account (the username as typed): the first few failures are free,
 *   then each further failure blocks the account's logins for a back-off that
 *   doubles (30 s, 1 min, 2 min … at most 15 min); a success clears it;
 * - per address (the client address, as TRUST_PROXY lets the API see it):
 *   many failures in 15 minutes block that address's logins for the rest of
 *   the window.
 *
 * The public join page (扫码入会) counts every anonymous submission and every
 * public look-up per address.
 *
 * Look-ups of members by ID number (a transfer by ID number, a progress
 * report's members) count per signed-in user per hour, whatever the answer:
 * guessing the 8 hidden digits of a masked ID number takes hundreds of them.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Db } from '../db/knex';
import { tooManyRequests } from './errors';

export interface LimitSettings {
  /** Failed logins of one account before the back-off starts. */
  loginFreeFailuresPerAccount: number;
  /** Failed logins from one address per 15 minutes. */
  loginFailuresPerAddress: number;
  /** Anonymous join applications (扫码入会) per address per hour. */
  publicJoinPerAddress: number;
  /** Public look-ups (join form choices, status) per address per 15 minutes. */
  publicLookupPerAddress: number;
  /** Look-ups by ID number (transfers by ID number, progress reports) per user per hour. */
  idLookupsPerUser: number;
}

export const DEFAULT_LIMITS: LimitSettings = {
  loginFreeFailuresPerAccount: 5,
  loginFailuresPerAddress: 100,
  publicJoinPerAddress: 20,
  publicLookupPerAddress: 120,
  idLookupsPerUser: 30,
};

const FIFTEEN_MINUTES = 15 * 60;
/** The first back-off after the free failures; it doubles with each further failure. */
const BACKOFF_BASE_SECONDS = 30;
const BACKOFF_MAX_SECONDS = FIFTEEN_MINUTES;

/** A limiter whose counters live in `rate_limits` (shared by every API process), under `scope:name`. */
export function store(db: Db, scope: string, name: string, points: number, duration: number): RateLimiterPostgres {
  return new RateLimiterPostgres({
    storeClient: db,
    storeType: 'knex',
    tableName: 'rate_limits',
    // The table comes from migration 013, not from the library.
    tableCreated: true,
    keyPrefix: scope ? `${scope}:${name}` : name,
    points,
    duration,
  });
}

/** Back-off after `failures` consecutive failures of one account, in seconds (0 while still free). */
export function accountBackoffSeconds(failures: number, free: number): number {
  if (failures < free) return 0;
  return Math.min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** Math.min(failures - free, 10));
}

const TOO_MANY_LOGINS = '登录失败次数过多，请稍后再试 / too many failed logins, try again later';

/** The login guard: ask before checking a password, report each failure and success. */
export interface LoginLimiter {
  /** Throws 429 (with Retry-After) when the account or the address is blocked. */
  check(username: string, address: string): Promise<void>;
  failed(username: string, address: string): Promise<void>;
  succeeded(username: string): Promise<void>;
  /** True while the account's back-off blocks its logins (the people page's 已锁定). */
  locked(username: string): Promise<boolean>;
  /** An admin's unlock (解锁): clears the account's failures and back-off at once. */
  unlock(username: string): Promise<void>;
}

export function createLoginLimiter(
  db: Db,
  settings: Pick<LimitSettings, 'loginFreeFailuresPerAccount' | 'loginFailuresPerAddress'> & { scope: string },
): LoginLimiter {
  const free = settings.loginFreeFailuresPerAccount;
  // Consecutive failures of an account (cleared by a success), remembered for a day.
  const accountFailures = store(db, settings.scope, 'login-fail-account', Number.MAX_SAFE_INTEGER, 24 * 60 * 60);
  // The account's current back-off: a block set after each failure past the free ones.
  const accountBlock = store(db, settings.scope, 'login-block-account', 1, BACKOFF_MAX_SECONDS);
  const addressFailures = store(db, settings.scope, 'login-fail-address', settings.loginFailuresPerAddress, FIFTEEN_MINUTES);
  const accountKey = (u: string) => u.trim().toLowerCase().slice(0, 200);

  return {
    async check(username, address) {
      const [block, byAddress] = await Promise.all([accountBlock.get(accountKey(username)), addressFailures.get(address)]);
      if (block && block.consumedPoints > 1) throw tooManyRequests(TOO_MANY_LOGINS, block.msBeforeNext);
      if (byAddress && byAddress.consumedPoints >= settings.loginFailuresPerAddress) throw tooManyRequests(TOO_MANY_LOGINS, byAddress.msBeforeNext);
    },
    async failed(username, address) {
      const key = accountKey(username);
      const [count] = await Promise.all([
        accountFailures.penalty(key, 1),
        // Rejection only means the address is now over its limit; the next check refuses it.
        addressFailures.penalty(address, 1),
      ]);
      const backoff = accountBackoffSeconds(count.consumedPoints, free);
      if (backoff > 0) await accountBlock.block(key, backoff);
    },
    async succeeded(username) {
      await accountFailures.delete(accountKey(username));
    },
    async locked(username) {
      const block = await accountBlock.get(accountKey(username));
      return !!block && block.consumedPoints > 1 && block.msBeforeNext > 0;
    },
    async unlock(username) {
      const key = accountKey(username);
      await Promise.all([accountFailures.delete(key), accountBlock.delete(key)]);
    },
  };
}

/**
 * Express middleware limiting requests per client address; 429 with
 * Retry-After once over. `applies` picks the requests that count.
 */
export function perAddressLimit(
  db: Db,
  scope: string,
  name: string,
  points: number,
  durationSeconds: number,
  detail: string,
  applies: (req: Request) => boolean = () => true,
): RequestHandler {
  const limiter = store(db, scope, name, points, durationSeconds);
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!applies(req)) return next();
    limiter.consume(req.ip ?? 'unknown').then(
      () => next(),
      (err: unknown) => next(err instanceof RateLimiterRes ? tooManyRequests(detail, err.msBeforeNext) : err),
    );
  };
}

const TOO_MANY_ID_LOOKUPS = '按身份证号办理的请求过于频繁，请稍后再试 / too many requests by ID number, try again later';

/** Counts one request by ID number for a signed-in user; 429 (with Retry-After) once over the hourly limit. */
export type IdLookupLimiter = (username: string) => Promise<void>;

export function idLookupLimiter(db: Db, scope: string, perHour: number): IdLookupLimiter {
  const limiter = store(db, scope, 'id-lookup-user', perHour, 60 * 60);
  return async (username) => {
    try {
      await limiter.consume(username);
    } catch (err) {
      if (err instanceof RateLimiterRes) throw tooManyRequests(TOO_MANY_ID_LOOKUPS, err.msBeforeNext);
      throw err;
    }
  };
}
