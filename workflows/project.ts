/**
 * One tracked project (项目) of a region's approved list, through its
 * milestones: approved → in progress when implementation opens → progress
 * reports (a union reported starts or matches its establishment, 建会程序,
 * workflows/union-establishment.ts, which counts it and crosses its
 * enterprise off the ledger only at the higher union's approval; new
 * members entered by real name, counted once) and city inspections → the
 * responsible unit's self-assessment (绩效自评) → the city organization
 * department's review: qualified → closed (销账); returned with a deadline →
 * rectifying (限期整改) until resubmitted and reviewed again, or unqualified
 * when the deadline passes or the campaign ends.
 */
import {
  ApplicationFailure,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineUpdate,
  getExternalWorkflowHandle,
  patched,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { proxyDbWrites } from './activity-options';
import { PHASE_LABELS, laterPhase } from '../domain/campaign';
import type {
  InspectionInput,
  PhaseChange,
  ProgressInput,
  ProjectInput,
  ProjectState,
  ProjectStatus,
  ProjectView,
  ReturnPlanEntryInput,
  RevisePlanEntryInput,
  SelfAssessmentInput,
  SubjectStatus,
} from './campaign-types';
import { approvalWorkflow } from './approval-chain';
import { cancelSignal, phaseChangedSignal, reviseSignal, subjectStatusSignal, unionEstablishedSignal } from './signals';
import { unionEstablishmentWorkflow } from './union-establishment';

const act = proxyDbWrites();

export const reportProgressUpdate = defineUpdate<ProjectView, [ProgressInput]>('reportProgress');
export const recordInspectionUpdate = defineUpdate<ProjectView, [InspectionInput]>('recordInspection');
export const submitSelfAssessmentUpdate = defineUpdate<ProjectView, [SelfAssessmentInput]>('submitSelfAssessment');
export const getProjectQuery = defineQuery<ProjectView>('getProject');
/** 行动计划: the city returns this project to its region (退回单个项目); the region revises it (修改后重新报送). */
export const returnPlanEntryUpdate = defineUpdate<ProjectView, [ReturnPlanEntryInput]>('returnPlanEntry');
export const revisePlanEntryUpdate = defineUpdate<ProjectView, [RevisePlanEntryInput]>('revisePlanEntry');

const DONE: ProjectStatus[] = ['qualified', 'unqualified'];

function refuse(type: 'Conflict' | 'BadRequest', message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

export async function projectWorkflow(input: ProjectInput): Promise<ProjectView> {
  const { projectId, campaignId, regionOrg } = input;
  const me = workflowInfo().workflowId;
  const s: ProjectState = input.resume ?? { status: 'approved', phase: input.phase, milestones: [], processed: {}, processedOrder: [], closed: false };
  const inbox: ({ kind: 'phase'; change: PhaseChange } | { kind: 'review'; status: SubjectStatus } | { kind: 'union' })[] = [];
  const view = (result?: Record<string, unknown>): ProjectView => ({
    projectId,
    status: s.status,
    phase: s.phase,
    milestones: s.milestones,
    rectifyDeadline: s.rectifyDeadline,
    assessmentApplicationId: s.assessmentApplicationId,
    ...(result ? { result } : {}),
  });

  setHandler(getProjectQuery, () => view());
  setHandler(phaseChangedSignal, (change) => void inbox.push({ kind: 'phase', change }));
  setHandler(subjectStatusSignal, (status) => void inbox.push({ kind: 'review', status }));
  // A union of the project established (its election approved): the first one is a milestone.
  setHandler(unionEstablishedSignal, () => void inbox.push({ kind: 'union' }));

  const notClosed = () => {
    if (s.closed || DONE.includes(s.status)) refuse('Conflict', `项目已结项（${s.status}）/ the project is closed (${s.status})`);
  };

  setHandler(
    reportProgressUpdate,
    async (a) => {
      const seen = s.processed[a.idempotencyKey];
      if (seen) return seen;
      await catchUp(a.phaseSeen);
      const result = await act.recordProgress({ projectId, campaignId, regionOrg, key: `${me}:${a.idempotencyKey}`, actor: a.actor.username, report: a });
      // 建会是一个程序: each union the report names that was not being established yet starts its establishment.
      const started = (result.unions ?? []).filter((u) => u.started);
      if (started.length && patched('union-establishment'))
        for (const u of started)
          await startChild(unionEstablishmentWorkflow, {
            workflowId: `union-establishment-${u.id}`,
            args: [{ establishmentId: u.id, campaignId, projectId, regionOrg, name: u.name, kind: u.kind, projectWorkflowId: me }],
            parentClosePolicy: ParentClosePolicy.ABANDON,
          });
      // Histories recorded before the process counted unions as reported.
      if (result.unionsEstablished > 0) await milestone('firstUnion', '首个工会建立 / first union established');
      if (result.membersAccepted > 0) await milestone('firstMembers', '首批会员入会 / first members recruited');
      if (result.totals.plannedMembers > 0 && result.totals.membersRecruited >= result.totals.plannedMembers)
        await milestone('membersTarget', '会员发展达到计划数 / planned members reached');
      return remember(a.idempotencyKey, view(result as unknown as Record<string, unknown>));
    },
    {
      validator: (a: ProgressInput) => {
        if (s.processed[a.idempotencyKey]) return;
        notClosed();
        if (laterPhase(s.phase, a.phaseSeen) !== 'implementation')
          refuse(
            'Conflict',
            `当前阶段为“${PHASE_LABELS[s.phase]}”，进展只在“推进实施”阶段报送 / progress is accepted in the implementation phase (now ${s.phase})`,
          );
      },
    },
  );

  setHandler(
    recordInspectionUpdate,
    async (a) => {
      const seen = s.processed[a.idempotencyKey];
      if (seen) return seen;
      const items = a.items ?? [];
      await act.recordProjectEvent({
        projectId,
        key: `${me}:${a.idempotencyKey}`,
        actor: a.actor.username,
        kind: 'inspection',
        data: { findings: a.findings, result: a.result, inspectedOn: a.inspectedOn, ...(items.length ? { items } : {}) },
      });
      // 整改事项: each finding with a deadline is put on the region to rectify, tracked to closure.
      if (items.some((f) => f.deadline) && patched('inspection-rectifications'))
        await act.openRectifications({
          key: `${me}:${a.idempotencyKey}`,
          projectId,
          campaignId,
          regionOrg,
          actor: a.actor.username,
          inspectedOn: a.inspectedOn,
          findings: items,
        });
      return remember(a.idempotencyKey, view());
    },
    {
      validator: (a: InspectionInput) => {
        if (s.processed[a.idempotencyKey]) return;
        if (s.closed) refuse('Conflict', '行动已结束 / the campaign is closed');
      },
    },
  );

  setHandler(
    submitSelfAssessmentUpdate,
    async (a) => {
      const seen = s.processed[a.idempotencyKey];
      if (seen) return seen;
      await catchUp(a.phaseSeen);
      const saved = await act.saveSelfAssessment({ projectId, report: a.report, actor: a.actor.username, key: `${me}:${a.idempotencyKey}` });
      // The project by name (histories recorded before the activity answered it replay with the id, as they ran).
      const title = `项目绩效自评：${saved?.projectName ?? projectId}`;
      const payload = { campaignId, projectId, ...a.report };
      if (!s.assessmentApplicationId) {
        const id = `assess-${projectId}`;
        const chain = await act.createApplicationRecord({
          id,
          type: 'self_assessment',
          chainKey: 'self_assessment',
          applicant: a.actor.username,
          applicantOrg: regionOrg,
          title,
          payload,
          campaignId,
          projectId,
        });
        s.assessmentApplicationId = id;
        await startChild(approvalWorkflow, {
          workflowId: `application-${id}`,
          args: [
            {
              applicationId: id,
              type: 'self_assessment',
              chain,
              applicant: a.actor.username,
              applicantOrg: regionOrg,
              title,
              payload,
              notify: { workflowId: me },
            },
          ],
          parentClosePolicy: ParentClosePolicy.ABANDON,
        });
      } else {
        // 整改后重新提交 / resubmitted after rectification: reviewed again.
        await getExternalWorkflowHandle(`application-${s.assessmentApplicationId}`).signal(reviseSignal, {
          actor: a.actor.username,
          title,
          payload,
          key: `${me}:${a.idempotencyKey}`,
        });
      }
      s.assessmentStatus = 'pending';
      if (s.status === 'rectifying') {
        s.rectifyDeadline = undefined;
        await setStatus('in_progress', '整改后重新提交自评 / resubmitted after rectification');
      }
      await milestone('selfAssessed', '提交绩效自评 / self-assessment submitted');
      return remember(a.idempotencyKey, view());
    },
    {
      validator: (a: SelfAssessmentInput) => {
        if (s.processed[a.idempotencyKey]) return;
        notClosed();
        if (laterPhase(s.phase, a.phaseSeen) !== 'assessment')
          refuse(
            'Conflict',
            `当前阶段为“${PHASE_LABELS[s.phase]}”，自评只在“考核评比”阶段提交 / self-assessments are accepted in the assessment phase (now ${s.phase})`,
          );
        if (s.assessmentStatus === 'pending') refuse('Conflict', '自评正在审核中 / the self-assessment is under review');
      },
    },
  );

  // The city's action plan (行动计划): one project goes back to its region and comes back revised. The plan's own
  // rules (which phases, not while the province reviews) are the API's (domain/campaign-plan.ts); here, the
  // project's: open, and returned before it can be revised. New handlers only: no command of a stored history changes.
  setHandler(
    returnPlanEntryUpdate,
    async (a) => {
      const seen = s.processed[a.idempotencyKey];
      if (seen) return seen;
      s.planReturned = true;
      await act.returnPlanEntry({
        projectId,
        campaignId,
        regionOrg,
        actor: a.actor.username,
        comment: a.comment,
        campaignName: a.campaignName,
        key: `${me}:${a.idempotencyKey}`,
      });
      return remember(a.idempotencyKey, view());
    },
    {
      validator: (a: ReturnPlanEntryInput) => {
        if (s.processed[a.idempotencyKey]) return;
        notClosed();
        if (s.planReturned) refuse('Conflict', '该项目已退回地区修改 / the project is already returned to its region');
      },
    },
  );

  setHandler(
    revisePlanEntryUpdate,
    async (a) => {
      const seen = s.processed[a.idempotencyKey];
      if (seen) return seen;
      s.planReturned = false;
      await act.revisePlanEntry({ projectId, campaignId, actor: a.actor.username, changes: a.changes, note: a.note ?? null, key: `${me}:${a.idempotencyKey}` });
      return remember(a.idempotencyKey, view());
    },
    {
      validator: (a: RevisePlanEntryInput) => {
        if (s.processed[a.idempotencyKey]) return;
        notClosed();
        if (!s.planReturned) refuse('Conflict', '该项目未被退回，无需修改 / the project was not returned for revision');
      },
    },
  );

  if (!input.resume) {
    await milestone('approved', '立项批准 / project approved');
    if (s.phase === 'implementation' || s.phase === 'assessment') await setStatus('in_progress', '实施中 / in progress');
  }

  while (!s.closed) {
    const deadline = s.status === 'rectifying' && s.rectifyDeadline ? Date.parse(s.rectifyDeadline) : undefined;
    const wake = () => inbox.length > 0 || shouldContinue();
    if (deadline === undefined) await condition(wake);
    else await condition(wake, Math.max(1, deadline - Date.now()));

    while (inbox.length) {
      const item = inbox.shift()!;
      if (item.kind === 'phase') await onPhase(item.change);
      else if (item.kind === 'union') await milestone('firstUnion', '首个工会建立 / first union established');
      else await onReview(item.status);
    }
    if (s.status === 'rectifying' && s.rectifyDeadline && Date.now() >= Date.parse(s.rectifyDeadline)) {
      await setStatus('unqualified', '整改期限已过，未通过考核 / rectification deadline passed');
      if (s.assessmentApplicationId)
        await getExternalWorkflowHandle(`application-${s.assessmentApplicationId}`).signal(cancelSignal, {
          reason: '整改期限已过 / rectification deadline passed',
        });
    }
    if (shouldContinue() && !s.closed) {
      await condition(allHandlersFinished);
      if (inbox.length === 0) await continueAsNew<typeof projectWorkflow>({ ...input, resume: s });
    }
  }
  await condition(allHandlersFinished);
  return view();

  /** A phase the API already saw but whose signal is still on its way. */
  async function catchUp(seen: PhaseChange['phase'] | undefined) {
    const phase = laterPhase(s.phase, seen);
    if (phase !== s.phase) await onPhase({ phase, endsAt: null });
  }

  async function onPhase(change: PhaseChange) {
    s.phase = change.phase;
    if (change.phase === 'implementation' && s.status === 'approved') await setStatus('in_progress', '推进实施开始 / implementation started');
    if (change.phase === 'closed') {
      if (patched('close-cleanly')) await closeCleanly();
      else if (!DONE.includes(s.status)) await setStatus('unqualified', '行动结束时未通过考核 / not qualified when the campaign closed');
      s.closed = true;
    }
  }

  /**
   * The campaign closed: nothing of this project stays in anyone's inbox. A self-assessment still under review
   * (or sent back for rectification) ends — its application withdrawn by the system, its task rows closed — and the
   * project is unqualified; rectification items still open lapse, each with a timeline entry.
   */
  async function closeCleanly() {
    const reviewOpen = !!s.assessmentApplicationId && s.assessmentStatus !== 'approved' && s.assessmentStatus !== 'rejected';
    if (!DONE.includes(s.status))
      await setStatus(
        'unqualified',
        reviewOpen
          ? '行动结束时自评尚未审核通过，未通过考核 / the self-assessment was not passed when the campaign closed: not qualified'
          : '行动结束时未通过考核 / not qualified when the campaign closed',
      );
    if (reviewOpen) {
      try {
        await getExternalWorkflowHandle(`application-${s.assessmentApplicationId}`).signal(cancelSignal, {
          reason: '行动已结束，自评审核终止 / the campaign closed: the review ends',
        });
      } catch {
        // The review had already ended (its workflow completed): nothing left in an inbox.
      }
      s.assessmentStatus = 'ended';
    }
    await act.lapseRectifications({
      projectId,
      key: `${me}:lapse`,
      note: '行动结束时整改未完成 / not completed when the campaign closed',
    });
  }

  async function onReview(status: SubjectStatus) {
    if (status.applicationId !== s.assessmentApplicationId) return;
    s.assessmentStatus = status.status;
    if (status.status === 'approved') {
      await setStatus('qualified', '考核合格，销账 / qualified: closed off');
      await milestone('qualified', '考核合格 / qualified');
    } else if (status.status === 'returned') {
      s.rectifyDeadline = status.deadline;
      await setStatus('rectifying', `限期整改${status.deadline ? `，期限 ${status.deadline}` : ''} / rectification required`, {
        deadline: status.deadline ?? null,
      });
    } else if (status.status === 'rejected') {
      await setStatus('unqualified', '考核不合格 / not qualified');
    }
  }

  async function setStatus(status: ProjectStatus, note: string, data: Record<string, unknown> = {}) {
    s.status = status;
    await act.setProjectStatus({
      projectId,
      status,
      note,
      data,
      rectifyDeadline: s.rectifyDeadline ?? null,
      key: `${me}:status:${s.milestones.length}:${status}:${Date.now()}`,
    });
  }

  async function milestone(key: string, name: string) {
    if (s.milestones.some((m) => m.key === key)) return;
    const at = new Date().toISOString();
    s.milestones.push({ key, name, at });
    await act.recordProjectEvent({ projectId, key: `${me}:milestone:${key}`, actor: 'system', kind: 'milestone', data: { key, name } });
  }

  function remember(key: string, v: ProjectView): ProjectView {
    s.processed[key] = v;
    s.processedOrder.push(key);
    while (s.processedOrder.length > 200) delete s.processed[s.processedOrder.shift()!];
    return v;
  }

  function shouldContinue(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || (input.historyLimit !== undefined && info.historyLength > input.historyLimit);
  }
}
