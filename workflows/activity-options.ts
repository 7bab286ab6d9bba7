/**
 * What the workflows call: the activities' type (the code itself runs on the
 * worker, outside the workflow sandbox) and the activity options the
 * campaign, region and project workflows share.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';

export type Activities = ReturnType<typeof createActivities>;

/**
 * Short keyed database writes: a worker that dies mid-write is noticed (and
 * the write retried elsewhere) within 30 seconds; retried until it succeeds.
 */
export function proxyDbWrites() {
  return proxyActivities<Activities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
  });
}
