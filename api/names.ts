/**
 * Names beside ids (issue 15): every list and detail the API answers carries,
 * beside the logins and org, campaign and project ids it always had, the names
 * a person reads — people by name and post, orgs, campaigns (with their year)
 * and projects by name — and a title in which a workflow-made application's
 * project id is replaced by the project's name.
 */
import type { Db } from '../db/knex';
import { lookupNames, type NameBook } from '../db/names-repository';
import { mainPost } from '../domain/approval-sheet';

export { lookupNames, type NameBook };

/** The person as the API shows them: name and post; undefined for a login nobody holds (or 'system'). */
export function personOf(book: NameBook, username: string | null | undefined): { name: string; post: string } | undefined {
  const p = username ? book.people.get(username) : undefined;
  return p ? { name: p.name, post: mainPost(p) } : undefined;
}

/** An application as the workflow titled it, its project id (项目绩效自评：k4c842…) replaced by the project's name. */
export function shownTitle(book: NameBook, title: string, projectId: string | null | undefined): string {
  const name = projectId ? book.projects.get(projectId) : undefined;
  return name && title.includes(projectId!) ? title.split(projectId!).join(name) : title;
}

interface AppLike {
  title: string;
  applicant?: string | null;
  applicantOrg?: string | null;
  targetOrg?: string | null;
  campaignId?: string | null;
  projectId?: string | null;
  payload?: Record<string, unknown> | null;
}

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
const campaignOf = (a: AppLike) => a.campaignId ?? str(a.payload?.campaignId);
const projectOf = (a: AppLike) => a.projectId ?? str(a.payload?.projectId);

/** The ids of applications (and their tasks) whose names a page needs. */
export function appNameIds(rows: readonly AppLike[]) {
  return {
    users: rows.map((a) => a.applicant),
    orgs: rows.flatMap((a) => [a.applicantOrg, a.targetOrg]),
    campaigns: rows.map(campaignOf),
    projects: rows.map(projectOf),
    groups: rows.map((a) => str(a.payload?.group)),
  };
}

/** The names of an application: title (project by name), applicant's name and post, orgs, campaign name and year, project name. */
export function appNames(book: NameBook, a: AppLike) {
  const applicant = personOf(book, a.applicant);
  const campaignId = campaignOf(a);
  const campaign = campaignId ? book.campaigns.get(campaignId) : undefined;
  const projectId = projectOf(a);
  return {
    title: shownTitle(book, a.title, projectId),
    applicantName: applicant?.name ?? (a.applicant ? null : '职工本人 / the worker'),
    applicantPost: applicant?.post ?? null,
    applicantOrgName: a.applicantOrg ? (book.orgs.get(a.applicantOrg) ?? null) : null,
    targetOrgName: a.targetOrg ? (book.orgs.get(a.targetOrg) ?? null) : null,
    campaignId: campaignId ?? null,
    campaignName: campaign?.name ?? null,
    campaignYear: campaign?.year ?? null,
    projectName: projectId ? (book.projects.get(projectId) ?? null) : null,
    groupName: str(a.payload?.group) ? (book.groups.get(str(a.payload?.group)!) ?? null) : null,
  };
}

/** One page of applications' names, looked up at once. */
export async function namesForApps(
  db: Db,
  rows: readonly AppLike[],
  extra: { users?: (string | null | undefined)[]; orgs?: (string | null | undefined)[] } = {},
) {
  const ids = appNameIds(rows);
  return lookupNames(db, { ...ids, users: [...ids.users, ...(extra.users ?? [])], orgs: [...ids.orgs, ...(extra.orgs ?? [])] });
}
