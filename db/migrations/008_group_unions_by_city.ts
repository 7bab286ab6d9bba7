import type { Knex } from 'knex';

/**
 * Each city assigns the target groups to its own industry unions (seed 004:
 * 平顶山's care workers → 科教文卫体工会; 许昌 has its own 工交工会). The single
 * `target_groups.industry_union_id` stays as the province-wide default.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('group_industry_unions', (t) => {
    t.text('group_id').notNullable().references('target_groups.id').onDelete('CASCADE');
    t.text('city_id').notNullable().references('orgs.id');
    t.text('union_id').notNullable().references('orgs.id');
    t.primary(['group_id', 'city_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('group_industry_unions');
}
