/**
 * No answer depends on someone else's membership (issue 11, items 1, 2, 6).
 *
 * 1. A transfer by ID number always creates an application that the
 *    receiving union reviews: member, non-member and member of that same
 *    union get the same 201 of the same shape. Whether the person is a member
 *    (and where) is shown only to the holder of the receiving review; each
 *    look-up by ID number is audited (who, when, which hash, why) and limited
 *    per user.
 * 2. An anonymous membership application with someone else's ID number and
 *    another phone is not turned into a transfer of the real member: it goes
 *    on as a membership application, flagged to the identity reviewer as a
 *    conflict (身份冲突); rejected, the real member's record is untouched.
 *    No note the public can read mentions membership.
 * 6. A progress report answers counts (accepted, already counted), never
 *    which ID numbers were members already; the members wait for real-name
 *    verification, and only the verifier (a reviewer of the project's region
 *    or city) learns that one of them was a member elsewhere (a transfer).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskIdNumber } from '../../domain/id-number';
import { seeMembership, seeMembershipNotes, verifyReportedMembers, type Principal, type TaskFacts } from '../../domain/policy';
import { Approvals } from '../support/approvals';
import { memberRecords } from '../support/campaigns';
import { buildMember, type MemberBody } from '../support/factories';
import { eventually, startHarness, type Harness } from '../support/harness';
import { Subjects } from './authorization-matrix.subjects';

/** Look-ups by ID number a user may make per hour in this file's system. */
const LOOKUP_LIMIT = 6;

let h: Harness;
let api: Approvals;
beforeAll(async () => {
  h = await startHarness({ idLookupLimit: LOOKUP_LIMIT });
  api = new Approvals(h);
});
afterAll(async () => {
  await h?.close();
});

/** Words that would tell a reader about someone's membership. */
const MEMBERSHIP_WORDS = /已是|不是会员|尚不是|已登记|身份冲突|already a member|not a member|a member elsewhere|conflict/i;

async function memberRow(idNumber: string) {
  return h
    .db('members')
    .where({ id_number_hash: h.pii.hash(idNumber) })
    .first();
}

/** A worker joins online and the union's reviewer approves the initial and the identity review. */
async function join(body: MemberBody, reviewer: string): Promise<string> {
  const id = await api.start(null, body);
  await api.ok(reviewer, (await api.task(reviewer, id, 1)).id, { action: 'approve' });
  await api.ok(reviewer, (await api.task(reviewer, id, 3)).id, { action: 'approve' });
  await api.status(id, 'approved');
  return id;
}

async function taskView(username: string, taskId: string) {
  const r = await h.call('GET', `/api/tasks/${taskId}`, { token: await h.login(username) });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

/** The shape of a JSON value: its keys (recursively) and the types of its leaves. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(shape);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, x]) => [k, shape(x)]),
    );
  return typeof v;
}

describe('1. a transfer by ID number is no membership oracle', () => {
  it('member, non-member and member of the same union get the same 201; only the receiving reviewer learns which; each look-up is audited', async () => {
    const member = buildMember({ group: 'courier', area: 'pds-xinhua' });
    await join(member, 'xinhua-express.reviewer');
    const stranger = buildMember();

    const applicant = 'xinhua.staff';
    const toOther = await api.create(applicant, { type: 'transfer', idNumber: member.idNumber, toUnion: 'pds-weidong-mall' });
    const notMember = await api.create(applicant, { type: 'transfer', idNumber: stranger.idNumber, toUnion: 'pds-weidong-mall' });
    const sameUnion = await api.create(applicant, { type: 'transfer', idNumber: member.idNumber, toUnion: 'pds-xinhua-express' });
    for (const r of [toOther, notMember, sameUnion]) {
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body.status).toBe('pending');
    }
    expect(shape(notMember.body)).toEqual(shape(toOther.body));
    expect(shape(sameUnion.body)).toEqual(shape(toOther.body));
    expect(Object.keys(toOther.body).sort()).toEqual(['id', 'status', 'workflowId']);

    // Each look-up by ID number is audited: who, when, which hash (never the number), why.
    for (const [idNumber, r] of [
      [member.idNumber, toOther],
      [stranger.idNumber, notMember],
      [member.idNumber, sameUnion],
    ] as const) {
      const rows = await h.db('id_lookups').where({ actor: applicant, subject: r.body.id });
      expect(rows).toEqual([expect.objectContaining({ id_number_hash: h.pii.hash(idNumber), reason: 'transfer', at: expect.any(Date) })]);
      expect(JSON.stringify(rows)).not.toContain(idNumber);
    }

    // The applicant's views of the applications look alike and say nothing of membership.
    const views = await Promise.all([toOther, notMember].map(async (r) => api.app(applicant, r.body.id as string)));
    expect(shape(views[0].payload)).toEqual(shape(views[1].payload));
    for (const v of views) {
      expect(JSON.stringify(v)).not.toMatch(MEMBERSHIP_WORDS);
      expect(JSON.stringify(v)).not.toContain(member.name);
      expect(v.payload.fromUnion).toBeUndefined();
    }

    // The receiving union's reviewer (the holder of the step that shows personal data) sees the fact…
    const t1 = await api.task('weidong-mall.reviewer', toOther.body.id as string, 0);
    const t2 = await api.task('weidong-mall.reviewer', notMember.body.id as string, 0);
    const t3 = await api.task('xinhua-express.reviewer', sameUnion.body.id as string, 0);
    expect((await taskView('weidong-mall.reviewer', t1.id)).membership).toMatchObject({
      member: true,
      name: member.name,
      union: { id: 'pds-xinhua-express' },
      sameUnion: false,
    });
    expect((await taskView('weidong-mall.reviewer', t2.id)).membership).toEqual({ member: false });
    expect((await taskView('xinhua-express.reviewer', t3.id)).membership).toMatchObject({ member: true, sameUnion: true });
    // …and the review of it is audited as a look-up of its own.
    expect(await h.db('id_lookups').where({ actor: 'weidong-mall.reviewer', subject: t1.id, reason: 'review' })).not.toHaveLength(0);
    // …the applicant, who may see the task, does not.
    const asApplicant = await taskView(applicant, t1.id);
    expect(asApplicant.membership).toBeUndefined();
    expect(JSON.stringify(asApplicant)).not.toMatch(MEMBERSHIP_WORDS);

    // Approved, the member moves; the non-member's application ends rejected with a note for staff only.
    await api.ok('weidong-mall.reviewer', t1.id, { action: 'approve' });
    await api.ok('weidong-mall.reviewer', t2.id, { action: 'approve' });
    await api.status(toOther.body.id as string, 'approved', applicant);
    expect(await memberRow(member.idNumber)).toMatchObject({ union_id: 'pds-weidong-mall' });
    const rejected = await api.status(notMember.body.id as string, 'rejected', applicant);
    expect(JSON.stringify(rejected)).not.toMatch(MEMBERSHIP_WORDS);
    const staffView = await api.app('weidong-mall.reviewer', notMember.body.id as string);
    expect(staffView.timeline.find((e: { action: string }) => e.action === 'auto:transferMembership')).toMatchObject({
      data: { outcome: 'reject', staffNote: expect.stringContaining('not a member') },
    });
    expect(await memberRow(stranger.idNumber)).toBeUndefined();
  });

  it('look-ups by ID number are limited per user: past the limit, 429 whoever the number belongs to, and nothing is created', async () => {
    const sandbox = await api.sandbox();
    const member = buildMember({ group: 'courier', area: 'pds-xinhua' });
    await join(member, 'xinhua-express.reviewer');
    for (let i = 0; i < LOOKUP_LIMIT; i++) {
      const r = await api.create(sandbox.staff, { type: 'transfer', idNumber: buildMember().idNumber, toUnion: 'pds-weidong-mall' });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    const before = await h.db('applications').where({ applicant: sandbox.staff }).count<{ n: string }[]>({ n: '*' });
    const overMember = await api.create(sandbox.staff, { type: 'transfer', idNumber: member.idNumber, toUnion: 'pds-weidong-mall' });
    const overStranger = await api.create(sandbox.staff, { type: 'transfer', idNumber: buildMember().idNumber, toUnion: 'pds-weidong-mall' });
    for (const r of [overMember, overStranger]) {
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
    }
    expect(shape(overMember.body)).toEqual(shape(overStranger.body));
    expect(await h.db('applications').where({ applicant: sandbox.staff }).count<{ n: string }[]>({ n: '*' })).toEqual(before);
    expect(await h.db('id_lookups').where({ actor: sandbox.staff })).toHaveLength(LOOKUP_LIMIT);
    // Another user is not held back by this one's look-ups.
    const other = await api.create('weidong.staff', { type: 'transfer', idNumber: buildMember().idNumber, toUnion: 'pds-weidong-mall' });
    expect(other.status).toBe(201);
  });
});

describe('1b. notes recorded before the staff notes existed', () => {
  it('an automated note that named membership reads as “processed” to the applicant, and as it was to the receiving side', async () => {
    const created = await api.create('weidong.staff', { type: 'transfer', idNumber: buildMember().idNumber, toUnion: 'pds-weidong-mall' });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await h.db('audit_log').insert({
      event_key: `legacy-note:${id}`,
      application_id: id,
      actor: 'system',
      action: 'auto:transferMembership',
      step_index: 1,
      step: '会籍转移 / transfer membership',
      comment: '未找到会员记录，请改为申请入会 / not a member: apply to join instead',
      data: JSON.stringify({ outcome: 'reject' }),
    });
    const mine = await api.app('weidong.staff', id);
    expect(mine.timeline.find((e: { action: string }) => e.action === 'auto:transferMembership')).toMatchObject({
      comment: '已处理 / processed',
      data: { outcome: 'reject' },
    });
    expect(JSON.stringify(mine)).not.toMatch(MEMBERSHIP_WORDS);
    const theirs = await api.app('weidong-mall.reviewer', id);
    expect(theirs.timeline.find((e: { action: string }) => e.action === 'auto:transferMembership').comment).toContain('not a member');
  });
});

describe('2. an anonymous application with someone else’s ID number', () => {
  it('with another phone: no transfer of the real member; the identity reviewer sees the conflict; rejected, the member is untouched; the public reads no membership words', async () => {
    const real = buildMember({ group: 'courier', area: 'pds-xinhua' });
    await join(real, 'xinhua-express.reviewer');
    const before = await memberRow(real.idNumber);
    expect(before.phone_hash).toBe(h.pii.hash(real.phone));

    // Same ID number and name, another phone, another place of work.
    const impostor = buildMember({ idNumber: real.idNumber, name: real.name, group: 'food_delivery', area: 'pds-zhanhe' });
    const created = await api.create(null, impostor);
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).not.toMatch(MEMBERSHIP_WORDS);
    const id = created.body.id as string;

    const initial = await api.task('zhanhe-delivery.reviewer', id, 1);
    expect(initial.step).toContain('信息初审');
    const app = await api.app('city.admin', id);
    expect(app).toMatchObject({ id, type: 'membership', targetOrg: 'pds-zhanhe-delivery' });
    await api.ok('zhanhe-delivery.reviewer', initial.id, { action: 'approve' });

    const identity = await api.task('zhanhe-delivery.reviewer', id, 3);
    expect(identity.step).toContain('身份审核');
    expect((await taskView('zhanhe-delivery.reviewer', identity.id)).membership).toMatchObject({
      member: true,
      conflict: true,
      union: { id: 'pds-xinhua-express' },
      nameMatches: true,
      phoneMatches: false,
    });
    // Staff see the conflict in the timeline too.
    expect(app.timeline.find((e: { action: string }) => e.action === 'auto:sortMembership')).toMatchObject({
      data: { outcome: 'done', conflict: true, staffNote: expect.stringContaining('身份冲突') },
    });

    await api.ok('zhanhe-delivery.reviewer', identity.id, { action: 'reject', comment: '身份不符 / identity does not match' });
    await api.status(id, 'rejected');
    expect(await memberRow(real.idNumber)).toEqual(before);

    // Every note the public status page could show is free of membership words.
    const notes = await h.db('audit_log').where({ application_id: id }).whereLike('action', 'auto:%').select('comment');
    for (const n of notes) expect(n.comment ?? '').not.toMatch(MEMBERSHIP_WORDS);
    const status = await h.call('POST', '/api/public/status', {
      body: { reference: id, phone: impostor.phone, smsCode: await h.smsCode(impostor.phone, 'status') },
    });
    expect(status.status).toBe(200);
    expect(JSON.stringify(status.body)).not.toMatch(MEMBERSHIP_WORDS);
  });

  it('a member of the same union applying again with another phone is not told either: the application goes to the identity reviewer', async () => {
    const real = buildMember({ group: 'courier', area: 'pds-xinhua' });
    await join(real, 'xinhua-express.reviewer');
    const again = buildMember({ idNumber: real.idNumber, name: real.name, group: 'courier', area: 'pds-xinhua' });
    const id = await api.start(null, again);
    await api.ok('xinhua-express.reviewer', (await api.task('xinhua-express.reviewer', id, 1)).id, { action: 'approve' });
    const identity = await api.task('xinhua-express.reviewer', id, 3);
    expect((await taskView('xinhua-express.reviewer', identity.id)).membership).toMatchObject({ member: true, conflict: true, sameUnion: true });
    const notes = await h.db('audit_log').where({ application_id: id }).whereLike('action', 'auto:%').select('comment');
    for (const n of notes) expect(n.comment ?? '').not.toMatch(MEMBERSHIP_WORDS);
    const status = await h.call('POST', '/api/public/status', { body: { reference: id, phone: again.phone, smsCode: await h.smsCode(again.phone, 'status') } });
    expect(status.status).toBe(200);
    expect(JSON.stringify(status.body)).not.toMatch(MEMBERSHIP_WORDS);
  });

  it('approved after the conflict was checked in person, it proceeds as a transfer: the member moves and takes the verified phone', async () => {
    const real = buildMember({ group: 'courier', area: 'pds-xinhua' });
    await join(real, 'xinhua-express.reviewer');
    const moved = buildMember({ idNumber: real.idNumber, name: real.name, group: 'food_delivery', area: 'pds-zhanhe' });
    const id = await api.start(null, moved);
    await api.ok('zhanhe-delivery.reviewer', (await api.task('zhanhe-delivery.reviewer', id, 1)).id, { action: 'approve' });
    await api.ok('zhanhe-delivery.reviewer', (await api.task('zhanhe-delivery.reviewer', id, 3)).id, {
      action: 'approve',
      comment: '已当面核验身份证 / ID card checked in person',
    });
    await api.status(id, 'approved');
    const row = await memberRow(real.idNumber);
    expect(row).toMatchObject({ union_id: 'pds-zhanhe-delivery', phone_hash: h.pii.hash(moved.phone) });
    expect(await h.db('members').where({ id_number_hash: h.pii.hash(real.idNumber) })).toHaveLength(1);
  });

  it('with the name and the verified phone of the member record: a transfer, under the same application id, keeping phoneHash, name and idNumberHash', async () => {
    const real = buildMember({ group: 'courier', area: 'pds-xinhua' });
    await join(real, 'xinhua-express.reviewer');
    const self = buildMember({ idNumber: real.idNumber, name: real.name, phone: real.phone, group: 'food_delivery', area: 'pds-zhanhe' });
    const id = await api.start(null, self);
    const receiving = await api.task('zhanhe-delivery.reviewer', id, 1);
    expect(receiving.step).toContain('转入工会审核');
    const app = await api.app('city.admin', id);
    expect(app).toMatchObject({ id, type: 'transfer', targetOrg: 'pds-zhanhe-delivery' });
    const stored = await h.db('applications').where({ id }).first();
    expect(stored.payload).toMatchObject({ name: real.name, phoneHash: h.pii.hash(real.phone), idNumberHash: h.pii.hash(real.idNumber) });
    const notes = await h.db('audit_log').where({ application_id: id }).whereLike('action', 'auto:%').select('comment');
    for (const n of notes) expect(n.comment ?? '').not.toMatch(MEMBERSHIP_WORDS);
  });
});

describe('6. progress reports answer counts, not which ID numbers were members', () => {
  it('a report with a worker already counted answers accepted and already-counted numbers, and no ID list anywhere', async () => {
    const s = new Subjects(h);
    const c = await s.implementationCampaign(1);
    const project = c.projects[0]!;
    const token = await h.login('xinhua.staff');
    const [first, second] = memberRecords(2);
    const r1 = await h.call('POST', `/api/projects/${project}/progress`, { token, body: { members: [first] } });
    expect(r1.status, JSON.stringify(r1.body)).toBe(200);
    // Put to real-name verification (实名核验), which alone decides what counts.
    expect(r1.body).toMatchObject({ membersReported: 1, membersAccepted: 0, alreadyCounted: 0 });

    const r2 = await h.call('POST', `/api/projects/${project}/progress`, { token, body: { members: [first, second] } });
    expect(r2.status, JSON.stringify(r2.body)).toBe(200);
    expect(r2.body).toMatchObject({ membersReported: 1, membersAccepted: 0, alreadyCounted: 1 });
    expect(r2.body.duplicates).toBeUndefined();
    const text = JSON.stringify(r2.body);
    for (const m of [first!, second!]) {
      expect(text).not.toContain(maskIdNumber(m.idNumber));
      expect(text).not.toContain(m.name);
    }
    // Nor in the project's history.
    const view = await eventually(async () => {
      const v = await h.call('GET', `/api/projects/${project}`, { token });
      return v.body.history?.filter((e: { kind: string }) => e.kind === 'progress').length === 2 ? v : undefined;
    });
    expect(JSON.stringify(view.body)).not.toContain(maskIdNumber(first!.idNumber));
    // The ID numbers sent were looked up: audited as such.
    expect(await h.db('id_lookups').where({ actor: 'xinhua.staff', reason: 'progress', id_number_hash: h.pii.hash(first!.idNumber) })).toHaveLength(2);
  });
});

describe('6b. real-name verification: only the verifier learns who was a member elsewhere', () => {
  it('a member elsewhere and a newcomer reported alike get the same answer and the same listing; the region’s reviewer sees the transfer', async () => {
    const s = new Subjects(h);
    const c = await s.implementationCampaign(1);
    const project = c.projects[0]!;
    const member = buildMember({ group: 'courier', area: 'pds-xinhua' });
    await join(member, 'xinhua-express.reviewer');
    const [newcomer] = memberRecords(1);
    // (新华区's admin reports here: xinhua.staff spent this file's look-ups by ID number above)
    const token = await h.login('xinhua.admin');
    const report = (m: unknown) => h.call('POST', `/api/projects/${project}/progress`, { token, body: { members: [m] } });
    const r1 = await report({ name: member.name, idNumber: member.idNumber, phone: member.phone, group: 'courier', employer: '某快递网点' });
    const r2 = await report(newcomer);
    expect(r1.status).toBe(200);
    expect(r2.status).toBe(200);
    const counts = (b: { membersReported: number; membersAccepted: number; alreadyCounted: number }) => [
      b.membersReported,
      b.membersAccepted,
      b.alreadyCounted,
    ];
    expect(counts(r1.body)).toEqual(counts(r2.body));
    expect(shape(r1.body)).toEqual(shape(r2.body));
    // The submitter's listing: the two rows alike, no check, no word of membership.
    const staff = await h.call('GET', `/api/projects/${project}/members-reported`, { token });
    expect(staff.status).toBe(200);
    const [a, b] = staff.body.items;
    expect(shape(a)).toEqual(shape(b));
    expect(a.check).toBeUndefined();
    expect(JSON.stringify(staff.body)).not.toMatch(MEMBERSHIP_WORDS);
    expect(JSON.stringify(staff.body)).not.toContain('新华区快递行业工会联合会');
    // The verifier (新华区's reviewer) sees what the check found.
    const verifier = await h.call('GET', `/api/projects/${project}/members-reported`, { token: await h.login('xinhua.reviewer') });
    const byName = Object.fromEntries(verifier.body.items.map((i: { name: string; check: unknown }) => [i.name, i.check]));
    expect(byName[member.name]).toMatchObject({ kind: 'transfer', fromUnionName: '新华区快递行业工会联合会' });
    expect(byName[newcomer!.name]).toMatchObject({ kind: 'new', fromUnionName: null });
    // The reviewer of the union the member belongs to sees no project of 新华区 (404), and the province does not verify (403).
    expect((await h.call('GET', `/api/projects/${project}/members-reported`, { token: await h.login('xinhua-express.reviewer') })).status).toBe(404);
    expect((await h.call('GET', `/api/projects/${project}/members-reported`, { token: await h.login('prov.reviewer') })).status).toBe(403);
  });

  it('the policy: a reviewer of the project’s region or of its city verifies; not staff, not the province, not a union below the region', () => {
    const c = { cityOrg: 'pds', cityOrgPath: '/henan/pds/', regions: ['pds-xinhua'] };
    const project = { regionPath: '/henan/pds/pds-xinhua/' };
    const who = (orgPath: string, roles: string[]): Principal => ({ username: 'u', orgId: orgPath.split('/').at(-2)!, orgPath, roles });
    expect(verifyReportedMembers(who('/henan/pds/pds-xinhua/', ['reviewer']), project, c).allow).toBe(true);
    expect(verifyReportedMembers(who('/henan/pds/', ['reviewer']), project, c).allow).toBe(true);
    expect(verifyReportedMembers(who('/henan/pds/pds-xinhua/', ['staff', 'admin']), project, c).allow).toBe(false);
    expect(verifyReportedMembers(who('/henan/', ['reviewer']), project, c).allow).toBe(false);
    expect(verifyReportedMembers(who('/henan/pds/pds-xinhua/pds-xinhua-express/', ['reviewer']), project, c).allow).toBe(false);
    expect(verifyReportedMembers(who('/henan/pds/pds-weidong/', ['reviewer']), project, c).allow).toBe(false);
  });
});

describe('the policy: who learns about someone’s membership', () => {
  const reviewer: Principal = {
    username: 'mall.reviewer',
    orgId: 'pds-weidong-mall',
    orgPath: '/henan/pds/pds-weidong/pds-weidong-mall/',
    roles: ['reviewer'],
  };
  const admin: Principal = { username: 'weidong.admin', orgId: 'pds-weidong', orgPath: '/henan/pds/pds-weidong/', roles: ['admin'] };
  const applicant: Principal = { username: 'xinhua.staff', orgId: 'pds-xinhua', orgPath: '/henan/pds/pds-xinhua/', roles: ['staff'] };
  const task: TaskFacts = {
    assignee: null,
    role: 'reviewer',
    orgId: 'pds-weidong-mall',
    orgPath: '/henan/pds/pds-weidong/pds-weidong-mall/',
    candidates: ['mall.reviewer'],
    showsPersonalData: true,
  };
  const transfer = {
    type: 'transfer',
    applicant: 'xinhua.staff',
    applicantOrgPath: '/henan/pds/pds-xinhua/',
    targetOrgPath: '/henan/pds/pds-weidong/pds-weidong-mall/',
  };

  it('the membership fact: the holder of the pending step that shows personal data; not an overriding admin, not the applicant, not a step without personal data', () => {
    expect(seeMembership(reviewer, { ...task, pending: true }, transfer).allow).toBe(true);
    expect(seeMembership(reviewer, { ...task, pending: false }, transfer).allow).toBe(false);
    expect(seeMembership(reviewer, { ...task, pending: true, showsPersonalData: false }, transfer).allow).toBe(false);
    expect(seeMembership(admin, { ...task, pending: true }, transfer).allow).toBe(false);
    expect(seeMembership(applicant, { ...task, pending: true, assignee: 'xinhua.staff' }, transfer).allow).toBe(false);
  });

  it('staff notes: the receiving side and those who held the step; a transfer’s own applicant org no, a membership application’s area yes; the applicant never', () => {
    expect(seeMembershipNotes(admin, transfer, []).allow).toBe(true);
    expect(seeMembershipNotes(applicant, transfer, []).allow).toBe(false);
    const colleague: Principal = { ...applicant, username: 'xinhua.admin', roles: ['admin'] };
    expect(seeMembershipNotes(colleague, transfer, []).allow).toBe(false);
    expect(seeMembershipNotes(colleague, { ...transfer, type: 'membership', applicant: null, targetOrgPath: null }, []).allow).toBe(true);
    const other: Principal = { username: 'ruzhou.admin', orgId: 'pds-ruzhou', orgPath: '/henan/pds/pds-ruzhou/', roles: ['admin'] };
    expect(seeMembershipNotes(other, transfer, []).allow).toBe(false);
    expect(seeMembershipNotes(reviewer, { ...transfer, targetOrgPath: null }, [task]).allow).toBe(true);
  });
});
