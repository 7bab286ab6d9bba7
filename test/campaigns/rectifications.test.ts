/**
 * Inspections that matter (issue 16), through the HTTP API on real Temporal
 * and Postgres: an inspection's findings with deadlines open rectification
 * items (整改事项) on the project's region; the region reports one done, the
 * city sends it back, it is reported again and accepted (closed); the other
 * passes its deadline and is flagged overdue on the dashboard. The
 * self-assessment review shows the claimed members beside the counted ones
 * with the over-claim flagged, and the findings. The campaign then closes with
 * the self-assessment still under review and a rectification open: the
 * project ends unqualified with a timeline entry, the review's task rows are
 * closed (the reviewer's inbox holds nothing of it) and the item lapses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHarness, type Harness } from '../support/harness';
import { buildLaunch, CampaignDriver, memberRecords, organizingProject } from '../support/campaigns';
import { readBulletin } from '../support/reports';

let h: Harness;
let d: CampaignDriver;
beforeAll(async () => {
  h = await startHarness();
  d = new CampaignDriver(h);
});
afterAll(async () => {
  await h?.close();
});

const tomorrowIso = () => new Date(Date.now() + 86_400_000 * 30).toISOString().slice(0, 10);

describe('inspections that matter, claims against records, and a clean close', () => {
  it('a finding opens a rectification that is reported, sent back, accepted; the review flags an over-claim; close ends the rest', async () => {
    const launch = buildLaunch({ regions: ['pds-xinhua'], targets: { newMembers: 10, perRegion: { 'pds-xinhua': { newMembers: 10 } } } });
    const { id } = await d.launch(launch);
    await d.waitForPhase(id, 'survey');
    await d.advance(id, '摸底完成');
    await d.waitForPhase(id, 'listing');
    const list = await d.projects(id, 'pds-xinhua', [organizingProject({ name: '新华区快递行业工会联合会', plannedMembers: 5 })]);
    expect(list.status, JSON.stringify(list.body)).toBe(201);
    await d.act('city.reviewer', list.body.applicationId, { action: 'approve' });
    await d.act('prov.reviewer', list.body.applicationId, { action: 'approve' });
    await eventually(async () => ((await d.projectsOf(id)).every((p) => p.status === 'approved') ? true : undefined));
    await d.advance(id, '清单已批复');
    await d.waitForPhase(id, 'implementation');
    const project = await eventually(async () => (await d.projectsOf(id)).find((p) => p.status === 'in_progress'));
    const progress = await h.call('POST', `/api/projects/${project.id}/progress`, {
      token: await d.as('xinhua.staff'),
      body: { members: memberRecords(3) },
    });
    expect(progress.status, JSON.stringify(progress.body)).toBe(200);
    // The three pass real-name verification: only then are they counted (the records the review compares against).
    const reviewerOfRegion = await d.as('xinhua.reviewer');
    const held = await h.call('GET', `/api/projects/${project.id}/members-reported?limit=50`, { token: reviewerOfRegion });
    expect(held.body.items).toHaveLength(3);
    const verified = await h.call('POST', `/api/projects/${project.id}/members-reported/decisions`, {
      token: reviewerOfRegion,
      body: { decisions: held.body.items.map((m: { id: string }) => ({ id: m.id, action: 'verify' })) },
    });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);

    // ---- the inspection: three findings, two with deadlines (one already passed) ----
    const inspectedOn = '2026-08-15';
    const inspection = await h.call('POST', `/api/projects/${project.id}/inspections`, {
      token: await d.as('city.staff'),
      body: {
        findings: '会员实名登记不全，台账未更新',
        result: 'problem',
        inspectedOn,
        items: [
          { text: '会员花名册缺少身份证号', severity: 'major', deadline: tomorrowIso() },
          { text: '工会牌子未悬挂', severity: 'minor' },
          { text: '一企一档台账未更新', severity: 'serious', deadline: '2026-08-20' },
        ],
      },
    });
    expect(inspection.status, JSON.stringify(inspection.body)).toBe(201);
    const staffToken = await d.as('xinhua.staff');
    const listed = await eventually(async () => {
      const r = await h.call('GET', `/api/campaigns/${id}/rectifications`, { token: staffToken });
      return r.body.items?.length === 2 ? r.body.items : undefined;
    });
    const roster = listed.find((x: { finding: string }) => x.finding === '会员花名册缺少身份证号');
    const ledger = listed.find((x: { finding: string }) => x.finding === '一企一档台账未更新');
    expect(roster).toMatchObject({ status: 'open', severity: 'major', overdue: false, projectName: '新华区快递行业工会联合会', regionName: '新华区总工会' });
    expect(roster.openedBy.name).toBeTruthy();
    expect(ledger).toMatchObject({ status: 'open', deadline: '2026-08-20', overdue: true });
    // The same Update again (its Idempotency-Key) opens nothing twice.
    expect(await h.db('rectifications').where({ project_id: project.id }).count('* as n')).toEqual([{ n: '2' }]);

    // The dashboard: open and overdue per region.
    let view = await d.view(id);
    expect(view.regions[0].counts).toMatchObject({ rectificationsOpen: 2, rectificationsOverdue: 1 });
    expect(view.totals).toMatchObject({ rectificationsOpen: 2, rectificationsOverdue: 1 });

    // The bulletin (通报): a section of open rectifications per region, overdue flagged, in the data and every format.
    const issued = await h.call('POST', `/api/campaigns/${id}/reports`, { token: await d.as('city.admin') });
    expect(issued.status, JSON.stringify(issued.body)).toBe(201);
    const bulletin = await readBulletin(h, issued.body.id);
    const section = bulletin.rectifications.find((r: { org: string }) => r.org === 'pds-xinhua');
    expect(section).toMatchObject({ name: '新华区总工会', open: 2, overdue: 1 });
    expect(section.items.map((x: { finding: string; overdue: boolean }) => [x.finding, x.overdue])).toEqual([
      ['一企一档台账未更新', true],
      ['会员花名册缺少身份证号', false],
    ]);
    const csv = await h.call('GET', `/api/reports/${issued.body.id}?format=csv&table=rectifications`, { token: await d.as('city.admin') });
    expect(csv.status).toBe(200);
    expect(csv.body as string).toContain('一企一档台账未更新');
    expect(csv.body as string).toContain('待整改（逾期）');

    // ---- who may do what ----
    const asCity = await h.call('POST', `/api/rectifications/${roster.id}/report`, { token: await d.as('city.staff'), body: { note: '代报' } });
    expect(asCity.status).toBe(403);
    const elsewhere = await h.call('POST', `/api/rectifications/${roster.id}/report`, { token: await d.as('weidong.staff'), body: { note: '代报' } });
    expect(elsewhere.status).toBe(404);
    const regionDecides = await h.call('POST', `/api/rectifications/${roster.id}/decision`, { token: staffToken, body: { decision: 'accept' } });
    expect(regionDecides.status).toBe(403);
    const tooEarly = await h.call('POST', `/api/rectifications/${roster.id}/decision`, { token: await d.as('city.reviewer'), body: { decision: 'accept' } });
    expect(tooEarly.status).toBe(409);
    expect((await h.db('rectifications').where({ id: roster.id }).first()).status).toBe('open');

    // ---- reported, sent back, reported again, accepted ----
    const reported = await h.call('POST', `/api/rectifications/${roster.id}/report`, { token: staffToken, body: { note: '已补录身份证号' } });
    expect(reported.status, JSON.stringify(reported.body)).toBe(200);
    expect(reported.body).toMatchObject({ status: 'reported', report: { note: '已补录身份证号' } });
    const back = await h.call('POST', `/api/rectifications/${roster.id}/decision`, {
      token: await d.as('city.staff'),
      body: { decision: 'return', comment: '仍有两人缺号' },
    });
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    expect(back.body).toMatchObject({ status: 'returned', decision: { note: '仍有两人缺号' } });
    const again = await h.call('POST', `/api/rectifications/${roster.id}/report`, { token: staffToken, body: { note: '全部补齐' } });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    const accepted = await h.call('POST', `/api/rectifications/${roster.id}/decision`, { token: await d.as('city.reviewer'), body: { decision: 'accept' } });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'closed', overdue: false });
    expect(accepted.body.decision.by.name).toBeTruthy();
    view = await d.view(id);
    expect(view.regions[0].counts).toMatchObject({ rectificationsOpen: 1, rectificationsOverdue: 1 });
    const detail = await d.project(project.id, 'xinhua.staff');
    const trail = detail.history
      .filter((e: { kind: string; data: { rectificationId?: string } }) => e.kind === 'rectification' && e.data.rectificationId === roster.id)
      .map((e: { data: { action: string } }) => e.data.action);
    expect(trail).toEqual(['opened', 'reported', 'returned', 'reported', 'closed']);
    expect(detail.rectifications.map((r: { status: string }) => r.status).sort()).toEqual(['closed', 'open']);

    // ---- assessment: 5 members claimed, 3 on record ----
    await d.advance(id, '进入年终考核');
    await d.waitForPhase(id, 'assessment');
    const assessed = await h.call('POST', `/api/projects/${project.id}/self-assessment`, {
      token: staffToken,
      body: { summary: '完成建会任务', membersRecruited: 5, unionsEstablished: 0 },
    });
    expect(assessed.status, JSON.stringify(assessed.body)).toBe(201);
    const appId = assessed.body.assessmentApplicationId as string;
    const reviewerToken = await d.as('city.reviewer');
    await eventually(async () => {
      const r = await h.call('GET', '/api/tasks?status=pending&limit=200', { token: reviewerToken });
      return r.body.items.some((t: { applicationId: string }) => t.applicationId === appId) ? true : undefined;
    });
    const review = await h.call('GET', `/api/projects/${project.id}/assessment-review`, { token: reviewerToken });
    expect(review.status, JSON.stringify(review.body)).toBe(200);
    expect(review.body.claimed).toEqual({ members: 5, unions: 0, coverage: null });
    expect(review.body.counted).toEqual({ members: 3, unions: 0, coverage: null });
    expect(review.body.discrepancies).toEqual([expect.objectContaining({ field: 'members', claimed: 5, counted: 3, kind: 'over' })]);
    expect(review.body.discrepancies[0].message).toContain('多报 2');
    expect(review.body.inspections).toHaveLength(1);
    expect(review.body.inspections[0]).toMatchObject({ result: 'problem', inspectedOn, summary: '会员实名登记不全，台账未更新' });
    expect(review.body.inspections[0].findings.map((f: { text: string }) => f.text)).toEqual([
      '会员花名册缺少身份证号',
      '工会牌子未悬挂',
      '一企一档台账未更新',
    ]);
    expect(review.body.rectifications.map((r: { status: string; overdue: boolean }) => [r.status, r.overdue])).toEqual([
      ['closed', false],
      ['open', true],
    ]);
    // A region outside the project's subtree does not see the review.
    expect((await h.call('GET', `/api/projects/${project.id}/assessment-review`, { token: await d.as('weidong.staff') })).status).toBe(404);

    // ---- close with the review pending and one rectification open ----
    await d.advance(id, '考核结束');
    await d.waitForPhase(id, 'closed');
    const closed = await eventually(async () => {
      const p = await d.project(project.id);
      // (the history and the items are read one after the other: wait for both to show the close)
      const lapsed = p.history.some((e: { kind: string; data: { action?: string } }) => e.kind === 'rectification' && e.data.action === 'lapsed');
      return p.status === 'unqualified' && lapsed && p.rectifications.every((r: { status: string }) => r.status !== 'open') ? p : undefined;
    });
    expect(closed.rectifications.find((r: { id: string }) => r.id === ledger.id)).toMatchObject({
      status: 'lapsed',
      decision: { note: expect.stringContaining('行动结束') },
    });
    expect(closed.rectifications.find((r: { id: string }) => r.id === roster.id).status).toBe('closed');
    const statusEntry = closed.history.find((e: { kind: string; data: { status?: string } }) => e.kind === 'status' && e.data.status === 'unqualified');
    expect(statusEntry.data.note).toContain('自评尚未审核通过');
    expect(
      closed.history.some(
        (e: { kind: string; data: { action?: string; rectificationId?: string } }) =>
          e.kind === 'rectification' && e.data.action === 'lapsed' && e.data.rectificationId === ledger.id,
      ),
    ).toBe(true);
    // Nothing stays in an inbox: the review's task rows are closed and the application has ended.
    await eventually(async () => {
      const open = await h.db('tasks').where({ application_id: appId, status: 'pending' }).count('* as n');
      return open[0]!.n === '0' ? true : undefined;
    });
    const inbox = await h.call('GET', '/api/tasks?status=pending&limit=200', { token: reviewerToken });
    expect(inbox.body.items.some((t: { applicationId: string }) => t.applicationId === appId)).toBe(false);
    const app = await h.db('applications').where({ id: appId }).first('status');
    expect(app.status).toBe('withdrawn');
    view = await d.view(id);
    expect(view.regions[0].counts).toMatchObject({ rectificationsOpen: 0, rectificationsOverdue: 0 });
    // Nothing more to report on a closed campaign.
    const late = await h.call('POST', `/api/rectifications/${ledger.id}/report`, { token: staffToken, body: { note: '迟报' } });
    expect(late.status).toBe(409);
  }, 240_000);
});
