/**
 * 消息 that lead somewhere, with read state, through the HTTP API: a task's
 * notification links to the recipient's task, an application's to the
 * application; the answer counts the unread ones and pages with a cursor;
 * POST /api/notifications/read marks the caller's own (these ids, or all) and
 * answers 404 for anyone else's without writing anything.
 *
 * Each test works in a sandbox org of its own (an applicant and an admin who
 * is the chain's only approver), so no other file's notifications meet its
 * users.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

interface Note {
  id: string;
  kind: string;
  message: string;
  link: string | null;
  readAt: string | null;
  createdAt: string;
}

async function notes(username: string, query = ''): Promise<{ items: Note[]; nextCursor: string | null; unread: number }> {
  const r = await h.call('GET', `/api/notifications${query}`, { token: await h.login(username) });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

async function markRead(username: string, body: unknown, headers?: Record<string, string>) {
  return h.call('POST', '/api/notifications/read', { token: await h.login(username), body, headers });
}

/** A sandbox whose admin approves its staff member's subsidies; one application urged (the admin is told) and returned (the applicant is told). */
async function urgedAndReturned() {
  const sb = await api.sandbox({ admin: true });
  const approver = sb.admin!;
  await api.installChain(
    buildChain({ steps: [humanStep({ id: 'review', name: '乡镇审核 / township review', who: { kind: 'users', usernames: [approver] } })] }),
    sb.org,
  );
  const appId = await api.start(sb.staff, buildSubsidy());
  const task = await api.task(approver, appId);
  expect((await api.appAct(sb.staff, appId, { action: 'urge', comment: '请尽快 / soon please' })).status).toBe(200);
  await eventually(async () => (await notes(approver)).items.find((n) => n.kind === 'urge'));
  await api.ok(approver, task.id, { action: 'return', returnTo: 'applicant', comment: '请补充材料 / add the receipts' });
  await eventually(async () => (await notes(sb.staff)).items.find((n) => n.kind === 'returned'));
  return { sb, approver, appId, taskId: task.id };
}

describe('GET /api/notifications: links, read state, unread count, pages', () => {
  it('a task notification links to the recipient’s task, an application’s to the application; both start unread, in full Chinese sentences', async () => {
    const { sb, approver, appId, taskId } = await urgedAndReturned();

    const mine = await notes(approver);
    const urged = mine.items.find((n) => n.kind === 'urge')!;
    expect(urged).toMatchObject({ link: `/tasks/${taskId}`, readAt: null });
    expect(urged.message).toMatch(/^「快递员服务站建设补助 .+」被催办，请您尽快审批。 \/ /);
    expect(mine.unread).toBe(mine.items.filter((n) => n.readAt === null).length);
    expect(mine.unread).toBeGreaterThanOrEqual(1);

    const theirs = await notes(sb.staff);
    const returned = theirs.items.find((n) => n.kind === 'returned')!;
    expect(returned).toMatchObject({ link: `/applications/${appId}`, readAt: null });
    expect(returned.message).toMatch(/^您的申请「.+」被退回，请修改后重新提交。 \/ /);
    // No login name reaches the Chinese text.
    for (const n of [...mine.items, ...theirs.items]) {
      expect(n.message.split(' / ')[0]).not.toContain(sb.staff);
      expect(n.message.split(' / ')[0]).not.toContain(approver);
    }
  });

  it('pages newest first with limit and cursor; a bad limit or cursor is a 400 naming it', async () => {
    const { sb } = await urgedAndReturned();
    // A second application, so the applicant has notifications over two pages.
    const appId = await api.start(sb.staff, buildSubsidy());
    const task = await api.task(sb.admin!, appId);
    await api.ok(sb.admin!, task.id, { action: 'reject', comment: '不符合条件 / not eligible' });
    const all = await eventually(async () => {
      const r = await notes(sb.staff);
      return r.items.length >= 2 ? r : undefined;
    });
    const first = await notes(sb.staff, '?limit=1');
    expect(first.items).toEqual([all.items[0]]);
    expect(first.nextCursor).toBe(all.items[0]!.id);
    expect(first.unread).toBe(all.unread);
    const second = await notes(sb.staff, `?limit=1&cursor=${first.nextCursor}`);
    expect(second.items).toEqual([all.items[1]]);
    const rest = await notes(sb.staff, `?limit=200&cursor=${first.nextCursor}`);
    expect(rest.nextCursor).toBeNull();
    expect(rest.items).toEqual(all.items.slice(1));

    const bad = await h.call('GET', '/api/notifications?limit=0&cursor=abc', { token: await h.login(sb.staff) });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['cursor', 'limit']);
  });
});

describe('POST /api/notifications/read', () => {
  it('marks one of the caller’s notifications read: readAt set, the unread count drops by one; again changes nothing', async () => {
    const { approver } = await urgedAndReturned();
    const before = await notes(approver);
    const urged = before.items.find((n) => n.kind === 'urge')!;
    const r = await markRead(approver, { ids: [urged.id] });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toEqual({ marked: 1, unread: before.unread - 1 });
    const after = await notes(approver);
    const read = after.items.find((n) => n.id === urged.id)!;
    expect(Date.parse(read.readAt!)).not.toBeNaN();
    expect(after.unread).toBe(before.unread - 1);
    const again = await markRead(approver, { ids: [urged.id] });
    expect(again.body).toEqual({ marked: 0, unread: before.unread - 1 });
    expect((await notes(approver)).items.find((n) => n.id === urged.id)!.readAt).toBe(read.readAt);
  });

  it('all: true marks every one of the caller’s notifications read, and no one else’s', async () => {
    const { sb, approver } = await urgedAndReturned();
    const applicantBefore = await notes(sb.staff);
    expect(applicantBefore.unread).toBeGreaterThanOrEqual(1);
    const r = await markRead(approver, { all: true });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.unread).toBe(0);
    const after = await notes(approver);
    expect(after.unread).toBe(0);
    expect(after.items.every((n) => n.readAt !== null)).toBe(true);
    // The applicant's are untouched.
    expect(await notes(sb.staff)).toEqual(applicantBefore);
  });

  it('another user’s notification id answers 404 and nothing is marked — not theirs, nor the caller’s own given beside it', async () => {
    const { sb, approver } = await urgedAndReturned();
    const theirs = (await notes(sb.staff)).items.find((n) => n.kind === 'returned')!;
    const own = (await notes(approver)).items.find((n) => n.kind === 'urge')!;
    const rowsBefore = await h.db('notifications').whereIn('id', [theirs.id, own.id]).orderBy('id').select('id', 'read_at');
    const r = await markRead(approver, { ids: [own.id, theirs.id] });
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    // An id no one has is not found either.
    expect((await markRead(approver, { ids: ['999999999999'] })).status).toBe(404);
    expect(await h.db('notifications').whereIn('id', [theirs.id, own.id]).orderBy('id').select('id', 'read_at')).toEqual(rowsBefore);
    expect(rowsBefore.every((x: { read_at: Date | null }) => x.read_at === null)).toBe(true);
  });

  it('bad bodies are a 400 problem+json naming each bad field, and write nothing; an Idempotency-Key replays the first answer', async () => {
    const { approver } = await urgedAndReturned();
    const own = (await notes(approver)).items.find((n) => n.kind === 'urge')!;
    const cases: [unknown, string[]][] = [
      [{}, ['ids']],
      [{ ids: [own.id], all: true }, ['ids']],
      [{ ids: [] }, ['ids']],
      [{ ids: ['x1', own.id, 7] }, ['ids.0', 'ids.2']],
      [{ all: false }, ['all']],
      [{ all: true, extra: 1 }, ['(body)']],
    ];
    for (const [body, paths] of cases) {
      const r = await markRead(approver, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.body.errors.map((e: { path: string }) => e.path).sort(), JSON.stringify(body)).toEqual(paths);
    }
    expect((await h.db('notifications').where({ id: own.id }).first('read_at')).read_at).toBeNull();

    const key = `read-${own.id}-${Date.now()}`;
    const first = await markRead(approver, { ids: [own.id] }, { 'Idempotency-Key': key });
    expect(first.body).toMatchObject({ marked: 1 });
    const replay = await markRead(approver, { ids: [own.id] }, { 'Idempotency-Key': key });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);
  });
});
