import type { Knex } from 'knex';

/**
 * Members count when verified (实名核验, issue 16). A progress report's
 * members wait in `member_reports` until a reviewer of the project's region
 * (or of the city) verifies them; only then do they enter `members` and
 * `projects.members_recruited`. `projects.members_pending` holds the count
 * still waiting, kept apart from the verified one.
 *
 * A row records what the automatic checks found when it was reported (kept
 * for the verifier only: whether the person was already a member elsewhere),
 * which union admits the member and why (a dispatched worker: the dispatch
 * agency's union, else the host employer's), and the decision: verified as a
 * new member or as a transfer (会籍转移, counted at the place of work and no
 * longer where they came from), or rejected with a reason the submitter reads.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('member_reports', (t) => {
    t.bigIncrements('id');
    t.text('campaign_id').notNullable();
    t.text('project_id').notNullable();
    t.text('region_org').notNullable().references('orgs.id');
    /** The progress report's event key (project_events.event_key). */
    t.text('report_key').notNullable();
    t.text('reported_by').notNullable();
    t.text('name').notNullable();
    t.text('id_number_hash').notNullable();
    t.text('id_number_enc').notNullable();
    t.text('id_number_masked').notNullable();
    t.text('phone_enc');
    t.text('phone_hash');
    t.text('phone_masked');
    t.text('group_id');
    /** Where the member works (the host employer for a dispatched worker). */
    t.text('employer').notNullable();
    t.boolean('dispatched').notNullable().defaultTo(false);
    /** The dispatch agency (劳务派遣单位) of a dispatched worker. */
    t.text('agency');
    /** The union that admits the member, and why (domain/member-admission.ts). */
    t.text('admitted_union').notNullable().references('orgs.id');
    t.text('admission_rule').notNullable();
    /** What the automatic check found at report time: new | transfer | already_here (shown to the verifier only). */
    t.text('check_kind').notNullable();
    t.text('check_from_union');
    /** pending | verified | rejected */
    t.text('status').notNullable().defaultTo('pending');
    /** On verification: new | transfer. */
    t.text('outcome');
    t.text('transferred_from_union');
    t.text('reason');
    t.text('decided_by');
    t.timestamp('decided_at', { useTz: true });
    t.timestamp('reported_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['project_id', 'status']);
    t.index(['campaign_id', 'region_org', 'status']);
    t.index(['id_number_hash']);
  });
  // A project reports a person once while the report is pending or verified (a rejected one may be reported again).
  await knex.raw("CREATE UNIQUE INDEX member_reports_once ON member_reports (project_id, id_number_hash) WHERE status <> 'rejected'");
  await knex.schema.alterTable('projects', (t) => {
    t.integer('members_pending').notNullable().defaultTo(0);
  });
  await knex.schema.alterTable('members', (t) => {
    /** Set when the member came by a transfer (会籍转移) verified from a progress report: the union they left. */
    t.text('transferred_from');
    /** Which union admitted the member and why (a dispatched worker: 派遣单位工会 / 用工单位工会). */
    t.text('admission_rule');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('members', (t) => {
    t.dropColumn('transferred_from');
    t.dropColumn('admission_rule');
  });
  await knex.schema.alterTable('projects', (t) => {
    t.dropColumn('members_pending');
  });
  await knex.schema.dropTable('member_reports');
}
