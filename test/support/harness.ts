/**
 * One test file's running system: a worker on its own task queue (the run's
 * shared workflow bundle), a Temporal client, and the API in-process on a
 * free port, called over real HTTP.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { createDb, type Db } from '../../db/knex';
import { startApi, type RunningApi } from '../../api/server';
import { createPiiCipher, type PiiCipher } from '../../runtime/pii';
import { connectTemporal } from '../../runtime/temporal-client';
import { createWorker, ensureWorkerSchedules } from '../../runtime/worker';
import { outboxSender } from '../../runtime/sms';
import type { ActivityDeps } from '../../activities';
import type { PublicSmsSettings } from '../../api/verification';
import type { AttachmentSettings } from '../../api/attachments';
import type { PrintFontSettings } from '../../runtime/print-font';
import type { AdmissionSettings } from '../../api/admission';
import { readOutboxCode } from './sms-outbox';

export { readOutboxCode };

// Keep the SDK's own logs to warnings so test output stays readable.
Runtime.install({ logger: new DefaultLogger('WARN') });

export interface Harness {
  url: string;
  db: Db;
  temporal: Client;
  taskQueue: string;
  pii: PiiCipher;
  worker: Worker;
  api: RunningApi;
  /** The folder of this harness's attachment files (a fresh temporary one unless given). */
  attachmentsDir: string;
  login(username: string): Promise<string>;
  /**
   * A valid SMS code for the phone, as a worker gets one: asks POST /api/public/sms-codes and reads the code from the
   * development outbox (the newest message to that phone).
   */
  smsCode(phone: string, purpose?: 'join' | 'status'): Promise<string>;
  call<T = any>(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: string | Uint8Array },
  ): Promise<{ status: number; body: T; headers: Headers }>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Run a worker in this process (default true). */
  withWorker?: boolean;
  mail?: ActivityDeps['mail'];
  /** Another database than the run's shared one (e.g. a file's own, for whole-table checks). */
  databaseUrl?: string;
  /** Another Temporal frontend than the run's shared dev server. */
  temporalAddress?: string;
  /** The Temporal namespace (default `default`, the dev server's; a cluster names its own). */
  namespace?: string;
  /** The task queue the API starts workflows on (default: a fresh one per harness). */
  taskQueue?: string;
  /** Failed logins per address per 15 minutes (default: effectively unlimited). */
  loginLimit?: number;
  /** Failed logins of one account before its back-off starts (default: effectively unlimited). */
  loginFreeFailures?: number;
  /** The key space of the shared rate-limit counters (default: this harness's own, so test files do not count against each other). */
  limitScope?: string;
  /** The pool's statement timeout and long-statement timeout, ms (the client-side query timeout is the latter + 5 s). */
  dbTimeouts?: { statementTimeoutMs: number; longStatementTimeoutMs: number };
  /** Express `trust proxy` (default loopback). */
  trustProxy?: boolean | number | string;
  /** NODE_ENV=production behaviour of the API (demo passwords must be changed). */
  production?: boolean;
  /** Create the worker's schedules at start, as `npm run worker` does (the daily retention run), on this harness's task queue. */
  schedules?: boolean;
  /** RETENTION_DAYS of the worker (default 180). */
  retentionDays?: number;
  /** Look-ups by ID number (transfers, progress members) per user per hour (default: effectively unlimited). */
  idLookupLimit?: number;
  /** The personal-data key ring of the API and the worker (default: the run's one legacy key). */
  pii?: PiiCipher;
  /**
   * The SMS code and CAPTCHA limits: `'defaults'` for the production ones (60 s cool-down, CAPTCHA after 3 wrong
   * codes…); unset, limits no test meets and no cool-down, so a file may verify the same phone twice in a row.
   */
  publicSms?: 'defaults' | Partial<PublicSmsSettings>;
  /** Attachment limits and folder (default: 10 MB, 20 per application, a fresh temporary folder). */
  attachments?: Partial<AttachmentSettings>;
  /** The print font of the PDF 审批单 (default Debian's Noto Sans CJK). */
  printFont?: PrintFontSettings;
  /**
   * Admission control of the work handed to Temporal: `'defaults'` for the production settings (api/admission.ts
   * DEFAULT_ADMISSION); unset, a queue no test file's burst meets, and no task-queue sampling.
   */
  admission?: 'defaults' | Partial<AdmissionSettings>;
}

/** Admission settings a test file never meets: a suite under load must not see 503s it did not ask for. */
const RELAXED_ADMISSION: Partial<AdmissionSettings> = { maxQueueMs: 600_000, concurrency: 10_000, taskQueueBacklog: false };

/** Limits a test file never meets (the production ones: api/verification.ts DEFAULT_SMS_SETTINGS). */
const RELAXED_SMS: Partial<PublicSmsSettings> = {
  cooldownSeconds: 0,
  perPhonePerDay: 100_000,
  perAddressPerHour: 100_000,
  captchaAfterRequests: 100_000,
  captchaAfterFailures: 100_000,
};

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const db = createDb(opts.databaseUrl ?? inject('databaseUrl'), { poolMax: 10, ...opts.dbTimeouts });
  const pii = opts.pii ?? createPiiCipher(inject('piiKey'));
  const taskQueue = opts.taskQueue ?? `tq-${inject('runId')}-${crypto.randomBytes(4).toString('hex')}`;
  const address = opts.temporalAddress ?? inject('temporalAddress');
  const namespace = opts.namespace ?? 'default';
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let workerConn: { close(): Promise<void> } | undefined;
  const { client, connection } = await connectTemporal(address, namespace);
  if (opts.withWorker !== false) {
    const w = await createWorker({
      address,
      namespace,
      taskQueue,
      deps: { db, pii, temporal: client, taskQueue, mail: opts.mail, retentionDays: opts.retentionDays },
      workflowBundle: { codePath: inject('workflowBundlePath') },
    });
    worker = w.worker;
    workerConn = w.connection;
    running = worker.run();
    if (opts.schedules) await ensureWorkerSchedules(client, taskQueue);
  }
  const attachmentsDir = opts.attachments?.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'union-drive-attachments-'));
  const api = await startApi(
    {
      db,
      attachments: { ...opts.attachments, dir: attachmentsDir },
      printFont: opts.printFont,
      temporal: client,
      taskQueue,
      jwtSecret: inject('jwtSecret'),
      jwtTtl: '1h',
      pii,
      publicJoin: true,
      loginLimit: opts.loginLimit ?? 100_000,
      loginFreeFailures: opts.loginFreeFailures ?? 100_000,
      idLookupLimit: opts.idLookupLimit ?? 100_000,
      limitScope: opts.limitScope ?? `test-${crypto.randomBytes(6).toString('hex')}`,
      trustProxy: opts.trustProxy,
      production: opts.production,
      // The development outbox, so tests read the codes a worker would get by SMS.
      sms: outboxSender(db, pii),
      publicSms: opts.publicSms === 'defaults' ? {} : (opts.publicSms ?? RELAXED_SMS),
      // Public look-ups (status, CAPTCHA, join-form choices) per address: a file's many callers share one address.
      publicLookupLimit: opts.publicSms === 'defaults' ? undefined : 100_000,
      admission: opts.admission === 'defaults' ? {} : (opts.admission ?? RELAXED_ADMISSION),
    },
    0,
  );
  const tokens = new Map<string, string>();

  const call: Harness['call'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body: string | Uint8Array | undefined = o.raw;
    if (o.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(o.body);
    }
    const res = await fetch(api.url + path, { method, headers, body });
    const textBody = await res.text();
    let parsed: unknown = textBody;
    try {
      parsed = textBody ? JSON.parse(textBody) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed as never, headers: res.headers };
  };

  return {
    url: api.url,
    db,
    temporal: client,
    taskQueue,
    pii,
    worker: worker!,
    api,
    attachmentsDir,
    call,
    async login(username) {
      const cached = tokens.get(username);
      if (cached) return cached;
      const r = await call<{ token: string }>('POST', '/api/auth/login', { body: { username, password: 'demo-password' } });
      if (r.status !== 200) throw new Error(`login ${username} failed: ${r.status} ${JSON.stringify(r.body)}`);
      tokens.set(username, r.body.token);
      return r.body.token;
    },
    async smsCode(phone, purpose = 'join') {
      const r = await call('POST', '/api/public/sms-codes', { body: { phone, purpose } });
      if (r.status !== 202) throw new Error(`sms code for ${phone} refused: ${r.status} ${JSON.stringify(r.body)}`);
      return readOutboxCode(db, pii, phone);
    },
    async close() {
      await api.close();
      if (worker && running) {
        worker.shutdown();
        await running;
        await workerConn?.close();
      }
      await connection.close();
      await db.destroy();
    },
  };
}

/** Polls until `fn` returns a truthy value (workflows move on asynchronously). */
export async function eventually<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 20_000, intervalMs = 150): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: Error | undefined; // what fn last threw (assertion errors, in practice)
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e as Error;
    }
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${last instanceof Error ? last.message : JSON.stringify(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
