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

/** Users holding `role` in exactly `orgId`. */
export async function listUsersWithRole(db: Db, orgId: string, role: string): Promise<UserRow[]> {
  return db('users').select(columns).where({ org_id: orgId, active: true }).whereRaw('? = ANY(roles)', [role]).orderBy('username');
}

export async function upsertUser(db: Db, user: { username: string; name: string; orgId: string; roles: string[]; passwordHash: string }): Promise<void> {
  await db('users')
    .insert({ username: user.username, name: user.name, org_id: user.orgId, roles: user.roles, password_hash: user.passwordHash })
    .onConflict('username')
    .merge(['name', 'org_id', 'roles', 'password_hash']);
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
}

/**
 * One primary-key join per request: the user, their org and the revocation
 * instant. Read on every request, not cached, so a logout in one API process
 * applies at once in all of them.
 */
export async function getSession(db: Db, username: string): Promise<SessionRow | undefined> {
  return db('users as u')
    .join('orgs as o', 'o.id', 'u.org_id')
    .select<SessionRow[]>({
      username: 'u.username',
      name: 'u.name',
      orgId: 'u.org_id',
      roles: 'u.roles',
      active: 'u.active',
      orgName: 'o.name',
      orgPath: 'o.path',
      tokensValidAfter: 'u.tokens_valid_after',
      mustChangePassword: 'u.must_change_password',
    })
    .where('u.username', username)
    .first();
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
