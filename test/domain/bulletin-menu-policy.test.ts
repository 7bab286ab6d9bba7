/**
 * The 进度通报 menu item follows the policy: `capabilities(...).readBulletins` is true exactly for the callers
 * `readBulletins` lets read the bulletins of a campaign they belong to (supervisors, admins and staff of the city
 * or the province; staff and admins of a region taking part), and false for reviewers and grassroots unions.
 */
import { describe, expect, it } from 'vitest';
import { capabilities, readBulletins, type Principal } from '../../domain/policy';

const campaign = { cityOrg: 'pds', cityOrgPath: '/henan/pds/', regions: ['pds-xinhua'] };
const who = (orgId: string, orgPath: string, roles: string[]): Principal => ({ username: `${orgId}.${roles.join('-')}`, orgId, orgPath, roles });

const cases: [string, Principal, string, boolean][] = [
  ['city reviewer', who('pds', '/henan/pds/', ['reviewer']), 'city', false],
  ['city supervisor', who('pds', '/henan/pds/', ['supervisor']), 'city', true],
  ['city admin', who('pds', '/henan/pds/', ['admin']), 'city', true],
  ['city staff', who('pds', '/henan/pds/', ['staff']), 'city', true],
  ['province admin', who('henan', '/henan/', ['admin']), 'province', true],
  ['province reviewer', who('henan', '/henan/', ['reviewer']), 'province', false],
  ['region staff', who('pds-xinhua', '/henan/pds/pds-xinhua/', ['staff']), 'county', true],
  ['region reviewer', who('pds-xinhua', '/henan/pds/pds-xinhua/', ['reviewer']), 'county', false],
  ['region supervisor', who('pds-xinhua', '/henan/pds/pds-xinhua/', ['supervisor']), 'county', false],
  ['grassroots staff', who('g1', '/henan/pds/pds-xinhua/g1/', ['staff']), 'grassroots', false],
];

describe('the 进度通报 menu and the bulletin policy', () => {
  it.each(cases)('%s: the menu shows it exactly when the policy lets them read', (_name, p, kind, reads) => {
    expect(capabilities(p, kind).readBulletins).toBe(reads);
    expect(readBulletins(p, campaign).allow).toBe(reads);
  });
});
