/**
 * The workbench's four views (待办 / 已办 / 我发起的 / 抄送我的): one keyset-paged
 * query per view over the tasks and applications projections, each row with
 * the names of its people, org and campaign beside their ids.
 */
import type { Knex } from 'knex';
import type { taskViewFilter } from '../domain/policy';
import { decodeCursor, holderClause } from './approval-repository';
import type { Db } from './knex';

export const TASK_VIEWS = ['todo', 'done', 'started', 'cc'] as const;
export type TaskViewName = (typeof TASK_VIEWS)[number];
export type ViewWho = ReturnType<typeof taskViewFilter>;

export interface ViewFilters {
  q?: string;
  type?: string;
  campaign?: string;
  org?: string;
  from?: string;
  to?: string;
  overdue?: boolean;
}

export interface ViewRow {
  id: string;
  applicationId: string;
  applicationType: string;
  applicationStatus: string;
  kind: string | null;
  subject: string;
  stepName: string | null;
  stepIndex: number | null;
  status: string;
  decision: string | null;
  assignee: string | null;
  assigneeName: string | null;
  decidedBy: string | null;
  decidedByName: string | null;
  applicant: string | null;
  applicantName: string | null;
  orgId: string;
  orgName: string;
  campaignId: string | null;
  campaignName: string | null;
  campaignYear: number | null;
  projectId: string | null;
  dueAt: Date | null;
  createdAt: Date;
  completedAt: Date | null;
  overdue: boolean;
  cursorAt: string;
  /** For the 代理 marks (domain/policy.ts deputyOn, awayFrom); null on 我发起的 rows. */
  owner: string | null;
  role: string | null;
  taskOrgId: string | null;
  candidates: string[] | null;
  deputies: Record<string, string> | null;
}

/** 我发起的 is overdue while one of its open approval tasks is past its limit. */
const STARTED_OVERDUE = `exists (select 1 from tasks ot where ot.application_id = a.id and ot.status = 'pending' and ot.kind = 'approval' and ot.due_at < now())`;

const micro = (col: string) => `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** LIKE with the user's %, _ and \ taken literally. */
function likeEscaped(s: string): string {
  return `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The column a view orders and pages by, and the one `from`/`to` apply to: decided time for 已办, else created time. */
function timeColumn(view: TaskViewName): string {
  if (view === 'done') return 't.completed_at';
  if (view === 'started') return 'a.created_at';
  return 't.created_at';
}
function idColumn(view: TaskViewName): string {
  return view === 'started' ? 'a.id' : 't.id';
}

function base(db: Db, view: TaskViewName, who: ViewWho): Knex.QueryBuilder {
  if (view === 'started') {
    return db('applications as a').join('orgs as ao', 'ao.id', 'a.applicant_org').where('a.applicant', who.applicant);
  }
  const q = db('tasks as t').join('applications as a', 'a.id', 't.application_id').join('orgs as ao', 'ao.id', 'a.applicant_org');
  if (view === 'todo') {
    // As the inbox: 代理 read-only rows (one's deputy holds them) are listed, marked, but not counted.
    q.where((w) => holderClause(w, who.holder))
      .andWhere('t.status', 'pending')
      .whereIn('t.kind', ['approval', 'revision']);
  } else if (view === 'done') {
    q.where('t.decided_by', who.decidedBy).andWhere('t.status', 'completed').whereIn('t.kind', ['approval', 'revision']);
  } else {
    q.where('t.assignee', who.copiedTo).andWhere('t.kind', 'cc');
  }
  return q;
}

function applyFilters(db: Db, q: Knex.QueryBuilder, view: TaskViewName, f: ViewFilters): void {
  if (f.q) q.andWhereRaw(`a.title ilike ? escape '\\'`, [likeEscaped(f.q)]);
  if (f.type) q.andWhere('a.type', f.type);
  if (f.campaign) q.andWhereRaw(`coalesce(a.campaign_id, a.payload->>'campaignId') = ?`, [f.campaign]);
  if (f.org) q.andWhereRaw(`ao.path like (select o.path from orgs o where o.id = ?) || '%'`, [f.org]);
  const at = timeColumn(view);
  if (f.from) q.andWhere(at, '>=', f.from);
  if (f.to) q.andWhere(at, '<', f.to);
  if (f.overdue) {
    if (view === 'started') q.andWhereRaw(STARTED_OVERDUE);
    else if (view === 'done') q.andWhereRaw('t.due_at < t.completed_at');
    else q.andWhere('t.due_at', '<', db.fn.now());
  }
}

/** One page of a view, newest first, after the cursor (the last row's time to the microsecond, and id). */
export async function listView(db: Db, view: TaskViewName, who: ViewWho, f: ViewFilters, page: { limit: number; cursor?: string }): Promise<ViewRow[]> {
  const q = base(db, view, who);
  applyFilters(db, q, view, f);
  const at = timeColumn(view);
  const id = idColumn(view);
  q.leftJoin('users as ap', 'ap.username', 'a.applicant').leftJoin('campaigns as c', db.raw(`c.id = coalesce(a.campaign_id, a.payload->>'campaignId')`));
  if (view === 'started') {
    q.select({
      id: 'a.id',
      applicationId: 'a.id',
      applicationType: 'a.type',
      applicationStatus: 'a.status',
      subject: 'a.title',
      stepName: 'a.current_step',
      status: 'a.status',
      applicant: 'a.applicant',
      applicantName: 'ap.name',
      orgId: 'a.applicant_org',
      orgName: 'ao.name',
      campaignId: 'c.id',
      campaignName: 'c.name',
      campaignYear: 'c.year',
      projectId: 'a.project_id',
      createdAt: 'a.created_at',
    }).select(
      db.raw('null::text as kind, null::int as "stepIndex", null::text as decision, null::text as assignee, null::text as "assigneeName"'),
      db.raw('null::text as "decidedBy", null::text as "decidedByName", null::timestamptz as "dueAt", null::timestamptz as "completedAt"'),
      db.raw('null::text as owner, null::text as role, null::text as "taskOrgId", null::text[] as candidates, null::jsonb as deputies'),
      db.raw(`${STARTED_OVERDUE} as overdue`),
    );
  } else {
    q.leftJoin('users as asg', 'asg.username', 't.assignee')
      .leftJoin('users as dec', 'dec.username', 't.decided_by')
      .select({
        id: 't.id',
        applicationId: 't.application_id',
        applicationType: 'a.type',
        applicationStatus: 'a.status',
        kind: 't.kind',
        subject: 'a.title',
        stepName: 't.step_name',
        stepIndex: 't.step_index',
        status: 't.status',
        decision: 't.decision',
        assignee: 't.assignee',
        assigneeName: 'asg.name',
        decidedBy: 't.decided_by',
        decidedByName: 'dec.name',
        applicant: 'a.applicant',
        applicantName: 'ap.name',
        orgId: 'a.applicant_org',
        orgName: 'ao.name',
        campaignId: 'c.id',
        campaignName: 'c.name',
        campaignYear: 'c.year',
        projectId: 'a.project_id',
        dueAt: 't.due_at',
        createdAt: 't.created_at',
        completedAt: 't.completed_at',
        owner: 't.owner',
        role: 't.role',
        taskOrgId: 't.org_id',
        candidates: 't.candidates',
        deputies: 't.deputies',
      })
      .select(db.raw(`(t.status = 'pending' and t.due_at < now()) as overdue`));
  }
  q.select(db.raw(`${micro(at)} as "cursorAt"`))
    .orderBy(at, 'desc')
    .orderBy(id, 'desc')
    .limit(page.limit);
  if (view === 'done') q.whereNotNull('t.completed_at');
  if (page.cursor) {
    const [t, i] = decodeCursor(page.cursor);
    q.andWhere((w) => void w.where(at, '<', t).orWhere((x) => void x.where(at, '=', t).andWhere(id, '<', i)));
  }
  return (await q) as ViewRow[];
}

/** How many rows each view holds for the caller (todo also its overdue ones), unfiltered: the tab badges. */
export async function countViews(db: Db, who: ViewWho): Promise<Record<TaskViewName, number> & { overdue: number }> {
  const [todo, done, started, cc] = await Promise.all(
    TASK_VIEWS.map((v) => {
      const q = base(db, v, who);
      // 代理: the tasks one's deputy holds are not one's to do.
      if (v === 'todo') q.andWhereRaw('not coalesce(t.deputies \\?| ?::text[], false)', [who.holder.usernames]);
      return q.first(db.raw('count(*)::int as n'), db.raw(v === 'todo' ? `count(*) filter (where t.due_at < now())::int as overdue` : '0 as overdue'));
    }),
  );
  return { todo: todo?.n ?? 0, overdue: todo?.overdue ?? 0, done: done?.n ?? 0, started: started?.n ?? 0, cc: cc?.n ?? 0 };
}
