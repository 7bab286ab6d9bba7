/**
 * 电子会员卡: the rules of the electronic member card, shared by the API and
 * the web app's wording. A card is named by its member row's random code
 * (db migration 021); what it shows depends only on that row.
 */

/** A card code as the database makes them: 32 lower-case hex characters (122 random bits). */
export const CARD_CODE = /^[0-9a-f]{32}$/;

/**
 * - `active`: a member whose real name was verified (实名认证, the last step of online joining): a valid card;
 * - `pending`: a member row not (yet) real-name verified: not valid;
 * - `revoked`: the member record was removed: not valid.
 */
export type MemberCardStatus = 'active' | 'pending' | 'revoked';

export function memberCardStatus(member: { verified: boolean } | undefined): MemberCardStatus {
  if (!member) return 'revoked';
  return member.verified ? 'active' : 'pending';
}

export const isValidCard = (status: MemberCardStatus): boolean => status === 'active';

/** The name as a scanning union sees it: the first character, the rest starred (张三 → 张*, 欧阳娜娜 → 欧***). */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length === 0) return '*';
  return chars[0] + '*'.repeat(Math.max(1, chars.length - 1));
}

/** The card's pages in the web app (the public entry serves /member-card/*). */
export function memberCardUrls(origin: string, code: string): { card: string; verify: string } {
  const card = `${origin}/member-card/${encodeURIComponent(code)}`;
  return { card, verify: `${card}/verify` };
}
