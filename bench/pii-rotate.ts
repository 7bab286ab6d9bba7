/**
 * `npm run bench:pii-rotate`: how long `npm run pii:rotate` takes to
 * re-encrypt a city's personal data with a new key.
 *
 * Creates a database of its own (on DATABASE_URL's server if set, else an
 * embedded Postgres on a free port under a temp dir), migrates it, loads the
 * demo org tree and writes N member records (ID and phone number encrypted
 * with key k2026a) and N online membership applications whose payloads carry
 * the same two ciphertexts. Then it rotates to k2026b exactly as the command
 * does (db/pii-rotation.ts), prints progress, rows/s and total time, checks
 * that nothing is left on the old key, and times a second run (nothing to do).
 *
 * Options (argument --NAME=value, or env NAME / BENCH_NAME): MEMBERS (100000),
 * BATCH (1000, the command's --batch-size), KEEP=1 keeps the database.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashPassword } from '../api/passwords';
import { loadDemoData } from '../db/demo-seed';
import { createDb, migrateLatest, type Db } from '../db/knex';
import { countStale, rotatePii } from '../db/pii-rotation';
import { maskIdNumber, maskPhone, makeIdNumber } from '../domain/id-number';
import { createPiiRing } from '../runtime/pii';
import { createScratchDatabase, startEmbeddedPostgres } from '../runtime/postgres-server';
import { freePort } from '../runtime/temporal-server';
import { boolParam, intParam, printHeader } from './lib/params';

const MEMBERS = intParam('MEMBERS', 100_000, 1);
const BATCH = intParam('BATCH', 1000, 1);
const KEEP = boolParam('KEEP', false);
const CHUNK = 2000;

const log = (msg: string) => console.log(`[bench:pii-rotate ${new Date().toISOString().slice(11, 19)}] ${msg}`);
const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

const hashKey = crypto.randomBytes(32);
const k2026a = { kid: 'k2026a', key: crypto.randomBytes(32) };
const k2026b = { kid: 'k2026b', key: crypto.randomBytes(32) };
const before = createPiiRing({ keys: [k2026a], hashKey });
const after = createPiiRing({ keys: [k2026b, k2026a], hashKey });

/** A valid ID number for member n (GB 11643 checksum), distinct for n below 10 million: birth date and sequence from n. */
function idNumber(n: number): string {
  const birth = new Date(Date.UTC(1970, 0, 1) + (n % 10_000) * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
  return makeIdNumber(`410402${birth}${String(Math.floor(n / 10_000) % 1000).padStart(3, '0')}`);
}
const phone = (n: number) => `139${String(n).padStart(8, '0')}`;

async function seed(db: Db): Promise<void> {
  const t0 = process.hrtime.bigint();
  for (let start = 0; start < MEMBERS; start += CHUNK) {
    const members: Record<string, unknown>[] = [];
    const applications: Record<string, unknown>[] = [];
    for (let n = start; n < Math.min(MEMBERS, start + CHUNK); n++) {
      const id = idNumber(n);
      const hash = before.hash(id);
      const p = phone(n);
      const [idEnc, phoneEnc] = [before.encrypt(id), before.encrypt(p)];
      members.push({
        id_number_hash: hash,
        id_number_enc: idEnc,
        id_number_masked: maskIdNumber(id),
        name: `会员${n}`,
        phone_enc: phoneEnc,
        phone_masked: maskPhone(p),
        group_id: 'courier',
        union_id: 'pds-xinhua',
        source_application: `bench-${n}`,
      });
      applications.push({
        id: `bench-${n}`,
        type: 'membership',
        chain_key: 'membership',
        chain_version: 1,
        applicant: null,
        applicant_org: 'pds-xinhua',
        title: `会员${n} 入会申请`,
        payload: JSON.stringify({
          name: `会员${n}`,
          group: 'courier',
          area: 'pds-xinhua',
          idNumberEnc: before.encrypt(id),
          idNumberHash: hash,
          idNumberMasked: maskIdNumber(id),
          phoneEnc: before.encrypt(p),
          phoneHash: before.hash(p),
          phoneMasked: maskPhone(p),
        }),
        status: 'approved',
        workflow_id: `application-bench-${n}`,
      });
    }
    await db.transaction(async (trx) => {
      await trx('applications').insert(applications);
      await trx('members').insert(members);
    });
    if ((start / CHUNK) % 10 === 0) log(`seeded ${Math.min(MEMBERS, start + CHUNK).toLocaleString('en')} members and applications`);
  }
  await db.raw('analyze members; analyze applications');
  log(`seeded ${MEMBERS.toLocaleString('en')} members + ${MEMBERS.toLocaleString('en')} applications in ${seconds(t0).toFixed(1)} s`);
}

async function main() {
  printHeader('bench:pii-rotate — re-encrypting personal data with a new key', { MEMBERS, BATCH });
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    let adminUrl = process.env.DATABASE_URL;
    if (!adminUrl) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-pii-'));
      fs.chmodSync(dir, 0o755);
      const embedded = await startEmbeddedPostgres({ dataDir: path.join(dir, 'postgres'), port: await freePort(), ephemeral: true });
      cleanups.push(
        () => embedded.stop(),
        () => Promise.resolve(fs.rmSync(dir, { recursive: true, force: true })),
      );
      adminUrl = embedded.url('postgres');
    }
    const scratch = await createScratchDatabase(adminUrl, `bench_pii_${Date.now().toString(36)}`);
    if (!KEEP) cleanups.unshift(scratch.drop);
    else log(`keeping ${scratch.url}`);
    const db = createDb(scratch.url, { poolMax: 4, statementTimeoutMs: 0 });
    cleanups.unshift(() => db.destroy());
    await migrateLatest(db);
    await loadDemoData(db, hashPassword);
    const server = ((await db.raw('show server_version')).rows[0] as { server_version: string }).server_version;
    log(`Postgres ${server}`);
    await seed(db);

    const stale = await countStale(db, 'k2026b');
    log(
      `on the old key: ${Object.entries(stale)
        .filter(([, n]) => n)
        .map(([t, n]) => `${t} ${n.toLocaleString('en')}`)
        .join(', ')}`,
    );
    let lastLine = 0;
    const r = await rotatePii(db, after, {
      batchSize: BATCH,
      onProgress: (p) => {
        if (Date.now() - lastLine < 5000 && p.done < p.total) return;
        lastLine = Date.now();
        log(
          `  ${p.table}: ${p.done.toLocaleString('en')}/${p.total.toLocaleString('en')} · all ${p.runDone.toLocaleString('en')}/${p.runTotal.toLocaleString('en')} rows · ${Math.round(p.rowsPerSecond)} rows/s`,
        );
      },
    });
    const left = Object.values(await countStale(db, 'k2026b')).reduce((a, b) => a + b, 0);
    const t2 = process.hrtime.bigint();
    const second = await rotatePii(db, after, { batchSize: BATCH });
    const secondS = seconds(t2);
    const sample = await db('members').orderBy('id', 'desc').first('id_number_enc');
    const onlyNew = createPiiRing({ keys: [k2026b], hashKey });
    onlyNew.decrypt(sample.id_number_enc as string);

    console.log('');
    console.log('bench:pii-rotate — result');
    console.log(
      `  data          ${MEMBERS.toLocaleString('en')} members (2 ciphertexts each) + ${MEMBERS.toLocaleString('en')} applications (2 in the payload)`,
    );
    console.log(
      `  rotated       ${r.rows.toLocaleString('en')} rows in ${r.seconds.toFixed(1)} s — ${Math.round(r.rowsPerSecond).toLocaleString('en')} rows/s (batch ${BATCH})`,
    );
    for (const [t, s] of Object.entries(r.tables).filter(([, s]) => s.done)) console.log(`    ${t.padEnd(14)}${s.done.toLocaleString('en')} rows`);
    console.log(`  left on old   ${left} (must be 0)`);
    console.log(`  second run    ${second.rows} rows, ${secondS.toFixed(1)} s (nothing to do)`);
    console.log(`  Postgres      ${server}`);
    if (left !== 0 || second.rows !== 0) process.exitCode = 1;
  } finally {
    for (const c of cleanups) await c().catch(() => undefined);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
