import type { Knex } from 'knex';

/**
 * Retention (数据保留) and the reveal audit (个人信息查看记录):
 *
 * - `retention_runs`: one row per run of the daily retention job, with what it
 *   erased and purged; `run_key` (the workflow id and run id) makes a retried
 *   activity find its own row instead of running twice.
 * - `applications.personal_data_erased_at`: when the retention job erased the
 *   name, ID and phone of a rejected or withdrawn application (the row, its
 *   masked values and its audit trail stay).
 * - An index for the reveal audit: the `personalDataViewed` rows of
 *   `audit_log`, newest first.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('retention_runs', (t) => {
    t.bigIncrements('id');
    t.text('run_key').notNullable().unique();
    t.timestamp('started_at', { useTz: true }).notNullable();
    t.timestamp('finished_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('retention_days').notNullable();
    t.timestamp('erase_before', { useTz: true }).notNullable();
    t.integer('applications_erased').notNullable();
    t.integer('tasks_updated').notNullable();
    t.integer('notifications_updated').notNullable();
    t.integer('idempotency_keys_deleted').notNullable();
    t.integer('notifications_deleted').notNullable();
    t.index(['finished_at']);
  });
  await knex.schema.alterTable('applications', (t) => {
    t.timestamp('personal_data_erased_at', { useTz: true });
  });
  await knex.raw(`CREATE INDEX audit_log_reveals ON audit_log (id DESC) WHERE action = 'personalDataViewed'`);
  await knex.raw(`CREATE INDEX notifications_read_at ON notifications (read_at) WHERE read_at IS NOT NULL`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX notifications_read_at');
  await knex.raw('DROP INDEX audit_log_reveals');
  await knex.schema.alterTable('applications', (t) => {
    t.dropColumn('personal_data_erased_at');
  });
  await knex.schema.dropTable('retention_runs');
}
