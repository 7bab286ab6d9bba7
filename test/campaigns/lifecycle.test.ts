/**
 * A whole campaign, three regions, driven through the HTTP API on real
 * Temporal and Postgres: survey imports with bad rows, plans, project lists
 * (one returned and resubmitted), a subsidy chain, progress with real-name
 * members and a union established through its steps that crosses an
 * enterprise off the ledger, an
 * inspection, self-assessments with one rectification loop, and the final
 * ranking. Phases are moved on by the city admin's early advance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHarness, type Harness } from '../support/harness';
import { buildLaunch, CampaignDriver, memberRecords, organizingProject, REGIONS, serviceProject, STAFF, surveyCsv, verifyReported } from '../support/campaigns';

let h: Harness;
let d: CampaignDriver;
beforeAll(async () => {
  h = await startHarness();
  d = new CampaignDriver(h);
});
afterAll(async () => {
  await h?.close();
});

describe('a campaign from launch to ranking', () => {
  it('three regions go through survey, listing, implementation and assessment and end ranked', async () => {
    const launch = buildLaunch();
    const { id } = await d.launch(launch);
    const opened = await d.waitForPhase(id, 'survey');
    expect(opened.regions.map((r: { org: string }) => r.org).sort()).toEqual([...REGIONS].sort());

    // ---- 调查摸底 survey: uploads with a bad row, fixed; plans ----
    const ledger: Record<string, number> = {};
    for (const region of REGIONS) {
      const bad = await d.upload(
        id,
        region,
        surveyCsv(region, [
          { name: `${region}某物流公司`, employees: 120 },
          { name: `${region}某配送站`, employees: -3 },
          { name: `${region}某商贸公司`, employees: 30 },
          { name: `${region}某便利店`, employees: 8 },
        ]),
      );
      expect(bad.status, JSON.stringify(bad.body)).toBe(200);
      expect(bad.body.accepted).toBe(3);
      expect(bad.body.rejected).toEqual([
        expect.objectContaining({ row: 2, errors: expect.arrayContaining([expect.objectContaining({ field: 'employees' })]) }),
      ]);
      const fixed = await d.upload(id, region, surveyCsv(region, [{ name: `${region}某配送站`, employees: 40 }]));
      expect(fixed.body.accepted).toBe(1);
      const gaps = await h.call('GET', `/api/campaigns/${id}/regions/${region}/gaps`, { token: await d.as(STAFF[region]!) });
      expect(gaps.status).toBe(200);
      const mandatory = gaps.body.items.find((e: { classification: string }) => e.classification === 'own_union_mandatory');
      expect(mandatory.name).toBe(`${region}某物流公司`);
      ledger[region] = Number(mandatory.id);
      if (region !== 'pds-zhanhe') expect((await d.plan(id, region)).status).toBe(200);
    }
    // Listing submissions are refused during the survey, naming the phase.
    const early = await d.projects(id, 'pds-xinhua', [organizingProject()]);
    expect(early.status).toBe(409);
    expect(early.body.detail).toContain('调查摸底');

    let view = await d.view(id);
    const xinhua = view.regions.find((r: { org: string }) => r.org === 'pds-xinhua');
    expect(xinhua.counts).toMatchObject({ enterprisesScreened: 4, targets: 4 });
    expect(xinhua.planSubmitted).toBe(true);

    // ---- 立项审核 listing ----
    await d.advance(id, '摸底工作提前完成');
    view = await d.waitForPhase(id, 'listing');
    // zhanhe handed in no plan by the survey's close: overdue, escalated to the city (督办).
    view = await eventually(async () => {
      const v = await d.view(id);
      return v.regions.find((r: { org: string }) => r.org === 'pds-zhanhe').counts.overdue === 1 ? v : undefined;
    });
    const zhanhe = view.regions.find((r: { org: string }) => r.org === 'pds-zhanhe');
    expect(zhanhe.overdue[0]).toMatchObject({ phase: 'survey', item: 'plan', level: 'supervision' });
    const escalations = await h.db('notifications').where({ username: 'city.lead', kind: 'escalation' }).andWhere('message', 'like', `%${launch.name}%`);
    expect(escalations.length).toBe(1);
    expect(view.phaseSummaries.map((p: { phase: string }) => p.phase)).toEqual(['survey']);

    const lists: Record<string, string> = {};
    for (const region of REGIONS) {
      const projects = [
        organizingProject({
          name: `${region}物流公司工会`,
          type: 'enterprise_union',
          enterprises: [ledger[region]],
          plannedMembers: 3,
          subsidyAmount: region === 'pds-xinhua' ? 20000 : undefined,
        }),
        serviceProject(),
      ];
      const r = await d.projects(id, region, projects);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body.projectIds).toHaveLength(2);
      lists[region] = r.body.applicationId;
    }
    // weidong's list is returned by the city and resubmitted with a third project.
    await d.act('city.reviewer', lists['pds-weidong']!, { action: 'return', returnTo: 'applicant', comment: '请补充服务项目的覆盖人数' });
    await eventually(async () => (await d.view(id)).regions.find((r: { org: string }) => r.org === 'pds-weidong').listStatus === 'returned');
    const revised = await d.projects(id, 'pds-weidong', [
      organizingProject({ name: 'pds-weidong物流公司工会', type: 'enterprise_union', enterprises: [ledger['pds-weidong']], plannedMembers: 3 }),
      serviceProject({ plannedCoverage: 500 }),
      serviceProject({ type: 'training' }),
    ]);
    expect(revised.status, JSON.stringify(revised.body)).toBe(201);
    expect(revised.body.applicationId).toBe(lists['pds-weidong']);
    for (const region of REGIONS) {
      await d.act('city.reviewer', lists[region]!, { action: 'approve', comment: '汇总上报' });
      await d.act('prov.reviewer', lists[region]!, { action: 'approve' });
    }
    await eventually(async () => {
      const all = await d.projectsOf(id);
      return all.filter((p) => p.status === 'approved').length === 7 ? all : undefined;
    });
    expect((await d.projectsOf(id, 'pds-weidong')).map((p) => p.status).sort()).toEqual(['approved', 'approved', 'approved']);

    // The project asking for a subsidy went up the subsidy chain: city, province, notice.
    const subsidised = (await d.projectsOf(id, 'pds-xinhua')).find((p) => p.subsidyAmount === 20000);
    const subsidyApp = await eventually(async () => (await d.project(subsidised.id)).subsidyApplicationId);
    await d.act('city.reviewer', subsidyApp, { action: 'approve' });
    await d.act('prov.reviewer', subsidyApp, { action: 'approve' });
    const notice = await eventually(async () => (await h.call('GET', `/api/applications/${subsidyApp}`, { token: await d.as('xinhua.staff') })).body.notice);
    expect(notice.amount).toBe(20000);

    // ---- 推进实施 implementation ----
    await d.advance(id, '项目清单已全部批复');
    await d.waitForPhase(id, 'implementation');
    const orgProjects: Record<string, any> = {};
    for (const region of REGIONS) {
      const p = await eventually(async () => (await d.projectsOf(id, region)).find((x) => x.kind === 'organizing' && x.status === 'in_progress'));
      orgProjects[region] = p;
      const members = memberRecords(region === 'pds-xinhua' ? 4 : 2);
      const r = await h.call('POST', `/api/projects/${p.id}/progress`, {
        token: await d.as(STAFF[region]!),
        body: { unionsEstablished: [{ enterpriseId: ledger[region], name: `${region}物流公司工会`, establishedOn: '2026-07-01' }], members },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      // The members wait for real-name verification (实名核验) before they count; 建会是一个程序: the reported union
      // starts its establishment, counted and crossed off at the higher union's approval.
      expect(r.body).toMatchObject({ membersReported: members.length, membersAccepted: 0, crossedOff: 0, unionsEstablished: 0 });
      const reviewer = `${region.replace('pds-', '')}.reviewer`;
      await d.establish(p.id, [reviewer, STAFF[region]!, STAFF[region]!, STAFF[region]!, reviewer]);
      if (region === 'pds-xinhua') {
        // The same worker reported again is counted once; the answer says how many, never which.
        const again = await h.call('POST', `/api/projects/${p.id}/progress`, { token: await d.as('xinhua.staff'), body: { members: [members[0]] } });
        expect(again.body).toMatchObject({ membersReported: 0, membersAccepted: 0, alreadyCounted: 1 });
        expect(again.body.duplicates).toBeUndefined();
      }
      // The region's reviewer verifies them: they count from now on.
      await verifyReported(h, p.id, region === 'pds-xinhua' ? 'xinhua.reviewer' : 'city.reviewer');
    }
    const inspection = await h.call('POST', `/api/projects/${orgProjects['pds-xinhua'].id}/inspections`, {
      token: await d.as('city.staff'),
      body: { findings: '台账齐全，会员实名登记规范', result: 'good', inspectedOn: '2026-08-15' },
    });
    expect(inspection.status, JSON.stringify(inspection.body)).toBe(201);
    view = await d.view(id);
    expect(view.regions.find((r: { org: string }) => r.org === 'pds-xinhua').counts).toMatchObject({
      crossedOff: 1,
      membersRecruited: 4,
      unionsEstablished: 1,
    });
    expect(view.totals.membersRecruited).toBe(8);

    // ---- 考核评比 assessment ----
    await d.advance(id, '进入年终考核');
    await d.waitForPhase(id, 'assessment');
    const assessments: Record<string, string> = {};
    for (const region of REGIONS) {
      for (const p of await d.projectsOf(id, region)) {
        const r = await h.call('POST', `/api/projects/${p.id}/self-assessment`, {
          token: await d.as(STAFF[region]!),
          body: { summary: '完成建会任务，会员实名入会', membersRecruited: p.progress.membersRecruited, unionsEstablished: p.progress.unionsEstablished },
        });
        expect(r.status, JSON.stringify(r.body)).toBe(201);
        assessments[p.id] = r.body.assessmentApplicationId;
      }
    }
    // One self-assessment is sent back for rectification with a deadline, fixed, and passes.
    const rectified = orgProjects['pds-zhanhe'].id;
    const deadline = new Date(Date.now() + 3_600_000).toISOString();
    await d.act('city.reviewer', assessments[rectified]!, { action: 'return', returnTo: 'applicant', deadline, comment: '会员花名册与实名记录不符，限期整改' });
    const rect = await eventually(async () => {
      const p = await d.project(rectified);
      return p.status === 'rectifying' ? p : undefined;
    });
    expect(new Date(rect.rectifyDeadline).toISOString()).toBe(deadline);
    const resubmitted = await h.call('POST', `/api/projects/${rectified}/self-assessment`, {
      token: await d.as('zhanhe.staff'),
      body: { summary: '已补齐实名记录', membersRecruited: 2, unionsEstablished: 1 },
    });
    expect(resubmitted.status, JSON.stringify(resubmitted.body)).toBe(201);
    for (const appId of Object.values(assessments)) await d.act('city.reviewer', appId, { action: 'approve', comment: '考核合格' });
    await eventually(async () => ((await d.projectsOf(id)).every((p) => p.status === 'qualified') ? true : undefined));

    // ---- close: ranking ----
    await d.advance(id, '考核结束');
    view = await d.waitForPhase(id, 'closed');
    expect(view.ranking).toHaveLength(3);
    expect(view.ranking[0]).toMatchObject({ rank: 1 });
    const scores = Object.fromEntries(view.ranking.map((r: { org: string; score: number }) => [r.org, r.score]));
    // xinhua recruited 4 of its 10 and built 1 of 1; the others 2 of 10 (an even share of 30) and 1 of 1.
    expect(scores['pds-xinhua']).toBeGreaterThan(scores['pds-weidong']);
    expect(view.phaseSummaries.map((p: { phase: string }) => p.phase)).toEqual(['survey', 'listing', 'implementation', 'assessment']);
    const audit = await h.db('audit_log').where({ application_id: id }).select('action');
    expect(audit.map((a: { action: string }) => a.action)).toEqual(expect.arrayContaining(['launched', 'phaseClosedEarly', 'overdueSupervision', 'closed']));
  }, 240_000);
});
