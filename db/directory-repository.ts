/**
 * The staff directory the web app's pickers read (转办 / 加签 choose a
 * colleague): active users with their org's name, within an org subtree or
 * in a given list of orgs. Read-only; no personal data beyond names.
 */
import type { Db } from './knex';

export interface DirectoryUser {
  username: string;
  name: string;
  orgId: string;
  orgName: string;
  roles: string[];
}

/**
 * Active users whose org lies under `pathPrefix` or is one of `orgIds`,
 * optionally narrowed by a text match on username or name; ordered by org
 * path, then username.
 */
export async function listDirectoryUsers(db: Db, opts: { pathPrefix: string; orgIds: string[]; q?: string; limit: number }): Promise<DirectoryUser[]> {
  const query = db('users as u')
    .join('orgs as o', 'o.id', 'u.org_id')
    .select({ username: 'u.username', name: 'u.name', orgId: 'u.org_id', orgName: 'o.name', roles: 'u.roles' })
    .where('u.active', true)
    .andWhere((w) => {
      w.where('o.path', 'like', `${opts.pathPrefix}%`);
      if (opts.orgIds.length) w.orWhereIn('o.id', opts.orgIds);
    })
    .orderBy('o.path')
    .orderBy('u.username')
    .limit(opts.limit);
  if (opts.q) {
    const like = `%${opts.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query.andWhere((w) => void w.whereILike('u.username', like).orWhereILike('u.name', like));
  }
  return query;
}
