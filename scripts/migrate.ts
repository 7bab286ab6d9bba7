/** `npm run migrate`: applies pending migrations to DATABASE_URL. */
import { createDb, migrateLatest } from '../db/knex';
import { configForProcess } from '../runtime/entry';

async function main() {
  const config = configForProcess();
  const db = createDb(config.DATABASE_URL);
  const applied = await migrateLatest(db);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'already up to date');
  await db.destroy();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
