/**
 * A clean close (issue 16 follow-up), on real Temporal and Postgres: a campaign closes with a union still being
 * established (建会), the city's action plan under the province's review and a reported member still pending
 * real-name verification. After the close nothing of them is in any inbox: the establishment and the plan are
 * withdrawn with the reason 行动已结束 (their task rows closed), the union is not counted, the member report lapses
 * (not counted, off members_pending, its reason shown to the submitter), and the campaign's trail names them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHarness, type Harness } from '../support/harness';
import { buildLaunch, CampaignDriver, memberRecords, organizingProject } from '../support/campaigns';
import { unique } from '../support/factories';

let h: Harness;
let d: CampaignDriver;
beforeAll(async () => {
  h = await startHarness();
  d = new CampaignDriver(h);
});
afterAll(async () => {
  await h?.close();
});

const REGION = 'pds-xinhua';

describe('nothing of a campaign stays in any inbox at close', () => {
  it('closes the 建会 in progress, the plan under review and the pending member report', async () => {
    const { id } = await d.launch(buildLaunch({ regions: [REGION], targets: { newMembers: 10, newUnions: 1 } }));
    await d.waitForPhase(id, 'survey');
    await d.advance(id, '摸底完成');
    await d.waitForPhase(id, 'listing');
    const list = await d.projects(id, REGION, [organizingProject({ name: `新华区${unique()}快递工会联合会`, plannedMembers: 5 })]);
    expect(list.status, JSON.stringify(list.body)).toBe(201);
    await d.act('city.reviewer', list.body.applicationId, { action: 'approve' });
    await d.act('prov.reviewer', list.body.applicationId, { action: 'approve' });
    await eventually(async () => ((await d.projectsOf(id)).every((p) => p.status === 'approved') ? true : undefined));
    await d.advance(id, '清单已批复');
    await d.waitForPhase(id, 'implementation');
    const project = await eventually(async () => (await d.projectsOf(id)).find((p) => p.status === 'in_progress'));
    const staff = await d.as('xinhua.staff');

    // A union reported: its establishment starts (nothing counted yet); one member reported: pending verification.
    const union = `新华区${unique()}快递网点联合工会`;
    const progress = await h.call('POST', `/api/projects/${project.id}/progress`, {
      token: staff,
      body: { unionsEstablished: [{ name: union, establishedOn: '2026-07-01' }], members: memberRecords(1) },
    });
    expect(progress.status, JSON.stringify(progress.body)).toBe(200);
    expect(progress.body.unions).toEqual([expect.objectContaining({ name: union, status: 'in_progress', started: true })]);
    const establishmentId = progress.body.unions[0].id as string;
    const unionApp = `union-${establishmentId}`;
    expect(await h.db('projects').where({ id: project.id }).first('members_pending', 'members_recruited')).toEqual({
      members_pending: 1,
      members_recruited: 0,
    });

    // The city submits its plan: the province's review holds a task.
    const submitted = await h.call('POST', `/api/campaigns/${id}/plan/submit`, { token: await d.as('city.admin'), body: { note: '汇总上报' } });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    const planApp = submitted.body.applicationId as string;

    const pendingTasks = async (applicationId: string) => h.db('tasks').where({ application_id: applicationId, status: 'pending' }).count({ n: '*' }).first();
    await eventually(async () => (Number((await pendingTasks(unionApp))!.n) > 0 && Number((await pendingTasks(planApp))!.n) > 0 ? true : undefined));
    const provToken = await d.as('prov.reviewer');
    const provBefore = await h.call('GET', '/api/tasks?status=pending&limit=200', { token: provToken });
    expect(provBefore.body.items.some((t: { applicationId: string }) => t.applicationId === planApp)).toBe(true);

    // ---- close ----
    await d.advance(id, '进入年终考核');
    await d.waitForPhase(id, 'assessment');
    await d.advance(id, '考核结束');
    await d.waitForPhase(id, 'closed');

    // The establishment and the plan withdrawn by the system, with the reason; their task rows closed.
    await eventually(async () => {
      const apps = await h.db('applications').whereIn('id', [unionApp, planApp]).select('id', 'status');
      return apps.length === 2 && apps.every((a) => a.status === 'withdrawn') ? true : undefined;
    });
    for (const app of [unionApp, planApp]) {
      expect(Number((await pendingTasks(app))!.n), app).toBe(0);
      const trail = await h.db('audit_log').where({ application_id: app, action: 'withdraw' }).select('comment');
      expect(trail.map((r) => r.comment).join(' '), app).toContain('行动已结束');
    }
    const est = await eventually(async () => {
      const row = await h.db('union_establishments').where({ id: establishmentId }).first();
      return row?.status === 'withdrawn' ? row : undefined;
    });
    expect(est.status).toBe('withdrawn');

    // Nothing in the reviewers' inbox views.
    for (const user of ['prov.reviewer', 'city.reviewer', 'city.admin', 'xinhua.staff', 'xinhua.reviewer']) {
      const r = await h.call('GET', '/api/tasks?status=pending&limit=200', { token: await d.as(user) });
      expect(r.status, user).toBe(200);
      const mine = r.body.items.filter((t: { applicationId: string }) => t.applicationId === planApp || t.applicationId === unionApp);
      expect(mine, user).toEqual([]);
    }

    // Not counted; the member report lapsed, members_pending 0; the submitter sees why.
    const row = await h.db('projects').where({ id: project.id }).first('members_pending', 'members_recruited', 'unions_established');
    expect(row).toEqual({ members_pending: 0, members_recruited: 0, unions_established: 0 });
    const reports = await h.db('member_reports').where({ project_id: project.id }).select('status', 'reason');
    expect(reports).toEqual([{ status: 'lapsed', reason: expect.stringContaining('行动已结束') }]);
    const seen = await h.call('GET', `/api/projects/${project.id}/members-reported?limit=50`, { token: staff });
    expect(seen.status, JSON.stringify(seen.body)).toBe(200);
    expect(seen.body.counts).toMatchObject({ pending: 0, verified: 0, lapsed: 1 });
    expect(seen.body.items[0]).toMatchObject({ status: 'lapsed', reason: expect.stringContaining('行动已结束') });
    const lapsedOnly = await h.call('GET', `/api/projects/${project.id}/members-reported?status=lapsed&limit=50`, { token: await d.as('xinhua.reviewer') });
    expect(lapsedOnly.status, JSON.stringify(lapsedOnly.body)).toBe(200);
    expect(lapsedOnly.body.items.map((m: { status: string }) => m.status)).toEqual(['lapsed']);
    const timeline = await h.db('project_events').where({ project_id: project.id, kind: 'verification' }).select('data');
    expect(timeline.map((e) => e.data)).toContainEqual(expect.objectContaining({ lapsed: 1, totals: { membersRecruited: 0, membersPending: 0 } }));

    // The campaign's trail names what was ended.
    const closedItems = await h.db('audit_log').where({ application_id: id, action: 'closedOpenItems' }).first();
    expect(closedItems.data).toMatchObject({ unionEstablishments: [unionApp], plan: [planApp], lapsedMemberReports: 1 });
  });
});
