import type { Knex } from 'knex';

/**
 * The approval engine's tables: chain definitions (versioned), applications
 * and tasks (projections the workflows keep current), the append-only audit
 * trail, notifications, the working-day calendar, members, subsidy notices
 * and the API's idempotency records.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('chain_definitions', (t) => {
    t.text('key').notNullable();
    t.integer('version').notNullable();
    t.text('name').notNullable();
    t.jsonb('definition').notNullable();
    t.text('created_by').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['key', 'version']);
  });

  await knex.schema.createTable('applications', (t) => {
    t.text('id').primary();
    t.text('type').notNullable();
    t.text('chain_key').notNullable();
    t.integer('chain_version').notNullable();
    t.text('applicant'); // username; null for workers applying without an account
    t.text('applicant_org').notNullable().references('orgs.id');
    t.text('target_org').references('orgs.id');
    t.text('title').notNullable();
    t.jsonb('payload').notNullable().defaultTo('{}');
    t.text('status').notNullable();
    t.text('current_step');
    t.text('workflow_id').notNullable().unique();
    t.text('created_by_key'); // the creating request's idempotency key, per caller
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['applicant_org', 'status']);
    t.index(['applicant', 'created_at']);
    t.index(['type', 'status']);
  });

  await knex.schema.createTable('tasks', (t) => {
    t.text('id').primary();
    t.text('application_id').notNullable().references('applications.id');
    t.text('kind').notNullable(); // approval | revision | cc
    t.integer('step_index').notNullable();
    t.text('step_name').notNullable();
    t.text('assignee');
    t.text('owner'); // 委派: the owner while a delegate handles it
    t.text('role');
    t.text('org_id').references('orgs.id');
    t.specificType('candidates', 'text[]').notNullable().defaultTo('{}');
    t.text('status').notNullable();
    t.text('decision');
    t.text('subject').notNullable();
    t.timestamp('due_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('completed_at', { useTz: true });
  });
  await knex.raw('CREATE INDEX tasks_assignee_inbox ON tasks (assignee, status, created_at DESC)');
  await knex.raw('CREATE INDEX tasks_role_inbox ON tasks (org_id, role, status, created_at DESC) WHERE assignee IS NULL');
  await knex.raw('CREATE INDEX tasks_application ON tasks (application_id)');

  await knex.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id');
    t.text('event_key').notNullable().unique(); // derived from the workflow: retries never duplicate
    t.text('application_id').notNullable();
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('actor').notNullable();
    t.text('action').notNullable();
    t.integer('step_index');
    t.text('step');
    t.text('comment');
    t.jsonb('data');
    t.index(['application_id', 'id']);
  });
  // The audit trail is append-only: the database itself refuses UPDATE and DELETE.
  await knex.raw(`
    CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP;
    END $$;
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
  `);

  await knex.schema.createTable('notifications', (t) => {
    t.bigIncrements('id');
    t.text('event_key').notNullable().unique();
    t.text('username').notNullable();
    t.text('application_id');
    t.text('kind').notNullable();
    t.text('message').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('read_at', { useTz: true });
    t.index(['username', 'created_at']);
  });

  await knex.schema.createTable('calendar_days', (t) => {
    t.date('date').primary();
    t.text('kind').notNullable(); // holiday | workday (调休上班)
    t.text('name').notNullable().defaultTo('');
  });

  await knex.schema.createTable('members', (t) => {
    t.bigIncrements('id');
    t.text('id_number_hash').notNullable().unique(); // a member is counted once (输入地)
    t.text('id_number_enc').notNullable();
    t.text('id_number_masked').notNullable();
    t.text('name').notNullable();
    t.text('phone_enc');
    t.text('phone_masked');
    t.text('group_id');
    t.text('employer');
    t.text('union_id').notNullable().references('orgs.id');
    t.text('source_application');
    t.boolean('verified').notNullable().defaultTo(false);
    t.timestamp('joined_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['union_id']);
  });

  await knex.schema.createTable('subsidy_notices', (t) => {
    t.text('application_id').primary().references('applications.id'); // one notice per application
    t.text('notice_no').notNullable().unique();
    t.text('org_id').notNullable().references('orgs.id');
    t.decimal('amount', 14, 2).notNullable();
    t.text('project_id');
    t.timestamp('issued_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('disbursed_at', { useTz: true });
  });

  await knex.schema.createTable('idempotency_keys', (t) => {
    t.text('username').notNullable();
    t.text('key').notNullable();
    t.text('route').notNullable();
    t.integer('status').notNullable();
    t.jsonb('body').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['username', 'key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['idempotency_keys', 'subsidy_notices', 'members', 'calendar_days', 'notifications']) await knex.schema.dropTable(table);
  await knex.raw('DROP TABLE audit_log; DROP FUNCTION audit_log_append_only()');
  for (const table of ['tasks', 'applications', 'chain_definitions']) await knex.schema.dropTable(table);
}
