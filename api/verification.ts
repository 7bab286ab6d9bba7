/**
 * Verified phones for the public join and status pages (短信验证码) and the
 * CAPTCHA that appears after repeated failures from one address; the viewer
 * token a verified look-up answers. The routes are in api/sms.ts (sending
 * codes, the CAPTCHA, the development outbox) and api/public.ts (the status
 * look-up); api/applications.ts checks the code of an anonymous membership
 * application.
 *
 * - Codes: 6 digits, valid 5 minutes, 5 tries, stored as a keyed hash, keyed
 *   by the phone's hash and the purpose (`join` or `status`); missing, wrong
 *   or expired → 400 naming `smsCode`; consumed once the work it was given for
 *   succeeds.
 * - After repeated failures from one address (wrong codes, or many code
 *   requests, in 15 minutes) these routes ask for a CAPTCHA: 400 naming
 *   `captcha`, with a fresh challenge `{ captcha: { id, svg } }` in the body.
 *   Answers stored hashed, one use, 5 minutes.
 *
 * Every counter lives in Postgres (rate-limiter-flexible's store, see
 * api/rate-limits.ts): several API processes share them. This module does not
 * register routes (api/openapi.ts imports the schemas of routes that import it).
 */
import crypto from 'node:crypto';
import type { Request } from 'express';
import jwt from 'jsonwebtoken';
import type { RateLimiterPostgres } from 'rate-limiter-flexible';
import svgCaptcha from 'svg-captcha';
import { z } from 'zod';
import type { Db } from '../db/knex';
import { checkSmsCode, consumeSmsCode, insertCaptcha, insertSmsCode, releaseSmsCode, takeCaptcha } from '../db/public-repository';
import type { PiiCipher } from '../runtime/pii';
import type { SmsPurpose, SmsSender } from '../runtime/sms';
import { hmacKey } from './auth';
import { badRequest, HttpError, type FieldError } from './errors';
import { store } from './rate-limits';

export interface PublicSmsSettings {
  /** Seconds before the same phone may be sent another code. */
  cooldownSeconds: number;
  /** How long a code is valid. */
  codeTtlSeconds: number;
  /** Tries per code. */
  maxAttempts: number;
  /** Codes one phone may be sent per day. */
  perPhonePerDay: number;
  /** Code requests from one address per hour (then 429). */
  perAddressPerHour: number;
  /** Code requests from one address in 15 minutes before a CAPTCHA is asked for. */
  captchaAfterRequests: number;
  /** Wrong or expired codes from one address in 15 minutes before a CAPTCHA is asked for. */
  captchaAfterFailures: number;
}

export const DEFAULT_SMS_SETTINGS: PublicSmsSettings = {
  cooldownSeconds: 60,
  codeTtlSeconds: 5 * 60,
  maxAttempts: 5,
  perPhonePerDay: 10,
  perAddressPerHour: 30,
  captchaAfterRequests: 5,
  captchaAfterFailures: 3,
};

export const FIFTEEN_MINUTES = 15 * 60;
const CAPTCHA_TTL_SECONDS = 5 * 60;

export const mobile = z
  .string()
  .trim()
  .regex(/^1[3-9]\d{9}$/, '请输入 11 位手机号 / an 11-digit mainland mobile number');
export const smsCodeField = z
  .string()
  .trim()
  .regex(/^\d{6}$/, '请输入短信中的 6 位验证码 / the 6-digit code from the SMS');
export const captchaField = z
  .object({
    id: z.string().trim().min(1).max(100),
    answer: z.string().trim().min(1).max(20),
  })
  .strict();

export interface PhoneVerification {
  /** The SMS provider, or null where none is configured (code requests answer 503). */
  readonly sender: SmsSender | null;
  /** Throws 400 naming `captcha` (with a fresh challenge) when the address must solve one and has not. */
  requireCaptcha(req: Request, captcha: { id: string; answer: string } | undefined): Promise<void>;
  /** Checks a code; throws 400 naming `smsCode` (counted as a failure of the address). Returns the code's id, to consume. */
  check(req: Request, phone: string, purpose: SmsPurpose, code: string): Promise<string>;
  /** Marks the code used; throws 400 naming `smsCode` when it was used meanwhile. */
  consume(codeId: string): Promise<void>;
  /** Gives a consumed code back when the work it was spent on failed. */
  release(codeId: string): Promise<void>;
}

export interface SmsDeps {
  db: Db;
  pii: PiiCipher;
  jwtSecret: string;
  sender: SmsSender | null;
  limitScope?: string;
  settings?: Partial<PublicSmsSettings>;
  /** Draws a challenge (default: svg-captcha, 4 characters); a test passes one that also tells it the answer. */
  captchaChallenge?: () => { text: string; data: string };
}

/** svg-captcha's challenge: 4 characters, without those easily mistaken for each other. */
export const drawCaptcha = () => svgCaptcha.create({ size: 4, noise: 2, ignoreChars: '0oO1iIlL', background: '#f5f5f5', width: 120, height: 44 });

export const addressOf = (req: Request) => req.ip ?? 'unknown';

/** Consumed points of a counter (0 when it has none yet). */
async function used(limiter: RateLimiterPostgres, key: string): Promise<number> {
  return (await limiter.get(key))?.consumedPoints ?? 0;
}

/** The verification with what the code-sending route needs besides. */
export interface PhoneVerificationService extends PhoneVerification {
  readonly settings: PublicSmsSettings;
  newCaptcha(): Promise<{ id: string; svg: string }>;
  /** Stores a new code (hashed) for the phone and purpose; returns it for sending. */
  issue(phone: string, purpose: SmsPurpose): Promise<string>;
}

export function createPhoneVerification(deps: SmsDeps): PhoneVerificationService {
  const settings = { ...DEFAULT_SMS_SETTINGS, ...deps.settings };
  const scope = deps.limitScope ?? '';
  const { db, pii } = deps;
  const addressRequests = store(db, scope, 'sms-address-15m', Number.MAX_SAFE_INTEGER, FIFTEEN_MINUTES);
  const addressFailures = store(db, scope, 'sms-fail-address', Number.MAX_SAFE_INTEGER, FIFTEEN_MINUTES);

  const codeHash = (phoneHash: string, purpose: string, code: string) => pii.hash(`sms-code:${purpose}:${phoneHash}:${code}`);
  const answerHash = (id: string, answer: string) => pii.hash(`captcha:${id}:${answer.trim().toLowerCase()}`);

  async function newCaptcha(): Promise<{ id: string; svg: string }> {
    const c = (deps.captchaChallenge ?? drawCaptcha)();
    const id = crypto.randomBytes(12).toString('base64url');
    await insertCaptcha(db, { id, answerHash: answerHash(id, c.text), ttlSeconds: CAPTCHA_TTL_SECONDS });
    return { id, svg: c.data };
  }

  const captchaNeeded = async (req: Request) => {
    const [requests, failures] = await Promise.all([used(addressRequests, addressOf(req)), used(addressFailures, addressOf(req))]);
    return requests >= settings.captchaAfterRequests || failures >= settings.captchaAfterFailures;
  };

  const captchaProblem = async (message: string) =>
    new HttpError(400, '请先完成图形验证码 / solve the CAPTCHA first', [{ path: 'captcha', message }], undefined, { captcha: await newCaptcha() });

  async function requireCaptcha(req: Request, captcha: { id: string; answer: string } | undefined): Promise<void> {
    if (!(await captchaNeeded(req))) return;
    if (!captcha) throw await captchaProblem('请输入图中的字符 / type the characters in the picture');
    const stored = await takeCaptcha(db, captcha.id);
    const given = answerHash(captcha.id, captcha.answer);
    if (!stored || stored.length !== given.length || !crypto.timingSafeEqual(Buffer.from(stored), Buffer.from(given)))
      throw await captchaProblem('图形验证码不正确或已过期，请重新输入 / wrong or expired CAPTCHA, try the new one');
  }

  async function check(req: Request, phone: string, purpose: SmsPurpose, code: string): Promise<string> {
    const phoneHash = pii.hash(phone);
    const r = await checkSmsCode(db, { phoneHash, purpose, codeHash: codeHash(phoneHash, purpose, code), maxAttempts: settings.maxAttempts });
    if (r.ok) return r.id;
    const failures = (await addressFailures.penalty(addressOf(req), 1)).consumedPoints;
    const message =
      r.reason === 'wrong' && r.triesLeft > 0
        ? `验证码不正确，还可再试 ${r.triesLeft} 次 / wrong code, ${r.triesLeft} tries left`
        : '验证码已失效，请重新获取 / the code has expired or was used up: request a new one';
    // Once the address has failed too often, the answer already carries the CAPTCHA the next try needs.
    const extra = failures >= settings.captchaAfterFailures ? { captcha: await newCaptcha() } : undefined;
    throw new HttpError(400, '短信验证码有误 / the SMS code is not valid', [{ path: 'smsCode', message }], undefined, extra);
  }

  async function consume(codeId: string): Promise<void> {
    if (!(await consumeSmsCode(db, codeId)))
      throw badRequest('短信验证码已使用，请重新获取 / the SMS code was already used', [{ path: 'smsCode', message: '验证码已使用 / already used' }]);
  }

  return {
    sender: deps.sender,
    settings,
    newCaptcha,
    requireCaptcha,
    check,
    consume,
    release: (id) => releaseSmsCode(db, id),
    async issue(phone, purpose) {
      const phoneHash = pii.hash(phone);
      const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
      await insertSmsCode(db, { phoneHash, purpose, codeHash: codeHash(phoneHash, purpose, code), ttlSeconds: settings.codeTtlSeconds });
      return code;
    },
  };
}

/** Field errors for a missing code where one is required (listed with the body's other bad fields). */
export function missingCodeErrors(raw: unknown): FieldError[] {
  const code = raw && typeof raw === 'object' ? (raw as { smsCode?: unknown }).smsCode : undefined;
  if (typeof code === 'string' && /^\s*\d{6}\s*$/.test(code)) return [];
  return [{ path: 'smsCode', message: '请输入短信中的 6 位验证码 / the 6-digit code from the SMS' }];
}

// ---------------------------------------------------------------------------
// The viewer token of the public status page
// ---------------------------------------------------------------------------

/** What a viewer token stands for: a verified phone's hash and what was looked up with it (a reference, or an ID number's hash). */
export interface ViewerClaims {
  ph: string;
  ref?: string;
  ih?: string;
}

export const VIEWER_TOKEN_SECONDS = 30 * 60;
const VIEWER_PURPOSE = 'public-status';
/** Viewer tokens are signed with a key of their own (derived from JWT_SECRET): they can never pass as a session. */
const viewerKey = (jwtSecret: string) => hmacKey(crypto.createHmac('sha256', jwtSecret).update('public-status-viewer').digest());

export function issueViewerToken(jwtSecret: string, claims: ViewerClaims): string {
  const { ph, ref, ih } = claims;
  return jwt.sign({ purpose: VIEWER_PURPOSE, ph, ...(ref !== undefined ? { ref } : { ih }) }, viewerKey(jwtSecret), {
    algorithm: 'HS256',
    expiresIn: VIEWER_TOKEN_SECONDS,
  });
}

/** The token's claims; 400 naming `viewerToken` when it expired or is not one of ours. */
export function readViewerToken(jwtSecret: string, token: string): ViewerClaims {
  try {
    const c = jwt.verify(token, viewerKey(jwtSecret), { algorithms: ['HS256'] }) as Record<string, unknown>;
    if (c.purpose === VIEWER_PURPOSE && typeof c.ph === 'string' && (typeof c.ref === 'string' || typeof c.ih === 'string'))
      return { ph: c.ph, ...(typeof c.ref === 'string' ? { ref: c.ref } : { ih: c.ih as string }) };
  } catch {
    /* expired or not ours: the same answer */
  }
  throw badRequest('查询凭证已过期，请重新获取短信验证码 / the look-up has expired: verify the phone again', [
    { path: 'viewerToken', message: '已过期或无效 / expired or invalid' },
  ]);
}
