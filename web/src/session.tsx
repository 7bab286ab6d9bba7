/**
 * The signed-in user: token and profile kept in sessionStorage (this tab
 * only, gone when it closes — not in localStorage, where every tab and every
 * later visitor of a shared office computer would find it) and in memory;
 * any 401 from the API signs the user out. Signing out ends the session on
 * the server too (POST /api/auth/logout). A user who must change their
 * password (mustChangePassword) sees only the change-password page until
 * they have.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { get, getToken, post, setToken, setUnauthorizedHandler } from './api';

export interface User {
  username: string;
  name: string;
  org: string;
  orgName?: string;
  roles: string[];
  /** What the policy lets the user do, for menus (from the login answer). */
  can?: { readBulletins: boolean; readProvinceOverview?: boolean; memberRoster?: boolean; verifyMembers?: boolean };
}

export interface OrgInfo {
  id: string;
  name: string;
  kind: string;
  parent: string | null;
  groups: string[];
}

interface Session {
  user: User | null;
  /** Orgs in the user's scope and above (names for regions and unions). */
  orgs: OrgInfo[];
  orgName(id: string | null | undefined): string;
  /** The kind of the user's own org: province, city, county, industry, grassroots. */
  orgKind: string | undefined;
  expired: boolean;
  /** The server requires a new password before anything else. */
  mustChangePassword: boolean;
  login(username: string, password: string): Promise<void>;
  /** Ends the session here and on the server; `expired`: the server already ended it. */
  logout(expired?: boolean): void;
  changePassword(currentPassword: string, newPassword: string): Promise<void>;
  has(...roles: string[]): boolean;
}

const KEY = 'ud.session';
const Ctx = createContext<Session | null>(null);

interface Stored {
  token: string;
  user: User;
  mustChangePassword?: boolean;
}

function readStored(): Stored | null {
  try {
    // An older build kept the session in localStorage: drop it.
    localStorage.removeItem(KEY);
    const s = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Stored | null;
    return s?.token ? s : null;
  } catch {
    return null; // a broken entry: start signed out
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [stored] = useState(readStored);
  const [user, setUser] = useState<User | null>(() => {
    if (!stored) return null;
    setToken(stored.token);
    return stored.user;
  });
  const [mustChangePassword, setMustChange] = useState(!!stored?.mustChangePassword);
  const [orgs, setOrgs] = useState<OrgInfo[]>([]);
  const [expired, setExpired] = useState(false);

  const keep = useCallback((s: Stored) => {
    sessionStorage.setItem(KEY, JSON.stringify(s));
    setToken(s.token);
    setExpired(false);
    setMustChange(!!s.mustChangePassword);
    setUser(s.user);
  }, []);

  const logout = useCallback((isExpired = false) => {
    // Tell the server first (the token stops working everywhere); signing out here does not wait for it.
    if (!isExpired && getToken()) void post('/api/auth/logout', undefined).catch(() => undefined);
    sessionStorage.removeItem(KEY);
    setToken(null);
    setUser(null);
    setOrgs([]);
    setMustChange(false);
    setExpired(isExpired);
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => logout(true));
    return () => setUnauthorizedHandler(null);
  }, [logout]);

  useEffect(() => {
    if (!user || mustChangePassword) return;
    let live = true;
    get<{ items: OrgInfo[] }>('/api/orgs')
      .then((r) => live && setOrgs(r.items))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [user, mustChangePassword]);

  const value = useMemo<Session>(() => {
    const byId = new Map(orgs.map((o) => [o.id, o]));
    return {
      user,
      orgs,
      expired,
      orgKind: user ? byId.get(user.org)?.kind : undefined,
      orgName: (id) => (id ? (byId.get(id)?.name ?? id) : ''),
      mustChangePassword,
      async login(username, password) {
        keep(await post<Stored>('/api/auth/login', { username, password }, { anonymous: true }));
      },
      async changePassword(currentPassword, newPassword) {
        // The answer carries a fresh token: every earlier one (this one included) has stopped working.
        keep(await post<Stored>('/api/auth/password', { currentPassword, newPassword }));
      },
      logout,
      has: (...roles) => !!user && roles.some((r) => user.roles.includes(r)),
    };
  }, [user, orgs, expired, mustChangePassword, keep, logout]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSession(): Session {
  const v = useContext(Ctx);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}
