/**
 * 在办申请迁移: the owner's admin moves the running applications of version 1
 * of a chain to version 2 with a step mapping. A dry run lists who can move
 * and who cannot (and why); the run is a job whose progress GET /api/jobs/:id
 * shows; each moved application records the move, cancels the old step's
 * tasks, opens the mapped step's and continues under version 2. An approve in
 * flight when the migration arrives is applied on version 1 first. A rerun
 * moves nothing twice. Only an admin of the owner or above migrates.
 *
 * Every chain here belongs to a sandbox township of its own; its steps name
 * demo approvers, so no role holder anywhere changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Approvals, runBulkJob, type BulkJobView, type Reply } from '../support/approvals';
import { buildChain, buildSubsidy, humanStep, unique, type ChainBody } from '../support/factories';
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

const V1_STEPS = [
  humanStep({ id: 'first', name: '初审 / first review', who: { kind: 'users', usernames: ['city.reviewer'] } }),
  humanStep({ id: 'second', name: '复审 / second review', who: { kind: 'users', usernames: ['city.reviewer2'] } }),
  humanStep({ id: 'third', name: '终审 / final review', who: { kind: 'users', usernames: ['prov.reviewer'] } }),
];
const V2_STEPS = [
  humanStep({ id: 'intake', name: '受理 / intake', who: { kind: 'users', usernames: ['city.reviewer'] } }),
  humanStep({ id: 'secondNew', name: '区级复核 / county check', who: { kind: 'users', usernames: ['xinhua.reviewer'] } }),
  humanStep({ id: 'final', name: '市级终审 / city decision', who: { kind: 'users', usernames: ['city.reviewer2'] } }),
];
const STEP_MAP = { second: 'secondNew', third: 'final' };

interface Owned {
  key: string;
  org: string;
  staff: string;
  admin: string;
  v1: ChainBody;
}

/** A sandbox township (with an admin) with version 1 of a chain in force: its applications start on v1. */
async function versionOne(): Promise<Owned> {
  const v1: ChainBody = buildChain({ name: '迁移测试 / migration test', steps: V1_STEPS });
  const sb = await api.saveChain(v1, { admin: true });
  return { key: v1.key, org: sb.org, staff: sb.staff, admin: sb.admin!, v1 };
}

/** Version 2 saved and in force (applications already running stay on v1). */
async function versionTwo(c: Owned): Promise<void> {
  const v2 = await api.installChain({ ...c.v1, steps: V2_STEPS }, c.org);
  expect(v2.version).toBe(2);
}

const migrate = async (username: string, key: string, owner: string | null, body: unknown, headers: Record<string, string> = {}): Promise<Reply> =>
  h.call('POST', `/api/chains/${key}/migrations${owner ? `?owner=${owner}` : ''}`, { token: await h.login(username), body, headers });

/** What a migration could have written: the applications' versions and steps, their timelines and tasks. */
async function footprint(ids: string[]) {
  return {
    apps: await h.db('applications').whereIn('id', ids).orderBy('id').select('id', 'chain_version', 'current_step', 'status'),
    audit: await h.db('audit_log').whereIn('application_id', ids).count({ n: '*' }),
    tasks: await h.db('tasks').whereIn('application_id', ids).orderBy('id').select('id', 'status'),
  };
}

const auditOf = (id: string, action: string) => h.db('audit_log').where({ application_id: id, action }).orderBy('id');

describe('migrating running applications to a new chain version', () => {
  it('dry run lists who can move (mapped step) and who cannot (with the reason); the job moves them with progress, an approve in flight is applied on v1 first, and each moved application continues under v2', async () => {
    const c = await versionOne();
    const start = () => api.start(c.staff, buildSubsidy({ title: `迁移 ${unique()}` }));
    const [atFirst, atSecond, inFlight] = [await start(), await start(), await start()];
    // Two of them move on to the second step of version 1.
    for (const id of [atSecond, inFlight]) {
      await api.approve('city.reviewer', id);
      await api.task('city.reviewer2', id);
    }
    await api.task('city.reviewer', atFirst);
    await versionTwo(c);

    // The preview: nothing is written.
    const before = await footprint([atFirst, atSecond, inFlight]);
    const dry = await migrate(c.admin, c.key, c.org, { fromVersion: 1, toVersion: 2, stepMap: STEP_MAP, dryRun: true });
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(dry.body.chain).toMatchObject({ key: c.key, owner: c.org, fromVersion: 1, toVersion: 2 });
    expect(dry.body.canMove.map((x: any) => x.id).sort()).toEqual([atSecond, inFlight].sort());
    expect(dry.body.canMove.find((x: any) => x.id === atSecond)).toMatchObject({ currentStep: '复审 / second review', toStep: '区级复核 / county check' });
    expect(dry.body.canMove[0].title).toMatch(/^迁移 /);
    expect(dry.body.cannotMove).toHaveLength(1);
    expect(dry.body.cannotMove[0]).toMatchObject({ id: atFirst, currentStep: '初审 / first review' });
    expect(dry.body.cannotMove[0].reason).toContain('当前步骤“初审 / first review”在新版本中没有对应步骤');
    expect(await footprint([atFirst, atSecond, inFlight])).toEqual(before);

    const staleTask = await api.task('city.reviewer2', atSecond);
    // An approve in flight on `inFlight` (second → third of v1) while the job starts.
    const secondTask = await api.task('city.reviewer2', inFlight);
    const approving = api.act('city.reviewer2', secondTask.id, { action: 'approve', comment: '同意 / approved' });
    await eventually(async () => (await h.db('tasks').where({ id: secondTask.id }).first('status'))?.status === 'completed');
    const key = unique('migrate-');
    const job = await runBulkJob(
      h,
      await h.login(c.admin),
      `/api/chains/${c.key}/migrations?owner=${c.org}`,
      { fromVersion: 1, toVersion: 2, stepMap: STEP_MAP },
      {
        'Idempotency-Key': key,
      },
    );
    const approved = await approving;
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);

    expect(job).toMatchObject({ kind: 'migrate', state: 'done', total: 3, done: 3, succeeded: 2, failed: 1, truncated: false });
    expect((job as BulkJobView & { migration: unknown }).migration).toEqual({ key: c.key, owner: c.org, fromVersion: 1, toVersion: 2 });
    const byApp = Object.fromEntries(job.results.map((r: any) => [r.applicationId, r]));
    expect(byApp[atSecond]).toMatchObject({ ok: true, fromStep: '复审 / second review', toStep: '区级复核 / county check', status: 'pending' });
    // The approve finished first: the application left v1 from its third step.
    expect(byApp[inFlight]).toMatchObject({ ok: true, fromStep: '终审 / final review', toStep: '市级终审 / city decision' });
    expect(byApp[atFirst]).toMatchObject({ ok: false, error: { status: 409 } });
    expect(byApp[atFirst].error.detail).toContain('没有对应步骤');

    // Moved: version 2, the mapped step, the move on the timeline, the old step's task cancelled, the new one open.
    const moved = await api.app('city.admin', atSecond);
    expect(moved.chain).toEqual({ key: c.key, version: 2, owner: c.org });
    expect(moved.currentStep).toBe('区级复核 / county check');
    const entry = moved.timeline.find((e: any) => e.action === 'migrated');
    expect(entry.comment).toBe(
      '审批链由第1版迁移至第2版：“复审 / second review”对应“区级复核 / county check” / migrated from v1 to v2: 复审 / second review → 区级复核 / county check',
    );
    expect(entry.actor).toBe(c.admin);
    expect(await h.db('tasks').where({ application_id: atSecond, assignee: 'city.reviewer2' }).pluck('status')).toEqual(['cancelled']);
    // The old step's task is gone: acting on it is refused and writes nothing.
    const auditBefore = (await auditOf(atSecond, 'approve')).length;
    const stale = await api.act('city.reviewer2', staleTask.id, { action: 'approve', comment: '同意 / approved' });
    expect(stale.status, JSON.stringify(stale.body)).toBe(409);
    expect(await auditOf(atSecond, 'approve')).toHaveLength(auditBefore);
    const newTask = await api.task('xinhua.reviewer', atSecond);
    expect(newTask.step).toBe('区级复核 / county check');

    // In flight: approve on v1's second step, then v1's third step opened and cancelled, then the move; nothing twice.
    const flown = await api.app('city.admin', inFlight);
    expect(flown.chain.version).toBe(2);
    const actions = flown.timeline.map((e: any) => `${e.action}@${e.step ?? ''}`);
    expect(actions.indexOf('approve@复审 / second review')).toBeGreaterThan(-1);
    expect(actions.indexOf('migrated@市级终审 / city decision')).toBeGreaterThan(actions.indexOf('approve@复审 / second review'));
    expect(await auditOf(inFlight, 'approve')).toHaveLength(2);
    expect(await auditOf(inFlight, 'migrated')).toHaveLength(1);
    const tasks = await h.db('tasks').where({ application_id: inFlight }).orderBy('id').select('assignee', 'status', 'step_name');
    expect(tasks.filter((t) => t.status === 'pending')).toEqual([{ assignee: 'city.reviewer2', status: 'pending', step_name: '市级终审 / city decision' }]);
    expect(tasks.filter((t) => t.assignee === 'prov.reviewer').map((t) => t.status)).toEqual(['cancelled']);

    // Not movable: untouched, on v1 at its first step.
    const stayed = await api.app('city.admin', atFirst);
    expect(stayed.chain.version).toBe(1);
    expect(stayed.currentStep).toBe('初审 / first review');
    expect(await auditOf(atFirst, 'migrated')).toHaveLength(0);

    // The moved application goes on under v2: the county check, then the city decision, then approved.
    await api.ok('xinhua.reviewer', newTask.id, { action: 'approve', comment: '同意 / approved' });
    await api.approve('city.reviewer2', atSecond);
    await api.status(atSecond, 'approved');

    // The same request again (same Idempotency-Key): the same job, nothing moved twice.
    const again = await migrate(c.admin, c.key, c.org, { fromVersion: 1, toVersion: 2, stepMap: STEP_MAP }, { 'Idempotency-Key': key });
    expect(again.status).toBe(202);
    expect(again.body.jobId).toBe(job.jobId);
    // A new run: only what is still on v1 is tried; the moved ones are not moved again.
    const rerun = await runBulkJob(h, await h.login(c.admin), `/api/chains/${c.key}/migrations?owner=${c.org}`, {
      fromVersion: 1,
      toVersion: 2,
      stepMap: STEP_MAP,
    });
    expect(rerun).toMatchObject({ total: 1, succeeded: 0, failed: 1 });
    expect(rerun.results.map((r: any) => r.applicationId)).toEqual([atFirst]);
    for (const id of [atSecond, inFlight]) expect(await auditOf(id, 'migrated')).toHaveLength(1);
  });

  it('an approve and a migration fired at the same moment: whichever the workflow takes first, the other follows on its result — one decision, one move, one open task', async () => {
    const c = await versionOne();
    const ids = [];
    for (let i = 0; i < 3; i++) {
      const id = await api.start(c.staff, buildSubsidy({ title: `迁移并发 ${unique()}` }));
      await api.approve('city.reviewer', id);
      ids.push(id);
    }
    const tasks = await Promise.all(ids.map((id) => api.task('city.reviewer2', id)));
    await versionTwo(c);
    const token = await h.login(c.admin);
    const [job, ...approvals] = await Promise.all([
      runBulkJob(h, token, `/api/chains/${c.key}/migrations?owner=${c.org}`, { fromVersion: 1, toVersion: 2, stepMap: STEP_MAP }),
      ...tasks.map((t) => api.act('city.reviewer2', t.id, { action: 'approve', comment: '同意 / approved' })),
    ]);
    expect(job).toMatchObject({ total: 3, succeeded: 3, failed: 0 });
    for (const [i, id] of ids.entries()) {
      const result = job.results.find((r: any) => r.applicationId === id) as any;
      const approved = approvals[i]!;
      const app = await api.app('city.admin', id);
      expect(app.chain.version).toBe(2);
      const pending = await h.db('tasks').where({ application_id: id, status: 'pending' }).select('assignee', 'step_name');
      expect(await auditOf(id, 'migrated')).toHaveLength(1);
      if (approved.status === 200) {
        // The approve went first, on v1: the application left v1 from its third step.
        expect(result).toMatchObject({ fromStep: '终审 / final review', toStep: '市级终审 / city decision' });
        expect(await auditOf(id, 'approve')).toHaveLength(2);
        expect(pending).toEqual([{ assignee: 'city.reviewer2', step_name: '市级终审 / city decision' }]);
      } else {
        // The move went first: the second step's task was cancelled and the approve refused with nothing written.
        expect(approved.status, JSON.stringify(approved.body)).toBe(409);
        expect(result).toMatchObject({ fromStep: '复审 / second review', toStep: '区级复核 / county check' });
        expect(await auditOf(id, 'approve')).toHaveLength(1);
        expect(pending).toEqual([{ assignee: 'xinhua.reviewer', step_name: '区级复核 / county check' }]);
      }
    }
  });

  it('a returned application moves too: it stays with its applicant and, resubmitted unchanged, resumes at the mapped step of v2', async () => {
    const c = await versionOne();
    const id = await api.start(c.staff, buildSubsidy({ title: `迁移退回 ${unique()}` }));
    await api.approve('city.reviewer', id);
    const t = await api.task('city.reviewer2', id);
    await api.ok('city.reviewer2', t.id, { action: 'return', returnTo: 'applicant', comment: '请补充材料 / add documents' });
    await api.status(id, 'returned');
    await versionTwo(c);

    const job = await runBulkJob(h, await h.login('city.admin'), `/api/chains/${c.key}/migrations?owner=${c.org}`, {
      fromVersion: 1,
      toVersion: 2,
      stepMap: STEP_MAP,
    });
    expect(job).toMatchObject({ total: 1, succeeded: 1, failed: 0 });
    const app = await api.app('city.admin', id);
    expect(app).toMatchObject({ status: 'returned', chain: { version: 2 } });
    const revision = await h.db('tasks').where({ application_id: id, kind: 'revision' }).first('status', 'step_name');
    expect(revision).toEqual({ status: 'pending', step_name: '区级复核 / county check' });

    const r = await api.appAct(c.staff, id, { action: 'resubmit', comment: '已补充 / added' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const next = await api.task('xinhua.reviewer', id);
    expect(next.step).toBe('区级复核 / county check');
  });
});

describe('who may migrate, and bad plans', () => {
  let c: Owned;
  let appId: string;
  beforeAll(async () => {
    c = await versionOne();
    appId = await api.start(c.staff, buildSubsidy({ title: `迁移权限 ${unique()}` }));
    await api.approve('city.reviewer', appId);
    await api.task('city.reviewer2', appId);
    await versionTwo(c);
  });

  const body = (over: Record<string, unknown> = {}) => ({ fromVersion: 1, toVersion: 2, stepMap: STEP_MAP, ...over });
  const nothingWritten = async (before: unknown, key: string) => {
    expect(await footprint([appId])).toEqual(before);
    expect(await auditOf(appId, 'migrated')).toHaveLength(0);
    expect(await h.db('idempotency_keys').where({ key })).toHaveLength(0);
  };

  it('an admin of another city gets 404; a reviewer above the owner and the owner’s own staff get 403; nothing is written, no job starts', async () => {
    const cases: [string, number][] = [
      ['xc.admin', 404],
      ['city.reviewer', 403],
      [c.staff, 403],
    ];
    for (const [user, status] of cases) {
      for (const dryRun of [true, false]) {
        const before = await footprint([appId]);
        const key = unique('deny-');
        const r = await migrate(user, c.key, c.org, body({ dryRun }), { 'Idempotency-Key': key });
        expect(r.status, `${user} ${JSON.stringify(r.body)}`).toBe(status);
        expect(r.headers.get('content-type')).toContain('application/problem+json');
        expect(r.body.jobId).toBeUndefined();
        await nothingWritten(before, key);
      }
    }
    // Without `?owner=`, the chain that applies at the caller's org: for city.admin that is no chain of this key.
    const other = await migrate('city.admin', c.key, null, { fromVersion: 1, toVersion: 2, stepMap: STEP_MAP, dryRun: true });
    expect(other.status).toBe(404);
    // The province-wide built-in has no owner to migrate it.
    const builtin = await migrate('prov.admin', 'subsidy', null, { fromVersion: 1, toVersion: 2, stepMap: { a: 'b' }, dryRun: true });
    expect(builtin.status).toBe(403);
  });

  it('bad plans answer 400 naming each bad field (stepMap.<id>, versions) and change nothing', async () => {
    const bad: [Record<string, unknown>, string[]][] = [
      [{ stepMap: { nope: 'secondNew', second: 'missing' } }, ['stepMap.nope', 'stepMap.second']],
      [{ fromVersion: 7 }, ['fromVersion']],
      [{ fromVersion: 2, toVersion: 1 }, ['toVersion']],
      [{ toVersion: 9 }, ['toVersion']],
      [{ stepMap: {} }, ['stepMap']],
      [{ fromVersion: 'one', toVersion: undefined, stepMap: { second: 5 } }, ['fromVersion', 'stepMap.second', 'toVersion']],
      [{ extra: true }, ['(body)']],
    ];
    for (const [over, paths] of bad) {
      const before = await footprint([appId]);
      const key = unique('bad-');
      const r = await migrate('city.admin', c.key, c.org, body(over), { 'Idempotency-Key': key });
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.body.errors.map((e: { path: string }) => e.path).sort(), JSON.stringify(r.body)).toEqual(paths);
      await nothingWritten(before, key);
    }
  });
});
