/**
 * The policy with posts (岗位): a principal without `posts` holds its roles at
 * its home org, exactly as before; one with posts holds each of them, at each
 * post's org — tasks, inbox, admin override and the people rules.
 */
import { describe, expect, it } from 'vitest';
import { decideTask, grantPost, holdsTask, inboxFilter, manageUser, postsOf, scopesWith, seeUser, type Principal, type TaskFacts } from '../../domain/policy';

const single: Principal = { username: 'city.reviewer', orgId: 'pds', orgPath: '/henan/pds/', roles: ['reviewer'] };
const dual: Principal = {
  username: 'dual',
  orgId: 'pds',
  orgPath: '/henan/pds/',
  roles: ['reviewer'],
  posts: [
    { orgId: 'pds', orgPath: '/henan/pds/', role: 'reviewer' },
    { orgId: 'xc', orgPath: '/henan/xc/', role: 'reviewer' },
  ],
};
const cityAdmin: Principal = { username: 'city.admin', orgId: 'pds', orgPath: '/henan/pds/', roles: ['admin'] };
const xcAdminElsewhere: Principal = {
  username: 'commuter',
  orgId: 'pds-xinhua',
  orgPath: '/henan/pds/pds-xinhua/',
  roles: ['staff'],
  posts: [
    { orgId: 'pds-xinhua', orgPath: '/henan/pds/pds-xinhua/', role: 'staff' },
    { orgId: 'xc', orgPath: '/henan/xc/', role: 'admin' },
  ],
};
const task = (orgId: string, orgPath: string): TaskFacts => ({ assignee: null, role: 'reviewer', orgId, orgPath, candidates: [] });

describe('posts in the policy', () => {
  it('without posts: the roles at the home org, as before', () => {
    expect(postsOf(single)).toEqual([{ orgId: 'pds', orgPath: '/henan/pds/', role: 'reviewer' }]);
    expect(inboxFilter(single)).toEqual({ usernames: ['city.reviewer'], roleOrgs: [{ orgId: 'pds', role: 'reviewer' }], deputies: ['city.reviewer'] });
    expect(holdsTask(single, task('xc', '/henan/xc/'))).toBe(false);
    expect(scopesWith(cityAdmin, 'admin')).toEqual(['/henan/pds/']);
    expect(scopesWith(single, 'admin')).toEqual([]);
  });

  it('a concurrent-post reviewer holds both orgs’ role tasks and sees both in the inbox', () => {
    expect(holdsTask(dual, task('pds', '/henan/pds/'))).toBe(true);
    expect(holdsTask(dual, task('xc', '/henan/xc/'))).toBe(true);
    expect(holdsTask(dual, task('pds-xinhua', '/henan/pds/pds-xinhua/'))).toBe(false);
    expect(inboxFilter(dual).roleOrgs).toEqual([
      { orgId: 'pds', role: 'reviewer' },
      { orgId: 'xc', role: 'reviewer' },
    ]);
    expect(decideTask(dual, task('xc', '/henan/xc/'))).toEqual({ allow: true });
  });

  it('an admin post away from home overrides within that post’s subtree only', () => {
    expect(decideTask(xcAdminElsewhere, { ...task('xc-weidu', '/henan/xc/xc-weidu/'), role: 'reviewer' })).toEqual({ allow: true, override: true });
    expect(decideTask(xcAdminElsewhere, task('pds-xinhua', '/henan/pds/pds-xinhua/')).allow).toBe(false);
  });

  it('people: seen within the admin scopes, managed when every post lies within them, never oneself', () => {
    const person = { username: 'dual', places: ['/henan/pds/', '/henan/xc/'] };
    expect(seeUser(cityAdmin, person)).toEqual({ allow: true });
    expect(manageUser(cityAdmin, person)).toMatchObject({ allow: false, status: 403 });
    expect(seeUser(single, person)).toMatchObject({ allow: false, status: 404 });
    expect(manageUser(cityAdmin, { username: 'city.admin', places: ['/henan/pds/'] })).toMatchObject({ allow: false, status: 403 });
    expect(manageUser(cityAdmin, { username: 'x', places: ['/henan/pds/pds-xinhua/'] })).toEqual({ allow: true });
  });

  it('posts: within the scope; an admin post only below one’s own admin org', () => {
    const someone = { username: 'x', places: ['/henan/pds/pds-xinhua/'] };
    expect(grantPost(cityAdmin, someone, { orgPath: '/henan/pds/pds-xinhua/', role: 'admin' })).toEqual({ allow: true });
    expect(grantPost(cityAdmin, someone, { orgPath: '/henan/pds/', role: 'admin' })).toMatchObject({ allow: false, status: 403 });
    expect(grantPost(cityAdmin, someone, { orgPath: '/henan/pds/', role: 'reviewer' })).toEqual({ allow: true });
    expect(grantPost(cityAdmin, someone, { orgPath: '/henan/xc/', role: 'staff' })).toMatchObject({ allow: false, status: 404 });
    expect(grantPost(cityAdmin, someone, { orgPath: undefined, role: 'staff' })).toMatchObject({ allow: false, status: 404 });
    expect(grantPost(single, someone, { orgPath: '/henan/pds/', role: 'staff' })).toMatchObject({ allow: false, status: 403 });
    expect(grantPost(xcAdminElsewhere, undefined, { orgPath: '/henan/xc/xc-weidu/', role: 'reviewer' }, true)).toEqual({ allow: true });
  });
});
