/**
 * The signed-in user: token and profile kept in localStorage, checked with
 * GET /api/me on load; any 401 from the API signs the user out.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { get, post, setToken, setUnauthorizedHandler } from './api';

export interface User {
  username: string;
  name: string;
  org: string;
  orgName?: string;
  roles: string[];
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
  login(username: string, password: string): Promise<void>;
  logout(expired?: boolean): void;
  has(...roles: string[]): boolean;
}

const KEY = 'ud.session';
const Ctx = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null>(() => {
    try {
      const s = JSON.parse(localStorage.getItem(KEY) ?? 'null') as { token: string; user: User } | null;
      if (s?.token) {
        setToken(s.token);
        return s.user;
      }
    } catch {
      /* a broken entry: start signed out */
    }
    return null;
  });
  const [orgs, setOrgs] = useState<OrgInfo[]>([]);
  const [expired, setExpired] = useState(false);

  const logout = useCallback((isExpired = false) => {
    localStorage.removeItem(KEY);
    setToken(null);
    setUser(null);
    setOrgs([]);
    setExpired(isExpired);
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => logout(true));
    return () => setUnauthorizedHandler(null);
  }, [logout]);

  useEffect(() => {
    if (!user) return;
    let live = true;
    get<{ items: OrgInfo[] }>('/api/orgs')
      .then((r) => live && setOrgs(r.items))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [user]);

  const value = useMemo<Session>(() => {
    const byId = new Map(orgs.map((o) => [o.id, o]));
    return {
      user,
      orgs,
      expired,
      orgKind: user ? byId.get(user.org)?.kind : undefined,
      orgName: (id) => (id ? (byId.get(id)?.name ?? id) : ''),
      async login(username, password) {
        const r = await post<{ token: string; user: User }>('/api/auth/login', { username, password }, { anonymous: true });
        localStorage.setItem(KEY, JSON.stringify(r));
        setToken(r.token);
        setExpired(false);
        setUser(r.user);
      },
      logout,
      has: (...roles) => !!user && roles.some((r) => user.roles.includes(r)),
    };
  }, [user, orgs, expired, logout]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSession(): Session {
  const v = useContext(Ctx);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}
