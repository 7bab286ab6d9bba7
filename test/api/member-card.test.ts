/**
 * 电子会员卡: a worker admitted through the eight-step membership loop gets
 * a card (name, union, member number, date joined, a QR code of the verify
 * page); a union scanning it sees whether it is valid, the union, the number
 * and the masked name only. The card follows a transfer; a removed member
 * record makes it invalid; an unknown code is not found.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startApi, type RunningApi } from '../../api/server';
import { memberCardCodeForApplication } from '../../db/member-repository';
import { Approvals } from '../support/approvals';
import { buildMember, type MemberBody } from '../support/factories';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;
let api: Approvals;
let published: RunningApi;
/** Another API on the same system. */
const deps = () => ({
  db: h.db,
  temporal: h.temporal,
  taskQueue: h.taskQueue,
  jwtSecret: inject('jwtSecret'),
  jwtTtl: '1h',
  pii: h.pii,
  publicJoin: true,
});
beforeAll(async () => {
  h = await startHarness();
  api = new Approvals(h);
  // The same system behind a public address (PUBLIC_BASE_URL).
  published = await startApi({ ...deps(), publicBaseUrl: 'https://union.example.org/', limitScope: `member-card-${h.taskQueue}` }, 0);
});
afterAll(async () => {
  await published?.close();
  await h?.close();
});

/** A worker joins online; the union's reviewer passes the initial and the identity review; the loop runs to the end. */
async function join(body: MemberBody, reviewer = 'xinhua-express.reviewer'): Promise<string> {
  const id = await api.start(null, body);
  await api.ok(reviewer, (await api.task(reviewer, id, 1)).id, { action: 'approve' });
  await api.ok(reviewer, (await api.task(reviewer, id, 3)).id, { action: 'approve' });
  await api.status(id, 'approved');
  return id;
}

const card = (code: string) => h.call('GET', `/api/public/member-cards/${code}`);
const verify = (code: string) => h.call('GET', `/api/public/member-cards/${code}/verify`);

describe('the electronic member card (电子会员卡)', () => {
  let body: MemberBody;
  let appId: string;
  let code: string;
  beforeAll(async () => {
    body = buildMember({ name: '张小红', group: 'courier', area: 'pds-xinhua' });
    appId = await join(body);
    code = (await memberCardCodeForApplication(h.db, appId))!;
  });

  it('an admitted member has a random card code of 32 characters and a member number fixed at admission', async () => {
    expect(code).toMatch(/^[0-9a-f]{32}$/);
    const row = await h.db('members').where({ source_application: appId }).first('id', 'card_code', 'member_no', 'joined_at');
    expect(row.card_code).toBe(code);
    const year = new Date(new Date(row.joined_at).getTime() + 8 * 3600_000).getUTCFullYear();
    expect(row.member_no).toBe(`${year}${String(row.id).padStart(8, '0')}`);
    // Another member's code is unrelated.
    const other = await join(buildMember({ group: 'courier', area: 'pds-xinhua' }));
    const otherCode = await memberCardCodeForApplication(h.db, other);
    expect(otherCode).toMatch(/^[0-9a-f]{32}$/);
    expect(otherCode).not.toBe(code);
  });

  it('the card answers name, union, member number, date joined and a QR code of the verify page — no ID or phone number', async () => {
    const r = await card(code);
    expect(r.status).toBe(200);
    const row = await h.db('members').where({ card_code: code }).first('member_no');
    expect(r.body).toEqual({
      name: '张小红',
      union: { id: 'pds-xinhua-express', name: '新华区快递行业工会联合会' },
      memberNo: row.member_no,
      joinedOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      status: 'active',
      valid: true,
      verifyUrl: `${h.url}/member-card/${code}/verify`,
      qr: expect.stringMatching(/^data:image\/svg\+xml;base64,/),
    });
    const svg = Buffer.from(r.body.qr.split(',')[1], 'base64').toString('utf8');
    expect(svg).toContain('<svg');
    expect(r.headers.get('cache-control')).toBe('no-store');
    const text = JSON.stringify(r.body);
    for (const secret of [body.idNumber, body.phone, body.idNumber.slice(-4)]) expect(text).not.toContain(secret);
  });

  it('behind PUBLIC_BASE_URL the QR code points at the public address', async () => {
    const r = await fetch(`${published.url}/api/public/member-cards/${code}`);
    expect(r.status).toBe(200);
    const b = (await r.json()) as { verifyUrl: string };
    expect(b.verifyUrl).toBe(`https://union.example.org/member-card/${code}/verify`);
  });

  it('the verify answer shows validity, union, number and the masked name only', async () => {
    const r = await verify(code);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      valid: true,
      status: 'active',
      unionName: '新华区快递行业工会联合会',
      nameMasked: '张**',
      memberNo: expect.stringMatching(/^\d{12,}$/),
      checkedAt: expect.any(String),
    });
    const text = JSON.stringify(r.body);
    for (const secret of ['张小红', '小红', body.idNumber, body.phone, body.idNumber.slice(-4), body.phone.slice(-4)]) expect(text).not.toContain(secret);
  });

  it('an unknown or malformed code is not found', async () => {
    for (const c of ['0123456789abcdef0123456789abcdef', 'nope', code.toUpperCase(), `${code}0`]) {
      expect((await card(c)).status, c).toBe(404);
      expect((await verify(c)).status, c).toBe(404);
    }
  });

  it('no card code for an application that is still under review, or that was not admitted', async () => {
    const pending = await api.start(null, buildMember({ group: 'courier', area: 'pds-xinhua' }));
    await api.task('xinhua-express.reviewer', pending, 1);
    expect(await memberCardCodeForApplication(h.db, pending)).toBeUndefined();
    expect(await memberCardCodeForApplication(h.db, 'no-such-application')).toBeUndefined();
  });

  it('after a transfer the card and its verification show the new union, with the same number and code', async () => {
    const member = buildMember({ name: '李四', group: 'courier', area: 'pds-xinhua' });
    const id = await join(member);
    const c = (await memberCardCodeForApplication(h.db, id))!;
    const before = (await card(c)).body;
    const t = await api.create('xinhua.staff', {
      type: 'transfer',
      idNumber: member.idNumber,
      toUnion: 'pds-weidong-mall',
      reason: '换到商场工作 / now works at a mall',
    });
    expect(t.status, JSON.stringify(t.body)).toBe(201);
    await api.ok('weidong-mall.reviewer', (await api.task('weidong-mall.reviewer', t.body.id, 0)).id, { action: 'approve' });
    await api.status(t.body.id, 'approved', 'xinhua.staff');

    const after = await card(c);
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ union: { id: 'pds-weidong-mall' }, memberNo: before.memberNo, valid: true });
    expect(after.body.union.name).not.toBe(before.union.name);
    const v = await verify(c);
    expect(v.body).toMatchObject({ valid: true, unionName: after.body.union.name, nameMasked: '李*', memberNo: before.memberNo });
  });

  it('a removed member record makes the card invalid: the card is gone, the verification says so', async () => {
    const id = await join(buildMember({ group: 'courier', area: 'pds-xinhua' }));
    const c = (await memberCardCodeForApplication(h.db, id))!;
    const { member_no: memberNo } = await h.db('members').where({ card_code: c }).first('member_no');
    await h.db('members').where({ card_code: c }).del();
    expect((await card(c)).status).toBe(404);
    const v = await verify(c);
    expect(v.status).toBe(200);
    expect(v.body).toEqual({ valid: false, status: 'revoked', unionName: null, nameMasked: null, memberNo, checkedAt: expect.any(String) });
  });

  it('a member row not real-name verified has a card that does not verify as valid', async () => {
    const id = await join(buildMember({ group: 'courier', area: 'pds-xinhua' }));
    const c = (await memberCardCodeForApplication(h.db, id))!;
    await h.db('members').where({ card_code: c }).update({ verified: false });
    expect((await verify(c)).body).toMatchObject({ valid: false, status: 'pending' });
    expect((await card(c)).body).toMatchObject({ valid: false, status: 'pending' });
  });

  it('card look-ups are limited per client address (429 with Retry-After)', async () => {
    // Counters of their own: the look-ups above do not count here.
    const limited = await startApi({ ...deps(), memberCardLimit: 3, limitScope: `member-card-limit-${h.taskQueue}` }, 0);
    try {
      const statuses: number[] = [];
      let last: Response | undefined;
      for (const p of [code, `${code}/verify`, 'ffffffffffffffffffffffffffffffff', `${code}/verify`]) {
        last = await fetch(`${limited.url}/api/public/member-cards/${p}`);
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 404, 429]);
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});
