/**
 * Route prediction (审批路径预测): for each remaining step of an application
 * — or of a draft chain and a sample application, in the designer — whether
 * its condition holds now (and the condition in words), who would act, by
 * name and post, and why. Read-only: the same resolution the workflow's
 * activity performs when a step is reached (route-resolution.ts).
 */
import type { ApplicationType, Condition, HumanStep, OrgLevel, Step } from '../domain/chain';
import type { Db } from '../db/knex';
import { getOrg } from '../db/org-repository';
import { listActivePosts, listUsersWithOrgPath } from '../db/user-repository';
import type { ConditionPayload, ConditionResult, ResolvedStep } from '../workflows/approval-types';
import { branchName } from '../workflows/approval-engine';
import { evaluateStepCondition, resolveApprovers, type CalendarCache } from './route-resolution';
import { beijingTime, DECISION_LABELS } from '../domain/approval-sheet';
import { skippedByConditionNote } from '../domain/conditions';

const ROLE_NAMES: Record<string, string> = { reviewer: '审核员', admin: '管理员', staff: '干事', supervisor: '督办' };
const LEVEL_NAMES: Record<OrgLevel, string> = {
  self: '申请单位',
  parent: '上级工会',
  region: '县区/产业工会',
  city: '市级',
  province: '省级',
  target: '受理基层工会',
};

/** The application (or the sample) a route is predicted for. */
export interface RouteSubject {
  applicationId: string;
  type: ApplicationType;
  applicant: string | null;
  applicantOrg: string;
  targetOrg?: string;
  /** The payload fields conditions read, and the form's labels. */
  facts: ConditionPayload;
  /**
   * Whether the caller may see a person of an org at this path (the policy's seeOrg); absent: everyone shown.
   * A draft chain may name anyone: the preview names only those within the caller's sight.
   */
  canSee?: (orgPath: string) => boolean;
}

/** Someone who would act, as users know them: name and post (never a login). */
export interface Approver {
  name: string;
  post: string;
}

export interface PredictedCondition {
  /** Whether it holds now, for this application's facts. */
  holds: boolean;
  zh: string;
  en: string;
  /** "中文 / English". */
  text: string;
}

/** One step's prediction (the route adds the step's own fields: index, id, name, status …). */
export interface StepPrediction {
  remaining: boolean;
  /** Logins of who would act (kept for current clients; shown to users: `approvers`). */
  who: string[];
  approvers: Approver[];
  /** Why these approvers: 平顶山市总工会 的 审核员 / role reviewer at level city. */
  why: string | null;
  rule?: string;
  /** The step would be skipped (its condition does not hold, or nobody matches and the step skips). */
  skip?: boolean;
  condition: PredictedCondition | null;
  /** Why this approver, as users say it (按角色：… / 指定人员 / 无人匹配→… / 申请人本人→跳过); see {@link reasonOf}. */
  reason?: string;
  /** Why the step would be skipped as things stand (the condition in words, or the rule), else absent. */
  skipReason?: string;
}

export interface BranchPrediction {
  index: number;
  name: string;
  status: string;
  steps: ({ index: number; id: string; name: string; status: string } & StepPrediction)[];
}

function conditionView(r: ConditionResult): PredictedCondition {
  return { holds: r.holds, zh: r.zh, en: r.en, text: `${r.zh} / ${r.en}` };
}

/** Whether a condition holds now for the subject, in words; null without a condition. */
export async function predictCondition(db: Db, subject: RouteSubject, when: Condition | undefined): Promise<PredictedCondition | null> {
  if (when === undefined) return null;
  return conditionView(await evaluateStepCondition(db, { when, type: subject.type, applicantOrg: subject.applicantOrg, facts: subject.facts }));
}

/** Names and posts of these users: the post at the org the step resolved to where they hold one there, else their first. */
export async function approversOf(
  db: Db,
  usernames: readonly string[],
  orgId: string | null,
  role: string | null,
  canSee?: (orgPath: string) => boolean,
): Promise<Approver[]> {
  if (usernames.length === 0) return [];
  const [people, posts] = await Promise.all([listUsersWithOrgPath(db, usernames), listActivePosts(db, usernames)]);
  return usernames.map((u) => {
    const person = people.find((p) => p.username === u);
    if (canSee && (!person || !canSee(person.orgPath))) return { name: '（范围外人员）', post: '（不在您的可见范围内）/ outside your scope' };
    const mine = posts.filter((p) => p.username === u);
    const post = mine.find((p) => p.orgId === orgId && (!role || p.role === role)) ?? mine.find((p) => p.orgId === orgId) ?? mine[0];
    return {
      name: person?.name ?? '（已停用用户）',
      post: post ? `${post.orgName} ${ROLE_NAMES[post.role] ?? post.role}` : '（无在职岗位）',
    };
  });
}

/** The logins the caller may see (all, without a `canSee`). */
async function visibleLogins(db: Db, usernames: string[], canSee?: (orgPath: string) => boolean): Promise<string[]> {
  if (!canSee || usernames.length === 0) return usernames;
  const people = await listUsersWithOrgPath(db, usernames);
  return usernames.filter((u) => people.some((p) => p.username === u && canSee(p.orgPath)));
}

/** Why the step goes to these people, in words (the step's `who` and the org it resolved to). */
async function whyOf(db: Db, def: HumanStep, r: Pick<ResolvedStep, 'skip' | 'rule' | 'orgId' | 'role'>): Promise<string> {
  if (r.skip) return r.rule;
  if (def.who.kind === 'users') return '指定人员 / named users';
  if (!r.role) return r.rule; // handed on to a named person (转办, escalation): the rule says how
  const org = r.orgId ? await getOrg(db, r.orgId) : undefined;
  const role = r.role;
  const roleName = ROLE_NAMES[role] ?? role;
  if (role !== def.who.role)
    return `无人匹配，转 ${org?.name ?? '上级'} 的 ${roleName} / nobody matched: the ${role} of the org above (${def.who.level} ${def.who.role} wanted)`;
  return `${org?.name ?? '—'} 的 ${roleName}（${LEVEL_NAMES[def.who.level]}）/ role ${role} at level ${def.who.level}`;
}

/**
 * A human step not yet open: its condition now, and who its `who` resolves
 * to now (as if it were reached now; the condition aside, so that a step
 * that would be skipped still says whom it would reach).
 */
export async function predictHumanStep(db: Db, calendars: CalendarCache, subject: RouteSubject, def: HumanStep): Promise<StepPrediction> {
  const condition = await predictCondition(db, subject, def.when);
  const { when: _when, ...step } = def;
  const r = await resolveApprovers(db, calendars, {
    applicationId: subject.applicationId,
    step,
    applicant: subject.applicant,
    applicantOrg: subject.applicantOrg,
    targetOrg: subject.targetOrg,
    type: subject.type,
  });
  const who = r.skip ? [] : r.candidates;
  const reason = await reasonOf(db, def, r);
  const skipReason = condition && !condition.holds ? skippedByConditionNote(condition) : r.skip ? reason : undefined;
  return {
    remaining: true,
    who: await visibleLogins(db, who, subject.canSee),
    approvers: await approversOf(db, who, r.orgId, r.role, subject.canSee),
    why: await whyOf(db, def, r),
    rule: condition && !condition.holds ? `${r.rule}；条件不满足，将跳过 / condition not met: would be skipped` : r.rule,
    skip: r.skip || (condition ? !condition.holds : false),
    condition,
    ...(skipReason ? { skipReason } : {}),
    reason,
  };
}

/** A step already open: who holds its pending tasks. */
export async function predictOpenStep(
  db: Db,
  subject: RouteSubject,
  def: HumanStep,
  rule: string | undefined,
  tasks: { assignee: string | null; candidates: string[]; orgId: string | null; role: string | null }[],
): Promise<StepPrediction> {
  const who = [...new Set(tasks.flatMap((t) => (t.assignee ? [t.assignee] : t.candidates)))];
  const first = tasks[0];
  const resolved = { skip: false, rule: rule ?? '', orgId: first?.orgId ?? null, role: first?.role ?? null };
  return {
    remaining: true,
    who: await visibleLogins(db, who, subject.canSee),
    approvers: await approversOf(db, who, first?.orgId ?? null, first?.role ?? null, subject.canSee),
    why: await whyOf(db, def, resolved),
    rule,
    condition: await predictCondition(db, subject, def.when),
    reason: await reasonOf(db, def, resolved),
  };
}

/** The branches of a parallel group not yet started: each step as {@link predictHumanStep}. */
export async function predictGroup(
  db: Db,
  calendars: CalendarCache,
  subject: RouteSubject,
  def: Extract<Step, { type: 'parallel' }>,
): Promise<{ condition: PredictedCondition | null; branches: BranchPrediction[] }> {
  const condition = await predictCondition(db, subject, def.when);
  const branches: BranchPrediction[] = [];
  for (const [b, steps] of def.branches.entries()) {
    const predicted = [];
    for (const [i, st] of steps.entries())
      predicted.push({ index: i, id: st.id, name: st.name, status: 'waiting', ...(await predictHumanStep(db, calendars, subject, st)) });
    branches.push({ index: b, name: branchName({ def, status: 'waiting', forbidden: [] }, b), status: 'waiting', steps: predicted });
  }
  return { condition, branches };
}

/* ---------- The diagram (审批路线图): each step's state, who acted, and why this approver ---------- */

/**
 * Where a step stands, as the diagram draws it: done; current (open now);
 * waiting (still to come); willSkip (still to come, but as things stand it
 * would be skipped); skipped (passed over: a condition, nobody to act, the
 * applicant themself); notReached (the application ended before it, or the
 * other branch of an 或签 group finished first).
 */
export type DiagramState = 'done' | 'current' | 'waiting' | 'willSkip' | 'skipped' | 'notReached';

/** The diagram state of a step (or branch step) from its status in the run and the application's. */
export function diagramState(status: string, appStatus: string, o: { willSkip?: boolean; branchCancelled?: boolean } = {}): DiagramState {
  if (status === 'done') return 'done';
  if (status === 'skipped') return 'skipped';
  if (o.branchCancelled || (appStatus !== 'pending' && appStatus !== 'returned')) return 'notReached';
  if (status === 'active' && appStatus === 'pending') return 'current';
  return o.willSkip ? 'willSkip' : 'waiting';
}

/** Someone who acted on a step: name and post (never a login), the decision in words, when (Beijing time). */
export interface StepActor {
  name: string;
  post: string;
  /** The timeline action (approve, reject, return, …, auto:…). */
  action: string;
  /** The decision in words: 同意 / approved. */
  decision: string;
  /** ISO instant, and the same in Beijing time (2026-07-03 14:05) for people. */
  at: string;
  atText: string;
  comment: string | null;
}

/** A timeline row as the diagram reads it (after the caller's view of it: api/approvals-service.ts timelineFor). */
export interface HistoryEntry {
  at: Date | string;
  actor: string;
  action: string;
  comment?: string | null;
  stepIndex: number | null;
  data?: Record<string, unknown> | null;
}

/** Where a task sits, to find the post its decider acted in. */
export interface HistoryTask {
  stepIndex: number;
  branch?: number;
  branchStep?: number;
  assignee: string | null;
  candidates: string[];
  decidedBy?: string;
  orgId: string | null;
  role: string | null;
}

const ACTED_EN: Record<string, string> = {
  approve: 'approved',
  reject: 'rejected',
  return: 'returned',
  transfer: 'transferred',
  delegate: 'delegated',
  delegateResolved: "delegate's opinion",
  addSigner: 'added a signer',
  removeSigner: 'removed a signer',
  retract: 'retracted the approval',
};

function decisionWords(e: HistoryEntry): string {
  if (e.action.startsWith('auto:')) return '自动办理 / done automatically';
  if (e.action === 'delegateResolved')
    return e.data?.opinion === 'reject' ? "委派意见：不同意 / delegate's opinion: disagree" : "委派意见：同意 / delegate's opinion: agree";
  const zh = DECISION_LABELS[e.action] ?? e.action;
  return `${zh}${e.data?.override ? '（管理员代为办理）' : ''} / ${ACTED_EN[e.action] ?? e.action}${e.data?.override ? ' (by an admin)' : ''}`;
}

/** The words for a rule that skipped a step or sent it elsewhere (the rule itself names logins and ids: never shown). */
function skipWords(rule: string): string {
  if (rule.includes('申请人本人')) return '申请人本人→跳过 / the applicant themself → skipped';
  if (rule.includes('无人匹配且无管理员')) return '无人匹配且无管理员→跳过 / nobody matched and no admin → skipped';
  if (rule.includes('无人匹配')) return '无人匹配→跳过 / nobody matched → skipped';
  return '按规则跳过 / skipped by the step’s rule';
}

/**
 * Why these approvers, as users say it: 按角色：新华区总工会 审核员 / 指定人员 /
 * 无人匹配→平顶山市总工会 管理员 / 申请人本人→跳过 / 条件不满足：…，跳过.
 */
export async function reasonOf(
  db: Db,
  def: HumanStep,
  r: { skip: boolean; rule: string; orgId: string | null; role: string | null; condition?: { holds: boolean; zh: string; en: string } | null },
): Promise<string> {
  if (r.condition && !r.condition.holds) return skippedByConditionNote(r.condition);
  if (r.skip) return skipWords(r.rule);
  const extra = [
    ...(r.rule.includes('申请人本人不审批自己的申请') ? [{ zh: '申请人本人已排除', en: 'the applicant left out' }] : []),
    ...(r.rule.includes('申请人本人不得审批') ? [{ zh: '申请人本人不得审批', en: 'the applicant may not act' }] : []),
    ...(r.rule.includes('不在岗') ? [{ zh: '不在岗者由代理人办理', en: 'a deputy stands in for someone away' }] : []),
  ];
  const more = (zh: string, en: string) =>
    extra.length ? `${zh}（${extra.map((x) => x.zh).join('；')}）/ ${en} (${extra.map((x) => x.en).join('; ')})` : `${zh} / ${en}`;
  if (def.who.kind === 'users') return more('指定人员', 'named people');
  if (!r.role) return r.rule.startsWith('超时升级') ? '超时升级 / escalated' : '转交办理 / handed on';
  const org = r.orgId ? await getOrg(db, r.orgId) : undefined;
  const orgName = org?.name ?? '上级工会';
  const roleName = ROLE_NAMES[r.role] ?? r.role;
  if (r.role !== def.who.role) return more(`无人匹配→${orgName} ${roleName}`, `nobody matched → the ${r.role} of ${orgName}`);
  return more(`按角色：${orgName} ${roleName}`, `by role: ${r.role} of ${orgName}`);
}

/**
 * The diagram's fields of a step nothing has happened to yet (a step of a group not started, a chain's sample route):
 * waiting, or — as things stand, or because its whole group's condition fails (`groupSkip`, in words) — would be skipped.
 */
export function predictedDiagram(
  p: { skip?: boolean; skipReason?: string; condition?: { text: string } | null },
  groupSkip?: string,
): { state: 'willSkip' | 'waiting'; actors: StepActor[]; skipReason: string | null; conditionText: string | null } {
  return {
    state: groupSkip || p.skip ? 'willSkip' : 'waiting',
    actors: [],
    skipReason: groupSkip ?? (p.skip ? (p.skipReason ?? null) : null),
    conditionText: p.condition?.text ?? null,
  };
}

/**
 * Who acted on one step (a top-level step, or a step of a branch) and, if it
 * was skipped, why in words — from the timeline, the posts from the tasks.
 */
export async function stepHistory(
  db: Db,
  entries: readonly HistoryEntry[],
  tasks: readonly HistoryTask[],
  where: { stepIndex: number; branch?: number; branchStep?: number },
): Promise<{ actors: StepActor[]; skipReason: string | null }> {
  const mine = entries.filter(
    (e) =>
      e.stepIndex === where.stepIndex &&
      (where.branch === undefined ? typeof e.data?.branch !== 'number' : e.data?.branch === where.branch && e.data?.branchStep === where.branchStep),
  );
  const actors: StepActor[] = [];
  for (const e of mine) {
    const auto = e.action.startsWith('auto:');
    if (!auto && !(e.action in ACTED_EN)) continue;
    const at = new Date(e.at).toISOString();
    let who: Approver = { name: '系统自动办理 / automatic', post: '' };
    if (!auto && e.actor !== 'system') {
      const here = tasks.filter((t) => t.stepIndex === where.stepIndex && t.branch === where.branch && t.branchStep === where.branchStep);
      const task = here.find((t) => t.decidedBy === e.actor || t.assignee === e.actor || t.candidates.includes(e.actor)) ?? here[0];
      who = (await approversOf(db, [e.actor], task?.orgId ?? null, task?.role ?? null))[0]!;
    }
    actors.push({ ...who, action: e.action, decision: decisionWords(e), at, atText: beijingTime(at), comment: e.comment ?? null });
  }
  const skipped = [...mine].reverse().find((e) => e.action === 'skipped');
  const c = skipped?.data?.condition as { zh?: unknown; en?: unknown } | undefined;
  const skipReason = !skipped
    ? null
    : typeof c?.zh === 'string' && typeof c.en === 'string'
      ? skippedByConditionNote({ zh: c.zh, en: c.en })
      : skipWords(skipped.comment ?? '');
  return { actors, skipReason };
}
