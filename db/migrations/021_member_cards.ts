import type { Knex } from 'knex';

/**
 * 电子会员卡: every member row gets
 * - `card_code`, a random, unguessable code (32 hex characters, 122 random bits from Postgres's
 *   gen_random_uuid, a CSPRNG) that names the card in its link and QR code. A column default, so every
 *   way a member row is written (online admission, project progress) gets one, and the code never
 *   passes through a workflow history;
 * - `member_no`, the readable member number: the year joined (Beijing time) and the row id, zero-padded
 *   to 8 digits (e.g. 202600000123). Generated from the row, so it is fixed at admission and stays the
 *   same when the member transfers to another union.
 *
 * A member row that is deleted leaves its card code in `member_card_revocations` (a trigger), so a union
 * scanning an old card learns that it is no longer valid rather than that it never existed.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE members ADD COLUMN card_code text NOT NULL DEFAULT replace(gen_random_uuid()::text, '-', '');
    ALTER TABLE members ADD CONSTRAINT members_card_code_unique UNIQUE (card_code);
    ALTER TABLE members ADD COLUMN member_no text GENERATED ALWAYS AS (
      extract(year FROM timezone('Asia/Shanghai', joined_at))::int::text || lpad(id::text, greatest(8, length(id::text)), '0')
    ) STORED;
    ALTER TABLE members ADD CONSTRAINT members_member_no_unique UNIQUE (member_no);

    CREATE TABLE member_card_revocations (
      card_code text PRIMARY KEY,
      member_no text NOT NULL,
      revoked_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE FUNCTION members_revoke_card() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO member_card_revocations (card_code, member_no) VALUES (OLD.card_code, OLD.member_no) ON CONFLICT DO NOTHING;
      RETURN OLD;
    END $$;
    CREATE TRIGGER members_revoke_card AFTER DELETE ON members FOR EACH ROW EXECUTE FUNCTION members_revoke_card();
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TRIGGER IF EXISTS members_revoke_card ON members;
    DROP FUNCTION IF EXISTS members_revoke_card();
    DROP TABLE IF EXISTS member_card_revocations;
    ALTER TABLE members DROP COLUMN IF EXISTS member_no;
    ALTER TABLE members DROP COLUMN IF EXISTS card_code;
  `);
}
