import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';

/**
 * How long one API request may wait on Temporal (start, Update, query), in
 * total. An Update waits for a worker to run it; with no worker (crashed,
 * restarting) the SDK would wait for ever. Past the deadline the API answers
 * 503 and the client retries with the same Idempotency-Key (the Update id),
 * which Temporal and the workflow deduplicate.
 */
export const TEMPORAL_CALL_DEADLINE_MS = 15_000;

/**
 * Attempts at a call the frontend refused as UNAVAILABLE (server down or
 * restarting). The SDK's default (10, about 20 s of back-off) makes every
 * request hang through an outage; three attempts (about half a second) ride
 * over a blip and then fail fast with 503.
 */
const UNAVAILABLE_ATTEMPTS = 3;
/** gRPC status UNAVAILABLE. */
const UNAVAILABLE = 14;

/**
 * Connects a Temporal client; fails fast when the frontend cannot be reached,
 * and reconnects within a couple of seconds once it is back (gRPC's default
 * reconnect back-off grows to two minutes).
 */
export async function connectTemporal(address: string, namespace: string): Promise<{ client: Client; connection: Connection }> {
  const defaults = defaultGrpcRetryOptions();
  const connection = await Connection.connect({
    address,
    connectTimeout: 10_000,
    channelArgs: { 'grpc.initial_reconnect_backoff_ms': 200, 'grpc.max_reconnect_backoff_ms': 2_000 },
    interceptors: [
      makeGrpcRetryInterceptor({
        delayFunction: defaults.delayFunction,
        retryableDecider: (attempt, status) =>
          Number(status.code) === UNAVAILABLE ? attempt < UNAVAILABLE_ATTEMPTS : defaults.retryableDecider(attempt, status),
      }),
    ],
  });
  return { client: new Client({ connection, namespace }), connection };
}

/**
 * Runs `fn` (one or more Temporal calls) with a deadline for all of them
 * together: a request never waits on Temporal longer than `ms`.
 */
export function withTemporalDeadline<T>(client: Client, fn: () => Promise<T>, ms = TEMPORAL_CALL_DEADLINE_MS): Promise<T> {
  return client.withDeadline(Date.now() + ms, fn);
}
