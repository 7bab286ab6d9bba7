/**
 * 在办申请迁移: POST /api/chains/:key/migrations[?owner=] moves the running
 * applications of one version of an org's chain to the version in force
 * (the chain as GET /api/chains/:key[?owner=] names it). The owner's
 * admin (domain/policy.ts `migrateChain`) maps each old step to a new one;
 * a dry run answers which applications can move (their current step is
 * mapped) and which cannot, with the reason; otherwise the bulk-action job
 * (workflows/bulk-action.ts, kind migrate) moves them one by one and the API
 * answers 202 with the job to follow at GET /api/jobs/:id. Each application
 * records the move on its timeline and continues under the new version from
 * the mapped step (workflows/approval-migration.ts).
 */
import express, { type Router } from 'express';
import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { getApplicableChain, getLatestChain } from '../db/chain-repository';
import { getChainVersion, listRunningApplicationsOf, type RunningApplicationRow } from '../db/chain-migration-repository';
import { getOrg } from '../db/org-repository';
import { migrationEligibility, migrationPlanIssues, type MigrationPlan } from '../domain/chain-migration';
import type { ChainDefinition } from '../domain/chain';
import { migrateChain } from '../domain/policy';
import { withTemporalDeadline } from '../runtime/temporal-client';
import { getApplicationQuery } from '../workflows';
import { MIGRATE_MAX_APPLICATIONS } from '../workflows/bulk-types';
import { applicationWorkflowId } from './approvals-service';
import { callerOf } from './auth';
import { principalOf, startJob, type BulkJobDeps } from './bulk-jobs';
import { badRequest, enforce, notFound, parseOr400, zodFieldErrors, type FieldError } from './errors';
import { idempotencyKeyOf, idempotent } from './idempotency';
import { admitTemporalWork } from './admission';
import { mapTemporalError } from './temporal-errors';
import { registerRoutes } from './openapi';

const version = z.number({ error: '请填写版本号 / a version number is required' }).int().positive();

export const migrationSchema = z
  .object({
    fromVersion: version,
    toVersion: version,
    /** Old step id → new step id. */
    stepMap: z.record(z.string().trim().min(1).max(50), z.string().trim().min(1, '请选择新步骤 / choose the new step').max(50)),
    dryRun: z.boolean().optional(),
  })
  .strict();

registerRoutes({
  '/api/chains/{key}/migrations': {
    post: {
      summary:
        '迁移在办申请到现行版本（审批链所属组织或上级的管理员）：stepMap 为旧步骤到新步骤的对应；dryRun 返回 200 { canMove, cannotMove }，否则启动批次返回 202 / move the running applications of a chain version to the version in force (an admin of the owner or above): stepMap maps old steps to new ones; dryRun answers 200 with those that can and cannot move, else a job starts: 202',
      body: migrationSchema,
      ok: 202,
      query: ['owner'],
    },
  },
});

/** Queries at once while previewing (each is one workflow query). */
const PREVIEW_BATCH = 10;

export function chainMigrationRoutes(deps: BulkJobDeps): Router {
  const router = express.Router();

  router.post('/api/chains/:key/migrations', admitTemporalWork, idempotent(deps.db), async (req, res) => {
    const caller = callerOf(req);
    const principal = principalOf(caller);
    const key = String(req.params.key);
    // Which chain (the owner's `?owner=`, else the one that applies at the caller's org), and whether the
    // caller may migrate it, before anything of the body is judged.
    const q = parseOr400(z.object({ owner: z.string().trim().min(1).max(100).optional() }), req.query);
    let chain;
    if (q.owner) {
      const org = await getOrg(deps.db, q.owner);
      if (!org) throw notFound('审批链不存在 / chain not found');
      enforce(migrateChain(principal, org.path));
      chain = await getLatestChain(deps.db, key, org.id);
    } else {
      chain = await getApplicableChain(deps.db, key, caller.orgId);
    }
    if (!chain) throw notFound('审批链不存在 / chain not found');
    const owner = chain.owner ? await getOrg(deps.db, chain.owner) : undefined;
    enforce(migrateChain(principal, owner?.path ?? null));
    if (!owner) throw notFound('审批链不存在 / chain not found');

    const parsed = migrationSchema.safeParse(req.body && typeof req.body === 'object' ? req.body : {});
    if (!parsed.success) throw badRequest('迁移方案有误，请检查标出的字段 / invalid migration', zodFieldErrors(parsed.error));
    const body = parsed.data;
    const [from, to] = await Promise.all([
      getChainVersion(deps.db, { key: chain.key, owner: owner.id, version: body.fromVersion }),
      getChainVersion(deps.db, { key: chain.key, owner: owner.id, version: body.toVersion }),
    ]);
    const errors: FieldError[] = migrationPlanIssues(body, from, to, chain.version);
    if (errors.length || !to) throw badRequest('迁移方案有误，请检查标出的字段 / invalid migration', errors);
    const plan: MigrationPlan = { key: chain.key, owner: owner.id, fromVersion: body.fromVersion, toVersion: body.toVersion, stepMap: body.stepMap };

    if (body.dryRun) {
      const rows = await listRunningApplicationsOf(deps.db, { key: plan.key, owner: plan.owner, version: plan.fromVersion }, MIGRATE_MAX_APPLICATIONS + 1);
      const preview = await previewMoves(deps, rows.slice(0, MIGRATE_MAX_APPLICATIONS), plan, to);
      res.setHeader('Cache-Control', 'no-store');
      res.json({
        chain: { key: plan.key, name: chain.name, owner: owner.id, ownerName: owner.name, fromVersion: plan.fromVersion, toVersion: plan.toVersion },
        truncated: rows.length > MIGRATE_MAX_APPLICATIONS,
        ...preview,
      });
      return;
    }

    const job = await startJob(deps, caller, idempotencyKeyOf(req), (keyPrefix) => ({ kind: 'migrate', principal, plan, chain: to, keyPrefix }));
    res.status(202).json(job);
  });

  return router;
}

/** Each running application's move, as its workflow shows it now: the step it waits at and where it would continue. */
async function previewMoves(deps: BulkJobDeps, rows: RunningApplicationRow[], plan: MigrationPlan, to: ChainDefinition) {
  const canMove: { id: string; title: string; status: string; currentStep: string; toStep: string }[] = [];
  const cannotMove: { id: string; title: string; status: string; currentStep: string | null; reason: string }[] = [];
  for (let i = 0; i < rows.length; i += PREVIEW_BATCH) {
    const batch = rows.slice(i, i + PREVIEW_BATCH);
    const views = await Promise.all(
      batch.map((r) =>
        withTemporalDeadline(deps.temporal, () => deps.temporal.workflow.getHandle(applicationWorkflowId(r.id)).query(getApplicationQuery)).catch(
          (err: unknown) => {
            // An application whose workflow is gone cannot move; Temporal out of reach answers 503 (no partial preview).
            if (err instanceof WorkflowNotFoundError) return undefined;
            throw mapTemporalError(err);
          },
        ),
      ),
    );
    batch.forEach((r, j) => {
      const v = views[j];
      if (!v) {
        cannotMove.push({
          id: r.id,
          title: r.title,
          status: r.status,
          currentStep: r.currentStep,
          reason: '申请的流程已结束 / the application’s workflow has ended',
        });
        return;
      }
      const st = v.steps[v.currentStepIndex];
      const e = migrationEligibility(
        {
          status: v.status,
          type: v.type,
          chainKey: plan.key,
          chainVersion: v.chainVersion ?? r.chainVersion,
          current: st ? { id: st.id, name: st.name, added: !!st.added } : undefined,
        },
        plan,
        to,
      );
      const item = { id: r.id, title: r.title, status: v.status, currentStep: st?.name ?? null };
      if (e.ok && !e.already) canMove.push({ ...item, currentStep: e.fromStep.name, toStep: e.toStep.name });
      else cannotMove.push({ ...item, reason: e.ok ? '已在新版本上 / already on the new version' : e.reason });
    });
  }
  return { canMove, cannotMove };
}
