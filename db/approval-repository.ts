/**
 * Applications, tasks, the audit trail and notifications: the projections
 * the approval workflows keep current, read by the API with plain queries.
 */
import type { Knex } from 'knex';
import type { FieldAccess } from '../domain/chain';
import type { ApplicationFacts, inboxFilter, TaskFacts } from '../domain/policy';
import type { Db } from './knex';
import { reviseLink } from '../domain/web-links';
import type { ApplicationStatus, TransitionRecord } from '../workflows/approval-types';

export interface ApplicationRow {
  id: string;
  type: string;
  chainKey: string;
  chainVersion: number;
  chainOwner: string | null;
  applicant: string | null;
  applicantOrg: string;
  applicantOrgPath: string;
  targetOrg: string | null;
  targetOrgPath: string | null;
  title: string;
  payload: Record<string, unknown>;
  status: ApplicationStatus;
  currentStep: string | null;
  workflowId: string;
  createdAt: Date;
  updatedAt: Date;
  /** The campaign and project a workflow-made application belongs to (project list, subsidy, self-assessment). */
  campaignId?: string | null;
  projectId?: string | null;
}

export interface TaskRow {
  id: string;
  applicationId: string;
  kind: string;
  stepIndex: number;
  stepName: string;
  assignee: string | null;
  owner: string | null;
  role: string | null;
  orgId: string | null;
  candidates: string[];
  status: string;
  decision: string | null;
  subject: string;
  dueAt: Date | null;
  createdAt: Date;
  completedAt: Date | null;
  /** Path of the task's org (where its approvers sit; a named user's org), for the authorization policy; null when unknown. */
  orgPath: string | null;
  /** The task's step shows full personal data (身份审核): it never leaves its org. */
  showsPersonalData: boolean;
  /** 代理: absent person → the deputy holding the task in their place; null when nobody was away. */
  deputies: Record<string, string> | null;
  /** 字段权限: the step's field permissions when the task was written; null: every field read. */
  fields: Record<string, FieldAccess> | null;
  applicationType?: string;
  applicationStatus?: string;
  applicant?: string | null;
  applicantOrg?: string;
  campaignId?: string | null;
  projectId?: string | null;
  /** created_at to the microsecond (a JS Date keeps only milliseconds), for inbox cursors. */
  cursorAt?: string;
}

export interface AuditRow {
  id: string;
  at: Date;
  actor: string;
  action: string;
  stepIndex: number | null;
  step: string | null;
  comment: string | null;
  data: Record<string, unknown> | null;
}

const appColumns = {
  id: 'a.id',
  type: 'a.type',
  chainKey: 'a.chain_key',
  chainVersion: 'a.chain_version',
  chainOwner: 'a.chain_owner',
  applicant: 'a.applicant',
  applicantOrg: 'a.applicant_org',
  applicantOrgPath: 'ao.path',
  targetOrg: 'a.target_org',
  targetOrgPath: 'tgo.path',
  title: 'a.title',
  payload: 'a.payload',
  status: 'a.status',
  currentStep: 'a.current_step',
  workflowId: 'a.workflow_id',
  createdAt: 'a.created_at',
  updatedAt: 'a.updated_at',
  campaignId: 'a.campaign_id',
  projectId: 'a.project_id',
};

/** The policy's view of a task row (domain/policy.ts), for the API and the bulk-job activities alike. */
export function taskFacts(t: TaskRow): TaskFacts {
  return {
    assignee: t.assignee,
    owner: t.owner,
    role: t.role,
    orgId: t.orgId,
    orgPath: t.orgPath,
    candidates: t.candidates,
    showsPersonalData: t.showsPersonalData,
    deputies: t.deputies,
  };
}

/** The policy's view of an application row. */
export function applicationFacts(a: ApplicationRow): ApplicationFacts {
  return { applicant: a.applicant, applicantOrgPath: a.applicantOrgPath, targetOrgPath: a.targetOrgPath };
}

export async function insertApplication(
  db: Db,
  row: {
    id: string;
    type: string;
    chainKey: string;
    chainVersion: number;
    /** The org owning the chain; null for a global built-in. */
    chainOwner?: string | null;
    applicant: string | null;
    applicantOrg: string;
    targetOrg?: string | null;
    title: string;
    payload: Record<string, unknown>;
    workflowId: string;
  },
): Promise<boolean> {
  const inserted = await db('applications')
    .insert({
      id: row.id,
      type: row.type,
      chain_key: row.chainKey,
      chain_version: row.chainVersion,
      chain_owner: row.chainOwner ?? null,
      applicant: row.applicant,
      applicant_org: row.applicantOrg,
      target_org: row.targetOrg ?? null,
      title: row.title,
      payload: JSON.stringify(row.payload),
      status: 'pending',
      current_step: null,
      workflow_id: row.workflowId,
    })
    .onConflict('id')
    .ignore()
    .returning('id');
  return inserted.length > 0;
}

export async function deleteApplicationIfUnstarted(db: Db, id: string): Promise<void> {
  await db.transaction(async (trx) => {
    const audit = await trx('audit_log').where({ application_id: id }).first('id');
    if (!audit) await trx('applications').where({ id }).delete();
  });
}

export async function getApplication(db: Db, id: string): Promise<ApplicationRow | undefined> {
  return db('applications as a')
    .join('orgs as ao', 'ao.id', 'a.applicant_org')
    .leftJoin('orgs as tgo', 'tgo.id', 'a.target_org')
    .select(appColumns)
    .where('a.id', id)
    .first();
}

export async function listApplications(
  db: Db,
  opts: { scopePath: string; applicant?: string; type?: string; status?: string; limit: number; cursor?: string },
): Promise<ApplicationRow[]> {
  const q = db('applications as a')
    .join('orgs as ao', 'ao.id', 'a.applicant_org')
    .leftJoin('orgs as tgo', 'tgo.id', 'a.target_org')
    .select(appColumns)
    .where((w) => {
      w.where('ao.path', 'like', `${opts.scopePath}%`).orWhere('tgo.path', 'like', `${opts.scopePath}%`);
      if (opts.applicant) w.orWhere('a.applicant', opts.applicant);
    })
    .orderBy('a.id', 'desc')
    .limit(opts.limit);
  if (opts.type) q.andWhere('a.type', opts.type);
  if (opts.status) q.andWhere('a.status', opts.status);
  if (opts.cursor) q.andWhere('a.id', '<', opts.cursor);
  return q;
}

export async function listTimeline(db: Db, applicationId: string): Promise<AuditRow[]> {
  return db('audit_log')
    .select({ id: 'id', at: 'at', actor: 'actor', action: 'action', stepIndex: 'step_index', step: 'step', comment: 'comment', data: 'data' })
    .where({ application_id: applicationId })
    .orderBy('id');
}

/** A task's org path as recorded, else (tasks recorded before paths were kept) the path of its org. */
const TASK_ORG_PATH = 'coalesce(t.org_path, tor.path) as "orgPath"';

const taskColumns = {
  id: 't.id',
  applicationId: 't.application_id',
  kind: 't.kind',
  stepIndex: 't.step_index',
  stepName: 't.step_name',
  assignee: 't.assignee',
  owner: 't.owner',
  role: 't.role',
  orgId: 't.org_id',
  candidates: 't.candidates',
  status: 't.status',
  decision: 't.decision',
  subject: 't.subject',
  dueAt: 't.due_at',
  createdAt: 't.created_at',
  completedAt: 't.completed_at',
  showsPersonalData: 't.shows_personal_data',
  deputies: 't.deputies',
  fields: 't.fields',
  applicationType: 'a.type',
  applicationStatus: 'a.status',
  applicant: 'a.applicant',
  applicantOrg: 'a.applicant_org',
  campaignId: 'a.campaign_id',
  projectId: 'a.project_id',
};

/** Whose tasks: by name, or by a role in an org (domain/policy.ts `inboxFilter`, the same rule as `holdsTask`). */
export type InboxFilter = ReturnType<typeof inboxFilter>;

/**
 * Tasks named to one of the users, or open to one of the (org, role) pairs (two indexed branches); 代理: or,
 * among the few tasks opened while someone was away, those whose deputies name the user (as the absent person,
 * read-only, or as the deputy of a role task).
 */
export function holderClause(w: Knex.QueryBuilder, who: InboxFilter): void {
  w.whereIn('t.assignee', who.usernames);
  for (const { orgId, role } of who.roleOrgs) w.orWhere((r) => void r.whereNull('t.assignee').andWhere('t.org_id', orgId).andWhere('t.role', role));
  for (const u of who.deputies)
    w.orWhere(
      (r) =>
        void r
          .whereNotNull('t.deputies')
          .andWhere((x) => void x.whereRaw('t.deputies \\? ?', [u]).orWhere((y) => void y.whereNull('t.assignee').andWhereRaw('? = ANY(t.candidates)', [u]))),
    );
}

/**
 * The caller's inbox: tasks assigned to them by name, or to a role they hold
 * in their own org, as the authorization policy's inbox filter says.
 */
export async function listInbox(
  db: Db,
  who: InboxFilter,
  opts: { status?: string; kind?: string; type?: string; limit: number; cursor?: string; overdue?: boolean },
): Promise<TaskRow[]> {
  const q = db('tasks as t')
    .join('applications as a', 'a.id', 't.application_id')
    .leftJoin('orgs as tor', 'tor.id', 't.org_id')
    .select(taskColumns, db.raw(TASK_ORG_PATH), db.raw(`to_char(t.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "cursorAt"`))
    .where((w) => holderClause(w, who))
    .orderBy('t.created_at', 'desc')
    .orderBy('t.id', 'desc')
    .limit(opts.limit);
  if (opts.status) q.andWhere('t.status', opts.status);
  q.andWhere('t.kind', opts.kind ?? 'approval');
  if (opts.type) q.andWhere('a.type', opts.type);
  if (opts.overdue) q.andWhere('t.due_at', '<', db.fn.now());
  if (opts.cursor) {
    const [at, id] = decodeCursor(opts.cursor);
    q.andWhere((w) => void w.where('t.created_at', '<', at).orWhere((x) => void x.where('t.created_at', '=', at).andWhere('t.id', '<', id)));
  }
  return q;
}

export async function countInbox(db: Db, who: InboxFilter): Promise<{ pending: number; overdue: number }> {
  const row = await db('tasks as t')
    .where((w) => holderClause(w, who))
    // 代理: the tasks one's deputy holds are not one's to do.
    .andWhereRaw('not coalesce(t.deputies \\?| ?::text[], false)', [who.usernames])
    .andWhere('t.status', 'pending')
    .andWhere('t.kind', 'approval')
    .first(db.raw('count(*)::int as pending'), db.raw('count(*) filter (where t.due_at < now())::int as overdue'));
  return { pending: row?.pending ?? 0, overdue: row?.overdue ?? 0 };
}

/**
 * The inbox cursor: the last row's creation time and id. The time keeps its
 * microseconds: cut to milliseconds, the rows created in the same
 * millisecond as the cursor row (many, under load) would be skipped.
 */
export function encodeCursor(row: { createdAt: Date; id: string; cursorAt?: string }): string {
  return Buffer.from(JSON.stringify([row.cursorAt ?? row.createdAt.toISOString(), row.id])).toString('base64url');
}

export function decodeCursor(cursor: string): [string, string] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'string') return [v[0], v[1]];
  } catch {
    /* fall through */
  }
  return ['9999-12-31T00:00:00Z', ''];
}

export async function getTask(db: Db, id: string): Promise<TaskRow | undefined> {
  return db('tasks as t')
    .join('applications as a', 'a.id', 't.application_id')
    .leftJoin('orgs as tor', 'tor.id', 't.org_id')
    .select(taskColumns, db.raw(TASK_ORG_PATH))
    .where('t.id', id)
    .first();
}

export async function listTasksOfApplication(db: Db, applicationId: string): Promise<TaskRow[]> {
  return db('tasks as t')
    .join('applications as a', 'a.id', 't.application_id')
    .leftJoin('orgs as tor', 'tor.id', 't.org_id')
    .select(taskColumns, db.raw(TASK_ORG_PATH))
    .where('t.application_id', applicationId)
    .orderBy('t.created_at');
}

/**
 * Writes one workflow transition in one transaction. Every row is keyed by
 * the workflow (audit and notification event keys, task ids), so a retried
 * activity changes nothing the first attempt already wrote.
 */
export async function recordTransition(db: Db, r: TransitionRecord): Promise<void> {
  await db.transaction(async (trx) => {
    if (r.audit.length) {
      await trx('audit_log')
        .insert(
          r.audit.map((e) => ({
            event_key: e.key,
            application_id: e.applicationId,
            actor: e.actor,
            action: e.action,
            step_index: e.stepIndex,
            step: e.step,
            comment: e.comment ?? null,
            data: e.data ? JSON.stringify(e.data) : null,
          })),
        )
        .onConflict('event_key')
        .ignore();
    }
    for (const t of r.tasks) {
      await trx('tasks')
        .insert({
          id: t.id,
          application_id: t.applicationId,
          kind: t.kind,
          step_index: t.stepIndex,
          step_name: t.stepName,
          assignee: t.assignee,
          owner: t.owner ?? null,
          role: t.role,
          org_id: t.orgId,
          org_path: t.orgPath ?? null,
          shows_personal_data: t.showsPersonalData ?? false,
          candidates: t.candidates,
          status: t.status,
          decision: t.decision ?? null,
          subject: t.subject,
          due_at: t.dueAt ?? null,
          deputies: t.deputies ? JSON.stringify(t.deputies) : null,
          fields: t.fields ? JSON.stringify(t.fields) : null,
          decided_by: t.decidedBy ?? null,
          completed_at: t.status === 'pending' ? null : trx.fn.now(),
        })
        .onConflict('id')
        .merge({
          step_index: t.stepIndex,
          step_name: t.stepName,
          assignee: t.assignee,
          owner: t.owner ?? null,
          role: t.role,
          org_id: t.orgId,
          org_path: t.orgPath ?? null,
          shows_personal_data: t.showsPersonalData ?? false,
          candidates: t.candidates,
          status: t.status,
          decision: t.decision ?? null,
          subject: t.subject,
          due_at: t.dueAt ?? null,
          deputies: t.deputies ? JSON.stringify(t.deputies) : null,
          fields: t.fields ? JSON.stringify(t.fields) : null,
          updated_at: trx.fn.now(),
          decided_by: t.decidedBy ?? null,
          completed_at: t.status === 'pending' ? null : trx.raw('coalesce(tasks.completed_at, now())'),
        });
    }
    if (r.notifications.length) {
      await trx('notifications')
        .insert(r.notifications.map((n) => ({ event_key: n.key, username: n.username, application_id: n.applicationId, kind: n.kind, message: n.message })))
        .onConflict('event_key')
        .ignore();
    }
    if (r.application) {
      await trx('applications')
        .where({ id: r.applicationId })
        .update({
          status: r.application.status,
          current_step: r.application.currentStep,
          ...(r.application.chainVersion !== undefined ? { chain_version: r.application.chainVersion } : {}),
          type: r.application.type,
          title: r.application.title,
          payload: JSON.stringify(r.application.payload),
          target_org: r.application.targetOrg,
          updated_at: trx.fn.now(),
        });
    }
  });
}

/**
 * 查看完整个人信息: one audit row each time someone is shown a person's full
 * ID or phone number (the key is unique per view, so every view is kept).
 */
export async function recordPersonalDataView(
  db: Db,
  v: { applicationId: string; actor: string; stepIndex: number; step: string; taskId: string; fields: string[] },
): Promise<void> {
  await db('audit_log').insert({
    event_key: `pii-view:${v.taskId}:${v.actor}:${Date.now()}:${Math.random().toString(36).slice(2, 10)}`,
    application_id: v.applicationId,
    actor: v.actor,
    action: 'personalDataViewed',
    step_index: v.stepIndex,
    step: v.step,
    comment: null,
    data: JSON.stringify({ taskId: v.taskId, fields: v.fields }),
  });
}

/** Kinds of notification that ask the recipient to act on (or read) a task of theirs: they link to it. */
const TASK_KINDS: Record<string, string> = { reminder: 'approval', urge: 'approval', escalation: 'approval' };

/**
 * One page of a user's notifications, newest first (`cursor`: the last id of
 * the page before), each with the web route it is about: the recipient's task
 * on the application (a reminder, 催办, 督办 or 抄送 — the pending one first),
 * else the application, the bulletin, or the campaign.
 */
export interface NotificationFilters {
  kind?: string;
  /** true: read ones only; false: unread ones only. */
  read?: boolean;
  /** Created at or after / before these instants (ISO). */
  from?: string;
  to?: string;
  /** The message contains this (case-insensitive). */
  q?: string;
}

export async function listNotifications(db: Db, username: string, page: { limit: number; cursor?: string }, f: NotificationFilters = {}) {
  const taskOf = db('tasks as t')
    .select('t.id')
    .whereRaw('t.application_id = n.application_id')
    .andWhereRaw('t.kind = (?::jsonb ->> n.kind)', [JSON.stringify(TASK_KINDS)])
    .andWhere((w) => void w.whereRaw('t.assignee = n.username').orWhereRaw('t.owner = n.username').orWhereRaw('n.username = ANY(t.candidates)'))
    .orderByRaw("(t.status = 'pending') desc, t.created_at desc, t.id desc")
    .limit(1);
  const q = db('notifications as n')
    .leftJoin('applications as a', 'a.id', 'n.application_id')
    .select({
      id: 'n.id',
      kind: 'n.kind',
      message: 'n.message',
      applicationId: 'n.application_id',
      campaignId: 'n.campaign_id',
      createdAt: 'n.created_at',
      readAt: 'n.read_at',
      taskId: taskOf,
      bulletinId: db.raw("case when n.kind = 'bulletin' and n.event_key like 'bulletin:%' then split_part(n.event_key, ':', 2) end"),
      // A province bulletin of cities (全省通报) is read on 全省概览.
      provinceBulletin: db.raw("n.event_key like 'province-bulletin:%'"),
      applicationType: 'a.type',
      applicantOrg: 'a.applicant_org',
      applicationCampaignId: db.raw("a.payload->>'campaignId'"),
    })
    .where('n.username', username)
    .orderBy('n.id', 'desc')
    .limit(page.limit);
  if (page.cursor) q.andWhere('n.id', '<', page.cursor);
  if (f.kind) q.andWhere('n.kind', f.kind);
  if (f.read === true) q.whereNotNull('n.read_at');
  if (f.read === false) q.whereNull('n.read_at');
  if (f.from) q.andWhere('n.created_at', '>=', f.from);
  if (f.to) q.andWhere('n.created_at', '<', f.to);
  if (f.q) q.andWhereRaw("n.message ilike '%' || ? || '%'", [f.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)]);
  const rows: {
    id: string;
    kind: string;
    message: string;
    applicationId: string | null;
    campaignId: string | null;
    createdAt: Date;
    readAt: Date | null;
    taskId: string | null;
    bulletinId: string | null;
    provinceBulletin: boolean;
    applicationType: string | null;
    applicantOrg: string | null;
    applicationCampaignId: string | null;
  }[] = await q;
  return rows.map(({ taskId, bulletinId, provinceBulletin, applicationType, applicantOrg, applicationCampaignId, ...n }) => ({
    ...n,
    id: String(n.id),
    link: taskId
      ? `/tasks/${taskId}`
      : n.kind === 'returned' && n.applicationId && applicationType && applicantOrg
        ? reviseLink({ id: n.applicationId, type: applicationType, applicantOrg, campaignId: applicationCampaignId })
        : n.applicationId
          ? `/applications/${n.applicationId}`
          : bulletinId
            ? `/bulletins/${bulletinId}`
            : provinceBulletin
              ? '/province'
              : n.campaignId
                ? `/campaigns/${n.campaignId}`
                : null,
  }));
}

/** How many of a user's notifications are unread. */
export async function countUnreadNotifications(db: Db, username: string): Promise<number> {
  const [row] = await db('notifications').where({ username }).whereNull('read_at').count({ n: '*' });
  return Number(row?.n ?? 0);
}

/** The recipients of these notifications (absent ids are left out). */
export async function notificationOwners(db: Db, ids: readonly string[]): Promise<{ id: string; username: string }[]> {
  const rows: { id: string; username: string }[] = await db('notifications').whereIn('id', ids).select('id', 'username');
  return rows.map((r) => ({ id: String(r.id), username: r.username }));
}

/** Marks a user's notifications read (these ids, or all of them); read ones keep their first time. Returns how many changed. */
export async function markNotificationsRead(db: Db, username: string, ids: readonly string[] | 'all'): Promise<number> {
  const q = db('notifications').where({ username }).whereNull('read_at');
  if (ids !== 'all') q.whereIn('id', ids);
  return q.update({ read_at: db.fn.now() });
}

/**
 * One page of a user's pending approval tasks within a scope (批量转办), in
 * task-id order after `afterId`: a rotation of any size is moved a page at a
 * time, never loaded whole.
 */
export async function listPendingTaskIdsOf(db: Db, username: string, scopePath: string, page: { afterId?: string; limit: number }): Promise<string[]> {
  const q = db('tasks as t')
    .join('applications as a', 'a.id', 't.application_id')
    .join('orgs as ao', 'ao.id', 'a.applicant_org')
    .leftJoin('orgs as tgo', 'tgo.id', 'a.target_org')
    .where('t.assignee', username)
    .andWhere('t.status', 'pending')
    .andWhere('t.kind', 'approval')
    .andWhere((w) => void w.where('ao.path', 'like', `${scopePath}%`).orWhere('tgo.path', 'like', `${scopePath}%`))
    .orderBy('t.id')
    .limit(page.limit)
    .select<{ id: string }[]>('t.id');
  if (page.afterId) q.andWhere('t.id', '>', page.afterId);
  return (await q).map((r) => r.id);
}
