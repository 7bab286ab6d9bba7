/**
 * A lint for workflow code (Temporal replays it, so it must be
 * deterministic): workflows/ and the domain/ modules they import use no Node
 * built-ins, no database, HTTP or runtime code, and no environment; they
 * import activities only as types.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const files = (dir: string) =>
  fs
    .readdirSync(path.join(ROOT, dir), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));

function imports(file: string): { spec: string; typeOnly: boolean }[] {
  const src = fs.readFileSync(path.join(ROOT, file), 'utf8');
  return [...src.matchAll(/^[ \t]*(?:import|export)\s+(?=\S)(type\s+(?=\S))?[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => ({ spec: m[2]!, typeOnly: !!m[1] }));
}

describe('workflow code stays deterministic', () => {
  const workflowFiles = files('workflows');
  const domainFiles = files('domain');

  it('workflows import only the workflow SDK, each other, domain rules, and activity types', () => {
    expect(workflowFiles.length).toBeGreaterThan(5);
    const bad: string[] = [];
    for (const f of workflowFiles) {
      for (const { spec, typeOnly } of imports(f)) {
        const ok =
          spec === '@temporalio/workflow' ||
          spec.startsWith('./') ||
          spec.startsWith('../domain/') ||
          (typeOnly && (spec === '../activities' || spec.startsWith('../activities/')));
        if (!ok) bad.push(`${f}: ${spec}${typeOnly ? ' (type)' : ''}`);
      }
      const src = fs.readFileSync(path.join(ROOT, f), 'utf8');
      if (/process\.env|Math\.random\(|setTimeout\(|new Date\(\)\.getTime|require\(/.test(src.replace(/\/\/.*|\/\*[\s\S]*?\*\//g, '')))
        bad.push(`${f}: uses the environment, Math.random, setTimeout or require`);
    }
    expect(bad).toEqual([]);
  });

  it('the domain modules workflows import use no Node built-ins, I/O or environment', () => {
    // The domain modules workflow code reaches, following value imports from workflows/ through domain/.
    const reached = new Set<string>();
    const visit = (file: string) => {
      for (const { spec, typeOnly } of imports(file)) {
        if (typeOnly || !spec.startsWith('.')) continue;
        const target = path.normalize(path.join(path.dirname(file), `${spec}.ts`));
        if (!target.startsWith(`domain${path.sep}`) || reached.has(target)) continue;
        reached.add(target);
        visit(target);
      }
    };
    for (const f of workflowFiles) visit(f);
    expect(reached.size).toBeGreaterThan(3);
    expect([...reached].every((f) => domainFiles.includes(f))).toBe(true);
    const bad: string[] = [];
    for (const f of reached) {
      for (const { spec } of imports(f)) if (!spec.startsWith('./')) bad.push(`${f}: ${spec}`);
      if (/process\.env|Date\.now\(\)/.test(fs.readFileSync(path.join(ROOT, f), 'utf8'))) bad.push(`${f}: reads the clock or environment`);
    }
    expect(bad).toEqual([]);
  });
});
