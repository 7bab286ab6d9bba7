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

  it('requires the JWT secret and the personal-data key in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET[\s\S]*PII_KEY/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), PII_KEY: Buffer.alloc(32).toString('base64') })).not.toThrow();
    expect(() => loadConfig({ PII_KEY: 'short' })).toThrow(/PII_KEY/);
  });
});
