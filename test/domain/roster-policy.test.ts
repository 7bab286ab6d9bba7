/**
 * 会员名册 and 报送留痕 in the policy: the roster's menu item shows exactly where `memberRosterScope` lets the caller
 * read a campaign they belong to, and the scope it answers is the subtree they see (the city all, a region its own,
 * a union its own); a region's submissions are read by the region and its line up, and by a holder of the list's task.
 */
import { describe, expect, it } from 'vitest';
import { capabilities, memberRosterScope, readRegionSubmissions, type Principal } from '../../domain/policy';

const campaign = { cityOrg: 'pds', cityOrgPath: '/henan/pds/', regions: ['pds-xinhua', 'pds-weidong'] };
const who = (orgId: string, orgPath: string, roles: string[]): Principal => ({ username: `${orgId}.${roles.join('-')}`, orgId, orgPath, roles });

const cases: [string, Principal, string, string | null][] = [
  ['city reviewer', who('pds', '/henan/pds/', ['reviewer']), 'city', '/henan/pds/'],
  ['city supervisor', who('pds', '/henan/pds/', ['supervisor']), 'city', '/henan/pds/'],
  ['province admin', who('henan', '/henan/', ['admin']), 'province', '/henan/pds/'],
  ['region staff', who('pds-xinhua', '/henan/pds/pds-xinhua/', ['staff']), 'county', '/henan/pds/pds-xinhua/'],
  ['region reviewer', who('pds-xinhua', '/henan/pds/pds-xinhua/', ['reviewer']), 'county', '/henan/pds/pds-xinhua/'],
  ['region supervisor', who('pds-xinhua', '/henan/pds/pds-xinhua/', ['supervisor']), 'county', null],
  ['union reviewer', who('g1', '/henan/pds/pds-xinhua/g1/', ['reviewer']), 'grassroots', '/henan/pds/pds-xinhua/g1/'],
];

describe('the 会员名册 menu and the roster policy', () => {
  it.each(cases)('%s: the menu shows it exactly when the policy lets them read, with their scope', (_name, p, kind, scope) => {
    expect(capabilities(p, kind).memberRoster).toBe(scope !== null);
    const d = memberRosterScope(p, campaign);
    expect(d.allow ? d.scopePath : null).toBe(scope);
  });

  it('another city sees nothing of the campaign: 404', () => {
    expect(memberRosterScope(who('xc', '/henan/xc/', ['admin']), campaign)).toMatchObject({ allow: false, status: 404 });
  });
});

describe('reading a region’s submissions back', () => {
  const xinhua = { orgId: 'pds-xinhua', path: '/henan/pds/pds-xinhua/' };
  it('the region and its line up; not a sibling region or a union below, unless they hold the list’s task', () => {
    expect(readRegionSubmissions(who('pds-xinhua', '/henan/pds/pds-xinhua/', ['staff']), xinhua).allow).toBe(true);
    expect(readRegionSubmissions(who('pds', '/henan/pds/', ['admin']), xinhua).allow).toBe(true);
    expect(readRegionSubmissions(who('henan', '/henan/', ['reviewer']), xinhua).allow).toBe(true);
    expect(readRegionSubmissions(who('pds-weidong', '/henan/pds/pds-weidong/', ['staff']), xinhua)).toMatchObject({ allow: false, status: 404 });
    expect(readRegionSubmissions(who('g1', '/henan/pds/pds-xinhua/g1/', ['reviewer']), xinhua)).toMatchObject({ allow: false, status: 404 });
    expect(readRegionSubmissions(who('pds-weidong', '/henan/pds/pds-weidong/', ['reviewer']), xinhua, { onListTask: true }).allow).toBe(true);
  });
});
