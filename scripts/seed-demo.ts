/** `npm run seed`: loads the demo org tree and users (idempotent) into DATABASE_URL. */
import { createDb, migrateLatest } from '../db/knex';
import { loadDemoData } from '../db/demo-seed';
import { hashPassword } from '../api/passwords';
import { configForProcess } from '../runtime/entry';

async function main() {
  const config = configForProcess();
  const db = createDb(config.DATABASE_URL);
  await migrateLatest(db);
  const r = await loadDemoData(db, hashPassword);
  console.log(`已加载演示数据 / demo data loaded: ${r.orgs} orgs, ${r.users} users (password: demo-password)`);
  await db.destroy();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
