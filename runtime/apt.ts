/**
 * Installing Debian packages the project needs on a fresh machine (the test browser, the print font, the PostgreSQL
 * client and server programs of the backup test), with apt-get — through sudo unless this runs as root. Used by
 * scripts/install-browser.ts, scripts/start.ts and runtime/pg-client.ts.
 */
import { spawnSync } from 'node:child_process';

/** Whether apt-get is on this machine's PATH. */
export function hasAptGet(): boolean {
  return spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
}

/** `apt-get update` and `apt-get install` of the packages; throws with the failing command and its exit. */
export function aptInstall(packages: string[], log: (msg: string) => void): void {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const [cmd, ...pre] = root ? ['apt-get'] : ['sudo', 'apt-get'];
  const run = (args: string[]) => {
    log(`${cmd} ${args.join(' ')}`);
    const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
  };
  run([...pre, 'update', '-qq']);
  run([...pre, 'install', '-y', '-qq', '--no-install-recommends', ...packages]);
}
