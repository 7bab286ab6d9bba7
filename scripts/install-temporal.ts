/**
 * Makes sure the Temporal tools exist in tools/: the `temporal` CLI (dev server) and the Temporal server with its
 * sql tool and Postgres schemas (the cluster, runtime/temporal-cluster.ts), building them with Go when missing.
 */
import { ensureTemporalCli, ensureTemporalServer } from '../runtime/temporal-server';

async function main() {
  const cli = await ensureTemporalCli({ explicitPath: process.env.TEMPORAL_CLI_PATH || undefined });
  console.log(`[temporal] CLI: ${cli}`);
  const tools = ensureTemporalServer({
    serverPath: process.env.TEMPORAL_SERVER_PATH || undefined,
    sqlToolPath: process.env.TEMPORAL_SQL_TOOL_PATH || undefined,
  });
  console.log(`[temporal] server: ${tools.server}; sql tool: ${tools.sqlTool}; schemas: ${tools.schemaDir}`);
}

main().catch((err) => {
  console.error(`[temporal] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
