// The session: restored from the refresh cookie on load, ended on logout or when a refresh fails.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, onSessionLost, refreshSession, setAccessToken } from '../api/client';
import type { User } from '../api/types';

type Status = 'loading' | 'anon' | 'authed';
type Session = {
  status: Status;
  user: User | null;
  /** After register/login: the token from the answer and the user. */
  signedIn(accessToken: string, user: User): void;
  setUser(user: User): void;
  signOut(): Promise<void>;
  /** After the account is gone: forget everything locally. */
  forget(): void;
};

const AuthContext = createContext<Session | null>(null);
let restoring: Promise<User | null> | null = null;

// Not a secret: only whether this browser signed in, so a visitor without a session is not sent to
// /v1/auth/refresh (a certain 401) on every page load. The refresh cookie itself stays httpOnly.
const HINT = 'picora.signedIn';
const hint = {
  get: () => {
    try {
      return localStorage.getItem(HINT) === '1';
    } catch {
      return true;
    }
  },
  set: (on: boolean) => {
    try {
      if (on) localStorage.setItem(HINT, '1');
      else localStorage.removeItem(HINT);
    } catch {
      /* storage disabled: the hint is only an optimisation */
    }
  },
};

/** Once per page load (StrictMode runs effects twice): refresh, then read the profile. */
function restore(): Promise<User | null> {
  restoring ??= (async () => {
    if (!hint.get() || !(await refreshSession())) return null;
    try {
      return await api<User>('/v1/user/me');
    } catch {
      return null;
    }
  })();
  return restoring;
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<Status>('loading');
  const [user, setUserState] = useState<User | null>(null);

  const forget = useCallback(() => {
    hint.set(false);
    setAccessToken(null);
    setUserState(null);
    setStatus('anon');
  }, []);

  useEffect(() => {
    let live = true;
    onSessionLost(forget);
    void restore().then((u) => {
      if (!live) return;
      hint.set(!!u);
      setUserState(u);
      setStatus(u ? 'authed' : 'anon');
    });
    return () => void (live = false);
  }, [forget]);

  const signedIn = useCallback((token: string, u: User) => {
    hint.set(true);
    setAccessToken(token);
    setUserState(u);
    setStatus('authed');
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api('/v1/auth/logout', { method: 'POST', body: {} });
    } catch {
      /* the cookie is cleared by the server when it answers; locally we forget either way */
    }
    forget();
  }, [forget]);

  const value = useMemo<Session>(
    () => ({ status, user, signedIn, setUser: setUserState, signOut, forget }),
    [status, user, signedIn, signOut, forget],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Session {
  const s = useContext(AuthContext);
  if (!s) throw new Error('useAuth outside AuthProvider');
  return s;
}
