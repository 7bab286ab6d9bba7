/**
 * People and posts (人员与岗位), for admins within their subtrees, and the
 * caller's own profile:
 *
 * - GET /api/me — the caller: home org, active posts, and the deputy named for their time away (in force or ahead).
 * - GET /api/users — people placed within the caller's admin subtrees.
 * - POST /api/users — a new account with its posts and a one-time initial
 *   password (shown once; the first login must change it).
 * - PATCH /api/users/:username — name, contacts, active (deactivating ends
 *   every session).
 * - POST /api/users/:username/reset-password, /unlock.
 * - POST /api/users/:username/posts, DELETE /api/users/:username/posts/:postId
 *   — start and end a post (never deleted: ended). Ending a person's last
 *   post is allowed: they keep their account but hold no role anywhere.
 *
 * Who may do what is domain/policy.ts (seeUser, manageUser, grantPost…);
 * every change writes its admin_audit row in the same transaction.
 */
import crypto from 'node:crypto';
import express, { type Router } from 'express';
import { z } from 'zod';
import { recordAdminChange } from '../db/admin-audit-repository';
import { deputyOf } from '../db/deputy-repository';
import type { Db } from '../db/knex';
import { getOrg } from '../db/org-repository';
import {
  addPost,
  createUser,
  endPost,
  getPerson,
  getPost,
  listActivePosts,
  listPeople,
  resetPassword,
  revokeTokens,
  updateUser,
  type PersonRow,
  type PostRow,
} from '../db/user-repository';
import {
  capabilities,
  createUsers,
  grantPost,
  listPeople as mayListPeople,
  manageUser,
  ROLES,
  scopesWith,
  seeUser,
  within,
  type PersonFacts,
  type Role,
} from '../domain/policy';
import { callerOf, type Caller } from './auth';
import { conflict, enforce, notFound, parseOr400 } from './errors';
import { registerRoutes } from './openapi';
import { hashPassword } from './passwords';
import type { LoginLimiter } from './rate-limits';
import { pageAnswer, pageWindow, pagingQuery } from './validation';

const roleSchema = z.enum(ROLES as [Role, ...Role[]], {
  error: '角色须为 staff、reviewer、admin、supervisor 之一 / role: staff, reviewer, admin or supervisor',
});
const orgIdSchema = z.string().trim().min(1, '请选择组织 / org is required').max(100);
const postSchema = z.object({ org: orgIdSchema, role: roleSchema });
const email = z.email('邮箱格式不正确 / not an email address').max(200);
const phone = z
  .string()
  .trim()
  .regex(/^[0-9+\-() ]{3,30}$/, '电话格式不正确 / not a phone number');

export const createUserSchema = z.object({
  username: z
    .string()
    .trim()
    .regex(/^[A-Z0-9][\w.-]{1,63}$/i, '用户名为 2–64 位字母、数字、点、下划线或连字符 / 2–64 letters, digits, dots, underscores or hyphens'),
  name: z.string().trim().min(1, '请输入姓名 / name is required').max(100),
  email: email.optional(),
  phone: phone.optional(),
  posts: z.array(postSchema).min(1, '至少一个岗位 / at least one post').max(20),
});

export const updateUserSchema = z
  .object({
    name: z.string().trim().min(1, '姓名不能为空 / name must not be empty').max(100).optional(),
    email: email.nullable().optional(),
    phone: phone.nullable().optional(),
    active: z.boolean().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: '没有要修改的内容 / nothing to change', path: ['(body)'] });

export const addPostSchema = postSchema;

const listQuery = z.object({
  org: orgIdSchema.optional(),
  q: z.string().trim().max(100).optional(),
  role: roleSchema.optional(),
  status: z.enum(['active', 'inactive']).optional(),
  ...pagingQuery(100),
});

registerRoutes({
  '/api/me': { get: { summary: '当前用户：本单位、在任岗位、代理人 / the caller: home org, active posts, deputy' } },
  '/api/users': {
    get: {
      summary: '人员列表（管理员，本级及下级）/ people within the caller’s admin subtrees',
      query: ['org', 'q', 'role', 'status', 'page', 'pageSize', 'limit', 'cursor'],
    },
    post: {
      summary: '新建账号与岗位，返回一次性初始密码 / create an account with its posts; answers the initial password once',
      body: createUserSchema,
      ok: 201,
    },
  },
  '/api/users/{username}': { patch: { summary: '修改姓名、联系方式、启用或停用 / edit name, contacts, active', body: updateUserSchema } },
  '/api/users/{username}/reset-password': { post: { summary: '重置密码：新初始密码，须修改，会话全部结束 / reset: a new initial password' } },
  '/api/users/{username}/unlock': { post: { summary: '解除登录锁定 / clear the login back-off' } },
  '/api/users/{username}/posts': { post: { summary: '任职：新增岗位 / start a post', body: addPostSchema, ok: 201 } },
  '/api/users/{username}/posts/{postId}': { delete: { summary: '免职：结束岗位（保留记录）/ end a post (kept, ended)' } },
});

export interface UserDeps {
  db: Db;
  limiter: LoginLimiter;
}

/** A one-time initial password: 14 characters, letters and digits without look-alikes. */
export function initialPassword(): string {
  const letters = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ';
  const digits = '23456789';
  const all = letters + digits;
  const chars = Array.from({ length: 12 }, () => all[crypto.randomInt(all.length)]!);
  chars.push(letters[crypto.randomInt(letters.length)]!, digits[crypto.randomInt(digits.length)]!);
  return chars.join('');
}

/** Where the policy sees a person: their active posts' orgs, or their home org when they hold none. */
function factsOf(person: PersonRow, posts: readonly PostRow[]): PersonFacts {
  return { username: person.username, places: posts.length ? posts.map((p) => p.orgPath) : [person.orgPath] };
}

/** The person with their posts, or 404 when the policy does not let the caller see them. */
async function loadPerson(db: Db, caller: Caller, username: string) {
  const person = await getPerson(db, username);
  const posts = person ? await listActivePosts(db, [person.username]) : [];
  const facts = person ? factsOf(person, posts) : undefined;
  enforce(seeUser(caller, facts));
  return { person: person!, posts, facts: facts! };
}

const postView = (p: PostRow) => ({ id: p.id, org: p.orgId, orgName: p.orgName, role: p.role, startedAt: p.startedAt });

function personView(p: PersonRow, posts: readonly PostRow[], locked: boolean) {
  return {
    username: p.username,
    name: p.name,
    org: p.orgId,
    orgName: p.orgName,
    posts: posts.map(postView),
    active: p.active,
    locked,
    lastLoginAt: p.lastLoginAt,
    mustChangePassword: p.mustChangePassword,
    email: p.email,
    phone: p.phone,
  };
}

export function userRoutes(deps: UserDeps): Router {
  const router = express.Router();
  const { db } = deps;

  router.get('/api/me', async (req, res) => {
    const c = callerOf(req);
    res.json({
      username: c.username,
      name: c.name,
      org: c.orgId,
      orgName: c.orgName,
      roles: c.roles,
      posts: c.posts.map((p) => ({ id: p.id, org: p.orgId, orgName: p.orgName, role: p.role })),
      // Only a caller who has changed it reaches this route (api/auth.ts), so this is false here.
      mustChangePassword: false,
      deputy: await deputyOf(db, c.username),
      // What the web app offers (menus), from the policy.
      can: capabilities(c, (await getOrg(db, c.orgId))?.kind),
    });
  });

  router.get('/api/users', async (req, res) => {
    const caller = callerOf(req);
    enforce(mayListPeople(caller));
    const q = parseOr400(listQuery, req.query);
    const win = pageWindow(q, 20);
    const scopes = scopesWith(caller, 'admin');
    let orgPath: string | undefined;
    if (q.org) {
      const org = await getOrg(db, q.org);
      if (!org || !scopes.some((s) => within(org.path, s))) throw notFound('组织不存在 / org not found');
      orgPath = org.path;
    }
    const { total, rows } = await listPeople(db, {
      pathPrefixes: scopes,
      orgPath,
      q: q.q || undefined,
      role: q.role,
      active: q.status ? q.status === 'active' : undefined,
      offset: win.offset,
      limit: win.size,
    });
    const posts = await listActivePosts(
      db,
      rows.map((r) => r.username),
    );
    const locked = await Promise.all(rows.map((r) => deps.limiter.locked(r.username)));
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      items: rows.map((r, i) =>
        personView(
          r,
          posts.filter((p) => p.username === r.username),
          locked[i]!,
        ),
      ),
      ...pageAnswer(win, rows.length, total),
    });
  });

  router.post('/api/users', async (req, res) => {
    const caller = callerOf(req);
    enforce(createUsers(caller));
    const body = parseOr400(createUserSchema, req.body);
    const wanted = [...new Map(body.posts.map((p) => [`${p.org}\u0000${p.role}`, p])).values()];
    const orgs = await Promise.all(wanted.map((p) => getOrg(db, p.org)));
    wanted.forEach((p, i) => enforce(grantPost(caller, undefined, { orgPath: orgs[i]?.path, role: p.role }, true)));
    const password = initialPassword();
    const passwordHash = await hashPassword(password);
    const created = await db.transaction(async (trx) => {
      const ok = await createUser(trx, {
        username: body.username,
        name: body.name,
        email: body.email ?? null,
        phone: body.phone ?? null,
        passwordHash,
        posts: wanted.map((p) => ({ orgId: p.org, role: p.role })),
        createdBy: caller.username,
      });
      if (!ok) return false;
      await recordAdminChange(trx, {
        actor: caller.username,
        action: 'user.create',
        subjectKind: 'user',
        subjectId: body.username,
        orgPath: orgs[0]!.path,
        data: { name: body.name, email: body.email ?? null, phone: body.phone ?? null, posts: wanted },
      });
      return true;
    });
    if (!created) throw conflict('用户名已存在 / this username is taken');
    res.status(201).json({ username: body.username, initialPassword: password });
  });

  router.patch('/api/users/:username', async (req, res) => {
    const caller = callerOf(req);
    const { person, facts } = await loadPerson(db, caller, req.params.username);
    enforce(manageUser(caller, facts));
    const body = parseOr400(updateUserSchema, req.body);
    const at = new Date();
    await db.transaction(async (trx) => {
      await updateUser(trx, person.username, body);
      if (body.active === false) await revokeTokens(trx, person.username, at);
      const before = Object.fromEntries(Object.keys(body).map((k) => [k, person[k as keyof typeof body]]));
      await recordAdminChange(trx, {
        actor: caller.username,
        action: body.active === false ? 'user.deactivate' : body.active === true ? 'user.activate' : 'user.update',
        subjectKind: 'user',
        subjectId: person.username,
        orgPath: facts.places[0]!,
        data: { before, after: body },
      });
    });
    const updated = (await getPerson(db, person.username))!;
    res.json(personView(updated, await listActivePosts(db, [person.username]), await deps.limiter.locked(person.username)));
  });

  router.post('/api/users/:username/reset-password', async (req, res) => {
    const caller = callerOf(req);
    const { person, facts } = await loadPerson(db, caller, req.params.username);
    enforce(manageUser(caller, facts));
    const password = initialPassword();
    const passwordHash = await hashPassword(password);
    await db.transaction(async (trx) => {
      await resetPassword(trx, person.username, passwordHash, new Date());
      await recordAdminChange(trx, {
        actor: caller.username,
        action: 'user.reset-password',
        subjectKind: 'user',
        subjectId: person.username,
        orgPath: facts.places[0]!,
      });
    });
    res.json({ username: person.username, initialPassword: password });
  });

  router.post('/api/users/:username/unlock', async (req, res) => {
    const caller = callerOf(req);
    const { person, facts } = await loadPerson(db, caller, req.params.username);
    enforce(manageUser(caller, facts));
    const wasLocked = await deps.limiter.locked(person.username);
    // The back-off lives in the shared rate_limits store, not in a transaction of ours: cleared first, then recorded.
    await deps.limiter.unlock(person.username);
    await recordAdminChange(db, {
      actor: caller.username,
      action: 'user.unlock',
      subjectKind: 'user',
      subjectId: person.username,
      orgPath: facts.places[0]!,
      data: { wasLocked },
    });
    res.json({ username: person.username, locked: false });
  });

  router.post('/api/users/:username/posts', async (req, res) => {
    const caller = callerOf(req);
    const { person, facts } = await loadPerson(db, caller, req.params.username);
    const body = parseOr400(addPostSchema, req.body);
    const org = await getOrg(db, body.org);
    enforce(grantPost(caller, facts, { orgPath: org?.path, role: body.role }));
    const post = await db.transaction(async (trx) => {
      const added = await addPost(trx, { username: person.username, orgId: org!.id, role: body.role, createdBy: caller.username });
      if (!added) return undefined;
      await recordAdminChange(trx, {
        actor: caller.username,
        action: 'post.start',
        subjectKind: 'post',
        subjectId: person.username,
        orgPath: org!.path,
        data: { postId: added.id, org: org!.id, role: body.role },
      });
      return added;
    });
    if (!post) throw conflict('此人已担任该岗位 / this person already holds this post');
    res.status(201).json(postView(post));
  });

  router.delete('/api/users/:username/posts/:postId', async (req, res) => {
    const caller = callerOf(req);
    const { person, facts } = await loadPerson(db, caller, req.params.username);
    const postId = req.params.postId;
    const post = /^\d{1,18}$/.test(postId) ? await getPost(db, postId) : undefined;
    if (!post || post.username !== person.username) throw notFound('岗位不存在 / post not found');
    enforce(grantPost(caller, facts, { orgPath: post.orgPath, role: post.role }));
    if (post.endedAt) throw conflict('此岗位已结束 / this post has already ended');
    const ended = await db.transaction(async (trx) => {
      if (!(await endPost(trx, post.id))) return false;
      await recordAdminChange(trx, {
        actor: caller.username,
        action: 'post.end',
        subjectKind: 'post',
        subjectId: person.username,
        orgPath: post.orgPath,
        data: { postId: post.id, org: post.orgId, role: post.role },
      });
      return true;
    });
    if (!ended) throw conflict('此岗位已结束 / this post has already ended');
    const after = (await getPost(db, post.id))!;
    // Ending the last post is allowed: the account stays, holding no role anywhere (remainingPosts: 0).
    const remaining = await listActivePosts(db, [person.username]);
    res.json({ ...postView(after), endedAt: after.endedAt, remainingPosts: remaining.length });
  });

  return router;
}
