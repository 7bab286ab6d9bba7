import type { Knex } from 'knex';

/**
 * 代理/委托 (deputies while away): a person names a deputy for a time range,
 * optionally for some application types only (`types` null = all types).
 * Steps that start during the range go to the deputy. At most one range per
 * user is in force or ahead at a time: a new one ends the previous one
 * (`ended_at`), as DELETE does; rows are never removed, so the history stays.
 *
 * `tasks.deputies` (absent → deputy) is what the workflow recorded when the
 * task opened: the deputy holds it, the absent person sees it read-only.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('deputies', (t) => {
    t.bigIncrements('id');
    t.text('username').notNullable().references('username').inTable('users');
    t.text('deputy').notNullable().references('username').inTable('users');
    t.timestamp('starts_at', { useTz: true }).notNullable();
    t.timestamp('ends_at', { useTz: true }).notNullable();
    t.specificType('types', 'text[]');
    t.text('created_by').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('ended_at', { useTz: true });
  });
  await knex.raw('ALTER TABLE deputies ADD CONSTRAINT deputies_range CHECK (ends_at > starts_at)');
  await knex.raw('ALTER TABLE deputies ADD CONSTRAINT deputies_not_self CHECK (deputy <> username)');
  // The range in force or ahead, per user: one at most.
  await knex.raw('CREATE INDEX deputies_current ON deputies (username, ends_at) WHERE ended_at IS NULL');
  await knex.schema.alterTable('tasks', (t) => {
    t.jsonb('deputies');
  });
  // The absent person's read-only inbox: tasks whose `deputies` names them.
  await knex.raw('CREATE INDEX tasks_deputies ON tasks USING gin (deputies) WHERE deputies IS NOT NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS tasks_deputies');
  await knex.schema.alterTable('tasks', (t) => {
    t.dropColumn('deputies');
  });
  await knex.schema.dropTable('deputies');
}
