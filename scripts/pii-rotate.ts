/**
 * `npm run pii:rotate [-- --batch-size 1000 --pause-ms 0]`: re-encrypts every
 * personal-data ciphertext in DATABASE_URL that was not made with the newest
 * key of PII_KEYS (README, "Personal-data keys"). Prints progress per batch;
 * safe while the API and worker run; stopped (Ctrl-C, a crash), it continues
 * where it stopped when started again; a second run finds nothing to do.
 * Plain script: no Temporal, no activities.
 */
import { parseArgs } from 'node:util';
import { countStale, rotatePii } from '../db/pii-rotation';
import { createDb, migrateLatest } from '../db/knex';
import { configForProcess } from '../runtime/entry';
import { piiCipher } from '../runtime/pii-key';

async function main() {
  const { values } = parseArgs({
    options: { 'batch-size': { type: 'string', default: '1000' }, 'pause-ms': { type: 'string', default: '0' } },
  });
  const batchSize = Number(values['batch-size']);
  const pauseMs = Number(values['pause-ms']);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) throw new Error('--batch-size: 1 … 100000');
  if (!Number.isInteger(pauseMs) || pauseMs < 0) throw new Error('--pause-ms: a whole number of milliseconds');
  const config = configForProcess();
  const pii = piiCipher(config);
  const db = createDb(config.DATABASE_URL, { poolMax: 2, statementTimeoutMs: config.DB_LONG_STATEMENT_TIMEOUT_MS });
  try {
    await migrateLatest(db);
    console.log(`[pii:rotate] 目标密钥 / target key: ${pii.currentKid}; batch ${batchSize}${pauseMs ? `, pause ${pauseMs} ms` : ''}`);
    let lastLine = 0;
    const r = await rotatePii(db, pii, {
      batchSize,
      pauseMs,
      onProgress: (p) => {
        const now = Date.now();
        if (now - lastLine < 1000 && p.done < p.total) return; // at most a line a second, and each table's last
        lastLine = now;
        console.log(`[pii:rotate] ${p.table}: ${p.done}/${p.total} · 全部 / all ${p.runDone}/${p.runTotal} rows · ${Math.round(p.rowsPerSecond)} rows/s`);
      },
    });
    if (r.skipped.length) console.log(`[pii:rotate] 无主键未处理 / skipped, no primary key: ${r.skipped.join(', ')}`);
    const left = Object.entries(await countStale(db, pii.currentKid)).filter(([, n]) => n > 0);
    console.log(
      `[pii:rotate] ${r.resumed ? '续跑 / resumed run' : 'run'} ${r.runId}: ${r.rows} rows re-encrypted in ${r.seconds.toFixed(1)} s (${Math.round(r.rowsPerSecond)} rows/s); run total ${r.runRows}` +
        (r.rows === 0 && !r.resumed ? ' — 无需处理 / nothing to do' : ''),
    );
    if (left.length) {
      // Written since the cursor passed by a process still on the old ring: a second run takes them.
      console.log(`[pii:rotate] 仍有旧密钥密文 / old-key ciphertexts written meanwhile: ${left.map(([t, n]) => `${t} ${n}`).join(', ')}; run again`);
      process.exitCode = 3;
    }
  } finally {
    await db.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(`[pii:rotate] 失败 / failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
