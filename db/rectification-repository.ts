/** 整改事项 (rectification items) opened by inspection findings: the only SQL that touches them. */
import type { Knex } from 'knex';
import type { Db } from './knex';
import { ACTIVE_RECTIFICATION, type Finding, type RectificationStatus } from '../domain/rectification';

export interface RectificationRow {
  id: string;
  projectId: string;
  projectName: string;
  campaignId: string;
  regionOrg: string;
  regionPath: string;
  finding: string;
  severity: string;
  deadline: string;
  inspectedOn: string | null;
  status: RectificationStatus;
  openedBy: string;
  openedAt: Date;
  reportedBy: string | null;
  reportedAt: Date | null;
  reportNote: string | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionNote: string | null;
}

const columns = {
  id: 'r.id_text',
  projectId: 'r.project_id',
  projectName: 'p.name',
  campaignId: 'r.campaign_id',
  regionOrg: 'r.region_org',
  regionPath: 'o.path',
  finding: 'r.finding',
  severity: 'r.severity',
  deadline: 'r.deadline_text',
  inspectedOn: 'r.inspected_on_text',
  status: 'r.status',
  openedBy: 'r.opened_by',
  openedAt: 'r.opened_at',
  reportedBy: 'r.reported_by',
  reportedAt: 'r.reported_at',
  reportNote: 'r.report_note',
  decidedBy: 'r.decided_by',
  decidedAt: 'r.decided_at',
  decisionNote: 'r.decision_note',
};

/** The items with their project and region, dates as YYYY-MM-DD text (never shifted by a time zone). */
function base(db: Db | Knex.Transaction) {
  return db
    .from(
      db.raw(
        "(SELECT *, id::text AS id_text, to_char(deadline, 'YYYY-MM-DD') AS deadline_text, to_char(inspected_on, 'YYYY-MM-DD') AS inspected_on_text FROM rectifications) AS r",
      ),
    )
    .join('projects as p', 'p.id', 'r.project_id')
    .join('orgs as o', 'o.id', 'r.region_org')
    .select(columns);
}

/**
 * Opens one item per finding with a deadline, keyed `key:<index>` (a retry opens
 * nothing twice), each with a timeline entry on the project.
 */
export async function openRectifications(
  db: Db,
  p: { key: string; projectId: string; campaignId: string; regionOrg: string; actor: string; inspectedOn: string; findings: Finding[] },
): Promise<number> {
  return db.transaction(async (trx) => {
    let opened = 0;
    for (const [i, f] of p.findings.entries()) {
      if (!f.deadline) continue;
      const [row] = await trx('rectifications')
        .insert({
          item_key: `${p.key}:${i}`,
          project_id: p.projectId,
          campaign_id: p.campaignId,
          region_org: p.regionOrg,
          finding: f.text,
          severity: f.severity,
          deadline: f.deadline,
          inspected_on: p.inspectedOn,
          opened_by: p.actor,
        })
        .onConflict('item_key')
        .ignore()
        .returning('id');
      if (!row) continue;
      opened += 1;
      await trx('project_events')
        .insert({
          event_key: `${p.key}:${i}:opened`,
          project_id: p.projectId,
          actor: p.actor,
          kind: 'rectification',
          data: JSON.stringify({ action: 'opened', rectificationId: String(row.id), finding: f.text, severity: f.severity, deadline: f.deadline }),
        })
        .onConflict('event_key')
        .ignore();
    }
    return opened;
  });
}

export async function getRectification(db: Db, id: string): Promise<RectificationRow | undefined> {
  if (!/^\d{1,18}$/.test(id)) return undefined;
  return base(db).where('r.id', id).first();
}

export async function listRectifications(
  db: Db,
  opts: { campaignId?: string; projectId?: string; scopePath?: string; regionOrg?: string; status?: string; limit?: number },
): Promise<RectificationRow[]> {
  const q = base(db)
    .orderBy('r.id')
    .limit(opts.limit ?? 500);
  if (opts.campaignId) q.where('r.campaign_id', opts.campaignId);
  if (opts.projectId) q.where('r.project_id', opts.projectId);
  if (opts.scopePath) q.where('o.path', 'like', `${opts.scopePath}%`);
  if (opts.regionOrg) q.where('r.region_org', opts.regionOrg);
  if (opts.status) q.where('r.status', opts.status);
  return q;
}

/**
 * Moves an item from `from` to `to` only if it is still in `from` (two people
 * acting at once: one wins, the other gets undefined), with a timeline entry.
 */
export async function transitionRectification(
  db: Db,
  p: { id: string; from: RectificationStatus; to: RectificationStatus; actor: string; note: string; eventKey: string },
): Promise<RectificationRow | undefined> {
  return db.transaction(async (trx) => {
    const reporting = p.to === 'reported';
    const changed = await trx('rectifications')
      .where({ id: p.id, status: p.from })
      .update(
        reporting
          ? { status: p.to, reported_by: p.actor, reported_at: trx.fn.now(), report_note: p.note, updated_at: trx.fn.now() }
          : { status: p.to, decided_by: p.actor, decided_at: trx.fn.now(), decision_note: p.note, updated_at: trx.fn.now() },
      )
      .returning(['project_id', 'finding']);
    const row = changed[0] as { project_id: string; finding: string } | undefined;
    if (!row) return undefined;
    await trx('project_events')
      .insert({
        event_key: p.eventKey,
        project_id: row.project_id,
        actor: p.actor,
        kind: 'rectification',
        data: JSON.stringify({ action: p.to, rectificationId: p.id, finding: row.finding, note: p.note }),
      })
      .onConflict('event_key')
      .ignore();
    return base(trx as unknown as Db)
      .where('r.id', p.id)
      .first();
  });
}

/** At campaign close: every item of the project still open, reported or sent back lapses, each with a timeline entry. */
export async function lapseRectifications(db: Db, p: { projectId: string; key: string; note: string }): Promise<number> {
  // (each item lapses once: its timeline entry is keyed by the item; `key` names the close that lapsed it)
  return db.transaction(async (trx) => {
    const rows: { id: string; finding: string; item_key: string }[] = await trx('rectifications')
      .where({ project_id: p.projectId })
      .whereIn('status', ACTIVE_RECTIFICATION as string[])
      .update({ status: 'lapsed', decided_by: 'system', decided_at: trx.fn.now(), decision_note: p.note, updated_at: trx.fn.now() })
      .returning(['id', 'finding', 'item_key']);
    for (const r of rows)
      await trx('project_events')
        .insert({
          event_key: `${r.item_key}:lapsed`,
          project_id: p.projectId,
          actor: 'system',
          kind: 'rectification',
          data: JSON.stringify({ action: 'lapsed', rectificationId: String(r.id), finding: r.finding, note: p.note }),
        })
        .onConflict('event_key')
        .ignore();
    return rows.length;
  });
}

/** Per region of a campaign: items still to act on (open, reported, sent back) and, of those, overdue on `today` (Beijing date). */
export async function rectificationCounts(db: Db, campaignId: string, today: string): Promise<{ region: string; open: number; overdue: number }[]> {
  const rows: { region: string; open: string | number; overdue: string | number }[] = await db('rectifications')
    .where({ campaign_id: campaignId })
    .whereIn('status', ACTIVE_RECTIFICATION as string[])
    .groupBy('region_org')
    .select({ region: 'region_org' })
    .select(db.raw('count(*) AS open'))
    .select(db.raw("count(*) FILTER (WHERE status IN ('open', 'returned') AND deadline < ?::date) AS overdue", [today]));
  return rows.map((r) => ({ region: r.region, open: Number(r.open), overdue: Number(r.overdue) }));
}
