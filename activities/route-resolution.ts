/**
 * Who acts on a chain step: resolves a step's `who` against the org tree and
 * users in the database, applying the step's rules (nobody matches, the
 * approver is the applicant), and computes its due time on the official
 * working-day calendar. Used by the workflow's activity when a step starts
 * and by the API's route preview, so both give the same answer.
 */
import type { HumanStep, OrgLevel } from '../domain/chain';
import { WorkingCalendar } from '../domain/calendar';
import { durationToMs, parseDuration } from '../domain/duration';
import type { Db } from '../db/knex';
import { getOrg, listAncestors, listTargetGroups, type OrgRow } from '../db/org-repository';
import { getUser, listUsersWithOrgPath, listUsersWithRole } from '../db/user-repository';
import { listAllOverrides, overridesTopDown, type OverrideRow } from '../db/calendar-repository';
import { calendarEntries } from '../domain/official-calendar';
import { activeDeputies } from '../db/deputy-repository';
import { deputyTarget } from '../domain/policy';
import type { ConditionPayload, ConditionResult, EvaluateConditionInput, ResolvedStep, ResolveStepInput } from '../workflows/approval-types';
import type { Condition } from '../domain/chain';
import { conditionFacts, describeCondition, evaluateCondition, skippedByConditionNote } from '../domain/conditions';

const LEVEL_NAMES: Record<OrgLevel, string> = {
  self: '申请单位',
  parent: '上级工会',
  region: '县区/产业工会',
  city: '市总工会',
  province: '省总工会',
  target: '受理基层工会',
};
const ROLE_NAMES: Record<string, string> = { reviewer: '审核员', admin: '管理员', staff: '干事', supervisor: '督办' };

async function orgAtLevel(db: Db, level: OrgLevel, applicantOrg: string, targetOrg?: string): Promise<OrgRow | undefined> {
  if (level === 'target') {
    if (!targetOrg) return undefined;
    return (await listAncestors(db, targetOrg))[0];
  }
  const chain = await listAncestors(db, applicantOrg); // nearest first
  switch (level) {
    case 'self':
      return chain[0];
    case 'parent':
      return chain[1];
    case 'region':
      return chain.find((o) => o.kind === 'county' || o.kind === 'industry');
    case 'city':
      return chain.find((o) => o.kind === 'city');
    case 'province':
      return chain.find((o) => o.kind === 'province');
  }
}

/**
 * Admins of the org, or of the nearest org above it that has one other than
 * the applicant: where the applicant is their org's only admin, the decision
 * goes up rather than being skipped (an admin proposing their own org's chain
 * change must still meet a second admin).
 */
async function nearestAdmins(db: Db, orgId: string, applicant: string | null): Promise<{ org: OrgRow; users: string[] } | undefined> {
  for (const org of await listAncestors(db, orgId)) {
    const admins = (await listUsersWithRole(db, org.id, 'admin')).filter((u) => u.username !== applicant);
    if (admins.length) return { org, users: admins.map((u) => u.username) };
  }
  return undefined;
}

export interface CalendarCache {
  /** The working calendar of an org: the official days and the overrides of the org and its ancestors (nearest wins). */
  get(orgId: string, at?: Date): Promise<WorkingCalendar>;
}

/**
 * The overrides change rarely; reload them at most every few seconds so an
 * admin's edit applies at once. A calendar covers last year to two years
 * ahead of now, enough for any due time a step sets.
 */
export function calendarCache(db: Db): CalendarCache {
  let cached: { overrides: OverrideRow[]; until: number } | undefined;
  return {
    async get(orgId, at = new Date()) {
      if (!cached || cached.until <= Date.now()) cached = { overrides: await listAllOverrides(db), until: Date.now() + 5_000 };
      const year = at.getUTCFullYear();
      const years = [year - 1, year, year + 1, year + 2];
      return new WorkingCalendar(calendarEntries(years, overridesTopDown(cached.overrides, await listAncestors(db, orgId))));
    },
  };
}

/**
 * A condition over one application, evaluated now, and said in words (the
 * form's labels for its fields, group and org-kind names for their ids).
 */
export async function evaluateStepCondition(
  db: Db,
  input: { when: Condition; type: string; applicantOrg: string; facts: ConditionPayload },
): Promise<ConditionResult> {
  const [org, groups] = await Promise.all([getOrg(db, input.applicantOrg), listTargetGroups(db)]);
  const facts = conditionFacts(input.type, input.facts as Record<string, unknown>, org);
  const holds = evaluateCondition(input.when, facts);
  const text = describeCondition(input.when, { fields: input.facts.labels, values: Object.fromEntries(groups.map((g) => [g.id, g.name])) });
  return { holds, ...text, note: skippedByConditionNote(text) };
}

/** A parallel group's condition (the activity behind the workflow's `evaluate`). */
export async function evaluateGroupCondition(db: Db, input: EvaluateConditionInput): Promise<ConditionResult> {
  return evaluateStepCondition(db, input);
}

/**
 * Who acts on a step, and whether it is reached at all: a step with a
 * condition (and the facts to judge it, carried by runs since conditions) is
 * skipped when it does not hold now, the result saying which condition.
 */
export async function resolveStepRoute(db: Db, calendars: CalendarCache, input: ResolveStepInput, now = new Date()): Promise<ResolvedStep> {
  let condition: ConditionResult | undefined;
  if (input.step.when !== undefined && input.facts) {
    condition = await evaluateStepCondition(db, { when: input.step.when, type: input.type ?? 'subsidy', applicantOrg: input.applicantOrg, facts: input.facts });
    if (!condition.holds) return { skip: true, rule: condition.note, role: null, orgId: null, orgPath: null, candidates: [], forbidden: [], condition };
  }
  const resolved = await resolveApprovers(db, calendars, input, now);
  return condition ? { ...resolved, condition } : resolved;
}

/** Who acts on a human step (its condition aside): the step's `who`, its rules, deputies, and its due time. */
export async function resolveApprovers(db: Db, calendars: CalendarCache, input: ResolveStepInput, now = new Date()): Promise<ResolvedStep> {
  const step: HumanStep = input.step;
  let role: string | null = null;
  let org: OrgRow | undefined;
  let candidates: string[] = [];
  let rule: string;
  // A named user's task belongs to that user's org: it bounds overrides and hand-offs (domain/policy.ts).
  let orgPaths: Record<string, string> | undefined;

  if (step.who.kind === 'users') {
    const found = await Promise.all(step.who.usernames.map((u) => getUser(db, u)));
    const active = found.filter((u) => !!u && u.active).map((u) => u!);
    candidates = active.map((u) => u.username);
    orgPaths = {};
    for (const u of active) {
      const userOrg = await getOrg(db, u.orgId);
      if (userOrg) orgPaths[u.username] = userOrg.path;
    }
    rule = `指定人员 / named users: ${candidates.join('、') || '—'}`;
  } else {
    role = step.who.role;
    org = await orgAtLevel(db, step.who.level, input.applicantOrg, input.targetOrg);
    const roleName = ROLE_NAMES[role] ?? role;
    if (org) {
      candidates = (await listUsersWithRole(db, org.id, role)).map((u) => u.username);
      rule = `${org.name}${roleName}（${LEVEL_NAMES[step.who.level]}）/ ${role} of ${org.id} (${step.who.level})`;
    } else {
      rule = `申请单位之上没有${LEVEL_NAMES[step.who.level]} / no ${step.who.level} org above the applicant`;
    }
  }

  const forbidden: string[] = [];
  if (input.applicant && candidates.includes(input.applicant)) {
    if ((step.onSelfApproval ?? 'skip') === 'skip') {
      candidates = candidates.filter((u) => u !== input.applicant);
      rule += '；申请人本人不审批自己的申请，已排除 / the applicant is left out';
    } else {
      forbidden.push(input.applicant);
      rule += '；申请人本人不得审批 / the applicant may not act';
    }
  }
  // 代理: each candidate away now (a range covering this type) is replaced by their deputy for this step.
  const away = await deputiesFor(
    db,
    candidates.filter((u) => !forbidden.includes(u)),
    input,
    now,
  );
  if (Object.keys(away).length) {
    candidates = [...new Set(candidates.map((u) => away[u]?.deputy ?? u))];
    if (orgPaths) for (const d of Object.values(away)) orgPaths[d.deputy] = d.orgPath;
    rule += Object.entries(away)
      .map(([absent, d]) => `；${absent}不在岗，由${d.deputy}代理 / ${absent} is away: deputy ${d.deputy}`)
      .join('');
  }
  const deputies = Object.keys(away).length ? Object.fromEntries(Object.entries(away).map(([a, d]) => [a, d.deputy])) : undefined;
  const actors = candidates.filter((u) => !forbidden.includes(u));

  if (actors.length === 0) {
    if ((step.onNoApprover ?? 'admin') === 'skip') {
      return {
        skip: true,
        rule: `${rule}；无人匹配，按规则跳过 / nobody matched: step skipped`,
        role,
        orgId: org?.id ?? null,
        orgPath: org?.path ?? null,
        candidates: [],
        forbidden,
      };
    }
    const fallbackFrom = org?.id ?? input.targetOrg ?? input.applicantOrg;
    const admins = await nearestAdmins(db, fallbackFrom, input.applicant);
    const adminUsers = admins?.users ?? [];
    if (!admins || adminUsers.length === 0) {
      return {
        skip: true,
        rule: `${rule}；无人匹配且无管理员，跳过 / nobody matched and no admin: skipped`,
        role,
        orgId: org?.id ?? null,
        orgPath: org?.path ?? null,
        candidates: [],
        forbidden,
      };
    }
    role = 'admin';
    org = admins.org;
    candidates = adminUsers;
    orgPaths = undefined; // the fallback admins act for their org
    rule = `${rule}；无人匹配，转${admins.org.name}管理员 / nobody matched: sent to the admin of ${admins.org.id}`;
  }

  // The due time follows the calendar of the task's org (a local holiday of its city counts).
  const due = step.sla ? dueTimes(await calendars.get(org?.id ?? input.targetOrg ?? input.applicantOrg, now), step.sla.limit, step.sla.remindBefore, now) : {};
  return {
    skip: false,
    rule,
    role,
    orgId: org?.id ?? null,
    orgPath: org?.path ?? null,
    ...(orgPaths ? { orgPaths } : {}),
    candidates,
    forbidden,
    ...(deputies ? { deputies } : {}),
    ...due,
  };
}

/**
 * 代理: the deputies in force now for these candidates and this application
 * type, each still one the policy allows (active, inside the absent person's
 * subtree). A deputy who is the applicant is not used: the task stays with
 * the absent person, as without a deputy.
 */
async function deputiesFor(db: Db, candidates: string[], input: ResolveStepInput, now: Date): Promise<Record<string, { deputy: string; orgPath: string }>> {
  const found = await activeDeputies(db, candidates, input.type, now);
  const absent = Object.keys(found);
  if (absent.length === 0) return {};
  const people = await listUsersWithOrgPath(db, [...new Set([...absent, ...Object.values(found)])]);
  const facts = (u: string) => people.find((x) => x.username === u);
  const out: Record<string, { deputy: string; orgPath: string }> = {};
  for (const a of absent) {
    const person = facts(a);
    const deputy = facts(found[a]!);
    if (!person || !deputy || deputy.username === input.applicant) continue;
    if (!deputyTarget(person, deputy).allow) continue;
    out[a] = { deputy: deputy.username, orgPath: deputy.orgPath };
  }
  return out;
}

/** Due time on working days; the reminder is a plain wall-clock span before it. */
export function dueTimes(
  cal: WorkingCalendar,
  limit: string | number,
  remindBefore: string | number | undefined,
  now: Date,
): { dueAt: string; remindAt?: string } {
  const due = cal.addWorkingTime(now, parseDuration(limit));
  if (remindBefore === undefined) return { dueAt: due.toISOString() };
  const remind = new Date(due.getTime() - durationToMs(remindBefore));
  return { dueAt: due.toISOString(), remindAt: remind > now ? remind.toISOString() : undefined };
}

/** 督办: an overdue task goes to the supervisor of its org level (else its admin), walking up the tree. */
export async function resolveEscalationTarget(db: Db, orgId: string): Promise<{ username: string; rule: string } | null> {
  for (const org of await listAncestors(db, orgId)) {
    for (const role of ['supervisor', 'admin']) {
      const users = await listUsersWithRole(db, org.id, role);
      if (users[0]) return { username: users[0].username, rule: `超时升级至${org.name}${ROLE_NAMES[role]} / escalated to the ${role} of ${org.id}` };
    }
  }
  return null;
}

/**
 * Phase-end escalation to `toOrg` (the city): approval tasks sitting below
 * it move to its admin; tasks at or above it stay, and its admins and
 * supervisors are told of everything still pending.
 */
export async function planEscalationTo(
  db: Db,
  toOrg: string,
  tasks: { id: string; orgId: string | null; kind: string }[],
): Promise<{ reassign: { taskId: string; to: string }[]; notify: string[] }> {
  const target = (await listAncestors(db, toOrg))[0];
  if (!target) return { reassign: [], notify: [] };
  const admins = (await listUsersWithRole(db, toOrg, 'admin')).map((u) => u.username);
  const supervisors = (await listUsersWithRole(db, toOrg, 'supervisor')).map((u) => u.username);
  const reassign: { taskId: string; to: string }[] = [];
  for (const t of tasks) {
    if (t.kind !== 'approval' || !t.orgId || !admins[0]) continue;
    const org = (await listAncestors(db, t.orgId))[0];
    if (org && org.id !== target.id && org.path.startsWith(target.path)) reassign.push({ taskId: t.id, to: admins[0] });
  }
  return { reassign, notify: [...new Set([...admins, ...supervisors])] };
}
