/**
 * Loads data for a screen: { data, error, loading, reload }. Stale answers (after a newer load started) are dropped.
 * Whenever data changed (components/fresh.ts: any action anywhere in the app) it loads again quietly — `loading`
 * stays false, the screen keeps what it shows until the fresh answer arrives, and an answer equal to the one shown
 * changes nothing (a form seeded from it keeps what the user typed).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useDataChanged } from './fresh';

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const seq = useRef(0);
  /** The answer shown, as JSON: a quiet refresh that brings the same answer leaves the screen alone. */
  const shown = useRef<string | undefined>(undefined);
  const run = useCallback(load, deps);
  const fetchNow = useCallback(
    async (quiet: boolean) => {
      const my = ++seq.current;
      if (!quiet) setLoading(true);
      try {
        const d = await run();
        if (my === seq.current) {
          const json = JSON.stringify(d);
          if (!quiet || json !== shown.current) setData(d);
          shown.current = json;
          setError(null);
        }
      } catch (e) {
        // A quiet refresh that fails keeps what the screen shows.
        if (my === seq.current && !quiet) setError(e);
      } finally {
        if (my === seq.current) setLoading(false);
      }
    },
    [run],
  );
  const reload = useCallback(() => fetchNow(false), [fetchNow]);
  useEffect(() => {
    void reload();
  }, [reload]);
  useDataChanged(() => void fetchNow(true));
  return { data, error, loading, reload, setData };
}
