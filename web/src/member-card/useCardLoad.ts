/** Loads a card answer: the data, or the API's status (404: no such card; 0: no connection) and its problem text. */
import { useEffect, useState } from 'react';
import { ApiError, get } from '../api';

export type Loaded<T> = { state: 'loading' } | { state: 'ok'; data: T } | { state: 'error'; status: number; detail: string };

export function useCardLoad<T>(path: string): Loaded<T> {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  useEffect(() => {
    const ctl = new AbortController();
    setLoaded({ state: 'loading' });
    get<T>(path, { anonymous: true, signal: ctl.signal }).then(
      (data) => setLoaded({ state: 'ok', data }),
      (e: unknown) => {
        if (ctl.signal.aborted) return;
        setLoaded(e instanceof ApiError ? { state: 'error', status: e.status, detail: e.problem.detail } : { state: 'error', status: 0, detail: String(e) });
      },
    );
    return () => ctl.abort();
  }, [path]);
  return loaded;
}
