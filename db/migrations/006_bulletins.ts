import type { Knex } from 'knex';

/**
 * Progress bulletins (通报): immutable snapshots, one per campaign and
 * period, and their delivery to each supervisor — in the app and by email —
 * recorded per recipient and channel. Users get an optional email address.
 * The indexes serve the bulletin's aggregates at province scale (npm run
 * bench:reports).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.text('email');
  });

  await knex.schema.createTable('reports', (t) => {
    t.text('id').primary();
    t.text('campaign_id').notNullable().references('campaigns.id');
    t.integer('seq').notNullable(); // 第N期: numbered per campaign
    // 'P3' for the third scheduled period; 'adhoc:<request>' for an on-demand issue.
    t.text('period').notNullable();
    t.integer('period_index');
    t.timestamp('period_start', { useTz: true });
    t.timestamp('period_end', { useTz: true });
    t.text('kind').notNullable(); // scheduled | on_demand
    t.text('issued_by').notNullable(); // 'system' for scheduled bulletins
    t.timestamp('issued_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.jsonb('data').notNullable();
    // The database snapshot the figures were read in (pg_snapshot_xmin) and its time.
    t.text('data_version').notNullable();
    t.timestamp('data_as_of', { useTz: true }).notNullable();
    t.text('workflow_id');
    t.unique(['campaign_id', 'period']); // never two bulletins for one period, however runs race
    t.unique(['campaign_id', 'seq']);
  });
  await knex.raw(`ALTER TABLE reports ADD CONSTRAINT reports_kind CHECK (kind IN ('scheduled', 'on_demand'))`);
  // A bulletin once issued is a record: the database refuses to change or remove it.
  await knex.raw(`
    CREATE FUNCTION reports_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'reports are immutable snapshots (% refused)', TG_OP;
    END $$;
    CREATE TRIGGER reports_no_update BEFORE UPDATE OR DELETE ON reports
      FOR EACH ROW EXECUTE FUNCTION reports_immutable();
  `);

  await knex.schema.createTable('report_deliveries', (t) => {
    t.bigIncrements('id');
    t.text('report_id').notNullable().references('reports.id');
    t.text('username').notNullable().references('users.username');
    t.text('channel').notNullable(); // app | email
    // pending → sending → sent; failed after the last retry; skipped when there is no address
    t.text('status').notNullable();
    t.text('address');
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error');
    t.timestamp('claimed_at', { useTz: true });
    t.timestamp('sent_at', { useTz: true });
    t.timestamp('read_at', { useTz: true });
    t.text('message_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['report_id', 'username', 'channel']);
  });
  await knex.raw(`ALTER TABLE report_deliveries ADD CONSTRAINT report_deliveries_channel CHECK (channel IN ('app', 'email'))`);
  await knex.raw(`ALTER TABLE report_deliveries ADD CONSTRAINT report_deliveries_status CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped'))`);
  await knex.raw('CREATE INDEX report_deliveries_inbox ON report_deliveries (username, channel, created_at DESC)');

  // ---- What the bulletin's aggregates read, at province scale (npm run bench:reports) ----
  // A member counts where they work: the area of their online application (网上入会), else their
  // union. Kept on the row by a trigger (one primary-key lookup per insert), so counting members by
  // area needs no join with the applications.
  await knex.raw(`
    ALTER TABLE members ADD COLUMN area_org text;
    CREATE FUNCTION members_area_org() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.area_org := coalesce((SELECT a.applicant_org FROM applications a WHERE a.id = NEW.source_application), NEW.union_id);
      RETURN NEW;
    END $$;
    CREATE TRIGGER members_area_org BEFORE INSERT OR UPDATE OF source_application, union_id ON members
      FOR EACH ROW EXECUTE FUNCTION members_area_org();
    UPDATE members m SET area_org = coalesce((SELECT a.applicant_org FROM applications a WHERE a.id = m.source_application), m.union_id);
  `);
  // Covering indexes, so the member counts are index-only scans: the campaign's project members…
  await knex.raw('CREATE INDEX members_campaign_tally ON members (campaign_id, area_org, group_id) WHERE campaign_id IS NOT NULL');
  // …and members who joined outside any campaign project since a date (online joins).
  await knex.raw('CREATE INDEX members_joined_tally ON members (joined_at, area_org, group_id) INCLUDE (source_application) WHERE campaign_id IS NULL');
  // Online applications by area, group and status since a date: the group lives in the payload, so it is
  // kept in a generated column that an index can cover.
  await knex.raw(`ALTER TABLE applications ADD COLUMN member_group text GENERATED ALWAYS AS (CASE WHEN type = 'membership' THEN payload->>'group' END) STORED`);
  await knex.raw(`CREATE INDEX applications_membership_tally ON applications (created_at, applicant_org, member_group, status) WHERE type = 'membership'`);
  // Approvals past their time limit: the few pending tasks, found by their due time.
  await knex.raw(`CREATE INDEX tasks_pending_due ON tasks (due_at) INCLUDE (application_id, kind) WHERE status = 'pending'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP INDEX IF EXISTS tasks_pending_due;
    DROP INDEX IF EXISTS applications_membership_tally;
    ALTER TABLE applications DROP COLUMN IF EXISTS member_group;
    DROP INDEX IF EXISTS members_joined_tally;
    DROP INDEX IF EXISTS members_campaign_tally;
    DROP TRIGGER IF EXISTS members_area_org ON members;
    DROP FUNCTION IF EXISTS members_area_org();
    ALTER TABLE members DROP COLUMN IF EXISTS area_org;
  `);
  await knex.schema.dropTable('report_deliveries');
  await knex.raw('DROP TABLE reports; DROP FUNCTION reports_immutable()');
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('email');
  });
}
