import type { Knex } from 'knex';

/**
 * No answer depends on someone else's membership (issue 11):
 * - `members.phone_hash`: the keyed hash of the member's verified phone, so an
 *   application is turned into a transfer of an existing member only when its
 *   name and verified phone match the record. Rows recorded before it have
 *   none and never match (their applications go to the identity reviewer).
 * - `id_lookups`: every look-up of a member by ID number (a transfer by ID
 *   number, a progress report's members, a reviewer's view of the membership
 *   fact): who, when, which keyed hash (never the number), why and about what.
 *   Append-only, like audit_log.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('members', (t) => {
    t.text('phone_hash');
  });
  await knex.schema.createTable('id_lookups', (t) => {
    t.bigIncrements('id');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('actor').notNullable();
    t.text('id_number_hash').notNullable();
    /** transfer | progress | review | publicStatus */
    t.text('reason').notNullable();
    /** The application, project or task the look-up was for. */
    t.text('subject');
    t.index(['actor', 'at']);
    t.index(['id_number_hash']);
  });
  await knex.raw(`
    CREATE FUNCTION id_lookups_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'id_lookups is append-only (% refused)', TG_OP;
    END $$;
    CREATE TRIGGER id_lookups_no_update BEFORE UPDATE OR DELETE ON id_lookups
      FOR EACH ROW EXECUTE FUNCTION id_lookups_append_only();
    CREATE TRIGGER id_lookups_no_truncate BEFORE TRUNCATE ON id_lookups
      FOR EACH STATEMENT EXECUTE FUNCTION id_lookups_append_only();
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE id_lookups; DROP FUNCTION id_lookups_append_only()');
  await knex.schema.alterTable('members', (t) => {
    t.dropColumn('phone_hash');
  });
}
