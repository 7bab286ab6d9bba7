import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ withWorker: false });
});
afterAll(async () => {
  await h?.close();
});

/** Every (method, path) the Express app serves, with :params written {params}. */
function servedRoutes(app: ReturnType<typeof createApp>): string[] {
  const out: string[] = [];
  const walk = (stack: any[]) => {
    for (const layer of stack) {
      if (layer.route?.path && typeof layer.route.path === 'string') {
        for (const m of Object.keys(layer.route.methods)) out.push(`${m} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as any).router.stack);
  return [...new Set(out)];
}

describe('the OpenAPI document', () => {
  it('is served without a token as OpenAPI 3.1 with request schemas from the validators', async () => {
    const r = await h.call('GET', '/api/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe('3.1.0');
    const launch = r.body.paths['/api/campaigns'].post.requestBody.content['application/json'].schema;
    expect(launch.required).toEqual(expect.arrayContaining(['name', 'year', 'cityOrg', 'regions', 'groups', 'targets', 'phases']));
    const actions = r.body.paths['/api/tasks/{id}/actions'].post.requestBody.content['application/json'].schema;
    expect(actions.properties.action.enum).toEqual(expect.arrayContaining(['approve', 'reject', 'return', 'transfer', 'addSigner', 'comment']));
  });

  it('lists every route the server serves, and nothing it does not', async () => {
    const doc = (await h.call('GET', '/api/openapi.json')).body;
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`));
    const app = createApp({ db: h.db, temporal: h.temporal, taskQueue: h.taskQueue, jwtSecret: 'x'.repeat(32), jwtTtl: '1h', pii: h.pii, publicJoin: true });
    const served = servedRoutes(app).filter((r) => r.includes(' /api') || /\/(?:healthz|readyz|metrics)$/.test(r));
    expect(served.length).toBeGreaterThan(25);
    expect(served.filter((r) => !documented.includes(r))).toEqual([]);
    expect(documented.filter((r) => !served.includes(r))).toEqual([]);
  });
});
