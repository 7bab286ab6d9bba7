/**
 * 消息的未读数: the menu's badge reads it; it loads again whenever data
 * changed (components/fresh.ts — marking messages read is such a change), so
 * the badge follows without a reload.
 */
import { useLiveCount } from './fresh';

/** The caller's unread count: loaded when `path` changes, when data changed, and every minute. */
export function useUnreadCount(path: string): number | null {
  return useLiveCount('/api/notifications?limit=1', (r: { unread: number }) => r.unread, path);
}
