/**
 * What a Temporal namespace needs before the product runs on it: the namespace itself and the product's search
 * attributes (SEARCH_ATTRIBUTES). The dev server is started with both; a real server (the cluster, docker-compose)
 * starts empty, so the cluster start and every worker start make them idempotently.
 */
import { type Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { SEARCH_ATTRIBUTES } from './temporal-server';

/**
 * temporal.api.enums.v1.IndexedValueType's wire numbers (stable in the protocol); @temporalio/proto, which names
 * them, is only a dependency of the SDK packages, not of this project.
 */
const TYPES: Record<(typeof SEARCH_ATTRIBUTES)[string], number> = {
  Text: 1,
  Keyword: 2,
  Int: 3,
  Bool: 5,
  Datetime: 6,
};

/** gRPC status ALREADY_EXISTS. */
const ALREADY_EXISTS = 6;
/** gRPC status NOT_FOUND. */
const NOT_FOUND = 5;

function grpcCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** Registers the namespace unless it exists; waits until the frontend serves it (its namespace cache has it). */
export async function ensureNamespace(connection: Connection, namespace: string, retentionDays = 7): Promise<'created' | 'existed'> {
  let outcome: 'created' | 'existed' = 'existed';
  try {
    await connection.workflowService.describeNamespace({ namespace });
  } catch (err) {
    if (grpcCode(err) !== NOT_FOUND) throw err;
    try {
      await connection.workflowService.registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: msToTs(`${retentionDays} days`),
      });
      outcome = 'created';
    } catch (e) {
      if (grpcCode(e) !== ALREADY_EXISTS) throw e;
    }
  }
  // Calls on a namespace fail with NotFound until the frontend's namespace cache (refreshed every few seconds) has it.
  await waitFor(`namespace ${namespace}`, async () => {
    await connection.workflowService.listWorkflowExecutions({ namespace, pageSize: 1 });
    return true;
  });
  return outcome;
}

/** The product's search attributes missing from the namespace (by name). */
async function missingSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const listed = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set([...Object.keys(listed.customAttributes ?? {}), ...Object.keys(listed.systemAttributes ?? {})]);
  return Object.keys(SEARCH_ATTRIBUTES).filter((name) => !known.has(name));
}

function typeOf(name: string): number {
  const type = SEARCH_ATTRIBUTES[name];
  if (!type) throw new Error(`unknown search attribute ${name}`);
  return TYPES[type];
}

/**
 * Adds the product's search attributes the namespace lacks; resolves once the frontend accepts all of them.
 *
 * listSearchAttributes reads the database and shows a new attribute at once, but the frontend maps attribute names
 * through its namespace cache (refreshed every few seconds): until then a workflow start naming the attribute is
 * refused ("Namespace … has no mapping defined for search attribute …"). So this waits until a visibility query
 * naming every attribute — mapped by that same cache — is accepted.
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const missing = await missingSearchAttributes(connection, namespace);
  if (missing.length) {
    try {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(missing.map((name) => [name, typeOf(name)])),
      });
    } catch (err) {
      // Another process (a second worker starting at the same time) added them first.
      if (grpcCode(err) !== ALREADY_EXISTS) throw err;
    }
  }
  // Accepted by the frontend implies stored: one wait covers both.
  await waitFor('search attributes in the frontend', async () => {
    await connection.workflowService.countWorkflowExecutions({ namespace, query: QUERY_NAMING_EVERY_ATTRIBUTE });
    return true;
  });
  return missing;
}

/** A literal of each search-attribute type, for a query that names every attribute. */
const LITERALS: Record<(typeof SEARCH_ATTRIBUTES)[string], string> = {
  Text: "''",
  Keyword: "''",
  Int: '0',
  Bool: 'false',
  Datetime: "'1970-01-01T00:00:00Z'",
};

const QUERY_NAMING_EVERY_ATTRIBUTE = Object.entries(SEARCH_ATTRIBUTES)
  .map(([name, type]) => `${name} = ${LITERALS[type]}`)
  .join(' AND ');

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await probe()) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`${what} not ready within ${timeoutMs / 1000} s${last ? `: ${last instanceof Error ? last.message : JSON.stringify(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
