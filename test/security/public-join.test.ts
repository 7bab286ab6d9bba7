/**
 * Issue 11, the public join page (扫码入会) and its status look-up:
 * verified phones (SMS codes: required, wrong, expired, 5 tries, one use,
 * resend cool-down), the CAPTCHA after repeated failures from one address,
 * the `area` rule, limits shared through Postgres by two API processes, the
 * short reference, and a status answer that says nothing about anyone's
 * membership.
 *
 * Three APIs on one system: `h` with the production limits (60 s cool-down,
 * CAPTCHA after 3 wrong codes or 5 requests), `twin` — a second API process
 * of the same deployment (same counters) — and `open`, with the CAPTCHA and
 * cool-down out of reach, for the code and look-up rules themselves.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { startApi, type RunningApi } from '../../api/server';
import { drawCaptcha } from '../../api/verification';
import { maskIdNumber } from '../../domain/id-number';
import { outboxSender } from '../../runtime/sms';
import { startHarness, eventually, readOutboxCode, type Harness } from '../support/harness';
import { buildMember, unique, uniqueIdNumber, uniquePhone } from '../support/factories';

let h: Harness;
let twin: RunningApi;
let open: RunningApi;
/** The answers of the CAPTCHAs `h` and `twin` drew (the real svg-captcha; the test learns what the picture says). */
const answers = new Map<string, string>();
const scope = `public-join-${crypto.randomBytes(4).toString('hex')}`;

function learningCaptcha() {
  const c = drawCaptcha();
  answers.set(c.data, c.text);
  return c;
}

const started: RunningApi[] = [];
/** Another API process on the same system (database, Temporal, worker), with the production limits unless told. */
async function api(limitScope: string, more: Partial<Parameters<typeof startApi>[0]> = {}): Promise<RunningApi> {
  const a = await startApi(
    {
      db: h.db,
      temporal: h.temporal,
      taskQueue: h.taskQueue,
      jwtSecret: inject('jwtSecret'),
      jwtTtl: '1h',
      pii: h.pii,
      publicJoin: true,
      sms: outboxSender(h.db, h.pii),
      limitScope,
      captchaChallenge: learningCaptcha,
      ...more,
    },
    0,
  );
  started.push(a);
  return a;
}

beforeAll(async () => {
  h = await startHarness({ publicSms: 'defaults', limitScope: scope });
  // A second process of the same deployment: the same key space in the shared counters.
  twin = await api(scope);
  open = await api(`${scope}-open`, {
    publicJoinLimit: 1_000,
    publicSms: { cooldownSeconds: 0, captchaAfterFailures: 1_000, captchaAfterRequests: 1_000, perAddressPerHour: 1_000, perPhonePerDay: 1_000 },
  });
});
afterAll(async () => {
  for (const a of started) await a.close();
  await h?.close();
});

async function call(url: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url + path, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}
const paths = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path);
const appsTitled = async (title: string) => Number((await h.db('applications').where({ title }).count({ n: '*' }))[0]!.n);

/** Sends a code through `url` and reads it from the development outbox. */
async function codeVia(url: string, phone: string, purpose: 'join' | 'status' = 'join'): Promise<string> {
  const r = await call(url, 'POST', '/api/public/sms-codes', { phone, purpose });
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  return readOutboxCode(h.db, h.pii, phone);
}
const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe('SMS codes', () => {
  it('a code request answers 202 with the cool-down; the outbox holds the text with the phone masked, never in clear; the code is stored hashed', async () => {
    const phone = uniquePhone();
    const r = await call(h.url, 'POST', '/api/public/sms-codes', { phone });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body).toEqual({ cooldownSeconds: 60 });
    const code = await readOutboxCode(h.db, h.pii, phone);
    expect(code).toMatch(/^\d{6}$/);
    const out = await h
      .db('sms_outbox')
      .where({ phone_hash: h.pii.hash(phone) })
      .first();
    expect(out.phone_masked).toBe(`${phone.slice(0, 3)}****${phone.slice(7)}`);
    expect(JSON.stringify(out)).not.toContain(phone);
    const stored = await h
      .db('sms_codes')
      .where({ phone_hash: h.pii.hash(phone) })
      .first();
    expect(JSON.stringify(stored)).not.toContain(code);
    expect(JSON.stringify(stored)).not.toContain(phone);
  });

  it('within the 60 s cool-down the same phone gets 429 with Retry-After and the seconds left in the body; the second API process sees the same counter', async () => {
    const phone = uniquePhone();
    expect((await call(h.url, 'POST', '/api/public/sms-codes', { phone })).status).toBe(202);
    for (const url of [h.url, twin.url]) {
      const again = await call(url, 'POST', '/api/public/sms-codes', { phone });
      expect(again.status).toBe(429);
      expect(again.headers.get('content-type')).toContain('application/problem+json');
      const seconds = Number(again.headers.get('retry-after'));
      expect(seconds).toBeGreaterThanOrEqual(1);
      expect(seconds).toBeLessThanOrEqual(60);
      expect(again.body.retryAfterSeconds).toBe(seconds);
      expect(again.body.detail).toContain('秒后再重新获取');
    }
    // Only one code was sent.
    expect(
      await h
        .db('sms_outbox')
        .where({ phone_hash: h.pii.hash(phone) })
        .count({ n: '*' }),
    ).toEqual([{ n: '1' }]);
  });

  it('bad phone or purpose → 400 naming them, nothing sent', async () => {
    const r = await call(open.url, 'POST', '/api/public/sms-codes', { phone: '12345', purpose: 'spam' });
    expect(r.status).toBe(400);
    expect(paths(r.body).sort()).toEqual(['phone', 'purpose']);
  });
});

describe('an anonymous membership application carries the SMS code of its phone', () => {
  it('missing, wrong, expired, used up after 5 tries, or already used → 400 naming smsCode, nothing written; the right code → 201 with the short reference', async () => {
    const post = (body: unknown, key = `pj-${crypto.randomUUID()}`) => call(open.url, 'POST', '/api/applications', body, { 'Idempotency-Key': key });
    const body = buildMember({ area: 'pds-xinhua', group: 'courier', name: `码${unique().slice(0, 4)}` });
    const title = `${body.name} 入会申请`;

    const missing = await post(body);
    expect(missing.status).toBe(400);
    expect(paths(missing.body)).toEqual(['smsCode']);

    const code = await codeVia(open.url, body.phone);
    const bad = await post({ ...body, smsCode: wrong(code) });
    expect(bad.status).toBe(400);
    expect(paths(bad.body)).toEqual(['smsCode']);
    expect(bad.body.errors[0].message).toContain('还可再试 4 次');
    // A code sent for the status page does not admit an application.
    const statusCode = await codeVia(open.url, body.phone, 'status');
    expect(paths((await post({ ...body, smsCode: statusCode })).body)).toEqual(['smsCode']);
    expect(await appsTitled(title)).toBe(0);

    // Expired: five minutes have passed (moved back in the database, not waited for).
    const fresh = await codeVia(open.url, body.phone);
    await h
      .db('sms_codes')
      .where({ phone_hash: h.pii.hash(body.phone), purpose: 'join' })
      .update({ expires_at: h.db.raw("now() - interval '1 second'") });
    const expired = await post({ ...body, smsCode: fresh });
    expect(expired.status).toBe(400);
    expect(paths(expired.body)).toEqual(['smsCode']);
    expect(expired.body.errors[0].message).toContain('已失效');

    // Five tries: after five wrong ones even the right code is refused.
    const tried = await codeVia(open.url, body.phone);
    for (let i = 0; i < 5; i++) expect((await post({ ...body, smsCode: wrong(tried) })).status).toBe(400);
    const usedUp = await post({ ...body, smsCode: tried });
    expect(usedUp.status).toBe(400);
    expect(paths(usedUp.body)).toEqual(['smsCode']);
    expect(await appsTitled(title)).toBe(0);

    // The right code: 201, a reference to read out and a viewer token for the status page.
    const good = await codeVia(open.url, body.phone);
    const created = await post({ ...body, smsCode: good });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.reference).toMatch(/^RH\d{4}-\d{4}$/);
    expect(typeof created.body.viewerToken).toBe('string');
    expect(await h.db('applications').where({ id: created.body.id }).first('public_ref')).toEqual({ public_ref: created.body.reference });
    // One use: the same code again (another request) is refused.
    const reused = await post({ ...body, smsCode: good });
    expect(reused.status).toBe(400);
    expect(paths(reused.body)).toEqual(['smsCode']);
    expect(await appsTitled(title)).toBe(1);
  });

  it('staff applying on a worker’s behalf need no code', async () => {
    const body = buildMember({ area: 'pds-xinhua' });
    const r = await call(open.url, 'POST', '/api/applications', body, { authorization: `Bearer ${await h.login('xinhua.staff')}` });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.reference).toMatch(/^RH\d{4}-\d{4}$/);
    expect(r.body.viewerToken).toBeUndefined();
  });
});

describe('area: only the orgs a worker may apply at', () => {
  it.each([
    ['the province', 'henan'],
    ['a grassroots union', 'pds-xinhua-express'],
    ['an unknown org', 'nowhere'],
  ])('%s → 400 naming area, nothing written, the code not spent', async (_what, area) => {
    const body = buildMember({ area, name: `区${unique().slice(0, 4)}` });
    const code = await codeVia(open.url, body.phone);
    const r = await call(open.url, 'POST', '/api/applications', { ...body, smsCode: code });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(paths(r.body)).toEqual(['area']);
    expect(await appsTitled(`${body.name} 入会申请`)).toBe(0);
    // Staff are held to the same rule.
    const staff = await call(open.url, 'POST', '/api/applications', body, { authorization: `Bearer ${await h.login('city.admin')}` });
    expect(staff.status).toBe(400);
    expect(paths(staff.body)).toEqual(['area']);
    // Corrected, the same code still works.
    const ok = await call(open.url, 'POST', '/api/applications', { ...body, area: 'pds-gongjiao', smsCode: code });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
  });

  it('the join form offers exactly the cities, counties and industry unions', async () => {
    const r = await call(open.url, 'GET', '/api/public/unions');
    expect(r.status).toBe(200);
    const kinds = new Set(r.body.areas.map((a: { kind: string }) => a.kind));
    expect([...kinds].sort()).toEqual(['city', 'county', 'industry']);
    const expected = await h.db('orgs').whereIn('kind', ['city', 'county', 'industry']).pluck('id');
    expect(r.body.areas.map((a: { id: string }) => a.id).sort()).toEqual(expected.sort());
  });
});

describe('the CAPTCHA after repeated failures from one address, shared by the API processes', () => {
  it('after 3 wrong codes the answer carries a challenge; then every code-checking or code-sending request needs one, solved once; both processes agree', async () => {
    // Two processes of one deployment, on counters of their own (this file's other requests come from the same address).
    const shared = `${scope}-captcha`;
    const [one, two] = [await api(shared), await api(shared)];
    const body = buildMember({ area: 'pds-xinhua' });
    const code = await codeVia(one.url, body.phone);
    const post = (url: string, b: unknown) => call(url, 'POST', '/api/applications', b);
    // Two wrong codes on one process, the third on the other: one counter.
    expect((await post(one.url, { ...body, smsCode: wrong(code) })).body.captcha).toBeUndefined();
    expect((await post(one.url, { ...body, smsCode: wrong(code) })).body.captcha).toBeUndefined();
    const third = await post(two.url, { ...body, smsCode: wrong(code) });
    expect(third.status).toBe(400);
    expect(paths(third.body)).toEqual(['smsCode']);
    expect(third.body.captcha).toMatchObject({ id: expect.any(String), svg: expect.stringContaining('<svg') });

    // Now without a CAPTCHA: 400 naming captcha, with a fresh challenge; on either process, for either route.
    for (const [url, path, b] of [
      [one.url, '/api/applications', { ...body, smsCode: code }],
      [two.url, '/api/public/sms-codes', { phone: uniquePhone() }],
      [one.url, '/api/public/status', { reference: 'RH0000-0000', phone: body.phone, smsCode: code }],
    ] as const) {
      const r = await call(url, 'POST', path, b);
      expect(r.status, path).toBe(400);
      expect(paths(r.body)).toEqual(['captcha']);
      expect(r.body.captcha.svg).toContain('<svg');
    }
    expect(
      await h
        .db('applications')
        .whereRaw("payload->>'phoneHash' = ?", [h.pii.hash(body.phone)])
        .count({ n: '*' }),
    ).toEqual([{ n: '0' }]);

    // GET /api/public/captcha draws one; a wrong answer uses it up and answers with another.
    const challenge = await call(two.url, 'GET', '/api/public/captcha');
    expect(challenge.status).toBe(200);
    const answer = answers.get(challenge.body.svg)!;
    expect(answer).toMatch(/^\w{4}$/);
    const badAnswer = await post(two.url, { ...body, smsCode: code, captcha: { id: challenge.body.id, answer: 'zzzzz' } });
    expect(paths(badAnswer.body)).toEqual(['captcha']);
    const replayed = await post(two.url, { ...body, smsCode: code, captcha: { id: challenge.body.id, answer } });
    expect(paths(replayed.body)).toEqual(['captcha']);
    const stored = await h.db('captchas').where({ id: challenge.body.id }).first();
    expect(stored.answer_hash).not.toContain(answer);
    expect(stored.used_at).not.toBeNull();

    // A fresh challenge solved (case does not matter) lets the right code through.
    const next = badAnswer.body.captcha ?? replayed.body.captcha;
    const solved = await post(two.url, {
      ...body,
      smsCode: code,
      captcha: { id: replayed.body.captcha.id, answer: answers.get(replayed.body.captcha.svg)!.toUpperCase() },
    });
    expect(next).toBeDefined();
    expect(solved.status, JSON.stringify(solved.body)).toBe(201);
  });

  it('5 code requests from one address in 15 minutes: the sixth needs a CAPTCHA', async () => {
    const a = await api(`${scope}-requests`);
    for (let i = 0; i < 5; i++) expect((await call(a.url, 'POST', '/api/public/sms-codes', { phone: uniquePhone() })).status).toBe(202);
    const phone = uniquePhone();
    const sixth = await call(a.url, 'POST', '/api/public/sms-codes', { phone });
    expect(sixth.status).toBe(400);
    expect(paths(sixth.body)).toEqual(['captcha']);
    expect(
      await h
        .db('sms_outbox')
        .where({ phone_hash: h.pii.hash(phone) })
        .count({ n: '*' }),
    ).toEqual([{ n: '0' }]);
    const solved = await call(a.url, 'POST', '/api/public/sms-codes', {
      phone,
      captcha: { id: sixth.body.captcha.id, answer: answers.get(sixth.body.captcha.svg) },
    });
    expect(solved.status, JSON.stringify(solved.body)).toBe(202);
  });
});

describe('the status look-up', () => {
  /** A worker applies on `open` and gets its reference. */
  async function apply(overrides: Parameters<typeof buildMember>[0] = {}) {
    const body = buildMember({ area: 'pds-xinhua', group: 'courier', employer: '某快递网点', ...overrides });
    const r = await call(open.url, 'POST', '/api/applications', { ...body, smsCode: await codeVia(open.url, body.phone) });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return { body, id: r.body.id as string, reference: r.body.reference as string, viewerToken: r.body.viewerToken as string };
  }
  const lookup = (b: unknown) => call(open.url, 'POST', '/api/public/status', b);

  it('by reference + phone + code, by the long id, and by ID number + phone + code; the viewer token re-reads without a new SMS', async () => {
    const a = await apply();
    const byRef = await lookup({ reference: a.reference.toLowerCase(), phone: a.body.phone, smsCode: await codeVia(open.url, a.body.phone, 'status') });
    expect(byRef.status, JSON.stringify(byRef.body)).toBe(200);
    expect(byRef.body.applications).toHaveLength(1);
    const mine = byRef.body.applications[0];
    expect(mine).toMatchObject({
      reference: a.reference,
      id: a.id,
      progress: { code: 'reviewing', label: '审核中 / under review' },
      held: {
        name: a.body.name,
        idNumber: maskIdNumber(a.body.idNumber),
        phone: `${a.body.phone.slice(0, 3)}****${a.body.phone.slice(7)}`,
        group: '快递员',
        employer: '某快递网点',
        union: '新华区总工会',
      },
    });
    expect(mine.correction).toContain('请联系新华区总工会');
    expect(mine.steps.map((s: { label: string }) => s.label)).toEqual(['已提交 / submitted', '审核中 / under review', '办理结果 / result']);

    const byId = await lookup({ reference: a.id, phone: a.body.phone, smsCode: await codeVia(open.url, a.body.phone, 'status') });
    expect(byId.body.applications.map((x: { id: string }) => x.id)).toEqual([a.id]);

    // The same person applies again with another group: the ID look-up lists both, newest first.
    const again = await apply({ idNumber: a.body.idNumber, phone: a.body.phone, name: a.body.name, group: 'food_delivery' });
    const byIdNumber = await lookup({ idNumber: a.body.idNumber, phone: a.body.phone, smsCode: await codeVia(open.url, a.body.phone, 'status') });
    expect(byIdNumber.status).toBe(200);
    expect(byIdNumber.body.applications.map((x: { id: string }) => x.id)).toEqual([again.id, a.id]);
    // The look-up by ID number is audited: the keyed hashes of the phone (as actor) and of the ID number, never either in clear.
    const audited = await h
      .db('id_lookups')
      .where({ reason: 'publicStatus', id_number_hash: h.pii.hash(a.body.idNumber) })
      .select('actor', 'subject');
    expect(audited).toEqual([{ actor: `public:${h.pii.hash(a.body.phone)}`, subject: null }]);

    // The viewer token (from the look-up, or from the join itself) re-reads; it never passes as a session.
    const reread = await lookup({ viewerToken: byIdNumber.body.viewerToken });
    expect(reread.body.applications.map((x: { id: string }) => x.id)).toEqual([again.id, a.id]);
    expect((await lookup({ viewerToken: a.viewerToken })).body.applications.map((x: { id: string }) => x.id)).toEqual([a.id]);
    expect((await call(open.url, 'GET', '/api/me', undefined, { authorization: `Bearer ${a.viewerToken}` })).status).toBe(401);
    const forged = await lookup({ viewerToken: a.viewerToken.slice(0, -2) + (a.viewerToken.endsWith('A') ? 'BB' : 'AA') });
    expect(forged.status).toBe(400);
    expect(paths(forged.body)).toEqual(['viewerToken']);
  });

  it('not found and someone else’s phone answer alike (404); the code is checked first and spent only on a find', async () => {
    const a = await apply();
    const other = uniquePhone();
    const code = await codeVia(open.url, other, 'status');
    const wrongPhone = await lookup({ reference: a.reference, phone: other, smsCode: code });
    const unknown = await lookup({ reference: 'RH0001-0001', phone: other, smsCode: code });
    expect(wrongPhone.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(wrongPhone.body).toEqual(unknown.body);
    // Another person's ID number with one's own phone finds nothing either.
    const theirs = await lookup({ idNumber: a.body.idNumber, phone: other, smsCode: code });
    expect(theirs.status).toBe(404);
    // Without a valid code nothing is looked up at all.
    const noCode = await lookup({ reference: a.reference, phone: a.body.phone, smsCode: wrong(code) });
    expect(noCode.status).toBe(400);
    expect(paths(noCode.body)).toEqual(['smsCode']);
    const neither = await lookup({ phone: a.body.phone, smsCode: code });
    expect(paths(neither.body)).toEqual(['reference']);
    const both = await lookup({ reference: a.reference, idNumber: a.body.idNumber, phone: a.body.phone, smsCode: code });
    expect(paths(both.body)).toEqual(['idNumber']);
  });

  it('says nothing about membership: an application with an existing member’s ID number and one’s own phone answers as any other — no notes, no step names, no union of the member', async () => {
    // A member of 新华区快递行业工会联合会's sibling union elsewhere (the sorting step would turn the application into a transfer).
    const idNumber = uniqueIdNumber();
    await h.db('members').insert({
      id_number_hash: h.pii.hash(idNumber),
      id_number_enc: h.pii.encrypt(idNumber),
      id_number_masked: maskIdNumber(idNumber),
      name: '会员甲',
      union_id: 'pds-zhanhe-delivery',
      source_application: `test-${unique()}`,
    });
    const probe = await apply({ idNumber, group: 'courier', name: '冒名者' });
    const control = await apply({ group: 'courier', name: '对照者' });
    // Both past the automated sorting step (the probe's notes, today, would name the member's union).
    for (const id of [probe.id, control.id])
      await eventually(async () => (await h.db('audit_log').where({ application_id: id }).where('action', 'like', 'auto:%').first('id')) ?? false);
    const read = async (x: typeof probe) => (await lookup({ viewerToken: x.viewerToken })).body.applications[0];
    const [p, c] = [await read(probe), await read(control)];
    const text = JSON.stringify(p);
    for (const leak of ['会员', '转移', 'transfer', 'member', '湛河', 'pds-zhanhe', '分拣', 'note', 'currentStep', 'timeline'])
      expect(text).not.toContain(leak);
    const shape = (x: any) => ({
      ...x,
      reference: null,
      id: null,
      submittedAt: null,
      updatedAt: null,
      held: { ...x.held, name: null, idNumber: null, phone: null },
    });
    expect(shape(p)).toEqual(shape(c));
  });
});
