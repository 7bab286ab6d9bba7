/**
 * GET /api/tasks?view=todo|done|started|cc — the workbench's four views
 * (待办 / 已办 / 我发起的 / 抄送我的). Whose rows each view holds is the policy's
 * `taskViewFilter`; the filters only narrow that set, so an `org` or
 * `campaign` outside the caller's reach simply matches nothing.
 */
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Db } from '../db/knex';
import { encodeCursor } from '../db/approval-repository';
import { countViews, listView, TASK_VIEWS, type ViewRow } from '../db/task-views-repository';
import { APPLICATION_TYPES } from '../domain/chain';
import { taskViewFilter } from '../domain/policy';
import { reviseLink } from '../domain/web-links';
import { callerOf } from './auth';
import { lookupNames, shownTitle } from './names';
import { badRequest, parseOr400 } from './errors';
import { isoDate, isoDateTime } from './validation';
import { beijingTime, EXPORT_MAX_ROWS, exportFormat, sendTable, zhOnly } from './list-export';
import { STATUS_LABELS, TYPE_LABELS } from '../domain/approval-sheet';
import { beijingDayStart } from '../domain/beijing-time';

/** A date (a whole day in Beijing time) or a time with offset. */
export const dateOrTime = z.union([isoDate(), isoDateTime()], {
  error: '须为日期 YYYY-MM-DD 或带时区的 ISO 8601 时间 / a date (YYYY-MM-DD) or an ISO 8601 time with offset',
});

export const taskViewQuery = z.object({
  view: z.enum(TASK_VIEWS, { error: '视图须为 todo、done、started 或 cc / view must be one of todo, done, started, cc' }),
  q: z.string().trim().max(100, '最多 100 字 / at most 100 characters').optional(),
  type: z.enum(APPLICATION_TYPES, { error: '未知的申请类型 / unknown application type' }).optional(),
  campaign: z.string().trim().min(1).max(100).optional(),
  org: z.string().trim().min(1).max(100).optional(),
  from: dateOrTime.optional(),
  to: dateOrTime.optional(),
  overdue: z.enum(['true', 'false'], { error: '须为 true 或 false / true or false' }).optional(),
  limit: z.coerce.number({ error: '须为数字 / a number' }).int().min(1, '至少 1 / at least 1').max(200, '最多 200 / at most 200').default(50),
  cursor: z.string().max(200).optional(),
  format: exportFormat,
});

/** A date is the start of that day in Beijing time (`to`: the start of the next day, so the day is included). */
function bound(v: string | undefined, end: boolean): string | undefined {
  if (!v) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return new Date(v).toISOString();
  const start = beijingDayStart(v);
  if (end) start.setUTCDate(start.getUTCDate() + 1);
  return start.toISOString();
}

/** A list's `from`/`to` (dates or times, see {@link dateOrTime}) as instants; `to` not after `from` is a 400 naming `to`. */
export function timeRange(q: { from?: string; to?: string }): { from?: string; to?: string } {
  const from = bound(q.from, false);
  const to = bound(q.to, true);
  if (from && to && from >= to)
    throw badRequest('结束日期须晚于开始日期 / `to` must be after `from`', [{ path: 'to', message: '须晚于开始 / must be after from' }]);
  return { from, to };
}

function rowView(r: ViewRow) {
  return {
    id: r.id,
    applicationId: r.applicationId,
    applicationType: r.applicationType,
    applicationStatus: r.applicationStatus,
    kind: r.kind,
    subject: r.subject,
    step: r.stepName,
    stepName: r.stepName,
    stepIndex: r.stepIndex,
    status: r.status,
    decision: r.decision,
    assignee: r.assignee,
    assigneeName: r.assigneeName,
    decidedBy: r.decidedBy,
    decidedByName: r.decidedByName,
    applicant: r.applicant,
    applicantName: r.applicantName,
    org: r.orgId,
    orgName: r.orgName,
    campaignId: r.campaignId,
    campaignName: r.campaignName,
    campaignYear: r.campaignYear,
    dueAt: r.dueAt,
    overdue: r.overdue,
    createdAt: r.createdAt,
    completedAt: r.completedAt,
    // A task to revise opens where the applicant revises (a campaign's list or self-assessment: the region's work page).
    ...(r.kind === 'revision' ? { link: reviseLink({ id: r.applicationId, type: r.applicationType, applicantOrg: r.orgId, campaignId: r.campaignId }) } : {}),
  };
}

/** 代理 marks of a page of rows (api/tasks.ts deputyMarks): 代…审批 and read-only. */
type Marks = (rows: Pick<ViewRow, 'deputies'>[]) => Promise<(r: Pick<ViewRow, 'deputies'>) => Record<string, unknown>>;

const VIEW_TITLES: Record<string, string> = { todo: '待办', done: '已办', started: '我发起的', cc: '抄送我的' };
const TASK_STATUS_ZH: Record<string, string> = { pending: '待办', completed: '已办', cancelled: '已取消' };

/** One view's rows as a download: Chinese headers, names, Beijing times. */
function viewTable(view: string, rows: ViewRow[]) {
  const started = view === 'started';
  return {
    title: `${VIEW_TITLES[view] ?? view}列表`,
    ascii: `tasks-${view}`,
    columns: [
      '标题',
      '所属行动',
      '申请类型',
      '当前步骤',
      '状态',
      '申请人',
      '单位',
      started ? '当前办理人' : '办理人',
      '办理期限（北京时间）',
      '是否逾期',
      '创建时间（北京时间）',
      '办结时间（北京时间）',
    ],
    rows: rows.map((r) => [
      r.subject,
      r.campaignName ?? '',
      TYPE_LABELS[r.applicationType] ?? r.applicationType,
      zhOnly(r.stepName),
      started ? (STATUS_LABELS[r.status] ?? r.status) : (TASK_STATUS_ZH[r.status] ?? r.status),
      r.applicantName ?? '',
      r.orgName,
      r.decidedByName ?? r.assigneeName ?? '',
      beijingTime(r.dueAt),
      r.overdue ? '是' : '否',
      beijingTime(r.createdAt),
      beijingTime(r.completedAt),
    ]),
  };
}

/**
 * One page of a view as JSON; with `format=csv|xlsx` (and `res`) the whole filtered view, up to
 * EXPORT_MAX_ROWS, is sent as a download instead and nothing is returned.
 */
export async function taskViewPage(db: Db, req: Request, deputyMarks: Marks, res?: Response) {
  const caller = callerOf(req);
  const q = parseOr400(taskViewQuery, req.query);
  const { from, to } = timeRange(q);
  const who = taskViewFilter(caller);
  const filters = { q: q.q || undefined, type: q.type, campaign: q.campaign, org: q.org, from, to, overdue: q.overdue === 'true' };
  if (res && (q.format === 'csv' || q.format === 'xlsx')) {
    await sendTable(res, q.format, viewTable(q.view, await listView(db, q.view, who, filters, { limit: EXPORT_MAX_ROWS })));
    return undefined;
  }
  const [rows, counts] = await Promise.all([listView(db, q.view, who, filters, { limit: q.limit + 1, cursor: q.cursor }), countViews(db, who)]);
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  const [marks, book] = await Promise.all([deputyMarks(page), lookupNames(db, { projects: page.map((r) => r.projectId) })]);
  return {
    view: q.view,
    items: page.map((r) => ({
      ...rowView(r),
      // A workflow-made title names the project by name, not id (项目绩效自评：…).
      subject: shownTitle(book, r.subject, r.projectId),
      projectName: r.projectId ? (book.projects.get(r.projectId) ?? null) : null,
      ...marks(r),
    })),
    nextCursor: rows.length > q.limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id, cursorAt: last.cursorAt }) : null,
    counts,
  };
}
