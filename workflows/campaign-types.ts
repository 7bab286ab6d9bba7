/** Payload types of the campaign, region and project workflows (plain data; imported by workflow code). */
import type { CampaignConfig, Phase, WorkPhase } from '../domain/campaign';

export type { CampaignConfig, Phase, WorkPhase };

export interface Actor {
  username: string;
  orgId: string;
  roles: string[];
}

export interface CampaignInput {
  campaignId: string;
  config: CampaignConfig;
  createdBy: string;
  /** Continue-as-new once the history passes this many events (default: when the server suggests it). */
  historyLimit?: number;
  resume?: CampaignState;
}

export interface CampaignState {
  phase: Phase;
  /** Index into WORK_PHASES of the phase in progress or next to start. */
  phaseIndex: number;
  /** Whether the phase at phaseIndex has opened. */
  opened: boolean;
  /** The previous phase was closed early: open the next at once. */
  openNow: boolean;
  regionsStarted: boolean;
  advance?: { by: string; reason: string };
  /** The phase the campaign's row (the projection) shows: an advance answers once it shows the new one. */
  shown?: Phase;
  processed: Record<string, CampaignView>;
  processedOrder: string[];
  seq: number;
}

export interface CampaignView {
  campaignId: string;
  phase: Phase;
  phaseEndsAt: string | null;
  regions: string[];
}

export interface AdvanceInput {
  actor: Actor;
  reason: string;
  idempotencyKey: string;
}

export interface RegionInput {
  campaignId: string;
  regionOrg: string;
  config: CampaignConfig;
  campaignWorkflowId: string;
  historyLimit?: number;
  resume?: RegionState;
}

export interface OverdueItem {
  phase: WorkPhase;
  item: string;
  since: string;
  /** 五级推进: supervision (督办) at the deadline, then accountability (问责). */
  level: 'supervision' | 'accountability';
  resolvedAt?: string;
}

export interface RegionState {
  phase: Phase;
  phaseEndsAt?: string;
  listApplicationId?: string;
  listStatus?: string;
  listSubmittedBy?: string;
  projectWorkflowIds: string[];
  reminded: string[];
  overdue: OverdueItem[];
  processed: Record<string, RegionResult>;
  processedOrder: string[];
  listRevision: number;
  closed: boolean;
}

export interface RegionResult {
  ok: true;
  phase: Phase;
  listApplicationId?: string;
  listStatus?: string;
  projectIds?: string[];
}

export interface PlanInput {
  actor: Actor;
  /** The campaign phase the API saw when it accepted the request. */
  phaseSeen?: Phase;
  plan: { summary: string; measures: string[]; dueDates?: Record<string, string> };
  idempotencyKey: string;
}

export interface ProjectListInput {
  actor: Actor;
  /** The campaign phase the API saw when it accepted the request. */
  phaseSeen?: Phase;
  /** Validated by the API: organizing and service projects. */
  projects: Record<string, unknown>[];
  idempotencyKey: string;
}

export interface PhaseChange {
  phase: Phase;
  endsAt: string | null;
}

export interface SubjectStatus {
  applicationId: string;
  type: string;
  status: string;
  /** Set with a return: the rectification deadline (限期整改). */
  deadline?: string;
  actor?: string;
}

export type ProjectStatus = 'proposed' | 'approved' | 'in_progress' | 'rectifying' | 'qualified' | 'unqualified';

export interface ProjectInput {
  projectId: string;
  campaignId: string;
  regionOrg: string;
  phase: Phase;
  submittedBy: string;
  historyLimit?: number;
  resume?: ProjectState;
}

export interface ProjectState {
  status: ProjectStatus;
  phase: Phase;
  milestones: { key: string; name: string; at: string }[];
  assessmentApplicationId?: string;
  assessmentStatus?: string;
  rectifyDeadline?: string;
  /** 行动计划: the city returned the project to its region for revision (until the region revises it). */
  planReturned?: boolean;
  processed: Record<string, ProjectView>;
  processedOrder: string[];
  closed: boolean;
}

export interface ProjectView {
  projectId: string;
  status: ProjectStatus;
  phase: Phase;
  milestones: ProjectState['milestones'];
  rectifyDeadline?: string;
  assessmentApplicationId?: string;
  result?: Record<string, unknown>;
}

export interface ProgressInput {
  actor: Actor;
  /** The campaign phase the API saw when it accepted the request. */
  phaseSeen?: Phase;
  idempotencyKey: string;
  unionsEstablished?: { enterpriseId?: number; name: string; establishedOn: string }[];
  /** Members with their ID and phone numbers already encrypted, hashed and masked by the API. */
  members?: {
    name: string;
    idNumberEnc: string;
    idNumberHash: string;
    idNumberMasked: string;
    phoneEnc?: string;
    phoneMasked?: string;
    group: string;
    /** Where the member works: for a dispatched worker, the host employer (用工单位). */
    employer: string;
    /** 劳务派遣工: a dispatched worker, employed by `agency` (劳务派遣单位). */
    dispatched?: boolean;
    agency?: string;
  }[];
  serviceDone?: { coverage: number; note?: string };
  note?: string;
}

export interface InspectionInput {
  actor: Actor;
  idempotencyKey: string;
  findings: string;
  result: 'good' | 'needs_improvement' | 'problem';
  inspectedOn: string;
  /** The findings one by one; each with a deadline opens a rectification item (整改事项) on the region. */
  items?: { text: string; severity: 'minor' | 'major' | 'serious'; deadline?: string }[];
}

export interface SelfAssessmentInput {
  actor: Actor;
  /** The campaign phase the API saw when it accepted the request. */
  phaseSeen?: Phase;
  idempotencyKey: string;
  report: { summary: string; membersRecruited: number; unionsEstablished: number; coverage?: number };
}

/** 退回单个项目: the city returns one project of its action plan to the project's region, with comments. */
export interface ReturnPlanEntryInput {
  actor: Actor;
  idempotencyKey: string;
  comment: string;
  /** The campaign's name and the project's, for the region's notice. */
  campaignName: string;
}

/** The seed's columns of one project, revised by its region after a return (only the fields sent change). */
export interface PlanEntryChanges {
  name?: string;
  location?: string;
  plannedMembers?: number;
  plannedCoverage?: number;
  responsibleUnit?: string;
  dueDate?: string;
}

export interface RevisePlanEntryInput {
  actor: Actor;
  idempotencyKey: string;
  changes: PlanEntryChanges;
  note?: string;
}
