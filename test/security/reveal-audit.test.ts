/**
 * 查看完整信息 and its audit (个人信息查看记录): the holder of a pending
 * identity-review task (身份审核) is offered the reveal (the task view's
 * `canRevealPersonalData`, decided by the policy), sees the full ID and phone,
 * and the view is recorded; the admins above the application find it in
 * GET /api/audit/reveals — an admin of another city does not, and non-admins
 * are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Approvals } from '../support/approvals';
import { buildMember } from '../support/factories';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;
let a: Approvals;
beforeAll(async () => {
  h = await startHarness();
  a = new Approvals(h);
});
afterAll(async () => {
  await h?.close();
});

const REVIEWER = 'xinhua-express.reviewer';

async function get(user: string | null, path: string) {
  return h.call('GET', path, { token: user ? await h.login(user) : undefined });
}

interface RevealItem {
  id: string;
  at: string;
  actor: { username: string; name: string | null };
  application: { id: string; type: string; title: string; reference: string | null };
  step: string;
  stepIndex: number;
  taskId: string;
  fields: string[];
}

describe('the reveal and its audit', () => {
  const worker = buildMember({ area: 'pds-xinhua', group: 'courier' });
  let appId = '';
  let identityTask = '';

  it('offers the reveal only to the holder at the identity review; the holder sees the full numbers and the view is audited', async () => {
    appId = await a.start(null, worker);
    const initial = await a.task(REVIEWER, appId, /信息初审/);
    const atInitial = await get(REVIEWER, `/api/tasks/${initial.id}`);
    expect(atInitial.status).toBe(200);
    expect(atInitial.body.canRevealPersonalData).toBe(false);
    await a.ok(REVIEWER, initial.id, { action: 'approve' });

    identityTask = (await a.task(REVIEWER, appId, /身份审核/)).id;
    const plain = await get(REVIEWER, `/api/tasks/${identityTask}`);
    expect(plain.status).toBe(200);
    expect(plain.body.canRevealPersonalData).toBe(true);
    expect(plain.body.personalData).toBeUndefined();
    expect(JSON.stringify(plain.body)).not.toContain(worker.idNumber);
    // Who sees the task but does not hold it is not offered the reveal.
    const admin = await get('city.admin', `/api/tasks/${identityTask}`);
    expect(admin.status).toBe(200);
    expect(admin.body.canRevealPersonalData).toBe(false);

    const shown = await get(REVIEWER, `/api/tasks/${identityTask}?reveal=personal`);
    expect(shown.status, JSON.stringify(shown.body)).toBe(200);
    expect(shown.body.personalData).toEqual({ idNumber: worker.idNumber, phone: worker.phone });
    const rows = await h.db('audit_log').where({ application_id: appId, action: 'personalDataViewed' }).select('actor', 'data');
    expect(rows).toEqual([{ actor: REVIEWER, data: { taskId: identityTask, fields: ['idNumber', 'phone'] } }]);
  });

  it('lists the view for the admins above the application, and for nobody else', async () => {
    const find = (body: { items: RevealItem[] }) => body.items.find((i) => i.application.id === appId);
    const reviewer = await h.db('users').where({ username: REVIEWER }).first('name');
    for (const admin of ['xinhua.admin', 'city.admin', 'prov.admin']) {
      const r = await get(admin, '/api/audit/reveals?limit=200');
      expect(r.status, admin).toBe(200);
      expect(r.headers.get('cache-control')).toBe('no-store');
      expect(find(r.body), admin).toEqual({
        id: expect.stringMatching(/^\d+$/),
        at: expect.any(String),
        actor: { username: REVIEWER, name: reviewer.name },
        application: { id: appId, type: 'membership', title: `${worker.name} 入会申请`, reference: expect.stringMatching(/^RH\d{4}-\d{4}$/) },
        step: expect.stringContaining('身份审核'),
        stepIndex: 3,
        taskId: identityTask,
        fields: ['idNumber', 'phone'],
      });
      // The log says that the numbers were seen, never the numbers.
      expect(JSON.stringify(r.body)).not.toContain(worker.idNumber);
      expect(JSON.stringify(r.body)).not.toContain(worker.phone);
    }
    // An admin of another city: an answer without it (their subtree holds no such application).
    const other = await get('xc.admin', '/api/audit/reveals?limit=200');
    expect(other.status).toBe(200);
    expect(find(other.body)).toBeUndefined();
    expect(other.body.items.every((i: RevealItem) => i.application.id !== appId)).toBe(true);
    // Not admins: refused, whatever they hold (the reviewer who viewed included).
    for (const user of [REVIEWER, 'city.reviewer', 'city.staff', 'city.lead', 'xinhua.staff']) {
      const r = await get(user, '/api/audit/reveals');
      expect(r.status, user).toBe(403);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await get(null, '/api/audit/reveals')).status).toBe(401);
  });

  it('filters by actor and date range and pages with a cursor', async () => {
    const has = (body: { items: RevealItem[] }) => body.items.some((i) => i.application.id === appId);
    const mine = await get('city.admin', `/api/audit/reveals?actor=${REVIEWER}&limit=200`);
    expect(has(mine.body)).toBe(true);
    expect(mine.body.items.every((i: RevealItem) => i.actor.username === REVIEWER)).toBe(true);
    expect(has((await get('city.admin', '/api/audit/reveals?actor=city.reviewer&limit=200')).body)).toBe(false);

    const at = new Date((await h.db('audit_log').where({ application_id: appId, action: 'personalDataViewed' }).first('at')).at).getTime();
    const iso = (ms: number) => new Date(ms).toISOString();
    const range = (from: number, to: number) =>
      get('city.admin', `/api/audit/reveals?from=${encodeURIComponent(iso(from))}&to=${encodeURIComponent(iso(to))}&limit=200`);
    expect(has((await range(at - 60_000, at + 60_000)).body)).toBe(true);
    expect(has((await range(at + 1, at + 60_000)).body)).toBe(false);
    expect(has((await range(at - 60_000, at - 1)).body)).toBe(false);

    // A second view (of the same task) makes two rows: limit=1 pages through them, newest first.
    expect((await get(REVIEWER, `/api/tasks/${identityTask}?reveal=personal`)).status).toBe(200);
    const first = await get('city.admin', `/api/audit/reveals?actor=${REVIEWER}&limit=1`);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.items[0].application.id).toBe(appId);
    expect(first.body.nextCursor).toBe(first.body.items[0].id);
    const second = await get('city.admin', `/api/audit/reveals?actor=${REVIEWER}&limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0].application.id).toBe(appId);
    expect(Number(second.body.items[0].id)).toBeLessThan(Number(first.body.items[0].id));
  });

  it('answers 400 naming each bad query field', async () => {
    const bad = await get('city.admin', '/api/audit/reveals?from=yesterday&cursor=abc&limit=0');
    expect(bad.status).toBe(400);
    expect([...new Set(bad.body.errors.map((e: { path: string }) => e.path))].sort()).toEqual(['cursor', 'from', 'limit']);
    const backwards = await get('city.admin', '/api/audit/reveals?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z');
    expect(backwards.status).toBe(400);
    expect(backwards.body.errors.map((e: { path: string }) => e.path)).toEqual(['to']);
  });
});
