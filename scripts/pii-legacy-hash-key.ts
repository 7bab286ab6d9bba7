/**
 * `npm run pii:legacy-hash-key`: prints the hash key a deployment used
 * before PII_HASH_KEY existed (derived from its one PII_KEY), to be set as
 * PII_HASH_KEY so every stored look-up hash stays valid once PII_KEY retires.
 */
import { legacyHashKey } from '../runtime/pii';

const key = process.env.PII_KEY?.trim();
if (!key) {
  console.error('PII_KEY: 请设置旧的 PII_KEY / set the deployment’s old PII_KEY');
  process.exit(2);
}
console.log(legacyHashKey(key).toString('base64'));
