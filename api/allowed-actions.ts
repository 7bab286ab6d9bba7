/**
 * What the caller may do now on a task or an application, and why not the
 * rest (办理条件): every action the task page and the application page could
 * show, allowed or refused with its bilingual reason. Who may act is the
 * policy's (domain/policy.ts: decideTask, actForApplicant, urgeApplication,
 * joinApplication, approveChainChange); what the state allows is
 * domain/action-availability.ts; the running workflow (its query) says where
 * the application stands. Mounted by api/lookups.ts.
 */
import express, { type Router } from 'express';
import type { Client } from '@temporalio/client';
import { allowedActions } from '../domain/chain';
import {
  applicationActionRefusal,
  ENDED_STATUSES,
  isOrgApplication,
  REASONS,
  removableSigners,
  retractableTask,
  taskActionRefusal,
} from '../domain/action-availability';
import { actForApplicant, approveChainChange, decideTask, joinApplication, urgeApplication, type Decision } from '../domain/policy';
import { getApplication, listTasksOfApplication, type ApplicationRow, type TaskRow } from '../db/approval-repository';
import { listUsersWithOrgPath } from '../db/user-repository';
import type { Db } from '../db/knex';
import { withTemporalDeadline } from '../runtime/temporal-client';
import { getApplicationQuery } from '../workflows';
import type { ApplicationView } from '../workflows/approval-types';
import { applicationFacts, applicationWorkflowId, loadVisibleApplication, loadVisibleTask, taskFacts } from './approvals-service';
import { callerOf, type Caller } from './auth';
import { HttpError } from './errors';
import { mapTemporalError } from './temporal-errors';
import { registerRoutes } from './openapi';

registerRoutes({
  '/api/tasks/{id}/allowed': {
    get: {
      summary:
        '此任务上当前可执行的操作（actions）与不可执行的操作及原因（refused）、可退回的对象、可减签的人 / what the caller may do on a task now, what not and why, where it may be returned, whom they may remove as signers',
    },
  },
  '/api/applications/{id}/allowed': {
    get: {
      summary:
        '此申请上当前可执行的操作（撤回、重新提交、撤回审批、催办、评论、抄送）与不可执行的操作及原因 / what the caller may do on an application now (withdraw, resubmit, retract, urge, comment, cc), what not and why',
    },
  },
});

/** The task page's actions, in the order it shows them (人工分拣 only on a step that sorts). */
const TASK_PAGE_ACTIONS = ['approve', 'reject', 'return', 'assign', 'transfer', 'addSigner', 'removeSigner', 'delegate', 'comment', 'cc'] as const;
/** The application page's actions, in the order it shows them. */
const APPLICATION_PAGE_ACTIONS = ['withdraw', 'resubmit', 'retract', 'urge', 'comment', 'cc'] as const;

interface Refused {
  action: string;
  reason: string;
}

export interface AllowedDeps {
  db: Db;
  temporal: Client;
}

/**
 * The running workflow's view, or undefined when it is finished or missing;
 * Temporal down or too slow is a 503, not "nothing allowed".
 */
async function workflowView(temporal: Client, applicationId: string): Promise<ApplicationView | undefined> {
  try {
    return await withTemporalDeadline(temporal, () => temporal.workflow.getHandle(applicationWorkflowId(applicationId)).query(getApplicationQuery));
  } catch (err) {
    const mapped = mapTemporalError(err);
    if (mapped instanceof HttpError && mapped.status === 503) throw mapped;
    return undefined;
  }
}

/** The retract rule's facts from the workflow's view. */
const retractFacts = (v: ApplicationView) => ({ status: v.status, current: v.currentStepIndex, steps: v.steps, tasks: v.tasks });

/** A participant of the application: its applicant, anyone who held, holds or was copied a task of it (as the workflow counts them). */
function participates(caller: Caller, app: ApplicationRow | undefined, tasks: readonly TaskRow[]): boolean {
  return (
    (!!app?.applicant && app.applicant === caller.username) ||
    tasks.some((t) => t.assignee === caller.username || t.owner === caller.username || t.candidates.includes(caller.username))
  );
}

export function allowedActionRoutes(deps: AllowedDeps): Router {
  const router = express.Router();
  const { db } = deps;

  router.get('/api/tasks/:id/allowed', async (req, res) => {
    const caller = callerOf(req);
    const { task: t, app: visibleApp, mine } = await loadVisibleTask(db, caller, req.params.id);
    const app = visibleApp ?? (await getApplication(db, t.applicationId));
    const appStatus = app?.status ?? 'pending';
    const ended = ENDED_STATUSES.has(appStatus);
    // The workflow says where the application stands: asked for an approval task of a running application.
    const view = t.kind === 'approval' && !ended ? await workflowView(deps.temporal, t.applicationId) : undefined;
    const held = view?.tasks.find((x) => x.id === t.id);
    const step = view?.steps[t.stepIndex];
    // A task inside a parallel branch (并行分支) acts on that branch's step.
    const inBranch = step?.def.type === 'parallel' && held?.branch !== undefined;
    const def =
      step?.def.type === 'parallel' && inBranch ? step.def.branches[held.branch!]?.[held.branchStep ?? 0] : step?.def.type === 'human' ? step.def : undefined;
    const taskStatus = held?.status ?? t.status;
    const atCurrentStep = !!view && view.status === 'pending' && view.currentStepIndex === t.stepIndex && !!def;
    const removable = view ? removableSigners(retractFacts(view), caller.username) : [];
    const decision = decideTask(caller, taskFacts(t), { applicant: app?.applicant });
    // Whether the caller takes part (for a comment) matters only to someone who may not decide the task.
    const takesPart = decision.allow || mine || participates(caller, app, await listTasksOfApplication(db, t.applicationId));

    const facts = {
      applicationStatus: view?.status ?? appStatus,
      taskStatus,
      atCurrentStep,
      stepActions: def ? allowedActions(def) : [],
      inBranch,
      callerIsDelegate: !!held?.delegatedTo && held.delegatedTo === caller.username,
      callerIsApplicant: !!app?.applicant && app.applicant === caller.username,
      removableSigners: removable.length,
    };
    // 减签 of signers added before one's own step: the adder's task is cancelled while they sign; the adder acts on theirs.
    const signingNow = view ? removable.filter((r) => r.stepIndex === view.currentStepIndex) : [];

    const actions: string[] = [];
    const refused: Refused[] = [];
    const judge = (action: string, reason: string | undefined) => (reason ? refused.push({ action, reason }) : actions.push(action));
    const authorize = (action: string): Decision => {
      if (action === 'approve' && t.applicationType === 'chain_change' && app)
        return approveChainChange(caller, { ownerOrgPath: app.applicantOrgPath, proposer: app.applicant });
      return decision;
    };
    for (const action of TASK_PAGE_ACTIONS) {
      if (action === 'assign' && !facts.stepActions.includes('assign')) continue;
      if (action === 'comment') {
        // A comment on the task is any participant's (or the decider's), until the application ends.
        const d = takesPart ? undefined : joinApplication(caller, undefined, false);
        judge(action, ended ? REASONS.ended : d && !d.allow ? d.reason : undefined);
        continue;
      }
      if (action === 'removeSigner' && signingNow.length && t.kind === 'approval') {
        judge(action, undefined);
        continue;
      }
      const d = authorize(action);
      judge(action, taskActionRefusal(action, { ...facts, decision: d }));
    }
    // 撤回审批: on the caller's own approval, while the next step has not acted.
    const decidedBy = held?.decidedBy ?? (t.status === 'completed' ? t.assignee : undefined);
    if (t.kind === 'approval' && t.status === 'completed' && t.decision === 'approve' && decidedBy === caller.username) {
      const retractable = view ? retractableTask(retractFacts(view), caller.username) : undefined;
      judge('retract', ended ? REASONS.ended : retractable?.id === t.id ? undefined : REASONS.nothingToRetract);
    }

    const returnTargets = actions.includes('return')
      ? [
          ...(app?.applicant ? [{ value: 'applicant' as const, label: '申请人 / the applicant' }] : []),
          ...view!.steps.filter((s) => s.index < t.stepIndex && s.type === 'human' && s.status === 'done').map((s) => ({ value: s.index, label: s.name })),
        ]
      : [];
    const shown = actions.includes('removeSigner') ? removable : [];
    const names = shown.length ? await listUsersWithOrgPath(db, [...new Set(shown.map((r) => r.username))]) : [];
    const removeSigners = shown.map((r) => ({
      username: r.username,
      name: names.find((n) => n.username === r.username)?.name ?? r.username,
      // The task to name: one's own while the signer waits after it; the signer's while they sign before it.
      taskId: r.stepIndex === view!.currentStepIndex ? (view!.tasks.find((x) => x.stepIndex === r.stepIndex && x.status === 'pending')?.id ?? t.id) : t.id,
    }));
    res.json({
      taskId: t.id,
      applicationId: t.applicationId,
      mine,
      // An admin acting in the holder's place (the timeline records the override).
      override: !mine && decision.allow && !!decision.override,
      actions,
      refused,
      returnTargets,
      removeSigners,
    });
  });

  router.get('/api/applications/:id/allowed', async (req, res) => {
    const caller = callerOf(req);
    const app = await loadVisibleApplication(db, caller, req.params.id);
    const tasks = await listTasksOfApplication(db, app.id);
    const facts = applicationFacts(app);
    const forApplicant = actForApplicant(caller, { applicant: app.applicant, applicantOrgId: app.applicantOrg, orgApplication: isOrgApplication(app.type) });
    const join = joinApplication(caller, facts, participates(caller, app, tasks));
    // Whether the caller has an approval to take back: the running workflow knows (asked once some step has approved).
    const approvedOne = tasks.some((t) => t.kind === 'approval' && t.status === 'completed' && t.decision === 'approve');
    const view = approvedOne && app.status === 'pending' ? await workflowView(deps.temporal, app.id) : undefined;
    const status = view?.status ?? app.status;
    const retractable = view ? retractableTask(retractFacts(view), caller.username) : undefined;

    const actions: string[] = [];
    const refused: Refused[] = [];
    for (const action of APPLICATION_PAGE_ACTIONS) {
      const who: Decision =
        action === 'withdraw' || action === 'resubmit'
          ? forApplicant
          : action === 'urge'
            ? urgeApplication(caller, facts)
            : action === 'comment' || action === 'cc'
              ? join
              : { allow: true };
      const reason =
        action === 'retract'
          ? ENDED_STATUSES.has(status)
            ? REASONS.ended
            : retractable
              ? undefined
              : REASONS.nothingToRetract
          : (applicationActionRefusal(action, status) ?? (who.allow ? undefined : who.reason));
      if (reason) refused.push({ action, reason });
      else actions.push(action);
    }
    res.json({ applicationId: app.id, actions, refused, ...(retractable ? { retractTaskId: retractable.id } : {}) });
  });

  return router;
}
