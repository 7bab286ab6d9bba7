/**
 * The PostgreSQL client programs (pg_dump, pg_restore) that backups and
 * restores run: the machine's own, installed with apt-get (Debian's
 * postgresql-client) where missing, as scripts/install-browser.ts does for
 * Chromium. PG_BIN_DIR names another folder holding them.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

function onPath(program: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() || undefined : undefined;
}

/** The folder holding pg_dump and pg_restore; installs postgresql-client with apt-get when they are missing. */
export function ensurePgClient(log: (m: string) => void = (m) => console.log(`[pg-client] ${m}`)): string {
  const explicit = process.env.PG_BIN_DIR;
  if (explicit) {
    if (!fs.existsSync(path.join(explicit, 'pg_restore'))) throw new Error(`PG_BIN_DIR=${explicit} has no pg_restore`);
    return explicit;
  }
  const found = onPath('pg_restore');
  if (found && onPath('pg_dump')) return path.dirname(found);
  if (!onPath('apt-get')) throw new Error('pg_dump/pg_restore are missing and apt-get is not available: install the PostgreSQL client and set PG_BIN_DIR');
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = root ? [] : ['sudo'];
  log("pg_dump/pg_restore are missing; installing Debian's postgresql-client (once)");
  for (const args of [
    ['apt-get', 'update', '-qq'],
    ['apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'postgresql-client'],
  ]) {
    const [cmd, ...rest] = [...sudo, ...args];
    const r = spawnSync(cmd!, rest, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status !== 0) throw new Error(`${[cmd, ...rest].join(' ')} failed (exit ${r.status ?? r.signal})`);
  }
  const installed = onPath('pg_restore');
  if (!installed) throw new Error('postgresql-client was installed but pg_restore is not on PATH; set PG_BIN_DIR');
  return path.dirname(installed);
}
