/**
 * 附件 (attachments): one row per file attached to an application or to a
 * comment on it, naming the content-addressed file by its SHA-256
 * (runtime/attachment-store.ts), and the timeline entry of each upload.
 */
import type { Db } from './knex';

export interface AttachmentRow {
  id: string;
  applicationId: string;
  taskId: string | null;
  comment: string | null;
  name: string;
  size: number;
  type: string;
  sha256: string;
  uploadedBy: string;
  uploadedByName: string | null;
  uploadedAt: Date;
}

const columns = {
  id: 'f.id',
  applicationId: 'f.application_id',
  taskId: 'f.task_id',
  comment: 'f.comment',
  name: 'f.name',
  size: 'f.size',
  type: 'f.type',
  sha256: 'f.sha256',
  uploadedBy: 'f.uploaded_by',
  uploadedByName: 'u.name',
  uploadedAt: 'f.uploaded_at',
};

const fromRow = (r: AttachmentRow): AttachmentRow => ({ ...r, size: Number(r.size) });

export async function listAttachments(db: Db, applicationId: string): Promise<AttachmentRow[]> {
  const rows = await db('attachments as f')
    .leftJoin('users as u', 'u.username', 'f.uploaded_by')
    .select<AttachmentRow[]>(columns)
    .where('f.application_id', applicationId)
    .orderBy('f.uploaded_at')
    .orderBy('f.id');
  return rows.map(fromRow);
}

export async function getAttachment(db: Db, id: string): Promise<AttachmentRow | undefined> {
  const row = await db('attachments as f').leftJoin('users as u', 'u.username', 'f.uploaded_by').select<AttachmentRow[]>(columns).where('f.id', id).first();
  return row ? fromRow(row) : undefined;
}

export async function countAttachments(db: Db, applicationId: string): Promise<number> {
  const row = await db('attachments').where({ application_id: applicationId }).first(db.raw('count(*)::int as n'));
  return (row as { n?: number } | undefined)?.n ?? 0;
}

/** A new attachment and the timeline entry that records it. */
export interface NewAttachment extends Omit<AttachmentRow, 'uploadedByName' | 'uploadedAt'> {
  /**
   * The timeline entry: its step (the task's, or the application's current one), its comment (the uploader's words,
   * else the note) and the note itself (上传附件：xxx.pdf).
   */
  timeline: { stepIndex: number | null; step: string | null; comment: string; note: string; override?: boolean };
}

/**
 * Records an attachment and its timeline entry (上传附件：xxx.pdf) in one
 * transaction, while the application holds fewer than `limit` attachments.
 * The application's row is locked meanwhile, so two uploads racing for the
 * last place cannot both take it. Keyed by the attachment's id: repeating the
 * same upload (an Idempotency-Key retried after a crash) adds nothing.
 *
 * @returns `inserted`, `exists` (the id was recorded before) or `full`.
 */
export async function insertAttachment(db: Db, a: NewAttachment, limit: number): Promise<'inserted' | 'exists' | 'full'> {
  return db.transaction(async (trx) => {
    await trx('applications').where({ id: a.applicationId }).forUpdate().first('id');
    if (await trx('attachments').where({ id: a.id }).first('id')) return 'exists';
    const row = await trx('attachments').where({ application_id: a.applicationId }).first(trx.raw('count(*)::int as n'));
    if (((row as { n?: number } | undefined)?.n ?? 0) >= limit) return 'full';
    await trx('attachments').insert({
      id: a.id,
      application_id: a.applicationId,
      task_id: a.taskId,
      comment: a.comment,
      name: a.name,
      size: a.size,
      type: a.type,
      sha256: a.sha256,
      uploaded_by: a.uploadedBy,
    });
    await trx('audit_log').insert({
      event_key: `attachment:${a.id}`,
      application_id: a.applicationId,
      actor: a.uploadedBy,
      action: 'attachment',
      step_index: a.timeline.stepIndex,
      step: a.timeline.step,
      comment: a.timeline.comment,
      data: JSON.stringify({
        note: a.timeline.note,
        attachment: { id: a.id, name: a.name, size: a.size, type: a.type },
        ...(a.taskId ? { taskId: a.taskId } : {}),
        ...(a.timeline.override ? { override: true } : {}),
      }),
    });
    return 'inserted';
  });
}

/** Which of these contents some attachment still names (the rest may be swept from disk). */
export async function referencedContents(db: Db, sha256s: readonly string[]): Promise<Set<string>> {
  if (!sha256s.length) return new Set();
  const rows = await db('attachments')
    .distinct('sha256')
    .whereIn('sha256', [...sha256s]);
  return new Set(rows.map((r: { sha256: string }) => r.sha256));
}
