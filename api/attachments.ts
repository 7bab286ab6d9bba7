/**
 * 附件 (attachments) of applications and of their comments:
 *
 * - POST /api/applications/:id/attachments — multipart/form-data, the file in
 *   `file`, optionally `comment` (the words it comes with) and `taskId` (the
 *   approvers' thread of that task). The applicant and whoever may decide one
 *   of its pending tasks may attach (policy `attachToApplication`); whoever
 *   does not see the application gets 404. The type is sniffed from the bytes
 *   (`file-type`): PDF, PNG, JPEG and xlsx only, whatever the name or the
 *   client's Content-Type say; a bigger file than ATTACHMENT_MAX_BYTES answers
 *   413, more than ATTACHMENTS_PER_APPLICATION 409. The file is stored once per
 *   content (runtime/attachment-store.ts); a row and a timeline entry
 *   (上传附件：xxx.pdf) record each attachment.
 * - GET /api/applications/:id/attachments — the list, for whoever sees the application.
 * - GET /api/attachments/:id — the file, for whoever sees its application: always
 *   as a download (Content-Disposition: attachment with the UTF-8 name), with
 *   the sniffed type, `X-Content-Type-Options: nosniff` and
 *   `Content-Security-Policy: sandbox`, never rendered inline.
 */
import { ENDED_STATUSES, isOrgApplication } from '../domain/action-availability';
import crypto from 'node:crypto';
import fs from 'node:fs';
import express, { type Request, type Response, type Router } from 'express';
import { fileTypeFromBuffer } from 'file-type';
import multer from 'multer';
import { z } from 'zod';
import { countAttachments, getAttachment, insertAttachment, type AttachmentRow } from '../db/attachment-repository';
import { attachmentsOf, attachmentView } from './attachment-view';
import { listTasksOfApplication, taskFacts } from '../db/approval-repository';
import type { Db } from '../db/knex';
import { attachmentName, attachmentNote, isAllowedAttachmentType, REFUSED_TYPE_MESSAGE } from '../domain/attachments';
import { attachToApplication } from '../domain/policy';
import { createAttachmentStore } from '../runtime/attachment-store';
import { logger } from '../runtime/logger';
import { loadVisibleApplication, newId } from './approvals-service';
import { callerOf, type Caller } from './auth';
import { badRequest, conflict, enforce, HttpError, notFound, parseOr400, type FieldError } from './errors';
import { idempotencyKeyOf, idempotent } from './idempotency';
import { registerRoutes } from './openapi';

export interface AttachmentSettings {
  /** Folder of the content-addressed files (DATA_DIR/attachments). */
  dir: string;
  /** Largest file, in bytes (ATTACHMENT_MAX_BYTES). */
  maxBytes: number;
  /** Attachments per application (ATTACHMENTS_PER_APPLICATION). */
  perApplication: number;
}

export const DEFAULT_ATTACHMENT_LIMITS = { maxBytes: 10 * 1024 * 1024, perApplication: 20 };

export interface AttachmentDeps {
  db: Db;
  attachments: AttachmentSettings;
}

registerRoutes({
  '/api/applications/{id}/attachments': {
    post: {
      summary:
        '上传附件（multipart/form-data：file，可选 comment、taskId）：申请人与当前审批人；仅 PDF、PNG、JPEG、xlsx，按内容识别类型；超过大小 413，类型不符 415 / attach a file (multipart: file, optional comment and taskId): the applicant and the current approvers; PDF, PNG, JPEG or xlsx by content; too big 413, refused type 415',
      bodyType: 'multipart',
      ok: 201,
    },
    get: { summary: '申请的附件列表（能查看申请的人）/ the application’s attachments (whoever sees the application)' },
  },
  '/api/attachments/{id}': {
    get: {
      summary:
        '下载附件：始终以附件下载（UTF-8 文件名），不在浏览器中打开 / download an attachment: always as a download with its UTF-8 name, never shown inline',
    },
  },
});

/** The text fields beside the file. */
const fieldsSchema = z.object({
  comment: z.string().trim().max(2000, '意见最多 2000 字 / at most 2000 characters').optional(),
  taskId: z.string().trim().min(1).max(100).optional(),
});

const FIELDS = new Set(['comment', 'taskId']);

export function attachmentRoutes(deps: AttachmentDeps): Router {
  const router = express.Router();
  const store = createAttachmentStore(deps.attachments.dir);
  const { maxBytes, perApplication } = deps.attachments;
  // Held in memory up to the limit (never on disk before it is checked); one file and two short fields per request.
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: maxBytes, files: 1, fields: 2, fieldSize: 8 * 1024, parts: 3, headerPairs: 20 },
    // Browsers send the file name as raw UTF-8 (中文文件名.pdf).
    defParamCharset: 'utf8',
  }).single('file');

  const parseMultipart = (req: Request, res: Response) =>
    new Promise<void>((resolve, reject) => {
      upload(req, res, (err: unknown) => (err ? reject(multipartError(err, maxBytes)) : resolve()));
    });

  router.post('/api/applications/:id/attachments', idempotent(deps.db), async (req, res) => {
    const caller = callerOf(req);
    const app = await loadVisibleApplication(deps.db, caller, req.params.id as string);
    const tasks = await listTasksOfApplication(deps.db, app.id);
    // Who may attach is the policy's call, asked before a byte of the file is read.
    const { override } = enforce(
      attachToApplication(
        caller,
        { applicant: app.applicant, applicantOrgId: app.applicantOrg, orgApplication: isOrgApplication(app.type) },
        tasks.filter((t) => t.status === 'pending' && t.kind === 'approval').map(taskFacts),
      ),
    );
    if (ENDED_STATUSES.has(app.status)) throw conflict('申请已办结，不能再上传附件 / the application is decided or withdrawn: no more attachments');
    if (!req.is('multipart/form-data'))
      throw badRequest('请以 multipart/form-data 上传文件 / send the file as multipart/form-data', [
        { path: 'file', message: '请选择要上传的文件 / choose a file to upload' },
      ]);
    await parseMultipart(req, res);
    const sent = { ...(req.body as Record<string, unknown>) };
    const errors: FieldError[] = Object.keys(sent)
      .filter((k) => !FIELDS.has(k))
      .map((k) => ({
        path: k,
        message:
          k === 'file'
            ? '文件缺少文件名 / the file part has no file name'
            : '未知字段，只接受 file、comment、taskId / unknown field: only file, comment and taskId',
      }));
    if (errors.length) throw badRequest('请检查标出的字段 / invalid fields', errors);
    const fields = parseOr400(fieldsSchema, sent);
    const file = req.file;
    if (!file) errors.push({ path: 'file', message: '请选择要上传的文件 / choose a file to upload' });
    else if (file.size === 0) errors.push({ path: 'file', message: '文件是空的 / the file is empty' });
    const task = fields.taskId ? tasks.find((t) => t.id === fields.taskId) : undefined;
    if (fields.taskId && !task) errors.push({ path: 'taskId', message: '不是此申请的任务 / not a task of this application' });
    if (errors.length) throw badRequest('请检查标出的字段 / invalid fields', errors);
    // The type is what the bytes are, whatever the name or the client's Content-Type claim.
    const sniffed = await fileTypeFromBuffer(file!.buffer);
    if (!isAllowedAttachmentType(sniffed?.mime)) throw new HttpError(415, REFUSED_TYPE_MESSAGE, [{ path: 'file', message: REFUSED_TYPE_MESSAGE }]);
    const type = sniffed.mime;
    if ((await countAttachments(deps.db, app.id)) >= perApplication) throw tooMany(perApplication);

    const name = attachmentName(file!.originalname, type);
    const key = idempotencyKeyOf(req);
    const id = key ? attachmentIdFromKey(caller, app.id, key) : newId();
    const stored = await store.put(file!.buffer);
    const note = attachmentNote(name);
    const pending = tasks.find((t) => t.status === 'pending' && t.kind === 'approval');
    const at = task ?? pending;
    const outcome = await insertAttachment(
      deps.db,
      {
        id,
        applicationId: app.id,
        taskId: task?.id ?? null,
        comment: fields.comment || null,
        name,
        size: stored.size,
        type,
        sha256: stored.sha256,
        uploadedBy: caller.username,
        timeline: { stepIndex: at?.stepIndex ?? null, step: at?.stepName ?? app.currentStep, comment: fields.comment || note, note, override },
      },
      perApplication,
    );
    if (outcome === 'full') throw tooMany(perApplication);
    const row = await getAttachment(deps.db, id);
    res.status(201).json(attachmentView(row!));
  });

  router.get('/api/applications/:id/attachments', async (req, res) => {
    const app = await loadVisibleApplication(deps.db, callerOf(req), req.params.id);
    res.json({ items: await attachmentsOf(deps.db, app.id), nextCursor: null });
  });

  router.get('/api/attachments/:id', async (req, res) => {
    const caller = callerOf(req);
    const a = await getAttachment(deps.db, req.params.id);
    if (!a) throw notFound('附件不存在 / attachment not found');
    // Whoever does not see the application learns nothing of its attachments either.
    await loadVisibleApplication(deps.db, caller, a.applicationId).catch(() => {
      throw notFound('附件不存在 / attachment not found');
    });
    await sendFile(res, store.pathOf(a.sha256), a, (path) => logger.error({ attachment: a.id, path }, 'attachment file missing'));
  });

  return router;
}

/** Streams the stored file as a download that no browser renders. */
async function sendFile(res: Response, path: string, a: AttachmentRow, onMissing: (path: string) => void): Promise<void> {
  const stat = await fs.promises.stat(path).catch(() => undefined);
  if (!stat) {
    onMissing(path);
    throw new HttpError(500, '附件文件缺失，请联系管理员 / the attachment’s file is missing: tell an administrator');
  }
  res.attachment(a.name); // Content-Disposition: attachment; filename="…"; filename*=UTF-8''…
  res.type(a.type);
  res.setHeader('Content-Length', String(stat.size));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', "sandbox; default-src 'none'");
  res.setHeader('Cache-Control', 'private, no-store');
  await new Promise<void>((resolve, reject) => {
    const stream = fs.createReadStream(path);
    stream.on('error', reject);
    res.on('close', resolve);
    stream.pipe(res);
  });
}

/** The same caller, application and Idempotency-Key always name the same attachment (a retried upload adds none). */
function attachmentIdFromKey(caller: Caller, applicationId: string, key: string): string {
  return 'f' + crypto.createHash('sha256').update(`${caller.username}\n${applicationId}\n${key}`).digest('hex').slice(0, 24);
}

function tooMany(limit: number): HttpError {
  return conflict(`每个申请最多 ${limit} 个附件 / at most ${limit} attachments per application`);
}

/** Multer's refusals as problems: too big → 413; anything else about the form → 400 naming the field, else `(body)`. */
function multipartError(err: unknown, maxBytes: number): HttpError {
  if (!(err instanceof multer.MulterError))
    return badRequest('上传内容无法读取 / the upload could not be read', [
      { path: '(body)', message: '不是完整的 multipart/form-data / malformed multipart body' },
    ]);
  if (err.code === 'LIMIT_FILE_SIZE') {
    const mb = Math.round((maxBytes / 1024 / 1024) * 10) / 10;
    return new HttpError(413, `文件超过大小限制（${mb} MB）/ the file is larger than ${mb} MB`, [
      { path: 'file', message: `最大 ${mb} MB / at most ${mb} MB` },
    ]);
  }
  if (err.code === 'LIMIT_UNEXPECTED_FILE' || err.code === 'LIMIT_FILE_COUNT')
    return badRequest('上传内容有误 / invalid upload', [
      { path: 'file', message: '一次只能上传一个文件，字段名为 file / one file per request, in the field `file`' },
    ]);
  if (err.code === 'LIMIT_FIELD_VALUE' && err.field) return badRequest('上传内容有误 / invalid upload', [{ path: err.field, message: '内容过长 / too long' }]);
  return badRequest('上传内容有误 / invalid upload', [{ path: '(body)', message: '表单字段过多、过长或无名 / too many, too long or unnamed form fields' }]);
}
