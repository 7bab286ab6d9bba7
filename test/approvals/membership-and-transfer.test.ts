/**
 * 网上入会 (the eight-step online membership loop) and 会籍转移 (membership
 * transfer): sorting to the right grassroots union, the 周转池 holding pool,
 * the approve-once rule, one member record per ID number, and personal data
 * that never leaves the system in plain text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskIdNumber, maskPhone } from '../../domain/id-number';
import { Approvals } from '../support/approvals';
import { buildMember, type MemberBody } from '../support/factories';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;
let api: Approvals;
beforeAll(async () => {
  h = await startHarness();
  api = new Approvals(h);
});
afterAll(async () => {
  await h?.close();
});

async function membersWith(idNumber: string) {
  return h.db('members').where({ id_number_hash: h.pii.hash(idNumber) });
}

/** A worker joins online and the union's reviewer approves the initial and the identity review. */
async function join(body: MemberBody, reviewer: string): Promise<string> {
  const id = await api.start(null, body);
  await api.ok(reviewer, (await api.task(reviewer, id, 1)).id, { action: 'approve', comment: '信息完整 / complete' });
  await api.ok(reviewer, (await api.task(reviewer, id, 3)).id, { action: 'approve', comment: '身份属实 / identity confirmed' });
  await api.status(id, 'approved');
  return id;
}

/** Every payload in a workflow history, decoded to text. */
async function historyText(applicationId: string): Promise<string> {
  const history = await h.temporal.workflow.getHandle(`application-${applicationId}`).fetchHistory();
  const parts: string[] = [];
  const walk = (v: unknown): void => {
    if (v instanceof Uint8Array) parts.push(Buffer.from(v).toString('utf8'));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    else if (typeof v === 'string') parts.push(v);
  };
  walk(history);
  return parts.join('\n');
}

describe('online membership (网上入会)', () => {
  it('a courier in 新华区 applies without an account, is sorted to the district courier union, and after the initial and identity reviews is admitted once as a verified member', async () => {
    const body = buildMember({ group: 'courier', area: 'pds-xinhua', employer: '顺丰速运新华网点' });
    const created = await api.create(null, body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'pending', workflowId: `application-${created.body.id}` });
    const id = created.body.id as string;

    const initial = await api.task('xinhua-express.reviewer', id, 1);
    expect(initial).toMatchObject({ step: expect.stringContaining('信息初审'), role: 'reviewer', org: 'pds-xinhua-express' });
    const sorted = await api.app('city.admin', id);
    expect(sorted).toMatchObject({ type: 'membership', targetOrg: 'pds-xinhua-express', applicant: null, applicantOrg: 'pds-xinhua' });
    expect(sorted.timeline.find((e: { action: string }) => e.action === 'auto:sortMembership')).toMatchObject({
      data: { outcome: 'done' },
      comment: expect.stringContaining('sorted to pds-xinhua-express'),
    });

    await api.ok('xinhua-express.reviewer', initial.id, { action: 'approve' });
    // 身份审核 is a step of its own even for the reviewer who did the initial review.
    const identity = await api.task('xinhua-express.reviewer', id, 3);
    expect(identity.step).toContain('身份审核');
    await api.ok('xinhua-express.reviewer', identity.id, { action: 'approve' });

    const done = await api.status(id, 'approved');
    const byStep = (stepIndex: number) => done.timeline.filter((e: { stepIndex: number | null }) => e.stepIndex === stepIndex);
    // 吸纳入会: the same reviewer approved the previous step, so admission is approved once, automatically.
    expect(byStep(4).find((e: { action: string }) => e.action === 'approve')).toMatchObject({
      actor: 'xinhua-express.reviewer',
      data: { auto: 'approveOnce' },
    });
    const actions = done.timeline.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['auto:assignToUnion', 'auto:collectMemberInfo', 'auto:verifyRealName', 'approved']));
    expect(await api.inbox('xinhua-express.reviewer', id, 'status=pending')).toHaveLength(0);

    const members = await membersWith(body.idNumber);
    expect(members).toHaveLength(1);
    expect(members[0]).toMatchObject({
      union_id: 'pds-xinhua-express',
      verified: true,
      group_id: 'courier',
      source_application: id,
      id_number_masked: maskIdNumber(body.idNumber),
    });
  });

  it('the ID and phone numbers appear only masked in the API, and never in plain text in the database or the workflow history', async () => {
    const body = buildMember({ group: 'courier', area: 'pds-xinhua' });
    const id = await join(body, 'xinhua-express.reviewer');

    const app = await api.app('city.admin', id);
    expect(app.payload).toMatchObject({ idNumberMasked: maskIdNumber(body.idNumber), phoneMasked: maskPhone(body.phone), name: body.name });
    expect(Object.keys(app.payload).filter((k) => /Enc$|Hash$/.test(k))).toEqual([]);
    const task = (await api.inbox('xinhua-express.reviewer', id, 'status=completed'))[0]!;
    const taskDetail = await h.call('GET', `/api/tasks/${task.id}`, { token: await h.login('xinhua-express.reviewer') });
    for (const text of [JSON.stringify(app), JSON.stringify(taskDetail.body)]) {
      expect(text).not.toContain(body.idNumber);
      expect(text).not.toContain(body.phone);
    }

    for (const table of ['applications', 'members', 'tasks', 'audit_log', 'notifications', 'idempotency_keys']) {
      const hits = await h.db.raw(`select count(*)::int as n from ${table} x where x::text like ? or x::text like ?`, [
        `%${body.idNumber}%`,
        `%${body.phone}%`,
      ]);
      expect(hits.rows[0].n, table).toBe(0);
    }
    expect((await membersWith(body.idNumber))[0].id_number_enc).toMatch(new RegExp(`^v2:${h.pii.currentKid}:`));

    const history = await historyText(id);
    expect(history).toContain(maskIdNumber(body.idNumber)); // the payloads were decoded…
    expect(history).not.toContain(body.idNumber); // …and the plain numbers are not in them
    expect(history).not.toContain(body.phone);
  });

  it('a truck driver anywhere in the city is sorted to the city-wide freight union under the industry union', async () => {
    const id = await api.start(null, buildMember({ group: 'truck_driver', area: 'pds-ruzhou' }));
    const t = await api.task('freight.reviewer', id, 1);
    expect(t.org).toBe('pds-freight');
    expect((await api.app('city.admin', id)).targetOrg).toBe('pds-freight');
  });

  it('a care worker, whose group has no union in the area, waits in the holding pool until city staff assign a union', async () => {
    const id = await api.start(null, buildMember({ group: 'care_worker', area: 'pds-weidong' }));
    const pool = await api.task('city.staff', id, 1);
    expect(pool).toMatchObject({ step: expect.stringContaining('周转池'), assignee: 'city.staff' });
    const held = await api.app('city.admin', id);
    expect(held.targetOrg).toBeNull();
    expect(held.timeline.find((e: { action: string }) => e.action === 'auto:sortMembership')).toMatchObject({ data: { outcome: 'hold' } });

    expect((await api.act('city.staff', pool.id, { action: 'approve' })).status).toBe(409);
    const notGrassroots = await api.act('city.staff', pool.id, { action: 'assign', to: 'pds-weidong' });
    expect(notGrassroots.status).toBe(400);
    expect(notGrassroots.body.errors[0].path).toBe('to');

    const r = await api.ok('city.staff', pool.id, { action: 'assign', to: 'pds-weidong-mall', comment: '就近分配 / nearest union' });
    expect(r.targetOrg).toBe('pds-weidong-mall');
    const review = await api.task('weidong-mall.reviewer', id, 2);
    expect(review.step).toContain('信息初审');
    const tl = await api.timeline(id);
    expect(tl.find((e) => e.action === 'assign')).toMatchObject({ actor: 'city.staff', data: { targetOrg: 'pds-weidong-mall' } });
    expect((await api.app('city.admin', id)).targetOrg).toBe('pds-weidong-mall');
  });

  it('a second application with the same ID number, name and verified phone becomes a transfer to the new union, and a third to that same union ends without telling the public why', async () => {
    const first = buildMember({ group: 'courier', area: 'pds-xinhua' });
    await join(first, 'xinhua-express.reviewer');

    // The worker now delivers food in 湛河区 and applies again, with their name and phone (as the member record has them).
    const second = await api.start(
      null,
      buildMember({ idNumber: first.idNumber, name: first.name, phone: first.phone, group: 'food_delivery', area: 'pds-zhanhe' }),
    );
    const receiving = await api.task('zhanhe-delivery.reviewer', second, 1);
    expect(receiving.step).toContain('转入工会审核');
    const converted = await api.app('city.admin', second);
    expect(converted).toMatchObject({ id: second, type: 'transfer', targetOrg: 'pds-zhanhe-delivery' });
    // Staff read why (a staff-only note); the note anyone may read says nothing of membership.
    expect(converted.timeline.find((e: { action: string }) => e.action === 'auto:sortMembership')).toMatchObject({
      data: { outcome: 'convertToTransfer', staffNote: expect.stringContaining('already a member elsewhere') },
      comment: expect.stringContaining('sorted to pds-zhanhe-delivery'),
    });
    await api.ok('zhanhe-delivery.reviewer', receiving.id, { action: 'approve' });
    const moved = await api.status(second, 'approved');
    expect(moved.timeline.map((e: { action: string }) => e.action)).toContain('auto:transferMembership');

    const members = await membersWith(first.idNumber);
    expect(members).toHaveLength(1);
    expect(members[0]).toMatchObject({ union_id: 'pds-zhanhe-delivery' });

    const third = await api.start(
      null,
      buildMember({ idNumber: first.idNumber, name: first.name, phone: first.phone, group: 'food_delivery', area: 'pds-zhanhe' }),
    );
    const refused = await api.status(third, 'rejected');
    const sorting = refused.timeline.find((e: { action: string }) => e.action === 'auto:sortMembership');
    expect(sorting).toMatchObject({ data: { outcome: 'reject', staffNote: expect.stringContaining('already a member of this union') } });
    expect(sorting.comment).not.toMatch(/已是|member/);
    expect(await membersWith(first.idNumber)).toHaveLength(1);
  });
});

describe('membership transfer (会籍转移)', () => {
  it('a transfer is approved by the receiving union alone: there is no transfer-out step, and the member moves', async () => {
    const member = buildMember({ group: 'courier', area: 'pds-xinhua' });
    await join(member, 'xinhua-express.reviewer');

    const r = await api.create('xinhua.staff', {
      type: 'transfer',
      idNumber: member.idNumber,
      toUnion: 'pds-weidong-mall',
      reason: '换到商场工作 / now works at a mall',
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const id = r.body.id as string;
    const t = await api.task('weidong-mall.reviewer', id, 0);
    expect(t).toMatchObject({ role: 'reviewer', org: 'pds-weidong-mall' });
    expect(await api.inbox('xinhua-express.reviewer', id)).toHaveLength(0);

    await api.ok('weidong-mall.reviewer', t.id, { action: 'approve' });
    const done = await api.status(id, 'approved', 'xinhua.staff');
    // The applicant's view does not say where the member came from (only the receiving reviewer is told).
    expect(done.payload).toEqual({ toUnion: 'pds-weidong-mall', reason: '换到商场工作 / now works at a mall', idNumberMasked: maskIdNumber(member.idNumber) });
    expect(done.timeline.filter((e: { action: string }) => e.action === 'approve').map((e: { actor: string }) => e.actor)).toEqual(['weidong-mall.reviewer']);
    const tasks = await api.rows('tasks', id);
    expect(tasks.map((x: { org_id: string }) => x.org_id)).toEqual(['pds-weidong-mall']);
    expect((await membersWith(member.idNumber))[0]).toMatchObject({ union_id: 'pds-weidong-mall' });
  });

  it('a transfer for someone who is not a member, or to the union they are already in, is filed like any other and ends rejected at the automated step, with the reason for staff only', async () => {
    const stranger = buildMember();
    const notMember = await api.create('xinhua.staff', { type: 'transfer', idNumber: stranger.idNumber, toUnion: 'pds-weidong-mall' });
    expect(notMember.status).toBe(201);
    const notUnion = await api.create('xinhua.staff', { type: 'transfer', idNumber: stranger.idNumber, toUnion: 'pds-weidong' });
    expect(notUnion.status).toBe(400);
    expect(notUnion.body.errors.map((e: { path: string }) => e.path)).toEqual(['toUnion']);

    const member = buildMember({ group: 'courier', area: 'pds-xinhua' });
    await join(member, 'xinhua-express.reviewer');
    const same = await api.create('xinhua.staff', { type: 'transfer', idNumber: member.idNumber, toUnion: 'pds-xinhua-express' });
    expect(same.status).toBe(201);

    // The receiving reviewer approves both without looking: the automated step moves nobody.
    for (const [r, reviewer, why] of [
      [notMember, 'weidong-mall.reviewer', 'not a member'],
      [same, 'xinhua-express.reviewer', 'already a member of the receiving union'],
    ] as const) {
      const id = r.body.id as string;
      await api.ok(reviewer, (await api.task(reviewer, id, 0)).id, { action: 'approve' });
      const ended = await api.status(id, 'rejected', reviewer);
      expect(ended.timeline.find((e: { action: string }) => e.action === 'auto:transferMembership')).toMatchObject({
        data: { outcome: 'reject', staffNote: expect.stringContaining(why) },
      });
      const mine = await api.app('xinhua.staff', id);
      expect(mine.timeline.find((e: { action: string }) => e.action === 'auto:transferMembership').data).toEqual({ outcome: 'reject' });
      expect(JSON.stringify(mine)).not.toContain(why);
    }
    expect(await membersWith(stranger.idNumber)).toHaveLength(0);
    expect((await membersWith(member.idNumber))[0]).toMatchObject({ union_id: 'pds-xinhua-express' });
  });
});
