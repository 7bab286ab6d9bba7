/**
 * The reveal audit (个人信息查看记录): the `personalDataViewed` rows of the
 * append-only audit trail, with who viewed (username and name) and which
 * application. Newest first, paged by the audit row's id.
 */
import type { Db } from './knex';

export interface RevealRecord {
  id: string;
  at: Date;
  actor: string;
  actorName: string | null;
  applicationId: string;
  applicationType: string;
  title: string;
  /** The application's short reference (e.g. RH2611-4821), where it has one. */
  reference: string | null;
  step: string | null;
  stepIndex: number | null;
  taskId: string | null;
  fields: string[];
}

export interface RevealFilter {
  /** Reveals of applications whose applicant or receiving org path starts with it (the policy's scope). */
  pathPrefix: string;
  from?: Date;
  to?: Date;
  actor?: string;
  /** Only reveals older than this audit row id (the previous page's last). */
  beforeId?: string;
  limit: number;
}

export async function listReveals(db: Db, f: RevealFilter): Promise<RevealRecord[]> {
  const q = db('audit_log as l')
    .join('applications as a', 'a.id', 'l.application_id')
    .join('orgs as ao', 'ao.id', 'a.applicant_org')
    .leftJoin('orgs as tgo', 'tgo.id', 'a.target_org')
    .leftJoin('users as u', 'u.username', 'l.actor')
    .where('l.action', 'personalDataViewed')
    .andWhere((w) => void w.where('ao.path', 'like', `${f.pathPrefix}%`).orWhere('tgo.path', 'like', `${f.pathPrefix}%`))
    .select({
      id: 'l.id',
      at: 'l.at',
      actor: 'l.actor',
      actorName: 'u.name',
      applicationId: 'l.application_id',
      applicationType: 'a.type',
      title: 'a.title',
      reference: 'a.public_ref',
      step: 'l.step',
      stepIndex: 'l.step_index',
      data: 'l.data',
    })
    .orderBy('l.id', 'desc')
    .limit(f.limit);
  if (f.from) q.andWhere('l.at', '>=', f.from);
  if (f.to) q.andWhere('l.at', '<', f.to);
  if (f.actor) q.andWhere('l.actor', f.actor);
  if (f.beforeId) q.andWhere('l.id', '<', f.beforeId);
  const rows = (await q) as (Omit<RevealRecord, 'taskId' | 'fields'> & { data: { taskId?: string; fields?: string[] } | null })[];
  return rows.map(({ data, ...r }) => ({ ...r, id: String(r.id), taskId: data?.taskId ?? null, fields: data?.fields ?? [] }));
}
