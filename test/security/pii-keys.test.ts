/**
 * Rotating the personal-data key (README, "Personal-data keys"): a database
 * of this file's own holds ciphertexts of two generations — `v1:` ones made
 * before key ids (the `legacy` key) and `v2:k2026a:` ones — and workflows in
 * flight whose histories carry them. The API and worker restart on a ring
 * whose newest key is k2026b; `rotatePii` runs while workers keep applying
 * and reviewers keep approving the old applications. Afterwards every
 * ciphertext in the database carries k2026b and decrypts with k2026b alone,
 * no row is lost, everything reads back through the API, and no table holds
 * an ID or phone number in clear. A run killed mid-way (SIGKILL) resumes
 * where its last batch ended; a run after a finished one finds nothing.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { countStale, rotatePii } from '../../db/pii-rotation';
import { maskIdNumber, maskPhone } from '../../domain/id-number';
import { createPiiRing, type PiiKey } from '../../runtime/pii';
import { PROJECT_ROOT } from '../../runtime/temporal-server';
import { createDatabase } from '../reliability/support';
import { buildMember, type MemberBody } from '../support/factories';
import { eventually, startHarness, type Harness } from '../support/harness';

const STAFF = 'xinhua.staff'; // submits for workers of 新华区 (signed in: no SMS code needed)
const REVIEWER = 'xinhua-express.reviewer'; // the courier union the applications are sorted to

const k = (kid: string): PiiKey => ({ kid, key: crypto.randomBytes(32) });
const legacy = k('legacy');
const k2026a = k('k2026a');
const k2026b = k('k2026b');
const k2026c = k('k2026c');
const hashKey = crypto.randomBytes(32);
const ringA = createPiiRing({ keys: [k2026a, legacy], hashKey });
const ringB = createPiiRing({ keys: [k2026b, k2026a, legacy], hashKey });
/** Only the newest key: what it decrypts was certainly re-encrypted. */
const onlyB = createPiiRing({ keys: [k2026b], hashKey });

/** A `v1:` ciphertext exactly as the code before key ids made it. */
function legacyEncrypt(plain: string): string {
  const iv = crypto.randomBytes(12);
  const c = crypto.createCipheriv('aes-256-gcm', legacy.key, iv);
  const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return ['v1', iv.toString('base64'), c.getAuthTag().toString('base64'), body.toString('base64')].join(':');
}

let database: { url: string; drop(): Promise<void> };
let h: Harness | undefined;
const taskQueue = `tq-pii-${inject('runId')}-${crypto.randomBytes(4).toString('hex')}`;
/** Every worker whose numbers went in, by application id (or `member:<n>` for a record written directly). */
const workers = new Map<string, MemberBody>();

beforeAll(async () => {
  database = await createDatabase(inject('adminDatabaseUrl'), `ud_pii_${inject('runId')}_${crypto.randomBytes(3).toString('hex')}`);
});
afterAll(async () => {
  await h?.close();
  await database?.drop();
});

async function apply(hh: Harness, worker: MemberBody): Promise<string> {
  const r = await hh.call('POST', '/api/applications', { token: await hh.login(STAFF), body: worker });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  workers.set(r.body.id, worker);
  return r.body.id as string;
}

async function pendingTask(hh: Harness, applicationId: string, step: RegExp) {
  return eventually(async () => {
    const r = await hh.call('GET', '/api/tasks?status=pending&limit=200', { token: await hh.login(REVIEWER) });
    return (r.body.items as { id: string; applicationId: string; step: string }[]).find((t) => t.applicationId === applicationId && step.test(t.step));
  }, 60_000);
}

async function approve(hh: Harness, applicationId: string, step: RegExp) {
  const task = await pendingTask(hh, applicationId, step);
  const r = await hh.call('POST', `/api/tasks/${task.id}/actions`, { token: await hh.login(REVIEWER), body: { action: 'approve' } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

/** Every ciphertext-shaped string in the whole database that was not made with `kid`, per table. */
async function foreignCiphertexts(hh: Harness, kid: string): Promise<Record<string, number>> {
  const tables = (await hh.db.raw(`select tablename from pg_tables where schemaname = 'public' order by 1`)).rows as { tablename: string }[];
  const out: Record<string, number> = {};
  for (const { tablename } of tables) {
    const r = await hh.db.raw(`select count(*)::int as n from "${tablename}" t where t::text ~ ? or t::text ~ ?`, [
      'v1:[A-Za-z0-9+/]+=*:[A-Za-z0-9+/]+=*:',
      `v2:(?!${kid}:)[\\w-]+:[A-Za-z0-9+/]+=*:`,
    ]);
    if (r.rows[0].n) out[tablename] = r.rows[0].n;
  }
  return out;
}

describe('rotating the personal-data key', () => {
  const directMembers = 240;
  const legacyMembers = 60;
  const inFlight: string[] = [];
  const duringRotation: string[] = [];
  let approvedDuring = 0;

  it('under traffic: every ciphertext ends on the new key, nothing is lost, everything reads back', async () => {
    // Before: the API and worker on k2026a (with the legacy key for v1 data).
    h = await startHarness({ databaseUrl: database.url, taskQueue, pii: ringA });
    for (let i = 0; i < 6; i++) inFlight.push(await apply(h, buildMember({ area: 'pds-xinhua', group: 'courier' })));
    // Member records of both generations, written as the code of their time did.
    const rows = [];
    for (let i = 0; i < directMembers + legacyMembers; i++) {
      const worker = buildMember();
      const enc = i < legacyMembers ? legacyEncrypt : (s: string) => ringA.encrypt(s);
      workers.set(`member:${i}`, worker);
      rows.push({
        id_number_hash: ringA.hash(worker.idNumber),
        id_number_enc: enc(worker.idNumber),
        id_number_masked: maskIdNumber(worker.idNumber),
        name: worker.name,
        phone_enc: enc(worker.phone),
        phone_masked: maskPhone(worker.phone),
        group_id: 'courier',
        union_id: 'pds-xinhua',
      });
    }
    await h.db.batchInsert('members', rows, 100);
    // The in-flight applications wait at 信息初审, their payload (and history) on k2026a.
    for (const id of inFlight) await pendingTask(h, id, /信息初审/);
    const stale = await countStale(h.db, 'k2026b');
    expect(stale.members).toBe(directMembers + legacyMembers);
    expect(stale.applications).toBe(inFlight.length);
    await h.close();

    // The new ring is deployed (same task queue: the running workflows continue), then the rotation runs under traffic.
    h = await startHarness({ databaseUrl: database.url, taskQueue, pii: ringB });
    const hb = h;
    let rotating = true;
    let batches = 0;
    const rotation = rotatePii(hb.db, ringB, { batchSize: 16, pauseMs: 40, onProgress: () => void (batches += 1) }).finally(() => (rotating = false));
    const traffic = (async () => {
      let next = 0;
      while (rotating) {
        duringRotation.push(await apply(hb, buildMember({ area: 'pds-xinhua', group: 'courier' })));
        // A reviewer approves an old application: its workflow writes the payload from its (k2026a) state.
        if (next < 4) {
          await approve(hb, inFlight[next]!, /信息初审/);
          next += 1;
          approvedDuring = next;
        }
      }
    })();
    const result = await rotation;
    await traffic;
    expect(batches).toBeGreaterThan(5);
    expect(duringRotation.length).toBeGreaterThan(0);
    expect(approvedDuring).toBeGreaterThan(0);
    expect(result.resumed).toBe(false);
    expect(result.rows).toBeGreaterThanOrEqual(directMembers + legacyMembers);
    expect(result.skipped).toEqual([]);

    // The approved old applications move on to 身份审核 (their projection written again from the workflow).
    for (const id of inFlight.slice(0, approvedDuring)) await pendingTask(hb, id, /身份审核/);

    // Every ciphertext in every table carries k2026b …
    expect(Object.entries(await countStale(hb.db, 'k2026b')).filter(([, n]) => n > 0)).toEqual([]);
    expect(await foreignCiphertexts(hb, 'k2026b')).toEqual({});
    // … and decrypts with k2026b alone, to what went in; no member row lost.
    const members = await hb.db('members').select('id_number_hash', 'id_number_enc', 'phone_enc');
    expect(members).toHaveLength(directMembers + legacyMembers);
    const byHash = new Map(members.map((m) => [m.id_number_hash as string, m]));
    for (let i = 0; i < directMembers + legacyMembers; i++) {
      const w = workers.get(`member:${i}`)!;
      const m = byHash.get(ringB.hash(w.idNumber))!;
      expect(onlyB.decrypt(m.id_number_enc)).toBe(w.idNumber);
      expect(onlyB.decrypt(m.phone_enc)).toBe(w.phone);
    }
    // Every application, old and new, is there and reads back through the API, its numbers decrypting with k2026b.
    const admin = await hb.login('city.admin');
    for (const id of [...inFlight, ...duringRotation]) {
      const w = workers.get(id)!;
      const row = await hb.db('applications').where({ id }).first('payload');
      expect(onlyB.decrypt(row.payload.idNumberEnc), id).toBe(w.idNumber);
      expect(onlyB.decrypt(row.payload.phoneEnc), id).toBe(w.phone);
      const r = await hb.call('GET', `/api/applications/${id}`, { token: admin });
      expect(r.status, id).toBe(200);
      expect(r.body.payload).toMatchObject({ idNumberMasked: maskIdNumber(w.idNumber), phoneMasked: maskPhone(w.phone) });
    }
    // The identity reviewer's audited reveal decrypts an application that started on the old key.
    const identity = await pendingTask(hb, inFlight[0]!, /身份审核/);
    const shown = await hb.call('GET', `/api/tasks/${identity.id}?reveal=personal`, { token: await hb.login(REVIEWER) });
    expect(shown.status, JSON.stringify(shown.body)).toBe(200);
    const first = workers.get(inFlight[0]!)!;
    expect(shown.body.personalData).toEqual({ idNumber: first.idNumber, phone: first.phone });

    // Its workflow's history still carries the k2026a ciphertexts: that key stays in the ring until histories expire.
    const history = JSON.stringify(await hb.temporal.workflow.getHandle(`application-${inFlight[0]!}`).fetchHistory());
    expect(history).not.toContain(first.idNumber);

    // After the approval the worker writes the member record: on the new key, from a payload made on the old one.
    // (吸纳入会 follows with the same reviewer: approved once.)
    await approve(hb, inFlight[0]!, /身份审核/);
    const member = await eventually(
      async () =>
        hb
          .db('members')
          .where({ id_number_hash: ringB.hash(first.idNumber) })
          .first(),
      60_000,
    );
    expect(onlyB.decrypt(member.id_number_enc)).toBe(first.idNumber);
    expect(await foreignCiphertexts(hb, 'k2026b')).toEqual({});

    // The personal-data scan over the rotated database: no ID or phone number in clear in any table.
    const numbers = [...workers.values()].flatMap((w) => [w.idNumber, w.phone]);
    const tables = (await hb.db.raw(`select tablename from pg_tables where schemaname = 'public' order by 1`)).rows as { tablename: string }[];
    for (const { tablename } of tables) {
      const hits = await hb.db.raw(
        `select count(*)::int as n from "${tablename}" t where t::text like any (select '%' || x || '%' from jsonb_array_elements_text(?::jsonb) x)`,
        [JSON.stringify(numbers)],
      );
      expect(hits.rows[0].n, tablename).toBe(0);
    }

    // A second run finds nothing to do.
    const again = await rotatePii(hb.db, ringB, { batchSize: 16 });
    expect(again).toMatchObject({ rows: 0, resumed: false });
  }, 300_000);

  it('a run killed mid-way (SIGKILL) resumes where its last batch ended; the next finds nothing', async () => {
    const hb = h!;
    // Another key comes: k2026c. Written meanwhile: more records on k2026b.
    const rows = Array.from({ length: 200 }, () => {
      const w = buildMember();
      return {
        id_number_hash: ringB.hash(w.idNumber),
        id_number_enc: ringB.encrypt(w.idNumber),
        id_number_masked: maskIdNumber(w.idNumber),
        name: w.name,
        phone_enc: ringB.encrypt(w.phone),
        phone_masked: maskPhone(w.phone),
        union_id: 'pds-xinhua',
      };
    });
    await hb.db.batchInsert('members', rows, 100);
    const ringC = createPiiRing({ keys: [k2026c, k2026b, k2026a, legacy], hashKey });
    const total = Object.values(await countStale(hb.db, 'k2026c')).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(500);
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      PII_KEYS: [k2026c, k2026b, k2026a, legacy].map((x) => `${x.kid}:${x.key.toString('base64')}`).join(','),
      PII_HASH_KEY: hashKey.toString('base64'),
      LOG_LEVEL: 'warn',
    };
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/pii-rotate.ts', '--batch-size', '20', '--pause-ms', '300'], {
      cwd: PROJECT_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // The first progress line: at least one batch is committed. Then a crash.
    await eventually(async () => Promise.resolve(/ · 全部 \/ all [1-9]/.test(out)), 60_000, 20);
    child.kill('SIGKILL');
    await exited;
    expect(out).toMatch(/target key: k2026c; batch 20, pause 300 ms/);

    const open = await hb.db('pii_rotations').where({ target_kid: 'k2026c' }).whereNull('finished_at').first();
    expect(open).toBeDefined();
    const doneBefore = Object.values(open.state.tables as Record<string, { done: number }>).reduce((a, t) => a + t.done, 0);
    const staleBefore = Object.values(await countStale(hb.db, 'k2026c')).reduce((a, b) => a + b, 0);
    expect(doneBefore).toBeGreaterThan(0);
    expect(staleBefore).toBe(total - doneBefore); // what the committed batches did, and only that, is done
    expect(staleBefore).toBeGreaterThan(0);

    // Started again, it continues the same run: it re-encrypts exactly the rest.
    const resumed = await rotatePii(hb.db, ringC, { batchSize: 50 });
    expect(resumed).toMatchObject({ runId: Number(open.id), resumed: true, rows: staleBefore, runRows: total });
    expect(await foreignCiphertexts(hb, 'k2026c')).toEqual({});
    const finished = await hb.db('pii_rotations').where({ id: open.id }).first();
    expect(finished.finished_at).not.toBeNull();

    // The command-line run after it: nothing to do.
    const third = spawn(process.execPath, ['--import', 'tsx', 'scripts/pii-rotate.ts'], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out3 = '';
    third.stdout.on('data', (d) => (out3 += String(d)));
    third.stderr.on('data', (d) => (out3 += String(d)));
    const code = await new Promise<number | null>((resolve) => third.once('exit', (c) => resolve(c)));
    expect(code, out3).toBe(0);
    expect(out3).toMatch(/: 0 rows re-encrypted .* — 无需处理 \/ nothing to do/);
  }, 180_000);
});
