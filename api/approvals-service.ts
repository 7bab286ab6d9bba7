/**
 * What the application and task routes share: visibility rules, starting an
 * application workflow, and sending an action to it as a Workflow Update.
 */
import crypto from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Db } from '../db/knex';
import {
  deleteApplicationIfUnstarted,
  getApplication,
  getTask,
  insertApplication,
  listTasksOfApplication,
  type ApplicationRow,
  type TaskRow,
} from '../db/approval-repository';
import { actUpdate, approvalWorkflow } from '../workflows';
import type { ActionInput, ActionResult, ApprovalInput } from '../workflows/approval-types';
import type { Caller } from './auth';
import { conflict, notFound } from './errors';
import { mapTemporalError } from './temporal-errors';
import { withTemporalDeadline } from '../runtime/temporal-client';

export const applicationWorkflowId = (id: string) => `application-${id}`;

/** Time-ordered ids (newest sort last), so lists page by id. */
export function newId(): string {
  return Date.now().toString(36).padStart(9, '0') + crypto.randomBytes(6).toString('hex');
}

/** The same caller and Idempotency-Key always name the same application. */
export function idFromKey(owner: string, key: string): string {
  return 'k' + crypto.createHash('sha256').update(`${owner}\n${key}`).digest('hex').slice(0, 20);
}

/**
 * Who may see an application: its applicant, anyone in scope of the
 * applicant's or the receiving org, and anyone who holds or held a task on it.
 */
export async function loadVisibleApplication(db: Db, caller: Caller, id: string): Promise<ApplicationRow> {
  const app = await getApplication(db, id);
  if (!app) throw notFound('申请不存在 / application not found');
  if (await canSee(db, caller, app)) return app;
  throw notFound('申请不存在 / application not found');
}

/** A task is the caller's when it is assigned to them, or to a role they hold in their org (as the inbox counts it). */
export function isMine(t: TaskRow, c: Caller): boolean {
  if (t.assignee) return t.assignee === c.username || t.owner === c.username;
  return !!t.role && t.orgId === c.orgId && c.roles.includes(t.role);
}

/**
 * A task as the caller may see it: with its application when they may see
 * that, else only if the task is theirs; otherwise 404.
 */
export async function loadVisibleTask(db: Db, caller: Caller, taskId: string): Promise<{ task: TaskRow; app: ApplicationRow | undefined; mine: boolean }> {
  const task = await getTask(db, taskId);
  if (!task) throw notFound('任务不存在 / task not found');
  const app = await loadVisibleApplication(db, caller, task.applicationId).catch(() => undefined);
  const mine = isMine(task, caller);
  if (!app && !mine) throw notFound('任务不存在 / task not found');
  return { task, app, mine };
}

export async function canSee(db: Db, caller: Caller, app: ApplicationRow): Promise<boolean> {
  if (app.applicant === caller.username) return true;
  if (app.applicantOrgPath.startsWith(caller.orgPath)) return true;
  if (app.targetOrgPath?.startsWith(caller.orgPath)) return true;
  const tasks = await listTasksOfApplication(db, app.id);
  return tasks.some(
    (t) =>
      t.assignee === caller.username ||
      t.owner === caller.username ||
      t.candidates.includes(caller.username) ||
      (t.orgId === caller.orgId && !!t.role && caller.roles.includes(t.role)),
  );
}

/** What starting an application takes: the workflow's input, named by the application's id. */
export type StartApplication = Omit<ApprovalInput, 'applicationId' | 'notify' | 'resume'> & { id: string };

/**
 * Records the application, then starts its workflow. If Temporal refuses,
 * the row is removed again so nothing half-written remains.
 */
export async function startApplication(
  db: Db,
  temporal: Client,
  taskQueue: string,
  a: StartApplication,
): Promise<{ id: string; workflowId: string; status: string }> {
  const workflowId = applicationWorkflowId(a.id);
  const fresh = await insertApplication(db, {
    id: a.id,
    type: a.type,
    chainKey: a.chain.key,
    chainVersion: a.chain.version,
    chainOwner: a.chain.owner ?? null,
    applicant: a.applicant,
    applicantOrg: a.applicantOrg,
    targetOrg: a.targetOrg,
    title: a.title,
    payload: a.payload,
    workflowId,
  });
  try {
    await withTemporalDeadline(temporal, () =>
      temporal.workflow.start(approvalWorkflow, {
        taskQueue,
        workflowId,
        args: [
          {
            applicationId: a.id,
            type: a.type,
            chain: a.chain,
            applicant: a.applicant,
            applicantOrg: a.applicantOrg,
            title: a.title,
            payload: a.payload,
            targetOrg: a.targetOrg,
          },
        ],
        searchAttributes: { ApplicationType: [a.type], ApplicantOrg: [a.applicantOrg] },
      }),
    );
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
      if (fresh) await deleteApplicationIfUnstarted(db, a.id).catch(() => undefined);
      throw mapTemporalError(err);
    }
  }
  const row = await getApplication(db, a.id);
  return { id: a.id, workflowId, status: row?.status ?? 'pending' };
}

/**
 * The key an action carries into its workflow (and its Update id). Each
 * caller has their own Idempotency-Key space, as in the API's own replay
 * table: the same key sent by two people must not make one of them get the
 * other's result. Without a key every call is new.
 */
export function actionKey(caller: Caller, key: string | undefined, ...parts: string[]): string {
  return key ? [caller.username, key, ...parts].join(':') : crypto.randomUUID();
}

/**
 * Sends one action to the application's workflow; the update's validator
 * decides. Callers have already loaded the application row, so a workflow
 * Temporal cannot find has finished (approved, rejected, withdrawn): that is
 * a state conflict (409), not an unknown id.
 */
export async function sendAction(temporal: Client, applicationId: string, input: ActionInput): Promise<ActionResult> {
  try {
    const handle = temporal.workflow.getHandle(applicationWorkflowId(applicationId));
    return await withTemporalDeadline(temporal, () => handle.executeUpdate(actUpdate, { args: [input], updateId: input.idempotencyKey }));
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw conflict('申请已办结，不能再处理 / the application is already decided or withdrawn');
    throw mapTemporalError(err);
  }
}

/** Strips stored ciphertexts and hashes; personal data leaves only masked. */
export function publicPayload(payload: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(payload)) if (!k.endsWith('Enc') && !k.endsWith('Hash')) out[k] = v;
  return out;
}
