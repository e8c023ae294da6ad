import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, session, setUnauthorizedHandler, type Principal, type Session } from './api';

interface Auth {
  user: Principal | null;
  login(username: string, password: string): Promise<void>;
  logout(): void;
}

const AuthContext = createContext<Auth | null>(null);

/** The signed-in user (from the existing JWT login); a 401 from any call signs out. */
export function AuthProvider({ children }: { children: ReactNode }) {
  const [current, setCurrent] = useState<Session | null>(session.get);
  const logout = useCallback(() => {
    session.clear();
    setCurrent(null);
  }, []);
  useEffect(() => setUnauthorizedHandler(logout), [logout]);
  const login = useCallback(async (username: string, password: string) => {
    const signedIn = await api<Session>('/auth/login', { method: 'POST', body: { username, password } });
    session.set(signedIn);
    setCurrent(signedIn);
  }, []);
  const value = useMemo(() => ({ user: current?.user ?? null, login, logout }), [current, login, logout]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside AuthProvider');
  return auth;
}
