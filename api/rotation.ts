/**
 * Cadre rotation (干部轮岗): POST /api/users/:username/rotate ends one of a
 * person's posts and starts another in one action. A dry run answers the
 * preview — the pending tasks the person holds in that post, the tasks they
 * delegated or were delegated, the running applications they filed from its
 * org, and what will happen to each (domain/rotation.ts). Otherwise the
 * bulk-action job (workflows/bulk-action.ts, kind rotate) ends the post,
 * starts the new one, records the rotation and moves each task; the API
 * answers 202 with the job to follow at GET /api/jobs/:id, which lists the
 * moves when done. Who may rotate whom is domain/policy.ts `rotateCadre`.
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import { planRotation } from '../activities/bulk-actions';
import { getOrg } from '../db/org-repository';
import { getPost, listActivePosts, listUsersWithOrgPath } from '../db/user-repository';
import { handOffTarget, ROLES, rotateCadre, type Role } from '../domain/policy';
import { MOVE_LABELS } from '../domain/rotation';
import type { RotationInput } from '../workflows/bulk-types';
import { callerOf } from './auth';
import { principalOf, startJob, type BulkJobDeps } from './bulk-jobs';
import { badRequest, HttpError, notFound, parseOr400 } from './errors';
import { idempotencyKeyOf, idempotent } from './idempotency';
import { registerRoutes } from './openapi';

const username = z.string().trim().min(1).max(100);

export const rotateSchema = z
  .object({
    /** The post to end: its id (GET /api/users lists each person’s posts). */
    fromPost: z.string().regex(/^[1-9]\d{0,17}$/, '请选择要结束的岗位 / choose the post to end'),
    toPost: z
      .object({ org: z.string().trim().min(1).max(100), role: z.enum(ROLES as [Role, ...Role[]]) })
      .strict()
      .optional(),
    successor: username.optional(),
    dryRun: z.boolean().optional(),
  })
  .strict();

registerRoutes({
  '/api/users/{username}/rotate': {
    post: {
      summary:
        '干部轮岗（管理员）：结束一个岗位、开始新岗位并移交其待办；dryRun 返回 200 预览 { tasks, applications }，否则启动批次返回 202 / cadre rotation (admins): end a post, start another and move its tasks; dryRun answers 200 with the preview, else a job starts: 202',
      body: rotateSchema,
      ok: 202,
    },
  },
});

export function rotationRoutes(deps: BulkJobDeps): Router {
  const router = express.Router();

  /** 干部轮岗: a preview (dryRun) → 200 { tasks, applications }; else → 202 { jobId, progress }. */
  router.post('/api/users/:username/rotate', idempotent(deps.db), async (req, res) => {
    const caller = callerOf(req);
    const body = parseOr400(rotateSchema, req.body);
    const who = String(req.params.username);
    const principal = principalOf(caller);
    const [[user], posts, post, toOrg] = await Promise.all([
      listUsersWithOrgPath(deps.db, [who]),
      listActivePosts(deps.db, [who]),
      getPost(deps.db, body.fromPost),
      body.toPost ? getOrg(deps.db, body.toPost.org) : undefined,
    ]);
    // Where the policy sees the person: their active posts' orgs, or their home org when they hold none.
    const person = user ? { username: who, places: posts.length ? posts.map((p) => p.orgPath) : [user.orgPath] } : undefined;
    // Only the person's own active post can be ended; any other id is, to the caller, no post of theirs.
    const from = post && post.username === who && !post.endedAt ? post : undefined;
    const decision = rotateCadre(
      principal,
      person,
      { orgPath: from?.orgPath ?? posts[0]?.orgPath, role: from?.role ?? 'staff' },
      body.toPost ? { orgPath: toOrg?.path, role: body.toPost.role } : undefined,
    );
    if (!decision.allow) throw new HttpError(decision.status, decision.reason);
    if (!from) throw notFound('岗位不存在或已结束 / no such active post of this person');
    if (body.toPost && body.toPost.org === from.orgId && body.toPost.role === from.role)
      throw badRequest('新岗位与原岗位相同 / the new post is the post being ended', [
        { path: 'toPost', message: '与原岗位相同 / same as the post being ended' },
      ]);

    let successor: { username: string; active: boolean; orgPath: string } | undefined;
    if (body.successor !== undefined) {
      const [s] = await listUsersWithOrgPath(deps.db, [body.successor]);
      if (!s || !s.active)
        throw badRequest('接任者不存在或已停用 / unknown or inactive successor', [
          { path: 'successor', message: '用户不存在或已停用 / unknown or inactive user' },
        ]);
      if (s.username === who)
        throw badRequest('接任者不能是本人 / the successor is the person rotating', [{ path: 'successor', message: '不能是本人 / not the person rotating' }]);
      successor = { username: s.username, active: s.active, orgPath: s.orgPath };
    }

    const rotation: RotationInput = {
      username: who,
      fromPost: { id: from.id, orgId: from.orgId, orgPath: from.orgPath, role: from.role },
      ...(body.toPost && toOrg ? { toPost: { orgId: toOrg.id, orgPath: toOrg.path, role: body.toPost.role } } : {}),
      ...(successor ? { successor: successor.username } : {}),
    };
    const plan = await planRotation(deps.db, rotation);
    // Each task goes only where a hand-off may take it (handOffTarget): a successor outside a task's org is refused, nothing written.
    for (const t of plan.taskRows) {
      const item = plan.tasks.find((i) => i.taskId === t.id)!;
      if (item.move !== 'transfer' || item.to !== successor?.username) continue;
      const d = handOffTarget(t, successor);
      if (!d.allow) throw new HttpError(403, `${d.reason}（${t.title} · ${t.step}）`);
    }
    const stranded = plan.tasks.filter((i) => i.move === 'needsSuccessor').length;
    if (stranded > 0)
      throw badRequest(`有 ${stranded} 个任务没有角色池可退回，请指定接任者 / ${stranded} tasks have no role pool to go back to: name a successor`, [
        { path: 'successor', message: '必填 / required' },
      ]);

    if (body.dryRun) {
      res.setHeader('Cache-Control', 'no-store');
      res.json({
        username: who,
        fromPost: { id: from.id, org: from.orgId, orgName: from.orgName, role: from.role },
        toPost: rotation.toPost && toOrg ? { org: toOrg.id, orgName: toOrg.name, role: rotation.toPost.role } : null,
        successor: successor?.username ?? null,
        truncated: plan.truncated,
        tasks: plan.taskRows.map((t, i) => ({
          id: t.id,
          applicationId: t.applicationId,
          title: t.title,
          step: t.step,
          dueAt: t.dueAt,
          hold: t.hold,
          move: plan.tasks[i]!.move,
          to: plan.tasks[i]!.to,
          what: MOVE_LABELS[plan.tasks[i]!.move],
        })),
        applications: plan.applicationRows.map((a) => ({ ...a, what: '继续办理，申请人不变 / goes on; the applicant stays' })),
      });
      return;
    }

    const job = await startJob(deps, caller, idempotencyKeyOf(req), (keyPrefix) => ({
      kind: 'rotate',
      principal,
      rotation,
      comment: '干部轮岗',
      keyPrefix,
    }));
    res.status(202).json({ ...job, total: plan.tasks.length });
  });

  return router;
}
