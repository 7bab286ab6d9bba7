/**
 * 数据保留: the daily retention run, started by the `retention-daily`
 * Temporal Schedule (or a trigger of it). One activity does the work in one
 * keyed transaction — erasing the personal fields of expired rejected and
 * withdrawn applications and their copies, purging old idempotency keys and
 * read notifications, recording the counts — so a retry never runs twice.
 * The workflow carries no personal data: only the run's key and counts.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from './activity-options';

const act = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2 },
});

export interface RetentionResult {
  runId: string;
  applicationsErased: number;
  tasksUpdated: number;
  notificationsUpdated: number;
  idempotencyKeysDeleted: number;
  notificationsDeleted: number;
}

export async function retentionWorkflow(): Promise<RetentionResult> {
  const info = workflowInfo();
  const run = await act.runRetention({ runKey: `${info.workflowId}/${info.runId}` });
  return {
    runId: run.id,
    applicationsErased: run.applicationsErased,
    tasksUpdated: run.tasksUpdated,
    notificationsUpdated: run.notificationsUpdated,
    idempotencyKeysDeleted: run.idempotencyKeysDeleted,
    notificationsDeleted: run.notificationsDeleted,
  };
}
