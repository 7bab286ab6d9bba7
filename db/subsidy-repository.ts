import crypto from 'node:crypto';
import type { Db } from './knex';

/**
 * 立项通知 and 下拨补助资金: one notice and one disbursement per approved
 * subsidy application (the application id is the key, so a retry is a no-op).
 * Notice numbers are unique: when the proposed number is taken by another
 * application, a suffix derived from this application's id (the same on
 * every retry) tells them apart.
 */
export async function issueSubsidyNotice(
  db: Db,
  n: { applicationId: string; orgId: string; amount: number; projectId?: string | null; noticeNo: string },
): Promise<{ noticeNo: string; amount: number; created: boolean }> {
  const digest = crypto.createHash('sha256').update(n.applicationId).digest('hex').toUpperCase();
  let created = false;
  for (const noticeNo of [n.noticeNo, `${n.noticeNo}-${digest.slice(0, 6)}`, `${n.noticeNo}-${digest.slice(0, 16)}`]) {
    try {
      const inserted = await db('subsidy_notices')
        .insert({
          application_id: n.applicationId,
          notice_no: noticeNo,
          org_id: n.orgId,
          amount: n.amount,
          project_id: n.projectId ?? null,
          disbursed_at: db.fn.now(),
        })
        .onConflict('application_id')
        .ignore()
        .returning('notice_no');
      created = inserted.length > 0;
      break;
    } catch (e) {
      const err = e as { code?: string; constraint?: string };
      if (err.code === '23505' && err.constraint?.includes('notice_no')) continue;
      throw e;
    }
  }
  const row = await db('subsidy_notices').where({ application_id: n.applicationId }).first('notice_no', 'amount');
  if (!row) throw new Error(`no notice number left for application ${n.applicationId}`);
  return { noticeNo: row.notice_no as string, amount: Number(row.amount), created };
}

/** A subsidy notice as read back (amount is a numeric column: pg returns it as a string). */
export interface SubsidyNoticeRow {
  noticeNo: string;
  amount: string | number;
  orgId: string;
  issuedAt: Date;
  disbursedAt: Date | null;
  projectId: string | null;
}

export async function getSubsidyNotice(db: Db, applicationId: string): Promise<SubsidyNoticeRow | undefined> {
  return db('subsidy_notices').where({ application_id: applicationId }).first<SubsidyNoticeRow | undefined>({
    noticeNo: 'notice_no',
    amount: 'amount',
    orgId: 'org_id',
    issuedAt: 'issued_at',
    disbursedAt: 'disbursed_at',
    projectId: 'project_id',
  });
}
