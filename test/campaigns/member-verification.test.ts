/**
 * Members count when verified (issue 16): a project of 新华区 reports ten
 * members, of whom two are members elsewhere (one joined online at
 * 新华区快递行业工会联合会, one was counted before by another project of the
 * campaign at an employer's union) and one is a dispatched worker whose
 * agency has a union. Before verification nothing counts and the ten are
 * pending, apart; the region's reviewer verifies them: eight new members, two
 * transfers (counted at the place of work and no longer where they were — the
 * other project loses its one), the dispatched worker admitted by the agency's
 * union. A dispatched worker whose agency has no union goes to the host
 * employer's union; a rejected member has a reason the submitter reads. The
 * campaign view, the bulletin and the year-end ranking use verified counts,
 * and show the pending ones apart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskIdNumber } from '../../domain/id-number';
import { regionScore } from '../../domain/campaign';
import { Approvals } from '../support/approvals';
import { buildLaunch, CampaignDriver, memberRecords, organizingProject } from '../support/campaigns';
import { buildMember, unique } from '../support/factories';
import { eventually, startHarness, type Harness } from '../support/harness';
import { issueOk, readBulletin } from '../support/reports';

const REGION = 'pds-xinhua';
let h: Harness;
let d: CampaignDriver;
let api: Approvals;
beforeAll(async () => {
  h = await startHarness();
  d = new CampaignDriver(h);
  api = new Approvals(h);
});
afterAll(async () => {
  await h?.close();
});

const call = async (username: string, method: string, path: string, body?: unknown) => h.call(method, path, { token: await h.login(username), body });
const reported = (username: string, project: string, q = '') => call(username, 'GET', `/api/projects/${project}/members-reported?limit=500${q}`);
const decide = (username: string, project: string, decisions: unknown[]) =>
  call(username, 'POST', `/api/projects/${project}/members-reported/decisions`, { decisions });
const progress = async (project: string, members: unknown[]) => {
  const r = await call('xinhua.staff', 'POST', `/api/projects/${project}/progress`, { members });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
};
const memberOf = (idNumber: string) =>
  h
    .db('members')
    .where({ id_number_hash: h.pii.hash(idNumber) })
    .first();
const projectRow = (id: string) => h.db('projects').where({ id }).first('members_recruited', 'members_pending');

/** A grassroots union created by the city admin under 新华区 (as the org tree gets new unions). */
async function union(name: string): Promise<string> {
  const r = await call('city.admin', 'POST', '/api/orgs', { name, kind: 'grassroots', parent: REGION });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as string;
}

describe('members count when verified (实名核验)', () => {
  it('ten reported, two members elsewhere, one dispatched: pending first, then verified counts, transfers counted once at the place of work, the agency’s union', async () => {
    const tag = unique().slice(0, 6);
    const agency = `平顶山${tag}人力资源劳务派遣有限公司`;
    const host = `平顶山${tag}顺捷物流有限公司`;
    const agencyUnion = await union(`${agency}工会`);
    const hostUnion = await union(`${host}工会委员会`);

    // A campaign of 新华区 alone, target 20 new members, with two approved organizing projects, in implementation.
    const { id } = await d.launch(buildLaunch({ regions: [REGION], targets: { newMembers: 20 } }));
    await d.waitForPhase(id, 'survey');
    await d.advance(id, '摸底完成，进入立项');
    await d.waitForPhase(id, 'listing');
    const list = await d.projects(id, REGION, [organizingProject(), organizingProject()]);
    expect(list.status, JSON.stringify(list.body)).toBe(201);
    await d.act('city.reviewer', list.body.applicationId, { action: 'approve' });
    await d.act('prov.reviewer', list.body.applicationId, { action: 'approve' });
    await eventually(async () => (await d.projectsOf(id)).filter((p) => p.status === 'approved').length === 2);
    await d.advance(id, '项目已批复，进入实施');
    await d.waitForPhase(id, 'implementation');
    const [A, B] = await eventually(async () => {
      const ps = await d.projectsOf(id);
      return ps.length === 2 && ps.every((p) => p.status === 'in_progress') ? (ps.map((p) => p.id as string).sort() as [string, string]) : undefined;
    }, 30_000);

    // ---- two people who are members elsewhere already ----
    // One joined online (网上入会) at 新华区快递行业工会联合会.
    const online = buildMember({ group: 'courier', area: REGION });
    const app = await api.start(null, online);
    await api.ok('xinhua-express.reviewer', (await api.task('xinhua-express.reviewer', app, 1)).id, { action: 'approve' });
    await api.ok('xinhua-express.reviewer', (await api.task('xinhua-express.reviewer', app, 3)).id, { action: 'approve' });
    await api.status(app, 'approved');
    expect(await memberOf(online.idNumber)).toMatchObject({ union_id: 'pds-xinhua-express' });
    // One was reported by project B, working at the host company, and verified there: B counts one, at the company's union.
    const [counted] = memberRecords(1);
    const first = await progress(B, [{ ...counted, name: '李先到', employer: host }]);
    expect(first).toMatchObject({ membersReported: 1, membersAccepted: 0, alreadyCounted: 0 });
    const bList = await reported('xinhua.reviewer', B);
    expect(bList.body.items[0]).toMatchObject({ admittedUnion: { id: hostUnion }, admissionRule: 'employer_union', status: 'pending' });
    await decide('xinhua.reviewer', B, [{ id: bList.body.items[0].id, action: 'verify' }]);
    expect(await projectRow(B)).toEqual({ members_recruited: 1, members_pending: 0 });
    expect(await memberOf(counted!.idNumber)).toMatchObject({ union_id: hostUnion, project_id: B, verified: true });

    // ---- project A reports ten: seven new, the two members elsewhere, one dispatched worker ----
    const fresh = memberRecords(7);
    const dispatched = { ...memberRecords(1)[0]!, name: '赵派遣', employer: '某快递网点', dispatched: true, agency };
    const ten = [
      ...fresh,
      { name: online.name, idNumber: online.idNumber, group: 'courier', employer: '某快递网点' },
      { ...counted!, name: '李先到', employer: '某快递网点' },
      dispatched,
    ];
    const r = await call('xinhua.staff', 'POST', `/api/projects/${A}/progress`, { members: ten });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    // Counts only: ten put to verification, nothing counted yet, and no word of who was a member elsewhere.
    expect(r.body).toMatchObject({ membersReported: 10, membersAccepted: 0, alreadyCounted: 0, totals: { membersRecruited: 0, membersPending: 10 } });
    const text = JSON.stringify(r.body);
    for (const m of ten) expect(text).not.toContain(maskIdNumber(m.idNumber));
    expect(text).not.toMatch(/transfer|会籍转移|转入/);

    // ---- pending: nothing counts, the ten are shown apart ----
    expect(await projectRow(A)).toEqual({ members_recruited: 0, members_pending: 10 });
    expect(await memberOf(fresh[0]!.idNumber)).toBeUndefined();
    expect(await memberOf(online.idNumber)).toMatchObject({ union_id: 'pds-xinhua-express' });
    let view = await d.view(id);
    expect(view.regions[0].counts).toMatchObject({ membersRecruited: 1, membersPending: 10 });
    expect(view.totals).toMatchObject({ membersRecruited: 1, membersPending: 10 });
    const before = await readBulletin(h, (await issueOk(h, id)).id);
    const xinhuaBefore = before.regions.find((x: { org: string }) => x.org === REGION);
    expect(xinhuaBefore.members).toMatchObject({ viaProjects: 1, pending: 10 });
    expect(before.totals.members.pending).toBe(10);

    // The submitter sees status, union and why — not what the automatic check found.
    const staffView = await reported('xinhua.staff', A);
    expect(staffView.status).toBe(200);
    expect(staffView.body).toMatchObject({ canVerify: false, counts: { pending: 10, verified: 0, rejected: 0 } });
    expect(staffView.body.items).toHaveLength(10);
    for (const item of staffView.body.items) {
      expect(item.status).toBe('pending');
      expect(item.statusLabel).toMatch(/^待核验/);
      expect(item.check).toBeUndefined();
    }
    expect(JSON.stringify(staffView.body)).not.toMatch(/新华区快递行业工会联合会|顺捷物流有限公司工会|会籍转移|member elsewhere/);
    const d1 = staffView.body.items.find((i: { name: string }) => i.name === '赵派遣');
    expect(d1).toMatchObject({ dispatched: true, agency, admittedUnion: { id: agencyUnion, name: `${agency}工会` }, admissionRule: 'agency_union' });
    expect(d1.admissionReason).toMatch(/^劳务派遣工首先加入劳务派遣单位工会/);

    // The verifier (the region's reviewer) sees the checks: two transfers, named where from.
    const queue = await reported('xinhua.reviewer', A);
    expect(queue.body.canVerify).toBe(true);
    const checks = Object.fromEntries(queue.body.items.map((i: { name: string; check: { kind: string; fromUnionName: string | null } }) => [i.name, i.check]));
    expect(checks[online.name]).toMatchObject({ kind: 'transfer', fromUnionName: '新华区快递行业工会联合会' });
    expect(checks['李先到']).toMatchObject({ kind: 'transfer', fromUnionName: `${host}工会委员会` });
    expect(Object.values(checks).filter((c) => (c as { kind: string }).kind === 'new')).toHaveLength(8);
    // …and finds them in the queue of verification tasks.
    const tasks = await call('xinhua.reviewer', 'GET', `/api/member-verifications?campaign=${id}`);
    expect(tasks.status).toBe(200);
    expect(tasks.body.items.filter((i: { project: { id: string } }) => i.project.id === A)).toHaveLength(10);

    // Staff may not verify (403), another county's reviewer does not see the project (404): nothing written.
    const ids = queue.body.items.map((i: { id: string }) => i.id) as string[];
    expect((await decide('xinhua.staff', A, [{ id: ids[0], action: 'verify' }])).status).toBe(403);
    expect((await decide('weidong.reviewer', A, [{ id: ids[0], action: 'verify' }])).status).toBe(404);
    expect(await projectRow(A)).toEqual({ members_recruited: 0, members_pending: 10 });

    // ---- the verifier verifies the ten ----
    const done = await decide(
      'xinhua.reviewer',
      A,
      ids.map((i) => ({ id: i, action: 'verify' })),
    );
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    const outcomes = done.body.results.map((x: { outcome: string }) => x.outcome);
    expect(outcomes.filter((o: string) => o === 'new')).toHaveLength(8);
    expect(outcomes.filter((o: string) => o === 'transfer')).toHaveLength(2);
    expect(done.body.progress).toEqual({ membersRecruited: 10, membersPending: 0 });

    // Counted at the place of work, once: A counts ten, B no longer counts the one who moved.
    expect(await projectRow(A)).toEqual({ members_recruited: 10, members_pending: 0 });
    expect(await projectRow(B)).toEqual({ members_recruited: 0, members_pending: 0 });
    expect(await memberOf(online.idNumber)).toMatchObject({ union_id: REGION, transferred_from: 'pds-xinhua-express', project_id: A, campaign_id: id });
    expect(await memberOf(counted!.idNumber)).toMatchObject({ union_id: REGION, transferred_from: hostUnion, project_id: A });
    expect(await memberOf(dispatched.idNumber)).toMatchObject({ union_id: agencyUnion, admission_rule: 'agency_union', project_id: A });
    expect(await h.db('members').where({ campaign_id: id }).count({ n: '*' }).first()).toMatchObject({ n: '10' });
    // The record says which were transfers: the submitter reads it once verified.
    const after = await reported('xinhua.staff', A);
    const moved = after.body.items.filter((i: { outcome: string }) => i.outcome === 'transfer');
    expect(moved.map((i: { name: string }) => i.name).sort()).toEqual([online.name, '李先到'].sort());
    expect(moved.map((i: { transferredFrom: string }) => i.transferredFrom).sort()).toEqual([`${host}工会委员会`, '新华区快递行业工会联合会'].sort());
    expect(after.body.counts).toMatchObject({ pending: 0, verified: 10, transfers: 2 });

    // Deciding again changes nothing.
    const again = await decide('xinhua.reviewer', A, [{ id: ids[0], action: 'reject', reason: '重复操作' }]);
    expect(again.status).toBe(200);
    expect(again.body.results[0]).toMatchObject({ changed: false, status: 'verified' });
    expect(await projectRow(A)).toEqual({ members_recruited: 10, members_pending: 0 });

    // ---- B: a dispatched worker whose agency has no union (the host's union admits), and one the verifier rejects ----
    const [hosted, wrong] = memberRecords(2);
    const third = await progress(B, [
      { ...hosted!, name: '钱用工', employer: host, dispatched: true, agency: `平顶山${tag}无工会劳务公司` },
      { ...wrong!, name: '孙不符' },
    ]);
    expect(third).toMatchObject({ membersReported: 2, totals: { membersRecruited: 0, membersPending: 2 } });
    const bItems = (await reported('city.reviewer', B, '&status=pending')).body.items as {
      id: string;
      name: string;
      admittedUnion: { id: string };
      admissionRule: string;
    }[];
    const qian = bItems.find((i) => i.name === '钱用工')!;
    const sun = bItems.find((i) => i.name === '孙不符')!;
    expect(qian).toMatchObject({ admittedUnion: { id: hostUnion }, admissionRule: 'host_union' });
    // A rejection needs a reason: 400 naming it, nothing written.
    const noReason = await decide('city.reviewer', B, [{ id: sun.id, action: 'reject' }]);
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors.map((e: { path: string }) => e.path)).toEqual(['decisions.0.reason']);
    const bDone = await decide('city.reviewer', B, [
      { id: qian.id, action: 'verify' },
      { id: sun.id, action: 'reject', reason: '身份证件与本人不符 / the papers do not match the person' },
    ]);
    expect(bDone.status, JSON.stringify(bDone.body)).toBe(200);
    expect(await memberOf(hosted!.idNumber)).toMatchObject({ union_id: hostUnion, admission_rule: 'host_union' });
    expect(await memberOf(wrong!.idNumber)).toBeUndefined();
    const bStaff = (await reported('xinhua.staff', B)).body.items as { name: string; status: string; reason: string | null; admissionReason: string }[];
    expect(bStaff.find((i) => i.name === '孙不符')).toMatchObject({ status: 'rejected', reason: '身份证件与本人不符 / the papers do not match the person' });
    expect(bStaff.find((i) => i.name === '钱用工')!.admissionReason).toMatch(/^劳务派遣单位未建工会，加入用工单位工会/);
    expect(await projectRow(B)).toEqual({ members_recruited: 1, members_pending: 0 });

    // ---- the dashboard, the bulletin and the ranking: verified counts only ----
    // Claimed: 13 reported (B 3, A 10); verified and counted: 11 (A 10, B 1); one rejected, one counted once though reported twice.
    const claimed = await h.db('member_reports').where({ campaign_id: id }).count({ n: '*' }).first();
    expect(claimed).toMatchObject({ n: '13' });
    view = await d.view(id);
    expect(view.totals).toMatchObject({ membersRecruited: 11, membersPending: 0 });
    const later = await readBulletin(h, (await issueOk(h, id)).id);
    expect(later.regions.find((x: { org: string }) => x.org === REGION).members).toMatchObject({ viaProjects: 11, pending: 0 });

    await d.advance(id, '进入年终考核');
    await d.waitForPhase(id, 'assessment');
    await d.advance(id, '考核结束');
    view = await d.waitForPhase(id, 'closed');
    const score = (members: number) =>
      regionScore({ members, targetMembers: 20, unions: 0, targetUnions: view.regions[0].targets.newUnions ?? 0, qualified: 0, projects: 2 });
    expect(view.regions[0].targets.newMembers).toBe(20);
    expect(view.regions[0].score).toBe(score(11));
    expect(view.regions[0].score).not.toBe(score(13));
    expect(view.ranking).toEqual([expect.objectContaining({ org: REGION, rank: 1 })]);
    // Closed: no more verification.
    expect((await decide('xinhua.reviewer', A, [{ id: ids[0], action: 'verify' }])).status).toBe(409);
  }, 240_000);
});
