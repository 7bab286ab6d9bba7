/**
 * `npm run restore <file> [--replace]`: restores a dump of the app database
 * (made by the compose `backup` service, deploy/backup.sh: pg_dump, custom
 * format) into DATABASE_URL, in one transaction — on any error nothing is
 * restored. The target must be empty unless --replace is given, which drops
 * what is there first (stop the API and the worker before that). Prints how
 * many applications, tasks, members and audit rows it restored.
 *
 * The audit trail's append-only triggers refuse UPDATE, DELETE and TRUNCATE,
 * none of which a restore does: pg_restore fills tables with COPY before it
 * creates the triggers, and --replace drops tables rather than emptying them.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { ConfigError, loadConfig } from '../runtime/config';
import { ensurePgClient } from '../runtime/pg-client';

const log = (m: string) => console.log(`[restore] ${m}`);

/** The tables whose rows the restore reports (test/deploy/backup-restore.test.ts checks the same). */
const RESTORE_CHECKED_TABLES = ['applications', 'tasks', 'members', 'audit_log'] as const;

async function tableCounts(url: string): Promise<{ tables: number; rows: Record<string, number> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const t = await client.query<{ n: string }>(`select count(*) as n from information_schema.tables where table_schema = 'public'`);
    const rows: Record<string, number> = {};
    const tables = Number(t.rows[0]?.n ?? 0);
    if (tables > 0) {
      for (const name of RESTORE_CHECKED_TABLES) {
        const r = await client.query<{ n: string }>(`select count(*) as n from ${name}`).catch(() => undefined);
        if (r) rows[name] = Number(r.rows[0]?.n ?? 0);
      }
    }
    return { tables, rows };
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const replace = args.includes('--replace');
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) {
    console.error('用法 / usage: npm run restore <dump file> [--replace]   (target: DATABASE_URL)');
    process.exit(2);
  }
  if (!fs.existsSync(file)) {
    console.error(`[restore] 找不到备份文件 / no such file: ${file}`);
    process.exit(2);
  }
  let url: string | undefined;
  try {
    url = loadConfig().DATABASE_URL;
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  if (!url) {
    console.error('[restore] 请设置 DATABASE_URL（要恢复到的数据库）/ set DATABASE_URL to the database to restore into');
    process.exit(2);
  }
  const before = await tableCounts(url);
  if (before.tables > 0 && !replace) {
    console.error(
      `[restore] 目标数据库已有 ${before.tables} 张表；确认覆盖请加 --replace（先停止 API 和 worker） / the target database has ${before.tables} tables; add --replace to drop them and restore (stop the API and the worker first)`,
    );
    process.exit(2);
  }
  const bin = ensurePgClient(log);
  const started = Date.now();
  const r = spawnSync(
    path.join(bin, 'pg_restore'),
    ['--no-owner', '--no-privileges', '--single-transaction', '--exit-on-error', ...(replace ? ['--clean', '--if-exists'] : []), '--dbname', url, file],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (r.status !== 0) {
    console.error(`[restore] pg_restore 失败，未恢复任何数据 / pg_restore failed (exit ${r.status ?? r.signal}); nothing was restored`);
    process.exit(1);
  }
  const after = await tableCounts(url);
  log(
    `已恢复 / restored ${path.basename(file)} in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
      RESTORE_CHECKED_TABLES.map((t) => `${t} ${after.rows[t] ?? 0}`).join(', '),
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
