import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config';
import { createPiiCipher, type PiiCipher } from './pii';

/** PII_KEY when set; in development a random key kept in DATA_DIR (losing it makes stored personal data unreadable). */
export function piiCipher(config: Config): PiiCipher {
  if (config.PII_KEY) return createPiiCipher(config.PII_KEY);
  const file = path.join(config.DATA_DIR, 'pii-key');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(config.DATA_DIR, { recursive: true });
    fs.writeFileSync(file, crypto.randomBytes(32).toString('base64'), { mode: 0o600 });
  }
  return createPiiCipher(fs.readFileSync(file, 'utf8').trim());
}
