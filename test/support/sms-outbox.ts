/** The SMS outbox as tests and the history recorder read it (no vitest here: scripts import it too). */
import type { Db } from '../../db/knex';
import type { PiiCipher } from '../../runtime/pii';

/** The code in the newest outbox message to a phone (found by its keyed hash: the outbox holds no phone in clear). */
export async function readOutboxCode(db: Db, pii: PiiCipher, phone: string): Promise<string> {
  const row = await db('sms_outbox')
    .where({ phone_hash: pii.hash(phone) })
    .orderBy('id', 'desc')
    .first('text');
  const code = row ? /验证码 (\d{6})/.exec(row.text as string)?.[1] : undefined;
  if (!code) throw new Error(`no SMS code in the outbox for ${phone}`);
  return code;
}
