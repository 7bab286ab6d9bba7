/** `npm run worker`: the Temporal worker for every workflow and activity. */
import { createDb } from '../db/knex';
import { configForProcess, onShutdown } from './entry';
import { logger } from './logger';
import { piiCipher } from './pii-key';
import { connectTemporal } from './temporal-client';
import { ensureSearchAttributes } from './temporal-setup';
import { createWorker, ensureWorkerSchedules } from './worker';

async function main() {
  const config = configForProcess();
  const db = createDb(config.DATABASE_URL, {
    poolMax: 20,
    statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
    longStatementTimeoutMs: config.DB_LONG_STATEMENT_TIMEOUT_MS,
  });
  // The bulletin activities manage Temporal Schedules through a client of the same namespace.
  const temporal = await connectTemporal(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);
  // A fresh real Temporal server knows none of the product's search attributes (the dev server is started with them):
  // without them every workflow that sets one fails its task. Idempotent; one list call when they are there.
  const addedSearchAttributes = await ensureSearchAttributes(temporal.connection, config.TEMPORAL_NAMESPACE);
  if (addedSearchAttributes.length) logger.info({ added: addedSearchAttributes }, 'search attributes added');
  const { worker, connection } = await createWorker({
    address: config.TEMPORAL_ADDRESS,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TASK_QUEUE,
    deps: {
      db,
      pii: piiCipher(config),
      temporal: temporal.client,
      taskQueue: config.TASK_QUEUE,
      retentionDays: config.RETENTION_DAYS,
      // Demo users have no email address: outside production they get username@demo.union-drive.local.
      mail: config.SMTP_URL
        ? { url: config.SMTP_URL, from: config.SMTP_FROM, fallbackDomain: config.NODE_ENV === 'production' ? undefined : 'demo.union-drive.local' }
        : undefined,
    },
  });
  const schedules = await ensureWorkerSchedules(temporal.client, config.TASK_QUEUE);
  // Worker.shutdown() stops polling and lets running tasks finish (drain) before run() resolves.
  onShutdown(() => {
    worker.shutdown();
    return Promise.resolve();
  }, config.STOP_WITH_PARENT);
  logger.info(
    {
      taskQueue: config.TASK_QUEUE,
      temporal: config.TEMPORAL_ADDRESS,
      smtp: config.SMTP_URL ? 'configured' : 'off',
      schedules,
      retentionDays: config.RETENTION_DAYS,
    },
    'worker started',
  );
  await worker.run();
  await connection.close();
  await temporal.connection.close();
  await db.destroy();
  logger.info('worker stopped');
}

main().catch((err) => {
  logger.fatal({ err }, 'worker failed');
  process.exit(1);
});
