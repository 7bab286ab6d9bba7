/**
 * 消息的未读数: the menu's badge reads it, and every screen that marks
 * messages read says so (notificationsChanged), so the badge follows without
 * a reload.
 */
import { useEffect, useState } from 'react';
import { get } from '../api';

const EVENT = 'ud:notifications-changed';

/** Tells the unread badge to count again (after messages were marked read). */
export function notificationsChanged(): void {
  window.dispatchEvent(new Event(EVENT));
}

/** The caller's unread count: loaded when `path` changes, when told, and every minute. */
export function useUnreadCount(path: string): number | null {
  const [unread, setUnread] = useState<number | null>(null);
  useEffect(() => {
    let live = true;
    const load = (): void => {
      get<{ unread: number }>('/api/notifications?limit=1')
        .then((r) => live && setUnread(r.unread))
        .catch(() => undefined);
    };
    load();
    const timer = setInterval(load, 60_000);
    window.addEventListener(EVENT, load);
    return () => {
      live = false;
      clearInterval(timer);
      window.removeEventListener(EVENT, load);
    };
  }, [path]);
  return unread;
}
