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
  applicationFacts,
  taskFacts,
  type ApplicationRow,
  type AuditRow,
  type TaskRow,
} from '../db/approval-repository';
import { actUpdate, approvalWorkflow } from '../workflows';
import type { ActionInput, ActionResult, ApprovalInput } from '../workflows/approval-types';
import type { Caller } from './auth';

/** The policy's view of a task or application row (defined beside the rows in db/approval-repository.ts). */
export { applicationFacts, taskFacts };
import { holdsTask, seeApplication, seeMembershipNotes, type Decision, type TargetFacts } from '../domain/policy';
import { listUsersWithOrgPath } from '../db/user-repository';
import { lookupNames } from '../db/names-repository';
import { mainPost, postOf } from '../domain/approval-sheet';
import { badRequest, conflict, enforce, notFound, type FieldError } from './errors';
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

/** The application, if the policy lets the caller see it (`seeApplication`); otherwise 404, so ids cannot be probed. */
export async function loadVisibleApplication(db: Db, caller: Caller, id: string): Promise<ApplicationRow> {
  const app = await getApplication(db, id);
  if (!app) throw notFound('申请不存在 / application not found');
  if (await canSee(db, caller, app)) return app;
  throw notFound('申请不存在 / application not found');
}

/** A task is the caller's when the policy says they hold it (`holdsTask`: by name, or a role they hold in its org). */
export function isMine(t: TaskRow, c: Caller): boolean {
  return holdsTask(c, taskFacts(t));
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
  const quick = seeApplication(caller, applicationFacts(app), []);
  if (quick.allow) return true;
  const tasks = await listTasksOfApplication(db, app.id);
  return seeApplication(caller, applicationFacts(app), tasks.map(taskFacts)).allow;
}

/**
 * The users an action hands a task to or copies (转办, 委派, 加签, 抄送), as the
 * policy and the workflow's validator judge them: active or not, and where
 * they sit. Unknown users come back inactive, with no org.
 */
export async function loadTargets(db: Db, usernames: readonly string[]): Promise<TargetFacts[]> {
  const rows = await listUsersWithOrgPath(db, usernames);
  return usernames.map((u) => {
    const r = rows.find((x) => x.username === u);
    return r ? { username: u, active: r.active, orgPath: r.orgPath } : { username: u, active: false, orgPath: '' };
  });
}

/**
 * Refuses what the policy refuses about the users an action names: unknown
 * or inactive users are bad input (400 naming each `to` entry); an existing
 * user the task may not go to is a 403 with the policy's reason. Nothing is
 * sent. The workflow's validator checks the same facts again.
 */
export function refuseTargets(targets: TargetFacts[], judge: (t: TargetFacts) => Decision): void {
  const path = (i: number) => (targets.length > 1 ? `to.${i}` : 'to');
  const unknown: FieldError[] = targets.flatMap((t, i) =>
    t.active ? [] : [{ path: path(i), message: `用户 ${t.username} 不存在或已停用 / unknown or inactive user` }],
  );
  if (unknown.length) throw badRequest('请检查接收人 / unknown users', unknown);
  for (const t of targets) enforce(judge(t));
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
            path: 'one-write',
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

/** The keys of a timeline entry's data that name people (logins). */
const PEOPLE_KEYS = ['to', 'removed', 'from'] as const;
const usernamesIn = (v: unknown): string[] => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** Applications whose automated steps may speak of someone's membership (会籍). */
const MEMBERSHIP_TYPES = new Set(['membership', 'transfer']);

/**
 * An application's timeline as the caller may read it. The automated steps of
 * a membership or transfer application keep what they learnt about the
 * person's membership in their data (`staffNote`, `conflict`, …): for those
 * the policy's `seeMembershipNotes` refuses (the applicant above all), each
 * such entry keeps its public note and outcome only, so its shape is the same
 * whether or not the person was a member.
 */
export async function timelineFor(db: Db, caller: Caller, app: ApplicationRow | undefined, rows: AuditRow[]) {
  // 代理: a deputy's action names whom it was for (代…审批), with their name.
  const absent = [...new Set(rows.flatMap((e) => (typeof e.data?.onBehalfOf === 'string' ? [e.data.onBehalfOf] : [])))];
  // Who acted, by name and post (the web shows names, not login names); 'system' and the public have none.
  const actors = [...new Set(rows.flatMap((e) => (e.actor && e.actor !== 'system' && !e.actor.startsWith('public') ? [e.actor] : [])))];
  // The people an entry names in its data (转办 to, 加签 to, 减签 removed, 收回 from, 升级 to): by name too.
  const named = rows.flatMap((e) => PEOPLE_KEYS.flatMap((k) => usernamesIn(e.data?.[k])));
  const [book, tasks] = await Promise.all([
    lookupNames(db, { users: [...absent, ...actors, ...named] }),
    app && actors.length ? listTasksOfApplication(db, app.id) : Promise.resolve([]),
  ]);
  const sheetTasks = tasks.map((t) => ({
    stepIndex: t.stepIndex,
    assignee: t.assignee,
    role: t.role,
    orgId: t.orgId,
    orgName: null,
    candidates: t.candidates,
  }));
  const actorName = (e: AuditRow) => {
    const person = book.people.get(e.actor);
    if (person) return { actorName: person.name, actorPost: postOf(person, e.actor, e.stepIndex, sheetTasks) || null };
    // An application from the public join page (扫码入会): the worker, not the placeholder login.
    if (e.actor === 'applicant' || e.actor?.startsWith('public')) return { actorName: '职工本人 / the worker' };
    return {};
  };
  const people = (e: AuditRow) => {
    const us = [...new Set(PEOPLE_KEYS.flatMap((k) => usernamesIn(e.data?.[k])))].filter((u) => book.people.has(u));
    return us.length ? { people: Object.fromEntries(us.map((u) => [u, { name: book.people.get(u)!.name, post: mainPost(book.people.get(u)) }])) } : {};
  };
  const onBehalfOf = (e: AuditRow) => {
    const u = e.data?.onBehalfOf;
    if (typeof u !== 'string') return {};
    const name = book.people.get(u)?.name ?? u;
    return { onBehalfOf: { username: u, name }, label: `代${name}审批 / on behalf of ${name}` };
  };
  const view = (e: AuditRow) => ({
    at: e.at,
    actor: e.actor,
    action: e.action,
    comment: e.comment,
    step: e.step,
    stepIndex: e.stepIndex,
    data: e.data,
    ...actorName(e),
    ...people(e),
    ...onBehalfOf(e),
  });
  if (!app || !MEMBERSHIP_TYPES.has(app.type)) return rows.map(view);
  let staff = seeMembershipNotes(caller, { ...applicationFacts(app), type: app.type }, []).allow;
  if (!staff && !(app.applicant && app.applicant === caller.username))
    staff = seeMembershipNotes(caller, { ...applicationFacts(app), type: app.type }, (await listTasksOfApplication(db, app.id)).map(taskFacts)).allow;
  if (staff) return rows.map(view);
  return rows.map((e) => (e.action.startsWith('auto:') ? { ...view(e), comment: publicComment(e), data: { outcome: e.data?.outcome ?? null } } : view(e)));
}

/**
 * An automated step's note as anyone may read it. Steps recorded before the
 * staff notes existed said in their note that the person was a member
 * (a conversion, a refusal, a duplicate): those read as a plain "processed".
 */
function publicComment(e: AuditRow): string | null {
  const d = e.data ?? {};
  const legacy =
    !('staffNote' in d) &&
    ((e.action === 'auto:sortMembership' && (d.outcome === 'convertToTransfer' || d.outcome === 'reject')) ||
      (e.action === 'auto:transferMembership' && d.outcome === 'reject') ||
      (e.action === 'auto:collectMemberInfo' && d.duplicate === true));
  return legacy ? '已处理 / processed' : e.comment;
}
