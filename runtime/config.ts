/**
 * The one place that reads environment variables. Every variable is listed
 * here with its default and meaning; a wrong value stops the process with a
 * message naming the variable. Workflows never read this module.
 */
import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { parseKeyRing } from './pii';

const port = z.coerce.number().int().min(0).max(65535);
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

/** The task queue every worker of this project polls. */
export const TASK_QUEUE_DEFAULT = 'union-drive';

/**
 * Express's `trust proxy`: which hops' X-Forwarded-For to believe when reading
 * the client address (rate limits, audit). `false` (no proxy), a hop count
 * (`1`: one proxy in front), or a comma-separated list of addresses, CIDR
 * ranges and the names loopback, linklocal, uniquelocal.
 */
const trustProxy = z
  .string()
  .trim()
  .default('loopback')
  .refine(
    (v) =>
      v === 'false' ||
      /^\d{1,2}$/.test(v) ||
      v.split(',').every((part) => {
        const item = part.trim();
        if (['loopback', 'linklocal', 'uniquelocal'].includes(item)) return true;
        const [addr, bits, ...rest] = item.split('/');
        if (rest.length || !addr || net.isIP(addr) === 0) return false;
        return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (net.isIP(addr) === 4 ? 32 : 128));
      }),
    'use false, a hop count (e.g. 1), or addresses/CIDR ranges/loopback, linklocal, uniquelocal separated by commas',
  )
  .transform((v): boolean | number | string => (v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v));

const positiveInt = z.coerce.number().int().min(1);

/** What is wrong with a PII_KEYS value, or undefined (the same parser the ring uses). */
function keyRingProblem(v: string): string | undefined {
  try {
    parseKeyRing(v);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** HTTP port of the API (and web app). */
  PORT: port.default(3000),
  /** Address the API binds to: this machine only unless set (a container sets 0.0.0.0, behind its TLS proxy). */
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  /** Folder for all local state: embedded Postgres, Temporal dev server file, secrets. */
  DATA_DIR: z.string().default('data'),
  /** Postgres connection string. Unset: `npm start` runs an embedded Postgres under DATA_DIR. */
  DATABASE_URL: optionalString,
  /** Postgres `statement_timeout` of every pooled connection, in ms: a hung query frees its request and pool slot. */
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  /** The longer `statement_timeout` of survey imports and bulletin (通报) builds, in ms. */
  DB_LONG_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(300_000),
  /** Port of the embedded Postgres (5432 is usually taken by a system server). */
  EMBEDDED_PG_PORT: port.default(54329),
  /** host:port of a running Temporal frontend. Unset: `npm start` runs `temporal server start-dev`. */
  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  /** gRPC port of the embedded Temporal dev server. */
  TEMPORAL_PORT: port.default(7233),
  /** Web UI port of the embedded Temporal dev server. */
  TEMPORAL_UI_PORT: port.default(8233),
  /** Path of a `temporal` CLI binary to use instead of searching PATH and tools/bin. */
  TEMPORAL_CLI_PATH: optionalString,
  /**
   * Which Temporal `npm start` runs when TEMPORAL_ADDRESS is unset: `dev` (the single-process development server on
   * SQLite) or `cluster` (the real Temporal server as production runs it: frontend, history, matching and worker
   * services as separate processes on Postgres; runtime/temporal-cluster.ts). `npm run cluster` is `cluster`.
   */
  TEMPORAL_MODE: z.enum(['dev', 'cluster']).default('dev'),
  /** Product worker processes `npm start` runs on the task queue. Unset: 2 with TEMPORAL_MODE=cluster, 1 with dev. */
  WORKERS: positiveInt.max(64).optional(),
  /**
   * History shards of the cluster (TEMPORAL_MODE=cluster). Fixed when its database is first set up: Temporal cannot
   * change it later, so choose it for the largest load the install will see (README, "Running on the Temporal server").
   * Unset: the cluster's default (runtime/temporal-cluster.ts).
   */
  TEMPORAL_HISTORY_SHARDS: positiveInt.max(16384).optional(),
  /** History service processes of the cluster (TEMPORAL_MODE=cluster); may change between starts. */
  TEMPORAL_HISTORY_PROCESSES: positiveInt.max(16).default(2),
  /** Path of a `temporal-server` binary to use instead of tools/bin/temporal-server (built with Go when missing). */
  TEMPORAL_SERVER_PATH: optionalString,
  /** Path of a `temporal-sql-tool` binary to use instead of tools/bin/temporal-sql-tool. */
  TEMPORAL_SQL_TOOL_PATH: optionalString,
  /** Task queue of workflows and activities. */
  TASK_QUEUE: z.string().min(1).default(TASK_QUEUE_DEFAULT),
  /** Secret for signing session tokens. Required in production; development generates one under DATA_DIR. */
  JWT_SECRET: optionalString.refine((v) => v === undefined || v.length >= 32, 'must be at least 32 characters'),
  /** Lifetime of a session token, e.g. 8h, 30m. */
  JWT_TTL: z
    .string()
    .regex(/^\d+[smhd]$/, 'use a number and s, m, h or d, e.g. 8h')
    .default('8h'),
  /**
   * The key ring encrypting ID and phone numbers at rest (AES-256-GCM): `kid:base64,kid:base64,…`, NEWEST FIRST — the
   * first key encrypts, every key decrypts (README, "Personal-data keys"). A key id is 1–32 letters, digits, `_` or `-`;
   * each key 32 bytes. Production needs PII_KEYS or PII_KEY.
   */
  PII_KEYS: optionalString.superRefine((v, ctx) => {
    const problem = v === undefined ? undefined : keyRingProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  /**
   * The one key of the time before key ids (base64, 32 bytes): alone, a one-key ring; with PII_KEYS, the oldest member
   * (id `legacy`), which decrypts the `v1:` ciphertexts it made. Development generates one under DATA_DIR.
   */
  PII_KEY: optionalString.refine((v) => v === undefined || Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded'),
  /**
   * Base64 32-byte key of the keyed hash of ID and phone numbers (look-ups, counting a member once); independent of the
   * encryption keys, never rotated with them. Required in production. Unset elsewhere: derived from PII_KEY as before
   * (a warning), or generated under DATA_DIR.
   */
  PII_HASH_KEY: optionalString.refine((v) => v === undefined || Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded'),
  /**
   * Which proxies' X-Forwarded-For the API believes for the client address (rate limits per address). Behind one TLS
   * proxy: `1`, or the proxy's address. Default: loopback only (a proxy on the same host).
   */
  TRUST_PROXY: trustProxy,
  /**
   * The address users reach this deployment at, e.g. https://union.example.org: printed join QR posters (扫码入会) and
   * emailed links use it. Unset: the address the request came in on (fine for a local demo).
   */
  PUBLIC_BASE_URL: optionalString.refine((v) => v === undefined || /^https?:\/\/[^/\s?#]+(?:\/[^\s?#]*)?$/.test(v), 'use http(s)://host[:port][/path]'),
  /** Failed logins of one account before each further failure blocks it for a doubling back-off (30 s … 15 min). */
  LOGIN_FREE_FAILURES: positiveInt.default(5),
  /** Failed logins from one client address per 15 minutes (successful logins never count). */
  LOGIN_FAILURES_PER_ADDRESS: positiveInt.default(100),
  /**
   * Admission control (api/admission.ts): the longest a request that starts a workflow or sends it an Update or a
   * signal may expect to wait before its work starts, in ms — in this API process's queue or in the workflow task
   * queue's backlog. Past it the API answers 503 with Retry-After at once and writes nothing.
   */
  ADMISSION_MAX_QUEUE_MS: z.coerce.number().int().min(1).max(600_000).default(2_000),
  /** Such requests one API process runs at once; more wait in its queue (and count towards ADMISSION_MAX_QUEUE_MS). */
  ADMISSION_CONCURRENCY: positiveInt.max(10_000).default(32),
  /** Anonymous join applications (扫码入会) per client address per hour. */
  PUBLIC_JOIN_PER_ADDRESS: positiveInt.default(20),
  /** Requests naming people by ID number (transfers, progress reports' members) per signed-in user per hour. */
  ID_LOOKUPS_PER_USER: positiveInt.default(30),
  /** Let workers without an account apply online (网上入会, 扫码入会). */
  PUBLIC_JOIN: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /**
   * Days a rejected or withdrawn application keeps the worker's name, ID and phone before the daily retention run
   * (数据保留) erases them (the row, its masked values and its audit trail stay).
   */
  RETENTION_DAYS: positiveInt.max(36500).default(180),
  /**
   * Who sends the public join page's SMS codes (短信验证码): `tencent` (Tencent Cloud SMS, the SMS_* variables below) or
   * `outbox` (development: messages are stored in `sms_outbox` for admins to read on 短信发件箱; refused with
   * NODE_ENV=production). Unset: `outbox` outside production; in production none — the API warns at start and the
   * code requests answer 503 until a provider is configured.
   */
  SMS_PROVIDER: z.enum(['tencent', 'outbox']).optional(),
  /** Tencent Cloud API credentials (CAM SecretId/SecretKey) for SMS_PROVIDER=tencent. */
  SMS_SECRET_ID: optionalString,
  SMS_SECRET_KEY: optionalString,
  /** The SMS application's SdkAppId, e.g. 1400006666. */
  SMS_SDK_APP_ID: optionalString,
  /** The approved signature (签名内容), e.g. 平顶山市总工会. */
  SMS_SIGN_NAME: optionalString,
  /** The approved template's id; its two parameters are the code and its validity in minutes. */
  SMS_TEMPLATE_ID: optionalString,
  /** Tencent Cloud region of the SMS API. */
  SMS_REGION: z.string().trim().min(1).default('ap-guangzhou'),
  /** Largest attachment (附件) an application or comment takes, in bytes (default 10 MB); a bigger upload answers 413. */
  ATTACHMENT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024 * 1024)
    .default(10 * 1024 * 1024),
  /** Attachments one application may carry (its comments' included). */
  ATTACHMENTS_PER_APPLICATION: positiveInt.max(10_000).default(20),
  /**
   * The CJK font of the printed 审批单 as PDF (a .ttf, .otf or .ttc): Debian's fonts-noto-cjk by default, which the
   * image installs. Missing: the API warns at start and PDF requests answer 503 (the HTML print page still works).
   */
  PRINT_FONT_PATH: z.string().trim().min(1).default('/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc'),
  /** The PostScript name of the face to use inside a .ttc collection (ignored for a single-face font file). */
  PRINT_FONT_NAME: z.string().trim().min(1).default('NotoSansCJKsc-Regular'),
  /** pino log level. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Set by `npm start` for its children: the pid whose exit stops this process too. */
  STOP_WITH_PARENT: z.coerce.number().int().min(0).optional(),
  /**
   * SMTP server for emailed progress bulletins (通报), e.g. smtp://user:pass@smtp.example.org:587 or smtps://…:465.
   * Unset: bulletins are delivered in the app only.
   */
  SMTP_URL: optionalString.refine((v) => v === undefined || /^smtps?:\/\/[^/]+/.test(v), 'use smtp://user:pass@host:port or smtps://…'),
  /** The From header of bulletin emails. */
  SMTP_FROM: z.string().trim().min(3).default('平顶山市总工会 <noreply@union-drive.local>'),
  /**
   * Load the demo org tree and users on start when the database has no users (npm start sets it outside
   * production). Refused with NODE_ENV=production: every demo user has the published password demo-password.
   */
  SEED_DEMO: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {}

/** Reads and validates the environment. Throws ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`配置错误 / invalid configuration:\n${lines.join('\n')}`);
  }
  const production = parsed.data.NODE_ENV === 'production';
  const problems = production
    ? (['JWT_SECRET', 'PII_HASH_KEY'] as const).filter((k) => !parsed.data[k]).map((k) => `  ${k}: required when NODE_ENV=production`)
    : [];
  if (production && !parsed.data.PII_KEYS && !parsed.data.PII_KEY) {
    problems.push('  PII_KEYS (or PII_KEY): 生产环境必须提供个人信息加密密钥 / required when NODE_ENV=production: the keys encrypting ID and phone numbers');
  }
  if (production && parsed.data.SEED_DEMO) {
    problems.push(
      '  SEED_DEMO: 生产环境（NODE_ENV=production）不能加载演示账号——其密码 demo-password 是公开的；请删除 SEED_DEMO 或设为 false / refused when NODE_ENV=production: the demo users share the published password demo-password; unset SEED_DEMO or set it to false',
    );
  }
  if (parsed.data.SMS_PROVIDER === 'tencent') {
    for (const k of ['SMS_SECRET_ID', 'SMS_SECRET_KEY', 'SMS_SDK_APP_ID', 'SMS_SIGN_NAME', 'SMS_TEMPLATE_ID'] as const)
      if (!parsed.data[k]) problems.push(`  ${k}: required when SMS_PROVIDER=tencent`);
  }
  if (production && parsed.data.SMS_PROVIDER === 'outbox') {
    problems.push(
      '  SMS_PROVIDER: 生产环境不能使用开发用短信发件箱（验证码不会发出，管理员却能看到）；请配置 SMS_PROVIDER=tencent / refused when NODE_ENV=production: the development outbox sends nothing and shows codes to admins; use SMS_PROVIDER=tencent',
    );
  }
  if (problems.length) {
    throw new ConfigError(`配置错误 / invalid configuration:\n${problems.join('\n')}`);
  }
  return { ...parsed.data, DATA_DIR: path.resolve(parsed.data.DATA_DIR) };
}

/** Human-readable list of variables for `--help`-style output and the README check. */
export const CONFIG_VARIABLES = Object.keys(schema.shape);
