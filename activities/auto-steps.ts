/**
 * The automated chain steps. Each is idempotent: keyed by the application id
 * (one notice, one member record per ID number), so Temporal's retries never
 * duplicate a notice, a disbursement or a member.
 */
import type { ChainDefinition } from '../domain/chain';
import { chainSafetyIssues } from '../domain/chain-safety';
import { validateIdNumber } from '../domain/id-number';
import { takesAreaWorkers } from '../domain/org-tree';
import { approveChainChange } from '../domain/policy';
import { listTimeline } from '../db/approval-repository';
import { getChainSavedBy, getLatestChain, saveChainVersion } from '../db/chain-repository';
import { getOrg, listAncestors, listOrgs, type OrgRow } from '../db/org-repository';
import { getUser } from '../db/user-repository';
import { findMemberByHash, insertMemberOnce, markMemberVerified, moveMember, moveMemberWithPhone, sameIdentity } from '../db/member-repository';
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
    case 'activateChainVersion':
      return activateChainVersion(deps, input);
  }
}

/** What a chain_change application carries (set by POST /api/chains). */
export interface ChainChangePayload {
  owner: string;
  definition: Omit<ChainDefinition, 'version' | 'owner'>;
  /** The newest version of (owner, key) when the change was proposed; null when the owner had none. */
  baseVersion: number | null;
}

/**
 * 审批链变更生效: saves the approved proposal as the next version of (owner,
 * key). Runs once per application (a retry finds the version it saved).
 * Refuses — the chain stays as it was — unless the timeline shows an approval
 * by a second admin at or above the owner (the policy's rule, asked again here
 * so that no route, escalation or hand-off can stand in for it), unless the
 * chain is still at the version the change was proposed against, and unless
 * the proposed chain is still safe.
 */
async function activateChainVersion(deps: ActivityDeps, input: AutoStepInput): Promise<AutoStepResult> {
  if (input.type !== 'chain_change') return { outcome: 'reject', note: '仅用于审批链变更 / only a chain change activates a chain' };
  const p = input.payload as unknown as ChainChangePayload;
  const done = (v: { key: string; version: number }): AutoStepResult => ({
    outcome: 'done',
    note: `审批链 ${v.key} 第 ${v.version} 版已生效 / chain ${v.key} version ${v.version} is in force`,
    data: { owner: p.owner, key: v.key, version: v.version },
  });
  const already = await getChainSavedBy(deps.db, input.applicationId);
  if (already) return done(already);

  const owner = await getOrg(deps.db, p.owner);
  if (!owner) return { outcome: 'reject', note: '所属组织不存在 / the owning org no longer exists' };
  const approvers = (await listTimeline(deps.db, input.applicationId)).filter((e) => e.action === 'approve' && e.actor !== 'system').map((e) => e.actor);
  let approvedBy: string | undefined;
  for (const username of approvers) {
    const user = await getUser(deps.db, username);
    const org = user ? await getOrg(deps.db, user.orgId) : undefined;
    if (!user || !user.active || !org) continue;
    const d = approveChainChange({ username, orgId: org.id, orgPath: org.path, roles: user.roles }, { ownerOrgPath: owner.path, proposer: input.applicant });
    if (d.allow) approvedBy = username;
  }
  if (!approvedBy)
    return { outcome: 'reject', note: '没有第二位管理员批准，变更未生效 / not approved by a second admin at or above the owner: nothing changed' };

  const latest = await getLatestChain(deps.db, p.definition.key, p.owner);
  if ((latest?.version ?? null) !== p.baseVersion)
    return {
      outcome: 'reject',
      note: `提出变更后审批链已改为第 ${latest?.version ?? '—'} 版，请重新提出 / the chain changed after this proposal: propose again`,
    };
  if (chainSafetyIssues(p.definition.steps).length) return { outcome: 'reject', note: '审批链不安全，未生效 / the chain is unsafe: nothing changed' };

  const saved = await saveChainVersion(deps.db, p.definition, {
    owner: p.owner,
    createdBy: input.applicant ?? approvedBy,
    sourceApplication: input.applicationId,
  });
  return done(saved);
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
 * An automated step's `note` is what anyone following the application may
 * read (the public status page included): it never says whether the person
 * was a member already. What the staff need to know about membership goes in
 * `data.staffNote` (and `data.conflict`), shown only to those the policy's
 * `seeMembershipNotes` allows.
 */
const sortedNote = (target: OrgRow, byEmployer: boolean) => `${byEmployer ? '按用人单位' : '按群体和地区'}分拣至${target.name} / sorted to ${target.id}`;

/**
 * 平台分拣: routes a membership application to the grassroots union for the
 * worker's group and area (an employer's own union first); nothing matched:
 * the 周转池 holding pool. The ID number may be a member's already:
 * - the application's name and verified phone match the member record (the
 *   person themselves): elsewhere, it continues as a transfer (same
 *   application id, same payload); at that same union, nothing is to be done;
 * - they do not (someone else's ID number, or a record without a phone):
 *   it goes on as a membership application flagged as a 身份冲突 conflict,
 *   which the identity reviewer sees and decides; the member record is
 *   untouched unless they approve (see collectMemberInfo).
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
  // Without the employer's own union, the area's union for the group: a federation, not another firm's union.
  const target = byEmployer ?? inArea.filter((u) => takesAreaWorkers(u.subkind)).sort((a, b) => b.path.length - a.path.length)[0];

  const existing = await findMemberByHash(deps.db, str(input.payload.idNumberHash));
  const member = existing && existing.sourceApplication !== input.applicationId ? existing : undefined;
  const from = member ? (byId.get(member.unionId)?.name ?? member.unionId) : '';
  if (member && sameIdentity(member, { name: str(input.payload.name), phoneHash: str(input.payload.phoneHash) })) {
    if (target && member.unionId === target.id)
      return {
        outcome: 'reject',
        note: '无需重复办理，详情请咨询工会 / nothing to do: ask the union for details',
        data: { staffNote: `已是${target.name}会员（姓名、手机号一致），无需重复入会 / already a member of this union` },
      };
    if (target)
      return {
        outcome: 'convertToTransfer',
        targetOrg: target.id,
        fromOrg: member.unionId,
        note: sortedNote(target, !!byEmployer),
        data: {
          staffNote: `已是${from}会员（姓名、手机号与会员记录一致），转为会籍转移至${target.name} / already a member elsewhere, name and phone match: continues as a transfer`,
        },
      };
  }
  const conflict = member
    ? {
        conflict: true,
        staffNote: `身份冲突：该身份证号已是${from}会员，姓名或手机号与会员记录不符，请在身份审核时核实本人 / identity conflict: the ID number is a member's of ${member.unionId}, but the name or phone does not match the record`,
      }
    : {};
  if (!target) return { outcome: 'hold', note: '未匹配到基层工会，进入周转池等待人工分拣 / no union matched: waits in the holding pool', data: conflict };
  return { outcome: 'done', targetOrg: target.id, note: sortedNote(target, !!byEmployer), data: conflict };
}

const COLLECTED = '会员信息已采集 / member record created';

/**
 * 信息采集: the member record, once per ID number, at the union of the place
 * of work. Where the ID number is a member's already, the reviewers approved
 * the identity (身份冲突 checked in person): it proceeds as a transfer — the
 * member moves to this union and takes the phone verified with this
 * application. Either way the public note is the same.
 */
async function collectMemberInfo(deps: ActivityDeps, input: AutoStepInput): Promise<AutoStepResult> {
  if (!input.targetOrg) return { outcome: 'reject', note: '未分配工会 / no union assigned' };
  const p = input.payload;
  const phone = {
    phoneEnc: str(p.phoneEnc) ? deps.pii.rewrap(str(p.phoneEnc)) : null,
    phoneHash: str(p.phoneHash) || null,
    phoneMasked: str(p.phoneMasked) || null,
  };
  const { member, created } = await insertMemberOnce(deps.db, {
    idNumberHash: str(p.idNumberHash),
    // Ciphertexts from the workflow's payload, made when it started: stored with the newest key.
    idNumberEnc: deps.pii.rewrap(str(p.idNumberEnc)),
    idNumberMasked: str(p.idNumberMasked),
    name: str(p.name),
    ...phone,
    groupId: str(p.group) || null,
    employer: str(p.employer) || null,
    unionId: input.targetOrg,
    sourceApplication: input.applicationId,
  });
  if (!created && member.sourceApplication !== input.applicationId) {
    const from = member.unionId;
    await moveMemberWithPhone(deps.db, str(p.idNumberHash), input.targetOrg, phone);
    return {
      outcome: 'done',
      note: COLLECTED,
      data: {
        memberId: member.id,
        duplicate: true,
        staffNote:
          from === input.targetOrg
            ? '该身份证号已是本工会会员，经审核确认为本人，只计一次 / already a member of this union, identity confirmed: counted once'
            : `该身份证号已是${from}会员，经审核确认为本人，会籍转入本工会 / a member of ${from}, identity confirmed by the reviewers: membership moved here`,
      },
    };
  }
  return { outcome: 'done', note: COLLECTED, data: { memberId: member.id } };
}

/** 实名认证: the ID number's GB 11643 checksum and date are checked again on the stored record. */
async function verifyRealName(deps: ActivityDeps, input: AutoStepInput): Promise<AutoStepResult> {
  const id = deps.pii.decrypt(str(input.payload.idNumberEnc));
  const check = validateIdNumber(id);
  if (!check.ok) return { outcome: 'reject', note: `实名认证未通过：${check.reason}` };
  await markMemberVerified(deps.db, str(input.payload.idNumberHash));
  return { outcome: 'done', note: '实名认证通过 / real-name verified' };
}

/**
 * 会籍转移: the member moves to the receiving union (counted once, at the new
 * place of work). A transfer by ID number was filed whoever the number
 * belongs to: when it is nobody's membership, or already one of that union,
 * the application ends rejected, and only staff read why.
 */
async function transferMembership(deps: ActivityDeps, input: AutoStepInput): Promise<AutoStepResult> {
  if (!input.targetOrg) return { outcome: 'reject', note: '未指定转入工会 / no receiving union' };
  const notMade = '会籍转移未办理，详情请咨询受理工会 / the transfer was not made: ask the receiving union';
  const idNumberHash = str(input.payload.idNumberHash);
  const member = await findMemberByHash(deps.db, idNumberHash);
  if (!member) return { outcome: 'reject', note: notMade, data: { staffNote: '该身份证号不是会员 / not a member: nothing to transfer' } };
  if (member.unionId === input.targetOrg)
    return { outcome: 'reject', note: notMade, data: { staffNote: '已是转入工会的会员 / already a member of the receiving union' } };
  await moveMember(deps.db, idNumberHash, input.targetOrg);
  const to = (await listAncestors(deps.db, input.targetOrg))[0];
  return {
    outcome: 'done',
    note: `会籍已转入${to?.name ?? input.targetOrg} / membership transferred`,
    data: { staffNote: `自${member.unionId}转入 / moved from ${member.unionId}` },
  };
}
