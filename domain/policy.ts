/**
 * The authorization policy (授权规则): every decision about who may see or do
 * what, in one place. Pure functions over the org tree — the caller (a
 * principal: username, org path, roles), the subject's org paths, the task or
 * application, the action — answering allow or deny with a reason. The API's
 * routes, the inbox query's filter and the approval workflow's Update
 * validators all ask these functions; none decides on its own.
 *
 * Org paths are ancestor paths ('/henan/pds/pds-xinhua/'): an org lies within
 * another's subtree when its path starts with the other's.
 *
 * Deterministic and I/O-free: imported by workflow code.
 */
import type { FieldAccess } from './chain';

export type Role = 'staff' | 'reviewer' | 'admin' | 'supervisor';
export const ROLES: readonly Role[] = ['staff', 'reviewer', 'admin', 'supervisor'];

/** A post (岗位): a role held at an org. */
export interface Post {
  orgId: string;
  /** Ancestor path of the post's org. */
  orgPath: string;
  role: Role;
}

/** Who is asking: the signed-in user, where they sit, what they hold. */
export interface Principal {
  username: string;
  /** The home org (本单位): where the principal applies from, shown beside their name. */
  orgId: string;
  /** Ancestor path of the principal's home org, e.g. '/henan/pds/'. */
  orgPath: string;
  /** The roles held at the home org. */
  roles: readonly string[];
  /**
   * Every active post, at the home org and elsewhere (兼职). Absent: the
   * principal holds exactly `roles` at the home org (see {@link postsOf}).
   */
  posts?: readonly Post[];
}

/** The answer: allowed or not, why not, and whether an admin's override made it allowed. */
export type Decision = { allow: true; override?: boolean } | { allow: false; status: 403 | 404; reason: string };

const allow = (override = false): Decision => (override ? { allow: true, override: true } : { allow: true });
const deny = (reason: string, status: 403 | 404 = 403): Decision => ({ allow: false, status, reason });

/** True when `path` is `scopePath` or lies below it. */
export function within(path: string | null | undefined, scopePath: string): boolean {
  return !!path && path.startsWith(scopePath);
}

export function hasAnyRole(p: Principal, ...roles: Role[]): boolean {
  return roles.some((r) => p.roles.includes(r));
}

/** The principal's posts: `posts` when known, else the roles at the home org. */
export function postsOf(p: Principal): readonly Post[] {
  return p.posts ?? p.roles.filter((r): r is Role => (ROLES as readonly string[]).includes(r)).map((role) => ({ orgId: p.orgId, orgPath: p.orgPath, role }));
}

/** The org paths where the principal holds any of `roles`: the subtrees those posts govern. */
export function scopesWith(p: Principal, ...roles: Role[]): string[] {
  return [
    ...new Set(
      postsOf(p)
        .filter((post) => roles.includes(post.role))
        .map((post) => post.orgPath),
    ),
  ];
}

/** True when `path` lies within one of `scopes`. */
function withinAny(path: string | null | undefined, scopes: readonly string[]): boolean {
  return scopes.some((s) => within(path, s));
}

// ---------------------------------------------------------------------------
// Tasks and applications (审批)
// ---------------------------------------------------------------------------

/** What the policy needs to know of a task. */
export interface TaskFacts {
  assignee: string | null;
  /** 委派: the owner who decides after the delegate's opinion (the projection's `owner`). */
  owner?: string | null;
  /** 委派: who handles it now (workflow state); in the projection the delegate is the `assignee`. */
  delegatedTo?: string | null;
  role: string | null;
  orgId: string | null;
  /** The path of the task's org: where its approvers sit. Null for tasks recorded before paths were kept. */
  orgPath: string | null;
  candidates: readonly string[];
  /** The step shows full personal data (身份审核): the task never leaves its org. */
  showsPersonalData?: boolean;
  /**
   * 代理 (deputies while away): absent person → their deputy, as recorded when the task opened.
   * The deputy holds the task in the absent person's place; the absent person sees it read-only.
   */
  deputies?: Readonly<Record<string, string>> | null;
}

/** What the policy needs to know of an application. */
export interface ApplicationFacts {
  applicant: string | null;
  applicantOrgPath: string;
  targetOrgPath: string | null;
}

/** A user a task or a copy would go to. */
export interface TargetFacts {
  username: string;
  active: boolean;
  orgPath: string;
}

/**
 * The task is the principal's own: named to them (as assignee, delegate or
 * delegating owner), or open to a role they hold in the task's org.
 */
export function holdsTask(p: Principal, t: TaskFacts): boolean {
  // 代理: while away, the task is the deputy's, not the absent person's (they see it read-only).
  if (awayFrom(p, t)) return false;
  if (t.delegatedTo) return t.delegatedTo === p.username || t.assignee === p.username;
  if (t.assignee) return t.assignee === p.username || t.owner === p.username;
  return (!!t.role && postsOf(p).some((post) => post.orgId === t.orgId && post.role === t.role)) || deputyOn(p, t) !== undefined;
}

/** 代理: the principal was away when the task opened and their deputy holds it (they see it, read-only). */
export function awayFrom(p: Pick<Principal, 'username'>, t: Pick<TaskFacts, 'deputies'>): boolean {
  return !!t.deputies && Object.prototype.hasOwnProperty.call(t.deputies, p.username);
}

/** 代理: whom the principal stands in for on this task (the absent person), if they are a deputy on it. */
export function deputyOn(p: Pick<Principal, 'username'>, t: Pick<TaskFacts, 'deputies'>): string | undefined {
  return Object.entries(t.deputies ?? {}).find(([, deputy]) => deputy === p.username)?.[0];
}

/**
 * The inbox filter: the two ways a task is someone's, as the inbox query
 * selects them (by name, or by a role in an org). Kept here so the SQL and
 * {@link holdsTask} cannot drift apart.
 */
export function inboxFilter(p: Principal): { usernames: string[]; roleOrgs: { orgId: string; role: string }[]; deputies: string[] } {
  // 代理: also the role tasks a deputy holds for someone away ({@link deputyOn}), and, read-only, the tasks that
  // went to one's deputy while one was away ({@link awayFrom}).
  return { usernames: [p.username], roleOrgs: postsOf(p).map((post) => ({ orgId: post.orgId, role: post.role })), deputies: [p.username] };
}

/**
 * The four views of the workbench (待办 / 已办 / 我发起的 / 抄送我的), as rows
 * of whom: 待办 the tasks the caller holds ({@link inboxFilter}), 已办 the tasks
 * the caller decided, 我发起的 the applications the caller started, 抄送我的
 * the copies sent to the caller. Nothing else of anyone else's shows.
 */
export function taskViewFilter(p: Principal): { holder: ReturnType<typeof inboxFilter>; decidedBy: string; applicant: string; copiedTo: string } {
  return { holder: inboxFilter(p), decidedBy: p.username, applicant: p.username, copiedTo: p.username };
}

/**
 * May the principal decide (approve, reject, return, transfer…) this task?
 * Its holder may. An admin may override — act in the holder's place — only
 * on a task whose org lies within the admin's own subtree; the decision is
 * then recorded as an override. Never the applicant on their own application.
 */
export function decideTask(p: Principal, t: TaskFacts, opts: { applicant?: string | null } = {}): Decision {
  // 委派: while delegated only the delegate acts; the owner decides once the opinion is back.
  // (Workflow state names the delegate `delegatedTo`; the projection names them `assignee` beside an `owner`.)
  const delegate = t.delegatedTo ?? (t.owner ? t.assignee : null);
  const owner = t.delegatedTo ? t.assignee : (t.owner ?? null);
  if (delegate && owner === p.username && delegate !== p.username) return deny('已委派，等待被委派人的意见 / delegated: waiting for the delegate’s opinion');
  // 代理: the absent person sees the task but does not act on it, not even as an admin.
  if (awayFrom(p, t)) return deny('您不在岗期间此任务由代理人办理，您只能查看 / your deputy handles this task while you are away: read-only for you');
  if (holdsTask(p, t)) return allow();
  const adminScopes = scopesWith(p, 'admin');
  if (adminScopes.length && !!opts.applicant && opts.applicant === p.username)
    return deny('申请人不能审批自己的申请 / the applicant may not approve their own application');
  if (withinAny(t.orgPath, adminScopes)) return allow(true);
  return deny('此任务未分配给您 / this task is not assigned to you');
}

/**
 * May a task be handed to (转办, 委派, 加签) or copied to (抄送) this user?
 * Only an active user inside the subtree of the task's org; a task of a step
 * that shows personal data never leaves its own org.
 */
export function handOffTarget(t: Pick<TaskFacts, 'orgPath' | 'showsPersonalData'>, target: TargetFacts | undefined): Decision {
  if (!target || !target.active) return deny('用户不存在或已停用 / unknown or inactive user');
  if (!t.orgPath) return deny('此任务不能转交 / this task cannot be handed on');
  if (t.showsPersonalData) {
    const taskOrg = t.orgPath;
    if (target.orgPath !== taskOrg) return deny('含完整个人信息的步骤不能交给本单位以外的人 / a step that shows personal data stays within its org');
    return allow();
  }
  if (!within(target.orgPath, t.orgPath)) return deny('只能交给本任务所属单位及其下级的人员 / only to people within the task’s org');
  return allow();
}

/**
 * May the principal see this application? Its applicant; anyone whose
 * subtree covers the applicant's or the receiving org; anyone who holds or
 * held a task on it (including copies).
 */
export function seeApplication(p: Principal, app: ApplicationFacts, tasks: readonly TaskFacts[]): Decision {
  if (app.applicant && app.applicant === p.username) return allow();
  if (within(app.applicantOrgPath, p.orgPath) || within(app.targetOrgPath, p.orgPath)) return allow();
  if (tasks.some((t) => holdsTask(p, t) || t.candidates.includes(p.username) || awayFrom(p, t))) return allow();
  return deny('申请不存在 / application not found', 404);
}

/** A task of the application as the form's field permissions see it: the policy's facts and its step's `fields`. */
export interface FormTaskFacts extends TaskFacts {
  /** The step's field permissions (absent: every field read). */
  fields?: Readonly<Record<string, FieldAccess>> | null;
  /** Approval tasks carry field permissions; revision and copy tasks do not. */
  kind: string;
  status: string;
}

/** What the policy needs to decide how a viewer sees an application's form. */
export interface FormViewFacts extends ApplicationFacts {
  applicantOrgId: string;
  /** The applicant org's own application (subsidy, project list, self-assessment): its staff and admins act for it. */
  orgApplication: boolean;
  /** Every field of the form and the type's built-ins. */
  fields: readonly string[];
  /** Fields that some step of the chain hides. */
  hiddenAnywhere: readonly string[];
  /** The application's tasks. */
  tasks: readonly FormTaskFacts[];
}

/**
 * 字段权限: how the principal sees each field of an application's form —
 * `edit`, `read`, or `hidden` (absent from what they are shown).
 *
 * - Through a task (`via`, the task view) that the principal may decide (its
 *   holder, or an admin overriding it): that task's step decides; `edit`
 *   only while the task is pending, else read.
 * - The applicant side (the applicant; for an org's own application its
 *   staff and admins): every field, read — it is their form.
 * - An approver (holder of approval tasks on it, pending or done): per field,
 *   the widest of their steps' permissions; `edit` only where the task is
 *   pending.
 * - Oversight (an admin or supervisor whose subtree covers the applicant's
 *   or the receiving org, with no task on it): every field, read.
 * - Anyone else who may see the application (colleagues above it): every
 *   field but those some step hides.
 */
export function formAccess(p: Principal, app: FormViewFacts, via?: FormTaskFacts): Record<string, FieldAccess> {
  const each = (f: (field: string) => FieldAccess) => Object.fromEntries(app.fields.map((field) => [field, f(field)]));
  const ofTask = (t: FormTaskFacts, field: string): FieldAccess => {
    const a = t.fields?.[field] ?? 'read';
    return a === 'edit' && t.status !== 'pending' ? 'read' : a;
  };
  if (via && via.kind === 'approval' && decideTask(p, via, { applicant: app.applicant }).allow) return each((f) => ofTask(via, f));
  if ((app.applicant && app.applicant === p.username) || (app.orgApplication && actForApplicant(p, app).allow)) return each(() => 'read');
  const mine = app.tasks.filter((t) => t.kind === 'approval' && t.status !== 'cancelled' && holdsTask(p, t));
  if (mine.length) {
    const rank = { hidden: 0, read: 1, edit: 2 } as const;
    return each((f) => mine.map((t) => ofTask(t, f)).reduce((a, b) => (rank[a] >= rank[b] ? a : b)));
  }
  const oversight = scopesWith(p, 'admin', 'supervisor');
  if (withinAny(app.applicantOrgPath, oversight) || withinAny(app.targetOrgPath, oversight)) return each(() => 'read');
  return each((f) => (app.hiddenAnywhere.includes(f) ? 'hidden' : 'read'));
}

/**
 * May the approver correct these fields with their decision? Each must be
 * `edit` at the task's step (`fields`); the refusal names the fields.
 * (Who may decide the task at all is {@link decideTask}.)
 */
export function editFormFields(stepFields: Readonly<Record<string, FieldAccess>> | null | undefined, fields: readonly string[]): Decision {
  const refused = fields.filter((f) => stepFields?.[f] !== 'edit');
  if (refused.length) return deny(`此步骤不能修改这些字段 / this step may not edit: ${refused.join(', ')}`);
  return allow();
}

/**
 * The full ID and phone numbers (查看完整信息): only the holder of a pending
 * task at the current step, where that step shows personal data. An admin's
 * override does not reach personal data.
 */
export function revealPersonalData(p: Principal, t: TaskFacts & { pending: boolean; atCurrentStep: boolean }): Decision {
  if (!t.pending || !t.atCurrentStep || !t.showsPersonalData || !holdsTask(p, t))
    return deny('只有当前身份审核步骤的办理人可以查看完整个人信息 / only the holder of a pending identity-review task may see full personal data');
  return allow();
}

/**
 * The reveal audit (个人信息查看记录): admins only. Each sees the views of
 * applications whose applicant or receiving org lies in their subtree — the
 * list query filters by {@link revealAuditScope}.
 */
export function readRevealAudit(p: Principal): Decision {
  return hasAnyRole(p, 'admin') ? allow() : deny('只有管理员可以查看个人信息查看记录 / only admins see the personal-data view log');
}

/** The reveals an admin sees: those of applications whose applicant or receiving org path starts with `pathPrefix`. */
export function revealAuditScope(p: Principal): { pathPrefix: string } {
  return { pathPrefix: p.orgPath };
}

/**
 * Records of the retention job's runs (数据保留记录): admins of a city
 * federation or of the province (an org at most two levels deep), who answer
 * for the deployment's data; county and union admins do not.
 */
export function readRetentionRuns(p: Principal): Decision {
  const depth = p.orgPath.split('/').filter(Boolean).length;
  if (!hasAnyRole(p, 'admin') || depth > 2) return deny('只有市总及省总管理员可以查看数据保留记录 / only city or province admins see the retention runs');
  return allow();
}

/**
 * Whether a person is already a member, and of which union (会籍): shown to
 * the reviewer who must decide on it — the holder of a pending task on a step
 * that shows personal data (身份审核, 转入工会审核) — and to nobody else: not
 * the applicant (a transfer by ID number, or a membership application with
 * someone's ID number, must not tell them), not through an admin's override.
 */
export function seeMembership(p: Principal, t: TaskFacts & { pending: boolean }, app: { applicant: string | null }): Decision {
  if (app.applicant && app.applicant === p.username) return deny('申请人不能查看会籍信息 / the applicant does not see membership facts');
  if (!t.pending || !t.showsPersonalData || !holdsTask(p, t))
    return deny('只有当前身份审核或转入审核步骤的办理人可以查看会籍信息 / only the holder of the pending identity or receiving review sees membership facts');
  return allow();
}

/**
 * The staff-only notes of a membership or transfer application's automated
 * steps (whether the person was a member, where, a 身份冲突 conflict): the
 * receiving union's side — its org and the orgs above it —, for a membership
 * application also the area it was filed in (its federation handles it; a
 * transfer's applicant org is the applicant's own), and whoever holds or held
 * a step that shows personal data on it; never the applicant.
 */
export function seeMembershipNotes(p: Principal, app: ApplicationFacts & { type: string }, tasks: readonly TaskFacts[]): Decision {
  const refused = deny('会籍信息仅限受理工会的工作人员查看 / membership facts are for the receiving union’s staff');
  if (app.applicant && app.applicant === p.username) return refused;
  if (within(app.targetOrgPath, p.orgPath)) return allow();
  if (app.type === 'membership' && within(app.applicantOrgPath, p.orgPath)) return allow();
  if (tasks.some((t) => t.showsPersonalData && holdsTask(p, t))) return allow();
  return refused;
}

/**
 * Acting for the applicant (resubmit, withdraw): the applicant; for an org's
 * own applications (subsidy, project list, self-assessment) also the staff
 * and admins of the applicant org.
 */
export function actForApplicant(p: Principal, app: { applicant: string | null; applicantOrgId: string; orgApplication: boolean }): Decision {
  if (app.applicant && app.applicant === p.username) return allow();
  if (app.orgApplication && p.orgId === app.applicantOrgId && hasAnyRole(p, 'staff', 'admin')) return allow();
  return deny('只有申请人（或申请单位的干事）可以办理 / only the applicant (or the applicant org’s staff) may do this');
}

/**
 * 抄送 of a whole application (no task): only to an active user within the
 * applicant org's or the receiving org's subtree, or in an org above the
 * applicant (the leaders the application goes up to) — the people the
 * application concerns, not a sibling county or another city.
 */
export function copyApplicationTarget(
  app: Pick<ApplicationFacts, 'applicantOrgPath' | 'targetOrgPath'> | undefined,
  target: TargetFacts | undefined,
): Decision {
  if (!target || !target.active) return deny('用户不存在或已停用 / unknown or inactive user');
  if (!app) return deny('无法确认申请所属单位 / the application’s org is unknown');
  const inside = within(target.orgPath, app.applicantOrgPath) || (!!app.targetOrgPath && within(target.orgPath, app.targetOrgPath));
  const above = !!target.orgPath && within(app.applicantOrgPath, target.orgPath);
  if (inside || above) return allow();
  return deny('只能抄送给申请单位、受理单位及其上下级的人员 / only to people of the applicant’s or the receiving org, below them or above the applicant');
}

/**
 * Commenting on or copying an application: its participants (applicant,
 * approvers, people copied), or an admin whose subtree covers it.
 */
export function joinApplication(p: Principal, app: ApplicationFacts | undefined, participant: boolean): Decision {
  if (participant) return allow();
  if (app && hasAnyRole(p, 'admin') && (within(app.applicantOrgPath, p.orgPath) || within(app.targetOrgPath, p.orgPath))) return allow(true);
  return deny('您不是此申请的参与人 / you take no part in this application');
}

/**
 * Attaching a file (上传附件) to an application or to a comment on it: who
 * may act on it now — the applicant (for an org's own application also the
 * applicant org's staff and admins, as {@link actForApplicant}), and whoever
 * may decide one of its pending tasks ({@link decideTask}: its holder, or an
 * admin overriding within their subtree). Everyone else who sees the
 * application is refused (403); whoever does not see it never gets here
 * (404, {@link seeApplication}).
 */
export function attachToApplication(
  p: Principal,
  app: { applicant: string | null; applicantOrgId: string; orgApplication: boolean },
  pendingTasks: readonly TaskFacts[],
): Decision {
  if (actForApplicant(p, app).allow) return allow();
  let override = false;
  for (const t of pendingTasks) {
    const d = decideTask(p, t, { applicant: app.applicant });
    if (d.allow && !d.override) return allow();
    if (d.allow) override = true;
  }
  if (override) return allow(true);
  return deny('只有申请人和当前审批人可以上传附件 / only the applicant and the current approvers may attach files');
}

/** 催办: the applicant, or an admin whose subtree covers the application. */
export function urgeApplication(p: Principal, app: ApplicationFacts): Decision {
  if (app.applicant && app.applicant === p.username) return allow();
  if (hasAnyRole(p, 'admin') && (within(app.applicantOrgPath, p.orgPath) || within(app.targetOrgPath, p.orgPath))) return allow(true);
  return deny('只有申请人或管理员可以催办 / only the applicant or an admin can urge');
}

/** Applying for a subsidy (经费补助): staff or admins, for their own org. */
export function applyForSubsidy(p: Principal): Decision {
  return hasAnyRole(p, 'staff', 'admin') ? allow() : deny('只有工会干事或管理员可以申请补助 / only staff or admins apply for subsidies');
}

/** 周转池 sorting: the chosen union must be a grassroots union within the principal's subtree. */
export function assignTarget(p: Principal, org: { kind: string; path: string } | undefined): Decision {
  if (!org || org.kind !== 'grassroots' || !within(org.path, p.orgPath)) return deny('请选择您范围内的基层工会 / choose a grassroots union within your scope');
  return allow();
}

/** 批量转办 (cadre rotation): an admin moves tasks of a user, each task within the admin's subtree. */
export function reassignTasks(p: Principal): Decision {
  return hasAnyRole(p, 'admin') ? allow() : deny('只有管理员可以批量转办 / only admins reassign');
}

/**
 * 干部轮岗 (cadre rotation): ending one of a person's posts and starting
 * another in one action — the same rules as ending and granting each post
 * ({@link grantPost}): an admin over both orgs, never oneself, an admin post
 * only from above. The tasks then go only where {@link handOffTarget} lets
 * each go.
 */
export function rotateCadre(
  p: Principal,
  person: PersonFacts | undefined,
  from: { orgPath: string | undefined; role: Role },
  to: { orgPath: string | undefined; role: Role } | undefined,
): Decision {
  const end = grantPost(p, person, from);
  if (!end.allow || !to) return end;
  return grantPost(p, person, to);
}

/**
 * Following a bulk job (批量同意, 批量转办) and its per-task results: only who
 * started it; to anyone else the job does not exist.
 */
export function followJob(p: Principal, job: { owner: string }): Decision {
  return job.owner === p.username ? allow() : deny('任务批次不存在 / job not found', 404);
}

/**
 * 消息: a notification is its recipient's alone — they read it and mark it
 * read; to anyone else it does not exist.
 */
export function readNotification(p: Principal, n: { username: string } | undefined): Decision {
  return n && n.username === p.username ? allow() : deny('消息不存在 / notification not found', 404);
}

// ---------------------------------------------------------------------------
// The org tree and the staff directory
// ---------------------------------------------------------------------------

/** Orgs a principal sees in the tree: their own subtree and the orgs above them (to name where things go). */
export function seeOrg(p: Principal, org: { path: string }): boolean {
  return within(org.path, p.orgPath) || within(p.orgPath, org.path);
}

/**
 * Changing an org (组织机构管理: rename, move, deactivate): an admin, on an org
 * strictly below their own. Outside their subtree (above it, a sibling,
 * another city) the org does not exist for them (404); their own org, or an
 * org in their subtree without the admin role, 403.
 */
export function manageOrg(p: Principal, org: { path: string } | undefined): Decision {
  if (
    !org ||
    !withinAny(
      org.path,
      postsOf(p).map((post) => post.orgPath),
    )
  )
    return deny('组织不存在 / org not found', 404);
  const scopes = scopesWith(p, 'admin');
  if (!withinAny(org.path, scopes)) return deny('只有管理员可以管理组织机构 / only admins manage the org tree');
  if (!scopes.some((s) => s !== org.path && within(org.path, s)))
    return deny('不能修改本级组织，请由上级管理员办理 / your own org is changed by the admins above it');
  return allow();
}

/**
 * Placing an org under a parent (creating it there, moving it there,
 * importing it there): an admin, under their own org or an org below it, so
 * the new place is strictly below their own. A parent outside their subtree
 * does not exist for them (404).
 */
export function placeOrgUnder(p: Principal, parent: { path: string } | undefined): Decision {
  if (
    !parent ||
    !withinAny(
      parent.path,
      postsOf(p).map((post) => post.orgPath),
    )
  )
    return deny('上级组织不存在 / parent org not found', 404);
  if (!withinAny(parent.path, scopesWith(p, 'admin'))) return deny('只有管理员可以管理组织机构 / only admins manage the org tree');
  return allow();
}

/** Importing or exporting the tree as a workbook: admins, for their own subtree. */
export function transferOrgTree(p: Principal): Decision {
  return scopesWith(p, 'admin').length ? allow() : deny('只有管理员可以导入导出组织机构 / only admins import or export the org tree');
}

/** Following an org import (导入进度): only who sent it; to anyone else it does not exist. */
export function followOrgImport(p: Principal, job: { uploadedBy: string }): Decision {
  return job.uploadedBy === p.username ? allow() : deny('导入任务不存在 / import not found', 404);
}

/**
 * The staff directory a principal picks colleagues from (转办, 加签, 抄送): the
 * principal's city (or their own org above city level) and the orgs above.
 * Which of them a task may actually go to is `handOffTarget`'s decision.
 */
export function directoryScope(p: Principal): { pathPrefix: string } {
  const parts = p.orgPath.split('/').filter(Boolean);
  return { pathPrefix: `/${parts.slice(0, Math.max(1, Math.min(parts.length, 2))).join('/')}/` };
}

// ---------------------------------------------------------------------------
// Deputies while away (代理/委托)
// ---------------------------------------------------------------------------

/**
 * Naming, ending or reading someone's deputy: the person themselves, or an
 * admin whose subtree covers them. Anyone else outside that subtree learns
 * nothing of the person (404); inside it, a non-admin is refused (403).
 */
export function manageDeputy(p: Principal, person: TargetFacts | undefined): Decision {
  if (person && person.username === p.username) return allow();
  if (
    !person ||
    !withinAny(
      person.orgPath,
      postsOf(p).map((post) => post.orgPath),
    )
  )
    return deny('用户不存在 / user not found', 404);
  if (!withinAny(person.orgPath, scopesWith(p, 'admin')))
    return deny('只有本人或其上级管理员可以设置代理人 / only the person or an admin above them sets a deputy');
  return allow();
}

/**
 * Who may stand in for an absent person: an active user other than them,
 * inside the subtree of the absent person's org — a colleague of the same org
 * or someone below it (where the absent person's tasks may go anyway, see
 * {@link handOffTarget}); never someone of a sibling or a higher org.
 */
export function deputyTarget(absent: TargetFacts, deputy: TargetFacts | undefined): Decision {
  if (!deputy || !deputy.active) return deny('代理人不存在或已停用 / unknown or inactive deputy');
  if (deputy.username === absent.username) return deny('不能指定本人为代理人 / you cannot be your own deputy');
  if (!within(deputy.orgPath, absent.orgPath)) return deny('代理人须为本单位或下级单位的人员 / the deputy must be in the absent person’s org or below it');
  return allow();
}

// ---------------------------------------------------------------------------
// People and posts (人员与岗位)
// ---------------------------------------------------------------------------

/** What the policy needs to know of a person an admin looks at. */
export interface PersonFacts {
  username: string;
  /** Org paths of their active posts; for someone without a post, their home org's path. */
  places: readonly string[];
}

const NO_PERSON = '用户不存在 / user not found';

/** Seeing a person (人员): an admin within whose subtree one of the person's posts (or, without posts, home org) lies. */
export function seeUser(p: Principal, person: PersonFacts | undefined): Decision {
  const scopes = scopesWith(p, 'admin');
  if (!person || !person.places.some((place) => withinAny(place, scopes))) return deny(NO_PERSON, 404);
  return allow();
}

/**
 * Managing an account (deactivate, activate, reset, unlock, edit): an admin
 * whose subtrees hold all of the person's posts — a cadre with a post
 * elsewhere is managed from above both — and never oneself.
 */
export function manageUser(p: Principal, person: PersonFacts | undefined): Decision {
  const seen = seeUser(p, person);
  if (!seen.allow) return seen;
  if (person!.username === p.username) return deny('不能修改自己的账号 / you may not change your own account here');
  const scopes = scopesWith(p, 'admin');
  if (!person!.places.every((place) => withinAny(place, scopes)))
    return deny('此人在您的管辖范围以外还有岗位，须由共同的上级管理员办理 / this person holds a post outside your scope: an admin above both must do this');
  return allow();
}

/**
 * Granting a post (任职) or ending one (免职): the org must lie within one of
 * the caller's admin subtrees (else it does not exist for them); an admin
 * post is granted and ended only by an admin above that org — an admin is
 * appointed by the level above, never by a peer or by themselves; never
 * one's own posts; only admins. `person` is undefined for a new account.
 */
export function grantPost(p: Principal, person: PersonFacts | undefined, post: { orgPath: string | undefined; role: Role }, isNew = false): Decision {
  const scopes = scopesWith(p, 'admin');
  if (scopes.length === 0) return deny('只有管理员可以任免岗位 / only admins grant and end posts');
  if (!isNew) {
    const seen = seeUser(p, person);
    if (!seen.allow) return seen;
    if (person!.username === p.username) return deny('不能任免自己的岗位 / you may not grant or end your own posts');
  }
  if (!post.orgPath || !withinAny(post.orgPath, scopes)) return deny('组织不存在 / org not found', 404);
  if (post.role === 'admin' && !scopes.some((s) => s !== post.orgPath && within(post.orgPath, s)))
    return deny('管理员岗位须由上级组织的管理员任免 / an admin post is granted or ended by an admin of an org above it');
  return allow();
}

/** Creating accounts (新建账号): admins only; each post is then asked of {@link grantPost}. */
export function createUsers(p: Principal): Decision {
  return scopesWith(p, 'admin').length ? allow() : deny('只有管理员可以新建账号 / only admins create accounts');
}

/** Listing people (人员列表): admins, each within their admin subtrees ({@link scopesWith}). */
export function listPeople(p: Principal): Decision {
  return scopesWith(p, 'admin').length ? allow() : deny('只有管理员可以查看人员 / only admins see the people list');
}

/** The administration record (管理操作记录): admins, for changes concerning orgs within their admin subtrees. */
export function readAdminAudit(p: Principal): Decision {
  return scopesWith(p, 'admin').length ? allow() : deny('只有管理员可以查看管理操作记录 / only admins read the administration record');
}

// ---------------------------------------------------------------------------
// Approval chains (审批链) and the working calendar
// ---------------------------------------------------------------------------

/**
 * Proposing a change to a chain owned by an org: an admin of that org or of
 * an org above it. The change takes effect only when a second admin approves
 * it (the built-in chain_change chain).
 */
export function proposeChain(p: Principal, ownerOrgPath: string): Decision {
  if (!hasAnyRole(p, 'admin')) return deny('只有管理员可以配置审批链 / only admins configure chains');
  if (!within(ownerOrgPath, p.orgPath)) return deny('只能配置本级及下级组织的审批链 / only chains of your own org or below');
  return allow();
}

/**
 * Approving a proposed chain change (审批链变更): a second admin, of the
 * owning org or of an org above it — never the proposer. Asked by the task
 * route before an approval reaches the workflow, and again by the activation
 * step over the approvals the workflow recorded.
 */
export function approveChainChange(p: Principal, change: { ownerOrgPath: string; proposer: string | null }): Decision {
  if (change.proposer && change.proposer === p.username)
    return deny('提议人不能批准自己提出的审批链变更 / the proposer may not approve their own chain change');
  if (!hasAnyRole(p, 'admin') || !within(change.ownerOrgPath, p.orgPath))
    return deny('只有该组织或上级组织的管理员可以批准审批链变更 / only an admin of the owning org or above approves a chain change');
  return allow();
}

/**
 * Moving the running applications of a chain to its new version (在办申请迁移):
 * an admin of the owning org or of an org above it. Whoever may not read the
 * chain learns nothing of it (404); the province-wide built-ins have no owner
 * to migrate them (they change with the product).
 */
export function migrateChain(p: Principal, ownerOrgPath: string | null): Decision {
  if (ownerOrgPath === null) {
    return deny('全省默认审批链没有所属组织，不能迁移在办申请 / a province-wide default chain has no owner to migrate its applications');
  }
  const read = readChain(p, ownerOrgPath);
  if (!read.allow) return read;
  if (!withinAny(ownerOrgPath, scopesWith(p, 'admin')))
    return deny('只有审批链所属组织或上级组织的管理员可以迁移在办申请 / only an admin of the owning org or above migrates its applications');
  return allow();
}

/** Reading chains: everyone signed in may read the chains that apply to them and their subtree. */
export function readChain(p: Principal, ownerOrgPath: string): Decision {
  if (within(ownerOrgPath, p.orgPath) || within(p.orgPath, ownerOrgPath)) return allow();
  return deny('审批链不存在 / chain not found', 404);
}

/** Reading the working calendar, of any org: everyone signed in (holidays are public knowledge). */
export function readCalendar(_p: Principal): Decision {
  return allow();
}

/** Org kinds whose admins set the working calendar's overrides (a county or grassroots union follows its city's). */
export const CALENDAR_EDITOR_KINDS: readonly string[] = ['national', 'province', 'city'];

/**
 * The working calendar (工作日历): the official days come from the State
 * Council's notices; an override belongs to an org and applies to its subtree.
 * An admin of a city, the province (or above) sets the overrides of their own
 * org or of an org below it; county and grassroots admins do not. An org
 * outside the admin's subtree is not theirs to see (404). Everyone signed in
 * reads the calendar.
 *
 * @param callerOrgKind the kind of the caller's own org (province, city, county…).
 */
export function editCalendar(p: Principal, callerOrgKind: string, orgPath: string): Decision {
  if (!hasAnyRole(p, 'admin') || !CALENDAR_EDITOR_KINDS.includes(callerOrgKind))
    return deny('只有市总、省总管理员可以修改工作日历 / only admins of a city or the province edit the calendar');
  if (!within(orgPath, p.orgPath)) return deny('组织不存在 / org not found', 404);
  return allow();
}

// ---------------------------------------------------------------------------
// Campaigns (集中行动), regions, projects, bulletins
// ---------------------------------------------------------------------------

/** What the policy needs to know of a campaign. */
export interface CampaignFacts {
  cityOrg: string;
  cityOrgPath: string;
  /** Org ids of the regions taking part. */
  regions: readonly string[];
}

/** The principal's org is the campaign's city or above it (the province). */
export function atCityOrAbove(p: Principal, c: CampaignFacts): boolean {
  return within(c.cityOrgPath, p.orgPath);
}

/** Launching a campaign: an admin, for a city within their subtree. */
export function launchCampaign(p: Principal, cityOrgPath: string | undefined): Decision {
  if (!hasAnyRole(p, 'admin')) return deny('只有市总管理员可以发起行动 / only a city federation admin launches campaigns');
  if (!cityOrgPath || !within(cityOrgPath, p.orgPath)) return deny('超出您的管理范围 / outside your scope');
  return allow();
}

/** Seeing a campaign: the city and above see it all; inside the city, only a region that takes part (and below it). */
export function seeCampaign(p: Principal, c: CampaignFacts): Decision {
  if (atCityOrAbove(p, c)) return allow();
  if (within(p.orgPath, c.cityOrgPath) && c.regions.some((r) => p.orgPath.includes(`/${r}/`))) return allow();
  return deny('行动不存在 / campaign not found', 404);
}

/** The campaign's own city federation admin: advances phases, issues and schedules bulletins. */
export function runCampaign(p: Principal, c: CampaignFacts, what: string): Decision {
  if (hasAnyRole(p, 'admin') && p.orgId === c.cityOrg) return allow();
  return deny(`只有本市总管理员可以${what} / only the city federation admin may do this`);
}

/** Inspections (不定期检查) are made and recorded by the city federation's own staff and admins (its 组织部). */
export function inspectProject(p: Principal, c: CampaignFacts): Decision {
  return p.orgId === c.cityOrg && hasAnyRole(p, 'staff', 'admin')
    ? allow()
    : deny('检查由市总干事或管理员记录 / inspections are recorded by the city federation’s staff and admins');
}

/**
 * 行动计划 (the city's consolidated 项目清单+责任制): read by the campaign's viewers. The city and above read
 * the whole plan; a region taking part reads its own section (`scopePath`: its subtree), as it sees its projects.
 */
export function readCampaignPlan(p: Principal, c: CampaignFacts): Decision & { scopePath?: string } {
  const seen = seeCampaign(p, c);
  if (!seen.allow) return seen;
  if (atCityOrAbove(p, c)) return allow();
  return { allow: true, scopePath: p.orgPath };
}

/** Submitting the plan to the province, and returning a single project of it to its region: the campaign's own city admin. */
export function submitCampaignPlan(p: Principal, c: CampaignFacts): Decision {
  if (hasAnyRole(p, 'admin') && p.orgId === c.cityOrg) return allow();
  return deny('只有本市总管理员可以汇总上报行动计划 / only the city federation admin submits the action plan');
}

/** Returning one project of the plan to its region (退回单个项目): the city admin who submits the plan. */
export function returnPlanProject(p: Principal, c: CampaignFacts): Decision {
  if (hasAnyRole(p, 'admin') && p.orgId === c.cityOrg) return allow();
  return deny('只有本市总管理员可以退回项目 / only the city federation admin returns a project to its region');
}

/**
 * Revising a returned project (修改后重新报送): the staff and admins of the project's own region — the city returned it
 * to them, so the city itself does not revise it in their place. Anyone else who may see the project: 403.
 */
export function revisePlanProject(p: Principal, project: { regionPath?: string | null }): Decision {
  if (!project.regionPath || !within(p.orgPath, project.regionPath) || !hasAnyRole(p, 'staff', 'admin'))
    return deny('退回的项目由所属地区的干事或管理员修改 / a returned project is revised by its region’s staff and admins');
  return allow();
}

/**
 * 整改事项: the responsible region reports a rectification done — staff or admins of the region itself or below
 * it. The city sees the item but does not report for the region (it accepts, {@link decideRectification}); anyone
 * who may not see the project learns nothing of the item (404).
 */
export function reportRectification(p: Principal, c: CampaignFacts, item: { regionPath: string | null | undefined }): Decision {
  if (!seeProject(p, item, c).allow) return deny('整改事项不存在 / rectification item not found', 404);
  if (!item.regionPath || !within(p.orgPath, item.regionPath) || !hasAnyRole(p, 'staff', 'admin'))
    return deny('整改完成情况由责任地区的干事或管理员报送 / the responsible region’s staff or admins report rectifications');
  return allow();
}

/**
 * Accepting a reported rectification (验收销号) or sending it back: the city federation that inspected — its staff
 * and admins (the inspectors, see {@link inspectProject}) and its reviewers. The region itself may not close its
 * own item; anyone who may not see the item gets 404.
 */
export function decideRectification(p: Principal, c: CampaignFacts, item: { regionPath: string | null | undefined }): Decision {
  if (!seeProject(p, item, c).allow) return deny('整改事项不存在 / rectification item not found', 404);
  if (p.orgId === c.cityOrg && hasAnyRole(p, 'staff', 'admin', 'reviewer')) return allow();
  return deny('整改验收由市总检查人员或审核人员办理 / the city federation’s inspectors and reviewers accept rectifications');
}

/** A region's submission (survey, plan, project list, progress, self-assessment): staff or admins of the region or above. */
export function submitForRegion(p: Principal, regionPath: string | null | undefined, roles: readonly Role[] = ['staff', 'admin']): Decision {
  if (!within(regionPath, p.orgPath)) return deny('地区不存在 / region not found', 404);
  if (!hasAnyRole(p, ...roles)) return deny('只有工会干事或管理员可以提交 / only staff or admins submit');
  return allow();
}

/**
 * 建会: starting the establishment of a union for a project — the staff and
 * admins of the project's region (or above it, who may act for the region);
 * anyone who cannot see the region learns nothing (404), who sees it without
 * those roles is refused (403).
 */
export function startUnionEstablishment(p: Principal, project: { regionPath?: string | null }): Decision {
  if (!within(project.regionPath, p.orgPath)) return deny('项目不存在 / project not found', 404);
  if (!hasAnyRole(p, 'staff', 'admin'))
    return deny('只有项目所属地区的干事或管理员可以发起建会 / only the region’s staff or admins start a union’s establishment');
  return allow();
}

/**
 * Following a survey upload that is being parsed (调查摸底导入进度): only whoever sent it,
 * while they may still submit for its region; anyone else learns nothing of it (404).
 */
export function followSurveyImport(p: Principal, upload: { uploadedBy: string; regionPath: string | null | undefined }): Decision {
  if (p.username !== upload.uploadedBy) return deny('导入任务不存在 / import not found', 404);
  return submitForRegion(p, upload.regionPath, ['staff', 'admin']);
}

/**
 * 批量导入会员: a project's members uploaded in bulk (and its template) — whoever may report the project's
 * progress: the region's staff or admins, or those of an org above it; anyone else who sees the region, 403.
 */
export function uploadProjectMembers(p: Principal, project: { regionPath?: string | null }): Decision {
  const d = submitForRegion(p, project.regionPath);
  if (!d.allow && d.status === 403) return deny('只有项目所属地区的干事或管理员可以导入会员 / only the region’s staff or admins upload members');
  return d;
}

/**
 * 省级会员库导出: the real-name list of a campaign's new members with full ID and phone numbers, for the
 * provincial member database — the admins of the campaign's city federation and of the province above it.
 * Everyone else who sees the campaign: 403 (the export is audited, see api/provincial-export.ts).
 */
export function exportProvincialMembers(p: Principal, c: CampaignFacts): Decision {
  if (hasAnyRole(p, 'admin') && atCityOrAbove(p, c)) return allow();
  return deny('只有本市总及省总管理员可以导出省级会员库 / only the city federation’s or the province’s admins export the provincial member list');
}

/** Seeing a project: its region's subtree, the city federation itself, and anyone above the city. */
export function seeProject(p: Principal, project: { regionPath?: string | null }, c: CampaignFacts | undefined): Decision {
  if (within(project.regionPath, p.orgPath)) return allow();
  if (c && (p.orgId === c.cityOrg || atCityOrAbove(p, c))) return allow();
  return deny('项目不存在 / project not found', 404);
}

/**
 * Reading a region's submissions back (报送留痕: its 实施方案 with every version, its project lists with every
 * revision and the ledger enterprises they link): the region's own people and anyone at the region's level or above
 * in its line (the city federation, the province), and whoever holds or held a task on the region's project list
 * (`onListTask`, which the caller works out with {@link seeApplication}). Another region, or a union below: 404.
 */
export function readRegionSubmissions(p: Principal, region: { orgId: string; path: string | null | undefined }, opts: { onListTask?: boolean } = {}): Decision {
  if (within(region.path, p.orgPath)) return allow();
  if (opts.onListTask) return allow();
  return deny('地区不存在 / region not found', 404);
}

/**
 * A project's reports read back (进展报送记录, 绩效自评各版本): whoever sees the project ({@link seeProject}) —
 * the region's subtree, the city federation and above. Members appear by name and masked ID number only.
 */
export function readProjectReports(p: Principal, project: { regionPath?: string | null }, c: CampaignFacts | undefined): Decision {
  return seeProject(p, project, c);
}

/**
 * The member roster (会员名册) of a campaign, and the subtree it covers: the city federation and above see every
 * member of the campaign (admins, staff, reviewers, supervisors); a region taking part sees its region's members,
 * a union within it its own (staff, admins, reviewers). Anyone who cannot see the campaign: 404.
 */
export function memberRosterScope(p: Principal, c: CampaignFacts): { allow: false; status: 403 | 404; reason: string } | { allow: true; scopePath: string } {
  const seen = seeCampaign(p, c);
  if (!seen.allow) return seen;
  if (atCityOrAbove(p, c))
    return hasAnyRole(p, 'admin', 'staff', 'reviewer', 'supervisor')
      ? { allow: true, scopePath: c.cityOrgPath }
      : {
          allow: false,
          status: 403,
          reason: '只有工会干事、审核人、管理员和督办可以查看会员名册 / only staff, reviewers, admins and supervisors read the roster',
        };
  return hasAnyRole(p, 'admin', 'staff', 'reviewer')
    ? { allow: true, scopePath: p.orgPath }
    : { allow: false, status: 403, reason: '只有工会干事、审核人和管理员可以查看会员名册 / only staff, reviewers and admins read the roster' };
}

/** Whether the menu offers 会员名册: where {@link memberRosterScope} can allow, by the caller's org kind and roles. */
export function readsMemberRoster(p: Principal, orgKind: string | undefined): boolean {
  if (orgKind === 'province' || orgKind === 'city') return hasAnyRole(p, 'admin', 'staff', 'reviewer', 'supervisor');
  return !!orgKind && hasAnyRole(p, 'admin', 'staff', 'reviewer');
}

/**
 * Real-name verification (实名核验) of the members a project reports: a reviewer posted at the project's region
 * (or at the campaign's city, between the two) decides. Not the province (the city's count), not staff (who report),
 * nor a grassroots union below the region. Only this verifier learns what the automatic checks found — whether a
 * person was a member elsewhere (a transfer) — so a progress report is no membership oracle.
 */
export function verifyReportedMembers(p: Principal, project: { regionPath?: string | null }, c: CampaignFacts): Decision {
  const ok = scopesWith(p, 'reviewer').some((scope) => within(project.regionPath, scope) && within(scope, c.cityOrgPath));
  return ok ? allow() : deny('只有项目所属地区或市总的审核员可以核验会员 / only a reviewer of the project’s region or city verifies members');
}

/** The org paths whose projects' reported members a caller may verify (the queue of 实名核验 tasks); each row is checked again with {@link verifyReportedMembers}. */
export function memberVerificationScopes(p: Principal): string[] {
  return scopesWith(p, 'reviewer');
}

/**
 * Reading a project's reported members with their verification status (待核验/已核验/未通过, the admitting union
 * and why, a rejection's reason): the verifier, the region's staff and admins who report them, and the city's
 * staff, admins and supervisors. Others who may see the project learn the counts only.
 */
export function seeReportedMembers(p: Principal, project: { regionPath?: string | null }, c: CampaignFacts): Decision {
  if (verifyReportedMembers(p, project, c).allow) return allow();
  if (within(project.regionPath, p.orgPath) && within(p.orgPath, c.cityOrgPath) && hasAnyRole(p, 'staff', 'admin')) return allow();
  if (p.orgId === c.cityOrg && hasAnyRole(p, 'staff', 'admin', 'supervisor')) return allow();
  return deny('无权查看报送会员名单 / you may not read the reported members');
}

/** Reading bulletins (通报): supervisors, admins and staff of the city or above; staff and admins of a region taking part. */
export function readBulletins(p: Principal, c: CampaignFacts): Decision {
  if (atCityOrAbove(p, c))
    return hasAnyRole(p, 'supervisor', 'admin', 'staff') ? allow() : deny('通报只发至督办、管理员和工会干事 / bulletins are for supervisors, admins and staff');
  if (c.regions.includes(p.orgId) && hasAnyRole(p, 'staff', 'admin')) return allow();
  return deny('通报只发至督办、管理员和工会干事 / bulletins are for supervisors, admins and staff');
}

/**
 * Whether the caller reads bulletins at all — the menu's 进度通报 follows this, so it shows exactly where
 * {@link readBulletins} can allow: supervisors, admins and staff of a city or the province; staff and admins of a
 * region (a county or industry union, which campaigns take part as). Reviewers and grassroots unions get none.
 */
export function readsBulletins(p: Principal, orgKind: string | undefined): boolean {
  if (orgKind === 'province' || orgKind === 'city') return hasAnyRole(p, 'supervisor', 'admin', 'staff');
  if (orgKind === 'county' || orgKind === 'industry') return hasAnyRole(p, 'staff', 'admin');
  return false;
}

/** What the web app offers a caller (menus), each derived from the policy functions above. */
export function capabilities(
  p: Principal,
  orgKind: string | undefined,
): { readBulletins: boolean; readProvinceOverview: boolean; memberRoster: boolean; verifyMembers: boolean } {
  return {
    readBulletins: readsBulletins(p, orgKind),
    readProvinceOverview: readsProvinceOverview(p, orgKind),
    memberRoster: readsMemberRoster(p, orgKind),
    verifyMembers: verifiesMembers(p, orgKind),
  };
}

/** The roles that follow a province's or a city's campaigns from above: its leadership (督办), admins and reviewers (基层工作部). */
const OVERVIEW_ROLES: Role[] = ['admin', 'supervisor', 'reviewer'];

/**
 * The overview across cities (全省概览, GET /api/orgs/:id/overview): for a
 * province, its admins, supervisors and reviewers (and those of the orgs above
 * it); for a city, the same roles of the city or above. An org the caller
 * cannot see (another city, another province) or that has no overview (a
 * county, a grassroots union) is not found (404); an org they see — their own,
 * one above them — without one of those roles there, 403.
 */
export function readOrgOverview(p: Principal, org: { path: string; kind: string } | undefined): Decision {
  if (!org || !seeOrg(p, org) || (org.kind !== 'province' && org.kind !== 'city')) return deny('组织不存在或没有概览 / no overview for this org', 404);
  if (withinAny(org.path, scopesWith(p, ...OVERVIEW_ROLES))) return allow();
  return deny('全省概览只对省总（或本市总）的管理员、督办和审核员开放 / only admins, supervisors and reviewers of the province (or the city) see the overview');
}

/** Reading the province's bulletins of cities: whoever reads its overview, for a province. */
export function readProvinceBulletins(p: Principal, org: { path: string; kind: string } | undefined): Decision {
  if (org && org.kind !== 'province') return deny('组织不存在或没有全省通报 / no province bulletins for this org', 404);
  return readOrgOverview(p, org);
}

/** Setting the province bulletin's period and issuing one now: an admin of the province (or above). */
export function runProvinceBulletins(p: Principal, org: { path: string; kind: string } | undefined): Decision {
  const read = readProvinceBulletins(p, org);
  if (!read.allow) return read;
  if (withinAny(org!.path, scopesWith(p, 'admin'))) return allow();
  return deny('只有省总管理员可以设置或发布全省通报 / only a province admin sets or issues the province bulletin');
}

/** Whether the menu offers 全省概览: admins, supervisors and reviewers of a province. */
export function readsProvinceOverview(p: Principal, orgKind: string | undefined): boolean {
  return orgKind === 'province' && hasAnyRole(p, ...OVERVIEW_ROLES);
}

/**
 * Whether the caller has real-name verification tasks at all (the menu's 实名核验): a reviewer of a city or of a region
 * (county or industry union) — where {@link verifyReportedMembers} can allow.
 */
export function verifiesMembers(p: Principal, orgKind: string | undefined): boolean {
  return hasAnyRole(p, 'reviewer') && (orgKind === 'city' || orgKind === 'county' || orgKind === 'industry');
}

/** The delivery record of a bulletin: admins and supervisors of the city or above. */
export function readBulletinDeliveries(p: Principal, c: CampaignFacts): Decision {
  if (atCityOrAbove(p, c) && hasAnyRole(p, 'admin', 'supervisor')) return allow();
  return deny('只有市总及以上的管理员和督办可以查看送达情况 / only city or province admins and supervisors');
}

/** A union's join QR poster (扫码入会): the union's own people, or staff and admins above it. */
export function downloadPoster(p: Principal, union: { id: string; kind: string; path: string } | undefined): Decision {
  if (!union || union.kind !== 'grassroots' || !within(union.path, p.orgPath)) return deny('基层工会不存在 / no such grassroots union', 404);
  if (p.orgId !== union.id && !hasAnyRole(p, 'staff', 'admin'))
    return deny('只有本工会或上级工会的干事、管理员可以下载入会二维码 / only the union’s own people or staff and admins above it');
  return allow();
}

// ---------------------------------------------------------------------------
// Electronic member cards (电子会员卡)
// ---------------------------------------------------------------------------

/** What a card code names: a member's card, a card whose member record was removed, or nothing. */
export interface MemberCardFacts {
  state: 'member' | 'revoked' | 'unknown';
}

/**
 * The card itself (full name, union, number, QR code): whoever holds its
 * unguessable code — the member, from their status page. Nothing once the
 * member record is gone; an unknown code is not found.
 */
export function viewMemberCard(card: MemberCardFacts): Decision {
  if (card.state !== 'member') return deny('会员卡不存在或已失效 / no such member card', 404);
  return allow();
}

/**
 * A card's verification (扫码验证): anyone scanning its QR code, answered
 * with the masked name only; a removed member's card answers that it is not
 * valid. An unknown code is not found.
 */
export function verifyMemberCard(card: MemberCardFacts): Decision {
  if (card.state === 'unknown') return deny('会员卡不存在 / no such member card', 404);
  return allow();
}

/**
 * The development SMS outbox (短信发件箱, SMS_PROVIDER=outbox): admins only. It holds one-time codes, so
 * nobody else reads it; a deployment with a real provider has no outbox at all (the route answers 404).
 */
export function readSmsOutbox(p: Principal): Decision {
  if (hasAnyRole(p, 'admin')) return allow();
  return deny('只有管理员可以查看短信发件箱 / only admins may read the SMS outbox');
}
