/**
 * The working calendar: official holidays and 调休 working days from the
 * library (chinese-days), overrides per org on top (nearest org wins), and
 * due times on working days. A due time already computed keeps its value; a
 * step that starts after an override uses the new calendar.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Approvals } from '../support/approvals';
import { eventually, startHarness, type Harness } from '../support/harness';
import { unique } from '../support/factories';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const DAY = 86_400_000;
const cstDate = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
const put = async (user: string, date: string, body: unknown) => h.call('PUT', `/api/calendar/${date}`, { token: await h.login(user), body });

describe('the working calendar', () => {
  it('answers the official 2026 days from the library, 调休 working days included', async () => {
    const r = await h.call('GET', '/api/calendar?year=2026', { token: await h.login('xinhua.staff') });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ year: 2026, org: { id: 'pds-xinhua' }, officialCovered: true });
    expect(r.body.items).toEqual(
      expect.arrayContaining([
        { date: '2026-10-01', kind: 'holiday', name: '国庆节', source: 'official' },
        { date: '2026-09-20', kind: 'workday', name: '国庆节调休上班', source: 'official' },
        { date: '2026-10-10', kind: 'workday', name: '国庆节调休上班', source: 'official' },
      ]),
    );
    // Only days that differ from the ordinary week: no ordinary Saturday.
    expect(r.body.items.find((d: { date: string }) => d.date === '2026-03-07')).toBeUndefined();
    const later = await h.call('GET', '/api/calendar?year=2099', { token: await h.login('xinhua.staff') });
    expect(later.body).toMatchObject({ officialCovered: false, items: [], overrides: [] });
  });

  it('a city admin sets a local holiday for a union below it: it applies to that subtree only, and is in the administration record', async () => {
    const a = new Approvals(h);
    const sb = await a.sandbox();
    const date = '2098-06-03';
    const r = await put('city.admin', date, { kind: 'holiday', name: '地方节日', org: sb.org });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toEqual({ date, kind: 'holiday', name: '地方节日', org: sb.org });
    const mine = await h.call('GET', `/api/calendar?year=2098&org=${sb.org}`, { token: await h.login('xinhua.staff') });
    expect(mine.body.items).toEqual([{ date, kind: 'holiday', name: '地方节日', source: 'override', orgId: sb.org, orgName: expect.any(String) }]);
    expect(mine.body.overrides).toEqual([expect.objectContaining({ date, kind: 'holiday', orgId: sb.org, createdBy: 'city.admin' })]);
    const other = await h.call('GET', '/api/calendar?year=2098&org=pds-xinhua', { token: await h.login('xinhua.staff') });
    expect(other.body.items.find((d: { date: string }) => d.date === date)).toBeUndefined();
    const record = await h
      .db('admin_audit')
      .where({ subject_kind: 'calendar', subject_id: `${sb.org}:${date}` })
      .select('actor', 'action', 'org_path');
    expect(record).toEqual([{ actor: 'city.admin', action: 'calendar.override', org_path: expect.stringContaining(`/${sb.org}/`) }]);

    // The province's override of the same day is shadowed below by the nearer one.
    expect((await put('prov.admin', date, { kind: 'workday', name: '省：照常上班', org: 'henan' })).status).toBe(200);
    try {
      const both = await h.call('GET', `/api/calendar?year=2098&org=${sb.org}`, { token: await h.login('xinhua.staff') });
      expect(both.body.items).toEqual([expect.objectContaining({ date, kind: 'holiday', orgId: sb.org })]);
      expect(both.body.overrides.map((o: { orgId: string }) => o.orgId)).toEqual(['henan', sb.org]);
      const atProvince = await h.call('GET', '/api/calendar?year=2098&org=xc', { token: await h.login('xc.staff') });
      expect(atProvince.body.items).toEqual([expect.objectContaining({ date, kind: 'workday', orgId: 'henan', source: 'override' })]);
    } finally {
      expect((await h.call('DELETE', `/api/calendar/${date}?org=henan`, { token: await h.login('prov.admin') })).status).toBe(204);
    }
    const del = await h.call('DELETE', `/api/calendar/${date}?org=${sb.org}`, { token: await h.login('city.admin') });
    expect(del.status).toBe(204);
    expect(await h.db('calendar_overrides').where({ org_id: sb.org })).toEqual([]);
    expect(
      await h
        .db('admin_audit')
        .where({ subject_kind: 'calendar', subject_id: `${sb.org}:${date}` })
        .orderBy('id')
        .pluck('action'),
    ).toEqual(['calendar.override', 'calendar.override.delete']);
  });

  it('refusals: not an admin 403, a county admin 403, outside the subtree 404, a bad date 400 — and nothing written', async () => {
    const date = '2097-05-06';
    const before = await h.db('calendar_overrides').where({ date }).count({ n: '*' });
    expect((await put('city.reviewer', date, { kind: 'holiday', name: 'x' })).status).toBe(403);
    expect((await put('xinhua.admin', date, { kind: 'holiday', name: 'x' })).status).toBe(403);
    expect((await put('xc.admin', date, { kind: 'holiday', name: 'x', org: 'pds' })).status).toBe(404);
    expect((await put('city.admin', date, { kind: 'holiday', name: 'x', org: 'henan' })).status).toBe(404);
    expect((await put('city.admin', date, { kind: 'holiday', name: 'x', org: 'no-such-org' })).status).toBe(404);
    const bad = await put('city.admin', '2031-13-40', { kind: 'weekend' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['date']);
    const badBody = await put('city.admin', date, { kind: 'weekend' });
    expect(badBody.status).toBe(400);
    expect(badBody.body.errors.map((e: { path: string }) => e.path)).toEqual(['kind']);
    expect(await h.db('calendar_overrides').where({ date }).count({ n: '*' })).toEqual(before);
    expect((await h.call('DELETE', `/api/calendar/${date}`, { token: await h.login('city.admin') })).status).toBe(404);
  });

  it('a step started before an override keeps its due time; a step started after uses the new calendar', async () => {
    const a = new Approvals(h);
    const chain = await a.saveChain(
      {
        key: unique('cal-'),
        name: '一日时限两步',
        type: 'subsidy',
        steps: [
          {
            id: 'first',
            name: '第一步',
            type: 'human',
            who: { kind: 'role', role: 'admin', level: 'self' },
            mode: 'single',
            sla: { limit: 'P1D', onTimeout: 'escalate' },
          },
          {
            id: 'second',
            name: '第二步',
            type: 'human',
            who: { kind: 'role', role: 'admin', level: 'self' },
            mode: 'single',
            dedupConsecutive: false,
            sla: { limit: 'P1D', onTimeout: 'escalate' },
          },
        ],
      },
      { admin: true },
    );
    const id = await a.start(chain.staff, { type: 'subsidy', title: '时限测试', amount: 100, reason: '测试' });
    const first = await eventually(async () => (await h.db('tasks').where({ application_id: id, status: 'pending' }).first()) ?? undefined);
    const firstDue = new Date(first.due_at).toISOString();

    // The city declares every day from tomorrow to three days past the first step's due date holidays, for this union only.
    const days: string[] = [];
    for (let t = Date.now() + DAY; cstDate(new Date(t)) <= cstDate(new Date(new Date(firstDue).getTime() + 3 * DAY)); t += DAY) days.push(cstDate(new Date(t)));
    expect(days).toContain(cstDate(new Date(firstDue)));
    try {
      for (const d of days) expect((await put('city.admin', d, { kind: 'holiday', name: '测试假期', org: chain.org })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 5_500)); // the worker reloads overrides every 5 s

      await a.approve(chain.admin!, id);
      const second = await eventually(
        async () => (await h.db('tasks').where({ application_id: id, status: 'pending' }).whereNot({ id: first.id }).first()) ?? undefined,
      );
      // Started after the override: due after the declared holidays.
      expect(cstDate(new Date(second.due_at)) > days[days.length - 1]!).toBe(true);
      // Started before: its due time kept its value, though it now falls on a declared holiday.
      const firstAfter = await h.db('tasks').where({ id: first.id }).first();
      expect(new Date(firstAfter.due_at).toISOString()).toBe(firstDue);
    } finally {
      await h.db('calendar_overrides').where({ org_id: chain.org }).delete();
    }
  });
});
