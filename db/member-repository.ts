import type { Db } from './knex';

/** Union members (会员), counted once, at the place of work, by ID number (its keyed hash). */
export interface MemberRow {
  id: string;
  idNumberHash: string;
  idNumberEnc: string;
  idNumberMasked: string;
  name: string;
  /** Keyed hash of the member's verified phone; null for records kept before phones were hashed (they never match). */
  phoneHash: string | null;
  unionId: string;
  verified: boolean;
  sourceApplication: string | null;
}

const columns = {
  id: 'id',
  idNumberHash: 'id_number_hash',
  idNumberEnc: 'id_number_enc',
  idNumberMasked: 'id_number_masked',
  name: 'name',
  phoneHash: 'phone_hash',
  unionId: 'union_id',
  verified: 'verified',
  sourceApplication: 'source_application',
};

export async function findMemberByHash(db: Db, idNumberHash: string): Promise<MemberRow | undefined> {
  return db('members').select(columns).where({ id_number_hash: idNumberHash }).first();
}

/** Inserts the member unless one with that ID number exists; returns the member row either way. */
export async function insertMemberOnce(
  db: Db,
  m: {
    idNumberHash: string;
    idNumberEnc: string;
    idNumberMasked: string;
    name: string;
    phoneEnc?: string | null;
    phoneHash?: string | null;
    phoneMasked?: string | null;
    groupId?: string | null;
    employer?: string | null;
    unionId: string;
    sourceApplication: string;
  },
): Promise<{ member: MemberRow; created: boolean }> {
  const inserted = await db('members')
    .insert({
      id_number_hash: m.idNumberHash,
      id_number_enc: m.idNumberEnc,
      id_number_masked: m.idNumberMasked,
      name: m.name,
      phone_enc: m.phoneEnc ?? null,
      phone_hash: m.phoneHash ?? null,
      phone_masked: m.phoneMasked ?? null,
      group_id: m.groupId ?? null,
      employer: m.employer ?? null,
      union_id: m.unionId,
      source_application: m.sourceApplication,
    })
    .onConflict('id_number_hash')
    .ignore()
    .returning('id');
  const member = (await findMemberByHash(db, m.idNumberHash))!;
  return { member, created: inserted.length > 0 };
}

export async function markMemberVerified(db: Db, idNumberHash: string): Promise<void> {
  await db('members').where({ id_number_hash: idNumberHash }).update({ verified: true, updated_at: db.fn.now() });
}

export async function moveMember(db: Db, idNumberHash: string, toUnion: string): Promise<number> {
  return db('members').where({ id_number_hash: idNumberHash }).update({ union_id: toUnion, updated_at: db.fn.now() });
}

/**
 * 身份冲突 resolved by a reviewer who checked the person: the member moves to
 * the application's union and takes the phone verified with it (so the
 * person's next application matches their record).
 */
export async function moveMemberWithPhone(
  db: Db,
  idNumberHash: string,
  toUnion: string,
  phone: { phoneEnc: string | null; phoneHash: string | null; phoneMasked: string | null },
): Promise<number> {
  const update: Record<string, unknown> = { union_id: toUnion, updated_at: db.fn.now() };
  if (phone.phoneEnc && phone.phoneHash) Object.assign(update, { phone_enc: phone.phoneEnc, phone_hash: phone.phoneHash, phone_masked: phone.phoneMasked });
  return db('members').where({ id_number_hash: idNumberHash }).update(update);
}

/**
 * True when an application's name and verified phone are those of the member
 * record: the only case an application may act on an existing member without
 * a reviewer (a record without a phone hash never matches).
 */
export function sameIdentity(member: Pick<MemberRow, 'name' | 'phoneHash'>, applicant: { name: string; phoneHash: string }): boolean {
  return !!member.phoneHash && !!applicant.phoneHash && member.phoneHash === applicant.phoneHash && sameName(member.name, applicant.name);
}

/** Names compared as a person writes them: full-width/half-width and spaces do not count. */
export function sameName(a: string, b: string): boolean {
  const norm = (s: string) => s.normalize('NFKC').replace(/\s+/g, '');
  return norm(a) === norm(b);
}

/** Why a member was looked up by ID number (id_lookups.reason). */
/** Why: a transfer by ID number, a progress report's members, a reviewer's view, a worker's own status look-up by ID number. */
export type IdLookupReason = 'transfer' | 'progress' | 'review' | 'publicStatus';

/** Records look-ups by ID number: who, which keyed hashes (never the numbers), why, about what. */
export async function recordIdLookups(
  db: Db,
  l: { actor: string; idNumberHashes: readonly string[]; reason: IdLookupReason; subject: string | null },
): Promise<void> {
  if (!l.idNumberHashes.length) return;
  const rows = l.idNumberHashes.map((h) => ({ actor: l.actor, id_number_hash: h, reason: l.reason, subject: l.subject }));
  for (let i = 0; i < rows.length; i += 1000) await db('id_lookups').insert(rows.slice(i, i + 1000));
}

export async function countMembersOfUnion(db: Db, unionId: string): Promise<number> {
  const r = await db('members').where({ union_id: unionId }).count<{ n: string }[]>({ n: '*' }).first();
  return Number(r?.n ?? 0);
}

/** What an electronic member card (电子会员卡) shows: the member row by its card code, with its union's name. */
export interface MemberCardRow {
  cardCode: string;
  memberNo: string;
  name: string;
  unionId: string;
  unionName: string;
  joinedAt: Date;
  verified: boolean;
}

export async function findMemberCard(db: Db, cardCode: string): Promise<MemberCardRow | undefined> {
  return db('members as m').join('orgs as o', 'o.id', 'm.union_id').where('m.card_code', cardCode).first({
    cardCode: 'm.card_code',
    memberNo: 'm.member_no',
    name: 'm.name',
    unionId: 'm.union_id',
    unionName: 'o.name',
    joinedAt: 'm.joined_at',
    verified: 'm.verified',
  });
}

/** A card whose member record was removed (kept by the members_revoke_card trigger). */
export async function findRevokedMemberCard(db: Db, cardCode: string): Promise<{ memberNo: string; revokedAt: Date } | undefined> {
  return db('member_card_revocations').where({ card_code: cardCode }).first({ memberNo: 'member_no', revokedAt: 'revoked_at' });
}

/**
 * The card code of the member an application admitted: only a membership
 * application approved through its last step, and only the member record that
 * application itself created (an application that merely matched an existing
 * member's ID number never reaches that member's card). Undefined otherwise.
 */
export async function memberCardCodeForApplication(db: Db, applicationId: string): Promise<string | undefined> {
  const row = await db('members as m')
    .join('applications as a', 'a.id', 'm.source_application')
    .where({ 'a.id': applicationId, 'a.type': 'membership', 'a.status': 'approved' })
    .first<{ cardCode: string } | undefined>({ cardCode: 'm.card_code' });
  return row?.cardCode;
}
