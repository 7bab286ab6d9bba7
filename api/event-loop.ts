/**
 * The event-loop watch of the API process: how late its timers fire. One
 * event loop answers every request, so a loop held by CPU work (a huge
 * upload, a runaway regex) stalls them all; /metrics shows the delay and
 * /readyz answers 503 while the loop is, or just was, stalled, so that a load
 * balancer stops sending traffic to this process until it recovers.
 */

/** How often the watch looks. */
const TICK_MS = 100;
/**
 * A delay above this counts as a stall. Two seconds: a garbage collection or a busy
 * two-core machine delays timers by up to a second, which must not take the API out
 * of rotation; a loop held for two seconds is unmistakably stuck.
 */
export const STALL_MS = 2_000;
/** A stall keeps /readyz at 503 for this long after it ended. */
const RECOVERY_MS = 5_000;
/** The metric shows the largest delay of this last window. */
const WINDOW_MS = 10_000;

export interface EventLoopWatch {
  /** The largest delay of the last {@link WINDOW_MS}, in seconds. */
  maxLagSeconds(): number;
  /** True for {@link RECOVERY_MS} after the loop was held past {@link STALL_MS}. */
  stalled(): boolean;
}

let watch: EventLoopWatch | undefined;

/** The process's watch, started on first use (its timer does not keep the process alive). */
export function eventLoopWatch(): EventLoopWatch {
  watch ??= startWatch();
  return watch;
}

function startWatch(): EventLoopWatch {
  let last = performance.now();
  let lastStallEnd = -Infinity;
  const samples: { at: number; lagMs: number }[] = [];
  const timer = setInterval(() => {
    const now = performance.now();
    const lagMs = Math.max(0, now - last - TICK_MS);
    last = now;
    if (lagMs > 0) samples.push({ at: now, lagMs });
    while (samples.length && now - samples[0]!.at > WINDOW_MS) samples.shift();
    if (lagMs > STALL_MS) lastStallEnd = now;
  }, TICK_MS);
  timer.unref();
  // Judged from the ticks only: after a stall the late timer runs first (timers come before I/O in
  // each turn of the loop), so the request answered right after it already sees the stall recorded.
  return {
    maxLagSeconds: () => Math.max(0, ...samples.map((s) => s.lagMs)) / 1000,
    stalled: () => performance.now() - lastStallEnd < RECOVERY_MS,
  };
}
