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
  return db('users').select(columns).where({ username }).first();
}

/** The user with the stored password hash, for login only. */
export async function getUserCredentials(db: Db, username: string): Promise<(UserRow & { passwordHash: string }) | undefined> {
  return db('users')
    .select({ ...columns, passwordHash: 'password_hash' })
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
