/**
 * The retention job's SQL (数据保留): erasing the personal fields of expired
 * applications and of every row that copies them, purging old idempotency
 * keys and read notifications, and recording each run. One transaction per
 * run, keyed by the run, so a retried activity never runs twice.
 */
import { erasePersonalFields, ERASABLE_STATUSES, maskName, maskTitle } from '../domain/retention';
import type { Db } from './knex';

export interface RetentionCounts {
  applicationsErased: number;
  tasksUpdated: number;
  notificationsUpdated: number;
  idempotencyKeysDeleted: number;
  notificationsDeleted: number;
}

export interface RetentionRun extends RetentionCounts {
  id: string;
  runKey: string;
  startedAt: Date;
  finishedAt: Date;
  retentionDays: number;
  eraseBefore: Date;
}

const runColumns = {
  id: 'id',
  runKey: 'run_key',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  retentionDays: 'retention_days',
  eraseBefore: 'erase_before',
  applicationsErased: 'applications_erased',
  tasksUpdated: 'tasks_updated',
  notificationsUpdated: 'notifications_updated',
  idempotencyKeysDeleted: 'idempotency_keys_deleted',
  notificationsDeleted: 'notifications_deleted',
};

/** Application types about a worker (入会, 会籍转移): their attachments are erased with their personal data. */
const PERSONAL_TYPES = new Set(['membership', 'transfer']);

/** Applications erased per statement batch (a long backlog is worked through in pages inside the run). */
const BATCH = 500;

export interface RetentionCutoffs {
  /** Rejected and withdrawn applications last changed before it lose their personal fields. */
  eraseBefore: Date;
  /** Idempotency keys created before it are deleted. */
  keysBefore: Date;
  /** Notifications read before it are deleted. */
  readBefore: Date;
}

/**
 * Runs the retention job once under `runKey`: erases, purges and records the
 * counts, all in one transaction. A run already recorded under the key (a
 * retried activity) is answered from its record.
 */
export async function runRetention(db: Db, run: { runKey: string; startedAt: Date; retentionDays: number } & RetentionCutoffs): Promise<RetentionRun> {
  const done = await getRun(db, run.runKey);
  if (done) return done;
  return db.transaction(async (trx) => {
    // One run at a time (two workers, or a manual trigger beside the daily one): the second waits, then finds its key or fresh work.
    await trx.raw(`select pg_advisory_xact_lock(hashtext('retention-run'))`);
    const again = await getRun(trx, run.runKey);
    if (again) return again;
    const counts: RetentionCounts = { applicationsErased: 0, tasksUpdated: 0, notificationsUpdated: 0, idempotencyKeysDeleted: 0, notificationsDeleted: 0 };
    for (;;) {
      const apps = await trx('applications')
        .whereIn('status', [...ERASABLE_STATUSES])
        .whereNull('personal_data_erased_at')
        .andWhere('updated_at', '<', run.eraseBefore)
        .orderBy('id')
        .limit(BATCH)
        .forUpdate()
        .select<{ id: string; type: string; title: string; payload: Record<string, unknown> }[]>('id', 'type', 'title', 'payload');
      if (!apps.length) break;
      for (const app of apps) {
        const name = typeof app.payload.name === 'string' ? app.payload.name : undefined;
        const payload = erasePersonalFields(app.payload) ?? app.payload;
        const title = maskTitle(app.title, name);
        // updated_at stays: it is when the application was decided, and the erasure is recorded in its own column.
        await trx('applications')
          .where({ id: app.id })
          .update({ payload: JSON.stringify(payload), title, personal_data_erased_at: trx.fn.now() });
        counts.applicationsErased++;
        // 附件 of a worker's application (an ID card scan, a photo) go with their personal data; the timeline keeps
        // the upload entries. The files no row names any more are swept by the API (runtime/attachment-store.ts).
        if (PERSONAL_TYPES.has(app.type)) await trx('attachments').where({ application_id: app.id }).delete();
        if (name) {
          // Copies of the name: each task's subject (the title) and the notifications about the application.
          const masked = maskName(name);
          const copies = (table: 'tasks' | 'notifications', column: string) =>
            trx(table)
              .where({ application_id: app.id })
              .andWhereRaw('strpos(??, ?) > 0', [column, name])
              .update({ [column]: trx.raw('replace(??, ?, ?)', [column, name, masked]) });
          counts.tasksUpdated += await copies('tasks', 'subject');
          counts.notificationsUpdated += await copies('notifications', 'message');
        }
      }
    }
    counts.idempotencyKeysDeleted = await trx('idempotency_keys').where('created_at', '<', run.keysBefore).delete();
    counts.notificationsDeleted = await trx('notifications').whereNotNull('read_at').andWhere('read_at', '<', run.readBefore).delete();
    const [row] = await trx('retention_runs')
      .insert({
        run_key: run.runKey,
        started_at: run.startedAt,
        retention_days: run.retentionDays,
        erase_before: run.eraseBefore,
        applications_erased: counts.applicationsErased,
        tasks_updated: counts.tasksUpdated,
        notifications_updated: counts.notificationsUpdated,
        idempotency_keys_deleted: counts.idempotencyKeysDeleted,
        notifications_deleted: counts.notificationsDeleted,
      })
      .returning(Object.values(runColumns));
    return toRun(row as Record<string, unknown>);
  });
}

function toRun(row: Record<string, unknown>): RetentionRun {
  const out: Record<string, unknown> = {};
  for (const [k, col] of Object.entries(runColumns)) out[k] = row[col];
  out.id = String(out.id);
  return out as unknown as RetentionRun;
}

async function getRun(db: Db, runKey: string): Promise<RetentionRun | undefined> {
  return db('retention_runs').select(runColumns).where({ run_key: runKey }).first();
}

/** The runs, newest first, paged by id. */
export async function listRetentionRuns(db: Db, opts: { beforeId?: string; limit: number }): Promise<RetentionRun[]> {
  const q = db('retention_runs').select(runColumns).orderBy('id', 'desc').limit(opts.limit);
  if (opts.beforeId) q.where('id', '<', opts.beforeId);
  const rows = (await q) as RetentionRun[];
  return rows.map((r) => ({ ...r, id: String(r.id) }));
}
