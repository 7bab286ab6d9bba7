/**
 * Sessions that end (logout, password change, per-user revocation checked on
 * every request, in every API process) and login limits that fit an office:
 * failures only, per account with a back-off and per address, shared in
 * Postgres by every API process.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../api/passwords';
import { upsertUser } from '../../db/user-repository';
import { unique } from '../support/factories';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;
/** A second API process on the same database (and the same limit counters as `h`). */
let h2: Harness;
const scope = `sessions-${crypto.randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  [h, h2] = await Promise.all([
    startHarness({ withWorker: false, limitScope: scope, loginLimit: 10, loginFreeFailures: 5 }),
    startHarness({ withWorker: false, limitScope: scope, loginLimit: 10, loginFreeFailures: 5 }),
  ]);
});
afterAll(async () => {
  await Promise.all([h?.close(), h2?.close()]);
});

const PASSWORD = 'Start-Pass-2026';

/** A user of 新华区总工会 with a known password (the demo users' passwords stay untouched). */
async function buildUser(overrides: { mustChangePassword?: boolean; password?: string } = {}): Promise<string> {
  const username = unique('user.').toLowerCase();
  await upsertUser(h.db, {
    username,
    name: '测试干事',
    orgId: 'pds-xinhua',
    roles: ['staff'],
    passwordHash: await hashPassword(overrides.password ?? PASSWORD),
  });
  if (overrides.mustChangePassword) await h.db('users').where({ username }).update({ must_change_password: true });
  return username;
}

/** A client behind its own address (the harness's API trusts its loopback proxy's X-Forwarded-For). */
const from = (address: string) => ({ 'x-forwarded-for': address });
let nextAddress = 1;
const freshAddress = () => `10.77.${Math.floor(nextAddress / 250)}.${(nextAddress++ % 250) + 1}`;

async function login(api: Harness, username: string, password: string, address = freshAddress()) {
  return api.call('POST', '/api/auth/login', { body: { username, password }, headers: from(address) });
}

describe('logout and password change', () => {
  it('after logout the token is refused at once, in this API process and in another one', async () => {
    const username = await buildUser();
    const r = await login(h, username, PASSWORD);
    expect(r.status).toBe(200);
    expect(r.body.mustChangePassword).toBe(false);
    const token = r.body.token as string;
    expect((await h.call('GET', '/api/me', { token })).status).toBe(200);
    expect((await h2.call('GET', '/api/me', { token })).status).toBe(200);

    const out = await h.call('POST', '/api/auth/logout', { token });
    expect(out.status).toBe(204);
    for (const api of [h, h2]) {
      const refused = await api.call('GET', '/api/me', { token });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.body.detail).toContain('sign in again');
    }
    // Signing in again gives a working token.
    const again = await login(h, username, PASSWORD);
    expect((await h2.call('GET', '/api/me', { token: again.body.token })).status).toBe(200);
  });

  it('a password change refuses a wrong current password and a weak new one (400 naming the field), and changes nothing then', async () => {
    const username = await buildUser();
    const token = (await login(h, username, PASSWORD)).body.token as string;
    const before = await h.db('users').where({ username }).first('password_hash', 'tokens_valid_after');

    const wrong = await h.call('POST', '/api/auth/password', { token, body: { currentPassword: 'not-it-at-all', newPassword: 'Another-Pass-99' } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors).toEqual([{ path: 'currentPassword', message: expect.stringContaining('wrong password') }]);

    const weak = await h.call('POST', '/api/auth/password', { token, body: { currentPassword: PASSWORD, newPassword: 'short' } });
    expect(weak.status).toBe(400);
    expect(weak.body.errors.map((e: { path: string }) => e.path)).toEqual(['newPassword', 'newPassword']);

    for (const newPassword of ['demo-password', `${username}-2026!`, PASSWORD, 'abcdefghijklmn']) {
      const refused = await h.call('POST', '/api/auth/password', { token, body: { currentPassword: PASSWORD, newPassword } });
      expect(refused.status, newPassword).toBe(400);
      expect(refused.body.errors[0].path).toBe('newPassword');
    }
    const missing = await h.call('POST', '/api/auth/password', { token, body: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['currentPassword', 'newPassword']);

    expect(await h.db('users').where({ username }).first('password_hash', 'tokens_valid_after')).toEqual(before);
    expect((await h.call('GET', '/api/me', { token })).status).toBe(200);
  });

  it("a password change ends all of the user's other tokens at once and answers with a fresh one; the new password signs in", async () => {
    const username = await buildUser();
    const first = (await login(h, username, PASSWORD)).body.token as string;
    const second = (await login(h2, username, PASSWORD)).body.token as string;
    const changed = await h.call('POST', '/api/auth/password', { token: first, body: { currentPassword: PASSWORD, newPassword: '新的密码 New-2026' } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ user: { username }, mustChangePassword: false, token: expect.any(String) });
    for (const api of [h, h2]) {
      expect((await api.call('GET', '/api/me', { token: first })).status).toBe(401);
      expect((await api.call('GET', '/api/me', { token: second })).status).toBe(401);
      expect((await api.call('GET', '/api/me', { token: changed.body.token })).status).toBe(200);
    }
    expect((await login(h, username, PASSWORD)).status).toBe(401);
    expect((await login(h, username, '新的密码 New-2026')).status).toBe(200);
  });
});

describe('a password that must be changed', () => {
  it('a user given an initial password is told so at login, and every other route answers 403 until they change it', async () => {
    const username = await buildUser({ mustChangePassword: true });
    const r = await login(h, username, PASSWORD);
    expect(r.status).toBe(200);
    expect(r.body.mustChangePassword).toBe(true);
    const token = r.body.token as string;
    for (const [method, path, body] of [
      ['GET', '/api/me', undefined],
      ['GET', '/api/tasks', undefined],
      ['GET', '/api/campaigns', undefined],
      ['POST', '/api/applications', { type: 'subsidy', title: '补助', amount: 1, reason: '原因' }],
    ] as const) {
      const refused = await h.call(method, path, { token, body });
      expect(refused.status, path).toBe(403);
      expect(refused.body.detail, path).toContain('change your password first');
    }
    expect(await h.db('applications').where({ applicant: username }).count({ n: '*' }).first()).toEqual({ n: '0' });

    const changed = await h.call('POST', '/api/auth/password', { token, body: { currentPassword: PASSWORD, newPassword: 'My-Own-Pass-1' } });
    expect(changed.status).toBe(200);
    expect((await h.db('users').where({ username }).first('must_change_password')).must_change_password).toBe(false);
    expect((await h.call('GET', '/api/tasks', { token: changed.body.token })).status).toBe(200);
    expect((await login(h, username, 'My-Own-Pass-1')).body.mustChangePassword).toBe(false);
  });

  it('in production a user still on the published demo password must change it on first login; outside production not', async () => {
    const username = await buildUser({ password: 'demo-password' });
    const dev = await login(h, username, 'demo-password');
    expect(dev.body.mustChangePassword).toBe(false);
    const prod = await startHarness({ withWorker: false, production: true });
    try {
      const r = await login(prod, username, 'demo-password');
      expect(r.status).toBe(200);
      expect(r.body.mustChangePassword).toBe(true);
      // The flag is stored: every API process (production or not) now holds the user to it.
      expect((await h.call('GET', '/api/tasks', { token: dev.body.token })).status).toBe(403);
      expect((await prod.call('GET', '/api/tasks', { token: r.body.token })).status).toBe(403);
      const changed = await prod.call('POST', '/api/auth/password', {
        token: r.body.token,
        body: { currentPassword: 'demo-password', newPassword: 'Chosen-Pass-7' },
      });
      expect(changed.status).toBe(200);
      expect((await prod.call('GET', '/api/tasks', { token: changed.body.token })).status).toBe(200);
    } finally {
      await prod.close();
    }
  });
});

describe('login limits', () => {
  it('twenty colleagues behind one office address sign in one after another and none is refused', async () => {
    const office = freshAddress();
    const users = [];
    for (let i = 0; i < 20; i++) users.push(await buildUser());
    // Each signs in twice (a second browser) and one mistypes once first: still far from any limit.
    const statuses = [];
    statuses.push((await login(h, users[0]!, 'typo-password', office)).status);
    for (const u of [...users, ...users]) statuses.push((await login(h, u, PASSWORD, office)).status);
    expect(statuses).toEqual([401, ...Array<number>(40).fill(200)]);
  });

  it('wrong guesses at one account: five are answered 401, then the account is refused with 429 and Retry-After, even with the right password, from any address', async () => {
    const username = await buildUser();
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await login(h, username, `guess-${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    const blocked = await login(h, username, PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(blocked.headers.get('retry-after'))).toBeLessThanOrEqual(30);
    expect(blocked.body.token).toBeUndefined();
    // The other API process shares the counter.
    expect((await login(h2, username, PASSWORD)).status).toBe(429);
    // Other accounts are not affected.
    expect((await login(h, await buildUser(), PASSWORD)).status).toBe(200);
  });

  it('the back-off doubles with each further failure and a successful login clears the count', async () => {
    const username = await buildUser();
    for (let i = 0; i < 5; i++) await login(h, username, `guess-${i}`);
    // Let the 30 s block pass without waiting: expire it in the shared store.
    await h
      .db('rate_limits')
      .where('key', `${scope}:login-block-account:${username}`)
      .update({ expire: Date.now() - 1 });
    expect((await login(h, username, 'guess-6')).status).toBe(401);
    const second = await login(h, username, PASSWORD);
    expect(second.status).toBe(429);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(30);
    expect(Number(second.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    await h
      .db('rate_limits')
      .where('key', `${scope}:login-block-account:${username}`)
      .update({ expire: Date.now() - 1 });
    expect((await login(h, username, PASSWORD)).status).toBe(200);
    // Cleared: the next mistakes start again from the free ones.
    expect((await login(h, username, 'guess-7')).status).toBe(401);
    expect((await login(h, username, PASSWORD)).status).toBe(200);
  });

  it('wrong guesses from one address at many accounts: ten are answered 401 across two API processes, then the address gets 429; other addresses sign in', async () => {
    const attacker = freshAddress();
    const statuses = [];
    for (let i = 0; i < 10; i++) statuses.push((await login(i % 2 ? h : h2, `nobody-${unique()}`, 'guess', attacker)).status);
    expect(statuses).toEqual(Array<number>(10).fill(401));
    const username = await buildUser();
    const blocked = await login(h, username, PASSWORD, attacker);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(800);
    expect((await login(h2, username, PASSWORD, attacker)).status).toBe(429);
    expect((await login(h, username, PASSWORD, freshAddress())).status).toBe(200);
    // A token got elsewhere still works from that address: the limit is on guessing, not on using the API.
    const token = (await login(h, username, PASSWORD)).body.token as string;
    expect((await h.call('GET', '/api/me', { token, headers: from(attacker) })).status).toBe(200);
  });
});
