import type { Knex } from 'knex';
import { officialDays, officialYearCovered } from '../../domain/official-calendar';

/**
 * 工作日历: the official holidays now come from the library `chinese-days`
 * (domain/official-calendar.ts); this table keeps only what admins set on top
 * of it — a year announced after the library's release, a local holiday. An
 * override belongs to an org and applies to its subtree (nearest org wins).
 *
 * The old hand-kept table `calendar_days` is no longer read but is left as it
 * is. Its rows that differ from the library (an admin's edits, or a day the
 * table had and the library does not, or the reverse) become overrides of the
 * root org(s), which apply everywhere, so no already-computed calendar changes.
 * On a fresh database `calendar_days` is empty (migration 003 no longer fills
 * it) and nothing is converted.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('calendar_overrides', (t) => {
    t.bigIncrements('id');
    t.date('date').notNullable();
    t.text('kind').notNullable(); // holiday | workday
    t.text('name').notNullable().defaultTo('');
    t.text('org_id').notNullable().references('orgs.id');
    t.text('created_by').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['date', 'org_id']);
  });
  await knex.raw("ALTER TABLE calendar_overrides ADD CONSTRAINT calendar_overrides_kind CHECK (kind IN ('holiday', 'workday'))");

  const rows: { date: string; kind: 'holiday' | 'workday'; name: string }[] = await knex('calendar_days').select(
    knex.raw("to_char(date, 'YYYY-MM-DD') as date"),
    'kind',
    'name',
  );
  const roots: { id: string }[] = await knex('orgs').whereNull('parent_id').select('id');
  if (!rows.length || !roots.length) return;

  const table = new Map(rows.map((r) => [r.date, r]));
  const differing: { date: string; kind: 'holiday' | 'workday'; name: string }[] = rows.filter((r) => {
    const official = officialDays(Number(r.date.slice(0, 4))).find((d) => d.date === r.date);
    return !official || official.kind !== r.kind;
  });
  // A library day the table lacks (an admin deleted it): the table made it an ordinary day.
  for (const year of new Set(rows.map((r) => Number(r.date.slice(0, 4))))) {
    if (!officialYearCovered(year)) continue;
    for (const d of officialDays(year)) {
      if (table.has(d.date)) continue;
      const weekday = new Date(`${d.date}T00:00:00Z`).getUTCDay();
      const ordinary = weekday === 0 || weekday === 6 ? 'holiday' : 'workday';
      differing.push({ date: d.date, kind: ordinary, name: '' });
    }
  }
  if (!differing.length) return;
  await knex('calendar_overrides')
    .insert(roots.flatMap((root) => differing.map((d) => ({ date: d.date, kind: d.kind, name: d.name, org_id: root.id, created_by: 'migration-025' }))))
    .onConflict(['date', 'org_id'])
    .ignore();
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('calendar_overrides');
}
