/**
 * Behind a TLS proxy: TRUST_PROXY decides whose X-Forwarded-For names the
 * client (the per-address limits count the real client, not the proxy), and
 * PUBLIC_BASE_URL is what the printed join posters encode — not the internal
 * host and plain http the request came in on.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startApi, type RunningApi } from '../../api/server';
import { ConfigError, loadConfig } from '../../runtime/config';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;
let behindProxy: RunningApi;
let noProxy: RunningApi;
const base = (over: Record<string, unknown>) => ({
  db: h.db,
  temporal: h.temporal,
  taskQueue: h.taskQueue,
  jwtSecret: inject('jwtSecret'),
  jwtTtl: '1h',
  pii: h.pii,
  publicJoin: true,
  loginLimit: 2,
  ...over,
});
beforeAll(async () => {
  h = await startHarness({ withWorker: false });
  const scope = `proxy-${h.taskQueue}`;
  [behindProxy, noProxy] = await Promise.all([
    startApi(base({ trustProxy: 1, publicBaseUrl: 'https://union.example.org/', limitScope: `${scope}-a` }), 0),
    startApi(base({ trustProxy: false, limitScope: `${scope}-b` }), 0),
  ]);
});
afterAll(async () => {
  await Promise.all([behindProxy?.close(), noProxy?.close()]);
  await h?.close();
});

const login = (api: RunningApi, forwardedFor: string, password = 'wrong') =>
  fetch(`${api.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify({ username: 'nobody', password }),
  }).then((r) => r.status);

describe('TRUST_PROXY', () => {
  it('with one trusted proxy, failed logins count per forwarded client: one client is limited, the next is not', async () => {
    expect([await login(behindProxy, '198.51.100.7'), await login(behindProxy, '198.51.100.7'), await login(behindProxy, '198.51.100.7')]).toEqual([
      401, 401, 429,
    ]);
    expect(await login(behindProxy, '198.51.100.8')).toBe(401);
  });

  it('without a trusted proxy a forged X-Forwarded-For changes nothing: the connection address is counted', async () => {
    expect([await login(noProxy, '203.0.113.1'), await login(noProxy, '203.0.113.2'), await login(noProxy, '203.0.113.3')]).toEqual([401, 401, 429]);
  });

  it('is validated at start: a hop count, false, or addresses and CIDR ranges; anything else names the variable', () => {
    expect(loadConfig({}).TRUST_PROXY).toBe('loopback');
    expect(loadConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8, fd00::/8' }).TRUST_PROXY).toBe('loopback, 10.0.0.0/8, fd00::/8');
    for (const bad of ['everyone', '10.0.0.0/40', 'true']) expect(() => loadConfig({ TRUST_PROXY: bad }), bad).toThrow(/TRUST_PROXY/);
    expect(() => loadConfig({ PUBLIC_BASE_URL: 'union.example.org' })).toThrow(ConfigError);
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://union.example.org' }).PUBLIC_BASE_URL).toBe('https://union.example.org');
  });
});

describe('PUBLIC_BASE_URL', () => {
  it('the join poster encodes the public https address, not the internal host the request used', async () => {
    const token = await h.login('xinhua.staff');
    const r = await fetch(`${behindProxy.url}/api/orgs/pds-xinhua-express/join-poster.svg`, { headers: { authorization: `Bearer ${token}` } });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-join-url')).toBe('https://union.example.org/join?union=pds-xinhua-express');
    const local = await fetch(`${noProxy.url}/api/orgs/pds-xinhua-express/join-poster.svg`, { headers: { authorization: `Bearer ${token}` } });
    expect(local.headers.get('x-join-url')).toBe(`${noProxy.url}/join?union=pds-xinhua-express`);
  });
});
