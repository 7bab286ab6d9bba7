import type { Knex } from 'knex';

/**
 * 已办 (done by me): who decided each task, as the workflow recorded it (the
 * holder, a delegate's owner, or an overriding admin), so the 已办 view lists
 * exactly the tasks the caller decided. Rows decided before this migration
 * keep null and do not appear in 已办.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('tasks', (t) => {
    t.text('decided_by');
  });
  await knex.raw('CREATE INDEX tasks_decided_by ON tasks (decided_by, completed_at DESC) WHERE decided_by IS NOT NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS tasks_decided_by');
  await knex.schema.alterTable('tasks', (t) => {
    t.dropColumn('decided_by');
  });
}
