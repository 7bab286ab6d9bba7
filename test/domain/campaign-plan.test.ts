/** The action plan's pure rules (domain/campaign-plan.ts): consolidation per region and group, and when it may go. */
import { describe, expect, it } from 'vitest';
import { consolidatePlan, planOpen, returnRefusal, submitRefusal, type PlanProjectInput } from '../../domain/campaign-plan';
import { revisePlanProject, submitCampaignPlan } from '../../domain/policy';

const project = (o: Partial<PlanProjectInput>): PlanProjectInput => ({
  id: 'p',
  regionOrg: 'a',
  kind: 'organizing',
  type: 'joint_union',
  name: '某联合工会',
  location: '某地',
  plannedMembers: 0,
  plannedCoverage: 0,
  groups: [],
  responsibleUnit: '区总工会',
  dueDate: '2026-10-31',
  status: 'approved',
  returned: null,
  ...o,
});

describe('consolidatePlan', () => {
  const plan = consolidatePlan({
    regions: [
      { org: 'a', name: '甲区总工会', listStatus: 'approved' },
      { org: 'b', name: '乙区总工会', listStatus: null },
    ],
    groups: [
      { id: 'courier', name: '快递员' },
      { id: 'truck_driver', name: '货车司机' },
    ],
    projects: [
      project({ id: 'p1', plannedMembers: 30, groups: ['courier', 'truck_driver'], dueDate: '2026-11-30' }),
      project({ id: 'p2', plannedMembers: 10, groups: ['courier'], dueDate: '2026-08-31', type: 'enterprise_union' }),
      project({ id: 's1', kind: 'service', type: 'training', location: null, plannedCoverage: 300 }),
      project({ id: 'x', regionOrg: 'elsewhere', plannedMembers: 999 }),
    ],
  });

  it('lists each region’s organizing and service projects by completion date, with totals and labels', () => {
    const a = plan.regions[0]!;
    expect(a.organizing.map((p) => [p.id, p.typeLabel])).toEqual([
      ['p2', '企业工会'],
      ['p1', '联合工会'],
    ]);
    expect(a.service.map((p) => [p.id, p.typeLabel])).toEqual([['s1', '教育培训']]);
    expect(a.totals).toEqual({ organizing: 2, service: 1, plannedMembers: 40, plannedCoverage: 300 });
    expect(plan.regions[1]).toMatchObject({ name: '乙区总工会', organizing: [], service: [], totals: { plannedMembers: 0 } });
    // A project of a region not taking part is not in the plan.
    expect(plan.totals).toEqual({ projects: 3, organizing: 2, service: 1, plannedMembers: 40, plannedCoverage: 300, returned: 0 });
  });

  it('counts a project of several groups under each group', () => {
    expect(plan.groups).toEqual([
      {
        group: 'courier',
        name: '快递员',
        projects: 2,
        plannedMembers: 40,
        byRegion: { a: { projects: 2, plannedMembers: 40 }, b: { projects: 0, plannedMembers: 0 } },
      },
      {
        group: 'truck_driver',
        name: '货车司机',
        projects: 1,
        plannedMembers: 30,
        byRegion: { a: { projects: 1, plannedMembers: 30 }, b: { projects: 0, plannedMembers: 0 } },
      },
    ]);
  });
});

describe('when the plan may go up, and a project back', () => {
  const one = consolidatePlan({ regions: [{ org: 'a', name: '甲', listStatus: 'approved' }], groups: [], projects: [project({ id: 'p1' })] });
  const out = consolidatePlan({
    regions: [{ org: 'a', name: '甲', listStatus: 'approved' }],
    groups: [],
    projects: [project({ id: 'p1', returned: { at: '2026-06-01T00:00:00Z', by: 'city.admin', comment: '改' } })],
  });
  it('is worked in listing and implementation only', () => {
    expect(planOpen('listing')).toEqual({ open: true });
    expect(planOpen('implementation')).toEqual({ open: true });
    for (const phase of ['pending', 'survey', 'assessment', 'closed'] as const) expect(planOpen(phase).open).toBe(false);
  });
  it('goes when there is something to send, nothing is out with a region, and the province is not reviewing it', () => {
    expect(submitRefusal('draft', one)).toBeUndefined();
    expect(submitRefusal('returned', one)).toBeUndefined();
    expect(submitRefusal('pending', one)).toContain('审核中');
    expect(submitRefusal('approved', one)).toContain('审核通过');
    expect(submitRefusal('draft', out)).toContain('1 个项目');
    expect(submitRefusal('draft', consolidatePlan({ regions: [], groups: [], projects: [] }))).toContain('尚无已批准的项目');
  });
  it('a project goes back to its region only while the plan is with the city', () => {
    expect(returnRefusal('draft', { returned: null })).toBeUndefined();
    expect(returnRefusal('returned', { returned: null })).toBeUndefined();
    expect(returnRefusal('pending', { returned: null })).toBeDefined();
    expect(returnRefusal('approved', { returned: null })).toBeDefined();
    expect(returnRefusal('draft', { returned: {} })).toContain('已退回');
  });
});

describe('who may', () => {
  const campaign = { cityOrg: 'pds', cityOrgPath: '/henan/pds/', regions: ['pds-xinhua'] };
  const who = (orgId: string, orgPath: string, roles: string[]) => ({ username: 'u', orgId, orgPath, roles });
  it('the campaign’s own city admin submits the plan', () => {
    expect(submitCampaignPlan(who('pds', '/henan/pds/', ['admin']), campaign).allow).toBe(true);
    expect(submitCampaignPlan(who('pds', '/henan/pds/', ['reviewer', 'staff']), campaign).allow).toBe(false);
    expect(submitCampaignPlan(who('henan', '/henan/', ['admin']), campaign).allow).toBe(false);
    expect(submitCampaignPlan(who('pds-xinhua', '/henan/pds/pds-xinhua/', ['admin']), campaign).allow).toBe(false);
  });
  it('the region’s own staff and admins revise its returned project; the city does not', () => {
    const project = { regionPath: '/henan/pds/pds-xinhua/' };
    expect(revisePlanProject(who('pds-xinhua', '/henan/pds/pds-xinhua/', ['staff']), project).allow).toBe(true);
    expect(revisePlanProject(who('pds-xinhua', '/henan/pds/pds-xinhua/', ['reviewer']), project).allow).toBe(false);
    expect(revisePlanProject(who('pds', '/henan/pds/', ['admin']), project).allow).toBe(false);
  });
});
