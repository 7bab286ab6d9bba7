/**
 * Sessions: login (POST /api/auth/login), logout, password change, and the
 * check every authenticated request passes. Tokens are JWTs carrying only the
 * username, org and roles — no secrets, no personal data — and the instant
 * they were issued, so that `users.tokens_valid_after` can end them early.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { DEMO_PASSWORD } from '../db/demo-seed';
import type { Db } from '../db/knex';
import { getOrg } from '../db/org-repository';
import { getSession, getUserCredentials, recordLogin, requirePasswordChange, revokeTokens, setPassword } from '../db/user-repository';
import { capabilities, type Post } from '../domain/policy';
import { badRequest, forbidden, HttpError, parseOr400, type FieldError } from './errors';
import { DUMMY_HASH_PROMISE, hashPassword, verifyPassword } from './passwords';
import type { LoginLimiter } from './rate-limits';

export interface Caller {
  username: string;
  name: string;
  orgId: string;
  orgName: string;
  /** Ancestor path of the caller's org ('/henan/pds/'); everything below it is in scope. */
  orgPath: string;
  /** The roles held at the home org. */
  roles: string[];
  /** Every active post (岗位), at the home org and elsewhere: what the policy reads (domain/policy.ts `postsOf`). */
  posts: CallerPost[];
}

/** An active post of the caller, with its id and org name for display. */
export interface CallerPost extends Post {
  id: string;
  orgName: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    caller?: Caller;
    /** When the caller's token was issued (ms since the epoch). */
    tokenIssuedAt?: number;
  }
}

export interface AuthOptions {
  db: Db;
  secret: string;
  ttl: string;
  /** Failed-login limits per account and per address (shared in Postgres). */
  limiter: LoginLimiter;
  /** NODE_ENV=production: users still on the demo password must change it. */
  production: boolean;
}

export const loginSchema = z.object({
  username: z.string().trim().min(1, '请输入用户名 / username is required').max(100),
  password: z.string().min(1, '请输入密码 / password is required').max(200),
});

export const passwordChangeSchema = z.object({
  currentPassword: z.string().min(1, '请输入当前密码 / current password is required').max(200),
  newPassword: z.string().min(1, '请输入新密码 / new password is required').max(200, '新密码最多 200 个字符 / at most 200 characters'),
});

/** Minimum length of a chosen password. */
export const PASSWORD_MIN_LENGTH = 10;

/**
 * The password rules (密码规则), as field errors for `newPassword`: at least
 * ten characters, of at least two kinds (letters, digits, other), not the
 * username, not the current password, not the published demo password.
 */
export function passwordProblems(newPassword: string, ctx: { username: string; currentPassword: string }): FieldError[] {
  const problems: string[] = [];
  if ([...newPassword].length < PASSWORD_MIN_LENGTH) problems.push(`至少 ${PASSWORD_MIN_LENGTH} 个字符 / at least ${PASSWORD_MIN_LENGTH} characters`);
  const kinds = [/\p{L}/u, /\p{Nd}/u, /[^\p{L}\p{Nd}]/u].filter((re) => re.test(newPassword)).length;
  if (kinds < 2) problems.push('须包含字母、数字、符号中的至少两种 / use at least two of letters, digits and symbols');
  if (newPassword.toLowerCase().includes(ctx.username.toLowerCase())) problems.push('不能包含用户名 / must not contain the username');
  if (newPassword === ctx.currentPassword) problems.push('不能与当前密码相同 / must differ from the current password');
  if (newPassword === DEMO_PASSWORD) problems.push('不能使用演示密码 / must not be the demo password');
  return problems.map((message) => ({ path: 'newPassword', message }));
}

const signingKeys = new Map<string, KeyObject>();

/**
 * An HS256 secret as the KeyObject jsonwebtoken wants, made once per secret. Given a string, jsonwebtoken first
 * tries to read it as a PEM public key and catches the failure — on every verify; that was a tenth of the API's CPU
 * under the approvals bench.
 */
export function hmacKey(secret: string | Buffer): KeyObject {
  const id = typeof secret === 'string' ? `s:${secret}` : `b:${secret.toString('hex')}`;
  let key = signingKeys.get(id);
  if (!key) {
    if (signingKeys.size >= 16) signingKeys.clear();
    key = createSecretKey(typeof secret === 'string' ? Buffer.from(secret) : secret);
    signingKeys.set(id, key);
  }
  return key;
}

interface TokenClaims {
  sub: string;
  org: string;
  roles: string[];
  /** Issued at, in milliseconds (the standard `iat` has whole seconds only). */
  iat_ms?: number;
  iat?: number;
}

function issueToken(opts: AuthOptions, user: { username: string; orgId: string; roles: string[] }, issuedAt: number): string {
  return jwt.sign({ org: user.orgId, roles: user.roles, iat_ms: issuedAt }, hmacKey(opts.secret), {
    subject: user.username,
    expiresIn: opts.ttl as jwt.SignOptions['expiresIn'],
    algorithm: 'HS256',
  });
}

/** Routes a caller who must change their password may still use. */
const ALLOWED_BEFORE_PASSWORD_CHANGE = new Set(['POST /api/auth/password', 'POST /api/auth/logout']);

export function authRoutes(opts: AuthOptions): Router {
  const router = express.Router();
  const auth = requireAuth(opts);

  router.post('/api/auth/login', async (req, res) => {
    const body = parseOr400(loginSchema, req.body);
    const address = req.ip ?? 'unknown';
    await opts.limiter.check(body.username, address);
    const user = await getUserCredentials(opts.db, body.username);
    // Verify against a dummy hash for unknown users so timing does not reveal which usernames exist.
    const ok = await verifyPassword(body.password, user?.passwordHash ?? (await DUMMY_HASH_PROMISE));
    if (!user || !ok || !user.active) {
      await opts.limiter.failed(body.username, address);
      throw new HttpError(401, '用户名或密码错误 / wrong username or password');
    }
    await opts.limiter.succeeded(body.username);
    await recordLogin(opts.db, user.username);
    // In production the published demo password is as good as none: its holder must choose another first.
    let mustChangePassword = user.mustChangePassword;
    if (!mustChangePassword && opts.production && body.password === DEMO_PASSWORD) {
      await requirePasswordChange(opts.db, user.username);
      mustChangePassword = true;
    }
    const token = issueToken(opts, user, Date.now());
    const org = await getOrg(opts.db, user.orgId);
    res.json({
      token,
      user: {
        username: user.username,
        name: user.name,
        org: user.orgId,
        orgName: org?.name,
        roles: user.roles,
        can: capabilities({ username: user.username, orgId: user.orgId, orgPath: org?.path ?? '', roles: user.roles }, org?.kind),
      },
      mustChangePassword,
    });
  });

  /** Ends the session at once, here and in every other API process: the user's tokens issued so far stop working. */
  router.post('/api/auth/logout', auth, async (req, res) => {
    const caller = callerOf(req);
    // One millisecond past this token's issue, so that even a token issued in the same millisecond ends.
    await revokeTokens(opts.db, caller.username, new Date(Math.max(Date.now(), (req.tokenIssuedAt ?? 0) + 1)));
    res.status(204).end();
  });

  /** Changes the caller's password; every other token of theirs stops working, and the answer carries a fresh one. */
  router.post('/api/auth/password', auth, async (req, res) => {
    const caller = callerOf(req);
    const body = parseOr400(passwordChangeSchema, req.body);
    const address = req.ip ?? 'unknown';
    // Guessing the current password with a stolen token counts against the same limits as logins.
    await opts.limiter.check(caller.username, address);
    const user = await getUserCredentials(opts.db, caller.username);
    if (!user || !(await verifyPassword(body.currentPassword, user.passwordHash))) {
      await opts.limiter.failed(caller.username, address);
      throw badRequest('当前密码不正确 / the current password is wrong', [{ path: 'currentPassword', message: '当前密码不正确 / wrong password' }]);
    }
    const problems = passwordProblems(body.newPassword, { username: caller.username, currentPassword: body.currentPassword });
    if (problems.length) throw badRequest('新密码不符合要求 / the new password does not meet the rules', problems);
    const at = Date.now();
    await setPassword(opts.db, caller.username, await hashPassword(body.newPassword), new Date(at));
    const org = await getOrg(opts.db, user.orgId);
    res.json({
      token: issueToken(opts, user, at),
      user: { username: user.username, name: user.name, org: user.orgId, orgName: caller.orgName, roles: user.roles, can: capabilities(caller, org?.kind) },
      mustChangePassword: false,
    });
  });
  return router;
}

/**
 * Requires a valid bearer token; loads the caller (user still active, org
 * path) onto req.caller. Every request reads the user's row (one primary-key
 * join, no cache), so a logout or password change in any API process ends
 * the user's older tokens at once. While the user must change their password,
 * every route but the password change and logout answers 403.
 */
export function requireAuth(opts: { db: Db; secret: string }) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) return next(new HttpError(401, '缺少登录令牌 / missing bearer token'));
    let claims: TokenClaims;
    try {
      claims = jwt.verify(match[1]!, hmacKey(opts.secret), { algorithms: ['HS256'] }) as TokenClaims;
    } catch (e) {
      const expired = e instanceof jwt.TokenExpiredError;
      return next(new HttpError(401, expired ? '登录已过期，请重新登录 / session expired' : '登录令牌无效 / invalid token'));
    }
    try {
      const session = await getSession(opts.db, claims.sub);
      if (!session || !session.active) return next(new HttpError(401, '账号不存在或已停用 / account disabled'));
      const issuedAt = claims.iat_ms ?? (claims.iat ?? 0) * 1000;
      if (session.tokensValidAfter && issuedAt < new Date(session.tokensValidAfter).getTime())
        return next(new HttpError(401, '登录已失效，请重新登录 / this session has ended, sign in again'));
      if (session.mustChangePassword && !ALLOWED_BEFORE_PASSWORD_CHANGE.has(`${req.method} ${req.originalUrl.split('?')[0]}`))
        return next(forbidden('请先修改密码 / change your password first'));
      req.caller = {
        username: session.username,
        name: session.name,
        orgId: session.orgId,
        orgName: session.orgName,
        orgPath: session.orgPath,
        roles: session.roles,
        posts: session.posts,
      };
      req.tokenIssuedAt = issuedAt;
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
  const session = await getSession(db, username);
  if (!session || !session.active) return undefined;
  return {
    username: session.username,
    name: session.name,
    orgId: session.orgId,
    orgName: session.orgName,
    orgPath: session.orgPath,
    roles: session.roles,
    posts: session.posts,
  };
}
