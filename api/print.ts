/**
 * GET /api/applications/:id/print — the printable 审批单 of an application:
 * an A4 HTML page (default) or, with `?format=pdf`, the same content as a PDF
 * download set in the CJK print font. Whoever sees the application may print
 * it (policy `seeApplication`, as GET /api/applications/:id); others get 404.
 * The content model is built once (domain/approval-sheet.ts) from the
 * application, its timeline as the viewer may read it, its tasks, the people
 * who acted (names and posts, never logins) and its attachments.
 */
import express, { type Response, type Router } from 'express';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { listAttachments } from '../db/attachment-repository';
import { listTasksOfApplication, listTimeline, type ApplicationRow } from '../db/approval-repository';
import type { Db } from '../db/knex';
import { getOrgsByIds, listTargetGroups } from '../db/org-repository';
import { getProject } from '../db/project-repository';
import { listActivePosts, listUsersWithOrgPath } from '../db/user-repository';
import { approvalSheetHtml } from '../domain/approval-sheet-html';
import { approvalSheet, formPartFields, payloadFields, type ApprovalSheet, type SheetField, type SheetPerson } from '../domain/approval-sheet';
import type { PrintFont } from '../runtime/print-font';
import { approvalSheetPdf } from './approval-sheet-pdf';
import { loadFormView } from './forms';
import { loadVisibleApplication, publicPayload, timelineFor } from './approvals-service';
import { callerForUser, callerOf, hmacKey, type Caller } from './auth';
import { HttpError, parseOr400 } from './errors';
import { registerRoutes } from './openapi';

export interface PrintDeps {
  db: Db;
  /** Signs the print page's short-lived links (the session tokens' secret). */
  jwtSecret: string;
  /** The CJK font of the PDF, found when the API started (runtime/print-font.ts). */
  printFont: PrintFont;
}

registerRoutes({
  '/api/applications/{id}/print': {
    get: {
      summary:
        '打印审批单：A4 网页（默认）或 ?format=pdf 下载 PDF；能查看申请的人均可打印 / the printable approval sheet: A4 HTML, or a PDF download with ?format=pdf; whoever sees the application',
      query: ['format'],
    },
  },
  '/api/applications/{id}/print-link': {
    post: {
      summary:
        '审批单打印链接（5 分钟有效，在新标签页打开 /print/applications/{id}，pdfUrl 为 PDF）/ a 5-minute signed link to the approval sheet for a tab of its own (url: HTML, pdfUrl: PDF)',
      ok: 201,
    },
  },
});

/** How long a print link works: long enough to open it, too short to be worth forwarding (as the bulletin's). */
const PRINT_LINK_TTL_S = 300;

const PRINT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'";

const querySchema = z.object({ format: z.enum(['html', 'pdf'], { error: '格式须为 html 或 pdf / format must be html or pdf' }).default('html') });

/**
 * The form part of the sheet as this viewer may see it: the payload's fields
 * by application type, then the fields of the chain's own form (申请表单) with
 * the field permissions applied (api/forms.ts `loadFormView`: hidden fields
 * are left out), as GET /api/applications/:id shows them to this viewer.
 */
export async function formFieldsForViewer(db: Db, viewer: Caller, app: ApplicationRow): Promise<SheetField[]> {
  const fv = await loadFormView(db, viewer, app);
  const payload = publicPayload(fv.payload);
  const refs = [payload.area, payload.toUnion].filter((v): v is string => typeof v === 'string');
  const [orgs, groups, project] = await Promise.all([
    getOrgsByIds(db, refs),
    app.type === 'membership' ? listTargetGroups(db) : Promise.resolve([]),
    typeof payload.projectId === 'string' ? getProject(db, payload.projectId) : Promise.resolve(undefined),
  ]);
  const builtIn = payloadFields(app.type, payload, {
    orgs: new Map([...orgs.values()].map((o) => [o.id, o.name])),
    groups: new Map(groups.map((g) => [g.id, g.name])),
    projects: new Map(project ? [[project.id, project.name]] : []),
  });
  return [...builtIn, ...formPartFields(fv.form, fv.payload.form)];
}

/** Gathers the facts and builds the sheet. */
async function buildSheet(db: Db, caller: Caller, app: ApplicationRow): Promise<ApprovalSheet> {
  const [rows, tasks, attachments, fields] = await Promise.all([
    listTimeline(db, app.id),
    listTasksOfApplication(db, app.id),
    listAttachments(db, app.id),
    formFieldsForViewer(db, caller, app),
  ]);
  const timeline = await timelineFor(db, caller, app, rows);
  const usernames = [
    ...new Set([caller.username, ...(app.applicant ? [app.applicant] : []), ...timeline.map((e) => e.actor), ...attachments.map((a) => a.uploadedBy)]),
  ];
  const [users, posts] = await Promise.all([listUsersWithOrgPath(db, usernames), listActivePosts(db, usernames)]);
  const orgs = await getOrgsByIds(db, [app.applicantOrg, ...users.map((u) => u.orgId), ...tasks.flatMap((t) => (t.orgId ? [t.orgId] : []))]);
  const people = new Map<string, SheetPerson>(
    users.map((u) => [
      u.username,
      {
        name: u.name,
        orgName: orgs.get(u.orgId)?.name ?? '',
        posts: posts.filter((p) => p.username === u.username).map((p) => ({ orgId: p.orgId, orgName: p.orgName, role: p.role })),
      },
    ]),
  );
  return approvalSheet({
    type: app.type,
    title: app.title,
    status: app.status,
    createdAt: app.createdAt,
    applicant: app.applicant,
    applicantOrgName: orgs.get(app.applicantOrg)?.name ?? '',
    fields,
    timeline,
    tasks: tasks.map((t) => ({
      stepIndex: t.stepIndex,
      assignee: t.assignee,
      role: t.role,
      orgId: t.orgId,
      orgName: t.orgId ? (orgs.get(t.orgId)?.name ?? null) : null,
      candidates: t.candidates,
    })),
    people,
    attachments: attachments.map((a) => ({ name: a.name, type: a.type, size: a.size, uploadedBy: a.uploadedBy, at: a.uploadedAt })),
    viewer: caller.username,
    now: new Date(),
  });
}

export function printRoutes(deps: PrintDeps): Router {
  const router = express.Router();

  /** Builds and sends the sheet the caller may see, as HTML or PDF. */
  async function sendSheet(res: Response, caller: Caller, id: string, format: 'html' | 'pdf'): Promise<void> {
    const app = await loadVisibleApplication(deps.db, caller, id);
    const font = deps.printFont;
    // Refused before any work: without its font the PDF cannot be set (the HTML page needs none of the server's).
    if (format === 'pdf' && !font.ok)
      throw new HttpError(
        503,
        `暂时无法生成 PDF：服务器缺少中文字体，请先使用网页打印 / PDF unavailable: the server lacks its CJK print font; print the HTML page meanwhile`,
      );
    const sheet = await buildSheet(deps.db, caller, app);
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (format === 'pdf' && font.ok) {
      const pdf = await approvalSheetPdf(sheet, font);
      res.attachment(`审批单-${fileSafe(app.title)}.pdf`);
      res.setHeader('Content-Security-Policy', "sandbox; default-src 'none'");
      res.type('application/pdf').send(pdf);
      return;
    }
    res.setHeader('Content-Security-Policy', PRINT_CSP);
    res.type('html').send(approvalSheetHtml(sheet));
  }

  router.get('/api/applications/:id/print', async (req, res) => {
    const caller = callerOf(req);
    const { format } = parseOr400(querySchema, req.query);
    await sendSheet(res, caller, req.params.id, format);
  });

  /**
   * The print page's own URL: a link to GET /print/applications/:id signed for
   * this caller and this application, valid {@link PRINT_LINK_TTL_S} seconds,
   * so the web app opens the sheet in a tab of its own (a bearer token cannot
   * follow a link). Whoever sees the application may have one.
   */
  router.post('/api/applications/:id/print-link', async (req, res) => {
    const caller = callerOf(req);
    const app = await loadVisibleApplication(deps.db, caller, req.params.id);
    const token = jwt.sign({ sub: caller.username, aid: app.id, use: 'print-application' }, hmacKey(deps.jwtSecret), {
      algorithm: 'HS256',
      expiresIn: PRINT_LINK_TTL_S,
    });
    const url = `/print/applications/${encodeURIComponent(app.id)}?token=${encodeURIComponent(token)}`;
    res.status(201).json({ url, pdfUrl: `${url}&format=pdf`, expiresAt: new Date(Date.now() + PRINT_LINK_TTL_S * 1000).toISOString() });
  });

  /** The sheet opened with a link from POST …/print-link: the same checks and answers as GET /api/applications/:id/print. */
  router.get('/print/applications/:id', async (req, res) => {
    const { format } = parseOr400(querySchema, { format: req.query.format });
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    let claims: { sub?: string; aid?: string; use?: string };
    try {
      claims = jwt.verify(token, hmacKey(deps.jwtSecret), { algorithms: ['HS256'] }) as typeof claims;
    } catch {
      throw new HttpError(401, '打印链接无效或已过期，请在申请页面重新打开 / the print link is invalid or expired; open it again from the application');
    }
    if (claims.use !== 'print-application' || claims.aid !== req.params.id || !claims.sub) throw new HttpError(401, '打印链接无效 / invalid print link');
    const caller = await callerForUser(deps.db, claims.sub);
    if (!caller) throw new HttpError(401, '账号不存在或已停用 / account disabled');
    await sendSheet(res, caller, req.params.id, format);
  });

  return router;
}

/** A title as part of a file name: no path, control or reserved characters, at most 60 characters. */
function fileSafe(title: string): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = title.replace(/[\u0000-\u001f\u007f<>:"/\\|?*\u202a-\u202e\u2066-\u2069]/g, '_').trim();
  return [...cleaned].slice(0, 60).join('') || '申请';
}
