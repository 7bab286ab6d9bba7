/**
 * Personal data (ID and phone numbers, 身份证号、手机号) of a worker who applies
 * online: masked in every API answer and in the logs; shown in full only to
 * the holder of a pending identity-review task (身份审核, the step that needs
 * it), each view audited; encrypted at rest (AES-256-GCM) in its column and
 * found nowhere else in the database in clear.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi } from '../../api/server';
import { createDb } from '../../db/knex';
import { maskIdNumber, maskPhone } from '../../domain/id-number';
import { logger } from '../../runtime/logger';
import { buildMember } from '../support/factories';
import { eventually, startHarness, type Harness } from '../support/harness';

let h: Harness;
let logs = '';
const streamSym = (pino as unknown as { symbols: { streamSym: symbol } }).symbols.streamSym;
const loggerStreams = logger as unknown as Record<symbol, unknown>;
let originalStream: unknown;
/** Every answer body the API gave in this file, for the "nowhere in clear" checks. */
const answers: { path: string; text: string }[] = [];

beforeAll(async () => {
  originalStream = loggerStreams[streamSym];
  loggerStreams[streamSym] = { write: (line: string) => void (logs += line) };
  logger.level = 'debug';
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
  loggerStreams[streamSym] = originalStream;
  logger.level = 'info';
});

async function get(user: string, path: string) {
  const r = await h.call('GET', path, { token: await h.login(user) });
  answers.push({ path, text: JSON.stringify(r.body) });
  return r;
}

async function pendingTask(user: string, applicationId: string, step: RegExp) {
  return eventually(async () => {
    const r = await get(user, '/api/tasks?status=pending&limit=200');
    return (r.body.items as { id: string; applicationId: string; step: string }[]).find((t) => t.applicationId === applicationId && step.test(t.step));
  });
}

async function approve(user: string, taskId: string) {
  const r = await h.call('POST', `/api/tasks/${taskId}/actions`, { token: await h.login(user), body: { action: 'approve' } });
  answers.push({ path: `POST /api/tasks/${taskId}/actions`, text: JSON.stringify(r.body) });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

describe('a worker’s ID and phone numbers', () => {
  const worker = buildMember({ area: 'pds-xinhua', group: 'courier' });
  let id = '';
  const REVIEWER = 'xinhua-express.reviewer'; // the courier union the application is sorted to
  const reveal = (user: string, taskId: string) => get(user, `/api/tasks/${taskId}?reveal=personal`);
  const views = async () =>
    await h.db('audit_log').where({ application_id: id, action: 'personalDataViewed' }).select<
      {
        actor: string;
        step: string;
        data: { taskId: string; fields: string[] };
      }[]
    >('actor', 'step', 'data');

  it('are masked in every answer, and shown in full only to the identity reviewer, each view audited', async () => {
    // Without an account: the phone verified by its SMS code (sent to the development outbox).
    const created = await h.call('POST', '/api/applications', { body: { ...worker, smsCode: await h.smsCode(worker.phone) } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    id = created.body.id;

    // 信息初审 (initial review) does not need the full numbers: the masked ones are all anyone gets.
    const initial = await pendingTask(REVIEWER, id, /信息初审/);
    const task = await get(REVIEWER, `/api/tasks/${initial.id}`);
    expect(task.body.subjectDetail.payload).toMatchObject({ idNumberMasked: maskIdNumber(worker.idNumber), phoneMasked: maskPhone(worker.phone) });
    expect(task.body.personalData).toBeUndefined();
    const early = await reveal(REVIEWER, initial.id);
    expect(early.status).toBe(403);
    expect(early.headers.get('content-type')).toContain('application/problem+json');
    expect(await views()).toEqual([]);
    await approve(REVIEWER, initial.id);

    // 身份审核 (identity review, showsPersonalData): its task holder sees the numbers, and the view is recorded.
    const identity = await pendingTask(REVIEWER, id, /身份审核/);
    const shown = await reveal(REVIEWER, identity.id);
    expect(shown.status, JSON.stringify(shown.body)).toBe(200);
    expect(shown.body.personalData).toEqual({ idNumber: worker.idNumber, phone: worker.phone });
    expect(shown.headers.get('cache-control')).toBe('no-store');
    expect(await views()).toEqual([
      { actor: REVIEWER, step: expect.stringContaining('身份审核'), data: { taskId: identity.id, fields: ['idNumber', 'phone'] } },
    ]);
    const timeline = (await get('city.admin', `/api/applications/${id}`)).body.timeline as { action: string; actor: string }[];
    expect(timeline).toContainEqual(expect.objectContaining({ action: 'personalDataViewed', actor: REVIEWER }));

    // Others who can see the task but do not hold it get 403; those outside the scope 404 — and nothing is recorded.
    for (const user of ['city.admin', 'xinhua.staff', 'prov.reviewer']) expect((await reveal(user, identity.id)).status, user).toBe(403);
    for (const user of ['weidong.staff', 'zhanhe-delivery.reviewer']) expect((await reveal(user, identity.id)).status, user).toBe(404);
    expect(await views()).toHaveLength(1);

    // Once the step is done the task reveals nothing any more.
    await approve(REVIEWER, identity.id);
    expect((await reveal(REVIEWER, identity.id)).status).toBe(403);
    // (吸纳入会, admission, is approved once by the same reviewer; then the member record and real-name check.)
    const done = await eventually(async () => {
      const a = (await get('city.admin', `/api/applications/${id}`)).body;
      return a.status !== 'pending' ? a : undefined;
    }, 60_000);
    expect(done.status, JSON.stringify(done.timeline?.slice(-3))).toBe('approved');
    expect(await views()).toHaveLength(1);

    // The public status look-up (reference, phone and its SMS code) shows only masked numbers too.
    const lookup = await h.call('POST', '/api/public/status', {
      body: { reference: created.body.reference, phone: worker.phone, smsCode: await h.smsCode(worker.phone, 'status') },
    });
    expect(lookup.status, JSON.stringify(lookup.body)).toBe(200);
    expect(lookup.body.applications[0].held).toMatchObject({ idNumber: maskIdNumber(worker.idNumber), phone: maskPhone(worker.phone) });
    answers.push({ path: 'public lookup', text: JSON.stringify(lookup.body) });

    for (const path of [
      `/api/applications/${id}`,
      `/api/applications/${id}/route`,
      '/api/applications?limit=200',
      `/api/tasks/${identity.id}`,
      '/api/notifications',
    ])
      await get('city.admin', path);
    const leaking = answers.filter((a) => !a.text.includes('"personalData"') && (a.text.includes(worker.idNumber) || a.text.includes(worker.phone)));
    expect(leaking.map((a) => a.path)).toEqual([]);
  });

  it('are encrypted at rest in their columns, and in clear nowhere in the database or the workflow history', async () => {
    const member = await h
      .db('members')
      .where({ id_number_hash: h.pii.hash(worker.idNumber) })
      .first();
    expect(member.id_number_enc).toMatch(new RegExp(`^v2:${h.pii.currentKid}:`)); // the key id of the ring's newest key
    expect(h.pii.decrypt(member.id_number_enc)).toBe(worker.idNumber);
    expect(h.pii.decrypt(member.phone_enc)).toBe(worker.phone);
    expect(member.id_number_masked).toBe(maskIdNumber(worker.idNumber));
    // Two encryptions of one number differ (a fresh IV each time): equal ciphertexts reveal nothing.
    expect(h.pii.encrypt(worker.idNumber)).not.toBe(h.pii.encrypt(worker.idNumber));
    const tables = (await h.db.raw(`select tablename from pg_tables where schemaname = 'public' order by 1`)).rows as { tablename: string }[];
    // The scan covers the public join page's tables, which hold this worker's codes and messages (masked, hashed).
    expect(tables.map((t) => t.tablename)).toEqual(expect.arrayContaining(['sms_outbox', 'sms_codes', 'captchas', 'rate_limits']));
    expect(
      await h
        .db('sms_outbox')
        .where({ phone_hash: h.pii.hash(worker.phone) })
        .count({ n: '*' }),
    ).toEqual([{ n: '2' }]);
    for (const { tablename } of tables) {
      const hits = await h.db.raw(`select count(*)::int as n from "${tablename}" t where t::text like ? or t::text like ?`, [
        `%${worker.idNumber}%`,
        `%${worker.phone}%`,
      ]);
      expect(hits.rows[0].n, tablename).toBe(0);
    }
    const history = JSON.stringify(await h.temporal.workflow.getHandle(`application-${id}`).fetchHistory());
    expect(history).not.toContain(worker.idNumber);
    expect(history).not.toContain(worker.phone);
  });

  it('never appear in the logs: not in request errors, not in logged objects, not in error messages', async () => {
    // An API whose database is down logs each refused request (503): the body with the numbers stays out.
    const deadDb = createDb('postgres://nobody:nothing@127.0.0.1:9/none');
    const broken = await startApi(
      { db: deadDb, temporal: h.temporal, taskQueue: h.taskQueue, jwtSecret: 'x'.repeat(32), jwtTtl: '1h', pii: h.pii, publicJoin: true },
      0,
    );
    try {
      const r = await fetch(`${broken.url}/api/applications`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(worker),
      });
      expect(r.status).toBe(503);
      expect(logs).toContain('service unavailable');
    } finally {
      await broken.close();
      await deadDb.destroy();
    }
    // Whatever a future log line might carry — a body, a nested record, an error quoting its input.
    const err = Object.assign(new Error(`invalid member ${worker.idNumber} (${worker.phone})`), { body: worker });
    logger.error(
      {
        err,
        req: { headers: { authorization: 'Bearer secret-token' }, body: worker },
        members: [{ idNumber: worker.idNumber, phone: worker.phone }],
        deep: { a: { b: { idNumber: worker.idNumber } } },
      },
      `request for ${worker.phone} failed`,
    );
    logger.info(worker, 'membership received');
    expect(logs).toContain(maskIdNumber(worker.idNumber));
    expect(logs).toContain(maskPhone(worker.phone));
    expect(logs).not.toContain(worker.idNumber);
    expect(logs).not.toContain(worker.phone);
    expect(logs).not.toContain('secret-token');
  });
});
