/**
 * The production image, checked as far as a machine without a Docker engine
 * allows: a lint of the Dockerfile (stage by stage, the rules that matter
 * here — hadolint is not available), and the dependency split the final stage
 * relies on: everything the server imports at run time is a production
 * dependency, so `npm ci --omit=dev` gives it all it needs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}
interface Stage {
  name: string;
  base: string;
  instructions: Instruction[];
}

/** The Dockerfile as stages of instructions (continuation lines joined, comments dropped). */
function stages(): { args: Map<string, string>; stages: Stage[] } {
  const lines = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8').split(/\r?\n/);
  const instructions: Instruction[] = [];
  let pending: Instruction | undefined;
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) return;
    if (pending) {
      if (line.startsWith('#')) return;
      pending.args += ` ${line.replace(/\\$/, '').trim()}`;
    } else {
      const sp = line.search(/\s/);
      pending = {
        keyword: line.slice(0, sp).toUpperCase(),
        args: line
          .slice(sp + 1)
          .replace(/\\$/, '')
          .trim(),
        line: i + 1,
      };
    }
    if (!line.endsWith('\\')) {
      instructions.push(pending);
      pending = undefined;
    }
  });
  const args = new Map<string, string>();
  const out: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'ARG' && out.length === 0) {
      const [name = '', value = ''] = ins.args.split('=', 2);
      args.set(name.trim(), value.trim());
    } else if (ins.keyword === 'FROM') {
      const [image = '', as, name] = ins.args.split(/\s+/);
      const base = image.replace(/^\$\{?(\w+)\}?$/, (_m, v: string) => args.get(v) ?? v);
      out.push({ name: as?.toUpperCase() === 'AS' && name ? name : String(out.length), base, instructions: [] });
    } else {
      out.at(-1)?.instructions.push(ins);
    }
  }
  return { args, stages: out };
}

const runs = (s: Stage) => s.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
const final = () => stages().stages.at(-1)!;

describe('Dockerfile lint', () => {
  it('pins every base image to a version (no :latest, no untagged image) and names every stage it copies from', () => {
    const { stages: all } = stages();
    const names = new Set(all.map((s) => s.name));
    for (const s of all) {
      if (names.has(s.base)) continue; // FROM an earlier stage
      expect(s.base, `stage ${s.name}`).toMatch(/^[\w./-]+:[\w.-]+$/);
      expect(s.base.endsWith(':latest'), `stage ${s.name}`).toBe(false);
      for (const copy of s.instructions.filter((i) => i.keyword === 'COPY' && i.args.includes('--from='))) {
        const from = /--from=(\S+)/.exec(copy.args)?.[1] ?? '';
        expect(names.has(from), `line ${copy.line}: COPY --from=${from} names a stage`).toBe(true);
      }
    }
  });

  it('uses COPY, absolute WORKDIRs, the exec form for CMD and HEALTHCHECK, and no sudo', () => {
    for (const s of stages().stages) {
      for (const i of s.instructions) {
        expect(i.keyword, `line ${i.line}`).not.toBe('ADD');
        if (i.keyword === 'WORKDIR') expect(i.args, `line ${i.line}`).toMatch(/^\//);
        if (i.keyword === 'RUN') expect(i.args, `line ${i.line}`).not.toMatch(/\bsudo\b/);
        if (i.keyword === 'CMD') expect(() => JSON.parse(i.args) as unknown, `line ${i.line}`).not.toThrow();
      }
    }
  });

  it('copies only files that exist in the build context and are not excluded by .dockerignore', () => {
    const ignored = fs
      .readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const s of stages().stages) {
      for (const copy of s.instructions.filter((i) => i.keyword === 'COPY' && !i.args.includes('--from='))) {
        const sources = copy.args.split(/\s+/).slice(0, -1);
        for (const src of sources) {
          if (src === '.') continue;
          expect(fs.existsSync(path.join(ROOT, src)), `line ${copy.line}: ${src} exists`).toBe(true);
          expect(ignored, `line ${copy.line}: ${src} is not in .dockerignore`).not.toContain(src);
        }
      }
    }
  });

  it('installs with npm ci from the lock file, never npm install (except the pinned npm itself)', () => {
    const all = stages().stages.flatMap(runs);
    expect(all.some((r) => /\bnpm ci\b/.test(r))).toBe(true);
    for (const r of all) {
      if (/\bnpm install\b/.test(r)) expect(r).toMatch(/npm install --global "?npm@/);
    }
  });
});

describe('the image: web build, production dependencies only, non-root, health-checked', () => {
  it('builds the web bundle in a stage that has every dependency, and the final stage takes the source with the bundle from it', () => {
    const { stages: all } = stages();
    const build = all.find((s) => runs(s).some((r) => /\bnpm run build:web\b/.test(r)));
    expect(build, 'a stage runs npm run build:web').toBeDefined();
    // The build stage descends from a stage that ran the full `npm ci` (vite, typescript).
    const lineage = (s: Stage): Stage[] => {
      const parent = all.find((p) => p.name === s.base);
      return parent ? [s, ...lineage(parent)] : [s];
    };
    const fullInstall = lineage(build!).some((s) => runs(s).some((r) => /\bnpm ci\b(?!.*--omit=dev)/.test(r)));
    expect(fullInstall, 'the web build sees the dev dependencies').toBe(true);
    const copiesFromBuild = final().instructions.some((i) => i.keyword === 'COPY' && i.args.includes(`--from=${build!.name}`));
    expect(copiesFromBuild).toBe(true);
    // The build stage drops its node_modules before the final stage copies its /app.
    expect(runs(build!).some((r) => /rm -rf node_modules/.test(r))).toBe(true);
  });

  it('takes node_modules only from a stage that ran npm ci --omit=dev, and installs nothing itself', () => {
    const { stages: all } = stages();
    const last = final();
    const moduleCopies = last.instructions.filter((i) => i.keyword === 'COPY' && /node_modules/.test(i.args));
    expect(moduleCopies).toHaveLength(1);
    const from = /--from=(\S+)/.exec(moduleCopies[0]!.args)?.[1];
    const source = all.find((s) => s.name === from);
    expect(runs(source!).some((r) => /\bnpm ci --omit=dev\b/.test(r))).toBe(true);
    expect(runs(last).some((r) => /\bnpm (?:ci|install|i)\b/.test(r))).toBe(false);
    expect(last.base).toBe(stages().args.get('NODE_IMAGE'));
  });

  it('runs as the unprivileged node user, in production mode, listening on the container interface', () => {
    const last = final();
    const user = last.instructions
      .filter((i) => i.keyword === 'USER')
      .at(-1)
      ?.args.split(':')[0];
    expect(user).toBe('node');
    const env = last.instructions
      .filter((i) => i.keyword === 'ENV')
      .map((i) => i.args)
      .join(' ');
    expect(env).toMatch(/\bNODE_ENV=production\b/);
    expect(env).toMatch(/\bHOST=0\.0\.0\.0\b/);
    // Nothing runs as root after the switch.
    const userAt = last.instructions.findIndex((i) => i.keyword === 'USER');
    expect(last.instructions.slice(userAt).filter((i) => i.keyword === 'RUN')).toEqual([]);
  });

  it('has a HEALTHCHECK that asks /readyz with node (the slim image has no curl)', () => {
    const hc = final().instructions.find((i) => i.keyword === 'HEALTHCHECK');
    expect(hc).toBeDefined();
    expect(hc!.args).toMatch(/--interval=\d+s/);
    const cmd = hc!.args.slice(hc!.args.indexOf('CMD ') + 4);
    const argv = JSON.parse(cmd) as string[];
    expect(argv[0]).toBe('node');
    expect(argv.join(' ')).toContain('/readyz');
  });
});

describe('the production dependencies cover what the server imports', () => {
  /** Bare package names imported (not `import type`) by the code the image runs. */
  function runtimeImports(): Map<string, string> {
    const found = new Map<string, string>();
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
        const rel = path.join(dir, e.name);
        if (e.isDirectory()) walk(rel);
        else if (/\.(?:ts|mjs)$/.test(e.name) && !e.name.endsWith('.d.ts')) files.push(rel);
      }
    };
    for (const dir of ['api', 'runtime', 'db', 'domain', 'activities', 'workflows']) walk(dir);
    files.push('scripts/migrate.ts', 'scripts/seed-demo.ts', 'scripts/restore.ts');
    for (const file of files) {
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
      for (const m of text.matchAll(/^import (?!type\b)[^'"]*?from '([^'.][^']*)'|\bimport\('([^'.][^']*)'\)/gm)) {
        const spec = m[1] ?? m[2] ?? '';
        if (spec.startsWith('node:')) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        if (!found.has(name)) found.set(name, file);
      }
    }
    return found;
  }

  it('lists every package imported by api/, runtime/, db/, domain/, activities/, workflows/ and the operator scripts under dependencies', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const imports = runtimeImports();
    expect(imports.size).toBeGreaterThan(5);
    const notProduction = [...imports].filter(([name]) => !(name in pkg.dependencies)).map(([name, file]) => `${name} (${file})`);
    expect(notProduction).toEqual([]);
    expect(pkg.dependencies).toHaveProperty('tsx'); // the image runs TypeScript through it
  });
});
