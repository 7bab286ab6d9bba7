/**
 * 数据保留 (retention): the daily Temporal Schedule exists once the worker has
 * started; a run erases the name, ID and phone of rejected and withdrawn
 * applications older than RETENTION_DAYS (and the copies of the name in task
 * subjects and notifications), keeps their rows, masked values and audit
 * trail, leaves approved and pending ones alone, deletes idempotency keys
 * older than 7 days and notifications read more than a year ago, and records
 * its counts; a second run finds nothing new. The attachments of the erased
 * applications (an ID card scan) go with them.
 */
import crypto from 'node:crypto';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RETENTION_SCHEDULE_ID } from '../../domain/retention';
import { Approvals } from '../support/approvals';
import { buildMember } from '../support/factories';
import { eventually, startHarness, type Harness } from '../support/harness';
import { download, sampleJpeg, samplePng, upload } from '../support/attachments';

let h: Harness;
let a: Approvals;
beforeAll(async () => {
  h = await startHarness({ schedules: true });
  a = new Approvals(h);
});
afterAll(async () => {
  await h?.temporal.schedule
    .getHandle(RETENTION_SCHEDULE_ID)
    .delete()
    .catch(() => undefined);
  await h?.close();
});

const REVIEWER = 'xinhua-express.reviewer';
const DAY = 24 * 60 * 60 * 1000;
const masked = (name: string) => name[0] + '*'.repeat([...name].length - 1);

interface Subject {
  id: string;
  name: string;
  idNumber: string;
  phone: string;
}

async function file(applicant: string | null): Promise<Subject> {
  const body = buildMember({ area: 'pds-xinhua', group: 'courier' });
  return { id: await a.start(applicant, body), name: body.name, idNumber: body.idNumber, phone: body.phone };
}

async function snapshot(id: string) {
  return {
    app: await h.db('applications').where({ id }).first('status', 'title', 'payload', 'updated_at', 'personal_data_erased_at'),
    tasks: await h.db('tasks').where({ application_id: id }).orderBy('id').select('id', 'subject'),
    notifications: await h.db('notifications').where({ application_id: id }).orderBy('id').select('id', 'message'),
    audit: await h.db('audit_log').where({ application_id: id }).orderBy('id').select('id', 'action', 'comment', 'data'),
    attachments: await h.db('attachments').where({ application_id: id }).orderBy('id').pluck('id'),
  };
}

async function runs(): Promise<{ id: string; run_key: string }[]> {
  return h.db('retention_runs').orderBy('id').select('id', 'run_key');
}

/** Triggers the schedule and waits for the run it starts to be recorded. */
async function triggerRun(after: number) {
  await h.temporal.schedule.getHandle(RETENTION_SCHEDULE_ID).trigger(ScheduleOverlapPolicy.ALLOW_ALL);
  const run = await eventually(async () => (await runs()).find((r) => Number(r.id) > after), 60_000);
  const [workflowId, runId] = run.run_key.split('/') as [string, string];
  await h.temporal.workflow.getHandle(workflowId, runId).result();
  return { run, workflowId, runId };
}

describe('retention', () => {
  it('has its daily schedule once the worker has started', async () => {
    const d = await h.temporal.schedule.getHandle(RETENTION_SCHEDULE_ID).describe();
    expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: 'retentionWorkflow', taskQueue: h.taskQueue });
    expect(d.state.paused).toBe(false);
    expect(d.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
    // Daily at 19:00 UTC (03:00 Beijing time).
    const next = d.info.nextActionTimes;
    expect(next.length).toBeGreaterThan(1);
    for (const t of next) expect([t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds()]).toEqual([19, 0, 0]);
    expect(next[1]!.getTime() - next[0]!.getTime()).toBe(DAY);
  });

  it('erases the personal fields of old rejected and withdrawn applications only, purges old keys and read notifications, and records its counts', async () => {
    // A rejected, a withdrawn, an approved and a pending membership application.
    const rejected = await file(null);
    const initial = await a.task(REVIEWER, rejected.id, /信息初审/);
    // The reviewer attaches a scan of the worker's ID card (附件): it goes with the personal data.
    const scan = await upload(h, REVIEWER, rejected.id, { bytes: sampleJpeg(), name: '身份证.jpg' });
    expect(scan.status, JSON.stringify(scan.body)).toBe(201);
    await a.ok(REVIEWER, initial.id, { action: 'reject', comment: '信息不全 / incomplete' });
    await a.status(rejected.id, 'rejected');

    const withdrawn = await file('xinhua.staff');
    await a.task(REVIEWER, withdrawn.id, /信息初审/);
    const w = await a.appAct('xinhua.staff', withdrawn.id, { action: 'withdraw', comment: '不再申请 / no longer' });
    expect(w.status, JSON.stringify(w.body)).toBe(200);
    await a.status(withdrawn.id, 'withdrawn');

    const approved = await file(null);
    await a.approve(REVIEWER, approved.id);
    await a.ok(REVIEWER, (await a.task(REVIEWER, approved.id, /身份审核/)).id, { action: 'approve' });
    await eventually(async () => ((await a.app('city.admin', approved.id)).status === 'approved' ? true : undefined), 60_000);

    const pending = await file(null);
    await a.task(REVIEWER, pending.id, /信息初审/);
    expect((await upload(h, REVIEWER, pending.id, { bytes: samplePng(), name: '工作证明.png' })).status).toBe(201);

    const subjects = [rejected, withdrawn, approved, pending];
    const ids = subjects.map((s) => s.id);
    // A notification that copies the rejected application's title (as 催办 and 抄送 messages do).
    await h.db('notifications').insert({
      event_key: `retention-test:${rejected.id}`,
      username: 'city.admin',
      application_id: rejected.id,
      kind: 'urge',
      message: `催办：${rejected.name} 入会申请 / please act on this application`,
    });
    // Age them all past RETENTION_DAYS (180).
    await h
      .db('applications')
      .whereIn('id', ids)
      .update({ updated_at: new Date(Date.now() - 181 * DAY) });
    // An application decided more recently than the period keeps everything: the rejected one's twin, rejected yesterday.
    const recent = await file(null);
    await a.ok(REVIEWER, (await a.task(REVIEWER, recent.id, /信息初审/)).id, { action: 'reject', comment: '重复 / duplicate' });
    await a.status(recent.id, 'rejected');
    await h
      .db('applications')
      .where({ id: recent.id })
      .update({ updated_at: new Date(Date.now() - 179 * DAY) });

    // Idempotency keys of 8 and 6 days; notifications read 400 and 300 days ago, and one never read for 400 days.
    const owner = `retention-${crypto.randomBytes(4).toString('hex')}`;
    const key = (k: string, days: number) => ({
      username: owner,
      key: k,
      route: 'POST /api/applications',
      status: 201,
      body: JSON.stringify({ id: 'x' }),
      created_at: new Date(Date.now() - days * DAY),
      completed_at: new Date(Date.now() - days * DAY),
    });
    await h.db('idempotency_keys').insert([key('old', 8), key('fresh', 6)]);
    const note = (k: string, createdDays: number, readDays: number | null) => ({
      event_key: `${owner}:${k}`,
      username: owner,
      kind: 'decided',
      message: '申请已通过 / application approved',
      created_at: new Date(Date.now() - createdDays * DAY),
      read_at: readDays === null ? null : new Date(Date.now() - readDays * DAY),
    });
    await h.db('notifications').insert([note('read-old', 401, 400), note('read-recent', 301, 300), note('unread-old', 400, null)]);

    const before = Object.fromEntries(await Promise.all([...ids, recent.id].map(async (id) => [id, await snapshot(id)] as const)));
    const last = Number((await runs()).at(-1)?.id ?? 0);
    const { run, workflowId, runId } = await triggerRun(last);

    // Rejected and withdrawn: ciphertexts and hashes gone, the name masked everywhere it was copied; masked numbers, row and audit kept.
    for (const s of [rejected, withdrawn]) {
      const was = before[s.id]!;
      const now = await snapshot(s.id);
      const { idNumberEnc, idNumberHash, phoneEnc, phoneHash, name, ...rest } = was.app.payload;
      expect([idNumberEnc, idNumberHash, phoneEnc, phoneHash, name].every((v) => typeof v === 'string')).toBe(true);
      expect(now.app.payload).toEqual({ ...rest, name: masked(s.name) });
      expect(now.app.payload.idNumberMasked).toBe(was.app.payload.idNumberMasked);
      expect(now.app.payload.phoneMasked).toBe(was.app.payload.phoneMasked);
      expect(now.app.title).toBe(`${masked(s.name)} 入会申请`);
      expect(now.app.status).toBe(was.app.status);
      expect(now.app.updated_at).toEqual(was.app.updated_at);
      expect(now.app.personal_data_erased_at).toBeInstanceOf(Date);
      expect(now.tasks.map((t: { id: string }) => t.id)).toEqual(was.tasks.map((t: { id: string }) => t.id));
      expect(now.tasks.every((t: { subject: string }) => t.subject === `${masked(s.name)} 入会申请`)).toBe(true);
      expect(now.audit).toEqual(was.audit);
      // Nowhere in the rows that copy the application: the name, the ID number, the phone.
      const text = JSON.stringify([now.app, now.tasks, now.notifications]);
      for (const secret of [s.name, s.idNumber, s.phone]) expect(text).not.toContain(secret);
    }
    // The ID card scan is gone with them (its upload stays on the timeline, by file name); its download is no more.
    expect(before[rejected.id]!.attachments).toEqual([scan.body.id]);
    expect((await snapshot(rejected.id)).attachments).toEqual([]);
    expect((await download(h, 'city.admin', `/api/attachments/${scan.body.id}`)).status).toBe(404);
    const urge = (await snapshot(rejected.id)).notifications.find((n: { message: string }) => n.message.startsWith('催办'));
    expect(urge?.message).toBe(`催办：${masked(rejected.name)} 入会申请 / please act on this application`);
    // Approved, pending and the recently rejected one: untouched.
    for (const s of [approved, pending, recent]) expect(await snapshot(s.id), s.id).toEqual(before[s.id]);

    expect(await h.db('idempotency_keys').where({ username: owner }).pluck('key')).toEqual(['fresh']);
    expect((await h.db('notifications').where({ username: owner }).pluck('event_key')).sort()).toEqual([`${owner}:read-recent`, `${owner}:unread-old`]);

    // The run's record, as the admins see it.
    const tasksUpdated = before[rejected.id]!.tasks.length + before[withdrawn.id]!.tasks.length;
    const notificationsUpdated = [rejected, withdrawn]
      .map((s) => before[s.id]!.notifications.filter((n: { message: string }) => n.message.includes(s.name)).length)
      .reduce((x, y) => x + y, 0);
    expect(notificationsUpdated).toBeGreaterThanOrEqual(1);
    const listed = await h.call('GET', '/api/retention/runs?limit=5', { token: await h.login('city.admin') });
    expect(listed.status).toBe(200);
    expect(listed.body.items[0]).toEqual({
      id: run.id,
      startedAt: expect.any(String),
      finishedAt: expect.any(String),
      retentionDays: 180,
      eraseBefore: expect.any(String),
      applicationsErased: 2,
      tasksUpdated,
      notificationsUpdated,
      idempotencyKeysDeleted: 1,
      notificationsDeleted: 1,
    });
    expect(Date.now() - Date.parse(listed.body.items[0].eraseBefore)).toBeGreaterThanOrEqual(180 * DAY);
    // The workflow's history carries counts, not people.
    const history = JSON.stringify(await h.temporal.workflow.getHandle(workflowId, runId).fetchHistory());
    for (const s of subjects) for (const secret of [s.name, s.idNumber, s.phone]) expect(history).not.toContain(secret);

    // A second run finds nothing new.
    const again = await triggerRun(Number(run.id));
    const second = await h.call('GET', '/api/retention/runs?limit=1', { token: await h.login('prov.admin') });
    expect(second.body.items[0]).toMatchObject({
      id: again.run.id,
      applicationsErased: 0,
      tasksUpdated: 0,
      notificationsUpdated: 0,
      idempotencyKeysDeleted: 0,
      notificationsDeleted: 0,
    });
    expect(second.body.nextCursor).toBe(again.run.id);
    const older = await h.call('GET', `/api/retention/runs?limit=1&cursor=${second.body.nextCursor}`, { token: await h.login('prov.admin') });
    expect(older.body.items[0].id).toBe(run.id);
  }, 180_000);

  it('shows the runs to city and province admins only', async () => {
    for (const user of ['city.admin', 'xc.admin', 'prov.admin']) {
      const r = await h.call('GET', '/api/retention/runs', { token: await h.login(user) });
      expect(r.status, user).toBe(200);
      expect(r.body.items.length, user).toBeGreaterThan(0);
    }
    for (const user of ['xinhua.admin', 'city.reviewer', 'city.lead', 'prov.reviewer']) {
      const r = await h.call('GET', '/api/retention/runs', { token: await h.login(user) });
      expect(r.status, user).toBe(403);
    }
    expect((await h.call('GET', '/api/retention/runs')).status).toBe(401);
    const bad = await h.call('GET', '/api/retention/runs?cursor=x&limit=500', { token: await h.login('city.admin') });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['cursor', 'limit']);
  });
});
