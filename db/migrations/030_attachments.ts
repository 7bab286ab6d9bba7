import type { Knex } from 'knex';

/**
 * 附件 (attachments) of applications and of their comments. The file itself
 * lives content-addressed under DATA_DIR (attachments/<sha256[0..2]>/<sha256>):
 * the same content is stored once however often it is attached; each
 * attachment is a row here naming the application, optionally the task whose
 * thread it was attached to and the comment it came with, the name shown to
 * users, the size and the type sniffed from the content (never the client's).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('attachments', (t) => {
    t.text('id').primary();
    t.text('application_id').notNullable().references('id').inTable('applications');
    t.text('task_id');
    t.text('comment');
    t.text('name').notNullable();
    t.bigInteger('size').notNullable();
    t.text('type').notNullable();
    t.text('sha256').notNullable();
    t.text('uploaded_by').notNullable();
    t.timestamp('uploaded_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['application_id', 'uploaded_at']);
    t.index(['sha256']);
  });
  await knex.raw("ALTER TABLE attachments ADD CONSTRAINT attachments_sha256 CHECK (sha256 ~ '^[0-9a-f]{64}$')");
  await knex.raw('ALTER TABLE attachments ADD CONSTRAINT attachments_size CHECK (size >= 0)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('attachments');
}
