/**
 * 省级会员库导出: the real-name list of a campaign's new members for the
 * provincial member database, in the documented column layout
 * (domain/member-upload.ts PROVINCIAL_COLUMNS; the README and the workbook's
 * 说明 sheet list it): full ID number decrypted, sex and birth date from it,
 * phone, employer, the admitting union by name, the join date in Beijing time,
 * the group by name, dispatched or not, region, project and campaign.
 *
 * `GET /api/campaigns/:id/provincial-members?format=xlsx|csv` — personal
 * data: the city federation's admins and the province's (policy
 * `exportProvincialMembers`), 403 for anyone else who sees the campaign, 404
 * for whoever does not. Every export writes an audit row first
 * (`personalDataExported` on the audit trail: who, when, campaign, how many,
 * which columns, which format); no audit row, no file.
 */
import crypto from 'node:crypto';
import express, { type Router } from 'express';
import { z } from 'zod';
import { listCampaignMembersForExport, recordPersonalDataExport, type ProvincialMemberRow } from '../db/member-export-repository';
import type { Db } from '../db/knex';
import { lookupNames } from './names';
import { beijingDate, beijingTime } from '../domain/beijing-time';
import { identityFacts, PROVINCIAL_COLUMNS } from '../domain/member-upload';
import { exportProvincialMembers } from '../domain/policy';
import type { PiiCipher } from '../runtime/pii';
import { callerOf } from './auth';
import { campaignFacts, loadVisibleCampaign } from './campaign-access';
import { enforce, HttpError, parseOr400 } from './errors';
import { provincialCsv, provincialXlsx, XLSX_TYPE } from './member-workbook';
import { registerRoutes } from './openapi';

/** One export lists at most this many members (a city's campaign year is tens of thousands). */
export const PROVINCIAL_EXPORT_MAX = 100_000;

registerRoutes({
  '/api/campaigns/{id}/provincial-members': {
    get: {
      summary:
        '导出省级会员库（实名：完整身份证号与手机号；本市总及省总管理员；每次导出留痕）/ the real-name export of new members for the provincial member database (city and province admins; audited)',
      query: ['format'],
    },
  },
});

const exportQuery = z.object({ format: z.enum(['xlsx', 'csv'], { error: '格式须为 xlsx 或 csv / format must be xlsx or csv' }).default('xlsx') });

/** 是否劳务派遣 and 派遣单位 from the member record, where the progress path keeps them. */
function exportRow(pii: PiiCipher, m: ProvincialMemberRow, n: number, campaignName: string): (string | number)[] {
  const id = pii.decrypt(m.idNumberEnc);
  const facts = identityFacts(id);
  return [
    n,
    m.name,
    id,
    facts.sex,
    facts.birthDate,
    '',
    m.phoneEnc ? pii.decrypt(m.phoneEnc) : '',
    m.employer ?? '',
    m.unionName ?? '',
    beijingDate(m.joinedAt),
    m.groupName ?? m.groupId ?? '',
    m.dispatched ? '是' : '否',
    m.dispatched ? (m.agency ?? '') : '',
    m.regionName ?? '',
    m.projectName ?? '',
    campaignName,
  ];
}

export function provincialExportRoutes(deps: { db: Db; pii: PiiCipher }): Router {
  const router = express.Router();
  const { db, pii } = deps;

  router.get('/api/campaigns/:id/provincial-members', async (req, res) => {
    const caller = callerOf(req);
    const campaign = await loadVisibleCampaign(db, caller, req.params.id);
    enforce(exportProvincialMembers(caller, campaignFacts(campaign)));
    const q = parseOr400(exportQuery, req.query);
    const members = await listCampaignMembersForExport(db, campaign.id, PROVINCIAL_EXPORT_MAX + 1);
    if (members.length > PROVINCIAL_EXPORT_MAX)
      throw new HttpError(413, `一次最多导出 ${PROVINCIAL_EXPORT_MAX} 人 / at most ${PROVINCIAL_EXPORT_MAX} members per export`);
    const rows = members.map((m, i) => exportRow(pii, m, i + 1, campaign.name));
    // The audit row before the file: an export that cannot be recorded is not made.
    await recordPersonalDataExport(db, {
      key: `pii-export:${campaign.id}:${caller.username}:${crypto.randomUUID()}`,
      campaignId: campaign.id,
      actor: caller.username,
      format: q.format,
      members: rows.length,
      fields: PROVINCIAL_COLUMNS.map((c) => c.header),
    });
    const title = `省级会员库导出-${campaign.name}`.replace(/[\\/:*?"<>|\r\n]/g, '_');
    res.setHeader(
      'Content-Disposition',
      `attachment; filename="provincial-members.${q.format}"; filename*=UTF-8''${encodeURIComponent(`${title}.${q.format}`)}`,
    );
    res.setHeader('Cache-Control', 'no-store');
    if (q.format === 'csv') {
      res.type('text/csv; charset=utf-8').send(provincialCsv(rows));
      return;
    }
    const who = (await lookupNames(db, { users: [caller.username] })).people.get(caller.username)?.name ?? '';
    res.type(XLSX_TYPE).send(await provincialXlsx(rows, { campaign: campaign.name, exportedAt: beijingTime(new Date()), exportedBy: who }));
  });

  return router;
}
