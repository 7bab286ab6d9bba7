import type { Db } from './knex';

/** Union members (会员), counted once, at the place of work, by ID number (its keyed hash). */
export interface MemberRow {
  id: string;
  idNumberHash: string;
  idNumberEnc: string;
  idNumberMasked: string;
  name: string;
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

export async function countMembersOfUnion(db: Db, unionId: string): Promise<number> {
  const r = await db('members').where({ union_id: unionId }).count<{ n: string }[]>({ n: '*' }).first();
  return Number(r?.n ?? 0);
}
