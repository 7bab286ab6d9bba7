import type { Knex } from 'knex';

/**
 * The public join page's verified phones (issue 11):
 *
 * - `sms_codes`: one-time codes (6 digits, 5 minutes, 5 tries), stored as a
 *   keyed hash, found by the phone's keyed hash and the purpose; a code is
 *   consumed once used successfully.
 * - `sms_outbox`: the development SMS provider's messages (SMS_PROVIDER=outbox):
 *   the phone only masked and as its keyed hash, never in clear.
 * - `captchas`: CAPTCHA challenges (svg-captcha); the answer stored hashed,
 *   one use, with an expiry.
 * - `applications.public_ref`: the short reference a worker can read out
 *   (e.g. RH2611-4821), unique, set when an application is created on the
 *   public page.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sms_codes', (t) => {
    t.bigIncrements('id').primary();
    t.text('phone_hash').notNullable();
    t.text('purpose').notNullable();
    t.text('code_hash').notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('consumed_at', { useTz: true }).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['phone_hash', 'purpose', 'id']);
    t.index(['expires_at']);
  });
  await knex.schema.createTable('sms_outbox', (t) => {
    t.bigIncrements('id').primary();
    t.text('phone_hash').notNullable();
    t.text('phone_masked').notNullable();
    t.text('text').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['phone_hash', 'id']);
  });
  await knex.schema.createTable('captchas', (t) => {
    t.text('id').primary();
    t.text('answer_hash').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true }).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['expires_at']);
  });
  await knex.schema.alterTable('applications', (t) => {
    t.text('public_ref').nullable().unique();
  });
  // The status look-up finds a person's applications by the phone's keyed hash in the payload.
  await knex.raw(`CREATE INDEX applications_payload_phone_hash ON applications ((payload->>'phoneHash'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS applications_payload_phone_hash');
  await knex.schema.alterTable('applications', (t) => {
    t.dropColumn('public_ref');
  });
  await knex.schema.dropTable('captchas');
  await knex.schema.dropTable('sms_outbox');
  await knex.schema.dropTable('sms_codes');
}
