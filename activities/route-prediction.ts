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
  return {
    remaining: true,
    who: await visibleLogins(db, who, subject.canSee),
    approvers: await approversOf(db, who, r.orgId, r.role, subject.canSee),
    why: await whyOf(db, def, r),
    rule: condition && !condition.holds ? `${r.rule}；条件不满足，将跳过 / condition not met: would be skipped` : r.rule,
    skip: r.skip || (condition ? !condition.holds : false),
    condition,
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
  return {
    remaining: true,
    who: await visibleLogins(db, who, subject.canSee),
    approvers: await approversOf(db, who, first?.orgId ?? null, first?.role ?? null, subject.canSee),
    why: await whyOf(db, def, { skip: false, rule: rule ?? '', orgId: first?.orgId ?? null, role: first?.role ?? null }),
    rule,
    condition: await predictCondition(db, subject, def.when),
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
