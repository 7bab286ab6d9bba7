import type { Knex } from 'knex';

/**
 * The province's bulletin of cities (全省通报): the province sets its own
 * period (每月 … 每年, P1M–P12M) — one settings row per province — and each
 * bulletin is an immutable snapshot ranking its cities, one per (province,
 * period), delivered in the app to the province's supervisors (督办).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('province_bulletin_settings', (t) => {
    t.text('org_id').primary().references('orgs.id');
    t.text('every').notNullable(); // P1M … P12M
    t.text('updated_by').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('province_bulletins', (t) => {
    t.text('id').primary();
    t.text('org_id').notNullable().references('orgs.id');
    t.integer('seq').notNullable();
    // '2026-07~2026-10' for a scheduled period (Beijing months, end exclusive); 'adhoc:<request>' on demand.
    t.text('period').notNullable();
    t.text('kind').notNullable(); // scheduled | on_demand
    t.integer('year').notNullable(); // the campaign year the bulletin covers
    t.text('issued_by').notNullable();
    t.timestamp('issued_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.jsonb('data').notNullable();
    t.jsonb('recipients').notNullable().defaultTo('[]');
    t.text('workflow_id');
    t.unique(['org_id', 'period']);
    t.unique(['org_id', 'seq']);
  });
  await knex.raw(`ALTER TABLE province_bulletins ADD CONSTRAINT province_bulletins_kind CHECK (kind IN ('scheduled', 'on_demand'))`);
  await knex.raw(`
    CREATE FUNCTION province_bulletins_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'province bulletins are immutable snapshots (% refused)', TG_OP;
    END $$;
    CREATE TRIGGER province_bulletins_no_update BEFORE UPDATE OR DELETE ON province_bulletins
      FOR EACH ROW EXECUTE FUNCTION province_bulletins_immutable();
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE province_bulletins; DROP FUNCTION province_bulletins_immutable()');
  await knex.schema.dropTable('province_bulletin_settings');
}
