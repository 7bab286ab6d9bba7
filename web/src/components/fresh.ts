/**
 * 操作后即时刷新 / nothing goes stale: one web-wide signal that data changed.
 *
 * The API client announces every successful change it makes (api.ts
 * {@link changesData}); every screen loaded with useLoad, the menu's 待办 count
 * and the 消息 unread count listen and load again — quietly, keeping what they
 * show until the fresh answer arrives. A screen that learns of a change
 * another way (a bulk job finishing) calls {@link dataChanged} itself.
 */
import { useEffect, useRef, useState } from 'react';
import { get } from '../api';

const EVENT = 'ud:data-changed';

/** Tells every screen and badge to load again. */
export function dataChanged(): void {
  window.dispatchEvent(new Event(EVENT));
}

/** Calls `fn` whenever data changed (the latest `fn`, without re-subscribing). */
export function useDataChanged(fn: () => void): void {
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(() => {
    const on = () => latest.current();
    window.addEventListener(EVENT, on);
    return () => window.removeEventListener(EVENT, on);
  }, []);
}

/**
 * A count for a menu badge: loaded when `path` changes (the user moved on),
 * whenever data changed, and every minute (others' actions).
 */
export function useLiveCount(url: string, pick: (answer: never) => number, path: string): number | null {
  const [n, setN] = useState<number | null>(null);
  const seq = useRef(0);
  const load = () => {
    const my = ++seq.current;
    get<never>(url)
      .then((r) => my === seq.current && setN(pick(r)))
      .catch(() => undefined);
  };
  useDataChanged(load);
  useEffect(() => {
    load();
    const timer = setInterval(load, 60_000);
    return () => {
      clearInterval(timer);
      seq.current++;
    };
  }, [url, path]);
  return n;
}

/** 待办: how many tasks are the caller's to do (approvals and returned applications to revise), for the menu. */
export function useTodoCount(path: string): number | null {
  return useLiveCount('/api/tasks?view=todo&limit=1', (r: { counts: { todo: number } }) => r.counts.todo, path);
}
