/**
 * The survey phase's routes (调查摸底): a region uploads its enterprise
 * records (五清), which are validated, classified by the 25/100 rules and
 * filed one per enterprise (一企一档); its gap list (建会空白点) — the targets
 * registered (挂号) and not yet crossed off (销号) — can be read and exported.
 */
import crypto from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { CLASSIFICATION_NAMES, EMPLOYER_ATTITUDE_NAMES } from '../domain/enterprise';
import { importEnterprises, listGapList, listGapPage, type GapCursor, type ImportedEnterprise } from '../db/enterprise-repository';
import type { Db } from '../db/knex';
import { logger } from '../runtime/logger';
import { callerOf } from './auth';
import { loadCampaignForRegion } from './campaign-access';
import { badRequest, conflict, HttpError, notFound, parseOr400, problem } from './errors';
import { idempotencyKeyOf, idempotent } from './idempotency';
import { chinaToday, csvLine, FIELD_LABELS } from './survey-import';
import { parseSurveyUpload, type ParseProgress } from './survey-parse';
import { createSurveyImport, finishSurveyImport, getSurveyImport, surveyImportView, updateSurveyImport } from './survey-imports';
import { followSurveyImport } from '../domain/policy';
import type { SurveyNames } from '../domain/survey-names';
import { listTargetGroups, type OrgRow } from '../db/org-repository';
import { surveyTemplateCsv, surveyTemplateXlsx, XLSX_TYPE } from './survey-workbook';

/** Upload bodies may be this large (a 50,000-row survey is about 10 MB). */
export const SURVEY_UPLOAD_LIMIT = '20mb';
/** How many accepted rows the upload response lists (the rest are in the registry). */
export const RESPONSE_ITEMS = 100;
/** How many flattened field errors a fully rejected upload's problem lists (every row is in `rejected`). */
const MAX_PROBLEM_ERRORS = 1_000;
const UPLOAD_PATH = /^\/api\/campaigns\/[^/]+\/regions\/[^/]+\/enterprises\/?$/;

/**
 * True for a survey upload request. The app's global `express.json({ limit: '1mb' })`
 * must skip these, so that this router's own 20 MB parsers read them.
 */
export function isSurveyUploadRequest(req: Request): boolean {
  return req.method === 'POST' && UPLOAD_PATH.test((req.originalUrl ?? req.url).split('?')[0]!);
}

const templateQuery = z.object({ format: z.enum(['xlsx', 'csv']).default('xlsx') });

/** The Chinese names an upload's cells may use: the campaign's groups by name, the region by its org name. */
async function surveyNames(db: Db, groups: readonly string[], region: OrgRow): Promise<SurveyNames> {
  const all = await listTargetGroups(db);
  return {
    groups: groups.map((id) => ({ id, name: all.find((g) => g.id === id)?.name ?? id })),
    region: { id: region.id, name: region.name },
  };
}

/** Rows per query of the streamed gap-list export. */
const GAP_EXPORT_PAGE = 500;

const gapQuery = z.object({
  format: z.enum(['json', 'csv']).default('json'),
  limit: z.coerce.number().int().min(1).max(5_000).default(500),
  cursor: z.string().max(200).optional(),
});

const encodeCursor = (c: GapCursor) => Buffer.from(JSON.stringify([c.rank, c.employees, c.id])).toString('base64url');
function decodeCursor(s: string): GapCursor {
  try {
    const v: unknown = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 3 && Number.isInteger(v[0]) && Number.isInteger(v[1]) && typeof v[2] === 'string' && /^\d{1,18}$/.test(v[2])) {
      return { rank: v[0] as number, employees: v[1] as number, id: v[2] };
    }
  } catch {
    /* fall through */
  }
  throw badRequest('分页游标无效 / invalid cursor', [{ path: 'cursor', message: 'invalid cursor' }]);
}

const itemOf = (e: ImportedEnterprise) => ({
  id: e.id,
  row: e.row,
  name: e.name,
  creditCode: e.creditCode,
  classification: e.classification,
  ledgerStatus: e.ledgerStatus,
});

/**
 * The batch id: derived from the caller and the Idempotency-Key when there is
 * one, so two concurrent requests with one key collide on the batch's primary
 * key and only one of them writes; random otherwise.
 */
function batchIdFor(req: Request, username: string): string {
  const key = idempotencyKeyOf(req);
  if (!key) return `batch-${crypto.randomUUID()}`;
  return `batch-${crypto.createHash('sha256').update(`${username}\n${key}`).digest('hex').slice(0, 32)}`;
}

/** Content types a survey upload may have; both are read as text and parsed by api/survey-parse.ts. */
const UPLOAD_TYPES = ['application/json', 'application/*+json', 'text/csv', 'application/csv'];

interface UploadRequest {
  contentType: string | undefined;
  body: string | Buffer;
  campaignId: string;
  regionOrg: string;
  groups: string[];
  names: SurveyNames;
  username: string;
  batchId: string;
}

/** The answer of an upload: 200 with what was filed, or 400 (problem+json) when no row is valid. */
interface UploadAnswer {
  status: number;
  body: unknown;
}

function sendAnswer(res: Response, answer: UploadAnswer): void {
  if (answer.status === 200) res.json(answer.body);
  else res.status(answer.status).type('application/problem+json').send(JSON.stringify(answer.body));
}

/**
 * Parses, validates and files one upload. Refusals of the file (400, 413,
 * 415) and a concurrent twin (409) throw {@link HttpError}.
 */
async function fileUpload(db: Db, u: UploadRequest, onProgress?: ParseProgress, onWriting?: () => void): Promise<UploadAnswer> {
  const today = chinaToday();
  const read = await parseSurveyUpload(u.contentType, u.body, { regionOrg: u.regionOrg, groups: u.groups, today, names: u.names }, onProgress);
  const { accepted, rejected } = read;

  if (accepted.length === 0) {
    // Nothing to file: a 4xx writes nothing and is not kept under the Idempotency-Key,
    // so the region can fix the file and send it again with the same key.
    const errors = rejected.flatMap((r) => r.errors.map((e) => ({ path: `rows[${r.row}].${e.field}`, message: e.message }))).slice(0, MAX_PROBLEM_ERRORS);
    return {
      status: 400,
      body: {
        ...problem(400, `全部 ${rejected.length} 行均有错误，未写入任何数据 / all ${rejected.length} rows are invalid; nothing was written`, errors),
        accepted: 0,
        rejected,
      },
    };
  }

  onWriting?.();
  const meta = { format: read.format, rows: read.rowCount };
  let result;
  try {
    result = await importEnterprises(db, {
      campaignId: u.campaignId,
      regionOrg: u.regionOrg,
      batchId: u.batchId,
      uploadedBy: u.username,
      rows: accepted,
      rejectedCount: rejected.length,
      result: { ...meta, accepted: accepted.length, rejected, ignoredColumns: read.ignoredColumns, asOf: today },
      asOf: today,
    });
  } catch (e) {
    if ((e as { code?: string; constraint?: string }).code === '23505' && (e as { constraint?: string }).constraint === 'upload_batches_pkey') {
      throw conflict('同一 Idempotency-Key 的上传正在处理或已完成 / an upload with this Idempotency-Key is in progress or done');
    }
    throw e;
  }
  return {
    status: 200,
    body: {
      batchId: u.batchId,
      accepted: result.accepted,
      inserted: result.inserted,
      updated: result.updated,
      rejected,
      classified: result.classified,
      items: result.items.slice(0, RESPONSE_ITEMS).map(itemOf),
      ...(read.ignoredColumns.length ? { ignoredColumns: read.ignoredColumns } : {}),
    },
  };
}

/**
 * The survey routes, for mounting after the authentication middleware:
 * - `POST /api/campaigns/:id/regions/:org/enterprises` — JSON array or CSV, up to
 *   {@link SURVEY_UPLOAD_LIMIT} and 50,000 rows; survey phase only (409 naming the
 *   current phase otherwise); region staff/admins or the city's; Idempotency-Key honoured.
 *   → 200 `{ batchId, accepted, inserted, updated, rejected: [{ row, errors: [{ field, message }] }],
 *   classified, items, ignoredColumns? }`; 400 problem (with `accepted: 0, rejected`) when no row is valid.
 * - `GET /api/campaigns/:id/regions/:org/gaps[?format=csv][&limit=&cursor=]` — any phase,
 *   anyone whose scope covers the region → `{ region, counts, headcount, items, nextCursor }` or a CSV file.
 *
 * The app's global 1 MB JSON parser must skip uploads ({@link isSurveyUploadRequest}).
 */
export function surveyRoutes(deps: { db: Db }): Router {
  const router = express.Router();
  const { db } = deps;

  /**
   * Upload a region's survey records: a JSON array, a CSV file or an xlsx workbook (cells may use Chinese names: 快递员, 新华区总工会, 反对; text/csv;
   * charset=utf-8 or gbk). Accepted only in the survey phase, by the region's
   * staff or admins (or the city's). Every valid row is filed; each bad row
   * comes back with its row number and reasons. All-or-nothing for the valid
   * rows. When no row is valid the answer is 400 and nothing is written.
   * JSON and CSV arrive as text, a workbook as bytes: a large file is parsed in a worker thread
   * (api/survey-parse.ts), never on the event loop. With `Prefer: respond-async`
   * the answer is 202 `{ importId, status, statusUrl }` at once, and the uploader
   * follows the import with GET …/imports/:importId.
   */
  router.post(
    '/api/campaigns/:id/regions/:org/enterprises',
    express.text({ type: UPLOAD_TYPES, limit: SURVEY_UPLOAD_LIMIT }),
    express.raw({ type: XLSX_TYPE, limit: SURVEY_UPLOAD_LIMIT }),
    idempotent(db),
    async (req, res) => {
      const caller = callerOf(req);
      const campaignId = req.params.id as string;
      const regionOrg = req.params.org as string;
      const { campaign, region } = await loadCampaignForRegion(db, caller, campaignId, regionOrg, { submission: 'survey' });
      const upload: UploadRequest = {
        contentType: req.headers['content-type'],
        // A workbook arrives as bytes (api/survey-parse.ts reads its first sheet like a CSV), JSON and CSV as text.
        body: Buffer.isBuffer(req.body) ? req.body : typeof req.body === 'string' ? req.body : '',
        campaignId,
        regionOrg,
        groups: campaign.config.groups ?? [],
        names: await surveyNames(db, campaign.config.groups ?? [], region),
        username: caller.username,
        batchId: batchIdFor(req, caller.username),
      };

      if (!/\brespond-async\b/i.test(req.header('Prefer') ?? '')) {
        const answer = await fileUpload(db, upload);
        sendAnswer(res, answer);
        return;
      }
      const job = createSurveyImport(campaignId, regionOrg, caller.username);
      const statusUrl = `/api/campaigns/${encodeURIComponent(campaignId)}/regions/${encodeURIComponent(regionOrg)}/imports/${job.importId}`;
      void fileUpload(
        db,
        upload,
        (phase, done, total) => updateSurveyImport(job, phase, done, total),
        () => updateSurveyImport(job, 'writing'),
      ).then(
        (answer) => finishSurveyImport(job, answer),
        (e: unknown) => {
          const status = e instanceof HttpError ? e.status : 500;
          if (status >= 500) logger.error({ err: e, importId: job.importId }, 'survey import failed');
          const detail = e instanceof HttpError ? e.detail : '导入失败，请稍后重试 / the import failed; try again later';
          finishSurveyImport(job, { status, body: problem(status, detail, e instanceof HttpError ? e.errors : undefined) });
        },
      );
      res.status(202).setHeader('Location', statusUrl);
      res.json({ importId: job.importId, status: job.status, statusUrl });
    },
  );

  /**
   * The upload's template (下载模板): Chinese headers, two example rows in the
   * names users know, and (xlsx) a second sheet of the allowed values. Any
   * phase; for whoever may upload for the region (the upload's policy).
   */
  router.get('/api/campaigns/:id/regions/:org/survey-template', async (req, res) => {
    const caller = callerOf(req);
    const { campaign, region } = await loadCampaignForRegion(db, caller, req.params.id, req.params.org);
    const q = parseOr400(templateQuery, req.query);
    const names = await surveyNames(db, campaign.config.groups ?? [], region);
    const file = `摸底企业模板-${region.name}.${q.format}`;
    res.setHeader('Content-Disposition', `attachment; filename="survey-template.${q.format}"; filename*=UTF-8''${encodeURIComponent(file)}`);
    if (q.format === 'csv') res.type('text/csv; charset=utf-8').send(surveyTemplateCsv(names));
    else res.type(XLSX_TYPE).send(await surveyTemplateXlsx(names));
  });

  /** The progress of an upload sent with `Prefer: respond-async`, for its uploader: phase, rows done of total, then the result. */
  router.get('/api/campaigns/:id/regions/:org/imports/:importId', async (req, res) => {
    const caller = callerOf(req);
    const job = getSurveyImport(req.params.importId);
    if (!job || job.kind !== 'survey' || job.campaignId !== req.params.id || job.regionOrg !== req.params.org)
      throw notFound('导入任务不存在 / import not found');
    // Scope only here: followSurveyImport decides the rest (someone else's import is unknown to the caller, 404, whatever their role).
    const { region } = await loadCampaignForRegion(db, caller, job.campaignId, job.regionOrg, { roles: ['staff', 'admin', 'reviewer', 'supervisor'] });
    const decision = followSurveyImport(caller, { uploadedBy: job.uploadedBy, regionPath: region.path });
    if (!decision.allow) throw new HttpError(decision.status, decision.reason);
    res.json(surveyImportView(job));
  });

  /**
   * 建会空白点: the region's registered targets not yet crossed off, 单建 first,
   * larger first; in any phase, for anyone whose scope covers the region.
   * `?format=csv` exports the whole list, streamed a keyset page at a time (Chinese headings, formula-safe cells)
   * in the upload's column layout, so a corrected export can be uploaded again.
   */
  router.get('/api/campaigns/:id/regions/:org/gaps', async (req, res) => {
    const caller = callerOf(req);
    const campaignId = req.params.id;
    const regionOrg = req.params.org;
    const { region } = await loadCampaignForRegion(db, caller, campaignId, regionOrg, { roles: ['staff', 'admin', 'reviewer', 'supervisor'] });
    const q = parseOr400(gapQuery, req.query);

    if (q.format === 'csv') {
      const head = [
        '序号',
        FIELD_LABELS.name,
        FIELD_LABELS.creditCode,
        FIELD_LABELS.address,
        FIELD_LABELS.region,
        FIELD_LABELS.employees,
        FIELD_LABELS.groupCounts,
        FIELD_LABELS.hasUnion,
        FIELD_LABELS.reasonNoUnion,
        FIELD_LABELS.employerAttitude,
        FIELD_LABELS.operatingSince,
        '分类',
      ];
      // Read the first page before answering, so a database error is still a proper problem+json.
      let page = await listGapPage(db, campaignId, regionOrg, { limit: GAP_EXPORT_PAGE });
      const safe = (s: string) => s.replace(/[^\w.-]/g, '_');
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader(
        'Content-Disposition',
        `attachment; filename="gaps-${safe(campaignId)}-${safe(regionOrg)}.csv"; filename*=UTF-8''${encodeURIComponent(`建会空白点-${region.name}-${campaignId}.csv`)}`,
      );
      // Streamed a keyset page at a time: memory stays flat for a region of any size, and a slow reader holds
      // back the next query instead of a whole list waiting in memory.
      const write = (chunk: string) => (res.write(chunk) ? Promise.resolve() : new Promise<void>((resolve) => res.once('drain', () => resolve())));
      let n = 0;
      try {
        await write('\uFEFF' + csvLine(head));
        for (;;) {
          let chunk = '';
          for (const e of page.items) {
            n += 1;
            chunk += csvLine([
              n,
              e.name,
              e.creditCode,
              e.address,
              regionOrg,
              e.employees,
              Object.entries(e.groupCounts)
                .map(([g, c]) => `${g}:${c}`)
                .join(';'),
              '否',
              e.reasonNoUnion,
              e.employerAttitude ? EMPLOYER_ATTITUDE_NAMES[e.employerAttitude].zh : null,
              e.operatingSince,
              CLASSIFICATION_NAMES[e.classification].zh,
            ]);
          }
          if (chunk) await write(chunk);
          if (!page.next || res.destroyed) break;
          page = await listGapPage(db, campaignId, regionOrg, { limit: GAP_EXPORT_PAGE, after: page.next });
        }
        res.end();
      } catch (err) {
        // The header is sent: the only honest signal left is a cut-off download.
        logger.warn({ err, campaignId, regionOrg }, 'gap list export interrupted');
        res.destroy(err instanceof Error ? err : undefined);
      }
      return;
    }

    const gaps = await listGapList(db, campaignId, regionOrg, { limit: q.limit, after: q.cursor ? decodeCursor(q.cursor) : undefined });
    res.json({
      region: { org: region.id, name: region.name },
      counts: gaps.counts,
      headcount: gaps.headcount,
      items: gaps.items,
      nextCursor: gaps.next ? encodeCursor(gaps.next) : null,
    });
  });

  return router;
}
