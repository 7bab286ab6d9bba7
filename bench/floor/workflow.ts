/**
 * The floor benchmark's workflow (bench/temporal-floor.ts): a three-step approval chain's shape in Temporal and
 * nothing else. It makes the same calls to Temporal as the product's approval chain (workflows/approval-chain.ts) on
 * its one-write path — the submission's transition as one local activity in the first workflow task, the SLA timer
 * armed once, then one Workflow Update per approval, each running one local activity — but its local activity does no
 * work, and there is no database, no HTTP and no engine rules. What it costs is what Temporal alone costs per chain.
 */
import { condition, defineUpdate, proxyLocalActivities, setHandler, sleep, CancellationScope, allHandlersFinished } from '@temporalio/workflow';
import type * as activities from './activities';

/** An approval: the step it decides and the approver's comment; answered with the chain's view, as the product's. */
export const approveUpdate = defineUpdate<{ approved: number; view: string }, [{ step: number; comment: string }]>('approve');

const { transition } = proxyLocalActivities<typeof activities>({ startToCloseTimeout: '10 seconds' });

/** `application`: the start input's payload; `view`: what each approval answers (sizes as the product's, see the bench). */
export async function floorChain(input: { steps: number; application: string; view: string }): Promise<number> {
  let approved = 0;
  setHandler(
    approveUpdate,
    async ({ step }) => {
      await transition({ step, payload: input.application });
      approved += 1;
      return { approved, view: input.view };
    },
    {
      validator: ({ step }) => {
        if (step !== approved + 1) throw new Error(`step ${step} is not open`);
      },
    },
  );
  // The submission: its records and the first step's look-ups, as one local activity.
  await transition({ step: 0, payload: input.application });
  // The SLA timer, armed once and left running (the chain ends long before it fires).
  const sla = new CancellationScope();
  void sla.run(() => sleep('3 days')).catch(() => undefined);
  await condition(() => approved >= input.steps);
  await condition(allHandlersFinished);
  return approved;
}
