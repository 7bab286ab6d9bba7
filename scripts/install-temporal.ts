/** Makes sure a `temporal` CLI is available (builds it into tools/bin with Go when missing). */
import { ensureTemporalCli } from '../runtime/temporal-server';

ensureTemporalCli({ explicitPath: process.env.TEMPORAL_CLI_PATH || undefined })
  .then((p) => console.log(`[temporal] CLI: ${p}`))
  .catch((err) => {
    console.error(`[temporal] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
