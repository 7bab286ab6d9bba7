/**
 * Loads the demo org tree, target groups and users (db/seeds/demo-org.json,
 * after the 2019 平顶山 plan). Idempotent. Every demo user's password is the
 * one given in the seed file's description (demo-password).
 */
import demo from './seeds/demo-org.json' with { type: 'json' };
import type { Db } from './knex';
import { upsertOrgs, upsertTargetGroups } from './org-repository';
import { upsertUser } from './user-repository';

export const DEMO_PASSWORD = 'demo-password';

export interface DemoData {
  orgs: { id: string; name: string; kind: string; parent: string | null; groups?: string[] }[];
  groups: { id: string; name: string; industryUnion: string; industryUnionByCity?: Record<string, string> }[];
  users: { username: string; name: string; org: string; roles: string[] }[];
}

export const demoData: DemoData = demo as DemoData;

export async function loadDemoData(db: Db, hash: (pw: string) => Promise<string>): Promise<{ orgs: number; users: number }> {
  await upsertOrgs(db, demoData.orgs);
  await upsertTargetGroups(db, demoData.groups);
  const hashes = await Promise.all(demoData.users.map(() => hash(DEMO_PASSWORD)));
  for (const [i, u] of demoData.users.entries()) {
    await upsertUser(db, { username: u.username, name: u.name, orgId: u.org, roles: u.roles, passwordHash: hashes[i]! });
  }
  return { orgs: demoData.orgs.length, users: demoData.users.length };
}
