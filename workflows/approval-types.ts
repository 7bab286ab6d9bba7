/**
 * Payload types shared by the approval workflow, its activities and the API.
 * Plain data only: this module is imported by workflow code.
 */
import type { ActionName, ApplicationType, AutoStepName, ChainDefinition, Condition, FieldAccess, HumanStep, Step } from '../domain/chain';
import type { Role, TargetFacts } from '../domain/policy';

export type ApplicationStatus = 'pending' | 'returned' | 'approved' | 'rejected' | 'withdrawn';
export type TaskStatus = 'pending' | 'completed' | 'cancelled';
export type TaskKind = 'approval' | 'revision' | 'cc';

export interface Actor {
  username: string;
  orgId: string;
  roles: string[];
  /** Ancestor path of the actor's org ('/henan/pds/'), filled by the API: an admin overrides only within it. */
  orgPath?: string;
  /** Every active post of the actor (兼职), filled by the API; absent: the roles at `orgId` (domain/policy.ts `postsOf`). */
  posts?: { orgId: string; orgPath: string; role: Role }[];
  /**
   * The system's own actors only (SLA auto-approve, cancel, the revise signal): they act without a validator.
   * Never set from a user request; the validator gives it no weight.
   */
  asAdmin?: boolean;
}

export interface ApprovalInput {
  applicationId: string;
  type: ApplicationType;
  chain: ChainDefinition;
  applicant: string | null;
  applicantOrg: string;
  title: string;
  /** The application's business data (amount, reason, member details…). */
  payload: Record<string, unknown>;
  /** Set for transfers: the receiving union. */
  targetOrg?: string;
  /** A workflow to tell of each status change (the region or project that started this application). */
  notify?: { workflowId: string };
  /**
   * 'one-write': the starter (the API, from this version on) asks for the one-write-per-transition path outright,
   * so the run needs no patch marker (and none of the search-attribute upserts the SDK adds to one). A run without it
   * asks the patch. Deploy workers before the API: a worker older than the path would run such a run the old way.
   */
  path?: 'one-write';
  /** Carried over by continue-as-new. */
  resume?: ApprovalState;
}

export interface TaskState {
  id: string;
  kind: TaskKind;
  stepIndex: number;
  assignee: string | null;
  role: string | null;
  orgId: string | null;
  /**
   * Path of the task's org (role step: the resolved org; named user or added signer: that user's org).
   * Absent on tasks of runs started before paths were kept: nobody overrides or hands those on.
   */
  orgPath?: string | null;
  candidates: string[];
  status: TaskStatus;
  decision?: string;
  decidedBy?: string;
  /** 委派: who handles it now; the owner decides after. */
  delegatedTo?: string;
  dueAt?: string;
  remindAt?: string;
  reminded?: boolean;
  escalated?: boolean;
  /** An approval made void because the application changed after it (内容已修改). */
  voided?: boolean;
  /** 代理: absent person → the deputy who holds this task in their place (the absent person sees it read-only). */
  deputies?: Record<string, string>;
  /** A task of a parallel group (并行分支) at `stepIndex`: its branch and the step within that branch. */
  branch?: number;
  branchStep?: number;
}

/** One branch of a running parallel group: its steps, climbed in order. */
export interface BranchState {
  steps: StepState[];
  current: number;
  /** done: its last step finished; cancelled: another branch finished first (mode any). */
  status: 'active' | 'done' | 'cancelled';
}

export interface StepState {
  def: Step;
  status: 'waiting' | 'active' | 'done' | 'skipped';
  /** 加签: who added this step and where. */
  added?: { by: string; position: 'before' | 'after' };
  /** Users the applicant-forbid rule keeps out of this step. */
  forbidden: string[];
  rule?: string;
  /** A parallel group's branches, from when the group starts. */
  branches?: BranchState[];
}

export interface ActionInput {
  action: ActionName;
  actor: Actor;
  idempotencyKey: string;
  taskId?: string;
  comment?: string;
  /** transfer / delegate / addSigner / removeSigner / cc: usernames; assign: an org id; release: who holds the role now (told of the task). */
  to?: string[];
  /** release: whose hold on the task ends (its delegate, or its assignee); default the one holding it now. */
  holder?: string;
  /** return: 'applicant' or the index of an earlier step. */
  returnTo?: 'applicant' | number;
  position?: 'before' | 'after';
  /** return: a deadline for the revision (限期整改), ISO 8601. */
  deadline?: string;
  /** resubmit: revised fields. */
  changes?: { title?: string; payload?: Record<string, unknown> };
  /**
   * approve: the approver's corrections of form fields (字段权限 `edit`), field → new value; built-ins
   * (`amount`, `reason`, `title`) by their names, the form's own by theirs. The API validated the merged form.
   */
  edits?: Record<string, unknown>;
  /** transfer / delegate / addSigner / cc: the facts of each user in `to`, resolved by the API from the database. */
  targets?: TargetFacts[];
  /** Where the application sits (the API fills it from the application row): for urge, comment and application-level cc. */
  application?: { applicantOrgPath: string; targetOrgPath: string | null };
}

export interface ApplicationView {
  id: string;
  type: ApplicationType;
  status: ApplicationStatus;
  currentStep: string | null;
  currentStepIndex: number;
  /** The chain version it runs on (changes when it is migrated; absent in views from before it was shown). */
  chainVersion?: number;
  steps: {
    index: number;
    id: string;
    name: string;
    type: Step['type'];
    status: StepState['status'];
    added?: StepState['added'];
    rule?: string;
    def: Step;
    /** A parallel group's branches (once it has started). */
    branches?: BranchView[];
  }[];
  tasks: TaskState[];
  targetOrg?: string;
  revision: number;
  /** The chain form's field labels (for conditions said in words). */
  formLabels?: Record<string, string>;
}

export interface BranchView {
  index: number;
  /** The branch's name: its first step's. */
  name: string;
  status: BranchState['status'];
  current: number;
  steps: { index: number; id: string; name: string; status: StepState['status']; rule?: string }[];
}

export type ActionResult = ApplicationView;

/** What an idempotency key produced: enough to know it was done; a repeat returns the current view. */
export interface ProcessedDigest {
  /** An action, or `migrate`: a move to a new chain version (approval-migration.ts). */
  action: ActionName | 'migrate';
  taskId?: string;
  status: ApplicationStatus;
  revision: number;
}

export interface ApprovalState {
  applicationId: string;
  type: ApplicationType;
  chainKey: string;
  chainVersion: number;
  applicant: string | null;
  applicantOrg: string;
  title: string;
  payload: Record<string, unknown>;
  targetOrg?: string;
  status: ApplicationStatus;
  steps: StepState[];
  current: number;
  tasks: TaskState[];
  revision: number;
  returnedFrom?: number;
  /** The last human approval, for the approve-once rule. */
  lastApproval?: { username: string; stepIndex: number; revision: number };
  /** Set by transfer, return, resubmit or added signer: the approve-once rule stops applying. */
  dedupBlocked: boolean;
  /**
   * Idempotency-Key → what it did, so a replayed action changes nothing, across continue-as-new.
   * Runs from before digests were kept may still hold full views here.
   */
  processed: Record<string, ProcessedDigest | ActionResult>;
  processedOrder: string[];
  /** Counter for deterministic task and audit keys. */
  seq: number;
  participants: string[];
  /** The deadline given with the last return. */
  returnDeadline?: string;
  /** `${status}:${revision}` last told to the notify workflow. */
  notified?: string;
  /** The status last written to the BusinessStatus search attribute (written again only when it changes). */
  indexedStatus?: string;
  /** The chain form's field labels (for conditions said in words); absent when the form has none. */
  formLabels?: Record<string, string>;
}

export interface AuditEntry {
  key: string;
  applicationId: string;
  actor: string;
  action: string;
  stepIndex: number | null;
  step: string | null;
  comment?: string | null;
  data?: Record<string, unknown>;
}

export interface TaskRecord {
  id: string;
  applicationId: string;
  kind: TaskKind;
  stepIndex: number;
  stepName: string;
  assignee: string | null;
  role: string | null;
  orgId: string | null;
  candidates: string[];
  status: TaskStatus;
  decision?: string | null;
  dueAt?: string | null;
  subject: string;
  owner?: string | null;
  /** Path of the task's org (a named user's org), for the authorization policy on the API side. */
  orgPath?: string | null;
  /** The step shows full personal data (身份审核). */
  showsPersonalData?: boolean;
  /** 代理: absent person → deputy (null: none). */
  deputies?: Record<string, string> | null;
  /** 字段权限: the step's field permissions (absent: every field read). */
  fields?: Record<string, FieldAccess> | null;
  /** 已办: who decided the task (absent while pending). */
  decidedBy?: string | null;
}

export interface NotificationRecord {
  key: string;
  username: string;
  applicationId: string;
  kind: 'reminder' | 'urge' | 'cc' | 'escalation' | 'returned' | 'decided';
  message: string;
}

export interface TransitionRecord {
  applicationId: string;
  audit: AuditEntry[];
  tasks: TaskRecord[];
  notifications: NotificationRecord[];
  application?: {
    status: ApplicationStatus;
    currentStep: string | null;
    /** The chain version it runs on now (a migration changes it; absent: unchanged). */
    chainVersion?: number;
    type: ApplicationType;
    title: string;
    payload: Record<string, unknown>;
    targetOrg: string | null;
  };
}

export interface ResolveStepInput {
  applicationId: string;
  step: HumanStep;
  applicant: string | null;
  applicantOrg: string;
  targetOrg?: string;
  /** The application's type, for deputies named for some types only (absent in inputs recorded before deputies). */
  type?: ApplicationType;
  /** The payload fields a step's condition may read (amount, group, form); present when the step has a condition. */
  facts?: ConditionPayload;
}

/** The parts of an application's payload a condition reads (domain/conditions.ts `conditionFacts`). */
export interface ConditionPayload {
  amount?: unknown;
  group?: unknown;
  form?: unknown;
  /** The form's field labels, so the condition is said in words (absent: the form has none). */
  labels?: Record<string, string>;
}

/** A parallel group's condition, evaluated when the group is reached. */
export interface EvaluateConditionInput {
  applicationId: string;
  when: Condition;
  type: ApplicationType;
  applicantOrg: string;
  facts: ConditionPayload;
}

/** A condition's answer, and the condition in words. */
export interface ConditionResult {
  holds: boolean;
  zh: string;
  en: string;
  /** The timeline's words when it does not hold (条件不满足：…，跳过 / condition not met: …, skipped). */
  note: string;
}

export interface ResolvedStep {
  skip: boolean;
  /** The step's condition, when it has one: whether it held, in words. False: skipped by condition. */
  condition?: ConditionResult;
  /** Why these approvers (which rule matched), shown in the route preview and the timeline. */
  rule: string;
  role: string | null;
  orgId: string | null;
  /** Path of `orgId` (absent in results recorded before paths were kept). */
  orgPath?: string | null;
  /** Named users: each candidate's org path (a named user's task belongs to their org). */
  orgPaths?: Record<string, string>;
  candidates: string[];
  forbidden: string[];
  /**
   * 代理: absent person → deputy, for candidates away when the step started: the deputy is among
   * `candidates` in their place. Absent in results recorded before deputies.
   */
  deputies?: Record<string, string>;
  dueAt?: string;
  remindAt?: string;
}

export interface AutoStepInput {
  applicationId: string;
  activity: AutoStepName;
  type: ApplicationType;
  applicant: string | null;
  applicantOrg: string;
  title: string;
  payload: Record<string, unknown>;
  targetOrg?: string;
}

export type AutoStepResult =
  | { outcome: 'done'; note: string; targetOrg?: string; data?: Record<string, unknown> }
  | { outcome: 'reject'; note: string; data?: Record<string, unknown> }
  /** 周转池: nobody matched; a person must sort it. */
  | { outcome: 'hold'; note: string; data?: Record<string, unknown> }
  /** Already a member elsewhere: continue as a transfer to targetOrg. */
  | { outcome: 'convertToTransfer'; note: string; targetOrg: string; fromOrg: string; data?: Record<string, unknown> };
