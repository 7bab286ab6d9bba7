/**
 * The routes of verified phones (see api/verification.ts):
 *
 * - `POST /api/public/sms-codes` `{ phone, purpose?, captcha? }` → 202
 *   `{ cooldownSeconds }`; within the phone's resend cool-down (60 s) → 429
 *   with Retry-After and `retryAfterSeconds` in the body. Per address: a
 *   CAPTCHA after 5 requests in 15 minutes, 429 after 30 an hour; per phone:
 *   10 a day.
 * - `GET /api/public/captcha` → `{ id, svg }`.
 * - `GET /api/dev/sms-outbox`: the development outbox (SMS_PROVIDER=outbox)
 *   for admins (policy readSmsOutbox); 404 with any other provider.
 */
import express, { type Router } from 'express';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { z } from 'zod';
import { listSmsOutbox } from '../db/public-repository';
import { maskPhone } from '../domain/id-number';
import { readSmsOutbox } from '../domain/policy';
import { logger } from '../runtime/logger';
import type { Db } from '../db/knex';
import type { PiiCipher } from '../runtime/pii';
import { callerOf, requireAuth } from './auth';
import { enforce, HttpError, notFound, parseOr400, tooManyRequests } from './errors';
import { registerRoutes } from './openapi';
import { store } from './rate-limits';
import { addressOf, captchaField, FIFTEEN_MINUTES, mobile, type PhoneVerificationService } from './verification';

export const smsCodeRequestSchema = z.object({
  phone: mobile,
  purpose: z.enum(['join', 'status'], { error: '用途须为 join 或 status / purpose must be join or status' }).default('join'),
  captcha: captchaField.optional(),
});

registerRoutes({
  '/api/public/sms-codes': {
    post: {
      summary:
        '发送短信验证码（6 位，5 分钟内有效，可试 5 次；同一手机号 60 秒内不能重发：429 与剩余秒数；多次失败后须填图形验证码）/ send a one-time SMS code (6 digits, 5 minutes, 5 tries; the same phone within 60 s: 429 with the seconds left; after repeated failures a CAPTCHA is required)',
      body: smsCodeRequestSchema,
      ok: 202,
      auth: false,
    },
  },
  '/api/public/captcha': { get: { summary: '图形验证码 { id, svg }（无需登录，限流）/ a CAPTCHA challenge { id, svg }', auth: false } },
  '/api/dev/sms-outbox': {
    get: {
      summary:
        '开发用短信发件箱（仅管理员；仅当 SMS_PROVIDER=outbox 时存在，否则 404；手机号已脱敏）/ the development SMS outbox (admins; only with SMS_PROVIDER=outbox, else 404; phones masked)',
      query: ['limit'],
    },
  },
});

const rejected = (e: unknown): e is RateLimiterRes => e instanceof RateLimiterRes;

export function smsRoutes(deps: { db: Db; pii: PiiCipher; jwtSecret: string; limitScope?: string; verification: PhoneVerificationService }): Router {
  const router = express.Router();
  const v = deps.verification;
  const { settings } = v;
  const scope = deps.limitScope ?? '';
  // The same counters (by scope and name) as the verification's: one table, shared by every API process.
  const addressHour = store(deps.db, scope, 'sms-address-hour', settings.perAddressPerHour, 60 * 60);
  const addressRequests = store(deps.db, scope, 'sms-address-15m', Number.MAX_SAFE_INTEGER, FIFTEEN_MINUTES);
  const phoneDay = store(deps.db, scope, 'sms-phone-day', settings.perPhonePerDay, 24 * 60 * 60);
  const cooldown = settings.cooldownSeconds > 0 ? store(deps.db, scope, 'sms-phone-cooldown', 1, settings.cooldownSeconds) : undefined;

  router.post('/api/public/sms-codes', async (req, res) => {
    const body = parseOr400(smsCodeRequestSchema, req.body);
    await v.requireCaptcha(req, body.captcha);
    if (!v.sender) throw new HttpError(503, '短信服务未配置，暂不能发送验证码 / no SMS provider is configured: codes cannot be sent');
    const address = addressOf(req);
    const phoneHash = deps.pii.hash(body.phone);
    try {
      await addressHour.consume(address);
    } catch (e) {
      if (rejected(e)) throw tooManyRequests('验证码请求过于频繁，请稍后再试 / too many code requests from this address', e.msBeforeNext);
      throw e;
    }
    await addressRequests.penalty(address, 1);
    if (cooldown) {
      try {
        await cooldown.consume(phoneHash);
      } catch (e) {
        if (!rejected(e)) throw e;
        const seconds = Math.max(1, Math.ceil(e.msBeforeNext / 1000));
        throw new HttpError(429, `验证码已发送，请 ${seconds} 秒后再重新获取 / a code was just sent: ask again in ${seconds} s`, undefined, seconds, {
          retryAfterSeconds: seconds,
        });
      }
    }
    try {
      await phoneDay.consume(phoneHash);
    } catch (e) {
      if (rejected(e)) throw tooManyRequests('该手机号今日获取验证码次数已达上限 / this phone has had its codes for today', e.msBeforeNext);
      throw e;
    }
    const code = await v.issue(body.phone, body.purpose);
    try {
      await v.sender.send({ phone: body.phone, code, purpose: body.purpose, validMinutes: Math.round(settings.codeTtlSeconds / 60) });
    } catch (err) {
      // The person may ask again at once: the cool-down was for a message that never left.
      await cooldown?.delete(phoneHash).catch(() => undefined);
      logger.warn({ phone: maskPhone(body.phone), provider: v.sender.provider, reason: err instanceof Error ? err.message : String(err) }, 'SMS not sent');
      throw new HttpError(503, '短信发送失败，请稍后重试 / the SMS could not be sent, try again shortly', undefined, 30);
    }
    res.status(202).json({ cooldownSeconds: settings.cooldownSeconds });
  });

  router.get('/api/public/captcha', async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(await v.newCaptcha());
  });

  const auth = requireAuth({ db: deps.db, secret: deps.jwtSecret });
  const outboxActive: express.RequestHandler = (_req, _res, next) => {
    next(v.sender?.provider === 'outbox' ? undefined : notFound('接口不存在 / no such route'));
  };
  router.get('/api/dev/sms-outbox', outboxActive, auth, async (req, res) => {
    enforce(readSmsOutbox(callerOf(req)));
    const q = parseOr400(z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }), req.query);
    res.setHeader('Cache-Control', 'no-store');
    res.json({ items: await listSmsOutbox(deps.db, { limit: q.limit }) });
  });

  return router;
}
