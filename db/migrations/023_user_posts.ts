import type { Knex } from 'knex';

/**
 * People and posts (人员与岗位): a person holds one or more posts — an org and
 * a role (staff, reviewer, admin, supervisor) — because cadres hold concurrent
 * posts (兼职). `user_posts` is the source of truth for who holds which role
 * where: task routing (activities/route-resolution.ts) and the policy's
 * principal (api/auth.ts) read the active posts.
 *
 * A post is never deleted: ending it sets `ended_at`. At most one active post
 * per (username, org, role).
 *
 * `users.org_id` stays as the person's home org (shown in lists, used where one
 * org is needed: an application's applicant org) and `users.roles` as the roles
 * they hold at the home org. db/user-repository.ts keeps both consistent with
 * the active posts in the same transaction whenever posts change; nothing else
 * writes them.
 *
 * An account inserted straight into `users` (a test fixture, a bench script,
 * an older tool) gets posts for its home org's roles by the trigger
 * `users_initial_posts` (AFTER INSERT only: later changes go through the
 * repository, which writes posts first and then `users`).
 *
 * Also: the account's work phone (`phone`; `email` exists since 006) and
 * `last_login_at` (set on each successful login).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('user_posts', (t) => {
    t.bigIncrements('id');
    t.text('username').notNullable().references('username').inTable('users').onUpdate('CASCADE');
    t.text('org_id').notNullable().references('id').inTable('orgs');
    t.text('role').notNullable();
    t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('ended_at', { useTz: true });
    t.text('created_by');
  });
  await knex.raw(`ALTER TABLE user_posts ADD CONSTRAINT user_posts_role CHECK (role IN ('staff', 'reviewer', 'admin', 'supervisor'))`);
  await knex.raw('CREATE UNIQUE INDEX user_posts_active ON user_posts (username, org_id, role) WHERE ended_at IS NULL');
  await knex.raw('CREATE INDEX user_posts_org_role ON user_posts (org_id, role) WHERE ended_at IS NULL');
  await knex.raw(`
    INSERT INTO user_posts (username, org_id, role, created_by)
    SELECT u.username, u.org_id, r.role, 'migration'
    FROM users u CROSS JOIN LATERAL unnest(u.roles) AS r(role)
    WHERE r.role IN ('staff', 'reviewer', 'admin', 'supervisor')
    ON CONFLICT DO NOTHING
  `);
  await knex.raw(`
    CREATE FUNCTION users_initial_posts() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO user_posts (username, org_id, role, created_by)
      SELECT NEW.username, NEW.org_id, r.role, 'account'
      FROM unnest(NEW.roles) AS r(role)
      WHERE r.role IN ('staff', 'reviewer', 'admin', 'supervisor')
      ON CONFLICT DO NOTHING;
      RETURN NULL;
    END $$;
    CREATE TRIGGER users_initial_posts AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION users_initial_posts();
  `);
  await knex.schema.alterTable('users', (t) => {
    t.text('phone');
    t.timestamp('last_login_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('phone');
    t.dropColumn('last_login_at');
  });
  await knex.raw('DROP TRIGGER users_initial_posts ON users');
  await knex.raw('DROP FUNCTION users_initial_posts()');
  await knex.schema.dropTable('user_posts');
}
