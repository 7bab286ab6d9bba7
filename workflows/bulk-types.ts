/**
 * Types of the bulk-action job (批量操作): bulk approve (批量同意),
 * reassigning a rotating cadre's tasks (批量转办), cadre rotation (干部轮岗)
 * and moving running applications to a new chain version (在办申请迁移).
 * Shared by the workflow, its activities and the API.
 */
import type { ChainDefinition } from '../domain/chain';
import type { MigrationPlan } from '../domain/chain-migration';
import type { Role } from '../domain/policy';
import type { RotationHold, RotationMove } from '../domain/rotation';

/** Who runs the job, as the authorization policy sees them. */
export interface BulkPrincipal {
  username: string;
  orgId: string;
  orgPath: string;
  roles: string[];
  /** Every active post (兼职); absent: the roles at `orgId`. */
  posts?: { orgId: string; orgPath: string; role: Role }[];
}

export type BulkActionInput =
  | {
      kind: 'approve';
      principal: BulkPrincipal;
      taskIds: string[];
      comment: string;
      /** Prefix of each task's Update id (caller:Idempotency-Key or the job id): a retried job approves nothing twice. */
      keyPrefix: string;
    }
  | {
      kind: 'reassign';
      principal: BulkPrincipal;
      from: string;
      to: string;
      comment: string;
      keyPrefix: string;
    }
  | {
      kind: 'rotate';
      principal: BulkPrincipal;
      /** The person rotating and the post they leave (its id in user_posts). */
      rotation: RotationInput;
      comment: string;
      keyPrefix: string;
    }
  | {
      kind: 'migrate';
      principal: BulkPrincipal;
      plan: MigrationPlan;
      /** The new version's definition. */
      chain: ChainDefinition;
      keyPrefix: string;
    };

/** 干部轮岗: end `fromPost`, start `toPost`, move each task the person holds in `fromPost` (domain/rotation.ts). */
export interface RotationInput {
  username: string;
  fromPost: { id: string; orgId: string; orgPath: string; role: string };
  toPost?: { orgId: string; orgPath: string; role: string };
  successor?: string;
}

/** One task of a rotation and what will be done with it. */
export interface RotationPlanItem {
  taskId: string;
  applicationId: string;
  hold: RotationHold;
  move: RotationMove;
  to: string | null;
}

/** What a rotation will do, as planned before the post ends. */
export interface RotationPlan {
  tasks: RotationPlanItem[];
  /** More tasks than one job moves: the rest are left for another rotation. */
  truncated: boolean;
  /** Running applications the person filed from the post's org (they go on; the applicant stays). */
  applications: number;
}

/** One task's outcome (a migration: one application's). */
export interface BulkItemResult {
  /** The task acted on (absent for a migration, whose items are applications). */
  taskId?: string;
  ok: boolean;
  applicationId?: string;
  /** The application's status after the action, when it went through. */
  status?: string;
  /** 干部轮岗: how the person held the task, what was done with it and where it went (a username, or role@org). */
  hold?: RotationHold;
  move?: RotationMove;
  to?: string | null;
  /** 在办申请迁移: the application's title, the step it left and the step it continues at. */
  title?: string;
  fromStep?: string;
  toStep?: string;
  error?: { status: number; detail: string };
}

/** What GET /api/jobs/:id shows while the job runs and after. */
export interface BulkProgress {
  kind: BulkActionInput['kind'];
  owner: string;
  state: 'running' | 'done';
  /** Tasks known so far (reassign learns them a page at a time). */
  total: number;
  done: number;
  succeeded: number;
  failed: number;
  /** Reassign stopped at its bound: more tasks are left for a next job. */
  truncated: boolean;
  results: BulkItemResult[];
  /** 干部轮岗: the post ended and the post started, once done (the tasks' moves are the results). */
  rotation?: { username: string; endedPost: string; startedPost: string | null; successor: string | null; applications: number };
  /** 在办申请迁移: which chain, from which version to which. */
  migration?: { key: string; owner: string; fromVersion: number; toVersion: number };
}

/** At most this many tasks per reassign job; the rest wait for the next one. */
export const REASSIGN_MAX_TASKS = 1000;
/** Tasks read per page while reassigning. */
export const REASSIGN_PAGE = 100;

/** At most this many applications per migration job (the rest stay on the old version for another run). */
export const MIGRATE_MAX_APPLICATIONS = 1000;
