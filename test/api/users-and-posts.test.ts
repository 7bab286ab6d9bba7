/**
 * People and posts (人员与岗位) on the two-city demo data: admins create
 * accounts with posts, edit, deactivate, reset and unlock them, start and end
 * posts — within their subtrees, never an admin post at their own level,
 * never themselves — and every change leaves one admin_audit row. A reviewer
 * with posts in both cities sees and decides both cities' tasks.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Approvals } from '../support/approvals';
import { buildSubsidy } from '../support/factories';
import { eventually, startHarness, type Harness } from '../support/harness';

let h: Harness;
let api: Approvals;
/** Two failures free, then the back-off: enough to lock an account in the unlock test. */
const FREE_FAILURES = 2;

beforeAll(async () => {
  h = await startHarness({ loginFreeFailures: FREE_FAILURES });
  api = new Approvals(h);
});
afterAll(async () => {
  await h?.close();
});

const uname = (prefix: string) => `${prefix}-${crypto.randomBytes(4).toString('hex')}`;

async function as(username: string, method: string, path: string, body?: unknown) {
  return h.call(method, path, { token: await h.login(username), body });
}

/** Creates an account as `admin`, expecting 201; answers the username and its initial password. */
async function create(admin: string, posts: { org: string; role: string }[], prefix = 'p') {
  const username = uname(prefix);
  const r = await as(admin, 'POST', '/api/users', { username, name: `测试人员 ${username}`, phone: '0375-1234567', posts });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  expect(r.body.username).toBe(username);
  expect(r.body.initialPassword).toMatch(/^[A-Z0-9]{14}$/i);
  return { username, initialPassword: r.body.initialPassword as string };
}

/** Signs in with the initial password and chooses a new one; answers a token that works everywhere. */
async function firstLogin(username: string, initialPassword: string): Promise<string> {
  const login = await h.call('POST', '/api/auth/login', { body: { username, password: initialPassword } });
  expect(login.status, JSON.stringify(login.body)).toBe(200);
  expect(login.body.mustChangePassword).toBe(true);
  const changed = await h.call('POST', '/api/auth/password', {
    token: login.body.token,
    body: { currentPassword: initialPassword, newPassword: 'Chosen-Pass-2026' },
  });
  expect(changed.status, JSON.stringify(changed.body)).toBe(200);
  return changed.body.token as string;
}

const userRow = (username: string) => h.db('users').where({ username }).first();
const postsOf = (username: string) => h.db('user_posts').where({ username }).orderBy('id').select('id', 'org_id', 'role', 'ended_at');
const auditOf = (username: string) =>
  h.db('admin_audit').where({ subject_id: username }).orderBy('id').select('actor', 'action', 'subject_kind', 'org_path', 'data');

describe('creating accounts (POST /api/users)', () => {
  it('creates the account with its posts, a one-time password that must be changed, and an audit row', async () => {
    const { username, initialPassword } = await create('city.admin', [
      { org: 'pds-xinhua', role: 'reviewer' },
      { org: 'pds-weidong', role: 'staff' },
    ]);
    const row = await userRow(username);
    expect(row).toMatchObject({ org_id: 'pds-xinhua', roles: ['reviewer'], must_change_password: true, active: true, phone: '0375-1234567' });
    expect(row.password_hash).not.toContain(initialPassword);
    expect((await postsOf(username)).map((p) => [p.org_id, p.role, p.ended_at])).toEqual([
      ['pds-xinhua', 'reviewer', null],
      ['pds-weidong', 'staff', null],
    ]);
    const audit = await auditOf(username);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'city.admin', action: 'user.create', subject_kind: 'user', org_path: '/henan/pds/pds-xinhua/' });
    expect(JSON.stringify(audit[0].data)).not.toContain(initialPassword);
  });

  it('the first login answers mustChangePassword and every other route 403 until the password is changed', async () => {
    const { username, initialPassword } = await create('city.admin', [{ org: 'pds-xinhua', role: 'reviewer' }]);
    const login = await h.call('POST', '/api/auth/login', { body: { username, password: initialPassword } });
    expect(login.status).toBe(200);
    expect(login.body.mustChangePassword).toBe(true);
    const token = login.body.token as string;
    for (const path of ['/api/me', '/api/tasks', '/api/applications']) expect((await h.call('GET', path, { token })).status, path).toBe(403);
    const changed = await h.call('POST', '/api/auth/password', { token, body: { currentPassword: initialPassword, newPassword: 'Chosen-Pass-2026' } });
    expect(changed.status).toBe(200);
    const me = await h.call('GET', '/api/me', { token: changed.body.token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username, org: 'pds-xinhua', mustChangePassword: false, deputy: null });
    expect(me.body.posts).toEqual([{ id: expect.any(String), org: 'pds-xinhua', orgName: '新华区总工会', role: 'reviewer' }]);
    expect((await h.call('GET', '/api/tasks', { token: changed.body.token })).status).toBe(200);
    expect((await userRow(username)).last_login_at).not.toBeNull();
  });

  it('refuses outside the subtree (404), an admin post at one’s own level (403), non-admins (403), duplicates (409), bad input (400) — writing nothing', async () => {
    const refusedRows = () => h.db('admin_audit').where('subject_id', 'like', 'refused-%').count({ n: '*' }).first();
    const before = await refusedRows();
    const cases: [string, unknown, number][] = [
      ['xinhua.admin', { posts: [{ org: 'pds', role: 'reviewer' }] }, 404],
      ['xinhua.admin', { posts: [{ org: 'xc', role: 'staff' }] }, 404],
      ['xinhua.admin', { posts: [{ org: 'no-such-org', role: 'staff' }] }, 404],
      ['xinhua.admin', { posts: [{ org: 'pds-xinhua', role: 'admin' }] }, 403],
      ['city.admin', { posts: [{ org: 'pds', role: 'admin' }] }, 403],
      [
        'city.admin',
        {
          posts: [
            { org: 'pds-xinhua', role: 'staff' },
            { org: 'henan', role: 'staff' },
          ],
        },
        404,
      ],
      ['xinhua.reviewer', { posts: [{ org: 'pds-xinhua', role: 'staff' }] }, 403],
      ['city.lead', { posts: [{ org: 'pds-xinhua', role: 'staff' }] }, 403],
    ];
    for (const [caller, body, status] of cases) {
      const username = uname('refused');
      const r = await as(caller, 'POST', '/api/users', { username, name: '不应创建', ...(body as object) });
      expect(r.status, `${caller} ${JSON.stringify(body)}`).toBe(status);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(await userRow(username)).toBeUndefined();
    }
    expect(await refusedRows()).toEqual(before);

    const dup = await as('city.admin', 'POST', '/api/users', { username: 'xinhua.staff', name: '重名', posts: [{ org: 'pds-xinhua', role: 'staff' }] });
    expect(dup.status).toBe(409);
    expect((await userRow('xinhua.staff')).name).toBe('新华区总工会干事');

    const bad = await as('city.admin', 'POST', '/api/users', { username: 'a b', name: '', email: 'nope', posts: [{ org: 'pds-xinhua', role: 'boss' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['email', 'name', 'posts.0.role', 'username']);
    const none = await as('city.admin', 'POST', '/api/users', { username: uname('x'), name: '无岗位', posts: [] });
    expect(none.status).toBe(400);
    expect(none.body.errors.map((e: { path: string }) => e.path)).toEqual(['posts']);
  });

  it('an admin post is granted by the level above', async () => {
    // At a county of this test's own (a second admin at a demo org would change where other files' steps go).
    const county = await api.sandbox({ parent: 'pds', kind: 'county' });
    const { username } = await create('city.admin', [{ org: county.org, role: 'admin' }]);
    expect((await userRow(username)).roles).toEqual(['admin']);
  });
});

describe('a concurrent-post reviewer (兼职)', () => {
  it('sees both cities’ tasks in the inbox, approves both, and is managed only from above both posts', async () => {
    const { username, initialPassword } = await create('prov.admin', [
      { org: 'pds', role: 'reviewer' },
      { org: 'xc', role: 'reviewer' },
    ]);
    const token = await firstLogin(username, initialPassword);
    const me = await h.call('GET', '/api/me', { token });
    expect(me.body.posts.map((p: { org: string; role: string }) => `${p.role}@${p.org}`)).toEqual(['reviewer@pds', 'reviewer@xc']);

    const pdsApp = await api.start('xinhua.staff', buildSubsidy());
    const xcApp = await api.start('xc.staff', buildSubsidy());
    const inbox = async () => {
      const r = await h.call('GET', '/api/tasks?status=pending&limit=200', { token });
      expect(r.status).toBe(200);
      return r.body.items as { id: string; applicationId: string }[];
    };
    const tasks = await eventually(async () => {
      const items = await inbox();
      const a = items.find((t) => t.applicationId === pdsApp);
      const b = items.find((t) => t.applicationId === xcApp);
      return a && b ? [a, b] : undefined;
    });
    for (const t of tasks) {
      const r = await h.call('POST', `/api/tasks/${t.id}/actions`, { token, body: { action: 'approve', comment: '兼职审核同意 / approved' } });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    for (const t of tasks) await eventually(async () => (await h.db('tasks').where({ id: t.id }).first('status')).status !== 'pending');
    for (const app of [pdsApp, xcApp])
      expect(
        (await api.timeline(app, 'prov.admin')).some((e) => e.action === 'approve' && e.actor === username),
        app,
      ).toBe(true);

    // Seen by each city's admin (one post in their city); managed by neither — the other post lies outside.
    for (const admin of ['city.admin', 'xc.admin']) {
      const list = await as(admin, 'GET', `/api/users?q=${username}`);
      expect(list.body.items.map((i: { username: string }) => i.username)).toEqual([username]);
      const reset = await as(admin, 'POST', `/api/users/${username}/reset-password`);
      expect(reset.status, admin).toBe(403);
    }
    expect((await as('xinhua.admin', 'GET', `/api/users?q=${username}`)).body.items).toEqual([]);
    expect((await as('xinhua.admin', 'PATCH', `/api/users/${username}`, { name: '改名' })).status).toBe(404);
    expect((await userRow(username)).must_change_password).toBe(false);

    // xc.admin ends the 许昌 post: from then on only 平顶山's tasks reach them, and city.admin manages them alone.
    const xcPost = (await postsOf(username)).find((p) => p.org_id === 'xc')!;
    const pdsPost = (await postsOf(username)).find((p) => p.org_id === 'pds')!;
    expect((await as('city.admin', 'DELETE', `/api/users/${username}/posts/${xcPost.id}`)).status).toBe(404);
    const ended = await as('xc.admin', 'DELETE', `/api/users/${username}/posts/${xcPost.id}`);
    expect(ended.status, JSON.stringify(ended.body)).toBe(200);
    expect(ended.body).toMatchObject({ id: String(xcPost.id), org: 'xc', role: 'reviewer', remainingPosts: 1 });
    expect((await as('xc.admin', 'DELETE', `/api/users/${username}/posts/${xcPost.id}`)).status).toBe(404);
    expect((await postsOf(username)).find((p) => p.id === xcPost.id)!.ended_at).not.toBeNull();
    const xcApp2 = await api.start('xc.staff', buildSubsidy());
    await api.task('xc.reviewer', xcApp2);
    expect((await inbox()).some((t) => t.applicationId === xcApp2)).toBe(false);
    expect((await as('city.admin', 'POST', `/api/users/${username}/reset-password`)).status).toBe(200);

    // Ending the last post is allowed: the account stays, holding nothing; its home org still places it.
    const last = await as('city.admin', 'DELETE', `/api/users/${username}/posts/${pdsPost.id}`);
    expect(last.body.remainingPosts).toBe(0);
    expect((await userRow(username)).roles).toEqual([]);
    expect((await as('city.admin', 'GET', `/api/users?q=${username}`)).body.items[0].posts).toEqual([]);

    expect((await auditOf(username)).map((a) => a.action)).toEqual(['user.create', 'post.end', 'user.reset-password', 'post.end']);
  });
});

describe('managing accounts', () => {
  it('lists people in the caller’s scope with posts, status and last login, filtered and paged', async () => {
    const r = await as('city.admin', 'GET', '/api/users?org=pds-xinhua&role=reviewer&pageSize=100');
    expect(r.status).toBe(200);
    const names = r.body.items.map((i: { username: string }) => i.username);
    expect(names).toContain('xinhua.reviewer');
    expect(names).toContain('xinhua-express.reviewer');
    expect(names).not.toContain('xinhua.staff');
    const item = r.body.items.find((i: { username: string }) => i.username === 'xinhua.reviewer');
    expect(item).toMatchObject({ org: 'pds-xinhua', orgName: '新华区总工会', active: true, locked: false });
    expect(item.posts).toEqual([{ id: expect.any(String), org: 'pds-xinhua', orgName: '新华区总工会', role: 'reviewer', startedAt: expect.any(String) }]);
    expect(JSON.stringify(r.body)).not.toMatch(/scrypt|password_hash/);

    expect((await as('city.admin', 'GET', '/api/users?org=xc')).status).toBe(404);
    expect((await as('xinhua.admin', 'GET', '/api/users?org=pds')).status).toBe(404);
    expect((await as('city.reviewer', 'GET', '/api/users')).status).toBe(403);
    const paged = await as('prov.admin', 'GET', '/api/users?page=2&pageSize=5');
    expect(paged.body).toMatchObject({ page: 2, pageSize: 5 });
    expect(paged.body.items).toHaveLength(5);
    expect(paged.body.total).toBeGreaterThan(10);
    // The contract's paging: limit and cursor, nextCursor until the last page, every person once.
    const byCursor: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const r = await as('city.admin', 'GET', `/api/users?org=pds-weidong&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      expect(r.body.items.length).toBeLessThanOrEqual(2);
      byCursor.push(...r.body.items.map((i: { username: string }) => i.username));
      cursor = r.body.nextCursor;
    }
    const whole = await as('city.admin', 'GET', '/api/users?org=pds-weidong&limit=100');
    expect(whole.body.nextCursor).toBeNull();
    expect(byCursor).toEqual(whole.body.items.map((i: { username: string }) => i.username));
    expect(new Set(byCursor).size).toBe(byCursor.length);
    const bad = await as('city.admin', 'GET', '/api/users?page=0&role=boss&status=gone');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['page', 'role', 'status']);
  });

  it('edits, deactivates (ending sessions) and reactivates; never oneself, never outside the subtree', async () => {
    const { username, initialPassword } = await create('xinhua.admin', [{ org: 'pds-xinhua', role: 'staff' }]);
    const token = await firstLogin(username, initialPassword);

    const edit = await as('xinhua.admin', 'PATCH', `/api/users/${username}`, { name: '新名字', email: 'a@example.cn', phone: null });
    expect(edit.status, JSON.stringify(edit.body)).toBe(200);
    expect(edit.body).toMatchObject({ name: '新名字', email: 'a@example.cn', phone: null, active: true });

    expect((await as('xc.admin', 'PATCH', `/api/users/${username}`, { active: false })).status).toBe(404);
    expect((await as('xinhua.reviewer', 'PATCH', `/api/users/${username}`, { active: false })).status).toBe(404);
    expect((await as('xinhua.admin', 'PATCH', '/api/users/xinhua.admin', { name: '自己' })).status).toBe(403);
    expect((await as('city.admin', 'PATCH', '/api/users/city.admin', { active: false })).status).toBe(403);
    expect((await userRow('city.admin')).active).toBe(true);
    const bad = await as('xinhua.admin', 'PATCH', `/api/users/${username}`, { active: 'no', role: 'admin' });
    expect(bad.status).toBe(400);
    expect((await as('xinhua.admin', 'PATCH', `/api/users/${username}`, {})).status).toBe(400);

    const off = await as('xinhua.admin', 'PATCH', `/api/users/${username}`, { active: false });
    expect(off.status).toBe(200);
    expect((await h.call('GET', '/api/me', { token })).status).toBe(401);
    expect((await h.call('POST', '/api/auth/login', { body: { username, password: 'Chosen-Pass-2026' } })).status).toBe(401);
    expect((await as('city.admin', 'GET', `/api/users?q=${username}&status=inactive`)).body.items).toHaveLength(1);
    expect((await as('city.admin', 'PATCH', `/api/users/${username}`, { active: true })).status).toBe(200);
    expect((await h.call('POST', '/api/auth/login', { body: { username, password: 'Chosen-Pass-2026' } })).status).toBe(200);

    expect((await auditOf(username)).map((a) => [a.actor, a.action])).toEqual([
      ['xinhua.admin', 'user.create'],
      ['xinhua.admin', 'user.update'],
      ['xinhua.admin', 'user.deactivate'],
      ['city.admin', 'user.activate'],
    ]);
  });

  it('resets a password: a new initial password, must change, every session ended', async () => {
    const { username, initialPassword } = await create('city.admin', [{ org: 'pds-weidong', role: 'reviewer' }]);
    const token = await firstLogin(username, initialPassword);
    expect((await as('xinhua.admin', 'POST', `/api/users/${username}/reset-password`)).status).toBe(404);
    const r = await as('city.admin', 'POST', `/api/users/${username}/reset-password`);
    expect(r.status).toBe(200);
    expect(r.body.initialPassword).toMatch(/^[A-Z0-9]{14}$/i);
    expect((await h.call('GET', '/api/me', { token })).status).toBe(401);
    expect((await h.call('POST', '/api/auth/login', { body: { username, password: 'Chosen-Pass-2026' } })).status).toBe(401);
    await firstLogin(username, r.body.initialPassword);
    const audit = await auditOf(username);
    expect(audit.map((a) => a.action)).toEqual(['user.create', 'user.reset-password']);
    expect(JSON.stringify(audit)).not.toContain(r.body.initialPassword);
  });

  it('unlocks an account locked by failed logins', async () => {
    const { username, initialPassword } = await create('city.admin', [{ org: 'pds-zhanhe', role: 'staff' }]);
    for (let i = 0; i <= FREE_FAILURES; i++) await h.call('POST', '/api/auth/login', { body: { username, password: `wrong-${i}` } });
    expect((await h.call('POST', '/api/auth/login', { body: { username, password: initialPassword } })).status).toBe(429);
    expect((await as('city.admin', 'GET', `/api/users?q=${username}`)).body.items[0].locked).toBe(true);
    expect((await as('xc.admin', 'POST', `/api/users/${username}/unlock`)).status).toBe(404);
    expect((await as('city.reviewer', 'POST', `/api/users/${username}/unlock`)).status).toBe(404);
    const r = await as('city.admin', 'POST', `/api/users/${username}/unlock`);
    expect(r.status).toBe(200);
    expect((await as('city.admin', 'GET', `/api/users?q=${username}`)).body.items[0].locked).toBe(false);
    expect((await h.call('POST', '/api/auth/login', { body: { username, password: initialPassword } })).status).toBe(200);
    const audit = await auditOf(username);
    expect(audit.map((a) => [a.action, a.data])).toEqual([
      ['user.create', expect.anything()],
      ['user.unlock', { wasLocked: true }],
    ]);
  });
});

describe('posts (POST/DELETE /api/users/:username/posts)', () => {
  it('starts and ends posts within the subtree; refuses above one’s role, oneself, outside — writing nothing', async () => {
    const { username } = await create('city.admin', [{ org: 'pds-weidong', role: 'staff' }]);
    const started = await as('city.admin', 'POST', `/api/users/${username}/posts`, { org: 'pds-weidong', role: 'reviewer' });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    expect(started.body).toMatchObject({ org: 'pds-weidong', orgName: '卫东区总工会', role: 'reviewer', id: expect.any(String) });
    expect((await userRow(username)).roles).toEqual(['reviewer', 'staff']);
    expect((await as('city.admin', 'POST', `/api/users/${username}/posts`, { org: 'pds-weidong', role: 'reviewer' })).status).toBe(409);

    const before = await postsOf(username);
    const refused: [string, string, unknown, number][] = [
      ['xinhua.admin', username, { org: 'pds-xinhua', role: 'staff' }, 404], // the person is not in 新华区's scope
      ['city.admin', username, { org: 'xc', role: 'staff' }, 404],
      ['city.admin', username, { org: 'pds', role: 'admin' }, 403],
      ['city.reviewer', username, { org: 'pds-weidong', role: 'staff' }, 404],
      ['city.admin', 'city.admin', { org: 'pds-weidong', role: 'reviewer' }, 403],
      ['city.admin', username, { org: 'pds-weidong', role: 'boss' }, 400],
    ];
    for (const [caller, who, body, status] of refused) {
      const r = await as(caller, 'POST', `/api/users/${who}/posts`, body);
      expect(r.status, `${caller} → ${who} ${JSON.stringify(body)}`).toBe(status);
    }
    expect(await postsOf(username)).toEqual(before);
    expect(await postsOf('city.admin')).toHaveLength(1);

    // An admin at a county (granted by the city) may not end their own post, nor a peer's admin post. The county is
    // this test's own: a second admin at a demo org would change where other files' steps go.
    const county = await api.sandbox({ parent: 'pds', kind: 'county', admin: true });
    const { username: xadmin, initialPassword } = await create('city.admin', [{ org: county.org, role: 'admin' }]);
    const xtoken = await firstLogin(xadmin, initialPassword);
    const own = (await postsOf(xadmin))[0]!;
    expect((await h.call('DELETE', `/api/users/${xadmin}/posts/${own.id}`, { token: xtoken })).status).toBe(403);
    const peer = (await postsOf(county.admin!))[0]!;
    expect((await h.call('DELETE', `/api/users/${county.admin}/posts/${peer.id}`, { token: xtoken })).status).toBe(403);
    expect((await h.call('DELETE', `/api/users/${username}/posts/${own.id}`, { token: await h.login('city.admin') })).status).toBe(404);
    expect((await h.call('DELETE', `/api/users/${username}/posts/abc`, { token: await h.login('city.admin') })).status).toBe(404);
    expect((await postsOf(xadmin))[0]!.ended_at).toBeNull();
    expect((await postsOf(county.admin!))[0]!.ended_at).toBeNull();

    const reviewerPost = started.body.id as string;
    const end = await as('city.admin', 'DELETE', `/api/users/${username}/posts/${reviewerPost}`);
    expect(end.status).toBe(200);
    expect(end.body.endedAt).toEqual(expect.any(String));
    expect((await userRow(username)).roles).toEqual(['staff']);
    expect(await h.db('user_posts').where({ id: reviewerPost }).first('id')).toBeDefined();
    expect((await auditOf(username)).map((a) => [a.action, a.subject_kind, a.org_path])).toEqual([
      ['user.create', 'user', '/henan/pds/pds-weidong/'],
      ['post.start', 'post', '/henan/pds/pds-weidong/'],
      ['post.end', 'post', '/henan/pds/pds-weidong/'],
    ]);
  });

  it('a reviewer post at a second org brings that org’s new tasks (routing reads posts)', async () => {
    const { username, initialPassword } = await create('prov.admin', [{ org: 'pds-xinhua', role: 'staff' }]);
    const token = await firstLogin(username, initialPassword);
    const grant = await as('prov.admin', 'POST', `/api/users/${username}/posts`, { org: 'xc', role: 'reviewer' });
    expect(grant.status).toBe(201);
    const app = await api.start('xc.staff', buildSubsidy());
    const task = await api.task('xc.reviewer', app);
    const candidates = (await h.db('tasks').where({ id: task.id }).first('candidates')).candidates as string[];
    expect(candidates).toContain(username);
    const mine = await h.call('GET', '/api/tasks?status=pending&limit=200', { token });
    expect(mine.body.items.some((t: { applicationId: string }) => t.applicationId === app)).toBe(true);
  });
});

describe('the administration record (GET /api/audit/admin)', () => {
  it('shows the changes within the caller’s admin scopes, filtered by org and subject, paged', async () => {
    const { username } = await create('xinhua.admin', [{ org: 'pds-xinhua', role: 'staff' }]);
    const { username: xcUser } = await create('xc.admin', [{ org: 'xc', role: 'staff' }]);
    const mine = await as('xinhua.admin', 'GET', `/api/audit/admin?subject=${username}`);
    expect(mine.status).toBe(200);
    expect(mine.body.items).toEqual([
      {
        id: expect.any(String),
        at: expect.any(String),
        actor: 'xinhua.admin',
        action: 'user.create',
        subjectKind: 'user',
        subjectId: username,
        orgPath: '/henan/pds/pds-xinhua/',
        data: expect.objectContaining({ name: `测试人员 ${username}` }),
      },
    ]);
    expect((await as('xinhua.admin', 'GET', `/api/audit/admin?subject=${xcUser}`)).body.items).toEqual([]);
    expect((await as('city.admin', 'GET', `/api/audit/admin?subject=${xcUser}`)).body.items).toEqual([]);
    expect((await as('prov.admin', 'GET', `/api/audit/admin?subject=${xcUser}`)).body.items).toHaveLength(1);
    expect((await as('xinhua.admin', 'GET', '/api/audit/admin?org=pds')).status).toBe(404);
    expect((await as('city.admin', 'GET', '/api/audit/admin?org=xc')).status).toBe(404);
    expect((await as('city.reviewer', 'GET', '/api/audit/admin')).status).toBe(403);
    const page1 = await as('prov.admin', 'GET', '/api/audit/admin?limit=2');
    expect(page1.body.items).toHaveLength(2);
    const page2 = await as('prov.admin', 'GET', `/api/audit/admin?limit=2&cursor=${page1.body.nextCursor}`);
    expect(Number(page2.body.items[0].id)).toBeLessThan(Number(page1.body.items[1].id));
    expect((await as('prov.admin', 'GET', '/api/audit/admin?cursor=x;drop')).status).toBe(400);
  });
});
