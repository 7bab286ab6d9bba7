/**
 * Bulk jobs (批量操作): bulk approve (批量同意) and moving a rotating cadre's
 * tasks (批量转办) run as a workflow (workflows/bulk-action.ts) that the API
 * starts and answers 202 with its job id; `GET /api/jobs/:id` shows its
 * progress and each task's result. The job id comes from the caller and the
 * Idempotency-Key, so the same key starts the same job, never a second one.
 */
import express, { type Router } from 'express';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import type { Db } from '../db/knex';
import { getUser } from '../db/user-repository';
import { followJob, reassignTasks } from '../domain/policy';
import { withTemporalDeadline } from '../runtime/temporal-client';
import { bulkActionWorkflow, bulkProgressQuery } from '../workflows';
import type { BulkActionInput, BulkPrincipal } from '../workflows/bulk-types';
import { idFromKey, newId } from './approvals-service';
import { callerOf, type Caller } from './auth';
import { badRequest, HttpError, notFound, parseOr400 } from './errors';
import { idempotencyKeyOf, idempotent } from './idempotency';
import { admitTemporalWork } from './admission';
import { mapTemporalError } from './temporal-errors';

export interface BulkJobDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
}

export const bulkApproveSchema = z.object({
  taskIds: z
    .array(z.string().min(1).max(200))
    .min(1, '请至少选择一个任务 / choose at least one task')
    .max(200, '一次最多 200 个任务 / at most 200 tasks at once'),
  comment: z.string().trim().max(2000).optional(),
});

export const reassignSchema = z.object({
  from: z.string().trim().min(1).max(100),
  to: z.string().trim().min(1).max(100),
  comment: z.string().trim().max(2000).optional(),
});

const jobWorkflowId = (jobId: string) => `bulk-${jobId}`;
/** Job ids are what idFromKey/newId make: letters and digits. */
const JOB_ID = /^[a-z0-9]{1,40}$/;

export const principalOf = (c: Caller): BulkPrincipal => ({
  username: c.username,
  orgId: c.orgId,
  orgPath: c.orgPath,
  roles: c.roles,
  posts: c.posts.map(({ orgId, orgPath, role }) => ({ orgId, orgPath, role })),
});

/**
 * Starts the job (or finds the one this caller's key started before) and
 * answers 202 with where to follow it.
 */
export async function startJob(deps: BulkJobDeps, caller: Caller, key: string | undefined, make: (keyPrefix: string) => BulkActionInput) {
  const jobId = key ? idFromKey(caller.username, key) : newId();
  const workflowId = jobWorkflowId(jobId);
  try {
    await withTemporalDeadline(deps.temporal, () =>
      deps.temporal.workflow.start(bulkActionWorkflow, { taskQueue: deps.taskQueue, workflowId, args: [make(`${caller.username}:job-${jobId}`)] }),
    );
  } catch (err) {
    // The same key started it before (its answer may have been lost): that job is the answer.
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw mapTemporalError(err);
  }
  return { jobId, workflowId, status: 'running', progress: `/api/jobs/${jobId}` };
}

export function bulkJobRoutes(deps: BulkJobDeps): Router {
  const router = express.Router();

  /** Approvers approve several of their tasks at once; admins may approve tasks within their scope. → 202 { jobId } */
  router.post('/api/tasks/bulk-approve', admitTemporalWork, idempotent(deps.db), async (req, res) => {
    const caller = callerOf(req);
    const body = parseOr400(bulkApproveSchema, req.body);
    const taskIds = [...new Set(body.taskIds)];
    const job = await startJob(deps, caller, idempotencyKeyOf(req), (keyPrefix) => ({
      kind: 'approve',
      principal: principalOf(caller),
      taskIds,
      comment: body.comment ?? '批量同意 / bulk approved',
      keyPrefix,
    }));
    res.status(202).json({ ...job, total: taskIds.length });
  });

  /** Cadres rotate: an admin moves every pending task of one user (within scope) to another. → 202 { jobId } */
  router.post('/api/tasks/reassign', admitTemporalWork, idempotent(deps.db), async (req, res) => {
    const caller = callerOf(req);
    const decision = reassignTasks(principalOf(caller));
    if (!decision.allow) throw new HttpError(decision.status, decision.reason);
    const body = parseOr400(reassignSchema, req.body);
    const [from, to] = await Promise.all([getUser(deps.db, body.from), getUser(deps.db, body.to)]);
    const errors = [];
    if (!from) errors.push({ path: 'from', message: '用户不存在 / unknown user' });
    if (!to || !to.active) errors.push({ path: 'to', message: '用户不存在或已停用 / unknown or inactive user' });
    if (errors.length) throw badRequest('请检查用户 / unknown users', errors);
    const job = await startJob(deps, caller, idempotencyKeyOf(req), (keyPrefix) => ({
      kind: 'reassign',
      principal: principalOf(caller),
      from: body.from,
      to: body.to,
      comment: body.comment ?? `岗位调整，批量转办 / reassigned from ${body.from}`,
      keyPrefix,
    }));
    res.status(202).json(job);
  });

  /** A job's progress: total, done, succeeded, failed, and each task's result; for the one who started it. */
  router.get('/api/jobs/:id', async (req, res) => {
    const caller = callerOf(req);
    const id = req.params.id;
    if (!JOB_ID.test(id)) throw notFound('任务批次不存在 / job not found');
    let progress;
    try {
      progress = await withTemporalDeadline(deps.temporal, () => deps.temporal.workflow.getHandle(jobWorkflowId(id)).query(bulkProgressQuery));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw notFound('任务批次不存在 / job not found');
      throw mapTemporalError(err);
    }
    const decision = followJob(principalOf(caller), progress);
    if (!decision.allow) throw new HttpError(decision.status, decision.reason);
    res.setHeader('Cache-Control', 'no-store');
    res.json({ jobId: id, ...progress });
  });

  return router;
}
