import type { Knex } from 'knex';

/**
 * 管理操作记录: every change an admin makes to the org tree, accounts, posts,
 * deputies and the working calendar — who, when, what, on which org or user,
 * with the before/after in `data`. `org_path` is the path of the org the change
 * concerns, so an admin reads the changes within their subtree by prefix.
 * Append-only, like `audit_log`: the database refuses UPDATE, DELETE and TRUNCATE.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('admin_audit', (t) => {
    t.bigIncrements('id');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('actor').notNullable();
    t.text('action').notNullable();
    t.text('subject_kind').notNullable(); // org | user | post | deputy | calendar | rotation
    t.text('subject_id').notNullable();
    t.text('org_path').notNullable();
    t.jsonb('data');
  });
  await knex.raw('CREATE INDEX admin_audit_org_path ON admin_audit (org_path text_pattern_ops, id DESC)');
  await knex.raw('CREATE INDEX admin_audit_subject ON admin_audit (subject_kind, subject_id, id DESC)');
  await knex.raw(`
    CREATE FUNCTION admin_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'admin_audit is append-only (% refused)', TG_OP;
    END $$;
    CREATE TRIGGER admin_audit_no_update BEFORE UPDATE OR DELETE ON admin_audit
      FOR EACH ROW EXECUTE FUNCTION admin_audit_append_only();
    CREATE TRIGGER admin_audit_no_truncate BEFORE TRUNCATE ON admin_audit
      FOR EACH STATEMENT EXECUTE FUNCTION admin_audit_append_only();
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('admin_audit');
  await knex.raw('DROP FUNCTION admin_audit_append_only()');
}
