/**
 * The names behind the ids a list or a timeline carries: people (with their
 * active posts), orgs, campaigns (with their year) and projects, each looked up
 * once per page. The API shows these beside the ids (issue 15: no login, code or
 * id reaches a user's eyes).
 */
import type { Db } from './knex';
import { getOrgsByIds } from './org-repository';
import { listActivePosts, listUsersWithOrgPath } from './user-repository';

export interface NamedPerson {
  name: string;
  /** Home org's name. */
  orgName: string;
  posts: { orgId: string; orgName: string; role: string }[];
}

export interface NameBook {
  people: Map<string, NamedPerson>;
  orgs: Map<string, string>;
  campaigns: Map<string, { name: string; year: number }>;
  projects: Map<string, string>;
  /** Target groups (重点群体: courier → 快递员). */
  groups: Map<string, string>;
}

const uniq = (xs: readonly (string | null | undefined)[]) => [...new Set(xs.filter((x): x is string => typeof x === 'string' && x !== ''))];

export async function lookupNames(
  db: Db,
  ids: {
    users?: readonly (string | null | undefined)[];
    orgs?: readonly (string | null | undefined)[];
    campaigns?: readonly (string | null | undefined)[];
    projects?: readonly (string | null | undefined)[];
    groups?: readonly (string | null | undefined)[];
  },
): Promise<NameBook> {
  const usernames = uniq(ids.users ?? []);
  const [users, posts, campaigns, projects, groups] = await Promise.all([
    listUsersWithOrgPath(db, usernames),
    listActivePosts(db, usernames),
    uniq(ids.campaigns ?? []).length
      ? db('campaigns')
          .select<{ id: string; name: string; year: number }[]>('id', 'name', 'year')
          .whereIn('id', uniq(ids.campaigns ?? []))
      : [],
    uniq(ids.projects ?? []).length
      ? db('projects')
          .select<{ id: string; name: string }[]>('id', 'name')
          .whereIn('id', uniq(ids.projects ?? []))
      : [],
    uniq(ids.groups ?? []).length
      ? db('target_groups')
          .select<{ id: string; name: string }[]>('id', 'name')
          .whereIn('id', uniq(ids.groups ?? []))
      : [],
  ]);
  const orgs = await getOrgsByIds(db, uniq([...(ids.orgs ?? []), ...users.map((u) => u.orgId)]));
  return {
    people: new Map(
      users.map((u) => [
        u.username,
        {
          name: u.name,
          orgName: orgs.get(u.orgId)?.name ?? '',
          posts: posts.filter((p) => p.username === u.username).map((p) => ({ orgId: p.orgId, orgName: p.orgName, role: p.role })),
        },
      ]),
    ),
    orgs: new Map([...orgs].map(([id, o]) => [id, o.name])),
    campaigns: new Map(campaigns.map((c) => [c.id, { name: c.name, year: Number(c.year) }])),
    projects: new Map(projects.map((p) => [p.id, p.name])),
    groups: new Map(groups.map((g) => [g.id, g.name])),
  };
}
