/**
 * The automated chain steps. Each is idempotent: keyed by the application id
 * (one notice, one member record per ID number), so Temporal's retries never
 * duplicate a notice, a disbursement or a member.
 */
import { validateIdNumber } from '../domain/id-number';
import { getOrg, listAncestors, listOrgs, type OrgRow } from '../db/org-repository';
import { findMemberByHash, insertMemberOnce, markMemberVerified, moveMember } from '../db/member-repository';
import { issueSubsidyNotice } from '../db/subsidy-repository';
import type { AutoStepInput, AutoStepResult } from '../workflows/approval-types';
import type { ActivityDeps } from './index';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export async function runAutoStep(deps: ActivityDeps, input: AutoStepInput): Promise<AutoStepResult> {
  switch (input.activity) {
    case 'issueSubsidyNotice':
      return issueNotice(deps, input);
    case 'sortMembership':
      return sortMembership(deps, input);
    case 'assignToUnion': {
      const org = input.targetOrg ? await getOrg(deps.db, input.targetOrg) : undefined;
      if (!org) return { outcome: 'reject', note: '未找到受理工会 / no receiving union' };
      return { outcome: 'done', note: `已分配至${org.name} / assigned to ${org.id}`, targetOrg: org.id };
    }
    case 'collectMemberInfo':
      return collectMemberInfo(deps, input);
    case 'verifyRealName':
      return verifyRealName(deps, input);
    case 'transferMembership':
      return transferMembership(deps, input);
  }
}

/** 立项通知 + 下拨补助资金: the province's notice and the disbursement record. */
async function issueNotice(deps: ActivityDeps, input: AutoStepInput): Promise<AutoStepResult> {
  const amount = Number(input.payload.amount);
  const year = new Date().getFullYear();
  const noticeNo = `豫工补〔${year}〕${input.applicationId.slice(-8).toUpperCase()}`;
  const n = await issueSubsidyNotice(deps.db, {
    applicationId: input.applicationId,
    orgId: input.applicantOrg,
    amount,
    projectId: str(input.payload.projectId) || null,
    noticeNo,
  });
  return {
    outcome: 'done',
    note: `已下达立项通知 ${n.noticeNo}，下拨补助 ¥${n.amount.toLocaleString('zh-CN', { minimumFractionDigits: 2 })} / notice issued, funds disbursed`,
    data: { noticeNo: n.noticeNo, amount: n.amount },
  };
}

/** The org a grassroots union covers: its county, or the whole city for one under a city industry union. */
function coverageOf(union: OrgRow, byId: Map<string, OrgRow>): OrgRow | undefined {
  const parent = union.parentId ? byId.get(union.parentId) : undefined;
  if (!parent) return undefined;
  if (parent.kind === 'industry') return parent.parentId ? byId.get(parent.parentId) : undefined;
  return parent;
}

/**
 * 平台分拣: routes a membership application to the grassroots union for the
 * worker's group and area (an employer's own union first). Deduplicates by
 * ID number: a member elsewhere becomes a transfer; a member of the same
 * union is refused. Nothing matched: the 周转池 holding pool.
 */
async function sortMembership(deps: ActivityDeps, input: AutoStepInput): Promise<AutoStepResult> {
  const orgs = await listOrgs(deps.db);
  const byId = new Map(orgs.map((o) => [o.id, o]));
  const group = str(input.payload.group);
  const employer = str(input.payload.employer);
  const area = byId.get(str(input.payload.area) || input.applicantOrg);
  const unions = orgs.filter((o) => o.kind === 'grassroots' && o.groups.includes(group));
  const inArea = unions.filter((u) => {
    const cov = coverageOf(u, byId);
    return !!cov && !!area && area.path.startsWith(cov.path);
  });
  const byEmployer = employer ? inArea.find((u) => u.name.includes(employer)) : undefined;
  const target = byEmployer ?? inArea.sort((a, b) => b.path.length - a.path.length)[0];

  const existing = await findMemberByHash(deps.db, str(input.payload.idNumberHash));
  if (existing && existing.sourceApplication !== input.applicationId) {
    const from = byId.get(existing.unionId);
    if (target && existing.unionId === target.id) {
      return { outcome: 'reject', note: `已是${target.name}会员，无需重复入会 / already a member of this union` };
    }
    if (target) {
      return {
        outcome: 'convertToTransfer',
        targetOrg: target.id,
        fromOrg: existing.unionId,
        note: `已是${from?.name ?? existing.unionId}会员，转为会籍转移至${target.name} / already a member elsewhere: continues as a transfer`,
      };
    }
  }
  if (!target) return { outcome: 'hold', note: '未匹配到基层工会，进入周转池等待人工分拣 / no union matched: waits in the holding pool' };
  const how = byEmployer ? '按用人单位' : '按群体和地区';
  return { outcome: 'done', targetOrg: target.id, note: `${how}分拣至${target.name} / sorted to ${target.id}` };
}

/** 信息采集: the member record, once per ID number, at the union of the place of work. */
async function collectMemberInfo(deps: ActivityDeps, input: AutoStepInput): Promise<AutoStepResult> {
  if (!input.targetOrg) return { outcome: 'reject', note: '未分配工会 / no union assigned' };
  const p = input.payload;
  const { member, created } = await insertMemberOnce(deps.db, {
    idNumberHash: str(p.idNumberHash),
    idNumberEnc: str(p.idNumberEnc),
    idNumberMasked: str(p.idNumberMasked),
    name: str(p.name),
    phoneEnc: str(p.phoneEnc) || null,
    phoneMasked: str(p.phoneMasked) || null,
    groupId: str(p.group) || null,
    employer: str(p.employer) || null,
    unionId: input.targetOrg,
    sourceApplication: input.applicationId,
  });
  if (!created && member.sourceApplication !== input.applicationId) {
    return { outcome: 'done', note: '该身份证号已登记为会员，只计一次 / already registered: counted once', data: { memberId: member.id, duplicate: true } };
  }
  return { outcome: 'done', note: '会员信息已采集 / member record created', data: { memberId: member.id } };
}

/** 实名认证: the ID number's GB 11643 checksum and date are checked again on the stored record. */
async function verifyRealName(deps: ActivityDeps, input: AutoStepInput): Promise<AutoStepResult> {
  const id = deps.pii.decrypt(str(input.payload.idNumberEnc));
  const check = validateIdNumber(id);
  if (!check.ok) return { outcome: 'reject', note: `实名认证未通过：${check.reason}` };
  await markMemberVerified(deps.db, str(input.payload.idNumberHash));
  return { outcome: 'done', note: '实名认证通过 / real-name verified' };
}

/** 会籍转移: the member moves to the receiving union (counted once, at the new place of work). */
async function transferMembership(deps: ActivityDeps, input: AutoStepInput): Promise<AutoStepResult> {
  if (!input.targetOrg) return { outcome: 'reject', note: '未指定转入工会 / no receiving union' };
  const moved = await moveMember(deps.db, str(input.payload.idNumberHash), input.targetOrg);
  if (moved === 0) return { outcome: 'reject', note: '未找到会员记录，请改为申请入会 / not a member: apply to join instead' };
  const to = (await listAncestors(deps.db, input.targetOrg))[0];
  return { outcome: 'done', note: `会籍已转入${to?.name ?? input.targetOrg} / membership transferred` };
}
