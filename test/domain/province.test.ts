/**
 * The province bulletin's periods (Beijing months from each 1 January), its
 * schedule's firing months, the cities' ranking, and who may see the
 * overview (domain/policy.ts readOrgOverview / runProvinceBulletins).
 */
import { describe, expect, it } from 'vitest';
import { provinceFireMonths, provincePeriodEndedAt, rankCities, type CityRow } from '../../domain/province';
import { readOrgOverview, readsProvinceOverview, runProvinceBulletins, type Principal } from '../../domain/policy';

const at = (s: string) => Date.parse(s);

describe('province bulletin periods', () => {
  it('names the period that has just ended, in Beijing months, the year’s last one cut at 1 January', () => {
    // 1 December 00:00 Beijing is 30 November 16:00 UTC.
    expect(provincePeriodEndedAt(1, at('2026-11-30T16:00:00Z'))).toMatchObject({ key: '2026-11~2026-12', year: 2026, index: 11 });
    expect(provincePeriodEndedAt(1, at('2026-11-30T16:00:00Z')).label).toBe('2026年11月（2026年第11期）/ 2026-11 (period 11 of 2026)');
    // A moment before that, November has not ended: October is the last ended month.
    expect(provincePeriodEndedAt(1, at('2026-11-30T15:50:00Z')).key).toBe('2026-10~2026-11');
    expect(provincePeriodEndedAt(3, at('2026-10-01T00:00:00Z'))).toMatchObject({ key: '2026-07~2026-10', index: 3 });
    expect(provincePeriodEndedAt(3, at('2026-10-01T00:00:00Z')).label).toContain('2026年7月至9月');
    // In January, the last period of the year before.
    expect(provincePeriodEndedAt(3, at('2027-01-10T00:00:00Z'))).toMatchObject({ key: '2026-10~2027-01', year: 2026, index: 4 });
    expect(provincePeriodEndedAt(5, at('2027-01-10T00:00:00Z'))).toMatchObject({ key: '2026-11~2027-01', year: 2026, index: 3 });
    expect(provincePeriodEndedAt(12, at('2027-03-10T00:00:00Z'))).toMatchObject({ key: '2026-01~2027-01', year: 2026, index: 1 });
  });

  it('fires on the first of the months where a period ends', () => {
    expect(provinceFireMonths(1)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(provinceFireMonths(3)).toEqual([1, 4, 7, 10]);
    expect(provinceFireMonths(5)).toEqual([1, 6, 11]);
    expect(provinceFireMonths(12)).toEqual([1]);
  });
});

describe('the cities’ ranking', () => {
  const city = (org: string, count: number, target: number, campaigns = 1): CityRow => ({
    org,
    name: org,
    campaigns,
    members: { count, target, pct: target ? Math.round((count / target) * 1000) / 10 : null },
    unions: { established: 0, target: 0, pct: null },
    completion: target ? Math.round((count / target) * 1000) / 10 : 0,
    overdue: { items: 0, supervision: 0, accountability: 0, approvalsPastLimit: 0 },
    rank: null,
    configuration: [],
  });
  it('ranks by completion, equal figures share a rank, a city without a campaign is not ranked', () => {
    expect(rankCities([city('a', 1, 10), city('b', 5, 10), city('c', 1, 10), city('d', 0, 0, 0)]).map((r) => [r.org, r.rank])).toEqual([
      ['b', 1],
      ['a', 2],
      ['c', 2],
    ]);
  });
});

describe('who sees the overview', () => {
  const p = (orgId: string, orgPath: string, ...roles: string[]): Principal => ({ username: `${orgId}.${roles[0]}`, orgId, orgPath, roles });
  const henan = { path: '/henan/', kind: 'province' };
  const pds = { path: '/henan/pds/', kind: 'city' };
  it('province admins, supervisors and reviewers; the city for itself; below: 403; another city: 404', () => {
    for (const role of ['admin', 'supervisor', 'reviewer']) expect(readOrgOverview(p('henan', '/henan/', role), henan)).toEqual({ allow: true });
    expect(readOrgOverview(p('henan', '/henan/', 'staff'), henan)).toMatchObject({ allow: false, status: 403 });
    expect(readOrgOverview(p('pds', '/henan/pds/', 'admin'), henan)).toMatchObject({ allow: false, status: 403 });
    expect(readOrgOverview(p('pds', '/henan/pds/', 'admin'), pds)).toEqual({ allow: true });
    expect(readOrgOverview(p('xc', '/henan/xc/', 'admin'), pds)).toMatchObject({ allow: false, status: 404 });
    expect(readOrgOverview(p('henan', '/henan/', 'admin'), { path: '/henan/pds/pds-xinhua/', kind: 'county' })).toMatchObject({ status: 404 });
    expect(runProvinceBulletins(p('henan', '/henan/', 'admin'), henan)).toEqual({ allow: true });
    expect(runProvinceBulletins(p('henan', '/henan/', 'supervisor'), henan)).toMatchObject({ allow: false, status: 403 });
    expect(runProvinceBulletins(p('pds', '/henan/pds/', 'admin'), pds)).toMatchObject({ allow: false, status: 404 });
    expect(readsProvinceOverview(p('henan', '/henan/', 'supervisor'), 'province')).toBe(true);
    expect(readsProvinceOverview(p('pds', '/henan/pds/', 'admin'), 'city')).toBe(false);
  });
});
