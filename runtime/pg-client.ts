/**
 * The PostgreSQL client programs (pg_dump, pg_restore) that backups and
 * restores run: the machine's own, installed with apt-get (Debian's
 * postgresql-client) where missing, as scripts/install-browser.ts does for
 * Chromium. PG_BIN_DIR names another folder holding them.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { aptInstall, hasAptGet } from './apt';

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
  if (!hasAptGet()) throw new Error('pg_dump/pg_restore are missing and apt-get is not available: install the PostgreSQL client and set PG_BIN_DIR');
  log("pg_dump/pg_restore are missing; installing Debian's postgresql-client (once)");
  aptInstall(['postgresql-client'], log);
  const installed = onPath('pg_restore');
  if (!installed) throw new Error('postgresql-client was installed but pg_restore is not on PATH; set PG_BIN_DIR');
  return path.dirname(installed);
}

/**
 * A PostgreSQL server of the same major version as the client programs
 * (Debian's postgresql-<major>, installed with apt-get where missing), in a
 * data folder of its own on `port`: pg_dump refuses a server newer than
 * itself, and the embedded Postgres of the tests is newer than Debian's
 * client. Used by the backup test; stop() shuts it down.
 */
export function startClientMatchedPostgres(
  dataDir: string,
  port: number,
  log: (m: string) => void = (m) => console.log(`[pg-client] ${m}`),
): { url(database: string): string; stop(): Promise<void> } {
  const clientBin = ensurePgClient(log);
  const version = spawnSync(path.join(clientBin, 'pg_dump'), ['--version'], { encoding: 'utf8' }).stdout;
  const major = /\(PostgreSQL\) (\d+)/.exec(version)?.[1];
  if (!major) throw new Error(`cannot read pg_dump's version from "${version.trim()}"`);
  const bin = `/usr/lib/postgresql/${major}/bin`;
  if (!fs.existsSync(path.join(bin, 'initdb'))) {
    log(`installing Debian's postgresql-${major} server binaries (once)`);
    aptInstall([`postgresql-${major}`], log);
  }
  // Postgres refuses to run as root: run it as the postgres user, which owns the data folder.
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const as = (cmd: string, args: string[]) =>
    root ? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8' }) : spawnSync(cmd, args, { encoding: 'utf8' });
  fs.mkdirSync(dataDir, { recursive: true });
  if (root) spawnSync('chown', ['-R', 'postgres:postgres', dataDir]);
  const init = as(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const start = as(path.join(bin, 'pg_ctl'), [
    '-D',
    dataDir,
    '-w',
    '-l',
    path.join(dataDir, 'server.log'),
    '-o',
    `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1`,
    'start',
  ]);
  if (start.status !== 0) throw new Error(`pg_ctl start failed: ${start.stderr}${start.stdout}`);
  return {
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    stop() {
      as(path.join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
      return Promise.resolve();
    },
  };
}
