import type { Knex } from 'knex';

/**
 * 字段权限 (field permissions per step): each task keeps its step's `fields`
 * (form field → read | edit | hidden) as the workflow recorded it when the
 * task was written, so the API shows an approver the form as their step
 * allows without asking the workflow (whose history may be gone). Null: the
 * step says nothing, every field read.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('tasks', (t) => {
    t.jsonb('fields');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('tasks', (t) => {
    t.dropColumn('fields');
  });
}
