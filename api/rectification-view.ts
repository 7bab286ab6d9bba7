/** 整改事项 as the API answers them (kept apart from the routes so the project view can use them without the router). */
import type { Db } from '../db/knex';
import type { RectificationRow } from '../db/rectification-repository';
import { beijingDate, beijingTime } from '../domain/beijing-time';
import { isRectificationOverdue, RECTIFICATION_STATUS_LABELS, SEVERITY_LABELS, type Severity } from '../domain/rectification';
import { lookupNames, personOf, type NameBook } from './names';

/** An item as the API answers it: names beside logins and ids, Beijing times, overdue flagged. */
export function rectificationView(r: RectificationRow, book: NameBook, today: string) {
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
  };
}

export async function rectificationViews(db: Db, rows: RectificationRow[]) {
  const book = await lookupNames(db, {
    users: rows.flatMap((r) => [r.openedBy, r.reportedBy, r.decidedBy]),
    orgs: rows.map((r) => r.regionOrg),
  });
  const today = beijingDate(new Date());
  return rows.map((r) => rectificationView(r, book, today));
}
