/**
 * Org scope (a county sees only its own), actors who are not the assignee,
 * malformed bodies (400 naming every bad field, nothing written), the
 * append-only audit trail, and paging through the task inbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskIdNumber } from '../../domain/id-number';
import { Approvals, type TaskItem } from '../support/approvals';
import { buildChain, buildMember, buildSubsidy, humanStep, unique, uniqueIdNumber } from '../support/factories';
import { eventually, startHarness, type Harness } from '../support/harness';

let h: Harness;
let api: Approvals;
beforeAll(async () => {
  h = await startHarness();
  api = new Approvals(h);
});
afterAll(async () => {
  await h?.close();
});

const paths = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path).sort();

async function count(table: string, where: Record<string, unknown> | ((q: any) => void)): Promise<number> {
  const row = await h
    .db(table)
    .where(where as never)
    .count<{ n: string }[]>({ n: '*' })
    .first();
  return Number(row?.n ?? 0);
}

describe('org scope', () => {
  it('a weidong user can neither see nor act on a xinhua application: every route answers 404, and nothing is written', async () => {
    const id = await api.start('xinhua.staff', buildSubsidy());
    const t = await api.task('city.reviewer', id);
    const auditBefore = await count('audit_log', { application_id: id });

    expect((await api.get('weidong.staff', id)).status).toBe(404);
    expect((await h.call('GET', `/api/applications/${id}/route`, { token: await h.login('weidong.staff') })).status).toBe(404);
    expect((await h.call('GET', `/api/tasks/${t.id}`, { token: await h.login('weidong.reviewer') })).status).toBe(404);
    expect((await api.act('weidong.reviewer', t.id, { action: 'approve' })).status).toBe(404);
    expect((await api.appAct('weidong.staff', id, { action: 'comment', comment: '看看' })).status).toBe(404);
    expect(await api.inbox('weidong.reviewer', id)).toHaveLength(0);
    const list = await h.call('GET', '/api/applications?limit=200', { token: await h.login('weidong.staff') });
    expect(list.body.items.map((a: { id: string }) => a.id)).not.toContain(id);
    // An unknown id looks the same as one outside the scope.
    expect((await api.get('weidong.staff', 'no-such-application')).status).toBe(404);

    expect(await count('audit_log', { application_id: id })).toBe(auditBefore);
  });

  it("a user who can see an application but is not the task's assignee gets 403, and the task stays open", async () => {
    const id = await api.start('xinhua.staff', buildSubsidy());
    const t = await api.task('city.reviewer', id);
    for (const who of ['xinhua.reviewer', 'prov.reviewer', 'xinhua.staff']) {
      const r = await api.act(who, t.id, { action: 'approve' });
      expect(r.status, who).toBe(403);
      expect(r.body.detail).toContain('not assigned to you');
    }
    expect((await api.act('city.lead', t.id, { action: 'reject' })).status).toBe(403);
    expect(await api.rows('audit_log', id, { action: 'approve' })).toHaveLength(0);
    expect((await api.task('city.reviewer', id)).id).toBe(t.id);
  });

  it('an action the step does not allow is refused with 409 and the reason', async () => {
    const member = await api.start(null, buildMember());
    const t = await api.task('xinhua-express.reviewer', member);
    // 信息初审 allows no return: a worker without an account has nobody to return to.
    const r = await api.act('xinhua-express.reviewer', t.id, { action: 'return', returnTo: 'applicant' });
    expect(r.status).toBe(409);
    expect(r.body.detail).toContain('does not allow return');
    expect((await api.act('xinhua-express.reviewer', t.id, { action: 'assign', to: 'pds-xinhua-express' })).status).toBe(409);
  });

  it('API routes refuse a missing token with 401', async () => {
    expect((await h.call('GET', '/api/tasks')).status).toBe(401);
    expect((await h.call('POST', '/api/applications', { body: buildSubsidy() })).status).toBe(401);
    expect((await h.call('POST', '/api/tasks/x/actions', { body: { action: 'approve' } })).status).toBe(401);
  });
});

describe('malformed bodies', () => {
  it('a subsidy application with several bad fields is refused with 400 naming each one, and nothing is written', async () => {
    // zhanhe.staff applies in no other test file, so counts by applicant are this test's own.
    const before = { apps: await count('applications', { applicant: 'zhanhe.staff' }), keys: await count('idempotency_keys', { username: 'zhanhe.staff' }) };
    const r = await api.create('zhanhe.staff', { type: 'subsidy', title: '', amount: -3, reason: 42, projectId: 7 }, { 'Idempotency-Key': unique('bad-') });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(paths(r.body)).toEqual(['amount', 'projectId', 'reason', 'title']);

    const wrongType = await api.create('zhanhe.staff', { type: 'loan', amount: 5 });
    expect(wrongType.status).toBe(400);
    expect(paths(wrongType.body)).toEqual(['type']);
    // An applicant never chooses the chain, not even the type's own.
    for (const chain of ['membership', 'subsidy']) {
      const chosen = await api.create('zhanhe.staff', { ...buildSubsidy(), chain });
      expect(chosen.status).toBe(400);
      expect(paths(chosen.body)).toEqual(['chain']);
    }

    expect(await count('applications', { applicant: 'zhanhe.staff' })).toBe(before.apps);
    expect(await count('idempotency_keys', { username: 'zhanhe.staff' })).toBe(before.keys);
  });

  it('a membership application with several bad fields names each one, including the ID checksum, the group and the area', async () => {
    const good = uniqueIdNumber();
    const badChecksum = good.slice(0, 17) + (good.endsWith('0') ? '1' : '0');
    const r = await api.create(null, { type: 'membership', name: '', idNumber: badChecksum, phone: '12345', group: 'astronaut', area: 'nowhere' });
    expect(r.status).toBe(400);
    // (without an account and without a valid phone there is no SMS code either: named with the rest)
    expect(paths(r.body)).toEqual(['area', 'group', 'idNumber', 'name', 'phone', 'smsCode']);
    expect(r.body.errors.find((e: { path: string }) => e.path === 'idNumber').message).toContain('check digit');

    const onlyReferences = await api.create(null, buildMember({ idNumber: badChecksum, group: 'astronaut', area: 'nowhere' }));
    expect(paths(onlyReferences.body)).toEqual(['area', 'group', 'idNumber']);
    expect(await count('applications', (q: any) => q.whereRaw("payload->>'idNumberMasked' = ?", [maskIdNumber(badChecksum)]))).toBe(0);
  });

  it('a task action with several bad fields is refused with 400 naming each one, and the task is untouched', async () => {
    const id = await api.start('xinhua.staff', buildSubsidy());
    const t = await api.task('city.reviewer', id);
    const auditBefore = await count('audit_log', { application_id: id });
    const r = await api.act('city.reviewer', t.id, { action: 'explode', comment: 5, returnTo: -1, position: 'sideways', to: [] });
    expect(r.status).toBe(400);
    expect(paths(r.body)).toEqual(['action', 'comment', 'position', 'returnTo', 'to']);

    expect(paths((await api.act('city.reviewer', t.id, { action: 'return' })).body)).toEqual(['returnTo']);
    expect(paths((await api.act('city.reviewer', t.id, { action: 'transfer' })).body)).toEqual(['to']);
    expect(paths((await api.act('city.reviewer', t.id, { action: 'transfer', to: 'ghost.user' })).body)).toEqual(['to']);
    const badKey = await api.act('city.reviewer', t.id, { action: 'approve' }, { 'Idempotency-Key': 'has spaces/and#signs' });
    expect(badKey.status).toBe(400);
    expect(paths(badKey.body)).toEqual(['Idempotency-Key']);
    const appAction = await api.appAct('xinhua.staff', id, { action: 'resubmit', changes: { amount: 'lots', colour: 'red' } });
    expect(appAction.status).toBe(400);
    expect(paths(appAction.body)).toEqual(['changes', 'changes.amount']);

    expect(await count('audit_log', { application_id: id })).toBe(auditBefore);
    expect((await api.task('city.reviewer', id)).id).toBe(t.id);
  });

  it('a chain definition with several bad fields is refused with 400 naming each one, and no version is saved', async () => {
    const key = unique('bad-chain-');
    const r = await h.call('POST', '/api/chains', {
      token: await h.login('city.admin'),
      body: {
        key,
        name: '',
        type: 'loan',
        steps: [
          {
            id: '1x',
            type: 'human',
            name: 'x',
            who: { kind: 'role', role: 'king', level: 'galaxy' },
            mode: 'some',
            sla: { limit: 'soon', onTimeout: 'panic' },
          },
        ],
      },
    });
    expect(r.status).toBe(400);
    expect(paths(r.body)).toEqual([
      'name',
      'steps.0.id',
      'steps.0.mode',
      'steps.0.sla.limit',
      'steps.0.sla.onTimeout',
      'steps.0.who.level',
      'steps.0.who.role',
      'type',
    ]);
    const unknownUser = await h.call('POST', '/api/chains', {
      token: await h.login('city.admin'),
      body: buildChain({ key, steps: [humanStep({ id: 'a', who: { kind: 'users', usernames: ['ghost.user'] } })] }),
    });
    expect(paths(unknownUser.body)).toEqual(['steps.0.who.usernames']);
    expect((await h.call('POST', '/api/chains', { token: await h.login('city.reviewer'), body: buildChain({ key }) })).status).toBe(403);
    expect(await count('chain_definitions', { key })).toBe(0);
  });
});

describe('the audit trail', () => {
  it('the database itself refuses to UPDATE or DELETE audit rows', async () => {
    const id = await api.start('xinhua.staff', buildSubsidy());
    await api.approve('city.reviewer', id);
    const before = await api.rows('audit_log', id);
    expect(before.length).toBeGreaterThanOrEqual(3);

    await expect(h.db('audit_log').where({ application_id: id }).update({ comment: '篡改 / tampered' })).rejects.toThrow(/append-only \(UPDATE refused\)/);
    await expect(h.db('audit_log').where({ application_id: id }).delete()).rejects.toThrow(/append-only \(DELETE refused\)/);
    expect(await api.rows('audit_log', id)).toEqual(before);
  });
});

describe('task inbox paging', () => {
  async function allPages(username: string, limit: number): Promise<{ pages: TaskItem[][]; items: TaskItem[] }> {
    const token = await h.login(username);
    const pages: TaskItem[][] = [];
    let cursor: string | null = null;
    do {
      const r: { status: number; body: any } = await h.call('GET', `/api/tasks?status=pending&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, { token });
      expect(r.status).toBe(200);
      expect(r.body.items.length).toBeLessThanOrEqual(limit);
      pages.push(r.body.items);
      cursor = r.body.nextCursor;
      expect(pages.length).toBeLessThan(500);
    } while (cursor);
    return { pages, items: pages.flat() };
  }

  it('GET /api/tasks pages with nextCursor, newest first, and every task appears exactly once', async () => {
    // gongjiao.reviewer is named in no other test file's chains.
    const chain = await api.saveChain(buildChain({ steps: [humanStep({ id: 'g', who: { kind: 'users', usernames: ['gongjiao.reviewer'] } })] }));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await api.start(chain.staff, buildSubsidy()));
    const mine = await Promise.all(ids.map((id) => api.task('gongjiao.reviewer', id)));

    const { pages, items } = await allPages('gongjiao.reviewer', 2);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(pages[pages.length - 1]!.length).toBeGreaterThan(0);
    const seen = items.map((t) => t.id);
    expect(new Set(seen).size).toBe(seen.length);
    for (const t of mine) expect(seen.filter((x) => x === t.id)).toHaveLength(1);
    // Newest first, across page boundaries too.
    const times = items.map((t) => Date.parse((t as TaskItem & { createdAt: string }).createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const first = await h.call('GET', '/api/tasks?status=pending&limit=2', { token: await h.login('gongjiao.reviewer') });
    expect(first.body.counts.pending).toBeGreaterThanOrEqual(5);
  });

  it('tasks created in the same instant (to the microsecond) are neither skipped nor repeated across pages', async () => {
    // gongjiao.staff is named in no other test file's chains. Under load many tasks are
    // created within one millisecond; the fixture pins four to the same microsecond.
    const chain = await api.saveChain(buildChain({ steps: [humanStep({ id: 'g', who: { kind: 'users', usernames: ['gongjiao.staff'] } })] }));
    const ids = await Promise.all([1, 2, 3, 4].map(() => api.start(chain.staff, buildSubsidy())));
    const mine = await Promise.all(ids.map((id) => api.task('gongjiao.staff', id)));
    await h
      .db('tasks')
      .whereIn(
        'id',
        mine.map((t) => t.id),
      )
      .update({ created_at: h.db.raw("date_trunc('second', now()) - interval '1 second' + interval '123456 microseconds'") });
    const stamps = await h
      .db('tasks')
      .whereIn(
        'id',
        mine.map((t) => t.id),
      )
      .distinct('created_at');
    expect(stamps).toHaveLength(1);

    for (const limit of [1, 3]) {
      const { items } = await eventually(async () => allPages('gongjiao.staff', limit));
      const seen = items.map((t) => t.id);
      expect(new Set(seen).size, `limit ${limit}`).toBe(seen.length);
      for (const t of mine) expect(seen, `limit ${limit}`).toContain(t.id);
    }
  });
});
