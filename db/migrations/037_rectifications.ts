import type { Knex } from 'knex';

/**
 * 整改事项 (rectification items): an inspection finding with a deadline opens
 * one on the project's responsible region. The region reports it done (with a
 * note); the city's inspector or reviewer accepts it (closed) or sends it back
 * (returned, to be reported again). At campaign close whatever is still open
 * lapses. `item_key` makes opening idempotent (the workflow's activity retries).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('rectifications', (t) => {
    t.bigIncrements('id');
    t.text('item_key').notNullable().unique();
    t.text('project_id').notNullable().references('projects.id');
    t.text('campaign_id').notNullable().references('campaigns.id');
    t.text('region_org').notNullable().references('orgs.id');
    t.text('finding').notNullable();
    t.text('severity').notNullable();
    t.date('deadline').notNullable();
    t.date('inspected_on');
    t.text('status').notNullable().defaultTo('open');
    t.text('opened_by').notNullable();
    t.timestamp('opened_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('reported_by');
    t.timestamp('reported_at', { useTz: true });
    t.text('report_note');
    t.text('decided_by');
    t.timestamp('decided_at', { useTz: true });
    t.text('decision_note');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['campaign_id', 'region_org', 'status']);
    t.index(['project_id', 'id']);
  });
  await knex.raw("ALTER TABLE rectifications ADD CONSTRAINT rectifications_status CHECK (status IN ('open', 'reported', 'returned', 'closed', 'lapsed'))");
  await knex.raw("ALTER TABLE rectifications ADD CONSTRAINT rectifications_severity CHECK (severity IN ('minor', 'major', 'serious'))");
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('rectifications');
}
