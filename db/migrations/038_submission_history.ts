import type { Knex } from 'knex';

/**
 * What was submitted can be read back (报送留痕): every version of a region's
 * implementation plan (实施方案) and every revision of its project list
 * (项目清单), with who sent it and when. A resubmission adds a version and
 * keeps the earlier ones; the current plan stays in campaign_regions.plan.
 * Plans submitted before this migration become version 1 (their sender is
 * unknown). An index serves the member roster's campaign and union filters.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('region_plan_versions', (t) => {
    t.text('campaign_id').notNullable().references('campaigns.id');
    t.text('region_org').notNullable().references('orgs.id');
    t.integer('version').notNullable();
    t.jsonb('plan').notNullable();
    t.text('submitted_by');
    t.text('event_key').unique();
    t.timestamp('submitted_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['campaign_id', 'region_org', 'version']);
  });
  await knex.raw(`
    INSERT INTO region_plan_versions (campaign_id, region_org, version, plan, submitted_at)
    SELECT campaign_id, org_id, 1, plan, coalesce(plan_submitted_at, updated_at) FROM campaign_regions WHERE plan IS NOT NULL`);

  await knex.schema.createTable('project_list_revisions', (t) => {
    t.text('campaign_id').notNullable().references('campaigns.id');
    t.text('region_org').notNullable().references('orgs.id');
    t.integer('revision').notNullable();
    t.text('application_id').notNullable();
    t.jsonb('projects').notNullable();
    t.text('submitted_by');
    t.timestamp('submitted_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['campaign_id', 'region_org', 'revision']);
  });

  await knex.raw('CREATE INDEX members_campaign_union ON members (campaign_id, union_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX members_campaign_union');
  await knex.schema.dropTable('project_list_revisions');
  await knex.schema.dropTable('region_plan_versions');
}
