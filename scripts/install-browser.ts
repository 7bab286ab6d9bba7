/**
 * Makes sure the end-to-end tests have a browser: Debian's Chromium (and CJK
 * fonts, so screenshots are readable), installed with apt-get when missing.
 * `npm test` runs this first; CHROMIUM_PATH names another Chromium.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

function run(cmd: string, args: string[]): void {
  console.log(`[browser] ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
}

function main(): void {
  if (fs.existsSync(chromium)) {
    console.log(`[browser] Chromium: ${chromium}`);
    return;
  }
  if (process.env.CHROMIUM_PATH) throw new Error(`CHROMIUM_PATH=${chromium} does not exist`);
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (!hasApt) throw new Error('Chromium is missing and apt-get is not available: install Chromium and set CHROMIUM_PATH');
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = root ? [] : ['sudo'];
  console.log("[browser] Chromium is missing; installing Debian's chromium and fonts-noto-cjk (once, about a minute)");
  const [cmd, ...pre] = [...sudo, 'apt-get'];
  run(cmd, [...pre, 'update', '-qq']);
  run(cmd, [...pre, 'install', '-y', '-qq', '--no-install-recommends', 'chromium', 'fonts-noto-cjk']);
  if (!fs.existsSync(chromium)) throw new Error(`apt-get installed chromium but ${chromium} is not there; set CHROMIUM_PATH`);
  console.log(`[browser] Chromium: ${chromium}`);
}

try {
  main();
} catch (err) {
  console.error(`[browser] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
