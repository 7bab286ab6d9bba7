/**
 * The core of the approval, campaign and bulletin suites on the Temporal
 * cluster (frontend, two history, matching and worker as processes of their
 * own, on Postgres) instead of the development server: the same API, worker
 * and workflow bundle, only the Temporal address and namespace differ.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Approvals } from '../support/approvals';
import { buildLaunch, CampaignDriver, memberRecords, organizingProject, serviceProject, STAFF, surveyCsv, verifyReported } from '../support/campaigns';
import { buildSubsidy } from '../support/factories';
import { eventually, startHarness, type Harness } from '../support/harness';
import { issueOk, readBulletin } from '../support/reports';
import { startTestCluster, CLUSTER_HOOK_TIMEOUT, type TestCluster } from './support';

let cluster: TestCluster;
let h: Harness;
let api: Approvals;
let d: CampaignDriver;
const t0 = Date.now();

beforeAll(async () => {
  cluster = await startTestCluster('core');
  console.log(`[core on cluster] cluster started in ${((Date.now() - t0) / 1000).toFixed(1)} s at ${cluster.address}`);
  h = await startHarness({ temporalAddress: cluster.address, namespace: cluster.namespace });
  api = new Approvals(h);
  d = new CampaignDriver(h);
}, CLUSTER_HOOK_TIMEOUT);
afterAll(async () => {
  await h?.close();
  await cluster?.close();
});

describe('approvals on the cluster', () => {
  it('a subsidy chain approved by the city and the province issues one notice and disburses it', async () => {
    const t = Date.now();
    const id = await api.start('xinhua.staff', buildSubsidy({ amount: 35_800.75 }));
    const city = await api.task('city.reviewer', id);
    expect(city).toMatchObject({ step: expect.stringContaining('市总初审'), role: 'reviewer', org: 'pds' });
    const afterCity = await api.ok('city.reviewer', city.id, { action: 'approve', comment: '材料齐全 / complete' });
    expect(afterCity).toMatchObject({ status: 'pending', currentStep: expect.stringContaining('省总审核') });
    await api.approve('prov.reviewer', id);
    const done = await api.status(id, 'approved', 'xinhua.staff');
    expect(done.notice).toMatchObject({ amount: 35_800.75, orgId: 'pds-xinhua', noticeNo: expect.stringMatching(/^豫工补〔\d{4}〕/) });
    expect(done.notice.disbursedAt).toBeTruthy();
    expect(await api.rows('subsidy_notices', id)).toHaveLength(1);
    const actions = done.timeline.map((e: { action: string }) => e.action);
    expect(actions.filter((a: string) => a === 'approve')).toHaveLength(2);
    expect(actions.filter((a: string) => a === 'auto:issueSubsidyNotice')).toHaveLength(1);
    expect(actions[actions.length - 1]).toBe('approved');
    expect(await api.rows('notifications', id, { username: 'xinhua.staff', kind: 'decided' })).toHaveLength(1);
    console.log(`[core on cluster] subsidy chain: ${((Date.now() - t) / 1000).toFixed(1)} s`);
  });

  it('returned to the applicant and resubmitted with changes, the chain starts again at the city and ends with the revised amount', async () => {
    const t = Date.now();
    const id = await api.start('xinhua.staff', buildSubsidy({ amount: 20_000 }));
    const city = await api.task('city.reviewer', id, 0);
    const returned = await api.ok('city.reviewer', city.id, { action: 'return', returnTo: 'applicant', comment: '请补充报价单 / add the quotation' });
    expect(returned.status).toBe('returned');
    const revision = await eventually(async () => (await api.inbox('xinhua.staff', id, 'kind=revision&status=pending'))[0]);
    expect(revision).toMatchObject({ kind: 'revision', assignee: 'xinhua.staff' });
    expect(await api.rows('notifications', id, { username: 'xinhua.staff', kind: 'returned' })).toHaveLength(1);

    const resubmitted = await api.appAct('xinhua.staff', id, { action: 'resubmit', comment: '已补充 / added', changes: { amount: 18_500 } });
    expect(resubmitted.status, JSON.stringify(resubmitted.body)).toBe(200);
    expect(resubmitted.body).toMatchObject({ status: 'pending', revision: 1, currentStepIndex: 0 });
    const again = await api.task('city.reviewer', id, 0);
    expect(again.id).not.toBe(city.id);
    await api.ok('city.reviewer', again.id, { action: 'approve' });
    await api.approve('prov.reviewer', id);
    const done = await api.status(id, 'approved');
    expect(done.notice.amount).toBe(18_500);
    expect(done.timeline.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['return', 'resubmit', 'approved']));
    expect(await api.rows('subsidy_notices', id)).toHaveLength(1);
    console.log(`[core on cluster] return and resubmit: ${((Date.now() - t) / 1000).toFixed(1)} s`);
  });
});

describe('a campaign on the cluster', () => {
  it('goes from launch through survey (ledger, plans), listing, implementation (progress, a bulletin) and assessment to closed and ranked', async () => {
    const t = Date.now();
    const regions = ['pds-xinhua', 'pds-weidong'];
    // Members each region recruits: xinhua more, so the ranking is xinhua, weidong.
    const MEMBERS: Record<string, number> = { 'pds-xinhua': 3, 'pds-weidong': 2 };
    const { id } = await d.launch(buildLaunch({ regions, groups: ['courier'], targets: { newMembers: 4, newUnions: 2 } }));
    await d.waitForPhase(id, 'survey');

    // ---- 调查摸底 survey: a ledger and a plan per region ----
    const ledger: Record<string, number> = {};
    for (const region of regions) {
      const up = await d.upload(id, region, surveyCsv(region, [{ name: `${region}某物流公司`, employees: 60 }]));
      expect(up.status, JSON.stringify(up.body)).toBe(200);
      ledger[region] = Number(up.body.items[0].id);
      expect((await d.plan(id, region)).status).toBe(200);
    }
    const survey = await d.view(id);
    for (const region of regions) expect(survey.regions.find((r: { org: string }) => r.org === region).planSubmitted).toBe(true);

    // ---- 立项审核 listing: a project list per region, approved by the city and the province ----
    await d.advance(id, '摸底完成');
    await d.waitForPhase(id, 'listing');
    const lists: string[] = [];
    for (const region of regions) {
      const r = await d.projects(id, region, [
        organizingProject({ name: `${region}物流公司工会`, type: 'enterprise_union', enterprises: [ledger[region]], plannedMembers: 2 }),
        serviceProject({ plannedCoverage: 100 }),
      ]);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      lists.push(r.body.applicationId);
    }
    for (const list of lists) {
      await d.act('city.reviewer', list, { action: 'approve', comment: '汇总上报' });
      await d.act('prov.reviewer', list, { action: 'approve' });
    }
    await eventually(async () => {
      const all = await d.projectsOf(id);
      return all.length === 4 && all.every((p) => p.status === 'approved');
    }, 60_000);

    // ---- 推进实施 implementation: progress with members verified, and a bulletin ----
    await d.advance(id, '项目清单已批复');
    await d.waitForPhase(id, 'implementation');
    for (const region of regions) {
      const p = await eventually(async () => (await d.projectsOf(id, region)).find((x) => x.kind === 'organizing' && x.status === 'in_progress'));
      const r = await h.call('POST', `/api/projects/${p.id}/progress`, {
        token: await d.as(STAFF[region]!),
        body: { members: memberRecords(MEMBERS[region]!) },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body).toMatchObject({ membersReported: MEMBERS[region] });
      await verifyReported(h, p.id);
    }
    const bulletin = await issueOk(h, id);
    expect(bulletin.seq).toBe(1);
    const read = await readBulletin(h, bulletin.id);
    // The bulletin counts the verified members of each region's project.
    for (const org of regions) expect(read.regions.find((r: { org: string }) => r.org === org).members.viaProjects, org).toBe(MEMBERS[org]);
    expect(read.ranking.map((r: { org: string; rank: number }) => [r.org, r.rank])).toEqual([
      ['pds-xinhua', 1],
      ['pds-weidong', 2],
    ]);

    // ---- 考核评估 assessment: self-assessments approved by the city; closed and ranked ----
    await d.advance(id, '进入考核');
    await d.waitForPhase(id, 'assessment');
    for (const p of await d.projectsOf(id)) {
      const r = await h.call('POST', `/api/projects/${p.id}/self-assessment`, {
        token: await d.as(STAFF[p.region]!),
        body: { summary: '按期完成', membersRecruited: p.progress.membersRecruited, unionsEstablished: p.progress.unionsEstablished },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      await d.act('city.reviewer', r.body.assessmentApplicationId, { action: 'approve' });
    }
    await eventually(async () => (await d.projectsOf(id)).every((p) => p.status === 'qualified'), 60_000);
    await d.advance(id, '考核结束');
    const closed = await d.waitForPhase(id, 'closed', 60_000);
    // The final ranking scores the targets met as well (both regions met theirs): both regions ranked, the first 1st.
    expect(closed.ranking.map((r: { org: string }) => r.org).sort()).toEqual([...regions].sort());
    expect(closed.ranking[0]).toMatchObject({ rank: 1 });
    console.log(`[core on cluster] campaign from launch to closed: ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }, 240_000);
});
