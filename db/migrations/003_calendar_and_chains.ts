import type { Knex } from 'knex';
import { MEMBERSHIP_CHAIN, SUBSIDY_CHAIN, TRANSFER_CHAIN } from '../../domain/builtin-chains';

/**
 * Ships version 1 of the built-in chains. It used to fill `calendar_days` from a
 * hand-kept table of the official calendars; the official calendar now comes
 * from the library `chinese-days` (domain/official-calendar.ts) and admins'
 * overrides live in `calendar_overrides` (migration 025), so on a fresh
 * database the calendar part of this migration does nothing. Databases
 * migrated before keep their rows; 025 converts those that differ from the
 * library into overrides.
 */
export async function up(knex: Knex): Promise<void> {
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
