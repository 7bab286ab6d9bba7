import type { Knex } from 'knex';
import { CHAIN_CHANGE_CHAIN } from '../../domain/builtin-chains';

/**
 * Chains belong to an org (审批链归属): `owner_org` names it (null: the
 * global built-ins, the default everywhere), versions count per (owner, key),
 * and `type` is kept beside the definition so an application finds its chain
 * by type from its org upwards with one indexed query. A version saved by an
 * approved change (审批链变更) names that application, once. Applications
 * record whose chain they run. Ships the built-in chain_change chain.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('chain_definitions', (t) => {
    t.text('owner_org').references('orgs.id');
    t.text('type');
    t.text('source_application').unique();
  });
  await knex.raw(`UPDATE chain_definitions SET type = definition->>'type'`);
  await knex.schema.alterTable('chain_definitions', (t) => {
    t.dropPrimary();
    t.text('type').notNullable().alter();
  });
  // One version number per (owner, key); the global chains share the owner ''.
  await knex.raw(`CREATE UNIQUE INDEX chain_definitions_owner_key_version ON chain_definitions ((coalesce(owner_org, '')), key, version)`);
  await knex.raw(`CREATE INDEX chain_definitions_type_owner ON chain_definitions (type, owner_org)`);
  await knex.schema.alterTable('applications', (t) => {
    t.text('chain_owner');
  });
  const c = CHAIN_CHANGE_CHAIN;
  await knex.raw(
    `INSERT INTO chain_definitions (key, version, name, definition, created_by, type)
     SELECT ?, ?, ?, ?::jsonb, 'system', ? WHERE NOT EXISTS (SELECT 1 FROM chain_definitions WHERE owner_org IS NULL AND key = ?)`,
    [c.key, c.version, c.name, JSON.stringify(c), c.type, c.key],
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex('chain_definitions').where({ key: CHAIN_CHANGE_CHAIN.key }).whereNull('owner_org').delete();
  // Org-owned versions cannot survive the global (key, version) key again.
  await knex('chain_definitions').whereNotNull('owner_org').delete();
  await knex.schema.alterTable('applications', (t) => {
    t.dropColumn('chain_owner');
  });
  await knex.raw('DROP INDEX chain_definitions_type_owner');
  await knex.raw('DROP INDEX chain_definitions_owner_key_version');
  await knex.schema.alterTable('chain_definitions', (t) => {
    t.dropColumn('source_application');
    t.dropColumn('type');
    t.dropColumn('owner_org');
    t.primary(['key', 'version']);
  });
}
