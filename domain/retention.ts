/**
 * Retention (数据保留): what the daily retention job keeps and for how long.
 * Pure rules; the job itself is activities/retention.ts, its SQL
 * db/retention-repository.ts.
 *
 * - Rejected and withdrawn applications keep the worker's name, ID and phone
 *   for RETENTION_DAYS (default 180) after their last change; then the
 *   ciphertexts and keyed hashes go, the name is masked (张**), and the row,
 *   its masked numbers and its audit trail stay. Approved and pending ones
 *   are untouched (an admitted member's data lives on in `members`).
 * - Idempotency keys are deleted after 7 days.
 * - Notifications that were read are deleted a year after they were read.
 */

/** Application statuses whose personal data expires. */
export const ERASABLE_STATUSES = ['rejected', 'withdrawn'] as const;

export const DEFAULT_RETENTION_DAYS = 180;
export const IDEMPOTENCY_KEY_RETENTION_DAYS = 7;
export const READ_NOTIFICATION_RETENTION_DAYS = 365;

/** The Temporal Schedule that runs the job once a day. */
export const RETENTION_SCHEDULE_ID = 'retention-daily';

/** Payload fields that identify the worker and are removed outright. */
const ERASED_FIELDS = ['idNumberEnc', 'idNumberHash', 'phoneEnc', 'phoneHash'];

/** A name reduced to its first character: 张三 → 张*, 欧阳娜娜 → 欧***. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length === 0) return '';
  return chars[0]! + '*'.repeat(Math.max(1, chars.length - 1));
}

/**
 * The payload with its personal fields erased: ciphertexts and hashes removed,
 * the name masked, the masked numbers kept. Null when there is nothing to erase.
 */
export function erasePersonalFields(payload: Record<string, unknown>): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  let changed = false;
  for (const [k, v] of Object.entries(payload)) {
    if (ERASED_FIELDS.includes(k)) {
      changed = true;
      continue;
    }
    if (k === 'name' && typeof v === 'string') {
      const masked = maskName(v);
      if (masked !== v) changed = true;
      out[k] = masked;
      continue;
    }
    out[k] = v;
  }
  return changed ? out : null;
}

/** An application's title with the worker's name replaced by its masked form (张三 入会申请 → 张* 入会申请). */
export function maskTitle(title: string, name: string | undefined): string {
  if (!name || !title.includes(name)) return title;
  return title.split(name).join(maskName(name));
}
