/**
 * `npm run cluster`: `npm start` with the Temporal server as production runs it (TEMPORAL_MODE=cluster): the
 * frontend, history (TEMPORAL_HISTORY_PROCESSES, default 2), matching and worker services as separate processes on
 * Postgres, and WORKERS (default 2) product workers. An explicit TEMPORAL_MODE in the environment is overridden.
 */
process.env.TEMPORAL_MODE = 'cluster';
await import('./start');

export {};
