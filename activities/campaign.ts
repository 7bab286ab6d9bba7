/**
 * The campaign workflows' side effects: the campaign, region and project
 * projections, phase summaries, overdue escalation and notifications. Every
 * write is keyed (event keys derived from the workflow id, or upserts), so
 * Temporal's retries never duplicate a row or a notification.
 */
import type { WorkPhase } from '../domain/campaign';
import { PHASE_DELIVERABLES, overdueMessage, regionScore } from '../domain/campaign';
import type { ApplicationType, ChainDefinition } from '../domain/chain';
import { insertApplication } from '../db/approval-repository';
import { setCampaignPhase } from '../db/campaign-repository';
import { chainSnapshot, resolveChain } from '../db/chain-repository';
import type { Db } from '../db/knex';
import { listUsersWithRole } from '../db/user-repository';
import { applyProgress, insertProjectEvent, type ProgressReport, type ProgressResult } from '../db/project-repository';
import { addPlanVersion, saveListRevision } from '../db/submission-repository';
import { rewrapJson } from '../runtime/pii';
import { applyPlanEntryRevision, markPlanEntryReturned } from '../db/plan-repository';
import type { PlanEntryChanges } from '../workflows/campaign-types';
import { lapseRectifications, openRectifications } from '../db/rectification-repository';
import type { Finding } from '../domain/rectification';
import { lapsePendingMemberReports } from '../db/member-verification-repository';
import { LAPSED_AT_CLOSE_REASON } from '../domain/member-admission';
import type { ActivityDeps } from './index';

async function audit(db: Db, e: { key: string; subject: string; actor: string; action: string; comment?: string | null; data?: Record<string, unknown> }) {
  await db('audit_log')
    .insert({
      event_key: e.key,
      application_id: e.subject,
      actor: e.actor,
      action: e.action,
      comment: e.comment ?? null,
      data: e.data ? JSON.stringify(e.data) : null,
    })
    .onConflict('event_key')
    .ignore();
}

/** Notifications about a campaign (the web app links them to its page). */
async function notify(db: Db, campaignId: string, rows: { key: string; username: string; kind: string; message: string }[]) {
  if (!rows.length) return;
  await db('notifications')
    .insert(rows.map((r) => ({ event_key: r.key, username: r.username, kind: r.kind, message: r.message, campaign_id: campaignId })))
    .onConflict('event_key')
    .ignore();
}

/** Phase → the application types whose pending approvals belong to it. */
const PHASE_APPLICATION_TYPES: Record<WorkPhase, string[]> = {
  survey: [],
  listing: ['project_list', 'subsidy'],
  implementation: ['subsidy'],
  assessment: ['self_assessment'],
};

export function createCampaignActivities({ db, pii }: ActivityDeps) {
  return {
    /** Appends to the campaign's audit trail (keyed). */
    async recordCampaignEvent(e: { campaignId: string; key: string; actor: string; action: string; data?: Record<string, unknown> }): Promise<void> {
      await audit(db, { key: e.key, subject: e.campaignId, actor: e.actor, action: e.action, data: e.data });
    },

    /** The campaign projection's current phase (read by the API's phase gate). */
    async setCampaignPhase(p: { campaignId: string; phase: WorkPhase | 'closed'; endsAt: string | null }): Promise<void> {
      await db.transaction(async (trx) => {
        await setCampaignPhase(trx, p.campaignId, p.phase, p.endsAt);
        await audit(trx, {
          key: `campaign:${p.campaignId}:phase:${p.phase}`,
          subject: p.campaignId,
          actor: 'system',
          action: 'phaseOpened',
          data: { phase: p.phase, endsAt: p.endsAt },
        });
      });
    },

    /**
     * Closes a phase: stores its summary (once), audits who closed it and why,
     * and returns the campaign's approvals of that phase still pending, which
     * the workflow escalates to the city.
     */
    async closePhase(p: {
      campaignId: string;
      phase: WorkPhase;
      closedBy: string;
      reason: string;
      early: boolean;
    }): Promise<{ pendingApplications: string[] }> {
      const [enterprises, projects, members, regions, pending] = await Promise.all([
        db('enterprises')
          .where({ campaign_id: p.campaignId })
          .first<{ screened: number; open_targets: number; crossed_off: number }>(
            db.raw('count(*)::int as screened'),
            db.raw("count(*) filter (where ledger_status = 'registered')::int as open_targets"),
            db.raw("count(*) filter (where ledger_status = 'crossed_off')::int as crossed_off"),
          ),
        db('projects').where({ campaign_id: p.campaignId }).groupBy('status').select<{ status: string; n: number }[]>('status', db.raw('count(*)::int as n')),
        db('projects')
          .where({ campaign_id: p.campaignId })
          .first<{ members: number; unions: number }>(
            db.raw('coalesce(sum(members_recruited),0)::int as members'),
            db.raw('coalesce(sum(unions_established),0)::int as unions'),
          ),
        db('campaign_regions')
          .where({ campaign_id: p.campaignId })
          .select<{ org_id: string; plan_submitted_at: Date | null; list_status: string | null }[]>('org_id', 'plan_submitted_at', 'list_status'),
        db('applications')
          .where({ campaign_id: p.campaignId })
          .whereIn('status', ['pending', 'returned'])
          .whereIn('type', PHASE_APPLICATION_TYPES[p.phase])
          .select<{ id: string }[]>('id'),
      ]);
      const summary = {
        phase: p.phase,
        enterprises,
        projectsByStatus: Object.fromEntries(projects.map((r: { status: string; n: number }) => [r.status, r.n])),
        ...members,
        plansSubmitted: regions.filter((r: { plan_submitted_at: Date | null }) => r.plan_submitted_at).length,
        listsApproved: regions.filter((r: { list_status: string | null }) => r.list_status === 'approved').length,
        pendingApprovals: pending.length,
      };
      await db.transaction(async (trx) => {
        await trx('phase_summaries')
          .insert({ campaign_id: p.campaignId, phase: p.phase, closed_by: p.closedBy, reason: p.reason, summary: JSON.stringify(summary) })
          .onConflict(['campaign_id', 'phase'])
          .ignore();
        await audit(trx, {
          key: `campaign:${p.campaignId}:close:${p.phase}`,
          subject: p.campaignId,
          actor: p.closedBy,
          action: p.early ? 'phaseClosedEarly' : 'phaseClosed',
          comment: p.reason,
          data: summary,
        });
      });
      return { pendingApplications: pending.map((r: { id: string }) => r.id) };
    },

    /**
     * The campaign closed: what of it would stay open. Its unions still being established (建会) and its action plan
     * under the province's review — the applications the workflow now withdraws — and its members still pending
     * real-name verification, which lapse here (not counted, off members_pending, the reason on each row). One
     * audit entry on the campaign names them.
     */
    async endOpenAtClose(p: { campaignId: string }): Promise<{ applications: string[]; lapsedReports: number }> {
      const open = await db('applications')
        .where({ campaign_id: p.campaignId })
        .whereIn('type', ['union_establishment', 'campaign_plan'])
        .whereIn('status', ['pending', 'returned'])
        .orderBy('id')
        .select<{ id: string; type: string }[]>('id', 'type');
      const { lapsed } = await lapsePendingMemberReports(db, { campaignId: p.campaignId, reason: LAPSED_AT_CLOSE_REASON });
      await audit(db, {
        key: `campaign:${p.campaignId}:close-open-items`,
        subject: p.campaignId,
        actor: 'system',
        action: 'closedOpenItems',
        comment: '行动已结束，未办结事项终止 / the campaign closed: what was still open ends',
        data: {
          unionEstablishments: open.filter((r) => r.type === 'union_establishment').map((r) => r.id),
          plan: open.filter((r) => r.type === 'campaign_plan').map((r) => r.id),
          lapsedMemberReports: lapsed,
        },
      });
      return { applications: open.map((r) => r.id), lapsedReports: lapsed };
    },

    /** 评先: each region's score against its targets and its rank; the campaign closes. */
    async finalizeCampaign(p: { campaignId: string }): Promise<void> {
      const regions = await db('campaign_regions').where({ campaign_id: p.campaignId }).select('org_id', 'target_members', 'target_unions');
      const figures = await db('projects')
        .where({ campaign_id: p.campaignId })
        .groupBy('region_org')
        .select(
          'region_org',
          db.raw('coalesce(sum(members_recruited),0)::int as members'),
          db.raw('coalesce(sum(unions_established),0)::int as unions'),
          db.raw("count(*) filter (where status = 'qualified')::int as qualified"),
          db.raw('count(*)::int as projects'),
        );
      const byOrg = new Map(figures.map((f: { region_org: string }) => [f.region_org, f]));
      const scored = regions
        .map((r: { org_id: string; target_members: number; target_unions: number }) => {
          const f = (byOrg.get(r.org_id) ?? { members: 0, unions: 0, qualified: 0, projects: 0 }) as {
            members: number;
            unions: number;
            qualified: number;
            projects: number;
          };
          return {
            org: r.org_id,
            score: regionScore({
              members: f.members,
              targetMembers: r.target_members,
              unions: f.unions,
              targetUnions: r.target_unions,
              qualified: f.qualified,
              projects: f.projects,
            }),
          };
        })
        .sort((a: { score: number; org: string }, b: { score: number; org: string }) => b.score - a.score || a.org.localeCompare(b.org));
      await db.transaction(async (trx) => {
        let rank = 0;
        let last: number | undefined;
        for (const [i, r] of scored.entries()) {
          if (r.score !== last) rank = i + 1; // equal scores share a rank
          last = r.score;
          await trx('campaign_regions')
            .where({ campaign_id: p.campaignId, org_id: r.org })
            .update({ score: r.score, rank, status: 'done', updated_at: trx.fn.now() });
        }
        await trx('campaigns').where({ id: p.campaignId }).update({ phase: 'closed', phase_ends_at: null, closed_at: trx.fn.now(), updated_at: trx.fn.now() });
        await audit(trx, { key: `campaign:${p.campaignId}:closed`, subject: p.campaignId, actor: 'system', action: 'closed', data: { ranking: scored } });
      });
    },

    async saveRegionPlan(p: { campaignId: string; regionOrg: string; plan: unknown; actor: string; key: string }): Promise<void> {
      await db.transaction(async (trx) => {
        await trx('campaign_regions')
          .where({ campaign_id: p.campaignId, org_id: p.regionOrg })
          .update({ plan: JSON.stringify(p.plan), plan_submitted_at: trx.fn.now(), updated_at: trx.fn.now() });
        // Every submission is a version, kept (报送留痕); a retry of the same one adds nothing.
        const version = await addPlanVersion(trx, { campaignId: p.campaignId, regionOrg: p.regionOrg, plan: p.plan, actor: p.actor, key: p.key });
        await audit(trx, { key: p.key, subject: p.campaignId, actor: p.actor, action: 'planSubmitted', data: { region: p.regionOrg, version } });
      });
    },

    /**
     * Stores a region's (revised) project list as proposed projects; a revision
     * replaces the proposed projects of the previous one. Ids are stable per
     * list revision, so a retry rewrites the same rows.
     */
    async saveProjectList(p: {
      campaignId: string;
      regionOrg: string;
      applicationId: string;
      revision: number;
      projects: Record<string, unknown>[];
      actor: string;
    }): Promise<{ projectIds: string[]; plannedMembers: number; regionName: string }> {
      const ids = p.projects.map((_, i) => `${p.campaignId}-${p.regionOrg}-r${p.revision}-${String(i + 1).padStart(3, '0')}`);
      await db.transaction(async (trx) => {
        await trx('projects')
          .where({ campaign_id: p.campaignId, region_org: p.regionOrg, status: 'proposed' })
          .whereNot('id', 'like', `%-r${p.revision}-%`)
          .delete();
        const rows = p.projects.map((x, i) => ({
          id: ids[i],
          campaign_id: p.campaignId,
          region_org: p.regionOrg,
          kind: x.kind,
          type: x.type,
          name: x.name,
          location: (x.location as string | undefined) ?? null,
          planned_members: (x.plannedMembers as number | undefined) ?? 0,
          planned_coverage: (x.plannedCoverage as number | undefined) ?? 0,
          groups: (x.groups as string[] | undefined) ?? [],
          responsible_unit: x.responsibleUnit,
          due_date: (x.dueDate as string | undefined) ?? (x.date as string | undefined) ?? null,
          enterprise_ids: (x.enterprises as number[] | undefined) ?? [],
          subsidy_amount: (x.subsidyAmount as number | undefined) ?? null,
          status: 'proposed',
          list_application_id: p.applicationId,
          workflow_id: `project-${ids[i]}`,
        }));
        for (let i = 0; i < rows.length; i += 500)
          await trx('projects')
            .insert(rows.slice(i, i + 500))
            .onConflict('id')
            .merge();
        await saveListRevision(trx, {
          campaignId: p.campaignId,
          regionOrg: p.regionOrg,
          revision: p.revision,
          applicationId: p.applicationId,
          projects: p.projects.map((x, i) => ({ ...x, id: ids[i] })),
          actor: p.actor,
        });
        await audit(trx, {
          key: `list:${p.applicationId}:r${p.revision}`,
          subject: p.campaignId,
          actor: p.actor,
          action: 'projectListSubmitted',
          data: { region: p.regionOrg, revision: p.revision, projects: ids.length },
        });
      });
      const org = await db('orgs').where({ id: p.regionOrg }).first<{ name: string } | undefined>('name');
      const plannedMembers = p.projects.reduce((n, x) => n + ((x.plannedMembers as number | undefined) ?? 0), 0);
      return { projectIds: ids, plannedMembers, regionName: org?.name ?? p.regionOrg };
    },

    /** Records an application started by a workflow (project list, subsidy, self-assessment) and returns its chain. */
    async createApplicationRecord(a: {
      id: string;
      type: ApplicationType;
      chainKey: string;
      applicant: string | null;
      applicantOrg: string;
      title: string;
      payload: Record<string, unknown>;
      campaignId?: string;
      projectId?: string;
    }): Promise<ChainDefinition> {
      // The chain that applies to the applicant org (its own, an org's above it, or the global one).
      const stored = await resolveChain(db, a.type, a.applicantOrg);
      if (!stored) throw new Error(`chain ${a.chainKey} is not configured`);
      const chain = chainSnapshot(stored);
      await db.transaction(async (trx) => {
        await insertApplication(trx, {
          id: a.id,
          type: a.type,
          chainKey: chain.key,
          chainVersion: chain.version,
          chainOwner: chain.owner ?? null,
          applicant: a.applicant,
          applicantOrg: a.applicantOrg,
          title: a.title,
          payload: rewrapJson(pii, a.payload).value,
          workflowId: `application-${a.id}`,
        });
        await trx('applications')
          .where({ id: a.id })
          .update({ campaign_id: a.campaignId ?? null, project_id: a.projectId ?? null });
        if (a.projectId) {
          const column = a.type === 'subsidy' ? 'subsidy_application_id' : a.type === 'self_assessment' ? 'assessment_application_id' : undefined;
          if (column)
            await trx('projects')
              .where({ id: a.projectId })
              .update({ [column]: a.id });
        }
      });
      return chain;
    },

    async setRegionListStatus(p: { campaignId: string; regionOrg: string; applicationId: string; status: string }): Promise<void> {
      await db('campaign_regions')
        .where({ campaign_id: p.campaignId, org_id: p.regionOrg })
        .update({ list_application_id: p.applicationId, list_status: p.status, updated_at: db.fn.now() });
    },

    /** The approved list's projects become tracked projects. */
    async approveProjectList(p: {
      campaignId: string;
      regionOrg: string;
      applicationId: string;
    }): Promise<{ projects: { id: string; name: string; subsidyAmount: number }[] }> {
      await db('projects')
        .where({ campaign_id: p.campaignId, region_org: p.regionOrg, list_application_id: p.applicationId, status: 'proposed' })
        .update({ status: 'approved', updated_at: db.fn.now() });
      const rows = await db('projects')
        .where({ campaign_id: p.campaignId, region_org: p.regionOrg, list_application_id: p.applicationId })
        .whereNot({ status: 'proposed' })
        .orderBy('id')
        .select('id', 'name', 'subsidy_amount');
      return {
        projects: rows.map((r: { id: string; name: string; subsidy_amount: string | null }) => ({
          id: r.id,
          name: r.name,
          subsidyAmount: Number(r.subsidy_amount ?? 0),
        })),
      };
    },

    /** Was the phase's deliverable handed in? (plan; project list; a progress report; every project's self-assessment) */
    async checkDeliverable(p: { campaignId: string; regionOrg: string; phase: WorkPhase }): Promise<{ done: boolean; detail: string }> {
      const name = PHASE_DELIVERABLES[p.phase].name;
      const region = await db('campaign_regions')
        .where({ campaign_id: p.campaignId, org_id: p.regionOrg })
        .first<{ plan_submitted_at: Date | null; list_status: string | null } | undefined>('plan_submitted_at', 'list_status');
      let done = false;
      if (p.phase === 'survey') done = !!region?.plan_submitted_at;
      else if (p.phase === 'listing') done = !!region?.list_status && region.list_status !== 'rejected';
      else if (p.phase === 'implementation') {
        const r = await db('project_events as e')
          .join('projects as p', 'p.id', 'e.project_id')
          .where({ 'p.campaign_id': p.campaignId, 'p.region_org': p.regionOrg, 'e.kind': 'progress' })
          .first<{ id: string } | undefined>('e.id');
        done = !!r;
      } else {
        const r = await db('projects')
          .where({ campaign_id: p.campaignId, region_org: p.regionOrg })
          .whereNot({ status: 'proposed' })
          .first<{ n: number; assessed: number } | undefined>(db.raw('count(*)::int as n'), db.raw('count(self_assessment)::int as assessed'));
        done = (r?.n ?? 0) > 0 && r?.assessed === r?.n;
      }
      return { done, detail: done ? `${name}已提交 / handed in` : `${name}未按期提交 / not handed in by the deadline` };
    },

    /**
     * 五级推进: an overdue deliverable is recorded on the region and escalated
     * to the city — its admins and supervisors are told (督办); at the second
     * level (问责) the province's supervisors too.
     */
    async escalateOverdue(p: {
      campaignId: string;
      regionOrg: string;
      phase: WorkPhase;
      item: string;
      level: 'supervision' | 'accountability';
      detail: string;
      key: string;
    }): Promise<void> {
      const campaign = await db('campaigns').where({ id: p.campaignId }).first<{ city_org: string; name: string }>('city_org', 'name');
      const region = await db('orgs').where({ id: p.regionOrg }).first<{ name: string } | undefined>('name');
      const recipients = [...(await listUsersWithRole(db, campaign.city_org, 'admin')), ...(await listUsersWithRole(db, campaign.city_org, 'supervisor'))];
      if (p.level === 'accountability') {
        const province = await db('orgs').where({ id: campaign.city_org }).first<{ parent_id: string | null } | undefined>('parent_id');
        if (province?.parent_id) recipients.push(...(await listUsersWithRole(db, province.parent_id, 'supervisor')));
      }
      // The region's overdue list, the notifications and the audit row change together.
      await db.transaction(async (trx) => {
        const row = await trx('campaign_regions')
          .where({ campaign_id: p.campaignId, org_id: p.regionOrg })
          .forUpdate()
          .first<{ overdue: unknown } | undefined>('overdue');
        const list = ((row?.overdue ?? []) as { phase: string; item: string; since: string; level: string }[]).filter(
          (o) => !(o.phase === p.phase && o.item === p.item),
        );
        const since =
          ((row?.overdue ?? []) as { phase: string; item: string; since: string }[]).find((o) => o.phase === p.phase && o.item === p.item)?.since ??
          new Date().toISOString();
        list.push({ phase: p.phase, item: p.item, since, level: p.level });
        const message = overdueMessage({ level: p.level, campaign: campaign.name, region: region?.name ?? '所辖地区', phase: p.phase, since });
        await trx('campaign_regions')
          .where({ campaign_id: p.campaignId, org_id: p.regionOrg })
          .update({ overdue: JSON.stringify(list), status: 'overdue', updated_at: trx.fn.now() });
        await notify(
          trx,
          p.campaignId,
          recipients.map((u) => ({ key: `${p.key}:${u.username}`, username: u.username, kind: 'escalation', message })),
        );
        await audit(trx, {
          key: p.key,
          subject: p.campaignId,
          actor: 'system',
          action: p.level === 'supervision' ? 'overdueSupervision' : 'overdueAccountability',
          comment: p.detail,
          data: { region: p.regionOrg, phase: p.phase, item: p.item },
        });
      });
    },

    /** A reminder to every staff member and admin of the region. */
    async notifyRegion(p: { campaignId: string; regionOrg: string; key: string; message: string }): Promise<void> {
      const users = [...(await listUsersWithRole(db, p.regionOrg, 'staff')), ...(await listUsersWithRole(db, p.regionOrg, 'admin'))];
      await db.transaction(async (trx) => {
        await notify(
          trx,
          p.campaignId,
          users.map((u) => ({ key: `${p.key}:${u.username}`, username: u.username, kind: 'reminder', message: p.message })),
        );
        await audit(trx, { key: p.key, subject: p.campaignId, actor: 'system', action: 'regionReminded', comment: p.message, data: { region: p.regionOrg } });
      });
    },

    async setProjectStatus(p: {
      projectId: string;
      status: string;
      note: string;
      data: Record<string, unknown>;
      rectifyDeadline: string | null;
      key: string;
    }): Promise<void> {
      await db('projects').where({ id: p.projectId }).update({ status: p.status, rectify_deadline: p.rectifyDeadline, updated_at: db.fn.now() });
      await insertProjectEvent(db, {
        key: p.key,
        projectId: p.projectId,
        actor: 'system',
        kind: 'status',
        data: { status: p.status, note: p.note, ...p.data },
      });
    },

    /** 退回单个项目: the project carries the city's comments; its region's staff and admins are told. */
    async returnPlanEntry(p: {
      projectId: string;
      campaignId: string;
      regionOrg: string;
      actor: string;
      comment: string;
      campaignName: string;
      key: string;
    }): Promise<void> {
      const users = [...(await listUsersWithRole(db, p.regionOrg, 'staff')), ...(await listUsersWithRole(db, p.regionOrg, 'admin'))];
      await db.transaction(async (trx) => {
        const { name } = await markPlanEntryReturned(trx, p);
        const message = `「${p.campaignName}」行动计划：市总将项目「${name}」退回修改，意见：${p.comment}。请修改后重新报送。 / ${p.campaignName} action plan: the city returned the project “${name}” for revision: ${p.comment}. Please revise and resubmit it.`;
        await insertProjectEvent(trx, { key: p.key, projectId: p.projectId, actor: p.actor, kind: 'plan_return', data: { comment: p.comment } });
        await notify(
          trx,
          p.campaignId,
          users.map((u) => ({ key: `${p.key}:${u.username}`, username: u.username, kind: 'returned', message })),
        );
        await audit(trx, {
          key: p.key,
          subject: p.campaignId,
          actor: p.actor,
          action: 'planProjectReturned',
          comment: p.comment,
          data: { projectId: p.projectId },
        });
      });
    },

    /** 修改后重新报送: the revised columns replace the old ones (both kept in the project's history); the city's admins are told. */
    async revisePlanEntry(p: {
      projectId: string;
      campaignId: string;
      actor: string;
      changes: PlanEntryChanges;
      note: string | null;
      key: string;
    }): Promise<void> {
      const campaign = await db('campaigns').where({ id: p.campaignId }).first<{ city_org: string; name: string } | undefined>('city_org', 'name');
      const admins = campaign ? await listUsersWithRole(db, campaign.city_org, 'admin') : [];
      await db.transaction(async (trx) => {
        const r = await applyPlanEntryRevision(trx, p);
        await insertProjectEvent(trx, {
          key: p.key,
          projectId: p.projectId,
          actor: p.actor,
          kind: 'plan_revision',
          data: { before: r.before, after: r.after, note: p.note },
        });
        const message = `「${campaign?.name ?? ''}」行动计划：退回的项目「${r.name}」已由地区修改后重新报送，可汇总上报省总。 / ${campaign?.name ?? ''} action plan: the returned project “${r.name}” was revised by its region and can go into the plan again.`;
        await notify(
          trx,
          p.campaignId,
          admins.map((u) => ({ key: `${p.key}:${u.username}`, username: u.username, kind: 'reminder', message })),
        );
        await audit(trx, {
          key: p.key,
          subject: p.campaignId,
          actor: p.actor,
          action: 'planProjectRevised',
          comment: p.note,
          data: { projectId: p.projectId, after: r.after },
        });
      });
    },

    async recordProjectEvent(p: { projectId: string; key: string; actor: string; kind: string; data: Record<string, unknown> }): Promise<void> {
      await insertProjectEvent(db, p);
    },

    /** One progress report (keyed: a retry returns the first result). */
    async recordProgress(p: {
      projectId: string;
      campaignId: string;
      regionOrg: string;
      key: string;
      actor: string;
      report: ProgressReport;
    }): Promise<ProgressResult> {
      // The members' ciphertexts come from the workflow's Update (its history): stored with the newest key.
      return applyProgress(db, { ...p, report: rewrapJson(pii, p.report).value });
    },

    /** 整改事项: one per inspection finding with a deadline, on the project's region (keyed: a retry opens none twice). */
    async openRectifications(p: {
      key: string;
      projectId: string;
      campaignId: string;
      regionOrg: string;
      actor: string;
      inspectedOn: string;
      findings: Finding[];
    }): Promise<number> {
      return openRectifications(db, p);
    },

    /** At campaign close: the project's items still open lapse, each with a timeline entry. */
    async lapseRectifications(p: { projectId: string; key: string; note: string }): Promise<number> {
      return lapseRectifications(db, p);
    },

    /** Saves the report; answers the project's name, which titles the self-assessment application (never its id). */
    async saveSelfAssessment(p: { projectId: string; report: Record<string, unknown>; actor: string; key: string }): Promise<{ projectName: string | null }> {
      await db('projects')
        .where({ id: p.projectId })
        .update({ self_assessment: JSON.stringify({ ...p.report, submittedBy: p.actor }), updated_at: db.fn.now() });
      await insertProjectEvent(db, { key: p.key, projectId: p.projectId, actor: p.actor, kind: 'assessment', data: p.report });
      const project = await db('projects').where({ id: p.projectId }).first<{ name: string } | undefined>('name');
      return { projectName: project?.name ?? null };
    },
  };
}
