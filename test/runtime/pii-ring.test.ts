/**
 * The personal-data key ring (runtime/pii.ts, runtime/pii-key.ts): key ids in
 * every ciphertext, the newest key encrypts and all decrypt, `v1:` ciphertexts
 * of the time before key ids still decrypt, and the keyed hash has a key of
 * its own.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../runtime/config';
import { createPiiCipher, createPiiRing, legacyHashKey, parseKeyRing, rewrapJson } from '../../runtime/pii';
import { piiCipher } from '../../runtime/pii-key';

const key = () => crypto.randomBytes(32);
const b64 = (b: Buffer) => b.toString('base64');

/** A ciphertext exactly as the code before key ids made it (`v1:iv:tag:body`). */
function legacyEncrypt(keyBase64: string, plain: string): string {
  const iv = crypto.randomBytes(12);
  const c = crypto.createCipheriv('aes-256-gcm', Buffer.from(keyBase64, 'base64'), iv);
  const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return ['v1', iv.toString('base64'), c.getAuthTag().toString('base64'), body.toString('base64')].join(':');
}
/** The keyed hash exactly as the code before PII_HASH_KEY computed it. */
function legacyHash(keyBase64: string, plain: string): string {
  const hk = crypto.createHmac('sha256', Buffer.from(keyBase64, 'base64')).update('pii-hash').digest();
  return crypto.createHmac('sha256', hk).update(plain).digest('base64url');
}

const ID = '410402199001011234';
const PHONE = '13800001111';

describe('the key ring', () => {
  const k1 = key();
  const k2 = key();
  const hashKey = key();
  const old = createPiiRing({ keys: [{ kid: 'k2026a', key: k1 }], hashKey });
  const rotated = createPiiRing({
    keys: [
      { kid: 'k2026b', key: k2 },
      { kid: 'k2026a', key: k1 },
    ],
    hashKey,
  });

  it('names the key in every ciphertext; the newest encrypts, every key in the ring decrypts', () => {
    const before = old.encrypt(ID);
    expect(before).toMatch(/^v2:k2026a:[\w+/=]+:[\w+/=]+:[\w+/=]+$/);
    expect(old.kidOf(before)).toBe('k2026a');
    const after = rotated.encrypt(ID);
    expect(after.startsWith('v2:k2026b:')).toBe(true);
    expect(rotated.currentKid).toBe('k2026b');
    expect(rotated.decrypt(before)).toBe(ID);
    expect(rotated.decrypt(after)).toBe(ID);
    // A ring without the newer key cannot read what it made, and says which key is missing.
    expect(() => old.decrypt(after)).toThrow(/key k2026b, which is not in the key ring/);
    // Fresh IV each time: equal plaintexts give different ciphertexts.
    expect(rotated.encrypt(ID)).not.toBe(after);
  });

  it('re-encrypts with the newest key only what another key made', () => {
    const before = old.encrypt(PHONE);
    const after = rotated.rewrap(before);
    expect(rotated.kidOf(after)).toBe('k2026b');
    expect(rotated.decrypt(after)).toBe(PHONE);
    expect(rotated.rewrap(after)).toBe(after);
  });

  it('refuses a tampered ciphertext and anything that is not one', () => {
    const enc = rotated.encrypt(ID);
    const parts = enc.split(':');
    const body = Buffer.from(parts[4]!, 'base64');
    body[0] = body[0]! ^ 1;
    parts[4] = body.toString('base64');
    expect(() => rotated.decrypt(parts.join(':'))).toThrow();
    expect(() => rotated.decrypt(`v2:k2026a:${parts.slice(2).join(':')}`)).toThrow(); // another key's id on it
    for (const bad of ['', ID, 'v3:a:b:c:d', 'v2:k2026b:abc', 'v1:a:b']) expect(() => rotated.decrypt(bad), bad).toThrow(/not a PII ciphertext/);
  });

  it('rewraps every ciphertext in a JSON value, at any depth, and nothing else', () => {
    const payload = {
      name: '张三',
      idNumberEnc: old.encrypt(ID),
      idNumberMasked: '410402********1234',
      members: [{ phoneEnc: old.encrypt(PHONE), note: 'v1:not-under-an-Enc-key' }],
      nested: { deeper: { idNumberEnc: rotated.encrypt(ID) } },
    };
    const { value, changed } = rewrapJson(rotated, payload);
    expect(changed).toBe(true);
    expect(rotated.kidOf(value.idNumberEnc)).toBe('k2026b');
    expect(rotated.decrypt(value.members[0]!.phoneEnc)).toBe(PHONE);
    expect(value.members[0]!.note).toBe('v1:not-under-an-Enc-key');
    expect(value.nested.deeper.idNumberEnc).toBe(payload.nested.deeper.idNumberEnc);
    expect(value.idNumberMasked).toBe(payload.idNumberMasked);
    const again = rewrapJson(rotated, value);
    expect(again.changed).toBe(false);
    expect(again.value).toBe(value);
  });
});

describe('ciphertexts from before key ids (v1)', () => {
  const legacyKey = b64(key());

  it('decrypt with the legacy key, alone (PII_KEY) or as the oldest member of a ring', () => {
    const v1 = legacyEncrypt(legacyKey, ID);
    expect(createPiiCipher(legacyKey).decrypt(v1)).toBe(ID);
    const ring = piiCipher(loadConfig({ PII_KEYS: `k2027:${b64(key())}`, PII_KEY: legacyKey, PII_HASH_KEY: b64(key()) }));
    expect(ring.currentKid).toBe('k2027');
    expect(ring.kidOf(v1)).toBe('legacy');
    expect(ring.decrypt(v1)).toBe(ID);
    const rewrapped = ring.rewrap(v1);
    expect(rewrapped.startsWith('v2:k2027:')).toBe(true);
    expect(ring.decrypt(rewrapped)).toBe(ID);
    // The legacy key may also be listed in PII_KEYS under its reserved id.
    const listed = piiCipher(loadConfig({ PII_KEYS: `k2027:${b64(key())},legacy:${legacyKey}`, PII_HASH_KEY: b64(key()) }));
    expect(listed.decrypt(v1)).toBe(ID);
  });

  it('a ring without the legacy key cannot read them', () => {
    const ring = piiCipher(loadConfig({ PII_KEYS: `k2027:${b64(key())}`, PII_HASH_KEY: b64(key()) }));
    expect(() => ring.decrypt(legacyEncrypt(legacyKey, ID))).toThrow(/key legacy, which is not in the key ring/);
  });

  it('PII_KEY alone keeps the hashes it made (the old derivation), so an existing database keeps finding its members', () => {
    const c = piiCipher(loadConfig({ PII_KEY: legacyKey }));
    expect(c.hash(ID)).toBe(legacyHash(legacyKey, ID));
    expect(c.currentKid).toBe('legacy');
    // npm run pii:legacy-hash-key prints that key, to be set as PII_HASH_KEY; then PII_KEY can retire.
    const hashKey = b64(legacyHashKey(legacyKey));
    const later = piiCipher(loadConfig({ PII_KEYS: `k2027:${b64(key())}`, PII_HASH_KEY: hashKey }));
    expect(later.hash(ID)).toBe(legacyHash(legacyKey, ID));
  });
});

describe('the keyed hash', () => {
  it('has its own key: independent of the encryption keys, so rotating them changes no hash', () => {
    const hashKey = b64(key());
    const a = piiCipher(loadConfig({ PII_KEYS: `a:${b64(key())}`, PII_HASH_KEY: hashKey }));
    const b = piiCipher(loadConfig({ PII_KEYS: `b:${b64(key())},a:${b64(key())}`, PII_HASH_KEY: hashKey }));
    expect(a.hash(ID)).toBe(b.hash(ID));
    const expected = crypto.createHmac('sha256', Buffer.from(hashKey, 'base64')).update(ID).digest('base64url');
    expect(a.hash(ID)).toBe(expected);
    // The same encryption key with another hash key gives another hash: the hash is not derived from the encryption key.
    const encKey = b64(key());
    const c1 = piiCipher(loadConfig({ PII_KEYS: `a:${encKey}`, PII_HASH_KEY: b64(key()) }));
    const c2 = piiCipher(loadConfig({ PII_KEYS: `a:${encKey}`, PII_HASH_KEY: b64(key()) }));
    expect(c1.hash(ID)).not.toBe(c2.hash(ID));
    expect(c1.hash(ID)).not.toBe(legacyHash(encKey, ID));
  });
});

describe('PII_KEYS parsing', () => {
  it('reads kid:base64 entries, newest first, and refuses duplicates, bad ids and short keys', () => {
    const [a, b] = [key(), key()];
    expect(parseKeyRing(` k2:${b64(a)} , k1:${b64(b)} `).map((k) => k.kid)).toEqual(['k2', 'k1']);
    expect(() => parseKeyRing(`k1:${b64(a)},k1:${b64(b)}`)).toThrow(/appears twice/);
    expect(() => parseKeyRing(`k:1:${b64(a)}`)).toThrow(/32 bytes/);
    expect(() => parseKeyRing(`${'x'.repeat(33)}:${b64(a)}`)).toThrow(/bad key id/);
    expect(() => parseKeyRing(',')).toThrow(/no key/);
    expect(() => piiCipher(loadConfig({ PII_KEYS: `legacy:${b64(a)}`, PII_KEY: b64(b) }))).toThrow(/other than PII_KEY/);
  });
});

describe('development keys under DATA_DIR', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pii-ring-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('a fresh DATA_DIR gets a random encryption key and a random hash key, not derived from it; both survive a restart', () => {
    const dir = tmp();
    const first = piiCipher(loadConfig({ DATA_DIR: dir }));
    const encKey = fs.readFileSync(path.join(dir, 'pii-key'), 'utf8').trim();
    const hashKey = fs.readFileSync(path.join(dir, 'pii-hash-key'), 'utf8').trim();
    expect(Buffer.from(hashKey, 'base64').equals(legacyHashKey(encKey))).toBe(false);
    const again = piiCipher(loadConfig({ DATA_DIR: dir }));
    expect(again.decrypt(first.encrypt(ID))).toBe(ID);
    expect(again.hash(ID)).toBe(first.hash(ID));
  });

  it('a DATA_DIR from before PII_HASH_KEY keeps its hashes: the hash key file takes the old derivation once', () => {
    const dir = tmp();
    const encKey = b64(key());
    fs.writeFileSync(path.join(dir, 'pii-key'), encKey);
    const v1 = legacyEncrypt(encKey, PHONE);
    const c = piiCipher(loadConfig({ DATA_DIR: dir }));
    expect(c.hash(ID)).toBe(legacyHash(encKey, ID));
    expect(c.decrypt(v1)).toBe(PHONE);
    expect(fs.readFileSync(path.join(dir, 'pii-hash-key'), 'utf8').trim()).toBe(b64(legacyHashKey(encKey)));
  });
});
