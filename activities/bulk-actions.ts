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
import { listUsersWithOrgPath } from '../db/user-repository';
import { approveChainChange, decideTask, handOffTarget, holdsTask, seeApplication } from '../domain/policy';
import { actUpdate } from '../workflows/approval-chain';
import type { ActionInput } from '../workflows/approval-types';
import type { BulkItemResult, BulkPrincipal } from '../workflows/bulk-types';

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

export function createBulkActivities(deps: { db: Db; temporal: Client }) {
  return {
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
