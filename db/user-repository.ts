import type { Role } from '../domain/policy';
import type { Db } from './knex';

export interface UserRow {
  username: string;
  name: string;
  orgId: string;
  roles: string[];
  active: boolean;
}

const columns = { username: 'username', name: 'name', orgId: 'org_id', roles: 'roles', active: 'active' };

export async function getUser(db: Db, username: string): Promise<UserRow | undefined> {
  return db('users').select<UserRow[]>(columns).where({ username }).first();
}

/** The user with the stored password hash, for login only. */
export async function getUserCredentials(db: Db, username: string): Promise<(UserRow & { passwordHash: string; mustChangePassword: boolean }) | undefined> {
  return db('users')
    .select<(UserRow & { passwordHash: string; mustChangePassword: boolean })[]>({
      ...columns,
      passwordHash: 'password_hash',
      mustChangePassword: 'must_change_password',
    })
    .where({ username })
    .first();
}

export async function countUsers(db: Db): Promise<number> {
  const row = await db('users').count<{ n: string }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** Active users holding an active post of `role` in exactly `orgId` (whatever their home org). */
export async function listUsersWithRole(db: Db, orgId: string, role: string): Promise<UserRow[]> {
  return db('users as u')
    .join('user_posts as p', 'p.username', 'u.username')
    .select({ username: 'u.username', name: 'u.name', orgId: 'u.org_id', roles: 'u.roles', active: 'u.active' })
    .where({ 'p.org_id': orgId, 'p.role': role, 'u.active': true })
    .whereNull('p.ended_at')
    .orderBy('u.username');
}

/**
 * Creates or updates a demo account: the user row, and its posts at the home
 * org made exactly `roles` (posts elsewhere are left alone). One transaction.
 */
export async function upsertUser(db: Db, user: { username: string; name: string; orgId: string; roles: string[]; passwordHash: string }): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('users')
      .insert({ username: user.username, name: user.name, org_id: user.orgId, roles: user.roles, password_hash: user.passwordHash })
      .onConflict('username')
      .merge(['name', 'org_id', 'password_hash']);
    await trx('user_posts')
      .where({ username: user.username, org_id: user.orgId })
      .whereNull('ended_at')
      .whereNotIn('role', user.roles)
      .update({ ended_at: trx.fn.now() });
    for (const role of user.roles) await insertPost(trx, { username: user.username, orgId: user.orgId, role: role as Role, createdBy: 'seed' });
    await syncHomeRoles(trx, user.username);
  });
}

// ---------------------------------------------------------------------------
// Posts (岗位): the source of truth for who holds which role where
// ---------------------------------------------------------------------------

/** A post: a role at an org, held from `startedAt` until `endedAt` (null: still held). */
export interface PostRow {
  id: string;
  username: string;
  orgId: string;
  orgName: string;
  orgPath: string;
  role: Role;
  startedAt: Date;
  endedAt: Date | null;
  createdBy: string | null;
}

const postColumns = {
  id: 'p.id',
  username: 'p.username',
  orgId: 'p.org_id',
  orgName: 'o.name',
  orgPath: 'o.path',
  role: 'p.role',
  startedAt: 'p.started_at',
  endedAt: 'p.ended_at',
  createdBy: 'p.created_by',
};

/** The active posts of these users, oldest first. */
export async function listActivePosts(db: Db, usernames: readonly string[]): Promise<PostRow[]> {
  if (usernames.length === 0) return [];
  const rows = await db('user_posts as p')
    .join('orgs as o', 'o.id', 'p.org_id')
    .select<PostRow[]>(postColumns)
    .whereIn('p.username', [...usernames])
    .whereNull('p.ended_at')
    .orderBy('p.id');
  return rows.map((r) => ({ ...r, id: String(r.id) }));
}

export async function getPost(db: Db, id: string): Promise<PostRow | undefined> {
  const row = await db('user_posts as p').join('orgs as o', 'o.id', 'p.org_id').select<PostRow[]>(postColumns).where('p.id', id).first();
  return row ? { ...row, id: String(row.id) } : undefined;
}

/** Starts a post unless the same one is already held; answers its id, or undefined when already held. */
async function insertPost(db: Db, post: { username: string; orgId: string; role: Role; createdBy: string }): Promise<string | undefined> {
  const rows = await db('user_posts')
    .insert({ username: post.username, org_id: post.orgId, role: post.role, created_by: post.createdBy })
    .onConflict(db.raw('(username, org_id, role) WHERE ended_at IS NULL'))
    .ignore()
    .returning<{ id: string }[]>('id');
  return rows[0] ? String(rows[0].id) : undefined;
}

/**
 * Keeps `users.roles` (the roles held at the home org) equal to the active
 * posts there. Called in the transaction of every change of posts.
 */
async function syncHomeRoles(db: Db, username: string): Promise<void> {
  await db.raw(
    `UPDATE users u SET roles = COALESCE((
       SELECT array_agg(p.role ORDER BY p.role) FROM user_posts p
       WHERE p.username = u.username AND p.org_id = u.org_id AND p.ended_at IS NULL), '{}')
     WHERE u.username = ?`,
    [username],
  );
}

/** Starts a post (in the caller's transaction); undefined when the person already holds it. */
export async function addPost(db: Db, post: { username: string; orgId: string; role: Role; createdBy: string }): Promise<PostRow | undefined> {
  const id = await insertPost(db, post);
  if (!id) return undefined;
  await syncHomeRoles(db, post.username);
  return getPost(db, id);
}

/** Ends a post (never deletes it); false when it was not active. */
export async function endPost(db: Db, id: string): Promise<boolean> {
  const post = await db('user_posts').where({ id }).whereNull('ended_at').update({ ended_at: db.fn.now() }).returning<{ username: string }[]>('username');
  if (!post[0]) return false;
  await syncHomeRoles(db, post[0].username);
  return true;
}

/**
 * Creates an account with its posts (in the caller's transaction). The home
 * org is the first post's org; the password must be changed at first login.
 */
export async function createUser(
  db: Db,
  user: {
    username: string;
    name: string;
    email?: string | null;
    phone?: string | null;
    passwordHash: string;
    posts: { orgId: string; role: Role }[];
    createdBy: string;
  },
): Promise<boolean> {
  const inserted = await db('users')
    .insert({
      username: user.username,
      name: user.name,
      org_id: user.posts[0]!.orgId,
      roles: [],
      email: user.email ?? null,
      phone: user.phone ?? null,
      password_hash: user.passwordHash,
      must_change_password: true,
    })
    .onConflict('username')
    .ignore()
    .returning('username');
  if (inserted.length === 0) return false;
  for (const p of user.posts) await insertPost(db, { username: user.username, orgId: p.orgId, role: p.role, createdBy: user.createdBy });
  await syncHomeRoles(db, user.username);
  return true;
}

/** Account details an admin edits. */
export async function updateUser(
  db: Db,
  username: string,
  patch: { name?: string; email?: string | null; phone?: string | null; active?: boolean },
): Promise<void> {
  const row: Record<string, unknown> = {};
  if (patch.name !== undefined) row.name = patch.name;
  if (patch.email !== undefined) row.email = patch.email;
  if (patch.phone !== undefined) row.phone = patch.phone;
  if (patch.active !== undefined) row.active = patch.active;
  if (Object.keys(row).length) await db('users').where({ username }).update(row);
}

/** A new password chosen by an admin (reset): must be changed at next login; every session ends. */
export async function resetPassword(db: Db, username: string, passwordHash: string, at: Date): Promise<void> {
  await db('users').where({ username }).update({ password_hash: passwordHash, must_change_password: true, tokens_valid_after: at });
}

export async function recordLogin(db: Db, username: string): Promise<void> {
  await db('users').where({ username }).update({ last_login_at: db.fn.now() });
}

/** An account as the people page shows it. */
export interface PersonRow extends UserRow {
  orgName: string;
  orgPath: string;
  email: string | null;
  phone: string | null;
  lastLoginAt: Date | null;
  mustChangePassword: boolean;
}

const personColumns = {
  username: 'u.username',
  name: 'u.name',
  orgId: 'u.org_id',
  roles: 'u.roles',
  active: 'u.active',
  orgName: 'o.name',
  orgPath: 'o.path',
  email: 'u.email',
  phone: 'u.phone',
  lastLoginAt: 'u.last_login_at',
  mustChangePassword: 'u.must_change_password',
};

export async function getPerson(db: Db, username: string): Promise<PersonRow | undefined> {
  return db('users as u').join('orgs as o', 'o.id', 'u.org_id').select<PersonRow[]>(personColumns).where('u.username', username).first();
}

/**
 * People placed within any of `pathPrefixes`: an active post there, or — for
 * someone with no active post — their home org there. Optionally only those
 * placed within `orgPath`, matching `q` (username or name), holding `role`,
 * active or not. Paged, by username.
 */
export async function listPeople(
  db: Db,
  f: { pathPrefixes: readonly string[]; orgPath?: string; q?: string; role?: string; active?: boolean; offset: number; limit: number },
): Promise<{ total: number; rows: PersonRow[] }> {
  if (f.pathPrefixes.length === 0) return { total: 0, rows: [] };
  const places = db.raw(
    `(SELECT p.username, po.path, p.role FROM user_posts p JOIN orgs po ON po.id = p.org_id WHERE p.ended_at IS NULL
      UNION ALL
      SELECT u2.username, ho.path, NULL FROM users u2 JOIN orgs ho ON ho.id = u2.org_id
      WHERE NOT EXISTS (SELECT 1 FROM user_posts p2 WHERE p2.username = u2.username AND p2.ended_at IS NULL)) AS pl`,
  );
  const q = db('users as u')
    .join('orgs as o', 'o.id', 'u.org_id')
    .whereExists((w) => {
      void w
        .select(db.raw('1'))
        .from(places)
        .whereRaw('pl.username = u.username')
        .andWhere((s) => {
          for (const prefix of f.pathPrefixes) void s.orWhere('pl.path', 'like', `${prefix}%`);
        });
      if (f.orgPath) void w.andWhere('pl.path', 'like', `${f.orgPath}%`);
      if (f.role) void w.andWhere('pl.role', f.role);
    });
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    void q.andWhere((w) => void w.whereILike('u.username', like).orWhereILike('u.name', like));
  }
  if (f.active !== undefined) void q.andWhere('u.active', f.active);
  const [count, rows] = await Promise.all([
    q.clone().count<{ n: string }[]>({ n: '*' }).first(),
    q.clone().select(personColumns).orderBy('u.username').offset(f.offset).limit(f.limit) as Promise<PersonRow[]>,
  ]);
  return { total: Number(count?.n ?? 0), rows };
}

/** Users by name with the path of their org (for the authorization policy's hand-off checks). */
export async function listUsersWithOrgPath(db: Db, usernames: readonly string[]): Promise<(UserRow & { orgPath: string })[]> {
  if (usernames.length === 0) return [];
  return db('users as u')
    .join('orgs as o', 'o.id', 'u.org_id')
    .select({ username: 'u.username', name: 'u.name', orgId: 'u.org_id', roles: 'u.roles', active: 'u.active', orgPath: 'o.path' })
    .whereIn('u.username', [...usernames]);
}

/** What every authenticated request checks: the user, their org, and whether their tokens still count. */
export interface SessionRow extends UserRow {
  orgName: string;
  orgPath: string;
  /** Tokens issued before this instant are refused (logout, password change); null: none revoked. */
  tokensValidAfter: Date | null;
  mustChangePassword: boolean;
  /** The active posts (岗位), oldest first. */
  posts: { id: string; orgId: string; orgPath: string; orgName: string; role: Role }[];
}

/**
 * One primary-key join per request: the user, their org, their active posts
 * (one indexed subquery) and the revocation instant. Read on every request, not cached, so a logout in one API process
 * applies at once in all of them.
 */
export async function getSession(db: Db, username: string): Promise<SessionRow | undefined> {
  const row: SessionRow | undefined = await db('users as u')
    .join('orgs as o', 'o.id', 'u.org_id')
    .select({
      username: 'u.username',
      name: 'u.name',
      orgId: 'u.org_id',
      roles: 'u.roles',
      active: 'u.active',
      orgName: 'o.name',
      orgPath: 'o.path',
      tokensValidAfter: 'u.tokens_valid_after',
      mustChangePassword: 'u.must_change_password',
      posts: db.raw(
        `COALESCE((SELECT json_agg(json_build_object('id', p.id::text, 'orgId', p.org_id, 'orgPath', po.path, 'orgName', po.name, 'role', p.role) ORDER BY p.id)
           FROM user_posts p JOIN orgs po ON po.id = p.org_id WHERE p.username = u.username AND p.ended_at IS NULL), '[]'::json)`,
      ) as unknown as string,
    })
    .where('u.username', username)
    .first();
  return row;
}

/** Ends every session of the user issued before `at` (logout, password change). */
export async function revokeTokens(db: Db, username: string, at: Date): Promise<void> {
  await db('users').where({ username }).update({ tokens_valid_after: at });
}

/**
 * Stores a new password hash: clears the must-change flag and ends every
 * session issued before `at` (the caller's new token is issued at `at`).
 */
export async function setPassword(db: Db, username: string, passwordHash: string, at: Date): Promise<void> {
  await db('users').where({ username }).update({ password_hash: passwordHash, must_change_password: false, tokens_valid_after: at });
}

/** Marks the user as having to choose a new password before anything else. */
export async function requirePasswordChange(db: Db, username: string): Promise<void> {
  await db('users').where({ username }).update({ must_change_password: true });
}
