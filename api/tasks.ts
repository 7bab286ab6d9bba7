/**
 * The task inbox (待办) and approver actions. The inbox is a plain indexed
 * query over the tasks projection; every action is a Workflow Update on the
 * task's application, refused by its validator when not allowed.
 */
import express, { type Router } from 'express';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import {
  countInbox,
  encodeCursor,
  getApplication,
  listInbox,
  listTimeline,
  recordPersonalDataView,
  type ApplicationRow,
  type TaskRow,
  type AuditRow,
} from '../db/approval-repository';
import type { Db } from '../db/knex';
import { getOrg } from '../db/org-repository';
import { APPLICATION_TYPES } from '../domain/chain';
import { approveChainChange, editFormFields } from '../domain/policy';
import { amountCorrectionProblem, isBuiltin } from '../domain/form';
import { chainOfApplication, formDataErrors, loadFormView } from './forms';
import type { PiiCipher } from '../runtime/pii';
import { withTemporalDeadline } from '../runtime/temporal-client';
import { getApplicationQuery } from '../workflows';
import type { ActionInput } from '../workflows/approval-types';
import { actorOf } from './applications';
import { attachmentsOf } from './attachment-view';
import {
  actionKey,
  applicationFacts,
  applicationWorkflowId,
  loadTargets,
  loadVisibleTask,
  publicPayload,
  refuseTargets,
  sendAction,
  taskFacts,
  timelineFor,
} from './approvals-service';
import {
  assignTarget,
  awayFrom,
  decideTask,
  deputyOn,
  handOffTarget,
  inboxFilter,
  revealPersonalData as policyReveal,
  seeMembership,
  type TargetFacts,
} from '../domain/policy';
import { listUsersWithOrgPath } from '../db/user-repository';
import { findMemberByHash, sameIdentity, sameName } from '../db/member-repository';
import { auditIdLookup } from './id-lookups';
import { callerOf, type Caller } from './auth';
import { badRequest, enforce, HttpError, notFound, parseOr400, type FieldError } from './errors';
import { idempotencyKeyOf, idempotent } from './idempotency';
import { admitTemporalWork } from './admission';
import { appNames, namesForApps, personOf } from './names';
import { mapTemporalError } from './temporal-errors';
import { isoDateTime } from './validation';
import { taskViewPage } from './task-views';

export interface TaskDeps {
  db: Db;
  temporal: Client;
  /** Decrypts personal data for the steps that must see it in full (身份审核). */
  pii: PiiCipher;
}

export const actionSchema = z.object({
  action: z.enum(['approve', 'reject', 'return', 'transfer', 'delegate', 'addSigner', 'removeSigner', 'assign', 'comment', 'cc'], {
    error: '不支持的操作 / unsupported action; one of approve, reject, return, transfer, delegate, addSigner, removeSigner, assign, comment, cc',
  }),
  comment: z.string().trim().max(2000, '意见最多 2000 字 / at most 2000 characters').optional(),
  to: z.union([z.string().trim().min(1).max(100), z.array(z.string().trim().min(1).max(100)).min(1).max(50)]).optional(),
  returnTo: z.union([z.literal('applicant'), z.number().int().min(0)]).optional(),
  position: z.enum(['before', 'after']).optional(),
  /** return: a deadline for the revision (限期整改). */
  deadline: isoDateTime('须为带时区的 ISO 8601 时间 / an ISO 8601 time with offset').optional(),
  /**
   * approve: corrections of form fields the step lets its approvers edit (字段权限 `edit`), field → new value, e.g.
   * `{ amount: 40000 }` (the built-ins `amount`, `reason`, `title` by name, the form's own fields by theirs).
   */
  form: z
    .record(z.string().max(50), z.unknown(), { error: '表单修改须为对象 / form must be an object of field → value' })
    .refine((f) => Object.keys(f).length <= 103, '修改的字段过多 / too many fields')
    .optional(),
});

/**
 * 已转办: the caller handed this pending task on (转办) and no longer holds it — whom to (by the name the page's names
 * already hold), and when; the page says so instead of offering it as the caller's to do.
 */
function transferredBy(caller: Caller, t: TaskRow, mine: boolean, timeline: AuditRow[], toName: string | null) {
  if (t.status !== 'pending' || mine || !t.assignee || t.assignee === caller.username) return undefined;
  const e = timeline.findLast((x) => x.action === 'transfer' && x.actor === caller.username && x.stepIndex === t.stepIndex && x.data?.to === t.assignee);
  return e ? { toName: toName ?? '—', at: e.at } : undefined;
}

/**
 * 审批链变更: a chain change is approved only by a second admin at or above
 * the owning org (the chain_change application's applicant org), whoever
 * holds the task (an escalation may have moved it to a supervisor).
 */
async function requireChainChangeApprover(db: Db, caller: Caller, t: TaskRow, action: string): Promise<void> {
  if (t.applicationType !== 'chain_change' || action !== 'approve') return;
  const app = await getApplication(db, t.applicationId);
  if (!app) throw notFound('任务不存在 / task not found');
  enforce(approveChainChange(caller, { ownerOrgPath: app.applicantOrgPath, proposer: app.applicant }));
}

const builtinRules: Record<string, z.ZodType> = {
  title: z.string().trim().min(1, '不能为空 / required').max(200, '最多 200 字 / at most 200 characters'),
  amount: z
    .number({ error: '金额须为数字（元）/ amount must be a number in yuan' })
    .positive('金额须大于 0 / must be positive')
    .max(100_000_000, '金额过大 / too large')
    .multipleOf(0.01, '最多两位小数 / at most 2 decimals'),
  reason: z.string().trim().min(1, '不能为空 / required').max(2000, '最多 2000 字 / at most 2000 characters'),
};

/**
 * 字段权限: an approver's corrections, checked before they reach the
 * workflow. They go with an approval (400 `form` otherwise); each field must
 * be one the task's step lets its approvers edit (403 naming the others —
 * read-only, hidden and unknown names alike: the answer never depends on a
 * hidden field's value); the built-ins by their own rules and the form merged with the
 * corrections against the chain's schema (400 `form.<field>`). The workflow's
 * validator asks the policy again.
 */
async function checkedEdits(db: Db, t: TaskRow, action: string, edits: Record<string, unknown>): Promise<Record<string, unknown>> {
  if (action !== 'approve')
    throw badRequest('只有同意时可以修改表单 / form edits go with an approval', [{ path: 'form', message: '只用于 approve / approve only' }]);
  const fields = Object.keys(edits);
  const d = editFormFields(t.fields, fields);
  if (!d.allow) {
    const refused = fields.filter((f) => t.fields?.[f] !== 'edit');
    throw new HttpError(
      d.status,
      d.reason,
      refused.map((f) => ({ path: `form.${f}`, message: '此步骤不能修改此字段 / this step may not edit this field' })),
    );
  }
  const app = await getApplication(db, t.applicationId);
  const chain = app ? await chainOfApplication(db, app) : undefined;
  if (!app || !chain) throw notFound('任务不存在 / task not found');
  const errors: FieldError[] = [];
  const formEdits: Record<string, unknown> = {};
  for (const f of fields) {
    if (!isBuiltin(f)) {
      formEdits[f] = edits[f];
      continue;
    }
    const r = builtinRules[f]!.safeParse(edits[f]);
    const problem = r.success && f === 'amount' ? amountCorrectionProblem(app.payload.amount, r.data) : undefined;
    if (r.success && !problem) edits[f] = r.data;
    else errors.push({ path: `form.${f}`, message: problem ?? r.error?.issues[0]?.message ?? '无效 / invalid' });
  }
  if (Object.keys(formEdits).length && chain.form) {
    const current = app.payload.form && typeof app.payload.form === 'object' ? (app.payload.form as Record<string, unknown>) : {};
    errors.push(...formDataErrors(chain.form, { ...current, ...formEdits }));
  }
  if (errors.length) throw badRequest('表单修改有误，请检查标出的字段 / invalid form corrections', errors);
  return edits;
}

function overdueInfo(t: TaskRow) {
  if (!t.dueAt || t.status !== 'pending') return { dueAt: t.dueAt, overdue: false, msLeft: null as number | null };
  const left = new Date(t.dueAt).getTime() - Date.now();
  return { dueAt: t.dueAt, overdue: left < 0, msLeft: left };
}

function taskView(t: TaskRow) {
  return {
    id: t.id,
    applicationId: t.applicationId,
    applicationType: t.applicationType,
    applicationStatus: t.applicationStatus,
    kind: t.kind,
    subject: t.subject,
    step: t.stepName,
    stepIndex: t.stepIndex,
    status: t.status,
    decision: t.decision,
    assignee: t.assignee,
    owner: t.owner,
    role: t.role,
    org: t.orgId,
    candidates: t.candidates,
    createdAt: t.createdAt,
    completedAt: t.completedAt,
    ...overdueInfo(t),
  };
}

/**
 * The names of a page of tasks (issue 15): the assignee's name and post, the applicant's, the orgs', the campaign's
 * (name and year, so identical titles from different campaigns can be told apart) and the title with the project by name.
 */
async function taskNames(db: Db, rows: TaskRow[], also: ApplicationRow[] = []) {
  const apps = [...rows.map((t) => ({ ...t, title: t.subject })), ...also];
  const book = await namesForApps(db, apps, { users: rows.map((t) => t.assignee), orgs: rows.map((t) => t.orgId) });
  // `also`: applications shown beside the tasks (the task page's subject), named from the same lookup.
  const of = (t: TaskRow) => {
    const n = appNames(book, { ...t, title: t.subject });
    const assignee = personOf(book, t.assignee);
    return {
      subject: n.title,
      assigneeName: assignee?.name ?? null,
      assigneePost: assignee?.post ?? null,
      applicant: t.applicant ?? null,
      applicantName: n.applicantName,
      applicantOrg: t.applicantOrg ?? null,
      applicantOrgName: n.applicantOrgName,
      orgName: t.orgId ? (book.orgs.get(t.orgId) ?? null) : null,
      campaignId: n.campaignId,
      campaignName: n.campaignName,
      campaignYear: n.campaignYear,
      projectName: n.projectName,
    };
  };
  return { of, book };
}

/**
 * 代理 marks of tasks as the caller sees them: `onBehalfOf` (the absent person the caller stands in for, 代…审批)
 * and `readOnly` (the caller was away: their deputy holds it). Names looked up once per page.
 */
async function deputyMarks(db: Db, caller: Caller, rows: Pick<TaskRow, 'deputies'>[]): Promise<(t: Pick<TaskRow, 'deputies'>) => Record<string, unknown>> {
  const absent = [...new Set(rows.flatMap((t) => Object.keys(t.deputies ?? {})))];
  const people = await listUsersWithOrgPath(db, absent);
  const name = (u: string) => people.find((p) => p.username === u)?.name ?? u;
  return (t) => {
    if (!t.deputies) return {};
    const standsInFor = deputyOn(caller, t);
    return {
      deputies: Object.entries(t.deputies).map(([username, deputy]) => ({ absent: { username, name: name(username) }, deputy })),
      ...(standsInFor ? { onBehalfOf: { username: standsInFor, name: name(standsInFor) } } : {}),
      ...(awayFrom(caller, t) ? { readOnly: true } : {}),
    };
  };
}

/** The reveal's facts as the projection knows them: a pending approval task is at its application's current step. */
function revealFacts(t: TaskRow) {
  return { ...taskFacts(t), pending: t.status === 'pending' && t.kind === 'approval', atCurrentStep: true };
}

/**
 * The full ID and phone numbers of the task's applicant, for the one who must
 * check them: the holder of a pending task at the current step, where that
 * step needs them (`showsPersonalData`, e.g. 身份审核 identity review). Every
 * view is audited; anyone else gets 403 and sees the masked numbers only.
 */
async function revealPersonalData(deps: TaskDeps, t: TaskRow, caller: Caller): Promise<{ idNumber?: string; phone?: string }> {
  // A cheap first answer for whoever cannot hold the task at all, before asking Temporal.
  enforce(policyReveal(caller, { ...revealFacts(t), showsPersonalData: true }));
  let view;
  try {
    view = await withTemporalDeadline(deps.temporal, () => deps.temporal.workflow.getHandle(applicationWorkflowId(t.applicationId)).query(getApplicationQuery));
  } catch (err) {
    throw mapTemporalError(err);
  }
  const step = view.steps[t.stepIndex];
  enforce(
    policyReveal(caller, {
      ...taskFacts(t),
      pending: view.status === 'pending' && t.status === 'pending',
      atCurrentStep: view.currentStepIndex === t.stepIndex,
      showsPersonalData: !!step && step.def.type === 'human' && !!step.def.showsPersonalData,
    }),
  );
  if (!step) throw notFound('任务不存在 / task not found');
  const app = await getApplication(deps.db, t.applicationId);
  const payload = app?.payload ?? {};
  const out: { idNumber?: string; phone?: string } = {};
  if (typeof payload.idNumberEnc === 'string') out.idNumber = deps.pii.decrypt(payload.idNumberEnc);
  if (typeof payload.phoneEnc === 'string') out.phone = deps.pii.decrypt(payload.phoneEnc);
  await recordPersonalDataView(deps.db, {
    applicationId: t.applicationId,
    actor: caller.username,
    stepIndex: t.stepIndex,
    step: step.name,
    taskId: t.id,
    fields: Object.keys(out),
  });
  return out;
}

/**
 * Whether the application's person is a member already (会籍), for the one
 * who must decide on it: the holder of the pending receiving review of a
 * transfer, or of the identity review of a membership application — the
 * policy's `seeMembership`; nobody else gets the field. For a membership
 * application it says whether the name and the verified phone match the
 * member record, and flags a 身份冲突 conflict when they do not. Each view is
 * audited as a look-up by ID number.
 */
async function membershipFact(db: Db, caller: Caller, t: TaskRow, visible: ApplicationRow | undefined) {
  if (!t.applicationType || !MEMBERSHIP_TYPES.has(t.applicationType)) return undefined;
  const app = visible ?? (await getApplication(db, t.applicationId));
  if (!app || !MEMBERSHIP_TYPES.has(app.type)) return undefined;
  if (!seeMembership(caller, { ...taskFacts(t), pending: t.status === 'pending' && t.kind === 'approval' }, { applicant: app.applicant }).allow)
    return undefined;
  const idNumberHash = app.payload.idNumberHash;
  if (typeof idNumberHash !== 'string') return undefined;
  const member = await findMemberByHash(db, idNumberHash);
  await auditIdLookup(db, caller, 'review', idNumberHash, t.id);
  if (!member || member.sourceApplication === app.id) return { member: false as const };
  const union = await getOrg(db, member.unionId);
  const fact = {
    member: true as const,
    name: member.name,
    union: { id: member.unionId, name: union?.name ?? member.unionId },
    sameUnion: !!app.targetOrg && member.unionId === app.targetOrg,
  };
  if (app.type !== 'membership') return fact;
  const name = typeof app.payload.name === 'string' ? app.payload.name : '';
  const phoneHash = typeof app.payload.phoneHash === 'string' ? app.payload.phoneHash : '';
  const nameMatches = sameName(member.name, name);
  const phoneMatches = !!member.phoneHash && member.phoneHash === phoneHash;
  return { ...fact, nameMatches, phoneMatches, conflict: !sameIdentity(member, { name, phoneHash }) };
}

const MEMBERSHIP_TYPES = new Set(['membership', 'transfer']);

export function taskRoutes(deps: TaskDeps): Router {
  const router = express.Router();

  router.get('/api/tasks', async (req, res) => {
    // 待办 / 已办 / 我发起的 / 抄送我的: the workbench's views; without `view` the inbox as before.
    if (req.query.view !== undefined) {
      const page = await taskViewPage(deps.db, req, (rows) => deputyMarks(deps.db, callerOf(req), rows), res);
      return void (page && res.json(page));
    }
    const caller = callerOf(req);
    const q = parseOr400(
      z.object({
        status: z.enum(['pending', 'completed', 'cancelled']).optional(),
        kind: z.enum(['approval', 'revision', 'cc']).optional(),
        type: z.enum(APPLICATION_TYPES).optional(),
        overdue: z.enum(['true', 'false']).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
        cursor: z.string().max(200).optional(),
      }),
      req.query,
    );
    const who = inboxFilter(caller);
    const [rows, counts] = await Promise.all([
      listInbox(deps.db, who, { status: q.status, kind: q.kind, type: q.type, overdue: q.overdue === 'true', limit: q.limit + 1, cursor: q.cursor }),
      countInbox(deps.db, who),
    ]);
    const page = rows.slice(0, q.limit);
    const [marks, names] = await Promise.all([deputyMarks(deps.db, caller, page), taskNames(deps.db, page)]);
    const named = names.of;
    res.json({
      items: page.map((t) => ({ ...taskView(t), ...named(t), ...marks(t) })),
      nextCursor: rows.length > q.limit ? encodeCursor(page[page.length - 1]!) : null,
      counts,
    });
  });

  router.get('/api/tasks/:id', async (req, res) => {
    const caller = callerOf(req);
    const { task: t, app, mine } = await loadVisibleTask(deps.db, caller, req.params.id);
    const personalData = req.query.reveal === 'personal' ? await revealPersonalData(deps, t, caller) : undefined;
    const timeline = await listTimeline(deps.db, t.applicationId);
    const membership = await membershipFact(deps.db, caller, t, app);
    // 字段权限: the form as this task's step shows it (hidden fields absent everywhere, `edit` while the task is pending).
    const row = app ?? (await getApplication(deps.db, t.applicationId));
    const fv = row ? await loadFormView(deps.db, caller, row, t) : undefined;
    if (personalData || membership) res.setHeader('Cache-Control', 'no-store');
    const [marks, names] = await Promise.all([deputyMarks(deps.db, caller, [t]), taskNames(deps.db, [t], app ? [app] : [])]);
    const named = names.of(t);
    res.json({
      ...taskView(t),
      ...named,
      ...marks(t),
      ...(personalData ? { personalData } : {}),
      // Whether the page offers 查看完整信息: the policy's answer on the projection's facts (the reveal itself asks again,
      // with the workflow's state).
      canRevealPersonalData: policyReveal(caller, revealFacts(t)).allow,
      ...(membership ? { membership } : {}),
      mine,
      transferred: transferredBy(caller, t, mine, timeline, named.assigneeName),
      subjectDetail: app
        ? {
            id: app.id,
            type: app.type,
            status: app.status,
            currentStep: app.currentStep,
            applicant: app.applicant,
            applicantOrg: app.applicantOrg,
            targetOrg: app.targetOrg,
            payload: publicPayload(fv?.payload ?? app.payload),
            // The title (its project by name), and the names beside the ids.
            ...appNames(names.book, app),
          }
        : undefined,
      ...(fv?.form ? { form: fv.form } : {}),
      formAccess: fv?.formAccess ?? {},
      // 附件 of the application (and of its comments), for whoever sees the application.
      ...(app ? { attachments: await attachmentsOf(deps.db, app.id) } : {}),
      timeline: (await timelineFor(deps.db, caller, app, timeline)).map((e) => ({ ...e, data: fv ? fv.timelineData(e.data) : e.data })),
    });
  });

  router.post('/api/tasks/:id/actions', admitTemporalWork, idempotent(deps.db), async (req, res) => {
    const caller = callerOf(req);
    const { task: t, app } = await loadVisibleTask(deps.db, caller, req.params.id as string);
    const body = parseOr400(actionSchema, req.body);
    const to = body.to === undefined ? undefined : Array.isArray(body.to) ? body.to : [body.to];
    const needsTo = ['transfer', 'delegate', 'addSigner', 'removeSigner', 'assign', 'cc'];
    if (needsTo.includes(body.action) && !to) throw badRequest('请指定接收人 / `to` is required for this action', [{ path: 'to', message: '必填 / required' }]);
    if (body.action === 'return' && body.returnTo === undefined)
      throw badRequest('请指定退回对象 / `returnTo` is required', [
        { path: 'returnTo', message: "'applicant' 或之前步骤的序号 / 'applicant' or an earlier step index" },
      ]);
    // Every task action but a comment (any participant's) and 减签 (the adder names the added signer's task) is the
    // holder's, or an overriding admin's: refuse here with the policy's reason; the workflow's validator asks again.
    await requireChainChangeApprover(deps.db, caller, t, body.action);
    if (body.action !== 'comment' && body.action !== 'removeSigner') enforce(decideTask(caller, taskFacts(t), { applicant: app?.applicant }));
    const edits = body.form && Object.keys(body.form).length ? await checkedEdits(deps.db, t, body.action, body.form) : undefined;
    let targets: TargetFacts[] | undefined;
    if (to && body.action === 'assign') {
      const decision = assignTarget(caller, await getOrg(deps.db, to[0]!));
      if (!decision.allow) throw badRequest(decision.reason, [{ path: 'to', message: '未知或超出范围的基层工会 / unknown or out-of-scope union' }]);
    } else if (to && body.action !== 'removeSigner') {
      targets = await loadTargets(deps.db, to);
      refuseTargets(targets, (target) => handOffTarget(taskFacts(t), target));
    }
    const input: ActionInput = {
      action: body.action,
      actor: actorOf(caller),
      idempotencyKey: actionKey(caller, idempotencyKeyOf(req)),
      taskId: t.id,
      comment: body.comment,
      to,
      targets,
      application: app ? applicationFacts(app) : await getApplication(deps.db, t.applicationId).then((row) => (row ? applicationFacts(row) : undefined)),
      returnTo: body.returnTo,
      position: body.position,
      deadline: body.deadline,
      ...(edits ? { edits } : {}),
    };
    res.json(await sendAction(deps.temporal, t.applicationId, input));
  });

  return router;
}
