/**
 * The deputy rules of the authorization policy (代理/委托), as pure functions:
 * who may name someone's deputy, who may be one, and what a task held for
 * someone away means for the deputy and for the absent person.
 */
import { describe, expect, it } from 'vitest';
import { decideTask, deputyTarget, holdsTask, inboxFilter, manageDeputy, seeApplication, type Principal, type TaskFacts } from '../../domain/policy';

const who = (username: string, orgPath: string, roles: string[], orgId = orgPath.split('/').filter(Boolean).pop()!): Principal => ({
  username,
  orgId,
  orgPath,
  roles,
});
const rev = who('rev', '/henan/pds/', ['reviewer']);
const dep = who('dep', '/henan/pds/pds-xinhua/', ['staff']);
const other = who('other', '/henan/pds/', ['reviewer']);
const cityAdmin = who('city.admin', '/henan/pds/', ['admin']);
const person = (p: Principal, active = true) => ({ username: p.username, orgPath: p.orgPath, active });

const poolTask: TaskFacts = { assignee: null, role: 'reviewer', orgId: 'pds', orgPath: '/henan/pds/', candidates: ['other', 'dep'], deputies: { rev: 'dep' } };
const namedTask: TaskFacts = { assignee: 'dep', role: null, orgId: null, orgPath: '/henan/pds/pds-xinhua/', candidates: ['dep'], deputies: { rev: 'dep' } };

describe('who names a deputy, and who may be one', () => {
  it('the person, or an admin whose subtree covers them; a non-admin inside 403, anyone outside (or an unknown person) 404', () => {
    expect(manageDeputy(rev, person(rev))).toEqual({ allow: true });
    expect(manageDeputy(cityAdmin, person(dep))).toEqual({ allow: true });
    expect(manageDeputy(other, person(rev))).toMatchObject({ allow: false, status: 403 });
    expect(manageDeputy(who('x.admin', '/henan/xc/', ['admin']), person(rev))).toMatchObject({ allow: false, status: 404 });
    expect(manageDeputy(dep, person(rev))).toMatchObject({ allow: false, status: 404 });
    expect(manageDeputy(cityAdmin, undefined)).toMatchObject({ allow: false, status: 404 });
  });

  it('an active user other than the person, in their org or below it', () => {
    expect(deputyTarget(person(rev), person(dep))).toEqual({ allow: true });
    expect(deputyTarget(person(rev), person(other))).toEqual({ allow: true });
    expect(deputyTarget(person(dep), person(rev))).toMatchObject({ allow: false, status: 403 });
    expect(deputyTarget(person(rev), person(rev))).toMatchObject({ allow: false });
    expect(deputyTarget(person(rev), person(dep, false))).toMatchObject({ allow: false });
    expect(deputyTarget(person(rev), undefined)).toMatchObject({ allow: false });
  });
});

describe('a task held for someone away', () => {
  it('the deputy holds it (role pool and named); the absent person does not, even holding the role or as an admin, but sees it', () => {
    for (const t of [poolTask, namedTask]) {
      expect(holdsTask(dep, t)).toBe(true);
      expect(decideTask(dep, t)).toEqual({ allow: true });
      expect(holdsTask(rev, t)).toBe(false);
      expect(decideTask(rev, t)).toMatchObject({ allow: false, status: 403 });
      expect(decideTask({ ...rev, roles: ['reviewer', 'admin'] }, t)).toMatchObject({ allow: false, status: 403 });
      expect(seeApplication(rev, { applicant: 'someone', applicantOrgPath: '/henan/xc/', targetOrgPath: null }, [t])).toEqual({ allow: true });
    }
    // The other role holder keeps the pool task as before.
    expect(holdsTask(other, poolTask)).toBe(true);
    // Without deputies nothing changes.
    expect(holdsTask(rev, { ...poolTask, deputies: null })).toBe(true);
    expect(holdsTask(dep, { ...poolTask, deputies: null, candidates: ['rev'] })).toBe(false);
  });

  it('the inbox filter asks for the tasks whose deputies name the caller', () => {
    expect(inboxFilter(dep).deputies).toEqual(['dep']);
  });
});
