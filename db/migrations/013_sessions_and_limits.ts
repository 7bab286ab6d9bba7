import type { Knex } from 'knex';

/**
 * Sessions that end, limits shared by every API process, idempotency keys
 * claimed before the work starts.
 *
 * - `users.tokens_valid_after`: tokens issued before it are refused (logout,
 *   password change); checked on every request, so it applies at once in
 *   every API process.
 * - `users.must_change_password`: set for demo users signing in to a
 *   production deployment and for users given an initial password; while set,
 *   only the password change (and logout) is allowed.
 * - `rate_limits`: the counters of rate-limiter-flexible's Postgres store
 *   (login failures, public join submissions), shared by every API process.
 * - `idempotency_keys`: a row is now inserted when the work starts (status
 *   null: in progress) and completed with the answer; `completed_at` and the
 *   index on `created_at` serve the expiry purge.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.timestamp('tokens_valid_after', { useTz: true, precision: 3 }).nullable();
    t.boolean('must_change_password').notNullable().defaultTo(false);
  });
  await knex.schema.createTable('rate_limits', (t) => {
    // The shape rate-limiter-flexible's RateLimiterPostgres expects.
    t.string('key', 255).primary();
    t.integer('points').notNullable().defaultTo(0);
    t.bigInteger('expire').nullable();
  });
  await knex.schema.alterTable('idempotency_keys', (t) => {
    t.integer('status').nullable().alter();
    t.jsonb('body').nullable().alter();
    t.timestamp('completed_at', { useTz: true }).nullable();
    t.index(['created_at']);
  });
  await knex.raw('UPDATE idempotency_keys SET completed_at = created_at WHERE completed_at IS NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex('idempotency_keys').whereNull('status').delete();
  await knex.schema.alterTable('idempotency_keys', (t) => {
    t.dropIndex(['created_at']);
    t.dropColumn('completed_at');
    t.integer('status').notNullable().alter();
    t.jsonb('body').notNullable().alter();
  });
  await knex.schema.dropTable('rate_limits');
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('must_change_password');
    t.dropColumn('tokens_valid_after');
  });
}
