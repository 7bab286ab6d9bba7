/**
 * One region's part in a campaign (县区总工会 or 产业工会): its own workflow,
 * so its delays never block another region. It takes the region's plan
 * (survey) and project list (listing) as Updates, gated by phase; sends the
 * list up its approval chain (region → city organization department →
 * province grassroots department); on approval turns the projects into
 * tracked project workflows and starts a subsidy chain for each project that
 * asks for one. Before each deadline the region's staff are reminded; after
 * it a missing deliverable is overdue and escalates to the city — supervision
 * (督办) first, accountability (问责) if still missing after a grace period.
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
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { proxyDbWrites } from './activity-options';
import { PHASES, PHASE_DELIVERABLES, PHASE_LABELS, beijingMinute, labelParts, laterPhase, type Phase, type WorkPhase } from '../domain/campaign';
import { durationToMs } from '../domain/duration';
import type { PhaseChange, PlanInput, ProjectListInput, RegionInput, RegionResult, RegionState, SubjectStatus } from './campaign-types';
import { approvalWorkflow } from './approval-chain';
import { projectWorkflow } from './project';
import { phaseChangedSignal, reviseSignal, subjectStatusSignal } from './signals';

const act = proxyDbWrites();

export const submitPlanUpdate = defineUpdate<RegionResult, [PlanInput]>('submitPlan');
export const submitProjectListUpdate = defineUpdate<RegionResult, [ProjectListInput]>('submitProjectList');
export const getRegionQuery = defineQuery<RegionState>('getRegion');

export const projectWorkflowId = (projectId: string) => `project-${projectId}`;

function refuse(type: 'Conflict' | 'Forbidden' | 'BadRequest', message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

/** A region's deadline reminder, a full sentence naming the campaign, the phase, what is due and when (Beijing time). */
function reminderMessage(campaign: string, phase: WorkPhase, endsAt: string): string {
  const p = labelParts(PHASE_LABELS[phase]);
  const d = labelParts(PHASE_DELIVERABLES[phase].name);
  const at = beijingMinute(endsAt);
  return `提醒：「${campaign}」的${p.zh}阶段将于北京时间 ${at} 截止，请按时提交${d.zh}。 / Reminder: the ${p.en} phase of ${campaign} ends at ${at} (Beijing time); please submit the ${d.en} on time.`;
}

export async function regionCampaignWorkflow(input: RegionInput): Promise<RegionState> {
  const { campaignId, regionOrg, config } = input;
  const me = workflowInfo().workflowId;
  const s: RegionState = input.resume ?? {
    phase: 'pending',
    projectWorkflowIds: [],
    reminded: [],
    overdue: [],
    processed: {},
    processedOrder: [],
    listRevision: 0,
    closed: false,
  };
  // Work the handlers hand to the main loop, in arrival order.
  const inbox: ({ kind: 'phase'; change: PhaseChange } | { kind: 'list'; status: SubjectStatus })[] = [];

  setHandler(getRegionQuery, () => s);
  setHandler(phaseChangedSignal, (change) => {
    inbox.push({ kind: 'phase', change });
  });
  setHandler(subjectStatusSignal, (status) => {
    inbox.push({ kind: 'list', status });
  });

  const gate = (phase: WorkPhase, seen?: Phase) => {
    if (laterPhase(s.phase, seen) !== phase) {
      refuse(
        'Conflict',
        `当前阶段为“${PHASE_LABELS[s.phase]}”，此项只在“${PHASE_LABELS[phase]}”阶段受理 / the campaign is in its ${s.phase} phase; this is accepted in ${phase}`,
      );
    }
  };

  setHandler(
    submitPlanUpdate,
    async (a) => {
      const seen = s.processed[a.idempotencyKey];
      if (seen) return seen;
      s.phase = laterPhase(s.phase, a.phaseSeen);
      await act.saveRegionPlan({ campaignId, regionOrg, plan: a.plan, actor: a.actor.username, key: `${me}:${a.idempotencyKey}` });
      resolveOverdue('plan');
      return remember(a.idempotencyKey, { ok: true, phase: s.phase });
    },
    {
      validator: (a: PlanInput) => {
        if (s.processed[a.idempotencyKey]) return;
        gate('survey', a.phaseSeen);
      },
    },
  );

  setHandler(
    submitProjectListUpdate,
    async (a) => {
      const seen = s.processed[a.idempotencyKey];
      if (seen) return seen;
      s.phase = laterPhase(s.phase, a.phaseSeen);
      s.listRevision += 1;
      const first = !s.listApplicationId;
      const applicationId = s.listApplicationId ?? `list-${campaignId}-${regionOrg}`;
      s.listApplicationId = applicationId;
      s.listStatus = 'pending';
      s.listSubmittedBy = a.actor.username;
      const saved = await act.saveProjectList({
        campaignId,
        regionOrg,
        applicationId,
        revision: s.listRevision,
        projects: a.projects,
        actor: a.actor.username,
      });
      const title = `${saved.regionName}项目清单（${saved.projectIds.length} 个项目）`;
      const payload = { campaignId, projectCount: saved.projectIds.length, plannedMembers: saved.plannedMembers, revision: s.listRevision };
      if (first) {
        const chain = await act.createApplicationRecord({
          id: applicationId,
          type: 'project_list',
          chainKey: 'project_list',
          applicant: a.actor.username,
          applicantOrg: regionOrg,
          title,
          payload,
          campaignId,
        });
        await startChild(approvalWorkflow, {
          workflowId: `application-${applicationId}`,
          args: [
            { applicationId, type: 'project_list', chain, applicant: a.actor.username, applicantOrg: regionOrg, title, payload, notify: { workflowId: me } },
          ],
          parentClosePolicy: ParentClosePolicy.ABANDON,
        });
      } else {
        // A returned list, revised: it goes back up the chain.
        await getExternalWorkflowHandle(`application-${applicationId}`).signal(reviseSignal, {
          actor: a.actor.username,
          title,
          payload,
          key: `${me}:rev${s.listRevision}`,
        });
      }
      await act.setRegionListStatus({ campaignId, regionOrg, applicationId, status: 'pending' });
      resolveOverdue('projectList');
      return remember(a.idempotencyKey, { ok: true, phase: s.phase, listApplicationId: applicationId, listStatus: 'pending', projectIds: saved.projectIds });
    },
    {
      validator: (a: ProjectListInput) => {
        if (s.processed[a.idempotencyKey]) return;
        gate('listing', a.phaseSeen);
        if (s.listStatus === 'pending') refuse('Conflict', '项目清单正在审核中，退回后方可修改 / the list is under review; it can be revised once returned');
        if (s.listStatus === 'approved') refuse('Conflict', '项目清单已审核通过 / the list is already approved');
        if (!a.projects.length) refuse('BadRequest', '项目清单不能为空 / the list is empty');
      },
    },
  );

  while (!s.closed) {
    const next = nextTimer();
    const wake = () => inbox.length > 0 || shouldContinue();
    if (next === undefined) await condition(wake);
    else await condition(wake, Math.max(1, next - Date.now()));

    while (inbox.length) {
      const item = inbox.shift()!;
      if (item.kind === 'phase') await onPhaseChange(item.change);
      else await onListStatus(item.status);
    }
    await remindAndEscalate();
    if (shouldContinue() && !s.closed) {
      await condition(allHandlersFinished);
      if (inbox.length === 0) await continueAsNew<typeof regionCampaignWorkflow>({ ...input, resume: s });
    }
  }
  await condition(allHandlersFinished);
  return s;

  // ---------------------------------------------------------------------
  async function onPhaseChange(change: PhaseChange): Promise<void> {
    // The phase that just ended is the one before the new one (phases open in order) — not s.phase,
    // which a submission that saw the new phase first (phaseSeen) may already have moved on.
    const order: Phase[] = [...PHASES, 'closed'];
    const previous = order[order.indexOf(change.phase) - 1];
    s.phase = change.phase;
    s.phaseEndsAt = change.endsAt ?? undefined;
    // The phase that just ended: was its deliverable handed in by the deadline?
    if (previous && (PHASES as readonly string[]).includes(previous)) {
      const phase = previous as WorkPhase;
      const check = await act.checkDeliverable({ campaignId, regionOrg, phase });
      if (!check.done) {
        const since = new Date().toISOString();
        s.overdue.push({ phase, item: PHASE_DELIVERABLES[phase].item, since, level: 'supervision' });
        await act.escalateOverdue({
          campaignId,
          regionOrg,
          phase,
          item: PHASE_DELIVERABLES[phase].item,
          level: 'supervision',
          detail: check.detail,
          key: `${me}:overdue:${phase}:supervision`,
        });
      }
    }
    await Promise.all(s.projectWorkflowIds.map((id) => getExternalWorkflowHandle(id).signal(phaseChangedSignal, change)));
    if (change.phase === 'closed') s.closed = true;
  }

  async function onListStatus(status: SubjectStatus): Promise<void> {
    if (status.applicationId !== s.listApplicationId) return;
    s.listStatus = status.status;
    await act.setRegionListStatus({ campaignId, regionOrg, applicationId: status.applicationId, status: status.status });
    if (status.status !== 'approved') return;
    const approved = await act.approveProjectList({ campaignId, regionOrg, applicationId: status.applicationId });
    const started = await Promise.all(
      approved.projects.map((p) =>
        startChild(projectWorkflow, {
          workflowId: projectWorkflowId(p.id),
          args: [{ projectId: p.id, campaignId, regionOrg, phase: s.phase, submittedBy: s.listSubmittedBy ?? 'system', historyLimit: input.historyLimit }],
          parentClosePolicy: ParentClosePolicy.ABANDON,
        }).then(() => projectWorkflowId(p.id)),
      ),
    );
    s.projectWorkflowIds.push(...started);
    // Projects asking for a subsidy go up their own chain (经费补助).
    for (const p of approved.projects.filter((x) => x.subsidyAmount > 0)) {
      const id = `subsidy-${p.id}`;
      const title = `${p.name} 项目补助`;
      const payload = { amount: p.subsidyAmount, reason: `项目清单已批准，申请补助：${p.name}`, projectId: p.id };
      const chain = await act.createApplicationRecord({
        id,
        type: 'subsidy',
        chainKey: 'subsidy',
        applicant: s.listSubmittedBy ?? null,
        applicantOrg: regionOrg,
        title,
        payload,
        campaignId,
        projectId: p.id,
      });
      await startChild(approvalWorkflow, {
        workflowId: `application-${id}`,
        args: [{ applicationId: id, type: 'subsidy', chain, applicant: s.listSubmittedBy ?? null, applicantOrg: regionOrg, title, payload }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
    }
  }

  /** Reminders before the current phase's deadline; accountability for overdue items past the grace period. */
  async function remindAndEscalate(): Promise<void> {
    const now = Date.now();
    const phase = s.phase as WorkPhase;
    if (s.phaseEndsAt && (PHASES as readonly string[]).includes(phase) && !s.reminded.includes(phase) && now >= remindAt(phase)) {
      s.reminded.push(phase);
      const check = await act.checkDeliverable({ campaignId, regionOrg, phase });
      if (!check.done) {
        await act.notifyRegion({
          campaignId,
          regionOrg,
          key: `${me}:remind:${phase}`,
          message: reminderMessage(config.name, phase, s.phaseEndsAt),
        });
      }
    }
    for (const o of s.overdue) {
      if (o.level === 'supervision' && !o.resolvedAt && now >= Date.parse(o.since) + grace()) {
        o.level = 'accountability';
        await act.escalateOverdue({
          campaignId,
          regionOrg,
          phase: o.phase,
          item: o.item,
          level: 'accountability',
          detail: '逾期未改正 / still missing after the grace period',
          key: `${me}:overdue:${o.phase}:accountability`,
        });
      }
    }
  }

  function nextTimer(): number | undefined {
    const times: number[] = [];
    const phase = s.phase as WorkPhase;
    if (s.phaseEndsAt && (PHASES as readonly string[]).includes(phase) && !s.reminded.includes(phase)) times.push(remindAt(phase));
    for (const o of s.overdue) if (o.level === 'supervision' && !o.resolvedAt) times.push(Date.parse(o.since) + grace());
    return times.length ? Math.min(...times) : undefined;
  }

  /** Reminder time: remindBefore (default 3 days, at most a quarter of the phase) before the phase ends. */
  function remindAt(phase: WorkPhase): number {
    const w = config.phases[phase];
    const span = Date.parse(w.end) - Date.parse(w.start);
    const before = config.remindBefore !== undefined ? durationToMs(config.remindBefore) : Math.min(3 * 86_400_000, span / 4);
    return Date.parse(s.phaseEndsAt ?? w.end) - before;
  }

  /** Grace before an overdue item escalates to accountability: the reminder lead time again. */
  function grace(): number {
    if (config.remindBefore !== undefined) return durationToMs(config.remindBefore);
    return 7 * 86_400_000;
  }

  function resolveOverdue(item: string) {
    for (const o of s.overdue) if (o.item === item && !o.resolvedAt) o.resolvedAt = new Date().toISOString();
  }

  function remember(key: string, r: RegionResult): RegionResult {
    s.processed[key] = r;
    s.processedOrder.push(key);
    while (s.processedOrder.length > 200) delete s.processed[s.processedOrder.shift()!];
    return r;
  }

  function shouldContinue(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || (input.historyLimit !== undefined && info.historyLength > input.historyLimit);
  }
}
