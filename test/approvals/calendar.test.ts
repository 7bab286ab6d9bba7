/**
 * Due times count working days on the official calendar (holidays off, 调休
 * working days on), and the calendar is an admin-editable table.
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

const cstDate = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);

describe('the working-day calendar', () => {
  it('ships the published holidays, including 调休 working days', async () => {
    const r = await h.call('GET', '/api/calendar?year=2026', { token: await h.login('city.admin') });
    expect(r.status).toBe(200);
    expect(r.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ date: '2026-10-01', kind: 'holiday' }),
        expect.objectContaining({ date: '2026-10-10', kind: 'workday' }),
      ]),
    );
  });

  it('only admins edit it, and a bad date is named', async () => {
    expect((await h.call('PUT', '/api/calendar/2031-05-06', { token: await h.login('city.reviewer'), body: { kind: 'holiday', name: 'x' } })).status).toBe(403);
    const bad = await h.call('PUT', '/api/calendar/2031-13-40', { token: await h.login('city.admin'), body: { kind: 'holiday' } });
    expect(bad.status).toBe(400);
  });

  it('when an admin declares the coming days holidays, a one-working-day limit started now falls due after them', async () => {
    const admin = await h.login('city.admin');
    const chain = await new Approvals(h).saveChain({
      key: unique('cal-'),
      name: '一日时限',
      type: 'subsidy',
      steps: [
        {
          id: 'city',
          name: '市总审核',
          type: 'human',
          who: { kind: 'role', role: 'reviewer', level: 'city' },
          mode: 'single',
          sla: { limit: 'P1D', onTimeout: 'escalate' },
        },
      ],
    });
    // Declare the next five calendar days (China time) holidays.
    const days = Array.from({ length: 5 }, (_, i) => cstDate(new Date(Date.now() + (i + 1) * 86_400_000)));
    const prior = await h.db('calendar_days').whereIn('date', days).select(h.db.raw("to_char(date, 'YYYY-MM-DD') as date"), 'kind', 'name');
    try {
      for (const d of days) expect((await h.call('PUT', `/api/calendar/${d}`, { token: admin, body: { kind: 'holiday', name: '测试假期' } })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 5_500)); // the worker's calendar cache refreshes every 5 s
      const app = await h.call('POST', '/api/applications', {
        token: await h.login(chain.staff),
        body: { type: 'subsidy', title: '时限测试', amount: 100, reason: '测试' },
      });
      expect(app.status, JSON.stringify(app.body)).toBe(201);
      const task = await eventually(async () => (await h.db('tasks').where({ application_id: app.body.id, status: 'pending' }).first()) ?? undefined);
      const due = cstDate(new Date(task.due_at));
      expect(days).not.toContain(due);
      expect(due > days[days.length - 1]!).toBe(true);
    } finally {
      for (const d of days) await h.db('calendar_days').where({ date: d }).delete();
      if (prior.length) await h.db('calendar_days').insert(prior);
    }
  });
});
