/**
 * 在办申请迁移: the running applications of one chain version, read from the
 * applications projection (the job's list and the dry run's).
 */
import type { ChainDefinition } from '../domain/chain';
import type { Db } from './knex';

export interface RunningApplicationRow {
  id: string;
  title: string;
  status: string;
  currentStep: string | null;
  chainVersion: number;
}

/** Running (pending or returned) applications of the owner's chain `key` at `version`, oldest first, at most `limit`. */
export async function listRunningApplicationsOf(
  db: Db,
  chain: { key: string; owner: string; version: number },
  limit: number,
): Promise<RunningApplicationRow[]> {
  return db('applications')
    .where({ chain_key: chain.key, chain_owner: chain.owner, chain_version: chain.version })
    .whereIn('status', ['pending', 'returned'])
    .orderBy([{ column: 'created_at' }, { column: 'id' }])
    .limit(limit)
    .select({ id: 'id', title: 'title', status: 'status', currentStep: 'current_step', chainVersion: 'chain_version' });
}

/** One stored version of the owner's chain `key`. */
export async function getChainVersion(db: Db, chain: { key: string; owner: string; version: number }): Promise<ChainDefinition | undefined> {
  const row: { definition: ChainDefinition; version: number } | undefined = await db('chain_definitions')
    .where({ key: chain.key, owner_org: chain.owner, version: chain.version })
    .first('definition', 'version');
  return row ? { ...row.definition, version: row.version, owner: chain.owner } : undefined;
}
