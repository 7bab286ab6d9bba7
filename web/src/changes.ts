/** Which calls of the API client change data (api.ts announces them: components/fresh.ts). No DOM here: unit-tested in node. */

/**
 * Calls that ask rather than change (a route preview, a dry run, a print
 * link, signing in and out): nothing on screen goes stale after them.
 */
const ASKS_ONLY = [/\/route-preview$/, /-link$/, /^\/api\/auth\//];

/** Whether a successful call changed data, so that screens and badges load again (components/fresh.ts). */
export function changesData(method: string, path: string, body?: unknown): boolean {
  if (method === 'GET' || method === 'HEAD') return false;
  if (body && typeof body === 'object' && (body as { dryRun?: unknown }).dryRun === true) return false;
  const bare = path.split('?')[0]!;
  return !ASKS_ONLY.some((r) => r.test(bare));
}
