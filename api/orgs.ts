/**
 * The org tree's administration (组织机构管理), mounted after the
 * authentication middleware:
 *
 * - `GET /api/orgs` — without paging parameters, as before: the caller's
 *   subtree and the orgs above it `{ items }`. With `parent`, `q`, `page` or
 *   `pageSize`: a page of the caller's subtree — the children of `parent`
 *   (empty: the caller's own org, the tree's root) or a search by name or id —
 *   each with `childCount`, `{ items, total, page, pageSize }`.
 * - `POST /api/orgs` → 201 the org; `PATCH /api/orgs/:id` rename, move (with
 *   its subtree), deactivate (refused with the counts when busy) or reactivate.
 * - `GET /api/orgs/template`, `GET /api/orgs/export` (streamed), `POST
 *   /api/orgs/import` (xlsx; `Prefer: respond-async` → 202 and GET
 *   /api/orgs/imports/:importId, the survey uploads' job store). The import
 *   is an upsert, so it takes no Idempotency-Key: sending it again changes nothing more.
 *
 * Who may do what is domain/policy.ts's (manageOrg, placeOrgUnder,
 * transferOrgTree); which kind may sit under which is domain/org-tree.ts's.
 *
 * A moved org's running applications keep their approvers until the step
 * ends: existing tasks keep their org and org_path (the workflow's own state
 * holds the same path, and its validators judge by it), so until a pending
 * step ends the admins above its old place keep their override on it. New
 * steps resolve against the new tree (route resolution reads orgs at step start).
 */
import crypto from 'node:crypto';
import express, { type Router } from 'express';
import { z } from 'zod';
import type { Db } from '../db/knex';
import { recordAdminChange } from '../db/admin-audit-repository';
import {
  countOrgLoad,
  getOrgAdmin,
  insertOrg,
  listOrgPage,
  listOrgs,
  listTargetGroups,
  moveOrgSubtree,
  streamOrgsWithin,
  updateOrgFields,
  type OrgAdminRow,
} from '../db/org-repository';
import { childPath, MAX_AREA, MAX_NAME, newOrgId, parentKindError, parseKind, parseSubkind, validateOrgDraft } from '../domain/org-tree';
import { followOrgImport, manageOrg, placeOrgUnder, seeOrg, transferOrgTree } from '../domain/policy';
import { logger } from '../runtime/logger';
import { callerOf } from './auth';
import { badRequest, conflict, enforce, HttpError, notFound, parseOr400, problem } from './errors';
import { idempotent } from './idempotency';
import { importOrgRows } from './org-import';
import { orgTemplate, parseOrgWorkbook, writeOrgExport, XLSX_TYPE } from './org-workbook';
import { createSurveyImport, finishSurveyImport, getSurveyImport, surveyImportView, updateSurveyImport } from './survey-imports';
import { registerRoutes } from './openapi';
import { pageAnswer, pageWindow, pagingQuery } from './validation';

/** The largest workbook an import takes (25,000 orgs are about 1 MB). */
export const ORG_IMPORT_LIMIT = '20mb';

const text = (max: number) => z.string().trim().min(1, '必填 / required').max(max, `不超过 ${max} 字 / at most ${max} characters`);

const createSchema = z.strictObject({
  id: z.string().max(64).optional(),
  name: text(MAX_NAME),
  kind: z.string().max(40),
  parent: z.string().min(1, '必填 / required').max(64),
  groups: z.array(z.string().max(64)).max(50).optional(),
  area: z.string().trim().max(MAX_AREA).nullable().optional(),
  subkind: z.string().max(40).nullable().optional(),
});

const patchSchema = z
  .strictObject({ name: text(MAX_NAME).optional(), parent: z.string().min(1).max(64).optional(), active: z.boolean().optional() })
  .refine((b) => b.name !== undefined || b.parent !== undefined || b.active !== undefined, '请至少修改一项 / change at least one field');

/** Text Postgres can compare (no NUL). */
const noNul = (max: number) =>
  z
    .string()
    .max(max)
    .refine((v) => !v.includes('\0'), '含有无效字符 / invalid characters');

const pageSchema = z.object({
  parent: noNul(64).optional(),
  q: noNul(50)
    .transform((v) => v.trim())
    .optional(),
  ...pagingQuery(500),
});

registerRoutes({
  '/api/orgs': {
    get: {
      summary: '组织树：无参数时为本级及下级、上级；带 parent/q/page 时分页（下级或搜索，含 childCount）/ the org tree; paged children or search',
      query: ['parent', 'q', 'page', 'pageSize', 'limit', 'cursor'],
    },
    post: { summary: '新建组织（本级以下）/ create an org below one’s own', body: createSchema, ok: 201 },
  },
  '/api/orgs/{id}': { patch: { summary: '改名、移动（连同下级）、停用或启用组织 / rename, move, deactivate or reactivate an org', body: patchSchema } },
  '/api/orgs/template': { get: { summary: '组织机构导入模板（xlsx）/ the import template (xlsx)' } },
  '/api/orgs/export': { get: { summary: '导出本级以下的组织机构（xlsx）/ export the orgs below one’s own (xlsx)' } },
  '/api/orgs/import': {
    post: { summary: '导入组织机构（xlsx；有错行则全部不导入；Prefer: respond-async 时 202）/ import orgs (xlsx; all or nothing)', bodyType: 'xlsx' },
  },
  '/api/orgs/imports/{importId}': { get: { summary: '组织机构导入的进度与结果（仅上传人）/ progress and result of an org import (its uploader)' } },
});

const orgView = (o: OrgAdminRow) => ({
  id: o.id,
  name: o.name,
  kind: o.kind,
  parent: o.parentId,
  groups: o.groups,
  area: o.area,
  subkind: o.subkind,
  active: o.active,
  childCount: o.childCount,
});

export function orgRoutes(deps: { db: Db }): Router {
  const router = express.Router();
  const { db } = deps;

  router.get('/api/orgs', async (req, res) => {
    const caller = callerOf(req);
    const paged = ['parent', 'q', 'page', 'pageSize', 'limit', 'cursor'].some((k) => req.query[k] !== undefined);
    if (!paged) {
      const all = await listOrgs(db);
      const items = all.filter((o) => seeOrg(caller, o)).map((o) => ({ id: o.id, name: o.name, kind: o.kind, parent: o.parentId, groups: o.groups }));
      res.json({ items, nextCursor: null });
      return;
    }
    const q = parseOr400(pageSchema, req.query);
    const win = pageWindow(q, 50);
    const offset = win.offset;
    let page;
    if (q.q) page = await listOrgPage(db, { scopePath: caller.orgPath, q: q.q, limit: win.size, offset });
    else if (q.parent) {
      const parent = await getOrgAdmin(db, q.parent);
      // Children of an org outside the caller's subtree: not theirs to browse (seeOrg shows them the ancestors' names only).
      if (!parent || !parent.path.startsWith(caller.orgPath)) throw notFound('组织不存在 / org not found');
      page = await listOrgPage(db, { scopePath: caller.orgPath, parentId: parent.id, limit: win.size, offset });
    } else {
      const root = await getOrgAdmin(db, caller.orgId);
      page = { items: root && offset === 0 ? [root] : [], total: root ? 1 : 0 };
    }
    res.json({ items: page.items.map(orgView), ...pageAnswer(win, page.items.length, page.total) });
  });

  router.post('/api/orgs', idempotent(db), async (req, res) => {
    const caller = callerOf(req);
    const body = parseOr400(createSchema, req.body);
    const knownGroups = new Set((await listTargetGroups(db)).map((g) => g.id));
    const invalid = validateOrgDraft({ ...body, groups: body.groups ?? [] }, knownGroups);
    if (invalid.length)
      throw badRequest(
        '组织信息有误 / invalid org',
        invalid.map((e) => ({ path: e.field, message: e.message })),
      );
    const kind = parseKind(body.kind)!;
    const id = body.id ?? newOrgId(() => crypto.randomBytes(6).toString('hex'));
    const created = await db.transaction(async (trx) => {
      await trx.raw('LOCK TABLE orgs IN SHARE ROW EXCLUSIVE MODE');
      const parent = await getOrgAdmin(trx, body.parent);
      enforce(placeOrgUnder(caller, parent));
      const kindError = parentKindError(kind, parent!.kind);
      if (kindError) throw badRequest(kindError, [{ path: 'parent', message: kindError }]);
      if (!parent!.active) throw conflict('上级组织已停用 / the parent org is deactivated');
      if (await getOrgAdmin(trx, id)) throw conflict('机构编码已被使用 / the org id is taken');
      const row = {
        id,
        name: body.name,
        kind,
        parentId: parent!.id,
        path: childPath(parent!.path, id),
        groups: body.groups ?? [],
        area: body.area || null,
        subkind: body.subkind ? (parseSubkind(body.subkind) ?? null) : null,
      };
      await insertOrg(trx, row);
      await recordAdminChange(trx, {
        actor: caller.username,
        action: 'org.create',
        subjectKind: 'org',
        subjectId: id,
        orgPath: row.path,
        data: { after: row },
      });
      return (await getOrgAdmin(trx, id))!;
    });
    res.status(201).json(orgView(created));
  });

  router.patch('/api/orgs/:id', idempotent(db), async (req, res) => {
    const caller = callerOf(req);
    const body = parseOr400(patchSchema, req.body);
    const id = req.params.id as string;
    if (id.length > 64 || id.includes('\0')) throw notFound('组织不存在 / org not found');
    const updated = await db.transaction(async (trx) => {
      await trx.raw('LOCK TABLE orgs IN SHARE ROW EXCLUSIVE MODE');
      const org = await getOrgAdmin(trx, id);
      enforce(manageOrg(caller, org));
      const before = orgView(org!);
      let path = org!.path;
      if (body.parent !== undefined && body.parent !== org!.parentId) {
        const parent = await getOrgAdmin(trx, body.parent);
        enforce(placeOrgUnder(caller, parent));
        if (parent!.path.startsWith(org!.path)) throw conflict('不能移到自身或其下级之下 / an org cannot move under itself or its own subtree');
        const kindError = parentKindError(parseKind(org!.kind) ?? 'grassroots', parent!.kind);
        if (kindError) throw badRequest(kindError, [{ path: 'parent', message: kindError }]);
        if (!parent!.active) throw conflict('目标上级组织已停用 / the new parent org is deactivated');
        path = childPath(parent!.path, org!.id);
        await moveOrgSubtree(trx, org!.id, org!.path, path, parent!.id);
      }
      if (body.active === false && org!.active) {
        const load = await countOrgLoad(trx, org!.path);
        if (load.members || load.openTasks || load.runningApplications)
          throw new HttpError(
            409,
            `该组织（含下级）仍有会员 ${load.members} 名、待办任务 ${load.openTasks} 件、进行中的申请 ${load.runningApplications} 件，不能停用 / the org (with its subtree) still has members, open tasks or running applications`,
            undefined,
            undefined,
            { ...load },
          );
        // Deactivating takes the subtree with it: no active org sits under a deactivated one.
        await trx('orgs').where('path', 'like', `${org!.path}%`).update({ active: false, updated_at: trx.fn.now() });
      }
      if (body.active === true && !org!.active) {
        const parent = org!.parentId ? await getOrgAdmin(trx, org!.parentId) : undefined;
        if (parent && !parent.active) throw conflict('上级组织已停用，请先启用上级 / reactivate the parent org first');
      }
      await updateOrgFields(trx, org!.id, { ...(body.name !== undefined ? { name: body.name } : {}), ...(body.active === true ? { active: true } : {}) });
      const after = (await getOrgAdmin(trx, org!.id))!;
      const action =
        body.parent !== undefined && path !== org!.path
          ? 'org.move'
          : body.active !== undefined && body.active !== org!.active
            ? body.active
              ? 'org.activate'
              : 'org.deactivate'
            : 'org.update';
      await recordAdminChange(trx, {
        actor: caller.username,
        action,
        subjectKind: 'org',
        subjectId: org!.id,
        orgPath: after.path,
        data: { before, after: orgView(after), fromPath: org!.path },
      });
      return after;
    });
    res.json(orgView(updated));
  });

  router.get('/api/orgs/template', async (req, res) => {
    enforce(transferOrgTree(callerOf(req)));
    const file = await orgTemplate();
    res.type(XLSX_TYPE).setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent('组织机构导入模板.xlsx')}`);
    res.send(file);
  });

  /** The orgs strictly below the caller's own (those they administer): an export imports back unchanged. */
  router.get('/api/orgs/export', async (req, res) => {
    const caller = callerOf(req);
    enforce(transferOrgTree(caller));
    res.type(XLSX_TYPE).setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent('组织机构.xlsx')}`);
    async function* below() {
      for await (const page of streamOrgsWithin(db, caller.orgPath)) yield page.filter((o) => o.id !== caller.orgId);
    }
    await writeOrgExport(res, below());
  });

  router.post('/api/orgs/import', express.raw({ type: [XLSX_TYPE, 'application/octet-stream'], limit: ORG_IMPORT_LIMIT }), async (req, res) => {
    const caller = callerOf(req);
    enforce(transferOrgTree(caller));
    if (!Buffer.isBuffer(req.body) || req.body.length === 0)
      throw new HttpError(415, `请上传 xlsx 工作簿（Content-Type: ${XLSX_TYPE}）/ send the xlsx workbook as the body`);
    const data = req.body;
    const run = async (onProgress?: (phase: 'parsing' | 'validating' | 'writing', done: number, total: number) => void) => {
      onProgress?.('parsing', 0, 0);
      const rows = await parseOrgWorkbook(data, (done, total) => onProgress?.('parsing', done, total));
      const outcome = await importOrgRows(db, caller, rows, onProgress);
      if (!outcome.ok)
        return {
          status: 400,
          body: problem(400, `${outcome.rejected.length} 行有误，未导入任何机构 / ${outcome.rejected.length} rows are bad; nothing was imported`, undefined, {
            imported: 0,
            rejected: outcome.rejected,
          }),
        };
      return { status: 200, body: { imported: outcome.imported, created: outcome.created, updated: outcome.updated, rejected: [] } };
    };
    if (!/\brespond-async\b/i.test(req.header('Prefer') ?? '')) {
      const answer = await run();
      res.status(answer.status);
      if (answer.status >= 400) res.type('application/problem+json');
      res.json(answer.body);
      return;
    }
    const job = createSurveyImport('', caller.orgId, caller.username, 'orgs');
    const statusUrl = `/api/orgs/imports/${job.importId}`;
    void run((phase, done, total) => updateSurveyImport(job, phase === 'writing' ? 'writing' : phase, done, total)).then(
      (answer) => finishSurveyImport(job, answer),
      (e: unknown) => {
        const status = e instanceof HttpError ? e.status : 500;
        if (status >= 500) logger.error({ err: e, importId: job.importId }, 'org import failed');
        const detail = e instanceof HttpError ? e.detail : '导入失败，请稍后重试 / the import failed; try again later';
        finishSurveyImport(job, { status, body: problem(status, detail, e instanceof HttpError ? e.errors : undefined) });
      },
    );
    res.status(202).setHeader('Location', statusUrl);
    res.json({ importId: job.importId, status: job.status, statusUrl });
  });

  router.get('/api/orgs/imports/:importId', (req, res) => {
    const caller = callerOf(req);
    const job = getSurveyImport(req.params.importId);
    if (!job || job.kind !== 'orgs') throw notFound('导入任务不存在 / import not found');
    enforce(followOrgImport(caller, { uploadedBy: job.uploadedBy }));
    res.json(surveyImportView(job));
  });

  return router;
}
