/** 整改事项 as the API answers them (kept apart from the routes so the project view can use them without the router). */
import type { Db } from '../db/knex';
import type { RectificationRow } from '../db/rectification-repository';
import { beijingDate, beijingTime } from '../domain/beijing-time';
import { isRectificationOverdue, rectificationTransition, RECTIFICATION_STATUS_LABELS, SEVERITY_LABELS, type Severity } from '../domain/rectification';
import { decideRectification, reportRectification, type CampaignFacts, type Principal } from '../domain/policy';
import { lookupNames, personOf, type NameBook } from './names';

/** An item as the API answers it: names beside logins and ids, Beijing times, overdue flagged. */
export function rectificationView(r: RectificationRow, book: NameBook, today: string, who?: Viewer) {
  return {
    id: r.id,
    projectId: r.projectId,
    projectName: r.projectName,
    region: r.regionOrg,
    regionName: book.orgs.get(r.regionOrg) ?? null,
    finding: r.finding,
    severity: r.severity,
    severityLabel: SEVERITY_LABELS[r.severity as Severity] ?? r.severity,
    deadline: r.deadline,
    inspectedOn: r.inspectedOn,
    status: r.status,
    statusLabel: RECTIFICATION_STATUS_LABELS[r.status],
    overdue: isRectificationOverdue(r, today),
    openedBy: personOf(book, r.openedBy) ?? null,
    openedAt: r.openedAt,
    openedAtBeijing: beijingTime(r.openedAt),
    report: r.reportedAt ? { by: personOf(book, r.reportedBy) ?? null, at: r.reportedAt, atBeijing: beijingTime(r.reportedAt), note: r.reportNote } : null,
    decision: r.decidedAt
      ? {
          by: r.decidedBy === 'system' ? { name: '系统 / system', post: '' } : (personOf(book, r.decidedBy) ?? null),
          at: r.decidedAt,
          atBeijing: beijingTime(r.decidedAt),
          note: r.decisionNote,
        }
      : null,
    /** What the caller may do on it now (the policy and the item's state; the web app offers just these). */
    ...(who ? { allowed: allowedOn(r, who) } : {}),
  };
}

/** Who is looking, and the campaign the item belongs to. */
export interface Viewer {
  caller: Principal;
  facts: CampaignFacts;
  /** The campaign has closed: nothing more to do on any item. */
  closed: boolean;
}

function allowedOn(r: RectificationRow, who: Viewer): { report: boolean; decide: boolean } {
  if (who.closed) return { report: false, decide: false };
  return {
    report: reportRectification(who.caller, who.facts, r).allow && rectificationTransition(r.status, 'report').ok,
    decide: decideRectification(who.caller, who.facts, r).allow && rectificationTransition(r.status, 'accept').ok,
  };
}

export async function rectificationViews(db: Db, rows: RectificationRow[], who?: Viewer) {
  const book = await lookupNames(db, {
    users: rows.flatMap((r) => [r.openedBy, r.reportedBy, r.decidedBy]),
    orgs: rows.map((r) => r.regionOrg),
  });
  const today = beijingDate(new Date());
  return rows.map((r) => rectificationView(r, book, today, who));
}
