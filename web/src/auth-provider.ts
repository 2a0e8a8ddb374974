import type { AuthProvider, UserIdentity } from 'react-admin';

export type Role = 'admin' | 'responder' | 'viewer';

export interface Me {
  id: string;
  name: string;
  role: Role;
}

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

async function fetchMe(token: string): Promise<Me> {
  const res = await fetch('/api/auth/me', {
    headers: { Accept: 'application/json', Authorization: `Bearer ${token}` },
  });
  if (res.status === 401) throw new AuthError('Invalid API token', 401);
  if (!res.ok) throw new AuthError(`Sign-in failed: the server answered HTTP ${res.status}`, res.status);
  return (await res.json()) as Me;
}

// getIdentity and getPermissions both need /api/auth/me: ask once per token.
let cached: { token: string; me: Promise<Me> } | null = null;

function me(token: string): Promise<Me> {
  if (cached?.token !== token) {
    const pending = fetchMe(token);
    pending.catch(() => {
      if (cached?.me === pending) cached = null;
    });
    cached = { token, me: pending };
  }
  return cached.me;
}

function clear(): void {
  localStorage.removeItem(TOKEN_KEY);
  cached = null;
}

export const authProvider: AuthProvider = {
  async login({ token }: { token?: string }) {
    const value = token?.trim();
    if (!value) throw new Error('Enter an API token');
    cached = null;
    await me(value);
    localStorage.setItem(TOKEN_KEY, value);
  },

  async logout() {
    clear();
  },

  async checkAuth() {
    if (!getToken()) throw new Error('Sign in with an API token');
  },

  async checkError(error: { status?: number }) {
    if (error?.status === 401) {
      clear();
      throw new Error('Your API token is no longer valid; sign in again');
    }
    // 403 and everything else: the user stays signed in and sees the error.
  },

  async getIdentity(): Promise<UserIdentity> {
    const token = getToken();
    if (!token) throw new Error('Not signed in');
    const user = await me(token);
    return { id: user.id, fullName: user.name };
  },

  async getPermissions(): Promise<Role | null> {
    const token = getToken();
    if (!token) return null;
    try {
      return (await me(token)).role;
    } catch (error) {
      if (error instanceof AuthError && error.status === 401) clear();
      throw error;
    }
  },
};
