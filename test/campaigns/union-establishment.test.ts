/**
 * 建会是一个程序 (issue 16): a region reports the same union three times — two
 * progress reports (the second with the name spelt with spaces) and a POST —
 * and it is one establishment, walked through its five steps (筹备批复 →
 * 成立筹备组 → 发展会员 → 会员大会选举 → 上级工会批复) with a document on a
 * step; only the final approval counts it, crosses its enterprise off the
 * ledger and adds it to the org tree. A report after that counts nothing more.
 * Refusals answer the exact status and write nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHarness, type Harness } from '../support/harness';
import { buildLaunch, CampaignDriver, organizingProject, surveyCsv } from '../support/campaigns';
import { samplePdf, upload } from '../support/attachments';
import { unique } from '../support/factories';
import { UNION_ESTABLISHMENT_CHAIN } from '../../domain/builtin-chains';

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

/** A campaign of 新华区 in implementation with one enterprise-union project linked to a ledger enterprise. */
async function implementationProject() {
  const { id } = await d.launch(buildLaunch({ regions: [REGION], targets: { newMembers: 10, newUnions: 2 }, reportEvery: 'PT50M' }));
  await d.waitForPhase(id, 'survey');
  const company = `新华区${unique()}物流有限公司`;
  const up = await d.upload(id, REGION, surveyCsv(REGION, [{ name: company, employees: 120 }]));
  expect(up.status, JSON.stringify(up.body)).toBe(200);
  const gaps = await h.call('GET', `/api/campaigns/${id}/regions/${REGION}/gaps`, { token: await d.as('xinhua.staff') });
  const enterpriseId = Number(gaps.body.items.find((e: { name: string }) => e.name === company).id);
  await d.advance(id, '摸底完成，进入立项');
  await d.waitForPhase(id, 'listing');
  const list = await d.projects(id, REGION, [
    organizingProject({ name: `${company}工会组建`, type: 'enterprise_union', enterprises: [enterpriseId], plannedMembers: 30 }),
  ]);
  expect(list.status, JSON.stringify(list.body)).toBe(201);
  await d.act('city.reviewer', list.body.applicationId, { action: 'approve' });
  await d.act('prov.reviewer', list.body.applicationId, { action: 'approve' });
  await eventually(async () => ((await d.projectsOf(id)).every((p) => p.status === 'approved') ? true : undefined));
  await d.advance(id, '项目已批复，进入实施');
  await d.waitForPhase(id, 'implementation');
  const project = await eventually(async () => (await d.projectsOf(id)).find((p) => p.status === 'in_progress'));
  return { campaignId: id, projectId: project.id as string, enterpriseId, company };
}

/** What a refused or repeated start could have written for this campaign (other files share the database). */
async function snapshot(campaignId: string) {
  const [u, a, t] = await Promise.all([
    h.db('union_establishments').where({ campaign_id: campaignId }).count({ n: '*' }).first(),
    h.db('applications').where({ type: 'union_establishment', campaign_id: campaignId }).count({ n: '*' }).first(),
    h.db('tasks as t').join('applications as a', 'a.id', 't.application_id').where('a.campaign_id', campaignId).count({ n: '*' }).first(),
  ]);
  return { u: Number(u!.n), a: Number(a!.n), t: Number(t!.n) };
}

describe('建会 is a process: one establishment, counted once, at the final approval', () => {
  it('the same union reported three times is one establishment, walked through its steps, counted and crossed off only at the higher union’s approval', async () => {
    const { campaignId, projectId, enterpriseId, company } = await implementationProject();
    const union = `${company}工会委员会`;
    const staff = await d.as('xinhua.staff');

    // 1st: a progress report names the union with its enterprise — it starts the establishment; nothing is counted.
    const first = await h.call('POST', `/api/projects/${projectId}/progress`, {
      token: staff,
      body: { unionsEstablished: [{ enterpriseId, name: union, establishedOn: '2026-07-01' }] },
    });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ unionsEstablished: 0, crossedOff: 0 });
    expect(first.body.unions).toEqual([expect.objectContaining({ name: union, status: 'in_progress', started: true })]);
    const establishmentId = first.body.unions[0].id as string;

    // 2nd: another report, the name spelt with spaces and no enterprise — it matches the same establishment.
    const second = await h.call('POST', `/api/projects/${projectId}/progress`, {
      token: staff,
      body: { unionsEstablished: [{ name: ` ${union.slice(0, 4)} ${union.slice(4)} `, establishedOn: '2026-07-02' }] },
    });
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body.unions).toEqual([expect.objectContaining({ id: establishmentId, started: false })]);

    // Its first step waits in the region federation's reviewers' 待办.
    const step0 = async () => (await d.project(projectId)).unions[0].steps[0].state === 'current';
    await eventually(async () => ((await step0()) ? true : undefined));

    // 3rd: a POST for the same enterprise (and another for the same name) — 409 naming the existing one, nothing written.
    const before = await snapshot(campaignId);
    const byEnterprise = await h.call('POST', `/api/projects/${projectId}/unions`, {
      token: staff,
      body: { name: '另一个名字的工会', enterpriseId, kind: 'enterprise' },
    });
    expect(byEnterprise.status, JSON.stringify(byEnterprise.body)).toBe(409);
    expect(byEnterprise.body.detail).toContain(union);
    expect(byEnterprise.body.errors).toEqual([expect.objectContaining({ path: 'enterpriseId' })]);
    const byName = await h.call('POST', `/api/projects/${projectId}/unions`, { token: staff, body: { name: union, kind: 'joint' } });
    expect(byName.status).toBe(409);
    expect(byName.body.errors).toEqual([expect.objectContaining({ path: 'name' })]);
    expect(await snapshot(campaignId)).toEqual(before);

    // One establishment, claimed twice, at its first step (the region's reviewer's 待办); nothing counted, nothing crossed off.
    let p = await d.project(projectId, 'xinhua.staff');
    expect(p.unions).toHaveLength(1);
    expect(p.unions[0]).toMatchObject({
      id: establishmentId,
      status: 'in_progress',
      counted: false,
      reports: 2,
      kind: 'enterprise',
      enterprise: { id: enterpriseId, name: company },
    });
    expect(p.progress.unionsEstablished).toBe(0);
    const appId = p.unions[0].applicationId as string;
    expect(p.unions[0].steps.map((s: { name: string; by: string }) => [s.name.split(' / ')[0], s.by])).toEqual([
      ['筹备批复', 'higher_union'],
      ['成立筹备组', 'region'],
      ['发展会员', 'region'],
      ['会员大会选举', 'region'],
      ['上级工会批复', 'higher_union'],
    ]);
    const ledger = async () => (await h.db('enterprises').where({ id: enterpriseId }).first('ledger_status')).ledger_status;
    expect(await ledger()).toBe('registered');

    // 筹备批复: the region federation's reviewer approves the preparation.
    await d.act('xinhua.reviewer', appId, { action: 'approve', comment: '同意筹备' });
    // 成立筹备组: the region's staff, with the group's head and a document on the step.
    const prepTask = await eventually(async () => (await d.project(projectId)).unions[0].steps[1].taskId);
    const doc = await upload(
      h,
      'xinhua.staff',
      appId,
      { bytes: await samplePdf('Preparatory group'), name: '筹备组成立文件.pdf', type: 'application/pdf' },
      { taskId: prepTask },
    );
    expect(doc.status, JSON.stringify(doc.body)).toBe(201);
    await d.act('xinhua.staff', appId, { action: 'approve', form: { prepGroupLead: '王建国' } });
    // 发展会员, 会员大会选举 (date and chair).
    await d.act('xinhua.staff', appId, { action: 'approve', form: { memberCount: 36 } });
    await d.act('xinhua.staff', appId, { action: 'approve', form: { electionDate: '2026-08-18', chair: '李红梅' } });
    // Before the higher union approves the election, still nothing counted.
    await eventually(async () => ((await d.project(projectId)).unions[0].steps[4].state === 'current' ? true : undefined));
    expect((await d.project(projectId)).progress.unionsEstablished).toBe(0);
    expect(await ledger()).toBe('registered');

    // 上级工会批复: counted, crossed off, in the org tree.
    await d.act('xinhua.reviewer', appId, { action: 'approve', comment: '选举结果有效' });
    p = await eventually(async () => {
      const v = await d.project(projectId, 'xinhua.staff');
      return v.unions[0].status === 'established' ? v : undefined;
    });
    const u = p.unions[0];
    expect(u).toMatchObject({ counted: true, electionDate: '2026-08-18', chair: '李红梅', org: { name: union } });
    expect(u.steps.every((s: { state: string }) => s.state === 'done')).toBe(true);
    expect(u.steps[0].decidedByName).toBeTruthy();
    expect(u.steps[0].decidedBy).toBe('xinhua.reviewer');
    expect(u.steps[1].documents).toEqual([expect.objectContaining({ name: '筹备组成立文件.pdf' })]);
    expect(u.steps[1].values).toEqual({ prepGroupLead: '王建国' });
    expect(p.progress.unionsEstablished).toBe(1);
    expect(await ledger()).toBe('crossed_off');
    const org = await h.db('orgs').where({ id: u.org.id }).first();
    expect(org).toMatchObject({ name: union, kind: 'grassroots', parent_id: REGION, subkind: 'enterprise', path: `/henan/pds/${REGION}/${u.org.id}/` });
    const tree = await h.call('GET', `/api/orgs?parent=${REGION}&pageSize=200`, { token: await d.as('city.admin') });
    expect(tree.status, JSON.stringify(tree.body)).toBe(200);
    expect(tree.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ id: u.org.id, name: union })]));
    // The first-union milestone follows the approval.
    await eventually(async () => ((await d.project(projectId)).milestones.some((m: { key: string }) => m.key === 'firstUnion') ? true : undefined));

    // A third progress report naming it again: matched, not counted again; the campaign counts it once.
    const third = await h.call('POST', `/api/projects/${projectId}/progress`, {
      token: staff,
      body: { unionsEstablished: [{ enterpriseId, name: union, establishedOn: '2026-08-20' }] },
    });
    expect(third.status).toBe(200);
    expect(third.body.unions).toEqual([expect.objectContaining({ id: establishmentId, status: 'established', started: false })]);
    p = await d.project(projectId);
    expect(p.progress.unionsEstablished).toBe(1);
    expect(p.unions).toHaveLength(1);
    expect(p.unions[0].reports).toBe(3);
    const view = await d.view(campaignId);
    expect(view.regions.find((r: { org: string }) => r.org === REGION).counts).toMatchObject({ unionsEstablished: 1, crossedOff: 1 });
  });

  it('refuses outsiders, the wrong role and bad bodies with the exact status, writing nothing; a rejection counts nothing', async () => {
    const { campaignId, projectId } = await implementationProject();
    const body = { name: `新华区${unique()}快递网点联合工会`, kind: 'joint' };
    const before = await snapshot(campaignId);
    const call = async (user: string, b: unknown) => h.call('POST', `/api/projects/${projectId}/unions`, { token: await d.as(user), body: b });

    expect((await call('weidong.staff', body)).status).toBe(404);
    expect((await call('xc.staff', body)).status).toBe(404);
    expect((await call('xinhua.reviewer', body)).status).toBe(403);
    expect((await h.call('POST', `/api/projects/${projectId}/unions`, { body })).status).toBe(401);
    const bad = await call('xinhua.staff', { name: '', kind: 'club', extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    const paths = bad.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'kind']));
    const notLedger = await call('xinhua.staff', { ...body, enterpriseId: 999_999_999 });
    expect(notLedger.status).toBe(400);
    expect(notLedger.body.errors).toEqual([expect.objectContaining({ path: 'enterpriseId' })]);
    expect(await snapshot(campaignId)).toEqual(before);
    expect(await h.db('orgs').where({ name: body.name }).first()).toBeUndefined();

    // The region's staff start it; the higher union rejects the preparation: nothing is counted, the name is free again.
    const started = await call('xinhua.staff', body);
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    expect(started.body).toMatchObject({ name: body.name, kind: 'joint', status: 'in_progress', counted: false });
    await d.act('xinhua.reviewer', started.body.applicationId, { action: 'reject', comment: '不符合建会条件' });
    const p = await eventually(async () => {
      const v = await d.project(projectId);
      return v.unions[0]?.status === 'rejected' ? v : undefined;
    });
    expect(p.progress.unionsEstablished).toBe(0);
    expect(p.unions[0].steps[0].state).toBe('rejected');
    const again = await call('xinhua.staff', body);
    expect(again.status, JSON.stringify(again.body)).toBe(201);
  });

  it('ships the establishment chain as a built-in that the chain designer accepts as a proposal', async () => {
    const token = await d.as('city.admin');
    const { key, name, type, steps, form } = UNION_ESTABLISHMENT_CHAIN;
    const r = await h.call('POST', '/api/chains', { token, body: { key, name, type, steps, form, owner: 'pds' } });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const list = await h.call('GET', '/api/chains', { token });
    expect(list.body.items.some((c: { key: string }) => c.key === 'union_establishment')).toBe(true);
  });
});
