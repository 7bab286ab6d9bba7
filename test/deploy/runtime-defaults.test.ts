/**
 * The safe defaults of a process started by hand: the API listens on this
 * machine only unless HOST says otherwise, the demo users (whose password is
 * public) never reach a production database, and every Postgres pool cancels
 * statements past its timeout.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { allowLongStatements, createDb, DEFAULT_STATEMENT_TIMEOUT_MS, type Db } from '../../db/knex';
import { ConfigError, loadConfig } from '../../runtime/config';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PRODUCTION = {
  NODE_ENV: 'production',
  JWT_SECRET: 'j'.repeat(40),
  PII_KEYS: `k1:${Buffer.alloc(32, 3).toString('base64')}`,
  PII_HASH_KEY: Buffer.alloc(32, 4).toString('base64'),
};

describe('bind address and demo users', () => {
  it('binds 127.0.0.1 unless HOST is set', () => {
    expect(loadConfig({}).HOST).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0' }).HOST).toBe('0.0.0.0');
  });

  it('refuses SEED_DEMO=true with NODE_ENV=production, naming the variable and why, in Chinese and English', () => {
    expect(() => loadConfig({ ...PRODUCTION, SEED_DEMO: 'true' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...PRODUCTION, SEED_DEMO: 'true' })).toThrow(/SEED_DEMO: 生产环境.*demo-password.*refused when NODE_ENV=production/);
    expect(loadConfig({ ...PRODUCTION, SEED_DEMO: 'false' }).SEED_DEMO).toBe(false);
    expect(loadConfig({ SEED_DEMO: 'true' }).SEED_DEMO).toBe(true);
  });

  it('npm start with NODE_ENV=production and SEED_DEMO=true stops before starting anything, with the message', () => {
    const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
    const r = spawnSync(tsx, ['scripts/start.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...PRODUCTION, SEED_DEMO: 'true', DATA_DIR: path.join(ROOT, 'test-output', 'start-refused') },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('SEED_DEMO');
    expect(r.stderr).toContain('demo-password');
    expect(r.stdout).not.toContain('starting embedded Postgres');
  });
});

describe('statement_timeout on every pool', () => {
  const pools: Db[] = [];
  const pool = (opts: Parameters<typeof createDb>[1]) => {
    const db = createDb(inject('databaseUrl'), opts);
    pools.push(db);
    return db;
  };
  afterAll(async () => {
    await Promise.all(pools.map((db) => db.destroy()));
  });

  it('gives each connection the default statement_timeout', async () => {
    const db = pool({});
    const r = await db.raw(`select current_setting('statement_timeout') as t`);
    expect(r.rows[0].t).toBe(`${DEFAULT_STATEMENT_TIMEOUT_MS / 1000}s`);
  });

  it('cancels a statement past the configured timeout (57014) and frees the connection for the next query', async () => {
    const db = pool({ poolMax: 1, statementTimeoutMs: 300, longStatementTimeoutMs: 2_000 });
    await expect(db.raw('select pg_sleep(5)')).rejects.toMatchObject({ code: '57014' });
    const r = await db.raw('select 1 as one');
    expect(r.rows[0].one).toBe(1);
  });

  it('lets an import or bulletin transaction run to the long timeout, and only that transaction', async () => {
    const db = pool({ poolMax: 1, statementTimeoutMs: 300, longStatementTimeoutMs: 4_000 });
    const inside = await db.transaction(async (trx) => {
      await allowLongStatements(db, trx);
      await trx.raw('select pg_sleep(0.6)');
      return (await trx.raw(`select current_setting('statement_timeout') as t`)).rows[0].t as string;
    });
    expect(inside).toBe('4s');
    const after = await db.raw(`select current_setting('statement_timeout') as t`);
    expect(after.rows[0].t).toBe('300ms');
  });
});
