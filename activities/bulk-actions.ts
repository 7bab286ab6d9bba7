/**
 * The activities of the bulk-action job (workflows/bulk-action.ts): one task
 * approved or transferred as a Workflow Update to its application, after the
 * authorization policy (domain/policy.ts) allowed it; the application's
 * workflow validator makes the final decision. A business refusal is a
 * result (ok: false), not a failure; Temporal being unreachable throws, and
 * the activity is retried with the same Update id, so nothing is done twice.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { applicationFacts, getApplication, getTask, listPendingTaskIdsOf, listTasksOfApplication, taskFacts } from '../db/approval-repository';
import type { Db } from '../db/knex';
import { recordAdminChange } from '../db/admin-audit-repository';
import {
  getRotationTask,
  listRotationApplications,
  listRotationTasks,
  ROTATION_MAX_ITEMS,
  type RotationApplicationRow,
  type RotationPost,
  type RotationTaskRow,
} from '../db/rotation-repository';
import { addPost, endPost, listUsersWithOrgPath, listUsersWithRole } from '../db/user-repository';
import { approveChainChange, decideTask, handOffTarget, holdsTask, seeApplication, type Role } from '../domain/policy';
import { rotationMove } from '../domain/rotation';
import { actUpdate } from '../workflows/approval-chain';
import type { ActionInput } from '../workflows/approval-types';
import type { BulkItemResult, BulkPrincipal, RotationInput, RotationPlan, RotationPlanItem } from '../workflows/bulk-types';

const NOT_FOUND = { status: 404, detail: '任务不存在 / task not found' };

async function send(temporal: Client, taskId: string, applicationId: string, input: ActionInput, updateId: string): Promise<BulkItemResult> {
  try {
    const handle = temporal.workflow.getHandle(`application-${applicationId}`);
    // The same Update POST /api/tasks/:id/actions sends; its validator decides.
    const r = await handle.executeUpdate(actUpdate, { args: [input], updateId });
    return { taskId, ok: true, applicationId, status: r.status };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError)
      return { taskId, ok: false, applicationId, error: { status: 409, detail: '申请已办结，不能再处理 / the application is already decided or withdrawn' } };
    if (err instanceof WorkflowUpdateFailedError) {
      const cause = err.cause;
      const status = cause instanceof ApplicationFailure ? (cause.type === 'Forbidden' ? 403 : cause.type === 'BadRequest' ? 400 : 409) : 409;
      return { taskId, ok: false, applicationId, error: { status, detail: cause?.message ?? err.message } };
    }
    throw err;
  }
}

const rotationPost = (r: RotationInput): RotationPost => ({
  username: r.username,
  orgId: r.fromPost.orgId,
  orgPath: r.fromPost.orgPath,
  role: r.fromPost.role,
});

/** What a rotation does (the dry run's answer and the job's plan): each task the person holds in the post, and its move. */
export async function planRotation(
  db: Db,
  r: RotationInput,
): Promise<RotationPlan & { taskRows: RotationTaskRow[]; applicationRows: RotationApplicationRow[] }> {
  const post = rotationPost(r);
  const [rows, apps] = await Promise.all([listRotationTasks(db, post, ROTATION_MAX_ITEMS + 1), listRotationApplications(db, post)]);
  const taskRows = rows.slice(0, ROTATION_MAX_ITEMS);
  return {
    taskRows,
    applicationRows: apps,
    tasks: taskRows.map((t) => ({ taskId: t.id, applicationId: t.applicationId, hold: t.hold, ...rotationMove(t, t.hold, r.successor) })),
    truncated: rows.length > ROTATION_MAX_ITEMS,
    applications: apps.length,
  };
}

/** The timeline's word for a rotation's moves. */
const ROTATION_COMMENT = '干部轮岗';

export function createBulkActivities(deps: { db: Db; temporal: Client }) {
  return {
    /** 干部轮岗: the moves, planned while the person still holds the post (read-only). */
    async planRotation(input: { rotation: RotationInput }): Promise<RotationPlan> {
      const { tasks, truncated, applications } = await planRotation(deps.db, input.rotation);
      return { tasks, truncated, applications };
    },

    /**
     * 干部轮岗: ends the post, starts the new one and records the rotation (one
     * administration row with the counts), in one transaction. A retry finds
     * the post already ended and changes nothing.
     */
    async changeRotationPosts(input: { principal: BulkPrincipal; rotation: RotationInput; plan: RotationPlan }): Promise<{ startedPost: string | null }> {
      const r = input.rotation;
      return deps.db.transaction(async (trx) => {
        const post = await trx('user_posts').where({ id: r.fromPost.id }).forUpdate().first<{ ended_at: Date | null } | undefined>('ended_at');
        if (!post || post.ended_at) {
          const started = r.toPost
            ? await trx('user_posts')
                .where({ username: r.username, org_id: r.toPost.orgId, role: r.toPost.role })
                .whereNull('ended_at')
                .first<{ id: string } | undefined>('id')
            : undefined;
          return { startedPost: started ? String(started.id) : null };
        }
        await endPost(trx, r.fromPost.id);
        const started = r.toPost
          ? await addPost(trx, { username: r.username, orgId: r.toPost.orgId, role: r.toPost.role as Role, createdBy: input.principal.username })
          : undefined;
        const moves: Record<string, number> = {};
        for (const t of input.plan.tasks) moves[t.move] = (moves[t.move] ?? 0) + 1;
        await recordAdminChange(trx, {
          actor: input.principal.username,
          action: 'user.rotate',
          subjectKind: 'rotation',
          subjectId: r.username,
          orgPath: r.fromPost.orgPath,
          data: {
            fromPost: { id: r.fromPost.id, org: r.fromPost.orgId, role: r.fromPost.role },
            toPost: r.toPost ? { id: started?.id ?? null, org: r.toPost.orgId, role: r.toPost.role } : null,
            successor: r.successor ?? null,
            tasks: input.plan.tasks.length,
            moves,
            applications: input.plan.applications,
            truncated: input.plan.truncated,
          },
        });
        return { startedPost: started?.id ?? null };
      });
    },

    /**
     * 干部轮岗: one task's move — 转办 to the successor (or to the delegate of a
     * task the person delegated), 退回角色池, or back to the owner who
     * delegated it — as the planned move, when the person still holds the task
     * the same way; the timeline records it with the comment 干部轮岗.
     */
    async rotateTask(input: {
      principal: BulkPrincipal;
      rotation: RotationInput;
      item: RotationPlanItem;
      comment: string;
      updateId: string;
    }): Promise<BulkItemResult> {
      const { item, rotation } = input;
      const base = { taskId: item.taskId, applicationId: item.applicationId, hold: item.hold, move: item.move, to: item.to };
      if (item.move === 'staysInPool') return { ...base, ok: true };
      if (item.move === 'needsSuccessor')
        return { ...base, ok: false, error: { status: 409, detail: '此任务没有角色池，需指定接任者 / this task has no role pool: name a successor' } };
      const t = await getRotationTask(deps.db, rotationPost(rotation), item.taskId);
      if (!t || t.hold !== item.hold)
        return { ...base, ok: false, error: { status: 409, detail: '任务已处理或已变化 / the task was acted on or changed since the preview' } };
      const task = await getTask(deps.db, item.taskId);
      if (!task) return { ...base, ok: false, error: NOT_FOUND };
      const facts = taskFacts(task);
      const decision = decideTask(input.principal, facts);
      if (!decision.allow) return { ...base, ok: false, error: { status: 403, detail: decision.reason } };
      const common = { actor: input.principal, idempotencyKey: input.updateId, taskId: item.taskId, comment: input.comment || ROTATION_COMMENT };
      let action: ActionInput;
      if (item.move === 'transfer') {
        const [user] = await listUsersWithOrgPath(deps.db, [item.to!]);
        const target = user ? { username: user.username, active: user.active, orgPath: user.orgPath } : { username: item.to!, active: false, orgPath: '' };
        const allowed = handOffTarget(facts, target);
        if (!allowed.allow) return { ...base, ok: false, error: { status: 403, detail: allowed.reason } };
        action = { ...common, action: 'transfer', to: [target.username], targets: [target] };
      } else if (item.move === 'release') {
        const holders = t.role && t.orgId ? await listUsersWithRole(deps.db, t.orgId, t.role) : [];
        action = { ...common, action: 'release', holder: rotation.username, to: holders.map((u) => u.username).filter((u) => u !== rotation.username) };
      } else {
        action = { ...common, action: 'release', holder: rotation.username };
      }
      const sent = await send(deps.temporal, item.taskId, item.applicationId, action, input.updateId);
      return { ...sent, ...base };
    },

    /** 批量同意: approves one task when the policy lets the principal decide it (as its holder, or an admin in scope). */
    async bulkApproveTask(input: { principal: BulkPrincipal; taskId: string; comment: string; updateId: string }): Promise<BulkItemResult> {
      const task = await getTask(deps.db, input.taskId);
      if (!task) return { taskId: input.taskId, ok: false, error: NOT_FOUND };
      const app = await getApplication(deps.db, task.applicationId);
      const facts = taskFacts(task);
      // 审批链变更: only a second admin at or above the owner approves a chain change, whoever holds its task.
      const change =
        app?.type === 'chain_change' ? approveChainChange(input.principal, { ownerOrgPath: app.applicantOrgPath, proposer: app.applicant }) : undefined;
      const decision = change && !change.allow ? change : decideTask(input.principal, facts, { applicant: app?.applicant });
      if (!decision.allow) {
        // A task the caller may see answers the policy's reason (403); one they may not see stays unknown to them (404).
        const tasks = app ? (await listTasksOfApplication(deps.db, app.id)).map(taskFacts) : [];
        const visible = holdsTask(input.principal, facts) || (!!app && seeApplication(input.principal, applicationFacts(app), tasks).allow);
        return { taskId: input.taskId, ok: false, error: visible ? { status: 403, detail: decision.reason } : NOT_FOUND };
      }
      return send(
        deps.temporal,
        input.taskId,
        task.applicationId,
        { action: 'approve', actor: input.principal, idempotencyKey: input.updateId, taskId: input.taskId, comment: input.comment },
        input.updateId,
      );
    },

    /** 批量转办: moves one task to the successor, when the policy lets the task go to them. */
    async bulkTransferTask(input: { principal: BulkPrincipal; taskId: string; to: string; comment: string; updateId: string }): Promise<BulkItemResult> {
      const task = await getTask(deps.db, input.taskId);
      if (!task) return { taskId: input.taskId, ok: false, error: NOT_FOUND };
      const facts = taskFacts(task);
      // Only tasks whose org lies within the admin's subtree, and only to someone inside each task's org.
      const decision = decideTask(input.principal, facts);
      if (!decision.allow) return { taskId: input.taskId, ok: false, applicationId: task.applicationId, error: { status: 403, detail: decision.reason } };
      const [user] = await listUsersWithOrgPath(deps.db, [input.to]);
      const target = user ? { username: user.username, active: user.active, orgPath: user.orgPath } : { username: input.to, active: false, orgPath: '' };
      const allowed = handOffTarget(facts, target);
      if (!allowed.allow) return { taskId: input.taskId, ok: false, applicationId: task.applicationId, error: { status: 403, detail: allowed.reason } };
      return send(
        deps.temporal,
        input.taskId,
        task.applicationId,
        {
          action: 'transfer',
          actor: input.principal,
          idempotencyKey: input.updateId,
          taskId: input.taskId,
          to: [input.to],
          targets: [target],
          comment: input.comment,
        },
        input.updateId,
      );
    },

    /** One page of the rotating user's pending tasks within the principal's scope (read-only). */
    async listTasksToReassign(input: { from: string; scopePath: string; afterId?: string; limit: number }): Promise<string[]> {
      return listPendingTaskIdsOf(deps.db, input.from, input.scopePath, { afterId: input.afterId, limit: input.limit });
    },
  };
}
