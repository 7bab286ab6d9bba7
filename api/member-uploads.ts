/**
 * 批量导入会员: a project's new members uploaded as an xlsx workbook, a CSV
 * file or a JSON array instead of one form row each, and its template.
 *
 * - `GET /api/projects/:id/member-template?format=xlsx|csv` — 会员名单 (Chinese
 *   headers, two example rows) and, in xlsx, a 说明 sheet (each column's rules,
 *   the campaign's groups by name).
 * - `POST /api/projects/:id/member-uploads` — every row is read and checked
 *   (domain/member-upload.ts); any bad row and the file is refused whole: 400
 *   problem+json naming `rows[n].<field>` for each bad cell (row n is the n-th
 *   record under the header, Excel's row n + 1), with `rejected` per row, and
 *   nothing written. A good file goes the way a progress report's members go
 *   (api/campaigns.ts submitProgress: ID look-ups audited, the project
 *   workflow's reportProgress Update), in batches of {@link UPLOAD_BATCH}
 *   members. Idempotent: each batch's Update key derives from the project and
 *   the members it carries, so the same file uploaded again (by anyone) is
 *   answered from the first upload (`repeated: true`) and counts nobody twice;
 *   an upload cut short is completed by sending the file again.
 *   Limits: {@link MAX_MEMBER_ROWS} rows; CSV and xlsx up to 5 MB
 *   ({@link MEMBER_UPLOAD_BYTES}), JSON up to the app's 1 MB.
 */
import crypto from 'node:crypto';
import express, { type Router } from 'express';
import { z } from 'zod';
import { getCampaign } from '../db/campaign-repository';
import { recordedEventKeys } from '../db/member-export-repository';
import { getOrg, listTargetGroups } from '../db/org-repository';
import { countsOnly, type ProjectRow } from '../db/project-repository';
import type { CampaignRow } from '../db/campaign-repository';
import type { Db } from '../db/knex';
import { MAX_MEMBER_ROWS, MEMBER_UPLOAD_BYTES, readMemberRow, type MemberRowError, type UploadedMember } from '../domain/member-upload';
import { uploadProjectMembers } from '../domain/policy';
import type { SurveyNames } from '../domain/survey-names';
import { projectWorkflowId } from '../workflows/region-campaign';
import { callerOf } from './auth';
import { requireOpen } from './campaign-access';
import { loadVisibleProject, submitProgress, type CampaignDeps, type ProgressBody } from './campaigns';
import { enforce, HttpError, parseOr400, problem } from './errors';
import { idLookupGuard } from './id-lookups';
import { idempotent } from './idempotency';
import { memberTemplateCsv, memberTemplateXlsx, readMemberFile, readMemberJson, XLSX_TYPE, type ReadMembers } from './member-workbook';
import { registerRoutes } from './openapi';

/** Members per reportProgress Update (each Update's payload stays well under Temporal's size limits). */
export const UPLOAD_BATCH = 500;
/** How many flattened cell errors a refused file's problem lists (every bad row is in `rejected`). */
const MAX_PROBLEM_ERRORS = 1_000;

registerRoutes({
  '/api/projects/{id}/member-template': {
    get: {
      summary: '批量导入会员模板（中文表头、示例行；xlsx 含“说明”页）/ the bulk member upload template, xlsx (with a 说明 sheet) or csv',
      query: ['format'],
    },
  },
  '/api/projects/{id}/member-uploads': {
    post: {
      summary:
        '批量导入会员（xlsx、CSV 或 JSON 数组；重点群体可填中文名称；任一行有误则整份不导入，400 列出每行每列；同一文件重复上传不重复计数；最多 5000 行、5 MB）/ upload a project’s members in bulk: all or nothing, idempotent by content',
      bodyType: 'csv-or-json',
    },
  },
});

const templateQuery = z.object({ format: z.enum(['xlsx', 'csv'], { error: '格式须为 xlsx 或 csv / format must be xlsx or csv' }).default('xlsx') });

/** The names a row's cells may use: the campaign's groups by their Chinese names (and the project's region). */
async function memberNames(db: Db, campaign: CampaignRow, project: ProjectRow): Promise<SurveyNames> {
  const all = await listTargetGroups(db);
  const region = await getOrg(db, project.regionOrg);
  return {
    groups: (campaign.config.groups ?? []).map((id) => ({ id, name: all.find((g) => g.id === id)?.name ?? id })),
    region: { id: project.regionOrg, name: region?.name ?? project.regionOrg },
  };
}

/** The body as records: a workbook's bytes, a CSV's text, or a JSON array the app's parser read; anything else 415. */
async function readBody(req: express.Request): Promise<ReadMembers> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === XLSX_TYPE && Buffer.isBuffer(req.body)) return readMemberFile(new Uint8Array(req.body));
  if ((type === 'text/csv' || type === 'application/csv') && typeof req.body === 'string') {
    if (!req.body.trim()) throw new HttpError(400, '文件为空 / the file is empty', [{ path: '(body)', message: 'empty' }]);
    return readMemberFile(req.body);
  }
  if (type === 'application/json' || type.endsWith('+json')) return readMemberJson(req.body);
  throw new HttpError(415, '请上传 xlsx 工作簿、CSV 文件（text/csv）或 JSON 数组 / upload an xlsx workbook, a CSV file or a JSON array');
}

/** The Update key of one batch: the project and the members it carries (so the same file, re-sent, is the same Update). */
function batchKey(projectId: string, members: readonly UploadedMember[]): string {
  const h = crypto.createHash('sha256').update(projectId);
  for (const m of members) h.update(`\n${m.idNumber}\t${m.name}\t${m.phone ?? ''}\t${m.group}\t${m.employer}\t${m.dispatched ? 1 : 0}\t${m.agency ?? ''}`);
  return `member-upload:${h.digest('hex').slice(0, 40)}`;
}

export function memberUploadRoutes(deps: CampaignDeps): Router {
  const router = express.Router();
  const { db } = deps;
  const idLookups = idLookupGuard(deps);

  router.get('/api/projects/:id/member-template', async (req, res) => {
    const caller = callerOf(req);
    const project = await loadVisibleProject(db, caller, req.params.id);
    enforce(uploadProjectMembers(caller, project));
    const q = parseOr400(templateQuery, req.query);
    const campaign = (await getCampaign(db, project.campaignId))!;
    const names = await memberNames(db, campaign, project);
    const file = `会员导入模板-${project.name}.${q.format}`.replace(/[\\/:*?"<>|\r\n]/g, '_');
    res.setHeader('Content-Disposition', `attachment; filename="member-template.${q.format}"; filename*=UTF-8''${encodeURIComponent(file)}`);
    if (q.format === 'csv') res.type('text/csv; charset=utf-8').send(memberTemplateCsv(names));
    else res.type(XLSX_TYPE).send(await memberTemplateXlsx(names));
  });

  router.post(
    '/api/projects/:id/member-uploads',
    // The Idempotency-Key first: its check for unstorable text walks a parsed JSON body, not a file's bytes
    // (a CSV's or workbook's cells are checked one by one, naming rows[n].<field>).
    idempotent(db),
    express.text({ type: ['text/csv', 'application/csv'], limit: MEMBER_UPLOAD_BYTES }),
    express.raw({ type: XLSX_TYPE, limit: MEMBER_UPLOAD_BYTES }),
    async (req, res) => {
      const caller = callerOf(req);
      const project = await loadVisibleProject(db, caller, req.params.id as string);
      enforce(uploadProjectMembers(caller, project));
      const campaign = (await getCampaign(db, project.campaignId))!;
      requireOpen(campaign, 'progress');
      const read = await readBody(req);
      const names = await memberNames(db, campaign, project);

      // Every row checked; a number seen twice in the file is named on its later row.
      const members: UploadedMember[] = [];
      const rowOf: number[] = [];
      const rejected: { row: number; errors: MemberRowError[] }[] = [];
      const firstRowOf = new Map<string, number>();
      for (const r of read.records) {
        if (r.notARecord) {
          rejected.push({ row: r.row, errors: [{ field: '(row)', message: '须为一条会员记录（对象）/ must be a member record (an object)' }] });
          continue;
        }
        const one = readMemberRow(r.cells, names);
        if ('errors' in one) {
          rejected.push({ row: r.row, errors: one.errors });
          continue;
        }
        const first = firstRowOf.get(one.member.idNumber);
        if (first !== undefined) {
          rejected.push({ row: r.row, errors: [{ field: 'idNumber', message: `与第 ${first} 行的身份证号重复 / the same ID number as row ${first}` }] });
          continue;
        }
        firstRowOf.set(one.member.idNumber, r.row);
        members.push(one.member);
        rowOf.push(r.row);
      }
      if (rejected.length) {
        const errors = rejected.flatMap((r) => r.errors.map((e) => ({ path: `rows[${r.row}].${e.field}`, message: e.message }))).slice(0, MAX_PROBLEM_ERRORS);
        const body = {
          ...problem(400, `${rejected.length} 行有误，整份文件未导入，请改正后重新上传 / ${rejected.length} rows are invalid; nothing was imported`, errors),
          rows: read.records.length,
          accepted: 0,
          rejected,
        };
        res.status(400).type('application/problem+json').send(JSON.stringify(body));
        return;
      }

      // The progress path, a batch at a time; a batch recorded before answers from its first time.
      const batches: UploadedMember[][] = [];
      for (let i = 0; i < members.length; i += UPLOAD_BATCH) batches.push(members.slice(i, i + UPLOAD_BATCH));
      const keys = batches.map((b) => batchKey(project.id, b));
      const recorded = await recordedEventKeys(
        db,
        keys.map((k) => `${projectWorkflowId(project.id)}:${k}`),
      );
      let membersAccepted = 0;
      let membersReported = 0;
      let alreadyCounted = 0;
      let status = project.status;
      let totals: unknown;
      for (let i = 0; i < batches.length; i++) {
        const batch = batches[i]!;
        const from = i * UPLOAD_BATCH + 1;
        const body: ProgressBody = {
          // The dispatch fields ride along with each member for the progress path that reads them.
          members: batch.map((m) => ({ ...m })),
          note: `批量导入会员（${read.format}，第 ${from}–${from + batch.length - 1} 名）/ bulk member upload`,
        };
        const r = await submitProgress(deps, idLookups, {
          caller,
          project,
          campaign,
          body,
          key: keys[i]!,
          pathOf: (j, field) => `rows[${rowOf[from - 1 + j]}].${field}`,
        });
        status = r.status;
        if (r.result) {
          const c = countsOnly(r.result as { membersAccepted?: number; membersReported?: number; alreadyCounted?: number; totals?: unknown });
          membersAccepted += c.membersAccepted ?? 0;
          membersReported += c.membersReported ?? 0;
          alreadyCounted += c.alreadyCounted;
          totals = c.totals ?? totals;
        }
      }
      res.json({
        projectId: project.id,
        status,
        format: read.format,
        rows: members.length,
        dispatched: members.filter((m) => m.dispatched).length,
        batches: batches.length,
        repeated: recorded.size === keys.length,
        membersAccepted,
        membersReported,
        alreadyCounted,
        ...(totals ? { totals } : {}),
        ...(read.ignoredColumns.length ? { ignoredColumns: read.ignoredColumns } : {}),
      });
    },
  );

  return router;
}

export { MAX_MEMBER_ROWS };
