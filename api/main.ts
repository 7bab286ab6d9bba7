/** `npm run api`: the HTTP API (and, once built, the web app). Applies migrations at start. */
import path from 'node:path';
import { createDb, migrateLatest } from '../db/knex';
import { countUsers } from '../db/user-repository';
import { loadDemoData } from '../db/demo-seed';
import { configForProcess, onShutdown } from '../runtime/entry';
import { logger } from '../runtime/logger';
import { piiCipher } from '../runtime/pii-key';
import { jwtSecret } from '../runtime/secrets';
import { connectTemporal } from '../runtime/temporal-client';
import { purgeExpiredKeys } from './idempotency';
import { hashPassword } from './passwords';
import { startApi } from './server';
import { smsSenderFromConfig } from '../runtime/sms';
import { createAttachmentStore } from '../runtime/attachment-store';
import { referencedContents } from '../db/attachment-repository';

async function main() {
  const config = configForProcess();
  const db = createDb(config.DATABASE_URL, {
    poolMax: 20,
    statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
    longStatementTimeoutMs: config.DB_LONG_STATEMENT_TIMEOUT_MS,
  });
  const applied = await migrateLatest(db);
  if (applied.length) logger.info({ applied }, 'migrations applied');
  if (config.SEED_DEMO && (await countUsers(db)) === 0) {
    const r = await loadDemoData(db, hashPassword);
    logger.info(r, 'demo org tree and users loaded (password: demo-password)');
  }
  const { client, connection } = await connectTemporal(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);
  const pii = piiCipher(config);
  const sms = smsSenderFromConfig(config, db, pii);
  if (!sms && config.PUBLIC_JOIN)
    logger.warn(
      '未配置短信服务（SMS_PROVIDER）：网上入会和进度查询需要的短信验证码无法发送，相关请求将返回 503 / no SMS provider (SMS_PROVIDER): the public join and status pages cannot send their codes and answer 503 until one is configured',
    );
  else if (sms) logger.info({ provider: sms.provider }, 'SMS provider');
  const api = await startApi(
    {
      db,
      temporal: client,
      taskQueue: config.TASK_QUEUE,
      jwtSecret: jwtSecret(config),
      jwtTtl: config.JWT_TTL,
      pii,
      sms,
      publicJoin: config.PUBLIC_JOIN,
      trustProxy: config.TRUST_PROXY,
      publicBaseUrl: config.PUBLIC_BASE_URL,
      loginLimit: config.LOGIN_FAILURES_PER_ADDRESS,
      loginFreeFailures: config.LOGIN_FREE_FAILURES,
      publicJoinLimit: config.PUBLIC_JOIN_PER_ADDRESS,
      idLookupLimit: config.ID_LOOKUPS_PER_USER,
      admission: { maxQueueMs: config.ADMISSION_MAX_QUEUE_MS, concurrency: config.ADMISSION_CONCURRENCY },
      production: config.NODE_ENV === 'production',
      attachments: {
        dir: path.join(config.DATA_DIR, 'attachments'),
        maxBytes: config.ATTACHMENT_MAX_BYTES,
        perApplication: config.ATTACHMENTS_PER_APPLICATION,
      },
      printFont: { path: config.PRINT_FONT_PATH, name: config.PRINT_FONT_NAME },
    },
    config.PORT,
    config.HOST,
  );
  logger.info({ url: api.url }, `API listening on ${api.url}`);
  // Idempotency keys expire after a day; every API process purges (the delete is harmless when repeated).
  const purge = setInterval(
    () => {
      purgeExpiredKeys(db).then(
        (n) => n && logger.info({ purged: n }, 'expired idempotency keys purged'),
        (err: unknown) => logger.warn({ err }, 'idempotency key purge failed'),
      );
    },
    60 * 60 * 1000,
  );
  purge.unref();
  // Attachment files no row names any more (erased with a worker's personal data, or left by a crash between file and
  // row), an hour after they were last stored.
  const attachmentStore = createAttachmentStore(path.join(config.DATA_DIR, 'attachments'));
  const sweepFiles = () =>
    attachmentStore
      .sweep((shas) => referencedContents(db, shas))
      .then(
        (n) => n && logger.info({ removed: n }, 'unreferenced attachment files swept'),
        (err: unknown) => logger.warn({ err }, 'attachment sweep failed'),
      );
  void sweepFiles();
  const sweep = setInterval(() => void sweepFiles(), 60 * 60 * 1000);
  sweep.unref();
  onShutdown(async () => {
    clearInterval(purge);
    clearInterval(sweep);
    await api.close();
    await connection.close();
    await db.destroy();
  }, config.STOP_WITH_PARENT);
}

main().catch((err) => {
  logger.fatal({ err }, 'api failed');
  process.exit(1);
});
