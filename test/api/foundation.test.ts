import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('health, readiness and metrics', () => {
  it('liveness answers ok and readiness checks the database and Temporal', async () => {
    expect((await h.call('GET', '/healthz')).body).toEqual({ status: 'ok' });
    const ready = await h.call('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ database: 'ok', temporal: 'ok', eventLoop: 'ok' });
  });

  it('metrics are exposed in the Prometheus text format with request durations', async () => {
    await h.call('GET', '/healthz');
    const r = await h.call('GET', '/metrics');
    expect(r.status).toBe(200);
    expect(String(r.body)).toContain('http_request_duration_seconds_bucket');
    expect(String(r.body)).toContain('process_resident_memory_bytes');
  });
});

describe('login with the demo users', () => {
  it('a demo user logs in with demo-password and gets a token naming their org and roles', async () => {
    const r = await h.call('POST', '/api/auth/login', { body: { username: 'city.admin', password: 'demo-password' } });
    expect(r.status).toBe(200);
    expect(r.body.user).toMatchObject({ username: 'city.admin', org: 'pds', roles: ['admin'], orgName: '平顶山市总工会' });
    const payload = JSON.parse(Buffer.from(r.body.token.split('.')[1], 'base64url').toString());
    expect(payload).toMatchObject({ sub: 'city.admin', org: 'pds', roles: ['admin'] });
    expect(payload.exp - payload.iat).toBe(3600);
    expect(JSON.stringify(payload)).not.toContain('password');
    const me = await h.call('GET', '/api/me', { token: r.body.token });
    expect(me.body).toMatchObject({ username: 'city.admin', name: '市总组织部管理员', org: 'pds' });
  });

  it('a wrong password or unknown user gets 401 problem+json without saying which', async () => {
    const wrong = await h.call('POST', '/api/auth/login', { body: { username: 'city.admin', password: 'nope' } });
    const unknown = await h.call('POST', '/api/auth/login', { body: { username: 'nobody', password: 'nope' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.headers.get('content-type')).toContain('application/problem+json');
    expect(wrong.body.detail).toBe(unknown.body.detail);
  });

  it('a login body with missing fields lists each bad field', async () => {
    const r = await h.call('POST', '/api/auth/login', { body: { username: '' } });
    expect(r.status).toBe(400);
    expect(r.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['password', 'username']);
  });

  it('malformed JSON is a 400 problem, not a crash', async () => {
    const r = await h.call('POST', '/api/auth/login', { raw: '{"username":', headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(400);
    expect(r.body.type).toContain('/400');
  });

  it('API routes refuse a missing, forged or expired token with 401', async () => {
    expect((await h.call('GET', '/api/me')).status).toBe(401);
    const forged = await h.call('GET', '/api/me', { token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjaXR5LmFkbWluIn0.bad' });
    expect(forged.status).toBe(401);
    const jwt = await import('jsonwebtoken');
    const { inject } = await import('vitest');
    const expired = jwt.default.sign({ org: 'pds', roles: ['admin'] }, inject('jwtSecret'), { subject: 'city.admin', expiresIn: -10 });
    const r = await h.call('GET', '/api/me', { token: expired });
    expect(r.status).toBe(401);
    expect(r.body.detail).toContain('过期');
  });

  it('passwords are stored as scrypt hashes, never in clear', async () => {
    const rows = await h.db('users').select('password_hash');
    expect(rows.length).toBeGreaterThanOrEqual(20);
    for (const r of rows) {
      expect(r.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
      expect(r.password_hash).not.toContain('demo-password');
    }
  });

  it('an oversize body is refused with 413', async () => {
    const r = await h.call('POST', '/api/auth/login', { body: { username: 'x'.repeat(2_000_000), password: 'y' } });
    expect(r.status).toBe(413);
  });
});
