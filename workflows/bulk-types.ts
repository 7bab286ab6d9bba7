/**
 * Types of the bulk-action job (批量操作): bulk approve (批量同意) and
 * reassigning a rotating cadre's tasks (批量转办). Shared by the workflow, its
 * activities and the API.
 */
import type { Role } from '../domain/policy';

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
    };

/** One task's outcome. */
export interface BulkItemResult {
  taskId: string;
  ok: boolean;
  applicationId?: string;
  /** The application's status after the action, when it went through. */
  status?: string;
  error?: { status: number; detail: string };
}

/** What GET /api/jobs/:id shows while the job runs and after. */
export interface BulkProgress {
  kind: 'approve' | 'reassign';
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
}

/** At most this many tasks per reassign job; the rest wait for the next one. */
export const REASSIGN_MAX_TASKS = 1000;
/** Tasks read per page while reassigning. */
export const REASSIGN_PAGE = 100;
