/**
 * Nobody let in: passwords are hashed with a memory-hard function (scrypt),
 * session tokens expire, are signed, and carry no secrets; login attempts
 * that fail are limited per account and per client address; the audit trail refuses UPDATE,
 * DELETE and TRUNCATE in the database itself.
 */
import crypto from 'node:crypto';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { hashPassword, verifyPassword } from '../../api/passwords';
import { unique } from '../support/factories';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ withWorker: false });
});
afterAll(async () => {
  await h?.close();
});

describe('passwords', () => {
  it('are stored as scrypt hashes costing at least 32 MiB of memory each, salted, never in clear, and verified in constant time', async () => {
    const rows = await h.db('users').select<{ username: string; password_hash: string }[]>('username', 'password_hash');
    const salts = new Set<string>();
    for (const { username, password_hash } of rows) {
      const [scheme, n, r, p, salt, hash] = password_hash.split('$');
      expect(scheme, username).toBe('scrypt');
      // scrypt's memory is 128·N·r bytes: the cost that makes guessing on GPUs and ASICs expensive.
      expect(128 * Number(n) * Number(r), username).toBeGreaterThanOrEqual(32 * 1024 * 1024);
      expect(Number(p)).toBeGreaterThanOrEqual(1);
      expect(Buffer.from(salt!, 'base64').length).toBeGreaterThanOrEqual(16);
      expect(Buffer.from(hash!, 'base64').length).toBeGreaterThanOrEqual(32);
      expect(password_hash).not.toContain('demo-password');
      salts.add(salt!);
    }
    // Every demo user has the same password, yet no two hashes share a salt.
    expect(salts.size).toBe(rows.length);
    const stored = await hashPassword('正确的密码 correct horse');
    expect(await verifyPassword('正确的密码 correct horse', stored)).toBe(true);
    expect(await verifyPassword('正确的密码 correct horsf', stored)).toBe(false);
    expect(await verifyPassword('x', 'md5$abc')).toBe(false);
  });

  it('no answer of the API carries a password hash', async () => {
    const token = await h.login('city.admin');
    for (const path of ['/api/me', '/api/directory?limit=500', '/api/users?pageSize=100', '/api/orgs']) {
      const r = await h.call('GET', path, { token });
      expect(r.status, path).toBe(200);
      expect(JSON.stringify(r.body), path).not.toMatch(/scrypt\$|password/i);
    }
  });
});

describe('session tokens (JWT)', () => {
  it('carry only the username, org and roles, signed HS256, and expire', async () => {
    const r = await h.call('POST', '/api/auth/login', { body: { username: 'xinhua.staff', password: 'demo-password' } });
    expect(r.status).toBe(200);
    const [head, payload] = (r.body.token as string)
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(head).toEqual({ alg: 'HS256', typ: 'JWT' });
    // iat_ms: the issue instant to the millisecond, compared with users.tokens_valid_after (logout, password change).
    expect(Object.keys(payload).sort()).toEqual(['exp', 'iat', 'iat_ms', 'org', 'roles', 'sub']);
    expect(payload).toMatchObject({ sub: 'xinhua.staff', org: 'pds-xinhua', roles: ['staff'] });
    expect(payload.exp - payload.iat).toBe(3600); // the harness's JWT_TTL; the default is 8h
    const text = JSON.stringify(payload);
    expect(text).not.toContain(inject('jwtSecret'));
    expect(text).not.toMatch(/password|scrypt|idNumber|phone/i);
  });

  it('a token that is expired, unsigned (alg none), signed with another key, tampered with, or for a disabled user is refused with 401', async () => {
    const secret = inject('jwtSecret');
    const me = (token: string) => h.call('GET', '/api/me', { token });
    const expired = jwt.sign({ org: 'pds', roles: ['admin'] }, secret, { subject: 'city.admin', expiresIn: -1 });
    expect((await me(expired)).status).toBe(401);
    expect((await me(expired)).body.detail).toContain('expired');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'city.admin', org: 'pds', roles: ['admin'], exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url')}.`;
    expect((await me(none)).status).toBe(401);
    const otherKey = jwt.sign({ org: 'pds', roles: ['admin'] }, crypto.randomBytes(32).toString('hex'), { subject: 'city.admin', expiresIn: '1h' });
    expect((await me(otherKey)).status).toBe(401);
    // A staff member's real token with the payload edited to claim the admin role.
    const real = await h.login('xinhua.staff');
    const [hd, , sig] = real.split('.');
    const forged = `${hd}.${Buffer.from(JSON.stringify({ sub: 'city.admin', org: 'pds', roles: ['admin'], iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url')}.${sig}`;
    expect((await me(forged)).status).toBe(401);
    // Another algorithm than HS256, even with the right key, is not accepted either.
    const rs = jwt.sign({ org: 'pds', roles: ['admin'] }, secret, { subject: 'city.admin', algorithm: 'HS512', expiresIn: '1h' });
    expect((await me(rs)).status).toBe(401);

    // A disabled account's still-valid token stops working (after the short caller cache).
    const username = unique('leaver-');
    await h.db('users').insert({ username, name: '离职人员', org_id: 'pds-xinhua', roles: ['staff'], password_hash: await hashPassword('demo-password') });
    const token = jwt.sign({ org: 'pds-xinhua', roles: ['staff'] }, secret, { subject: username, expiresIn: '1h' });
    await h.db('users').where({ username }).update({ active: false });
    const refused = await me(token);
    expect(refused.status).toBe(401);
    expect(refused.body.detail).toContain('disabled');
    expect((await h.call('POST', '/api/auth/login', { body: { username, password: 'demo-password' } })).status).toBe(401);
  });
});

describe('login rate limit', () => {
  it('after the allowed number of failed attempts from one address, even the right password gets 429 problem+json; other routes are not limited', async () => {
    const limited = await startHarness({ withWorker: false, loginLimit: 3 });
    try {
      for (let i = 0; i < 3; i++) {
        const r = await limited.call('POST', '/api/auth/login', { body: { username: `nobody-${i}`, password: `guess-${i}` } });
        expect(r.status).toBe(401);
      }
      const blocked = await limited.call('POST', '/api/auth/login', { body: { username: 'city.admin', password: 'demo-password' } });
      expect(blocked.status).toBe(429);
      expect(blocked.headers.get('content-type')).toContain('application/problem+json');
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(800);
      expect(blocked.body).toMatchObject({ status: 429, detail: expect.stringContaining('too many failed logins') });
      expect(blocked.body.token).toBeUndefined();
      // A token got elsewhere still works: the limit is on guessing passwords, not on using the API.
      const token = await h.login('city.admin');
      expect((await limited.call('GET', '/api/me', { token })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('the audit trail', () => {
  it('the database itself refuses UPDATE, DELETE and TRUNCATE of audit rows', async () => {
    const key = unique('audit-');
    await h.db('audit_log').insert({ event_key: key, application_id: 'audit-probe', actor: 'tester', action: 'probe' });
    const row = await h.db('audit_log').where({ event_key: key }).first();
    await expect(h.db('audit_log').where({ id: row.id }).update({ actor: 'someone-else' })).rejects.toThrow(/append-only/);
    await expect(h.db('audit_log').where({ id: row.id }).delete()).rejects.toThrow(/append-only/);
    await expect(h.db.raw('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
    // The row is as it was.
    expect(await h.db('audit_log').where({ event_key: key }).first()).toMatchObject({ actor: 'tester', action: 'probe' });
    const triggers = await h.db.raw(`select tgname from pg_trigger where tgrelid = 'audit_log'::regclass and not tgisinternal order by 1`);
    expect(triggers.rows.map((t: { tgname: string }) => t.tgname)).toEqual(['audit_log_no_truncate', 'audit_log_no_update']);
  });
});
