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
import { getApplication, getTask, listPendingTaskIdsOf } from '../db/approval-repository';
import type { Db } from '../db/knex';
import { getOrg } from '../db/org-repository';
import { getUser } from '../db/user-repository';
import { decideTask, handOffTarget, hasAnyRole, type TaskFacts } from '../domain/policy';
import { actUpdate } from '../workflows/approval-chain';
import type { ActionInput } from '../workflows/approval-types';
import type { BulkItemResult, BulkPrincipal } from '../workflows/bulk-types';

const NOT_FOUND = { status: 404, detail: '任务不存在 / task not found' };

async function taskFacts(db: Db, taskId: string) {
  const task = await getTask(db, taskId);
  if (!task) return undefined;
  const org = task.orgId ? await getOrg(db, task.orgId) : undefined;
  const facts: TaskFacts = {
    assignee: task.assignee,
    owner: task.owner,
    role: task.role,
    orgId: task.orgId,
    orgPath: org?.path ?? null,
    candidates: task.candidates,
  };
  return { task, facts };
}

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
      const found = await taskFacts(deps.db, input.taskId);
      if (!found) return { taskId: input.taskId, ok: false, error: NOT_FOUND };
      const app = await getApplication(deps.db, found.task.applicationId);
      const decision = decideTask(input.principal, found.facts, { applicant: app?.applicant });
      if (!decision.allow) {
        // An admin on their own application: say so (the policy's reason); any other task the caller may not decide stays unknown to them.
        const error =
          hasAnyRole(input.principal, 'admin') && app?.applicant === input.principal.username ? { status: 403, detail: decision.reason } : NOT_FOUND;
        return { taskId: input.taskId, ok: false, error };
      }
      const actor = { ...input.principal, ...(decision.override ? { asAdmin: true } : {}) };
      return send(
        deps.temporal,
        input.taskId,
        found.task.applicationId,
        { action: 'approve', actor, idempotencyKey: input.updateId, taskId: input.taskId, comment: input.comment },
        input.updateId,
      );
    },

    /** 批量转办: moves one task to the successor, when the policy lets the task go to them. */
    async bulkTransferTask(input: { principal: BulkPrincipal; taskId: string; to: string; comment: string; updateId: string }): Promise<BulkItemResult> {
      const found = await taskFacts(deps.db, input.taskId);
      if (!found) return { taskId: input.taskId, ok: false, error: NOT_FOUND };
      const target = await getUser(deps.db, input.to);
      const targetOrg = target ? await getOrg(deps.db, target.orgId) : undefined;
      const allowed = handOffTarget(
        found.facts,
        target && targetOrg ? { username: target.username, active: target.active, orgPath: targetOrg.path } : undefined,
      );
      // A task recorded without its org's path (named-user steps, older rows) is left to the workflow's validator,
      // which knows the step; the policy cannot place it in the tree.
      if (!allowed.allow && found.facts.orgPath !== null)
        return { taskId: input.taskId, ok: false, applicationId: found.task.applicationId, error: { status: 403, detail: allowed.reason } };
      const actor = { ...input.principal, asAdmin: true };
      return send(
        deps.temporal,
        input.taskId,
        found.task.applicationId,
        { action: 'transfer', actor, idempotencyKey: input.updateId, taskId: input.taskId, to: [input.to], comment: input.comment },
        input.updateId,
      );
    },

    /** One page of the rotating user's pending tasks within the principal's scope (read-only). */
    async listTasksToReassign(input: { from: string; scopePath: string; afterId?: string; limit: number }): Promise<string[]> {
      return listPendingTaskIdsOf(deps.db, input.from, input.scopePath, { afterId: input.afterId, limit: input.limit });
    },
  };
}
