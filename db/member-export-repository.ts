/**
 * Reads and writes of the bulk member upload and the provincial real-name
 * export (省级会员库导出): which keyed progress reports a project has already
 * recorded (a file uploaded again is recognised), the members a campaign
 * registered with their union, project and region names, and the export's
 * audit row (个人信息导出记录) on the append-only audit trail.
 */
import type { Db } from './knex';

/** Of these project-event keys (the workflow id and the Update's key), those already recorded. */
export async function recordedEventKeys(db: Db, keys: readonly string[]): Promise<Set<string>> {
  if (!keys.length) return new Set();
  const rows: { event_key: string }[] = await db('project_events').whereIn('event_key', keys).select('event_key');
  return new Set(rows.map((r) => r.event_key));
}

/** One member as the provincial export lists them: ciphertexts (the API decrypts), names rather than codes. */
export interface ProvincialMemberRow {
  id: string;
  name: string;
  idNumberEnc: string;
  phoneEnc: string | null;
  employer: string | null;
  unionName: string | null;
  joinedAt: Date;
  groupId: string | null;
  groupName: string | null;
  regionName: string | null;
  projectName: string | null;
  /** 劳务派遣: from the verified report that admitted the member (`member_reports`); false for members who came otherwise. */
  dispatched: boolean;
  /** The dispatch agency (派遣单位) of a dispatched worker. */
  agency: string | null;
}

/** The members a campaign's projects registered (each once: `members` is unique by ID number), oldest first, at most `limit`. */
export async function listCampaignMembersForExport(db: Db, campaignId: string, limit: number): Promise<ProvincialMemberRow[]> {
  return db('members as m')
    .leftJoin('orgs as u', 'u.id', 'm.union_id')
    .leftJoin('projects as p', 'p.id', 'm.project_id')
    .leftJoin('orgs as r', 'r.id', 'p.region_org')
    .leftJoin('target_groups as g', 'g.id', 'm.group_id')
    .leftJoin(
      db('member_reports')
        .where({ status: 'verified' })
        .distinctOn('id_number_hash')
        .orderBy([{ column: 'id_number_hash' }, { column: 'id', order: 'desc' }])
        .select('id_number_hash', 'dispatched', 'agency')
        .as('mr'),
      'mr.id_number_hash',
      'm.id_number_hash',
    )
    .where('m.campaign_id', campaignId)
    .orderBy('m.id')
    .limit(limit)
    .select({
      id: 'm.id',
      name: 'm.name',
      idNumberEnc: 'm.id_number_enc',
      phoneEnc: 'm.phone_enc',
      employer: 'm.employer',
      unionName: 'u.name',
      joinedAt: 'm.joined_at',
      groupId: 'm.group_id',
      groupName: 'g.name',
      regionName: 'r.name',
      projectName: 'p.name',
      dispatched: db.raw('coalesce(mr.dispatched, false)'),
      agency: 'mr.agency',
    });
}

/** The audit row of one export of full personal data: who, which campaign, how many members, which columns, which format. */
export async function recordPersonalDataExport(
  db: Db,
  e: { key: string; campaignId: string; actor: string; format: string; members: number; fields: readonly string[] },
): Promise<void> {
  await db('audit_log').insert({
    event_key: e.key,
    application_id: e.campaignId,
    actor: e.actor,
    action: 'personalDataExported',
    comment: `省级会员库导出 ${e.members} 人 / provincial member export of ${e.members}`,
    data: JSON.stringify({ kind: 'provincialMembers', campaignId: e.campaignId, format: e.format, members: e.members, fields: e.fields }),
  });
}
