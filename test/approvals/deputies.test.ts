/**
 * 代理/委托 (deputies while away), on the two-city demo data with real
 * Temporal and Postgres: a range that starts and ends while an application is
 * in flight; the deputy acts "on behalf", the absent person sees the task
 * read-only; the range ends by DELETE or by time; per-type ranges; the
 * applicant is never a deputy; refusals with exact statuses and nothing written.
 *
 * Each test has its own sandbox org (a township under 新华区) and people, so the
 * demo users' tasks in parallel files never meet a deputy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../api/passwords';
import { DEMO_PASSWORD } from '../../db/demo-seed';
import { Approvals } from '../support/approvals';
import { buildChain, buildSubsidy, humanStep } from '../support/factories';
import { eventually, startHarness, type Harness } from '../support/harness';

let h: Harness;
let api: Approvals;
beforeAll(async () => {
  h = await startHarness();
  api = new Approvals(h);
});
afterAll(async () => {
  await h?.close();
});

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(Date.now() + ms).toISOString();

interface Team {
  org: string;
  staff: string;
  admin: string;
  /** The reviewer who goes away. */
  rev: string;
  /** Their colleague who stands in. */
  dep: string;
}

/**
 * A sandbox org (its staff member applies; an admin) with a reviewer and a colleague, and a chain in force for it
 * whose steps `steps(rev)` builds (named steps name the reviewer; role steps are the org's reviewer role).
 */
async function team(steps: (rev: string) => ReturnType<typeof humanStep>[]): Promise<Team> {
  const sb = await api.sandbox({ admin: true });
  const rev = `${sb.org}.rev`;
  const dep = `${sb.org}.dep`;
  await h.db('users').insert([
    { username: rev, name: `审核员甲${sb.org}`, org_id: sb.org, roles: ['reviewer'], password_hash: await hashPassword(DEMO_PASSWORD) },
    { username: dep, name: `代理人乙${sb.org}`, org_id: sb.org, roles: ['staff'], password_hash: await hashPassword(DEMO_PASSWORD) },
  ]);
  await api.installChain(buildChain({ steps: steps(rev) }), sb.org);
  return { org: sb.org, staff: sb.staff, admin: sb.admin!, rev, dep };
}

/** A named step for the reviewer; approve-once is off, so each step opens its own task. */
const named = (id: string, rev: string) => humanStep({ id, name: `审批 ${id}`, who: { kind: 'users', usernames: [rev] }, dedupConsecutive: false });
/** A role step: the sandbox org's reviewers (one task for the pool). */
const pool = (id: string) => humanStep({ id, name: `审批 ${id}`, who: { kind: 'role', role: 'reviewer', level: 'self' }, dedupConsecutive: false });

async function setDeputy(by: string, who: string, body: Record<string, unknown>) {
  return h.call('PUT', `/api/users/${who}/deputy`, { token: await h.login(by), body });
}

async function footprint(username: string) {
  const deputies = await h.db('deputies').where({ username }).orderBy('id').select('id', 'deputy', 'starts_at', 'ends_at', 'ended_at', 'types');
  const audit = await h.db('admin_audit').where({ subject_kind: 'deputy', subject_id: username }).count<{ n: string }[]>({ n: '*' }).first();
  return { deputies, audit: Number(audit?.n ?? 0) };
}

async function auditCount(id: string): Promise<number> {
  const row = await h.db('audit_log').where({ application_id: id }).count<{ n: string }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

async function inboxItem(username: string, applicationId: string, stepIndex: number) {
  return eventually(async () => {
    const r = await h.call('GET', '/api/tasks?status=pending', { token: await h.login(username) });
    expect(r.status).toBe(200);
    return (r.body.items as any[]).find((t) => t.applicationId === applicationId && t.stepIndex === stepIndex);
  });
}

describe('a deputy range while an application is in flight', () => {
  it('before the range the reviewer; during it the deputy acts on their behalf (role pool and named steps) while they see it read-only; after DELETE and after a range that has passed, the reviewer again', async () => {
    const t = await team((rev) => [named('before', rev), pool('pooled'), named('during', rev), named('afterDelete', rev), named('afterTime', rev)]);
    const id = await api.start(t.staff, buildSubsidy());

    // Step 0 opens before any range: the reviewer's.
    const first = await api.task(t.rev, id, 0);
    expect(first).toMatchObject({ assignee: t.rev });

    // The reviewer names their colleague from an hour ago to tomorrow (ISO times).
    const set = await setDeputy(t.rev, t.rev, { deputy: t.dep, from: iso(-HOUR), to: iso(24 * HOUR) });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toMatchObject({ username: t.rev, deputy: { deputy: t.dep, active: true, types: null }, replaced: null });
    expect((await h.call('GET', `/api/users/${t.rev}/deputy`, { token: await h.login(t.rev) })).body).toMatchObject({ deputy: { deputy: t.dep } });
    expect(await footprint(t.rev)).toMatchObject({ audit: 1 });
    // GET /api/me shows the caller their deputy.
    const me = await h.call('GET', '/api/me', { token: await h.login(t.rev) });
    expect(me.status).toBe(200);
    expect(me.body.deputy).toMatchObject({ deputy: t.dep, active: true, types: null });

    // The task opened before the range keeps its holder, who still decides it.
    const before = await inboxItem(t.rev, id, 0);
    expect(before.readOnly).toBeUndefined();
    await api.ok(t.rev, first.id, { action: 'approve' });

    // Step 1 (the org's reviewer pool) opens during the range: the deputy holds it in the reviewer's place.
    const pooled = await inboxItem(t.dep, id, 1);
    expect(pooled).toMatchObject({ role: 'reviewer', assignee: null, candidates: [t.dep], onBehalfOf: { username: t.rev, name: `审核员甲${t.org}` } });
    const pooledForRev = await inboxItem(t.rev, id, 1);
    expect(pooledForRev).toMatchObject({ id: pooled.id, readOnly: true });
    expect(pooledForRev.onBehalfOf).toBeUndefined();
    const counts = (await h.call('GET', '/api/tasks?status=pending', { token: await h.login(t.rev) })).body.counts;
    expect(counts.pending).toBe(0); // read-only tasks are not the reviewer's to do
    // The reviewer may not act on it: 403 with the policy's reason, nothing written.
    const writtenBefore = await auditCount(id);
    const refused = await api.act(t.rev, pooled.id, { action: 'approve' });
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toBe('您不在岗期间此任务由代理人办理，您只能查看 / your deputy handles this task while you are away: read-only for you');
    expect((await api.act(t.rev, pooled.id, { action: 'transfer', to: t.staff })).status).toBe(403);
    expect(await auditCount(id)).toBe(writtenBefore);
    // …but sees it (task detail answers, read-only).
    const detail = await h.call('GET', `/api/tasks/${pooled.id}`, { token: await h.login(t.rev) });
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ readOnly: true, mine: false });
    await api.ok(t.dep, pooled.id, { action: 'approve', comment: '代为审批 / on their behalf' });

    // Step 2 (named to the reviewer) opens during the range: named to the deputy.
    const during = await inboxItem(t.dep, id, 2);
    expect(during).toMatchObject({ assignee: t.dep, onBehalfOf: { username: t.rev } });
    expect(await inboxItem(t.rev, id, 2)).toMatchObject({ id: during.id, readOnly: true, assignee: t.dep });
    expect((await api.act(t.rev, during.id, { action: 'approve' })).status).toBe(403);
    // The range ends early (DELETE, by the org's admin): the task opened during it stays the deputy's; the next step is the reviewer's again.
    const ended = await h.call('DELETE', `/api/users/${t.rev}/deputy`, { token: await h.login(t.admin) });
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ ended: { deputy: t.dep } });
    expect((await h.call('GET', `/api/users/${t.rev}/deputy`, { token: await h.login(t.rev) })).body).toEqual({ username: t.rev, deputy: null });
    expect(await footprint(t.rev)).toMatchObject({ audit: 2 });
    // (Nothing to end: 200, nothing written.)
    expect((await h.call('DELETE', `/api/users/${t.rev}/deputy`, { token: await h.login(t.rev) })).body).toMatchObject({ ended: null });
    expect(await footprint(t.rev)).toMatchObject({ audit: 2 });
    expect((await api.act(t.rev, during.id, { action: 'approve' })).status).toBe(403);
    await api.ok(t.dep, during.id, { action: 'approve' });

    // The timeline marks the deputy's decisions 代…审批 and the steps that went to the deputy.
    const timeline = (await h.call('GET', `/api/tasks/${during.id}`, { token: await h.login(t.dep) })).body.timeline as any[];
    const onBehalf = timeline.filter((e) => e.action === 'approve' && e.actor === t.dep);
    expect(onBehalf).toHaveLength(2);
    for (const e of onBehalf) {
      expect(e).toMatchObject({ data: { onBehalfOf: t.rev }, onBehalfOf: { username: t.rev, name: `审核员甲${t.org}` } });
      expect(e.label).toBe(`代审核员甲${t.org}审批 / on behalf of 审核员甲${t.org}`);
    }
    expect(timeline.filter((e) => e.action === 'stepStarted' && e.data?.deputies?.[t.rev] === t.dep)).toHaveLength(2);

    const afterDelete = await api.task(t.rev, id, 3);
    expect(afterDelete).toMatchObject({ assignee: t.rev });
    expect((await inboxItem(t.rev, id, 3)).readOnly).toBeUndefined();

    // A new range whose end then passes (the clock moved on): the range ends by itself.
    expect((await setDeputy(t.rev, t.rev, { deputy: t.dep, from: iso(-HOUR), to: iso(HOUR) })).status).toBe(200);
    await h
      .db('deputies')
      .where({ username: t.rev })
      .whereNull('ended_at')
      .update({ starts_at: new Date(Date.now() - 3 * HOUR), ends_at: new Date(Date.now() - HOUR) });
    await api.ok(t.rev, afterDelete.id, { action: 'approve' });
    expect(await api.task(t.rev, id, 4)).toMatchObject({ assignee: t.rev });
    expect(await api.inbox(t.dep, id)).toHaveLength(0);
  });

  it('a range for some application types only: a subsidy step goes to the deputy only while the range covers subsidies; a date range is whole Beijing days', async () => {
    const t = await team((rev) => [named('one', rev), named('two', rev)]);
    const today = new Date(Date.now() + 8 * HOUR).toISOString().slice(0, 10);
    const membershipOnly = await setDeputy(t.admin, t.rev, { deputy: t.dep, from: today, to: today, types: ['membership'] });
    expect(membershipOnly.status, JSON.stringify(membershipOnly.body)).toBe(200);
    expect(membershipOnly.body.deputy).toMatchObject({ types: ['membership'], from: new Date(`${today}T00:00:00+08:00`).toISOString() });
    expect(Date.parse(membershipOnly.body.deputy.to) - Date.parse(membershipOnly.body.deputy.from)).toBe(24 * HOUR);

    const id = await api.start(t.staff, buildSubsidy());
    const one = await api.task(t.rev, id, 0);
    expect(one.assignee).toBe(t.rev);

    // A new PUT replaces the range in force (one at a time), now for subsidies.
    const subsidies = await setDeputy(t.rev, t.rev, { deputy: t.dep, from: iso(-HOUR), to: iso(HOUR), types: ['subsidy', 'membership'] });
    expect(subsidies.body).toMatchObject({ deputy: { types: ['subsidy', 'membership'] }, replaced: { types: ['membership'] } });
    expect((await footprint(t.rev)).deputies.filter((d: any) => d.ended_at === null)).toHaveLength(1);
    await api.ok(t.rev, one.id, { action: 'approve' });
    expect(await api.task(t.dep, id, 1)).toMatchObject({ assignee: t.dep });
  });

  it('a deputy who is the applicant is not used: the step stays with the absent reviewer', async () => {
    const t = await team((rev) => [named('one', rev)]);
    expect((await setDeputy(t.rev, t.rev, { deputy: t.staff, from: iso(-HOUR), to: iso(HOUR) })).status).toBe(200);
    const id = await api.start(t.staff, buildSubsidy());
    const task = await api.task(t.rev, id, 0);
    expect(task).toMatchObject({ assignee: t.rev });
    expect((await inboxItem(t.rev, id, 0)).readOnly).toBeUndefined();
    expect(await api.inbox(t.staff, id)).toHaveLength(0);
    await api.ok(t.rev, task.id, { action: 'approve' });
  });
});

describe('refusals: exact status, nothing written', () => {
  it('refuses a deputy outside the subtree (403), oneself or an unknown user (400), a non-admin setting someone else’s (403), a caller outside the subtree (404); an admin above may', async () => {
    const t = await team((rev) => [named('one', rev)]);
    const body = { deputy: t.dep, from: iso(HOUR), to: iso(48 * HOUR) };
    const before = await footprint(t.rev);

    const outside = await setDeputy(t.rev, t.rev, { ...body, deputy: 'city.reviewer' });
    expect(outside.status).toBe(403);
    expect(outside.body.detail).toBe('代理人须为本单位或下级单位的人员 / the deputy must be in the absent person’s org or below it');
    const self = await setDeputy(t.rev, t.rev, { ...body, deputy: t.rev });
    expect(self.status).toBe(400);
    expect(self.body.errors).toEqual([{ path: 'deputy', message: '不能指定本人为代理人 / you cannot be your own deputy' }]);
    expect((await setDeputy(t.rev, t.rev, { ...body, deputy: 'nobody.here' })).body.errors.map((e: any) => e.path)).toEqual(['deputy']);
    const notAdmin = await setDeputy(t.dep, t.rev, body);
    expect(notAdmin.status).toBe(403);
    expect(notAdmin.body.detail).toBe('只有本人或其上级管理员可以设置代理人 / only the person or an admin above them sets a deputy');
    expect((await setDeputy('city.reviewer', t.rev, body)).status).toBe(403);
    for (const who of ['weidong.reviewer', 'xc.admin', 'xinhua-express.reviewer']) {
      expect((await setDeputy(who, t.rev, body)).status, who).toBe(404);
      expect((await h.call('GET', `/api/users/${t.rev}/deputy`, { token: await h.login(who) })).status, who).toBe(404);
      expect((await h.call('DELETE', `/api/users/${t.rev}/deputy`, { token: await h.login(who) })).status, who).toBe(404);
    }
    expect((await setDeputy('city.admin', 'nobody.here', body)).status).toBe(404);
    expect(await footprint(t.rev)).toEqual(before);

    const byAdmin = await setDeputy('city.admin', t.rev, body);
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.deputy).toMatchObject({ deputy: t.dep, active: false, createdBy: 'city.admin' });
    const record = await h.db('admin_audit').where({ subject_kind: 'deputy', subject_id: t.rev }).first();
    expect(record).toMatchObject({ actor: 'city.admin', action: 'deputy.set', org_path: `/henan/pds/pds-xinhua/${t.org}/` });
  });

  it('refuses bad ranges and types with 400 naming each field, nothing written', async () => {
    const t = await team((rev) => [named('one', rev)]);
    const before = await footprint(t.rev);
    const bad = async (body: Record<string, unknown>) => {
      const r = await setDeputy(t.rev, t.rev, body);
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      return (r.body.errors as { path: string }[]).map((e) => e.path).sort();
    };
    expect(await bad({ deputy: t.dep, from: iso(2 * HOUR), to: iso(HOUR) })).toEqual(['to']);
    expect(await bad({ deputy: t.dep, from: iso(-3 * HOUR), to: iso(-HOUR) })).toEqual(['to']);
    expect(await bad({ deputy: t.dep, from: iso(0), to: iso(91 * 24 * HOUR) })).toEqual(['to']);
    expect(await bad({ deputy: t.dep, from: iso(0), to: iso(HOUR), types: ['holiday'] })).toEqual(['types.0']);
    expect(await bad({ deputy: t.dep, from: iso(0), to: iso(HOUR), types: [] })).toEqual(['types']);
    expect(await bad({ deputy: t.dep, from: '2026-13-01', to: 'tomorrow' })).toEqual(['from', 'to']);
    expect(await bad({})).toEqual(['deputy', 'from', 'to']);
    expect(await footprint(t.rev)).toEqual(before);
  });
});
