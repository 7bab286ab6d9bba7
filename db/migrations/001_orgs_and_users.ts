import type { Knex } from 'knex';

/** The organization tree (组织树), target groups (重点群体) and user accounts. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('orgs', (t) => {
    t.text('id').primary();
    t.text('name').notNullable();
    t.text('kind').notNullable(); // national | province | city | county | industry | township | community | grassroots
    t.text('parent_id').references('orgs.id');
    // Ancestor path, root first, '/'-joined and ending in '/', so "in scope of X" is a prefix match.
    t.text('path').notNullable();
    t.specificType('groups', 'text[]').notNullable().defaultTo('{}');
    t.index(['parent_id']);
  });
  await knex.raw('CREATE INDEX orgs_path_prefix ON orgs (path text_pattern_ops)');

  await knex.schema.createTable('target_groups', (t) => {
    t.text('id').primary();
    t.text('name').notNullable();
    t.text('industry_union_id').references('orgs.id');
  });

  await knex.schema.createTable('users', (t) => {
    t.text('username').primary();
    t.text('name').notNullable();
    t.text('org_id').notNullable().references('orgs.id');
    t.specificType('roles', 'text[]').notNullable();
    t.text('password_hash').notNullable();
    t.boolean('active').notNullable().defaultTo(true);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['org_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('users');
  await knex.schema.dropTable('target_groups');
  await knex.schema.dropTable('orgs');
}
