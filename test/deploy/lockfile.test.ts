/**
 * `npm ci` on a fresh clone — the Dockerfile's first step — must accept the
 * lock file. Checked without the network: `npm ci --dry-run --offline` builds
 * the install plan from package.json and package-lock.json alone and refuses
 * when they are out of step (issue 12: "Missing: @swc/core-darwin-arm64@1.16.22
 * from lock file", the optional platform packages npm skipped on this machine).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}
interface Lock {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
}
interface PackageJson {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, 'utf8')) as T;
const scratchDirs: string[] = [];
afterAll(() => scratchDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** `npm ci --dry-run --offline` on a copy of the two files, with an empty cache: what a fresh clone's `npm ci` decides first. */
function npmCiDryRun(pkg: PackageJson, lock: Lock): { status: number | null; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lock-check-'));
  scratchDirs.push(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  fs.writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2));
  const r = spawnSync('npm', ['ci', '--dry-run', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: dir, npm_config_cache: path.join(dir, 'cache'), NPM_CONFIG_UPDATE_NOTIFIER: 'false' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

/** Where npm would find `name` for the package installed at `at`: its own node_modules, then each ancestor's. */
function resolvesTo(lock: Lock, at: string, name: string): boolean {
  let base = at;
  for (;;) {
    if (lock.packages[`${base ? `${base}/` : ''}node_modules/${name}`]) return true;
    if (!base) return false;
    const i = base.lastIndexOf('/node_modules/');
    base = i < 0 ? '' : base.slice(0, i);
  }
}

describe('package-lock.json', () => {
  const pkg = readJson<PackageJson>(path.join(ROOT, 'package.json'));
  const lock = readJson<Lock>(path.join(ROOT, 'package-lock.json'));

  it('records exactly the dependency ranges of package.json at its root', () => {
    const root = lock.packages[''] ?? {};
    expect(root.dependencies ?? {}).toEqual(pkg.dependencies ?? {});
    expect(root.devDependencies ?? {}).toEqual(pkg.devDependencies ?? {});
    expect(root.optionalDependencies ?? {}).toEqual(pkg.optionalDependencies ?? {});
  });

  it("records every package's optional dependencies, the other platforms' too (all twelve of @swc/core's)", () => {
    const missing = Object.entries(lock.packages).flatMap(([at, entry]) =>
      Object.keys(entry.optionalDependencies ?? {})
        .filter((name) => !resolvesTo(lock, at, name))
        .map((name) => `${at || '(root)'} → ${name}`),
    );
    expect(missing).toEqual([]);
    const swc = lock.packages['node_modules/@swc/core'];
    expect(Object.keys(swc?.optionalDependencies ?? {})).toHaveLength(12);
  });

  it('is accepted by `npm ci` (dry run, offline, empty cache)', () => {
    const r = npmCiDryRun(pkg, lock);
    expect(r.output).not.toContain('npm error');
    expect(r.status).toBe(0);
  });

  it("is refused by the same check when @swc/core's platform packages are missing, as in issue 12", () => {
    const broken: Lock = {
      ...lock,
      packages: Object.fromEntries(Object.entries(lock.packages).filter(([k]) => !k.startsWith('node_modules/@swc/core-darwin'))),
    };
    const r = npmCiDryRun(pkg, broken);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('Missing: @swc/core-darwin-arm64@');
  });
});
