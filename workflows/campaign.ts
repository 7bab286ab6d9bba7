/**
 * 建会入会集中行动: one campaign of a city federation, carried through its
 * four phases — survey (调查摸底) → project listing and review (立项审核) →
 * implementation (推进实施) → assessment (考核评比) — by timers on the
 * configured dates. Each participating region runs as its own child workflow,
 * so one region's delay never blocks another's work. A city admin may close
 * the current phase early (an audited Update). At each phase's end the
 * phase's pending approvals are escalated to the city and its summary is
 * stored; at the end each region is scored and ranked. While implementation
 * runs, a Temporal Schedule issues the progress bulletins (通报, see
 * workflows/bulletin.ts): created when the phase opens, removed when it closes.
 */
import {
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineUpdate,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
  ApplicationFailure,
} from '@temporalio/workflow';
import { proxyDbWrites, type Activities } from './activity-options';
import { PHASES, PHASE_LABELS, labelParts } from '../domain/campaign';
import type { AdvanceInput, CampaignInput, CampaignState, CampaignView, PhaseChange } from './campaign-types';
import { regionCampaignWorkflow } from './region-campaign';
import { cancelSignal, escalateSignal, phaseChangedSignal } from './signals';

const act = proxyDbWrites();

/**
 * The bulletin schedule (通报) is a side line of the campaign: retried for a
 * few minutes, then given up (and audited) rather than holding the phases up.
 */
const schedules = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', backoffCoefficient: 2, maximumAttempts: 8 },
});

export const advancePhaseUpdate = defineUpdate<CampaignView, [AdvanceInput]>('advancePhase');
export const getCampaignQuery = defineQuery<CampaignView>('getCampaign');

export const regionWorkflowId = (campaignId: string, org: string) => `campaign-${campaignId}-region-${org}`;

export async function campaignWorkflow(input: CampaignInput): Promise<CampaignView> {
  const { campaignId, config } = input;
  const s: CampaignState = input.resume ?? {
    phase: 'pending',
    phaseIndex: 0,
    opened: false,
    openNow: false,
    regionsStarted: false,
    processed: {},
    processedOrder: [],
    seq: 0,
  };
  const view = (): CampaignView => ({
    campaignId,
    phase: s.phase,
    phaseEndsAt: s.opened && PHASES[s.phaseIndex] ? config.phases[PHASES[s.phaseIndex]!].end : null,
    regions: config.regions,
  });

  setHandler(getCampaignQuery, view);
  setHandler(
    advancePhaseUpdate,
    async (a) => {
      const seen = s.processed[a.idempotencyKey];
      if (seen) return seen;
      const from = s.phase;
      s.advance = { by: a.actor.username, reason: a.reason.trim() };
      // The main loop closes the phase and opens the next; answer once it has — and, since this patch, once the
      // campaign's row shows the new phase, so that the page the caller reloads at the answer is not stale.
      const untilShown = patched('advance-answers-once-shown');
      await condition(() => s.phase !== from && (!untilShown || s.shown === s.phase));
      const result = view();
      s.processed[a.idempotencyKey] = result;
      s.processedOrder.push(a.idempotencyKey);
      while (s.processedOrder.length > 200) delete s.processed[s.processedOrder.shift()!];
      return result;
    },
    {
      validator: (a: AdvanceInput) => {
        if (s.processed[a.idempotencyKey]) return;
        if (s.phase === 'closed') throw ApplicationFailure.create({ type: 'Conflict', message: '行动已结束 / the campaign is closed', nonRetryable: true });
        if (s.advance) throw ApplicationFailure.create({ type: 'Conflict', message: '正在推进到下一阶段，请稍候 / already advancing', nonRetryable: true });
        if (!a.reason?.trim())
          throw ApplicationFailure.create({ type: 'BadRequest', message: '请说明提前结束的理由 / a reason is required', nonRetryable: true });
      },
    },
  );

  if (!s.regionsStarted) {
    for (const org of config.regions) {
      await startChild(regionCampaignWorkflow, {
        workflowId: regionWorkflowId(campaignId, org),
        args: [{ campaignId, regionOrg: org, config, campaignWorkflowId: workflowInfo().workflowId, historyLimit: input.historyLimit }],
        // Regions outlive a continue-as-new of this run; the campaign closes them by signal at its end.
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
    }
    s.regionsStarted = true;
    await act.recordCampaignEvent({ campaignId, key: `${campaignId}:launched`, actor: input.createdBy, action: 'launched', data: { regions: config.regions } });
  }

  while (s.phaseIndex < PHASES.length) {
    const phase = PHASES[s.phaseIndex]!;
    const window = config.phases[phase];
    if (!s.opened) {
      // A phase opens on its start date, or at once after an early close of the one before.
      if (!s.openNow) await sleepUntil(window.start);
      const early = s.advance;
      s.advance = undefined;
      s.openNow = false;
      s.phase = phase;
      s.opened = true;
      await act.setCampaignPhase({ campaignId, phase, endsAt: window.end });
      if (early)
        await act.recordCampaignEvent({
          campaignId,
          key: `${campaignId}:open-early:${phase}`,
          actor: early.by,
          action: 'phaseOpenedEarly',
          data: { phase, reason: early.reason },
        });
      s.shown = phase;
      await signalRegions({ phase, endsAt: window.end });
      // 通报: the city's periodic bulletins run through the implementation phase.
      if (phase === 'implementation') await bulletinSchedule('open', window.end);
    }
    await sleepUntil(window.end);
    const closedBy = s.advance ?? { by: 'system', reason: '阶段到期 / phase ended on its date' };
    const closed = await act.closePhase({ campaignId, phase, closedBy: closedBy.by, reason: closedBy.reason, early: !!s.advance });
    // 未办结的审批不丢弃：升级至市总 / the phase's pending approvals escalate to the city.
    for (const applicationId of closed.pendingApplications) {
      await getExternalWorkflowHandle(`application-${applicationId}`).signal(escalateSignal, {
        reason: `「${config.name}」的${labelParts(PHASE_LABELS[phase]).zh}阶段已结束，此审批尚未办结，已升级至市总 / the ${labelParts(PHASE_LABELS[phase]).en} phase of ${config.name} ended with this approval pending: escalated to the city`,
        toOrg: config.cityOrg,
      });
    }
    if (phase === 'implementation') await bulletinSchedule('close', window.end);
    s.openNow = !!s.advance;
    s.advance = undefined;
    s.phaseIndex += 1;
    s.opened = false;
  }

  s.phase = 'closed';
  // Nothing of the campaign stays in an inbox: its 建会 still under way and its plan under review are withdrawn,
  // its members pending verification lapse.
  if (patched('close-all')) await endOpenItems();
  await act.finalizeCampaign({ campaignId });
  s.shown = 'closed';
  await signalRegions({ phase: 'closed', endsAt: null });
  await condition(allHandlersFinished);
  return view();

  async function endOpenItems(): Promise<void> {
    const open = await act.endOpenAtClose({ campaignId });
    for (const applicationId of open.applications) {
      try {
        await getExternalWorkflowHandle(`application-${applicationId}`).signal(cancelSignal, { reason: '行动已结束 / the campaign closed' });
      } catch {
        // Its workflow had already ended: nothing of it is left in an inbox.
      }
    }
  }

  /** Sleeps until `iso` or an advance request, continuing as new when the history grows long. */
  async function sleepUntil(iso: string): Promise<void> {
    for (;;) {
      const left = Date.parse(iso) - Date.now();
      if (left <= 0 || s.advance) return;
      await condition(() => !!s.advance || shouldContinue(), left);
      if (s.advance) return;
      if (shouldContinue()) {
        await condition(allHandlersFinished);
        await continueAsNew<typeof campaignWorkflow>({ ...input, resume: s });
      }
    }
  }

  function shouldContinue(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || (input.historyLimit !== undefined && info.historyLength > input.historyLimit);
  }

  /** Creates the bulletin schedule when implementation opens; removes it when the phase closes. */
  async function bulletinSchedule(step: 'open' | 'close', endsAt: string): Promise<void> {
    try {
      if (step === 'open') await schedules.ensureBulletinSchedule({ campaignId, openedAt: new Date().toISOString(), endsAt, reportEvery: config.reportEvery });
      else await schedules.removeBulletinSchedule({ campaignId });
    } catch (err) {
      await act.recordCampaignEvent({
        campaignId,
        key: `${campaignId}:bulletin-schedule:${step}`,
        actor: 'system',
        action: 'bulletinScheduleFailed',
        data: { step, error: err instanceof Error ? err.message : String(err) },
      });
    }
  }

  async function signalRegions(change: PhaseChange): Promise<void> {
    await Promise.all(config.regions.map((org) => getExternalWorkflowHandle(regionWorkflowId(campaignId, org)).signal(phaseChangedSignal, change)));
  }
}
