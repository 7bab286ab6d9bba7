/**
 * Cadre rotation (干部轮岗): what happens to each task a person holds in the
 * post they leave. One rule, used by the preview (dry run) and by the job
 * that moves the tasks, so the preview shows exactly what the job does.
 *
 * A task is the person's in that post when its org lies within the post's org
 * subtree and it is
 *  - named to them (`named`): to the successor (转办), or without one back to
 *    the role pool of the task's org (退回角色池); a task with no role pool
 *    (a step naming people) needs a successor and is left as it is;
 *  - a role-pool task of the post's org and role that nobody else holds
 *    (`pool`): to the successor, or without one it stays in the pool for
 *    whoever holds the role next;
 *  - delegated by them (`delegatedByThem`, they are the owner): the
 *    delegation ends and the task goes to the successor (转办); without one,
 *    to the delegate, who already has it in hand and now decides it;
 *  - delegated to them (`delegatedToThem`): the delegation ends and the task
 *    goes back to its owner, who asked this person, not the post.
 *
 * Pure: imported by the workflow's activities and the API.
 */

export type RotationHold = 'named' | 'pool' | 'delegatedByThem' | 'delegatedToThem';
export type RotationMove = 'transfer' | 'release' | 'returnToOwner' | 'staysInPool' | 'needsSuccessor';

/** A task as the projection holds it (a delegated task: the delegate is `assignee`, the delegating owner `owner`). */
export interface RotationTaskFacts {
  assignee: string | null;
  owner: string | null;
  role: string | null;
  orgId: string | null;
}

/** How the person holds the task, or undefined when they do not. */
export function holdOf(t: RotationTaskFacts, username: string): RotationHold | undefined {
  if (t.owner === username) return 'delegatedByThem';
  if (t.assignee === username) return t.owner ? 'delegatedToThem' : 'named';
  if (!t.assignee && t.role && t.orgId) return 'pool';
  return undefined;
}

/** What the rotation does to one task, and to whom it goes (a username, or `role@org` for the pool). */
export function rotationMove(t: RotationTaskFacts, hold: RotationHold, successor: string | undefined): { move: RotationMove; to: string | null } {
  const pool = t.role && t.orgId ? `${t.role}@${t.orgId}` : null;
  switch (hold) {
    case 'delegatedToThem':
      return { move: 'returnToOwner', to: t.owner };
    case 'pool':
      return successor ? { move: 'transfer', to: successor } : { move: 'staysInPool', to: pool };
    case 'delegatedByThem':
      return { move: 'transfer', to: successor ?? t.assignee };
    case 'named':
      if (successor) return { move: 'transfer', to: successor };
      return pool ? { move: 'release', to: pool } : { move: 'needsSuccessor', to: null };
  }
}

/** The move as the preview and the job's result describe it. */
export const MOVE_LABELS: Record<RotationMove, string> = {
  transfer: '转办 / transferred',
  release: '退回角色池 / back to the role pool',
  returnToOwner: '委派收回，退回委派人 / delegation ended: back to its owner',
  staysInPool: '留在角色池，待新任者办理 / stays in the role pool for the next holder',
  needsSuccessor: '无角色池，需指定接任者 / no role pool: name a successor',
};
