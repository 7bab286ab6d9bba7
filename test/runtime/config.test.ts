import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../runtime/config';

describe('the config module', () => {
  it('gives every variable its default when the environment is empty', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.TEMPORAL_UI_PORT).toBe(8233);
    expect(c.EMBEDDED_PG_PORT).not.toBe(5432);
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.TASK_QUEUE).toBe('union-drive');
  });

  it('stops with a message naming each wrong variable', () => {
    expect(() => loadConfig({ PORT: 'eighty', JWT_TTL: 'forever', LOG_LEVEL: 'loud' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'eighty', JWT_TTL: 'forever', LOG_LEVEL: 'loud' });
    } catch (e) {
      const msg = (e as Error).message;
      expect(msg).toContain('PORT');
      expect(msg).toContain('JWT_TTL');
      expect(msg).toContain('LOG_LEVEL');
    }
  });

  it('requires the JWT secret, the personal-data keys and the hash key in production', () => {
    const key = (n: number) => Buffer.alloc(32, n).toString('base64');
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET[\s\S]*PII_HASH_KEY[\s\S]*PII_KEYS \(or PII_KEY\)/);
    const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), PII_HASH_KEY: key(9) };
    expect(() => loadConfig({ ...production, PII_KEY: key(1) })).not.toThrow();
    expect(() => loadConfig({ ...production, PII_KEYS: `k2027:${key(2)},k2026:${key(1)}` })).not.toThrow();
    expect(() => loadConfig({ ...production, PII_KEYS: `k2027:${key(2)}`, PII_KEY: key(1) })).not.toThrow();
    // The hash key is not derived from an encryption key in production: it must be given.
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), PII_KEY: key(1) })).toThrow(/PII_HASH_KEY: required/);
    expect(() => loadConfig({ ...production })).toThrow(/PII_KEYS \(or PII_KEY\)/);
    expect(() => loadConfig({ PII_KEY: 'short' })).toThrow(/PII_KEY/);
    expect(() => loadConfig({ PII_HASH_KEY: 'short' })).toThrow(/PII_HASH_KEY/);
    // A bad ring names the variable and what is wrong, never the key material.
    for (const [ring, problem] of [
      [`k1:${key(1)},k1:${key(2)}`, /k1 appears twice/],
      [`k1:${Buffer.alloc(16).toString('base64')}`, /key k1 must be 32 bytes/],
      [key(1), /bad key id/],
      [`bad id:${key(1)}`, /bad key id/],
    ] as const) {
      expect(() => loadConfig({ PII_KEYS: ring }), ring).toThrow(problem);
      expect(() => loadConfig({ PII_KEYS: ring }), ring).toThrow(/PII_KEYS/);
      try {
        loadConfig({ PII_KEYS: ring });
      } catch (e) {
        expect((e as Error).message).not.toContain(key(1));
      }
    }
  });
});
