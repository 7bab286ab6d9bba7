/**
 * Login (POST /api/auth/login), JWT sessions, and the caller's org scope.
 * Tokens carry only the username, org and roles — no secrets, no personal data.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import jwt from 'jsonwebtoken';
import { rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import type { Db } from '../db/knex';
import { getOrg } from '../db/org-repository';
import { getUser, getUserCredentials } from '../db/user-repository';
import { HttpError, parseOr400 } from './errors';
import { DUMMY_HASH_PROMISE, verifyPassword } from './passwords';

export interface Caller {
  username: string;
  name: string;
  orgId: string;
  orgName: string;
  /** Ancestor path of the caller's org ('/henan/pds/'); everything below it is in scope. */
  orgPath: string;
  roles: string[];
}

declare module 'express-serve-static-core' {
  interface Request {
    caller?: Caller;
  }
}

export interface AuthOptions {
  db: Db;
  secret: string;
  ttl: string;
  /** Login attempts per IP per 15 minutes. */
  loginLimit?: number;
}

export const loginSchema = z.object({
  username: z.string().trim().min(1, '请输入用户名 / username is required').max(100),
  password: z.string().min(1, '请输入密码 / password is required').max(200),
});

export function authRoutes(opts: AuthOptions): Router {
  const router = express.Router();
  const limiter = rateLimit({
    windowMs: 15 * 60 * 1000,
    limit: opts.loginLimit ?? 20,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, _res, next) => next(new HttpError(429, '登录尝试过于频繁，请 15 分钟后再试 / too many login attempts, try again in 15 minutes')),
  });

  router.post('/api/auth/login', limiter, async (req, res) => {
    const body = parseOr400(loginSchema, req.body);
    const user = await getUserCredentials(opts.db, body.username);
    // Verify against a dummy hash for unknown users so timing does not reveal which usernames exist.
    const ok = await verifyPassword(body.password, user?.passwordHash ?? (await DUMMY_HASH_PROMISE));
    if (!user || !ok || !user.active) throw new HttpError(401, '用户名或密码错误 / wrong username or password');
    const token = jwt.sign({ org: user.orgId, roles: user.roles }, opts.secret, {
      subject: user.username,
      expiresIn: opts.ttl as jwt.SignOptions['expiresIn'],
      algorithm: 'HS256',
    });
    const org = await getOrg(opts.db, user.orgId);
    res.json({
      token,
      user: { username: user.username, name: user.name, org: user.orgId, orgName: org?.name, roles: user.roles },
    });
  });
  return router;
}

interface TokenClaims {
  sub: string;
  org: string;
  roles: string[];
}

/** Requires a valid bearer token; loads the caller (user still active, org path) onto req.caller. */
export function requireAuth(opts: { db: Db; secret: string }) {
  // Users and orgs change rarely; a short cache keeps the hot path to one JWT check.
  const cache = new Map<string, { caller: Caller; until: number }>();
  return async (req: Request, _res: Response, next: NextFunction) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) return next(new HttpError(401, '缺少登录令牌 / missing bearer token'));
    let claims: TokenClaims;
    try {
      claims = jwt.verify(match[1]!, opts.secret, { algorithms: ['HS256'] }) as TokenClaims;
    } catch (e) {
      const expired = e instanceof jwt.TokenExpiredError;
      return next(new HttpError(401, expired ? '登录已过期，请重新登录 / session expired' : '登录令牌无效 / invalid token'));
    }
    try {
      const hit = cache.get(claims.sub);
      if (hit && hit.until > Date.now()) {
        req.caller = hit.caller;
        return next();
      }
      const user = await getUser(opts.db, claims.sub);
      if (!user || !user.active) return next(new HttpError(401, '账号不存在或已停用 / account disabled'));
      const org = await getOrg(opts.db, user.orgId);
      if (!org) return next(new HttpError(401, '账号所属组织不存在 / account org missing'));
      const caller: Caller = { username: user.username, name: user.name, orgId: org.id, orgName: org.name, orgPath: org.path, roles: user.roles };
      cache.set(claims.sub, { caller, until: Date.now() + 30_000 });
      req.caller = caller;
      next();
    } catch (e) {
      next(e);
    }
  };
}

/** The authenticated caller; routes behind requireAuth always have one. */
export function callerOf(req: Request): Caller {
  if (!req.caller) throw new HttpError(401, '未登录 / not signed in');
  return req.caller;
}

export function hasRole(caller: Caller, ...roles: string[]): boolean {
  return roles.some((r) => caller.roles.includes(r));
}

/** True when the org path lies within the caller's org subtree. */
export function inScope(caller: Caller, orgPath: string): boolean {
  return orgPath.startsWith(caller.orgPath);
}

/**
 * The caller for an active user, as requireAuth builds it; undefined for an
 * unknown or disabled user. Used where a short-lived signed link stands in for
 * the bearer token (the bulletin print page, opened in a tab of its own).
 */
export async function callerForUser(db: Db, username: string): Promise<Caller | undefined> {
  const user = await getUser(db, username);
  if (!user || !user.active) return undefined;
  const org = await getOrg(db, user.orgId);
  if (!org) return undefined;
  return { username: user.username, name: user.name, orgId: org.id, orgName: org.name, orgPath: org.path, roles: user.roles };
}
