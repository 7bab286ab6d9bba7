import type { Knex } from 'knex';

/**
 * Runs of `npm run pii:rotate` (re-encrypting personal data with the newest
 * key): per table the last primary key done and the counts, written in the
 * same transaction as each batch, so a run that was stopped continues where
 * its last committed batch ended. Holds key ids and primary keys, no personal
 * data.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('pii_rotations', (t) => {
    t.bigIncrements('id');
    t.text('target_kid').notNullable();
    t.integer('batch_size').notNullable();
    /** { tables: { [table]: { after: string[] | null, done, scanned, total, finished } } } */
    t.jsonb('state').notNullable().defaultTo('{"tables":{}}');
    t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true });
  });
  // At most one unfinished run per target key: a second process resumes it instead of starting another.
  await knex.raw('CREATE UNIQUE INDEX pii_rotations_one_open ON pii_rotations (target_kid) WHERE finished_at IS NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('pii_rotations');
}
