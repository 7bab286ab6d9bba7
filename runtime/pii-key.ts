import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config';
import { logger } from './logger';
import { createPiiRing, LEGACY_KID, legacyHashKey, parseKeyRing, type PiiCipher, type PiiKey } from './pii';

/** A random 32-byte key kept in DATA_DIR/name (created once; two processes starting together read the same one). */
function keyFile(config: Config, name: string, initial: () => Buffer): { key: string; created: boolean } {
  const file = path.join(config.DATA_DIR, name);
  fs.mkdirSync(config.DATA_DIR, { recursive: true });
  try {
    fs.writeFileSync(file, initial().toString('base64'), { mode: 0o600, flag: 'wx' });
    return { key: fs.readFileSync(file, 'utf8').trim(), created: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return { key: fs.readFileSync(file, 'utf8').trim(), created: false };
  }
}

/**
 * The personal-data key ring of this process (README, "Personal-data keys"):
 * PII_KEYS (newest first) with PII_KEY, if set, as the `legacy` key at the end;
 * the hash key PII_HASH_KEY. Outside production, what is missing comes from
 * DATA_DIR: the encryption key `pii-key` (the `legacy` key, as before key ids),
 * the hash key `pii-hash-key` — derived from `pii-key` where that existed
 * already, so an existing development database keeps its hashes, else random.
 */
export function piiCipher(config: Config): PiiCipher {
  const keys: PiiKey[] = config.PII_KEYS ? parseKeyRing(config.PII_KEYS) : [];
  let legacyBase64: string | undefined;
  if (config.PII_KEY) {
    legacyBase64 = config.PII_KEY;
    const listed = keys.find((k) => k.kid === LEGACY_KID);
    const key = Buffer.from(config.PII_KEY, 'base64');
    if (listed && !listed.key.equals(key)) throw new Error(`PII_KEYS lists a key ${LEGACY_KID} other than PII_KEY`);
    if (!listed) keys.push({ kid: LEGACY_KID, key });
  } else {
    const listed = keys.find((k) => k.kid === LEGACY_KID);
    if (listed) legacyBase64 = listed.key.toString('base64');
  }
  let devLegacyFileExisted = false;
  if (!keys.length) {
    const f = keyFile(config, 'pii-key', () => crypto.randomBytes(32));
    devLegacyFileExisted = !f.created;
    keys.push({ kid: LEGACY_KID, key: Buffer.from(f.key, 'base64') });
    legacyBase64 = f.key;
  }

  let hashKey: Buffer;
  if (config.PII_HASH_KEY) hashKey = Buffer.from(config.PII_HASH_KEY, 'base64');
  else if (config.PII_KEY || (config.PII_KEYS && legacyBase64)) {
    // An existing deployment: its hashes were made with the key derived from its one PII_KEY.
    hashKey = legacyHashKey(legacyBase64!);
    logger.warn(
      'PII_HASH_KEY 未设置：散列密钥由旧 PII_KEY 派生；请运行 npm run pii:legacy-hash-key 并设置 PII_HASH_KEY / PII_HASH_KEY unset: the hash key is derived from the legacy PII_KEY as before; set PII_HASH_KEY to the output of npm run pii:legacy-hash-key',
    );
  } else {
    const legacy = devLegacyFileExisted ? legacyBase64 : undefined;
    const f = keyFile(config, 'pii-hash-key', () => (legacy ? legacyHashKey(legacy) : crypto.randomBytes(32)));
    hashKey = Buffer.from(f.key, 'base64');
  }
  return createPiiRing({ keys, hashKey });
}
