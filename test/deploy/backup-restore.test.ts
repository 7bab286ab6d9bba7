/**
 * Backups that restore (issue 12): the compose backup job (deploy/backup.sh,
 * pg_dump from the machine's PostgreSQL client) dumps the database of a
 * running system; `npm run restore` (scripts/restore.ts) restores the dump into
 * a fresh database, where every application, task, member and audit row is
 * found again and the audit trail is still append-only.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDb, type Db } from '../../db/knex';
import { insertMemberOnce } from '../../db/member-repository';
import { ensurePgClient, startClientMatchedPostgres } from '../../runtime/pg-client';
import { createScratchDatabase } from '../../runtime/postgres-server';
import { freePort } from '../../runtime/temporal-server';
import { createDatabase } from '../reliability/support';
import { buildSubsidy, uniqueIdNumber } from '../support/factories';
import { eventually, startHarness, type Harness } from '../support/harness';

/** What a restore must bring back row for row (scripts/restore.ts reports the same tables). */
const RESTORE_CHECKED_TABLES = ['applications', 'tasks', 'members', 'audit_log'];

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'union-drive-backup-'));
fs.chmodSync(dir, 0o755); // the test's Postgres runs as the postgres user when we are root
const cleanups: (() => Promise<unknown>)[] = [];

let h: Harness;
let source: { url: string; drop(): Promise<void> };
/** A Postgres of the client's major version (pg_dump refuses a newer server, such as the run's embedded one). */
let adminUrl: string;

/** deploy/backup.sh, once, as the compose service runs it (PG* variables, BACKUP_TARGET instead of /backups). */
function runBackup(url: string, keep = 14): { status: number | null; output: string } {
  const u = new URL(url);
  const r = spawnSync('sh', [path.join(ROOT, 'deploy', 'backup.sh')], {
    env: {
      PATH: `${ensurePgClient()}:${process.env.PATH}`,
      PGHOST: u.hostname,
      PGPORT: u.port || '5432',
      PGUSER: decodeURIComponent(u.username),
      PGPASSWORD: decodeURIComponent(u.password),
      PGDATABASE: u.pathname.slice(1),
      BACKUP_TARGET: dir,
      BACKUP_KEEP: String(keep),
      BACKUP_ONCE: '1',
    },
    encoding: 'utf8',
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** `npm run restore <file> [--replace]` into `url`. */
function runRestore(file: string, url: string, ...flags: string[]): { status: number | null; output: string } {
  const r = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/restore.ts', file, ...flags], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, DATABASE_URL: url },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

async function rowsOf(db: Db, table: string): Promise<unknown[]> {
  return db(table).select('*').orderByRaw('1');
}

beforeAll(async () => {
  ensurePgClient();
  const server = startClientMatchedPostgres(path.join(dir, 'pg'), await freePort());
  cleanups.push(() => server.stop());
  adminUrl = server.url('postgres');
  source = await createDatabase(adminUrl, `ud_backup_${inject('runId')}`);
  cleanups.push(() => source.drop());
  h = await startHarness({ databaseUrl: source.url });
  // A running system's data: applications climbing their chains (tasks, audit rows), and members.
  const staff = await h.login('xinhua.staff');
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await h.call('POST', '/api/applications', { token: staff, body: buildSubsidy() });
    expect(r.status).toBe(201);
    ids.push(r.body.id);
  }
  await eventually(async () => ((await h.db('tasks').whereIn('application_id', ids).count({ n: '*' }).first())?.n ?? '0') >= '3');
  for (let i = 0; i < 2; i++) {
    const idNumber = uniqueIdNumber();
    await insertMemberOnce(h.db, {
      idNumberHash: h.pii.hash(idNumber),
      idNumberEnc: h.pii.encrypt(idNumber),
      idNumberMasked: `${idNumber.slice(0, 6)}********${idNumber.slice(-4)}`,
      name: `备份测试会员${i}`,
      unionId: 'pds-xinhua-express',
      sourceApplication: ids[i]!,
    });
  }
}, 120_000);

afterAll(async () => {
  await h?.close();
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('backup and restore of the app database', () => {
  it('dumps the running system and restores it into a fresh database with every application, task, member and audit row', async () => {
    let t0 = performance.now();
    const backup = runBackup(source.url);
    const backupMs = performance.now() - t0;
    expect(backup.status).toBe(0);
    const dumps = fs.readdirSync(dir).filter((f) => f.endsWith('.dump'));
    expect(dumps).toHaveLength(1);
    expect(fs.existsSync(path.join(dir, '.last-ok'))).toBe(true);

    const target = await createScratchDatabase(adminUrl, `ud_restored_${inject('runId')}`);
    cleanups.push(() => target.drop());
    t0 = performance.now();
    const restore = runRestore(path.join(dir, dumps[0]!), target.url);
    const restoreMs = performance.now() - t0;
    expect(restore.status, restore.output).toBe(0);
    console.log(
      `backup ${dumps[0]} (${(fs.statSync(path.join(dir, dumps[0]!)).size / 1024).toFixed(0)} KiB) in ${backupMs.toFixed(0)} ms; restore in ${restoreMs.toFixed(0)} ms\n${restore.output.trim()}`,
    );

    const restored = createDb(target.url);
    try {
      for (const table of RESTORE_CHECKED_TABLES) {
        const before = await rowsOf(h.db, table);
        expect(before.length, `${table} has rows to back up`).toBeGreaterThan(0);
        expect(await rowsOf(restored, table), table).toEqual(before);
      }
      // The demo org tree and users came back too.
      expect(await rowsOf(restored, 'users')).toEqual(await rowsOf(h.db, 'users'));
      // The audit trail is still append-only after the restore.
      await expect(restored.raw('delete from audit_log')).rejects.toThrow(/append-only|只能追加|audit/i);
      await expect(restored.raw('truncate audit_log')).rejects.toThrow(/append-only|只能追加|audit/i);
    } finally {
      await restored.destroy();
    }
  });

  it('refuses to restore over a database that has tables unless --replace is given; with it, the dump replaces them', async () => {
    const file = path.join(
      dir,
      fs.readdirSync(dir).find((f) => f.endsWith('.dump'))!,
    );
    const target = await createDatabase(adminUrl, `ud_replaced_${inject('runId')}`);
    cleanups.push(() => target.drop());
    const refused = runRestore(file, target.url);
    expect(refused.status).toBe(2);
    expect(refused.output).toContain('--replace');

    const replaced = runRestore(file, target.url, '--replace');
    expect(replaced.status, replaced.output).toBe(0);
    const db = createDb(target.url);
    try {
      expect(await rowsOf(db, 'audit_log')).toEqual(await rowsOf(h.db, 'audit_log'));
      expect(await rowsOf(db, 'applications')).toEqual(await rowsOf(h.db, 'applications'));
    } finally {
      await db.destroy();
    }
  });

  it('keeps the 14 newest dumps', () => {
    // Fifteen older dumps, oldest first by modification time.
    for (let i = 0; i < 15; i++) {
      const f = path.join(dir, `${new URL(source.url).pathname.slice(1)}-2020010${String(i).padStart(2, '0')}T000000Z.dump`);
      fs.writeFileSync(f, 'old');
      const t = new Date(Date.UTC(2020, 0, 1 + i));
      fs.utimesSync(f, t, t);
    }
    const r = runBackup(source.url);
    expect(r.status).toBe(0);
    const left = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.dump'))
      .map((f) => ({ f, size: fs.statSync(path.join(dir, f)).size }));
    expect(left).toHaveLength(14);
    // The two real dumps (today's) are kept; the oldest fakes went.
    expect(left.filter((x) => x.size > 3)).toHaveLength(2);
  });
});
