/**
 * 建会程序 (establishing a union): the pure rules — which kinds of union a
 * project establishes (the org tree's grassroots subkinds), how two names are
 * judged the same union, what kind a union reported without one takes, and
 * how an establishment's steps read from its chain and tasks. No I/O;
 * reachable from workflow code (imports no npm package).
 */
import { GRASSROOTS_SUBKINDS, SUBKIND_NAMES, type GrassrootsSubkind } from './org-tree';

export const UNION_KINDS = GRASSROOTS_SUBKINDS;
export type UnionKind = GrassrootsSubkind;

export const UNION_KIND_LABELS: Record<UnionKind, string> = {
  enterprise: `${SUBKIND_NAMES.enterprise} / enterprise union`,
  joint: `${SUBKIND_NAMES.joint} / joint union`,
  industry_federation: `${SUBKIND_NAMES.industry_federation} / industry federation`,
  regional_federation: `${SUBKIND_NAMES.regional_federation} / regional federation`,
};

export const ESTABLISHMENT_STATUSES = ['in_progress', 'established', 'rejected', 'withdrawn'] as const;
export type EstablishmentStatus = (typeof ESTABLISHMENT_STATUSES)[number];

export const ESTABLISHMENT_STATUS_LABELS: Record<EstablishmentStatus, string> = {
  in_progress: '建会中 / in progress',
  established: '已建会（已计数）/ established and counted',
  rejected: '未获批准 / not approved',
  withdrawn: '已撤回 / withdrawn',
};

/** The name as compared for duplicates: full-width folded (NFKC), whitespace removed, lower case. */
export function unionNameKey(name: string): string {
  return name.normalize('NFKC').replace(/\s+/g, '').toLowerCase();
}

/**
 * The kind of a union a progress report names (reports carry no kind): the
 * kind the project plans — an industry or regional federation, a joint union —
 * and an enterprise union otherwise (or where the report names an enterprise
 * of the ledger).
 */
export function kindForReportedUnion(projectType: string, enterpriseId: number | undefined): UnionKind {
  if (enterpriseId !== undefined) return 'enterprise';
  if (projectType === 'industry_federation') return 'industry_federation';
  if (projectType === 'regional_federation') return 'regional_federation';
  if (projectType === 'joint_union') return 'joint';
  return 'enterprise';
}

export type StepState = 'done' | 'current' | 'waiting' | 'skipped' | 'rejected' | 'returned';

export interface StepTask {
  stepIndex: number;
  kind: string;
  status: string;
  decision: string | null;
  decidedBy: string | null;
  assignee: string | null;
  completedAt: Date | string | null;
  createdAt: Date | string;
  id: string;
}

export interface StepView {
  index: number;
  id: string;
  name: string;
  /** Whose step it is: the higher union's approval, or the region's own work. */
  by: 'higher_union' | 'region';
  state: StepState;
  /** The task of the step as it stands (the latest one). */
  taskId: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  /** Fields this step records (editable by its holder). */
  fields: string[];
}

/**
 * The steps of one establishment as its chain lists them, each with its
 * state from the application's tasks: done (approved, by whom and when),
 * current (a task pending), rejected, returned, waiting (not reached yet), or
 * skipped (passed over without a task, e.g. a condition that did not hold).
 */
export function establishmentSteps(
  chainSteps: readonly { id: string; name: string; type: string; who?: { kind: string; role?: string }; fields?: Record<string, string> }[],
  tasks: readonly StepTask[],
  applicationStatus: string | null,
): StepView[] {
  const approvals = tasks.filter((t) => t.kind === 'approval');
  return chainSteps.map((st, index) => {
    const mine = approvals.filter((t) => t.stepIndex === index);
    const last = mine[mine.length - 1];
    const pending = mine.find((t) => t.status === 'pending');
    let state: StepState;
    if (pending) state = 'current';
    else if (last?.decision === 'approve' || (last?.status === 'completed' && last.decision === null)) state = 'done';
    else if (last?.decision === 'reject') state = 'rejected';
    else if (last?.decision === 'return') state = 'returned';
    else if (applicationStatus === 'approved' || approvals.some((t) => t.stepIndex > index)) state = 'skipped';
    else state = 'waiting';
    const decided = state === 'done' || state === 'rejected' || state === 'returned' ? last : undefined;
    const at = decided?.completedAt ?? null;
    return {
      index,
      id: st.id,
      name: st.name,
      by: st.who?.kind === 'role' && st.who.role === 'staff' ? 'region' : 'higher_union',
      state,
      taskId: (pending ?? last)?.id ?? null,
      decidedBy: decided?.decidedBy ?? null,
      decidedAt: at === null ? null : new Date(at).toISOString(),
      fields: Object.entries(st.fields ?? {})
        .filter(([, a]) => a === 'edit')
        .map(([f]) => f),
    };
  });
}
