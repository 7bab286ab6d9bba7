/**
 * Cadre rotation (干部轮岗): what a person holds in a post — the pending tasks
 * and the running applications they filed from its org — read from the tasks
 * and applications projections and the posts table. domain/rotation.ts says
 * what happens to each.
 */
import { holdOf, type RotationHold } from '../domain/rotation';
import type { Db } from './knex';

/** The post being left: a role at an org. */
export interface RotationPost {
  username: string;
  orgId: string;
  orgPath: string;
  role: string;
}

export interface RotationTaskRow {
  id: string;
  applicationId: string;
  title: string;
  step: string;
  dueAt: Date | null;
  assignee: string | null;
  owner: string | null;
  role: string | null;
  orgId: string | null;
  orgPath: string | null;
  showsPersonalData: boolean;
  hold: RotationHold;
}

export interface RotationApplicationRow {
  id: string;
  type: string;
  title: string;
  status: string;
  step: string | null;
  createdAt: Date;
}

/** At most this many tasks (and applications) per rotation; more are reported as truncated. */
export const ROTATION_MAX_ITEMS = 1000;

/** A task's columns as the rotation shows them. */
const TASK_COLUMNS = {
  id: 't.id',
  applicationId: 't.application_id',
  title: 't.subject',
  step: 't.step_name',
  dueAt: 't.due_at',
  assignee: 't.assignee',
  owner: 't.owner',
  role: 't.role',
  orgId: 't.org_id',
  orgPath: 't.org_path',
  showsPersonalData: 't.shows_personal_data',
};

/**
 * The pending approval tasks the person holds in the post: tasks of orgs
 * within the post's org subtree that are named to them, that they delegated
 * or were delegated, and the role-pool tasks of the post's org and role that
 * no other active person holds. By task id, at most `limit`.
 */
export async function listRotationTasks(db: Db, post: RotationPost, limit = ROTATION_MAX_ITEMS): Promise<RotationTaskRow[]> {
  const rows = await db('tasks as t')
    .join('applications as a', 'a.id', 't.application_id')
    .where('t.status', 'pending')
    .andWhere('t.kind', 'approval')
    .andWhere((w) => void w.where('t.org_path', 'like', `${post.orgPath}%`).orWhere('t.org_id', post.orgId))
    .andWhere((w) => {
      void w
        .where('t.assignee', post.username)
        .orWhere('t.owner', post.username)
        .orWhere((pool) => {
          void pool
            .whereNull('t.assignee')
            .andWhere('t.role', post.role)
            .andWhere('t.org_id', post.orgId)
            .whereNotExists(
              db('user_posts as p')
                .join('users as u', 'u.username', 'p.username')
                .whereRaw('p.org_id = t.org_id AND p.role = t.role')
                .whereNull('p.ended_at')
                .andWhere('u.active', true)
                .andWhereNot('p.username', post.username)
                .select(db.raw('1')),
            );
        });
    })
    .orderBy('t.id')
    .limit(limit)
    .select<Omit<RotationTaskRow, 'hold'>[]>(TASK_COLUMNS);
  return rows.flatMap((r) => {
    const hold = holdOf(r, post.username);
    return hold ? [{ ...r, hold }] : [];
  });
}

/** One task as {@link listRotationTasks} sees it, if the person still holds it in the post. */
export async function getRotationTask(db: Db, post: RotationPost, taskId: string): Promise<RotationTaskRow | undefined> {
  const row = await db('tasks as t')
    .join('applications as a', 'a.id', 't.application_id')
    .where('t.id', taskId)
    .andWhere('t.status', 'pending')
    .first<Omit<RotationTaskRow, 'hold'> | undefined>(TASK_COLUMNS);
  if (!row) return undefined;
  const hold = holdOf(row, post.username);
  return hold ? { ...row, hold } : undefined;
}

/** The person's running applications (审批中 or 退回修改) filed from the post's org. */
export async function listRotationApplications(db: Db, post: RotationPost, limit = ROTATION_MAX_ITEMS): Promise<RotationApplicationRow[]> {
  return db('applications')
    .where({ applicant: post.username, applicant_org: post.orgId })
    .whereIn('status', ['pending', 'returned'])
    .orderBy('created_at')
    .limit(limit)
    .select<RotationApplicationRow[]>({ id: 'id', type: 'type', title: 'title', status: 'status', step: 'current_step', createdAt: 'created_at' });
}
