import type { AuthProvider, UserIdentity } from 'react-admin';

export type Role = 'admin' | 'responder' | 'viewer';

export interface Me {
  id: string;
  name: string;
  role: Role;
  email?: string;
  kind?: 'token' | 'user';
}

// Two ways in: people sign in with email and password (the server sets an HTTP-only session
// cookie that scripts cannot read), and an API token can be used instead (kept in
// localStorage and sent as a bearer header), for automation and break-glass access.
const TOKEN_KEY = 'headroom.token';

export const getToken = (): string | null => localStorage.getItem(TOKEN_KEY);

class AuthError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

async function errorMessage(res: Response, fallback: string): Promise<string> {
  try {
    const body = (await res.json()) as { message?: string };
    return body.message ?? fallback;
  } catch {
    return fallback;
  }
}

async function fetchMe(token: string | null): Promise<Me> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch('/api/auth/me', { headers, credentials: 'same-origin' });
  if (res.status === 401) throw new AuthError(token ? 'Invalid API token' : 'Not signed in', 401);
  if (!res.ok) throw new AuthError(`Sign-in failed: the server answered HTTP ${res.status}`, res.status);
  return (await res.json()) as Me;
}

// checkAuth, getIdentity and getPermissions all need /api/auth/me: ask once per credential.
let cached: { key: string; me: Promise<Me> } | null = null;

function me(): Promise<Me> {
  const token = getToken();
  const key = token ? `token:${token}` : 'session';
  if (cached?.key !== key) {
    const pending = fetchMe(token);
    pending.catch(() => {
      if (cached?.me === pending) cached = null;
    });
    cached = { key, me: pending };
  }
  return cached.me;
}

function forget(): void {
  localStorage.removeItem(TOKEN_KEY);
  cached = null;
}

export const authProvider: AuthProvider = {
  async login(params: { email?: string; password?: string; token?: string }) {
    forget();
    const token = params.token?.trim();
    if (token) {
      localStorage.setItem(TOKEN_KEY, token);
      try {
        await me();
      } catch (error) {
        forget();
        throw error;
      }
      return;
    }
    if (!params.email || !params.password) throw new Error('Enter your email and password');
    const res = await fetch('/api/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify({ email: params.email, password: params.password }),
    });
    if (!res.ok) throw new AuthError(await errorMessage(res, `Sign-in failed: HTTP ${res.status}`), res.status);
    const signedIn = (await res.json()) as Me;
    cached = { key: 'session', me: Promise.resolve(signedIn) };
  },

  async logout() {
    const usedToken = Boolean(getToken());
    forget();
    if (!usedToken) await fetch('/api/auth/logout', { method: 'POST', credentials: 'same-origin' }).catch(() => undefined);
  },

  async checkAuth() {
    await me();
  },

  async checkError(error: { status?: number }) {
    if (error?.status === 401) {
      forget();
      throw new Error('Your sign-in has ended; sign in again');
    }
    // 403 and everything else: the user stays signed in and sees the error.
  },

  async getIdentity(): Promise<UserIdentity> {
    const user = await me();
    return { id: user.id, fullName: user.name };
  },

  async getPermissions(): Promise<Role | null> {
    try {
      return (await me()).role;
    } catch (error) {
      if (error instanceof AuthError && error.status === 401) return null;
      throw error;
    }
  },
};
