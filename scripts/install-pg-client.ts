/** `npm test` runs this first: pg_dump and pg_restore for the backup test (Debian's postgresql-client where missing). */
import { ensurePgClient } from '../runtime/pg-client';

try {
  console.log(`[pg-client] pg_dump and pg_restore: ${ensurePgClient()}`);
} catch (err) {
  console.error(`[pg-client] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
