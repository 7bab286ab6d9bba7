/**
 * Cadre rotation (干部轮岗), POST /api/users/:username/rotate, on the real
 * stack (Temporal + Postgres, the two-city demo data): a reviewer of a
 * township union holds a named task, a role-pool task only they hold, a task
 * they delegated and one delegated to them, and filed an application from
 * that union. The dry run lists exactly those; the rotation moves each (to
 * the successor, back to the owner, or back to the role pool), the timeline
 * shows each move, the old post ends and the new one starts, and a step that
 * starts afterwards goes to whoever then holds the role. Refusals answer
 * their exact status and write nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../api/passwords';
import { DEMO_PASSWORD } from '../../db/demo-seed';
import type { Step } from '../../domain/chain';
import { Approvals, runBulkJob, type Sandbox } from '../support/approvals';
import { buildChain, buildSubsidy, humanStep, unique } from '../support/factories';
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

/** Adds people to a sandbox org, each with the roles given (their posts there, by the account trigger). */
async function people(org: string, roles: Record<string, string[]>): Promise<void> {
  // Each with a hash (a salt) of their own, as the product stores them.
  const rows = await Promise.all(
    Object.entries(roles).map(async ([name, r]) => ({
      username: `${org}.${name}`,
      name: `测试 ${name}`,
      org_id: org,
      roles: r,
      password_hash: await hashPassword(DEMO_PASSWORD),
    })),
  );
  await h.db('users').insert(rows);
}

const postOf = (username: string, org: string, role: string) =>
  h.db('user_posts').where({ username, org_id: org, role }).whereNull('ended_at').first<{ id: string } | undefined>('id');

const reviewSelf = (id: string, mode: 'single' | 'all' = 'single'): Step => ({
  id,
  name: `本级审核 ${id}`,
  type: 'human',
  who: { kind: 'role', role: 'reviewer', level: 'self' },
  mode,
});

/** The pending task of an application, as the projection holds it. */
const pendingOf = (appId: string) =>
  eventually(() => h.db('tasks').where({ application_id: appId, status: 'pending', kind: 'approval' }).first('id', 'assignee', 'owner', 'role', 'org_id'));

/** Everything a refused rotation could have written. */
async function footprint(username: string, appIds: string[]) {
  return {
    posts: await h.db('user_posts').where({ username }).orderBy('id').select('id', 'org_id', 'role', 'ended_at'),
    audit: await h.db('admin_audit').where({ subject_id: username }).count({ n: '*' }),
    tasks: await h.db('tasks').whereIn('application_id', appIds).orderBy('id').select('id', 'assignee', 'owner', 'status'),
    timeline: await h.db('audit_log').whereIn('application_id', appIds).count({ n: '*' }),
  };
}

describe('a rotation with pending, delegated and future tasks', () => {
  let sb: Sandbox;
  let other: Sandbox;
  let rev: string;
  const apps = { delegatedToThem: '', pool: '', delegatedByThem: '', named: '', future: '', filed: '' };

  beforeAll(async () => {
    // A township union whose first step names one person and whose second is its own reviewers' pool.
    sb = await api.sandbox();
    await people(sb.org, { rev: ['reviewer', 'staff'], first: ['staff'], helper: ['staff'], succ: ['staff'], next: ['staff'] });
    await api.installChain(
      buildChain({ steps: [humanStep({ id: 'first', name: '经办初审', who: { kind: 'users', usernames: [`${sb.org}.first`] } }), reviewSelf('review')] }),
      sb.org,
    );
    other = await api.sandbox();
    rev = `${sb.org}.rev`;
    const first = `${sb.org}.first`;
    const start = async (applicant = sb.staff) => api.start(applicant, buildSubsidy({ title: unique('轮岗测试 ') }));
    for (const k of Object.keys(apps) as (keyof typeof apps)[]) apps[k] = await start(k === 'filed' ? rev : sb.staff);

    // Delegated to them: the first step's holder asks the reviewer's opinion (委派).
    const t1 = await api.task(first, apps.delegatedToThem);
    await api.ok(first, t1.id, { action: 'delegate', to: rev });
    // A pool task of the union's reviewers — only they hold that role there.
    await api.approve(first, apps.pool);
    // One they delegated: they take the pool task and ask a colleague.
    await api.approve(first, apps.delegatedByThem);
    const t3 = await api.task(rev, apps.delegatedByThem);
    await api.ok(rev, t3.id, { action: 'delegate', to: `${sb.org}.helper` });
    // Named to them: the first step's holder hands it over (转办).
    const t4 = await api.task(first, apps.named);
    await api.ok(first, t4.id, { action: 'transfer', to: rev });
    await pendingOf(apps.future);
  }, 240_000);

  it('the dry run lists exactly the tasks and applications, and what will happen to each; it writes nothing', async () => {
    const from = (await postOf(rev, sb.org, 'reviewer'))!.id;
    const token = await h.login('city.admin');
    const before = await footprint(rev, Object.values(apps));
    const r = await h.call('POST', `/api/users/${rev}/rotate`, {
      token,
      body: { fromPost: from, toPost: { org: other.org, role: 'reviewer' }, successor: `${sb.org}.succ`, dryRun: true },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const byApp = Object.fromEntries(r.body.tasks.map((t: { applicationId: string }) => [t.applicationId, t]));
    expect(Object.keys(byApp).sort()).toEqual([apps.delegatedToThem, apps.pool, apps.delegatedByThem, apps.named].sort());
    expect(byApp[apps.delegatedToThem]).toMatchObject({ hold: 'delegatedToThem', move: 'returnToOwner', to: `${sb.org}.first`, step: '经办初审' });
    expect(byApp[apps.pool]).toMatchObject({ hold: 'pool', move: 'transfer', to: `${sb.org}.succ`, step: '本级审核 review' });
    expect(byApp[apps.delegatedByThem]).toMatchObject({ hold: 'delegatedByThem', move: 'transfer', to: `${sb.org}.succ` });
    expect(byApp[apps.named]).toMatchObject({ hold: 'named', move: 'transfer', to: `${sb.org}.succ` });
    for (const t of r.body.tasks) expect(t).toEqual(expect.objectContaining({ id: expect.any(String), title: expect.any(String), step: expect.any(String) }));
    expect(r.body.applications.map((a: { id: string }) => a.id)).toEqual([apps.filed]);
    expect(r.body.applications[0]).toMatchObject({ status: 'pending', what: expect.stringContaining('申请人不变') });
    expect(await footprint(rev, Object.values(apps))).toEqual(before);

    // Without a successor, the task named to them from a step that names people has no role pool to go back to.
    const pool = await h.call('POST', `/api/users/${rev}/rotate`, { token, body: { fromPost: from, dryRun: true } });
    expect(pool.status).toBe(400);
    expect(pool.body.errors).toEqual([expect.objectContaining({ path: 'successor' })]);
  });

  it('refusals: self 403, outside the subtree 404, a non-admin 403, a successor outside a task’s org 403, bad input 400 — nothing written', async () => {
    const from = (await postOf(rev, sb.org, 'reviewer'))!.id;
    const before = await footprint(rev, Object.values(apps));
    const call = async (user: string, body: unknown, who = rev) => h.call('POST', `/api/users/${who}/rotate`, { token: await h.login(user), body });
    const ownPost = (await postOf('city.admin', 'pds', 'admin'))!.id;
    const self = await call('city.admin', { fromPost: ownPost, successor: 'city.reviewer' }, 'city.admin');
    expect(self.status, JSON.stringify(self.body)).toBe(403);
    expect((await call('xc.admin', { fromPost: from, successor: `${sb.org}.succ` })).status).toBe(404);
    expect((await call('city.reviewer', { fromPost: from, successor: `${sb.org}.succ` })).status).toBe(403);
    // The new post in another city: outside the admin's subtree.
    expect((await call('xinhua.admin', { fromPost: from, toPost: { org: 'xc', role: 'reviewer' }, successor: `${sb.org}.succ` })).status).toBe(404);
    // Someone else's post id is no post of this person's.
    expect((await call('city.admin', { fromPost: ownPost, successor: `${sb.org}.succ` })).status).toBe(404);
    // A successor above the tasks' org, or in another city: the tasks may not go there (handOffTarget).
    const above = await call('city.admin', { fromPost: from, successor: 'city.reviewer' });
    expect(above.status, JSON.stringify(above.body)).toBe(403);
    expect(above.body.detail).toMatch(/within the task’s org/);
    expect((await call('city.admin', { fromPost: from, successor: 'xc.reviewer' })).status).toBe(403);
    const unknown = await call('city.admin', { fromPost: from, successor: 'nobody-here' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ path: 'successor' })]);
    const bad = await call('city.admin', { fromPost: 'x', toPost: { org: other.org, role: 'king' }, dryRun: 'yes', extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['(body)', 'dryRun', 'fromPost', 'toPost.role'].sort());
    expect(await footprint(rev, Object.values(apps))).toEqual(before);
  });

  it('the rotation moves each task, the timeline shows each move, the old post ends and the new one starts; a later step goes to the role’s holder then', async () => {
    const from = (await postOf(rev, sb.org, 'reviewer'))!.id;
    const token = await h.login('city.admin');
    const job = await runBulkJob(h, token, `/api/users/${rev}/rotate`, {
      fromPost: from,
      toPost: { org: other.org, role: 'reviewer' },
      successor: `${sb.org}.succ`,
    });
    expect(job, JSON.stringify(job)).toMatchObject({ kind: 'rotate', state: 'done', total: 4, done: 4, succeeded: 4, failed: 0 });
    const moves = Object.fromEntries(job.results.map((r: any) => [r.applicationId, r]));
    expect(moves[apps.delegatedToThem]).toMatchObject({ ok: true, move: 'returnToOwner', to: `${sb.org}.first` });
    expect(moves[apps.pool]).toMatchObject({ ok: true, move: 'transfer', to: `${sb.org}.succ` });
    expect(moves[apps.named]).toMatchObject({ ok: true, move: 'transfer', to: `${sb.org}.succ` });
    expect((job as any).rotation).toMatchObject({
      username: rev,
      endedPost: from,
      startedPost: expect.any(String),
      successor: `${sb.org}.succ`,
      applications: 1,
    });

    // Where each task is now (the projection), and the timeline's record of each move.
    expect(await pendingOf(apps.delegatedToThem)).toMatchObject({ assignee: `${sb.org}.first`, owner: null });
    for (const k of ['pool', 'delegatedByThem', 'named'] as const) expect(await pendingOf(apps[k])).toMatchObject({ assignee: `${sb.org}.succ`, owner: null });
    const released = (await api.timeline(apps.delegatedToThem)).filter((e) => e.action === 'release');
    expect(released).toEqual([
      expect.objectContaining({
        actor: 'city.admin',
        comment: '干部轮岗',
        data: expect.objectContaining({ from: rev, to: `${sb.org}.first`, delegationEnded: true }),
      }),
    ]);
    for (const k of ['pool', 'delegatedByThem', 'named'] as const) {
      const moved = (await api.timeline(apps[k])).filter((e) => e.action === 'transfer' && e.actor === 'city.admin');
      expect(moved, k).toEqual([expect.objectContaining({ comment: '干部轮岗', data: expect.objectContaining({ to: `${sb.org}.succ`, override: true }) })]);
    }
    // The successor decides; the rotated reviewer no longer can.
    const named = await api.task(`${sb.org}.succ`, apps.named);
    expect((await api.act(rev, named.id, { action: 'approve' })).status).toBe(403);

    // Posts: the reviewer post ended, the new one started, the staff post untouched; one administration row with the counts.
    expect(await postOf(rev, sb.org, 'reviewer')).toBeUndefined();
    expect(await postOf(rev, other.org, 'reviewer')).toBeDefined();
    expect(await postOf(rev, sb.org, 'staff')).toBeDefined();
    const audit = await h.db('admin_audit').where({ subject_id: rev, action: 'user.rotate' }).select('actor', 'subject_kind', 'data');
    expect(audit).toEqual([
      expect.objectContaining({
        actor: 'city.admin',
        subject_kind: 'rotation',
        data: expect.objectContaining({ tasks: 4, moves: { returnToOwner: 1, transfer: 3 }, applications: 1, successor: `${sb.org}.succ` }),
      }),
    ]);

    // A step that starts now resolves against the posts now: the union's reviewer is whoever holds the post then.
    await h.db('user_posts').insert({ username: `${sb.org}.next`, org_id: sb.org, role: 'reviewer', created_by: 'test' });
    await api.approve(`${sb.org}.first`, apps.future);
    const opened = await pendingOf(apps.future);
    expect(opened).toMatchObject({ assignee: null, role: 'reviewer', org_id: sb.org });
    await api.task(`${sb.org}.next`, apps.future);
    expect(await api.inbox(rev, apps.future)).toEqual([]);
    const started = (await api.timeline(apps.future)).filter((e) => e.action === 'stepStarted').at(-1)!;
    expect(started.data).toMatchObject({ candidates: [`${sb.org}.next`] });

    // The same job again (the post is ended): nothing more to end.
    const again = await h.call('POST', `/api/users/${rev}/rotate`, { token, body: { fromPost: from, successor: `${sb.org}.succ` } });
    expect(again.status).toBe(404);
  });
});

describe('a rotation without a successor', () => {
  it('a task named to them from a role step goes back to the role pool of its org: the role’s other holder sees and decides it', async () => {
    const sb = await api.saveChain(buildChain({ steps: [reviewSelf('joint', 'all')] }));
    await people(sb.org, { r1: ['reviewer'], r2: ['reviewer'] });
    // The chain resolves at step start: an application filed now meets both reviewers (会签, one named task each).
    const appId = await api.start(sb.staff, buildSubsidy());
    const r1 = `${sb.org}.r1`;
    const r2 = `${sb.org}.r2`;
    const mine = await api.task(r1, appId);
    const from = (await postOf(r1, sb.org, 'reviewer'))!.id;
    const token = await h.login('xinhua.admin');
    const preview = await h.call('POST', `/api/users/${r1}/rotate`, { token, body: { fromPost: from, dryRun: true } });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body.tasks).toEqual([expect.objectContaining({ id: mine.id, hold: 'named', move: 'release', to: `reviewer@${sb.org}` })]);
    const job = await runBulkJob(h, token, `/api/users/${r1}/rotate`, { fromPost: from });
    expect(job).toMatchObject({ total: 1, succeeded: 1 });
    expect(await h.db('tasks').where({ id: mine.id }).first('assignee', 'role', 'org_id', 'candidates')).toEqual({
      assignee: null,
      role: 'reviewer',
      org_id: sb.org,
      candidates: [r2],
    });
    const released = (await api.timeline(appId)).filter((e) => e.action === 'release');
    expect(released).toEqual([
      expect.objectContaining({ actor: 'xinhua.admin', comment: '干部轮岗', data: expect.objectContaining({ from: r1, pool: `reviewer@${sb.org}` }) }),
    ]);
    expect(await api.inbox(r1, appId)).toEqual([]);
    const pooled = (await api.inbox(r2, appId)).map((t) => t.id);
    expect(pooled).toContain(mine.id);
    await api.ok(r2, mine.id, { action: 'approve' });
    expect(await postOf(r1, sb.org, 'reviewer')).toBeUndefined();
  });
});
