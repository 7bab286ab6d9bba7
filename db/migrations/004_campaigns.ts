import type { Knex } from 'knex';

/**
 * Campaigns (建会入会集中行动) and what their phases collect: the enterprise
 * registry and ledger from the survey (五清, 挂号/销号), regions' plans and
 * project lists, tracked projects with progress and inspections, phase
 * summaries and the final ranking. Kept current by the campaign workflows.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('campaigns', (t) => {
    t.text('id').primary();
    t.text('name').notNullable();
    t.integer('year').notNullable();
    t.text('city_org').notNullable().references('orgs.id');
    t.jsonb('config').notNullable(); // regions, groups, targets, phases, reportEvery
    t.text('phase').notNullable(); // pending | survey | listing | implementation | assessment | closed
    t.timestamp('phase_started_at', { useTz: true });
    t.timestamp('phase_ends_at', { useTz: true });
    t.text('workflow_id').notNullable().unique();
    t.text('created_by').notNullable();
    t.text('created_by_key');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('closed_at', { useTz: true });
    t.index(['city_org', 'year']);
  });

  await knex.schema.createTable('campaign_regions', (t) => {
    t.text('campaign_id').notNullable().references('campaigns.id');
    t.text('org_id').notNullable().references('orgs.id');
    t.text('status').notNullable().defaultTo('active'); // active | overdue | done
    t.integer('target_members').notNullable().defaultTo(0);
    t.integer('target_unions').notNullable().defaultTo(0);
    t.jsonb('plan');
    t.timestamp('plan_submitted_at', { useTz: true });
    t.text('list_application_id');
    t.text('list_status'); // pending | returned | approved | rejected
    t.jsonb('overdue').notNullable().defaultTo('[]'); // [{ phase, item, since, level }]
    t.decimal('score', 8, 2);
    t.integer('rank');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['campaign_id', 'org_id']);
  });

  await knex.schema.createTable('enterprises', (t) => {
    t.bigIncrements('id');
    t.text('campaign_id').notNullable().references('campaigns.id');
    t.text('region_org').notNullable().references('orgs.id');
    t.text('name').notNullable();
    t.text('credit_code');
    t.text('address');
    t.integer('employees').notNullable();
    t.jsonb('group_counts').notNullable().defaultTo('{}');
    t.boolean('has_union').notNullable();
    t.text('reason_no_union');
    t.text('employer_attitude'); // supportive | neutral | resistant | unknown (法人思想动态)
    t.date('operating_since');
    // own_union_mandatory (≥100) | own_union (≥25, a year in operation) | joint_coverage (<25) | has_union
    t.text('classification').notNullable();
    // 挂号销号: registered as a target, crossed off when its union is established
    t.text('ledger_status').notNullable(); // registered | crossed_off | not_target
    t.timestamp('crossed_off_at', { useTz: true });
    t.text('upload_batch').notNullable();
    t.integer('row_no').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['campaign_id', 'region_org', 'classification']);
  });
  // One file per enterprise (一企一档): re-uploading the same enterprise updates it.
  await knex.raw('CREATE UNIQUE INDEX enterprises_identity ON enterprises (campaign_id, region_org, coalesce(credit_code, name))');

  await knex.schema.createTable('upload_batches', (t) => {
    t.text('id').primary();
    t.text('campaign_id').notNullable().references('campaigns.id');
    t.text('region_org').notNullable();
    t.text('uploaded_by').notNullable();
    t.integer('accepted').notNullable();
    t.integer('rejected').notNullable();
    t.jsonb('result').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('projects', (t) => {
    t.text('id').primary();
    t.text('campaign_id').notNullable().references('campaigns.id');
    t.text('region_org').notNullable().references('orgs.id');
    t.text('kind').notNullable(); // organizing | service
    t.text('type').notNullable();
    t.text('name').notNullable();
    t.text('location');
    t.integer('planned_members').notNullable().defaultTo(0);
    t.integer('planned_coverage').notNullable().defaultTo(0);
    t.specificType('groups', 'text[]').notNullable().defaultTo('{}');
    t.text('responsible_unit').notNullable();
    t.date('due_date');
    t.specificType('enterprise_ids', 'bigint[]').notNullable().defaultTo('{}');
    t.decimal('subsidy_amount', 14, 2);
    t.text('status').notNullable(); // proposed | approved | in_progress | rectifying | qualified | unqualified
    t.text('list_application_id');
    t.text('subsidy_application_id');
    t.text('assessment_application_id');
    t.integer('members_recruited').notNullable().defaultTo(0);
    t.integer('unions_established').notNullable().defaultTo(0);
    t.integer('coverage_done').notNullable().defaultTo(0);
    t.jsonb('self_assessment');
    t.timestamp('rectify_deadline', { useTz: true });
    t.text('workflow_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['campaign_id', 'region_org', 'status']);
  });

  await knex.schema.createTable('project_events', (t) => {
    t.bigIncrements('id');
    t.text('event_key').notNullable().unique();
    t.text('project_id').notNullable().references('projects.id');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('actor').notNullable();
    t.text('kind').notNullable(); // progress | inspection | milestone | assessment | status
    t.jsonb('data').notNullable().defaultTo('{}');
    t.index(['project_id', 'id']);
  });

  await knex.schema.createTable('phase_summaries', (t) => {
    t.text('campaign_id').notNullable().references('campaigns.id');
    t.text('phase').notNullable();
    t.timestamp('closed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('closed_by').notNullable();
    t.text('reason');
    t.jsonb('summary').notNullable();
    t.primary(['campaign_id', 'phase']);
  });

  await knex.schema.alterTable('members', (t) => {
    t.text('campaign_id');
    t.text('project_id');
    t.index(['campaign_id', 'project_id']);
  });
  await knex.schema.alterTable('applications', (t) => {
    t.text('campaign_id');
    t.text('project_id');
    t.index(['campaign_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('applications', (t) => {
    t.dropColumn('campaign_id');
    t.dropColumn('project_id');
  });
  await knex.schema.alterTable('members', (t) => {
    t.dropColumn('campaign_id');
    t.dropColumn('project_id');
  });
  for (const table of ['phase_summaries', 'project_events', 'projects', 'upload_batches', 'enterprises', 'campaign_regions', 'campaigns'])
    await knex.schema.dropTable(table);
}
