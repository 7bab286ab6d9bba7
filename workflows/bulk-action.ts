/**
 * The bulk-action job (批量操作): approves the chosen tasks (批量同意), moves
 * a rotating cadre's pending tasks to a successor (批量转办), or rotates a
 * cadre (干部轮岗: ends a post, starts another, moves each task the post
 * held), one task at a time, as its own workflow. The API answers 202 at once and the web app
 * follows the progress with {@link bulkProgressQuery}, so a long job never
 * holds a request (or the server) and a client's retry (same Idempotency-Key,
 * same workflow id) joins the running job instead of starting another.
 *
 * Each task's action is an activity (one Workflow Update to the task's
 * application, its id derived from the job's key prefix and the task id), so
 * a retried activity never acts twice. Reassign reads the tasks a page at a
 * time and stops at REASSIGN_MAX_TASKS.
 *
 * 在办申请迁移 (kind migrate): each running application of the old chain
 * version gets the migrate Update (an activity each, its Update id from the
 * job's key prefix and the application id); one whose step has no
 * counterpart is a failed item with the reason.
 */
import { defineQuery, proxyActivities, setHandler } from '@temporalio/workflow';
import type { createBulkActivities } from '../activities/bulk-actions';
import type { createMigrationActivities } from '../activities/chain-migration';
import { MIGRATE_MAX_APPLICATIONS, REASSIGN_MAX_TASKS, REASSIGN_PAGE, type BulkActionInput, type BulkItemResult, type BulkProgress } from './bulk-types';

export const bulkProgressQuery = defineQuery<BulkProgress>('bulkProgress');

const acts = proxyActivities<ReturnType<typeof createBulkActivities> & ReturnType<typeof createMigrationActivities>>({
  // One Update each; the application's workflow may be busy for a moment.
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', backoffCoefficient: 2, maximumAttempts: 10 },
});

/** Runs one bulk job to its end; returns the final progress with every task's result. */
export async function bulkActionWorkflow(input: BulkActionInput): Promise<BulkProgress> {
  const progress: BulkProgress = {
    kind: input.kind,
    owner: input.principal.username,
    state: 'running',
    total: input.kind === 'approve' ? input.taskIds.length : 0,
    done: 0,
    succeeded: 0,
    failed: 0,
    truncated: false,
    results: [],
  };
  setHandler(bulkProgressQuery, () => progress);
  const record = (r: BulkItemResult) => {
    progress.results.push(r);
    progress.done += 1;
    if (r.ok) progress.succeeded += 1;
    else progress.failed += 1;
  };

  if (input.kind === 'approve') {
    for (const taskId of input.taskIds) {
      record(await acts.bulkApproveTask({ principal: input.principal, taskId, comment: input.comment, updateId: `${input.keyPrefix}:${taskId}` }));
    }
  } else if (input.kind === 'rotate') {
    // 干部轮岗: the moves are planned before the post ends (who else holds the role decides what stays in the pool).
    const { username, successor } = input.rotation;
    const plan = await acts.planRotation({ rotation: input.rotation });
    progress.total = plan.tasks.length;
    progress.truncated = plan.truncated;
    const posts = await acts.changeRotationPosts({ principal: input.principal, rotation: input.rotation, plan });
    for (const item of plan.tasks) {
      record(
        await acts.rotateTask({
          principal: input.principal,
          rotation: input.rotation,
          item,
          comment: input.comment,
          updateId: `${input.keyPrefix}:${item.taskId}`,
        }),
      );
    }
    progress.rotation = {
      username,
      endedPost: input.rotation.fromPost.id,
      startedPost: posts.startedPost,
      successor: successor ?? null,
      applications: plan.applications,
    };
  } else if (input.kind === 'migrate') {
    const { plan } = input;
    progress.migration = { key: plan.key, owner: plan.owner, fromVersion: plan.fromVersion, toVersion: plan.toVersion };
    const apps = await acts.listApplicationsToMigrate({ plan, limit: MIGRATE_MAX_APPLICATIONS + 1 });
    progress.truncated = apps.length > MIGRATE_MAX_APPLICATIONS;
    const list = apps.slice(0, MIGRATE_MAX_APPLICATIONS);
    progress.total = list.length;
    for (const application of list) {
      record(
        await acts.migrateApplication({ principal: input.principal, plan, chain: input.chain, application, updateId: `${input.keyPrefix}:${application.id}` }),
      );
    }
  } else {
    let afterId: string | undefined;
    for (;;) {
      const room = REASSIGN_MAX_TASKS - progress.total;
      if (room <= 0) {
        progress.truncated = (await acts.listTasksToReassign({ from: input.from, scopePath: input.principal.orgPath, afterId, limit: 1 })).length > 0;
        break;
      }
      const ids = await acts.listTasksToReassign({ from: input.from, scopePath: input.principal.orgPath, afterId, limit: Math.min(REASSIGN_PAGE, room) });
      progress.total += ids.length;
      for (const taskId of ids) {
        record(
          await acts.bulkTransferTask({ principal: input.principal, taskId, to: input.to, comment: input.comment, updateId: `${input.keyPrefix}:${taskId}` }),
        );
      }
      if (ids.length < Math.min(REASSIGN_PAGE, room)) break;
      afterId = ids[ids.length - 1];
    }
  }
  progress.state = 'done';
  return progress;
}
