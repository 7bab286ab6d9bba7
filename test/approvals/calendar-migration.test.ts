/**
 * Migration 025 on a database migrated before it: the rows of the old
 * hand-kept table (calendar_days) that differ from the library become
 * overrides of the root org, so no calendar an org had changes; rows equal to
 * the library are left to it. On a fresh database there is nothing to convert.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDb, type Db } from '../../db/knex';
import { migrationSource } from '../../db/migrations';
import { officialDays } from '../../domain/official-calendar';
import { createDatabase } from '../reliability/support';

let database: Awaited<ReturnType<typeof createDatabase>>;
let db: Db;
beforeAll(async () => {
  database = await createDatabase(inject('adminDatabaseUrl'), `ud_calmig_${inject('runId')}`);
  db = createDb(database.url);
}, 120_000);
afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

describe('migration 025 (calendar overrides)', () => {
  it('a fresh database has no overrides and an empty old table', async () => {
    expect(await db('calendar_overrides').count({ n: '*' })).toEqual([{ n: '0' }]);
    expect(await db('calendar_days').count({ n: '*' })).toEqual([{ n: '0' }]);
  });

  it('converts the old table’s differences from the library into overrides of the root org, and only those', async () => {
    await db.migrate.down({ migrationSource, name: '025_calendar_overrides' });
    // The old table for 2026 as an admin left it: the official days except that 9-20 (调休 Sunday) was deleted,
    // 10-08 was added as a holiday, and 10-10 (调休 Saturday) was turned into a holiday; plus 2099, unknown to the library.
    const rows = officialDays(2026)
      .filter((d) => d.date !== '2026-09-20')
      .map((d) => ({ date: d.date, kind: d.date === '2026-10-10' ? 'holiday' : d.kind, name: d.name }));
    rows.push({ date: '2026-10-08', kind: 'holiday', name: '延长假期' }, { date: '2099-01-01', kind: 'holiday', name: '元旦' });
    await db('calendar_days').insert(rows);
    await db.migrate.up({ migrationSource, name: '025_calendar_overrides' });

    const roots = await db('orgs').whereNull('parent_id').pluck('id');
    expect(roots.length).toBeGreaterThan(0);
    const overrides = await db('calendar_overrides')
      .select(db.raw("to_char(date, 'YYYY-MM-DD') as date"), 'kind', 'name', 'org_id', 'created_by')
      .orderBy(['date', 'org_id']);
    const expected = [
      { date: '2026-09-20', kind: 'holiday', name: '' }, // deleted from the table: an ordinary Sunday again
      { date: '2026-10-08', kind: 'holiday', name: '延长假期' },
      { date: '2026-10-10', kind: 'holiday', name: '国庆节调休上班' },
      { date: '2099-01-01', kind: 'holiday', name: '元旦' },
    ];
    expect(overrides).toEqual(expected.flatMap((e) => [...roots].sort().map((org) => ({ ...e, org_id: org, created_by: 'migration-025' }))));
    // The old table is left as it was.
    expect(await db('calendar_days').count({ n: '*' })).toEqual([{ n: String(rows.length) }]);
  });
});
