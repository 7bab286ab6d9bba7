import type { Knex } from 'knex';

/**
 * What the authorization policy needs of a task, kept on the projection:
 * the path of the task's org (where its approvers sit — for a named user,
 * their org) and whether its step shows full personal data (身份审核), so
 * the API judges overrides and hand-offs as the workflow's validator does.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('tasks', (t) => {
    t.text('org_path');
    t.boolean('shows_personal_data').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('tasks', (t) => {
    t.dropColumn('org_path');
    t.dropColumn('shows_personal_data');
  });
}
