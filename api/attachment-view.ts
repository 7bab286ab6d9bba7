/**
 * An attachment (附件) as the API shows it, and an application's list of
 * them — for the attachment routes and for the application and task views.
 * Apart from api/attachments.ts so that the views need not load the routes
 * (which register themselves with the OpenAPI document, and that document
 * loads the application routes' schemas).
 */
import { listAttachments, type AttachmentRow } from '../db/attachment-repository';
import type { Db } from '../db/knex';

/** An attachment as the API shows it. */
export function attachmentView(a: AttachmentRow) {
  return {
    id: a.id,
    name: a.name,
    size: a.size,
    type: a.type,
    sha256: a.sha256,
    uploadedBy: a.uploadedBy,
    uploadedByName: a.uploadedByName ?? a.uploadedBy,
    at: a.uploadedAt,
    ...(a.taskId ? { taskId: a.taskId } : {}),
    ...(a.comment ? { comment: a.comment } : {}),
  };
}

/** The attachments of an application, for the application and task views. */
export async function attachmentsOf(db: Db, applicationId: string) {
  return (await listAttachments(db, applicationId)).map(attachmentView);
}
