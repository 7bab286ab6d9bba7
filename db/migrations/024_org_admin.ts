import type { Knex } from 'knex';

/**
 * 组织机构管理: orgs an admin can create, rename, move and deactivate.
 * `active` (a deactivated org stays in the tree for history, but takes no new
 * members or applications), `area` (the area a grassroots union covers),
 * `subkind` (for grassroots: enterprise | joint | industry_federation |
 * regional_federation — 企业工会、联合工会、行业工会联合会、区域工会联合会),
 * and when the row was created and last changed.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('orgs', (t) => {
    t.boolean('active').notNullable().defaultTo(true);
    t.text('area');
    t.text('subkind');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('orgs', (t) => {
    t.dropColumns('active', 'area', 'subkind', 'created_at', 'updated_at');
  });
}
