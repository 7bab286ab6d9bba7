/**
 * The HTTP API: health, auth and the business routes. Thin routes: validate,
 * then call the Temporal client or a repository, and map the result.
 */
import compression from 'compression';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Client } from '@temporalio/client';
import type { Db } from '../db/knex';
import { pingDb } from '../db/knex';
import { authRoutes, requireAuth } from './auth';
import { createLoginLimiter, DEFAULT_LIMITS } from './rate-limits';
import { errorMiddleware, HttpError } from './errors';
import { createMetrics } from './metrics';
import { eventLoopWatch } from './event-loop';
import { createAdmission, DEFAULT_ADMISSION, type AdmissionSettings } from './admission';
import { logger } from '../runtime/logger';
import { applicationRoutes } from './applications';
import { applicationFormRoutes } from './application-forms';
import { deputyRoutes } from './deputies';
import { taskRoutes } from './tasks';
import { bulkJobRoutes } from './bulk-jobs';
import { rotationRoutes } from './rotation';
import { chainRoutes } from './chains';
import { chainMigrationRoutes } from './chain-migrations';
import { calendarRoutes } from './calendar';
import { openApiRoutes } from './openapi';
import { campaignRoutes } from './campaigns';
import { memberVerificationRoutes } from './member-verification';
import { campaignPlanRoutes } from './campaign-plan';
import { unionEstablishmentRoutes } from './union-establishments';
import { reportRoutes } from './reports';
import { provinceRoutes } from './province';
import { rectificationRoutes } from './rectifications';
import { onlineJoinRoutes } from './online-joins';
import { submissionRoutes } from './submissions';
import { isSurveyUploadRequest, surveyRoutes } from './survey';
import { memberUploadRoutes } from './member-uploads';
import { provincialExportRoutes } from './provincial-export';
import { publicRoutes } from './public';
import { auditRoutes } from './audit';
import { memberCardRoutes } from './member-cards';
import { smsRoutes } from './sms';
import { createPhoneVerification, type PublicSmsSettings } from './verification';
import { outboxSender, type SmsSender } from '../runtime/sms';
import { lookupRoutes } from './lookups';
import { userRoutes } from './users';
import { orgRoutes } from './orgs';
import { webApp } from './web';
import type { PiiCipher } from '../runtime/pii';
import { attachmentRoutes, DEFAULT_ATTACHMENT_LIMITS, type AttachmentSettings } from './attachments';
import { printRoutes } from './print';
import { DEFAULT_PRINT_FONT, loadPrintFont, type PrintFontSettings } from '../runtime/print-font';
import path from 'node:path';

export interface ApiDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  jwtSecret: string;
  jwtTtl: string;
  /** Max JSON body size, e.g. '1mb'. */
  bodyLimit?: string;
  /** Failed logins per client address per 15 minutes (TRUST_PROXY decides what the address is). */
  loginLimit?: number;
  /** Failed logins of one account before its back-off starts. */
  loginFreeFailures?: number;
  /**
   * Names this deployment's counters in the shared `rate_limits` table. API processes of one deployment share
   * it (default ''); a test gives each system its own so the suite's files do not count against each other.
   */
  limitScope?: string;
  /** Express `trust proxy` (TRUST_PROXY): which proxies' X-Forwarded-For to believe; default loopback. */
  trustProxy?: boolean | number | string;
  /** PUBLIC_BASE_URL: the address printed on join posters; unset: the request's own. */
  publicBaseUrl?: string;
  /** NODE_ENV=production: demo passwords must be changed at first login. */
  production?: boolean;
  pii: PiiCipher;
  publicJoin: boolean;
  /** Public (扫码入会) applications per client address per hour; public look-ups per 15 minutes. */
  publicJoinLimit?: number;
  publicLookupLimit?: number;
  /** Member card look-ups (电子会员卡) per client address per 15 minutes (default 100). */
  memberCardLimit?: number;
  /** Look-ups by ID number (transfers by ID, progress members) per user per hour. */
  idLookupLimit?: number;
  /**
   * Who sends SMS codes (runtime/sms.ts): unset, the development outbox — or none with `production` (code requests
   * answer 503); null: none.
   */
  sms?: SmsSender | null;
  /** The SMS code and CAPTCHA limits (api/sms.ts DEFAULT_SMS_SETTINGS where unset). */
  publicSms?: Partial<PublicSmsSettings>;
  /** How CAPTCHA challenges are drawn (default svg-captcha; a test wraps it to learn the answer). */
  captchaChallenge?: () => { text: string; data: string };
  /**
   * Attachments (附件): the folder of their files (DATA_DIR/attachments; default ./data/attachments) and the limits
   * (ATTACHMENT_MAX_BYTES, ATTACHMENTS_PER_APPLICATION; defaults 10 MB and 20).
   */
  attachments?: Partial<AttachmentSettings>;
  /** The CJK font of the printed 审批单 PDF (PRINT_FONT_PATH, PRINT_FONT_NAME; default Debian's Noto Sans CJK SC). */
  printFont?: PrintFontSettings;
  /** Admission control of the work handed to Temporal (ADMISSION_MAX_QUEUE_MS, ADMISSION_CONCURRENCY; api/admission.ts). */
  admission?: Partial<AdmissionSettings>;
}

/**
 * The security headers of every answer (helmet): a CSP without inline or
 * foreign scripts — the web app is one bundle from 'self'; Ant Design writes
 * its styles inline, and the QR posters are drawn from blob: and data: images —
 * no framing by anyone (frame-ancestors 'none', X-Frame-Options DENY), and HSTS
 * (browsers heed it over HTTPS, i.e. behind the compose TLS proxy). The bulletin
 * print page sets its own, stricter CSP.
 */
export const securityHeaders = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  frameguard: { action: 'deny' },
  strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
  referrerPolicy: { policy: 'no-referrer' },
});

/** A readiness check slower than this counts as down (a hung database must not hang /readyz). */
const READY_TIMEOUT_MS = 2_000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export function createApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy ?? 'loopback');
  app.use(securityHeaders);
  // The routes that start workflows or send them Updates and signals pass `admitTemporalWork`, which finds this here.
  const admission = createAdmission(deps.temporal, deps.taskQueue, { ...DEFAULT_ADMISSION, ...deps.admission });
  app.locals.admission = admission;
  const metrics = createMetrics(admission);
  app.use(metrics.middleware);
  // gzip (or brotli, where asked for) of every compressible answer over 1 KB: JSON, the HTML pages, CSV.
  // The web app's hashed assets are compressed once at build time (api/web.ts serves the .br/.gz files);
  // an answer that already carries a Content-Encoding passes untouched.
  app.use(compression({ threshold: 1024 }));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // Readiness: each dependency answers within READY_TIMEOUT_MS and the event loop is not stalled.
  // The answer names what is down, never the raw error (that goes to the log).
  app.get('/readyz', async (_req, res) => {
    const probe = async (name: string, check: () => Promise<unknown>): Promise<[string, string]> => {
      try {
        await withTimeout(check(), READY_TIMEOUT_MS);
        return [name, 'ok'];
      } catch (e) {
        logger.warn({ dependency: name, reason: e instanceof Error ? e.message : String(e) }, 'readiness check failed');
        return [name, 'unavailable'];
      }
    };
    const checks: Record<string, string> = Object.fromEntries(
      await Promise.all([probe('database', () => pingDb(deps.db)), probe('temporal', () => deps.temporal.workflowService.getSystemInfo({}))]),
    );
    checks.eventLoop = eventLoopWatch().stalled() ? 'stalled' : 'ok';
    const down = Object.keys(checks).filter((k) => checks[k] !== 'ok');
    res.status(down.length ? 503 : 200).json({ status: down.length ? 'not ready' : 'ready', checks, ...(down.length ? { down } : {}) });
  });

  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  // Survey uploads (thousands of rows) have their own, larger parsers.
  const json = express.json({ limit: deps.bodyLimit ?? '1mb' });
  app.use('/api', (req, res, next) => (isSurveyUploadRequest(req) ? next() : json(req, res, next)));
  app.use(openApiRoutes());
  const loginLimiter = createLoginLimiter(deps.db, {
    scope: deps.limitScope ?? '',
    loginFreeFailuresPerAccount: deps.loginFreeFailures ?? DEFAULT_LIMITS.loginFreeFailuresPerAccount,
    loginFailuresPerAddress: deps.loginLimit ?? DEFAULT_LIMITS.loginFailuresPerAddress,
  });
  app.use(authRoutes({ db: deps.db, secret: deps.jwtSecret, ttl: deps.jwtTtl, limiter: loginLimiter, production: deps.production ?? false }));
  const verification = createPhoneVerification({
    db: deps.db,
    pii: deps.pii,
    jwtSecret: deps.jwtSecret,
    sender: deps.sms === undefined ? (deps.production ? null : outboxSender(deps.db, deps.pii)) : deps.sms,
    limitScope: deps.limitScope,
    settings: deps.publicSms,
    captchaChallenge: deps.captchaChallenge,
  });
  app.use(publicRoutes({ ...deps, verification }));
  app.use(smsRoutes({ ...deps, verification }));
  app.use(memberCardRoutes(deps));
  // Applications may be created without an account (网上入会); the router checks auth itself.
  // Before the application routes, whose /api/applications/:id would take `form` for an id.
  app.use(applicationFormRoutes(deps));
  app.use(applicationRoutes({ ...deps, verification }));
  app.use('/api', requireAuth({ db: deps.db, secret: deps.jwtSecret }));
  app.use(bulkJobRoutes(deps));
  app.use(rotationRoutes(deps));
  app.use(taskRoutes(deps));
  app.use(chainRoutes(deps));
  app.use(chainMigrationRoutes(deps));
  app.use(calendarRoutes(deps));
  app.use(campaignRoutes(deps));
  app.use(memberVerificationRoutes(deps));
  app.use(campaignPlanRoutes(deps));
  app.use(unionEstablishmentRoutes(deps));
  app.use(reportRoutes(deps));
  app.use(provinceRoutes(deps));
  app.use(rectificationRoutes(deps));
  app.use(onlineJoinRoutes(deps));
  app.use(submissionRoutes(deps));
  app.use(surveyRoutes(deps));
  app.use(memberUploadRoutes(deps));
  app.use(provincialExportRoutes(deps));
  app.use(orgRoutes(deps));
  app.use(lookupRoutes(deps));
  app.use(auditRoutes(deps));
  app.use(deputyRoutes(deps));
  app.use(
    attachmentRoutes({
      db: deps.db,
      attachments: { dir: path.resolve('data', 'attachments'), ...DEFAULT_ATTACHMENT_LIMITS, ...deps.attachments },
    }),
  );
  // The print font is found once, at start; without it the PDF answers 503 and the HTML page still works.
  const printFont = loadPrintFont(deps.printFont ?? DEFAULT_PRINT_FONT);
  if (!printFont.ok) logger.warn({ problem: printFont.problem }, 'print font unavailable: PDF approval sheets answer 503');
  app.use(printRoutes({ db: deps.db, jwtSecret: deps.jwtSecret, printFont }));

  app.use(userRoutes({ db: deps.db, limiter: loginLimiter }));

  app.use(webApp());
  app.use('/api', (_req, _res, next) => next(new HttpError(404, '接口不存在 / no such route')));
  app.use(errorMiddleware);
  return app;
}
