/**
 * Personal data (ID numbers, phone numbers) at rest: AES-256-GCM ciphertext
 * in its column, a keyed hash for look-ups and dedup, and a masked form for
 * display. Workflow histories carry only the ciphertext and the masked form.
 *
 * Keys form a ring: the newest key encrypts, every key in the ring decrypts.
 * A ciphertext names the key it was made with:
 *
 *   v2:<kid>:<iv>:<tag>:<body>      (iv, tag, body base64)
 *
 * Ciphertexts made before key ids existed (`v1:<iv>:<tag>:<body>`) were made
 * with the one PII_KEY of that time; the ring holds that key under the
 * reserved id `legacy`, so they keep decrypting. The keyed hash has its own
 * key (PII_HASH_KEY), independent of the encryption keys, so rotating those
 * leaves every look-up hash valid.
 */
import crypto from 'node:crypto';

export interface PiiCipher {
  encrypt(plain: string): string;
  decrypt(enc: string): string;
  /** Keyed hash: equal inputs give equal hashes; nothing can be read back. */
  hash(plain: string): string;
  /** The id of the key that encrypts (the newest). */
  readonly currentKid: string;
  /** The key id a ciphertext was made with (`legacy` for a v1 ciphertext); throws on anything else. */
  kidOf(enc: string): string;
  /** The ciphertext itself when made with the newest key, else the same plaintext encrypted with it. */
  rewrap(enc: string): string;
}

/** The id under which the ring holds the pre-key-id key (the one that made `v1:` ciphertexts). */
export const LEGACY_KID = 'legacy';
/** A key id: letters, digits, `_` and `-`, up to 32 characters (it becomes part of every ciphertext). */
export const KID_PATTERN = /^[\w-]{1,32}$/;

export interface PiiKey {
  kid: string;
  /** 32 bytes. */
  key: Buffer;
}

export interface PiiRing {
  /** Newest first: keys[0] encrypts. */
  keys: PiiKey[];
  /** 32 bytes, for the keyed hash. */
  hashKey: Buffer;
}

function key32(base64: string, what: string): Buffer {
  const key = Buffer.from(base64.trim(), 'base64');
  if (key.length !== 32) throw new Error(`${what} must be 32 bytes, base64-encoded`);
  return key;
}

/**
 * Parses PII_KEYS: `kid:base64,kid:base64,…`, newest first. Whitespace around
 * entries is ignored; ids must be unique and match KID_PATTERN.
 */
export function parseKeyRing(spec: string): PiiKey[] {
  const keys: PiiKey[] = [];
  for (const entry of spec.split(',').map((e) => e.trim())) {
    if (!entry) continue;
    const colon = entry.indexOf(':');
    const kid = colon < 0 ? '' : entry.slice(0, colon);
    if (!KID_PATTERN.test(kid)) throw new Error(`PII_KEYS: each entry is <key id>:<base64 32-byte key>; bad key id "${kid}"`);
    if (keys.some((k) => k.kid === kid)) throw new Error(`PII_KEYS: key id ${kid} appears twice`);
    keys.push({ kid, key: key32(entry.slice(colon + 1), `PII_KEYS: key ${kid}`) });
  }
  if (!keys.length) throw new Error('PII_KEYS: no key');
  return keys;
}

/** The hash key a deployment used before PII_HASH_KEY existed: derived from its one PII_KEY. */
export function legacyHashKey(legacyKeyBase64: string): Buffer {
  return crypto.createHmac('sha256', key32(legacyKeyBase64, 'PII_KEY')).update('pii-hash').digest();
}

export function createPiiRing(ring: PiiRing): PiiCipher {
  const [current] = ring.keys;
  if (!current) throw new Error('the personal-data key ring is empty');
  if (ring.hashKey.length !== 32) throw new Error('PII_HASH_KEY must be 32 bytes');
  const byKid = new Map(ring.keys.map((k) => [k.kid, k.key]));
  if (byKid.size !== ring.keys.length) throw new Error('the personal-data key ring names a key id twice');
  for (const k of ring.keys) {
    if (!KID_PATTERN.test(k.kid)) throw new Error(`bad key id ${k.kid}`);
    if (k.key.length !== 32) throw new Error(`key ${k.kid} must be 32 bytes`);
  }
  const currentPrefix = `v2:${current.kid}:`;

  /** [kid, iv, tag, body] of a ciphertext, or an error naming no content. */
  function parts(enc: string): [string, string, string, string] {
    const p = enc.split(':');
    if (p[0] === 'v1' && p.length === 4 && p[1] && p[2] && p[3]) return [LEGACY_KID, p[1], p[2], p[3]];
    if (p[0] === 'v2' && p.length === 5 && p[1] && p[2] && p[3] && p[4]) return [p[1], p[2], p[3], p[4]];
    throw new Error('not a PII ciphertext');
  }

  const cipher: PiiCipher = {
    currentKid: current.kid,
    encrypt(plain) {
      const iv = crypto.randomBytes(12);
      const c = crypto.createCipheriv('aes-256-gcm', current.key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return ['v2', current.kid, iv.toString('base64'), c.getAuthTag().toString('base64'), body.toString('base64')].join(':');
    },
    decrypt(enc) {
      const [kid, iv, tag, body] = parts(enc);
      const key = byKid.get(kid);
      if (!key) throw new Error(`personal data encrypted with key ${kid}, which is not in the key ring (PII_KEYS)`);
      const d = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      d.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([d.update(Buffer.from(body, 'base64')), d.final()]).toString('utf8');
    },
    hash(plain) {
      return crypto.createHmac('sha256', ring.hashKey).update(plain).digest('base64url');
    },
    kidOf(enc) {
      return parts(enc)[0];
    },
    rewrap(enc) {
      return enc.startsWith(currentPrefix) ? enc : cipher.encrypt(cipher.decrypt(enc));
    },
  };
  return cipher;
}

/**
 * A one-key ring from a key of the old kind (PII_KEY): the key under id
 * `legacy`, and the hash key derived from it as before, so a database made
 * with it keeps its hashes. New code passes a ring (createPiiRing).
 */
export function createPiiCipher(keyBase64: string): PiiCipher {
  return createPiiRing({ keys: [{ kid: LEGACY_KID, key: key32(keyBase64, 'PII_KEY') }], hashKey: legacyHashKey(keyBase64) });
}

/** Does this key of an object hold a ciphertext? (`idNumberEnc`, `phoneEnc`, …: the naming rule of the code base.) */
export const isCiphertextKey = (key: string) => key.endsWith('Enc');

/**
 * A copy of a JSON value in which every ciphertext (a string under a key
 * ending in `Enc`, at any depth) is re-encrypted with the newest key where it
 * was not; `changed` says whether anything was. Used by the rotation and by
 * every activity that writes into Postgres a payload carried by a workflow
 * (whose history keeps the ciphertexts made when it started).
 */
export function rewrapJson<T>(pii: PiiCipher, value: T): { value: T; changed: boolean } {
  let changed = false;
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (typeof x === 'string' && isCiphertextKey(k) && x) {
          const y = pii.rewrap(x);
          if (y !== x) changed = true;
          out[k] = y;
        } else out[k] = walk(x);
      }
      return out;
    }
    return v;
  };
  const value2 = walk(value) as T;
  return { value: changed ? value2 : value, changed };
}
