/**
 * Personal data (ID numbers, phone numbers) at rest: AES-256-GCM ciphertext
 * in its column, a keyed hash for look-ups and dedup, and a masked form for
 * display. Workflow histories carry only the ciphertext and the masked form.
 */
import crypto from 'node:crypto';

export interface PiiCipher {
  encrypt(plain: string): string;
  decrypt(enc: string): string;
  /** Keyed hash: equal inputs give equal hashes; nothing can be read back. */
  hash(plain: string): string;
}

export function createPiiCipher(keyBase64: string): PiiCipher {
  const key = Buffer.from(keyBase64, 'base64');
  if (key.length !== 32) throw new Error('PII_KEY must be 32 bytes, base64-encoded');
  const hashKey = crypto.createHmac('sha256', key).update('pii-hash').digest();
  return {
    encrypt(plain) {
      const iv = crypto.randomBytes(12);
      const c = crypto.createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return ['v1', iv.toString('base64'), c.getAuthTag().toString('base64'), body.toString('base64')].join(':');
    },
    decrypt(enc) {
      const [v, iv, tag, body] = enc.split(':');
      if (v !== 'v1' || !iv || !tag || !body) throw new Error('not a PII ciphertext');
      const d = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      d.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([d.update(Buffer.from(body, 'base64')), d.final()]).toString('utf8');
    },
    hash(plain) {
      return crypto.createHmac('sha256', hashKey).update(plain).digest('base64url');
    },
  };
}
