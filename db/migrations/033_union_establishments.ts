import type { Knex } from 'knex';
import { UNION_ESTABLISHMENT_CHAIN } from '../../domain/builtin-chains';

/**
 * 建会程序 (establishing a union is a process): one row per union a project
 * establishes — an enterprise union, a joint union or a federation — from its
 * start (a POST or a progress report naming it) to the higher union's
 * approval of its election, when it joins the org tree (`org_id`), its
 * enterprise is crossed off the ledger and the project counts it. One
 * establishment per enterprise and per name in a campaign, whatever reports
 * repeat it (a rejected or withdrawn one leaves room for a new start).
 * Ships version 1 of the built-in union_establishment chain.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('union_establishments', (t) => {
    t.text('id').primary();
    t.text('campaign_id').notNullable().references('campaigns.id');
    t.text('project_id').notNullable().references('projects.id');
    t.text('region_org').notNullable().references('orgs.id');
    t.bigInteger('enterprise_id').references('enterprises.id');
    t.text('name').notNullable();
    // The name as compared for duplicates: whitespace removed, NFKC, lower case.
    t.text('name_key').notNullable();
    t.text('kind').notNullable(); // enterprise | joint | industry_federation | regional_federation
    t.text('status').notNullable(); // in_progress | established | rejected | withdrawn
    t.text('application_id');
    t.text('workflow_id');
    t.text('org_id').references('orgs.id');
    t.text('started_by').notNullable();
    t.text('source').notNullable(); // request | progress
    // How often progress reports named it (claims), and the date the first report claimed.
    t.integer('reports').notNullable().defaultTo(0);
    t.date('claimed_on');
    t.date('election_date');
    t.text('chair');
    t.timestamp('established_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['project_id', 'created_at']);
  });
  await knex.raw(
    `CREATE UNIQUE INDEX union_establishments_enterprise ON union_establishments (campaign_id, enterprise_id)
     WHERE enterprise_id IS NOT NULL AND status IN ('in_progress', 'established')`,
  );
  await knex.raw(
    `CREATE UNIQUE INDEX union_establishments_name ON union_establishments (campaign_id, name_key)
     WHERE status IN ('in_progress', 'established')`,
  );
  const c = UNION_ESTABLISHMENT_CHAIN;
  await knex.raw(
    `INSERT INTO chain_definitions (key, version, name, definition, created_by, type)
     SELECT ?, ?, ?, ?::jsonb, 'system', ? WHERE NOT EXISTS (SELECT 1 FROM chain_definitions WHERE owner_org IS NULL AND key = ?)`,
    [c.key, c.version, c.name, JSON.stringify(c), c.type, c.key],
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex('chain_definitions').where({ key: UNION_ESTABLISHMENT_CHAIN.key }).whereNull('owner_org').delete();
  await knex.schema.dropTable('union_establishments');
}
