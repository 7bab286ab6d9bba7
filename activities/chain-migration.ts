/**
 * The activities of a migration job (在办申请迁移, workflows/bulk-action.ts kind
 * migrate): the running applications of the old version, and one
 * application moved by the migrate Workflow Update, whose handler asks the
 * rules again once any action in flight has finished. A refusal (the step
 * has no counterpart, the application was decided meanwhile) is a result
 * (ok: false), not a failure; the Update id derives from the job's key, so a
 * retried activity or job never moves an application twice.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { listRunningApplicationsOf } from '../db/chain-migration-repository';
import type { Db } from '../db/knex';
import type { ChainDefinition } from '../domain/chain';
import type { MigrationPlan } from '../domain/chain-migration';
import { migrateUpdate } from '../workflows/approval-chain';
import type { BulkItemResult, BulkPrincipal } from '../workflows/bulk-types';

export function createMigrationActivities(deps: { db: Db; temporal: Client }) {
  return {
    /** The running applications of the plan's old version, oldest first (read-only). */
    async listApplicationsToMigrate(input: { plan: MigrationPlan; limit: number }): Promise<{ id: string; title: string }[]> {
      const rows = await listRunningApplicationsOf(deps.db, { key: input.plan.key, owner: input.plan.owner, version: input.plan.fromVersion }, input.limit);
      return rows.map((r) => ({ id: r.id, title: r.title }));
    },

    /** Moves one application to the new version (the migrate Update; its handler decides). */
    async migrateApplication(input: {
      principal: BulkPrincipal;
      plan: MigrationPlan;
      chain: ChainDefinition;
      application: { id: string; title: string };
      updateId: string;
    }): Promise<BulkItemResult> {
      const base = { applicationId: input.application.id, title: input.application.title };
      try {
        const r = await deps.temporal.workflow.getHandle(`application-${input.application.id}`).executeUpdate(migrateUpdate, {
          args: [{ idempotencyKey: input.updateId, by: input.principal.username, plan: input.plan, chain: input.chain }],
          updateId: input.updateId,
        });
        return { ...base, ok: true, status: r.status, fromStep: r.fromStep, toStep: r.toStep ?? r.currentStep ?? undefined };
      } catch (err) {
        if (err instanceof WorkflowNotFoundError)
          return { ...base, ok: false, error: { status: 409, detail: '申请已办结 / the application is already decided or withdrawn' } };
        if (err instanceof WorkflowUpdateFailedError) {
          const cause = err.cause;
          const status = cause instanceof ApplicationFailure && cause.type === 'BadRequest' ? 400 : 409;
          return { ...base, ok: false, error: { status, detail: cause?.message ?? err.message } };
        }
        throw err;
      }
    },
  };
}
