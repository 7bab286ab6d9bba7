import type { Knex } from 'knex';

/**
 * 消息 that lead somewhere: a campaign's notifications (督办, region
 * reminders) keep the campaign they are about, so the web app links them to
 * its page (an application's notifications link through `application_id`, a
 * bulletin's through its event key). A partial index serves the unread count.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('notifications', (t) => {
    t.text('campaign_id');
  });
  await knex.raw('CREATE INDEX notifications_unread ON notifications (username) WHERE read_at IS NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX notifications_unread');
  await knex.schema.alterTable('notifications', (t) => {
    t.dropColumn('campaign_id');
  });
}
