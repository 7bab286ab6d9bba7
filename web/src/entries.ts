/**
 * Which of the web app's three pages serves a path — one rule for the API
 * (api/web.ts), the Vite dev server (web/vite.config.ts) and the apps
 * themselves (a client-side link into another page's paths loads it anew):
 * - `public` (public.html): the join pages, /join and /join/…;
 * - `member-card` (member-card.html): /member-card/<code> and its /verify;
 * - `index` (index.html): the staff app, every other path.
 */
export type PageEntry = 'index' | 'public' | 'member-card';

export const ENTRY_HTML: Record<PageEntry, string> = {
  index: 'index.html',
  public: 'public.html',
  'member-card': 'member-card.html',
};

const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);

export function pageEntry(path: string): PageEntry {
  if (under(path, '/join')) return 'public';
  if (under(path, '/member-card')) return 'member-card';
  return 'index';
}
