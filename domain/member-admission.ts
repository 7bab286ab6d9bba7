/**
 * Which union admits a member reported by an organizing project, and the
 * rules of real-name verification (实名核验) that decide whether, and how,
 * the member counts (seed 003).
 *
 * - A dispatched worker (劳务派遣工) joins the dispatch agency's union first;
 *   where the agency has none, the host employer's union (用工单位工会);
 *   where neither has one, the project's region union admits them directly.
 * - Anyone else joins their employer's union where it has one, else the
 *   project's region union.
 * - A member is counted once, at the place of work (输入地): a person already
 *   a member of another union is a transfer (会籍转移) — counted here from
 *   now on and no longer there; one already a member of the admitting union
 *   is not counted again.
 *
 * Pure: the unions found for the agency and the employer are looked up by the
 * caller (db/member-verification-repository.ts).
 */

export type AdmissionRule = 'agency_union' | 'host_union' | 'region_direct_dispatched' | 'employer_union' | 'region_direct';

export interface AdmissionInput {
  dispatched: boolean;
  /** The dispatch agency's union, when it has one. */
  agencyUnion?: string | null;
  /** The (host) employer's union, when it has one. */
  employerUnion?: string | null;
  regionOrg: string;
}

export function admittingUnion(a: AdmissionInput): { union: string; rule: AdmissionRule } {
  if (a.dispatched) {
    if (a.agencyUnion) return { union: a.agencyUnion, rule: 'agency_union' };
    if (a.employerUnion) return { union: a.employerUnion, rule: 'host_union' };
    return { union: a.regionOrg, rule: 'region_direct_dispatched' };
  }
  if (a.employerUnion) return { union: a.employerUnion, rule: 'employer_union' };
  return { union: a.regionOrg, rule: 'region_direct' };
}

/** Why that union admits the member, in the users' words (Chinese first). */
export const ADMISSION_RULE_LABELS: Record<AdmissionRule, string> = {
  agency_union: '劳务派遣工首先加入劳务派遣单位工会 / a dispatched worker joins the dispatch agency’s union',
  host_union: '劳务派遣单位未建工会，加入用工单位工会 / the agency has no union: the host employer’s union',
  region_direct_dispatched: '派遣单位和用工单位均未建工会，由地区工会直接吸收 / neither the agency nor the host has a union: the region’s union',
  employer_union: '加入所在单位工会 / joins the employer’s union',
  region_direct: '所在单位未建工会，由地区工会直接吸收 / the employer has no union: the region’s union',
};

/** The names an org of a workplace may go by: "X", "X工会", "X工会委员会", "X联合工会" (full-width and spaces ignored). */
export function unionNamesFor(workplace: string): string[] {
  const w = normalizeName(workplace);
  if (!w) return [];
  return [w, `${w}工会`, `${w}工会委员会`, `${w}联合工会`];
}

export function normalizeName(s: string): string {
  return s.normalize('NFKC').replace(/\s+/g, '');
}

/** What the automatic check found at report time (for the verifier's eyes only). */
export type CheckKind = 'new' | 'transfer' | 'already_here';

export function checkKind(existingUnion: string | null | undefined, admittedUnion: string): CheckKind {
  if (!existingUnion) return 'new';
  return existingUnion === admittedUnion ? 'already_here' : 'transfer';
}

export const CHECK_LABELS: Record<CheckKind, string> = {
  new: '新会员 / new member',
  transfer: '已是其他工会会员：按会籍转移核验，计入务工地 / a member elsewhere: verified as a transfer, counted at the place of work',
  already_here: '已是本工会会员，不重复统计 / already a member of this union: not counted again',
};

export type VerificationStatus = 'pending' | 'verified' | 'rejected' | 'lapsed';

export const VERIFICATION_STATUS_LABELS: Record<VerificationStatus, string> = {
  pending: '待核验 / pending verification',
  verified: '已核验 / verified',
  rejected: '未通过 / rejected',
  lapsed: '行动已结束，未核验 / lapsed: the campaign closed before verification',
};

/** The reason a report still pending when its campaign closes carries (the submitter sees it). */
export const LAPSED_AT_CLOSE_REASON = '行动已结束，未完成实名核验，不计入 / the campaign closed before verification: not counted';

export const OUTCOME_LABELS: Record<'new' | 'transfer', string> = {
  new: '新入会 / new member',
  transfer: '会籍转移（转入） / transfer',
};

/** The reason recorded when a verifier confirms someone already counted at the admitting union. */
export const ALREADY_COUNTED_REASON = '已计入本工会，不重复统计 / already counted at this union';
