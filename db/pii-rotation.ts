/**
 * Re-encrypting personal data with the newest key of the ring (`npm run
 * pii:rotate`). Where ciphertexts live is found from the schema by the code
 * base's naming rule, so a new table is covered without a change here:
 *
 * - a text column named `*_enc` holds one ciphertext (members.id_number_enc,
 *   members.phone_enc, …);
 * - in a jsonb column, a string under a key ending in `Enc`, at any depth
 *   (applications.payload.idNumberEnc / phoneEnc, …).
 *
 * Each table is walked in primary-key order, in windows of batchSize rows
 * (an index range): one transaction locks the window's rows that hold a
 * ciphertext not made with the newest key (`FOR UPDATE`: a concurrent writer
 * waits, or has committed and we read its value), writes the re-encrypted
 * values and moves the run's cursor past the window in
 * `pii_rotations` — so an interrupted run resumes after its last committed
 * batch, and a finished one leaves nothing to do for the next.
 */
import type { Db } from './knex';
import type { PiiCipher } from '../runtime/pii';

export interface RotationTable {
  table: string;
  /** Primary-key columns with their SQL types, in index order. */
  pk: { name: string; type: string }[];
  textColumns: string[];
  jsonColumns: string[];
}

interface TableState {
  /** The primary key of the last row looked at (as text), null before the first batch. */
  after: string[] | null;
  /** Rows re-encrypted. */
  done: number;
  /** Rows that held an old ciphertext when the run started. */
  total: number;
  finished: boolean;
}

export interface RotationProgress {
  table: string;
  done: number;
  total: number;
  /** Over the whole run so far (every table). */
  runDone: number;
  runTotal: number;
  rowsPerSecond: number;
}

export interface RotationResult {
  runId: number;
  targetKid: string;
  resumed: boolean;
  /** Rows re-encrypted by this call. */
  rows: number;
  /** Rows of the run (this call and the interrupted ones before it). */
  runRows: number;
  seconds: number;
  rowsPerSecond: number;
  tables: Record<string, TableState>;
  /** Tables without a primary key that hold old ciphertexts: not rotated (named so the operator sees them). */
  skipped: string[];
}

export interface RotationOptions {
  batchSize?: number;
  /** A pause between batches (ms) to leave room for traffic. */
  pauseMs?: number;
  onProgress?: (p: RotationProgress) => void;
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Tables with ciphertext columns, by the naming rule; ours (`pii_rotations`) and those without a primary key aside. */
export async function rotationTables(db: Db): Promise<{ tables: RotationTable[]; noKey: RotationTable[] }> {
  const cols = (
    await db.raw<{ rows: { table_name: string; column_name: string; data_type: string }[] }>(
      `select c.table_name, c.column_name, c.data_type
         from information_schema.columns c
         join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
        where c.table_schema = current_schema()
          and ((c.data_type = 'text' and c.column_name like '%\\_enc') or c.data_type = 'jsonb')
          and c.table_name <> 'pii_rotations'
        order by c.table_name, c.ordinal_position`,
    )
  ).rows;
  const byTable = new Map<string, RotationTable>();
  for (const c of cols) {
    const t = byTable.get(c.table_name) ?? { table: c.table_name, pk: [], textColumns: [], jsonColumns: [] };
    (c.data_type === 'jsonb' ? t.jsonColumns : t.textColumns).push(c.column_name);
    byTable.set(c.table_name, t);
  }
  const tables: RotationTable[] = [];
  const noKey: RotationTable[] = [];
  for (const t of byTable.values()) {
    t.pk = (
      await db.raw<{ rows: { name: string; type: string }[] }>(
        `select a.attname as name, format_type(a.atttypid, a.atttypmod) as type
           from pg_index i
           join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey::int2[])
          where i.indrelid = ?::regclass and i.indisprimary
          order by array_position(i.indkey::int2[], a.attnum)`,
        [q(t.table)],
      )
    ).rows;
    (t.pk.length ? tables : noKey).push(t);
  }
  return { tables, noKey };
}

/** SQL (with bindings) true for a row holding a ciphertext not made with key `kid`. */
function staleCondition(t: RotationTable, kid: string): { sql: string; bindings: string[] } {
  const prefix = `v2:${kid}:`;
  // A string under a key ending in Enc, in jsonb's text form: "…Enc": "v1:… or "…Enc": "v2:<another kid>:…
  const jsonPattern = `"\\w*Enc": "v(1:|2:(?!${kid}:))`;
  const parts: string[] = [];
  const bindings: string[] = [];
  for (const c of t.textColumns) {
    parts.push(`(t.${q(c)} is not null and t.${q(c)} <> '' and left(t.${q(c)}, ${prefix.length}) <> ?)`);
    bindings.push(prefix);
  }
  for (const c of t.jsonColumns) {
    parts.push(`(t.${q(c)}::text ~ ?)`);
    bindings.push(jsonPattern);
  }
  return { sql: parts.join(' or '), bindings };
}

/** Rows of each table holding a ciphertext not made with key `kid` (the verification after a rotation, too). */
export async function countStale(db: Db, kid: string): Promise<Record<string, number>> {
  const { tables, noKey } = await rotationTables(db);
  const out: Record<string, number> = {};
  for (const t of [...tables, ...noKey]) {
    const cond = staleCondition(t, kid);
    const r = await db.raw<{ rows: { n: number }[] }>(`select count(*)::int as n from ${q(t.table)} t where ${cond.sql}`, cond.bindings);
    out[t.table] = r.rows[0]!.n;
  }
  return out;
}

// A ciphertext under an Enc key in jsonb text: base64, key ids and colons only, so no quote or escape inside.
const JSON_CIPHERTEXT = /("\w*Enc": ")(v[12]:[\w+/=:-]*)"/g;

function rewrapJsonText(pii: PiiCipher, text: string): string {
  return text.replace(JSON_CIPHERTEXT, (_m, head: string, enc: string) => `${head}${pii.rewrap(enc)}"`);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Postgres refused the batch for a reason a retry cures (deadlock with a concurrent writer, serialization). */
const retryable = (e: unknown) => ['40P01', '40001', '55P03'].includes((e as { code?: string }).code ?? '');

/**
 * Re-encrypts every ciphertext not made with `pii.currentKid`. Resumes the
 * unfinished run for that key if there is one; two processes running it at
 * once take turns batch by batch (the run's row is locked per batch).
 */
export async function rotatePii(db: Db, pii: PiiCipher, opts: RotationOptions = {}): Promise<RotationResult> {
  const batchSize = Math.max(1, opts.batchSize ?? 1000);
  const kid = pii.currentKid;
  const { tables, noKey } = await rotationTables(db);
  const staleNow = noKey.length ? await countStale(db, kid) : {};
  const skipped = noKey.map((t) => t.table).filter((t) => (staleNow[t] ?? 0) > 0);
  const started = process.hrtime.bigint();

  type RunRow = { id: string; state: { tables: Record<string, TableState> } };
  let run = await db('pii_rotations').where({ target_kid: kid }).whereNull('finished_at').first<RunRow | undefined>();
  const resumed = !!run;
  if (!run) {
    const state: { tables: Record<string, TableState> } = { tables: {} };
    const counts = await countStale(db, kid);
    for (const t of tables) state.tables[t.table] = { after: null, done: 0, total: counts[t.table] ?? 0, finished: false };
    try {
      [run] = await db('pii_rotations')
        .insert({ target_kid: kid, batch_size: batchSize, state: JSON.stringify(state) })
        .returning<RunRow[]>(['id', 'state']);
    } catch (e) {
      // Another process opened the run in between (one open run per key): join it.
      if ((e as { code?: string }).code !== '23505') throw e;
      run = await db('pii_rotations').where({ target_kid: kid }).whereNull('finished_at').first<RunRow | undefined>();
    }
  }
  const runId = Number(run!.id);
  let state = run!.state;
  // A table that appeared since the run started (a migration in between): counted now.
  for (const t of tables) state.tables[t.table] ??= { after: null, done: 0, total: (await countStale(db, kid))[t.table] ?? 0, finished: false };
  const runTotal = () => Object.values(state.tables).reduce((n, s) => n + Math.max(s.total, s.done), 0);
  const runDone = () => Object.values(state.tables).reduce((n, s) => n + s.done, 0);
  const doneBefore = runDone();
  let rows = 0;

  for (const t of tables) {
    const cond = staleCondition(t, kid);
    const pkList = t.pk.map((c) => `t.${q(c.name)}`).join(', ');
    const pkParams = t.pk.map((c) => `?::${c.type}`).join(', ');
    const columns = [...t.textColumns, ...t.jsonColumns];
    for (;;) {
      let finished = false;
      const batch = async () =>
        db.transaction(async (trx) => {
          // The run's row first: a second process waits here and then reads the cursor this batch moves.
          const locked = await trx('pii_rotations').where({ id: runId }).forUpdate().first<{ state: typeof state; finished_at: Date | null }>();
          state = locked.state;
          const st = state.tables[t.table]!;
          if (st.finished || locked.finished_at) {
            finished = true;
            return 0;
          }
          const afterBindings = st.after ?? [];
          const keyset = st.after ? `(${pkList}) > (${pkParams}) and ` : '';
          const pkText = t.pk.map((c, i) => `t.${q(c.name)}::text as "k${i}"`).join(', ');
          // The window: the next batchSize rows in key order, whatever they hold (an index range, so a batch costs
          // the same at the end of a big table as at its start) …
          const window = (
            await trx.raw<{ rows: Record<string, string>[] }>(
              `select ${pkText} from ${q(t.table)} t where ${keyset}true order by ${pkList} limit ${batchSize}`,
              afterBindings,
            )
          ).rows;
          const last = window[window.length - 1];
          const upper = last ? t.pk.map((_c, i) => last[`k${i}`]!) : [];
          // … and, locked, those of its rows that hold an old ciphertext.
          const selected = last
            ? (
                await trx.raw<{ rows: Record<string, string | null>[] }>(
                  `select ${pkText}, ${columns.map((c, i) => `t.${q(c)}::text as "c${i}"`).join(', ')}
                     from ${q(t.table)} t
                    where ${keyset}(${pkList}) <= (${pkParams}) and (${cond.sql})
                    order by ${pkList}
                    for update`,
                  [...afterBindings, ...upper, ...cond.bindings],
                )
              ).rows
            : [];
          if (selected.length) {
            const updated = selected.map((r) =>
              columns.map((c, i) => {
                const v = r[`c${i}`];
                if (v === null || v === undefined || v === '') return v ?? null;
                return t.textColumns.includes(c) ? pii.rewrap(v) : rewrapJsonText(pii, v);
              }),
            );
            const values = selected.map((r, j) => {
              const v: Record<string, string | null> = {};
              t.pk.forEach((_c, i) => (v[`k${i}`] = r[`k${i}`] ?? null));
              columns.forEach((_c, i) => (v[`c${i}`] = updated[j]![i] ?? null));
              return v;
            });
            const names = [...t.pk.map((_c, i) => `"k${i}" text`), ...columns.map((_c, i) => `"c${i}" text`)];
            await trx.raw(
              `update ${q(t.table)} t
                  set ${columns.map((c, i) => `${q(c)} = v."c${i}"::${t.jsonColumns.includes(c) ? 'jsonb' : 'text'}`).join(', ')}
                 from jsonb_to_recordset(?::jsonb) as v(${names.join(', ')})
                where ${t.pk.map((c, i) => `t.${q(c.name)} = v."k${i}"::${c.type}`).join(' and ')}`,
              [JSON.stringify(values)],
            );
            st.done += selected.length;
          }
          if (last) st.after = upper;
          if (window.length < batchSize) st.finished = true;
          finished = st.finished;
          await trx('pii_rotations')
            .where({ id: runId })
            .update({ state: JSON.stringify(state), updated_at: trx.fn.now() });
          return selected.length;
        });
      let n = 0;
      for (let attempt = 1; ; attempt++) {
        try {
          n = await batch();
          break;
        } catch (e) {
          if (!retryable(e) || attempt >= 10) throw e;
          await sleep(50 * attempt);
        }
      }
      rows += n;
      const st = state.tables[t.table]!;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (n || (finished && st.done > 0))
        opts.onProgress?.({
          table: t.table,
          done: st.done,
          total: Math.max(st.total, st.done),
          runDone: runDone(),
          runTotal: runTotal(),
          rowsPerSecond: rows / Math.max(seconds, 1e-3),
        });
      if (finished) break;
      if (opts.pauseMs) await sleep(opts.pauseMs);
    }
  }
  await db('pii_rotations').where({ id: runId }).whereNull('finished_at').update({ finished_at: db.fn.now(), updated_at: db.fn.now() });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    runId,
    targetKid: kid,
    resumed,
    rows,
    runRows: doneBefore + rows,
    seconds,
    rowsPerSecond: rows / Math.max(seconds, 1e-3),
    tables: state.tables,
    skipped,
  };
}
