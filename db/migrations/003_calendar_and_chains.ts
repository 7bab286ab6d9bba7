import type { Knex } from 'knex';
import { MEMBERSHIP_CHAIN, SUBSIDY_CHAIN, TRANSFER_CHAIN } from '../../domain/builtin-chains';
import { OFFICIAL_CALENDAR } from '../../domain/calendar-data';

/** Ships the published official calendars (2024–2026) and version 1 of the built-in chains. */
export async function up(knex: Knex): Promise<void> {
  await knex('calendar_days')
    .insert(OFFICIAL_CALENDAR.map((d) => ({ date: d.date, kind: d.kind, name: d.name })))
    .onConflict('date')
    .ignore();
  await knex('chain_definitions')
    .insert(
      [SUBSIDY_CHAIN, MEMBERSHIP_CHAIN, TRANSFER_CHAIN].map((c) => ({
        key: c.key,
        version: c.version,
        name: c.name,
        definition: JSON.stringify(c),
        created_by: 'system',
      })),
    )
    .onConflict(['key', 'version'])
    .ignore();
}

export async function down(knex: Knex): Promise<void> {
  await knex('chain_definitions').where({ created_by: 'system', version: 1 }).delete();
  await knex('calendar_days').delete();
}
