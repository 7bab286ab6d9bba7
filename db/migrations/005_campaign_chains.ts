import type { Knex } from 'knex';
import { PROJECT_LIST_CHAIN, SELF_ASSESSMENT_CHAIN } from '../../domain/builtin-chains';

/** Version 1 of the campaign chains: project list review and self-assessment review. */
export async function up(knex: Knex): Promise<void> {
  await knex('chain_definitions')
    .insert(
      [PROJECT_LIST_CHAIN, SELF_ASSESSMENT_CHAIN].map((c) => ({
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
  await knex('chain_definitions').whereIn('key', ['project_list', 'self_assessment']).andWhere({ version: 1, created_by: 'system' }).delete();
}
