/** Shared start-up of the stand-alone processes (`npm run worker`, `npm run api`). */
import { ConfigError, loadConfig, type Config } from './config';
import { logger } from './logger';

export function configForProcess(): Config & { DATABASE_URL: string; TEMPORAL_ADDRESS: string } {
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  logger.level = config.LOG_LEVEL;
  if (!config.DATABASE_URL) {
    console.error(
      '配置错误 / invalid configuration:\n  DATABASE_URL: required for `npm run worker` and `npm run api` (use `npm start` for the embedded Postgres)',
    );
    process.exit(2);
  }
  return { ...config, DATABASE_URL: config.DATABASE_URL, TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_PORT}` };
}

/**
 * Runs `fn` once on SIGINT/SIGTERM, then exits. Under `npm start` the
 * process also stops when the start script has gone (so nothing is left
 * running after a kill of the parent).
 */
export function onShutdown(fn: () => Promise<void>, parentPid?: number): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    fn().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  const parent = parentPid ?? 0;
  if (parent) {
    setInterval(() => {
      try {
        process.kill(parent, 0);
      } catch {
        stop('parent gone');
      }
    }, 1000).unref();
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => stop(signal));
  }
}
