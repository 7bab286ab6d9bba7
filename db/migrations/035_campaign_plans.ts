import type { Knex } from 'knex';
import { CAMPAIGN_PLAN_CHAIN } from '../../domain/builtin-chains';

/**
 * One plan up the tree (行动计划): the city's consolidated 项目清单+责任制 goes to the province as one
 * application (type campaign_plan, on its built-in chain). Each submission keeps the plan as it was sent
 * (revision numbers from 1); a project the city returns to its region carries the return until the
 * region revises it.
 */
export async function up(knex: Knex): Promise<void> {
  const c = CAMPAIGN_PLAN_CHAIN;
  await knex.raw(
    `INSERT INTO chain_definitions (key, version, name, definition, created_by, type)
     SELECT ?, ?, ?, ?::jsonb, 'system', ? WHERE NOT EXISTS (SELECT 1 FROM chain_definitions WHERE owner_org IS NULL AND key = ?)`,
    [c.key, c.version, c.name, JSON.stringify(c), c.type, c.key],
  );
  await knex.schema.createTable('campaign_plan_submissions', (t) => {
    t.text('campaign_id').notNullable().references('campaigns.id');
    t.integer('revision').notNullable();
    t.text('application_id').notNullable();
    t.text('submitted_by').notNullable();
    t.timestamp('submitted_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('note');
    /** The consolidated plan as it was sent (domain/campaign-plan.ts `CampaignPlan`). */
    t.jsonb('plan').notNullable();
    t.primary(['campaign_id', 'revision']);
  });
  await knex.schema.alterTable('projects', (t) => {
    t.timestamp('plan_returned_at', { useTz: true });
    t.text('plan_returned_by');
    t.text('plan_return_comment');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('projects', (t) => {
    t.dropColumn('plan_returned_at');
    t.dropColumn('plan_returned_by');
    t.dropColumn('plan_return_comment');
  });
  await knex.schema.dropTable('campaign_plan_submissions');
  await knex('chain_definitions').where({ key: CAMPAIGN_PLAN_CHAIN.key }).whereNull('owner_org').delete();
}
