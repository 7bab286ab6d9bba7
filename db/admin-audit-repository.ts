/**
 * The administration record (管理操作记录): one append-only row per change an
 * admin makes to orgs, accounts, posts, deputies or the calendar. Written in the
 * same transaction as the change, so a change is never without its record.
 */
import type { Db } from './knex';

export interface AdminChange {
  actor: string;
  /** What was done, e.g. 'org.create', 'user.create', 'post.end', 'deputy.set', 'calendar.override'. */
  action: string;
  subjectKind: 'org' | 'user' | 'post' | 'deputy' | 'calendar' | 'rotation';
  subjectId: string;
  /** Path of the org the change concerns (its readers are the admins above it). */
  orgPath: string;
  data?: unknown;
}

export interface AdminChangeRecord extends AdminChange {
  id: string;
  at: Date;
}

export async function recordAdminChange(db: Db, c: AdminChange): Promise<void> {
  await db('admin_audit').insert({
    actor: c.actor,
    action: c.action,
    subject_kind: c.subjectKind,
    subject_id: c.subjectId,
    org_path: c.orgPath,
    data: c.data === undefined ? null : JSON.stringify(c.data),
  });
}

/** Changes concerning orgs at or below `pathPrefix` (or any of several), newest first, paged by id. */
export async function listAdminChanges(
  db: Db,
  f: { pathPrefix: string | readonly string[]; subjectKind?: string; subjectId?: string; beforeId?: string; limit: number },
): Promise<AdminChangeRecord[]> {
  const q = db('admin_audit')
    .select({
      id: 'id',
      at: 'at',
      actor: 'actor',
      action: 'action',
      subjectKind: 'subject_kind',
      subjectId: 'subject_id',
      orgPath: 'org_path',
      data: 'data',
    })
    .where((w) => {
      for (const prefix of typeof f.pathPrefix === 'string' ? [f.pathPrefix] : f.pathPrefix) void w.orWhere('org_path', 'like', `${prefix}%`);
      if (f.pathPrefix.length === 0) void w.whereRaw('false');
    })
    .orderBy('id', 'desc')
    .limit(f.limit);
  if (f.subjectKind) q.andWhere('subject_kind', f.subjectKind);
  if (f.subjectId) q.andWhere('subject_id', f.subjectId);
  if (f.beforeId) q.andWhere('id', '<', f.beforeId);
  return q;
}
