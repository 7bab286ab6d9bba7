/**
 * Every side effect of the workflows. Workflows only `import type` from here.
 */
import type { Client } from '@temporalio/client';
import type { Db } from '../db/knex';
import { recordTransition as writeTransition } from '../db/approval-repository';
import { rewrapJson, type PiiCipher } from '../runtime/pii';
import type {
  AutoStepInput,
  AutoStepResult,
  ConditionResult,
  EvaluateConditionInput,
  ResolveStepInput,
  ResolvedStep,
  TransitionRecord,
} from '../workflows/approval-types';
import { runAutoStep } from './auto-steps';
import { commitTransition, type TransitionInput } from './transition';
import type { AdvanceAnswer } from '../workflows/approval-engine';
import { createBulkActivities } from './bulk-actions';
import { createMigrationActivities } from './chain-migration';
import { createBulletinActivities, type MailSettings } from './bulletin';
import { createCampaignActivities } from './campaign';
import { createProvinceBulletinActivities } from './province-bulletin';
import { createRetentionActivities } from './retention';
import { createUnionEstablishmentActivities } from './union-establishment';
import { calendarCache, evaluateGroupCondition, planEscalationTo, resolveEscalationTarget, resolveStepRoute } from './route-resolution';

export interface ActivityDeps {
  db: Db;
  pii: PiiCipher;
  /** A client of the worker's namespace: the bulletin activities manage Temporal Schedules with it. */
  temporal: Client;
  /** The task queue schedules start their workflows on (the worker's own). */
  taskQueue: string;
  /** SMTP for emailed bulletins; absent, bulletins are delivered in the app only. */
  mail?: MailSettings;
  /** Days a rejected or withdrawn application keeps its personal fields (RETENTION_DAYS; default 180). */
  retentionDays?: number;
}

export type { MailSettings };

export function createActivities(deps: ActivityDeps) {
  const calendars = calendarCache(deps.db);
  const writeRecord = async (record: TransitionRecord): Promise<void> => {
    // The payload comes from the workflow's state, whose ciphertexts date from its start: stored with the newest key.
    const application = record.application && { ...record.application, payload: rewrapJson(deps.pii, record.application.payload).value };
    await writeTransition(deps.db, { ...record, application });
  };
  return {
    ...createCampaignActivities(deps),
    ...createBulletinActivities(deps),
    ...createProvinceBulletinActivities(deps),
    ...createBulkActivities(deps),
    ...createMigrationActivities(deps),
    ...createRetentionActivities(deps),
    ...createUnionEstablishmentActivities(deps),
    /** Resolves who acts on a step and its due time. Read-only; safe to retry. */
    async resolveStep(input: ResolveStepInput): Promise<ResolvedStep> {
      return resolveStepRoute(deps.db, calendars, input);
    },
    /** Evaluates a parallel group's condition now (a step's own comes with resolveStep). Read-only. */
    async evaluateCondition(input: EvaluateConditionInput): Promise<ConditionResult> {
      return evaluateGroupCondition(deps.db, input);
    },
    /** Finds who an overdue task escalates to. Read-only. */
    async resolveEscalation(input: { orgId: string }): Promise<{ username: string; rule: string } | null> {
      return resolveEscalationTarget(deps.db, input.orgId);
    },
    /** Plans a phase-end escalation to the city (read-only). */
    async planEscalation(input: { toOrg: string; tasks: { id: string; orgId: string | null; kind: string }[] }) {
      return planEscalationTo(deps.db, input.toOrg, input.tasks);
    },
    /**
     * Writes one transition (audit rows, tasks, notifications, the
     * application's status) in one transaction; keyed, so retries are no-ops.
     */
    async recordTransition(record: TransitionRecord): Promise<void> {
      await writeRecord(record);
    },
    /**
     * One whole transition (activities/transition.ts): writes its records and, when the chain moves on, resolves
     * the next steps, runs automated ones and writes what they produce; returns the look-ups' answers in order.
     */
    async commitTransition(input: TransitionInput): Promise<AdvanceAnswer[]> {
      return commitTransition(
        {
          write: writeRecord,
          answer: async (r) => {
            if (r.kind === 'resolve') return { kind: r.kind, result: await resolveStepRoute(deps.db, calendars, r.input) };
            if (r.kind === 'evaluate') return { kind: r.kind, result: await evaluateGroupCondition(deps.db, r.input) };
            return { kind: r.kind, result: await runAutoStep(deps, r.input) };
          },
        },
        input,
      );
    },
    /** Runs an automated chain step (notice, sorting, member records…); each is idempotent. */
    async runAutoStep(input: AutoStepInput): Promise<AutoStepResult> {
      return runAutoStep(deps, input);
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
