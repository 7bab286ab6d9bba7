/**
 * Makes sure the end-to-end tests have a browser: Debian's Chromium (and CJK
 * fonts, so screenshots are readable), installed with apt-get when missing.
 * `npm test` runs this first; CHROMIUM_PATH names another Chromium.
 */
import fs from 'node:fs';
import { aptInstall, hasAptGet } from '../runtime/apt';

const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const log = (msg: string) => console.log(`[browser] ${msg}`);

function main(): void {
  if (fs.existsSync(chromium)) {
    log(`Chromium: ${chromium}`);
    return;
  }
  if (process.env.CHROMIUM_PATH) throw new Error(`CHROMIUM_PATH=${chromium} does not exist`);
  if (!hasAptGet()) throw new Error('Chromium is missing and apt-get is not available: install Chromium and set CHROMIUM_PATH');
  log("Chromium is missing; installing Debian's chromium and fonts-noto-cjk (once, about a minute)");
  aptInstall(['chromium', 'fonts-noto-cjk'], log);
  if (!fs.existsSync(chromium)) throw new Error(`apt-get installed chromium but ${chromium} is not there; set CHROMIUM_PATH`);
  log(`Chromium: ${chromium}`);
}

try {
  main();
} catch (err) {
  console.error(`[browser] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
