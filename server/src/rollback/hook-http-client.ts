import type { HookRequest } from './hook-request';

/** The HTTP client for hooks, behind an interface so tests can swap it. */
export interface HookHttpClient {
  /** Resolves with the status (and the start of the body) or with a network/timeout error; never throws. */
  send(req: HookRequest, timeoutMs: number): Promise<{ status: number; body: string } | { error: string }>;
}

export const HOOK_HTTP_CLIENT = Symbol('HOOK_HTTP_CLIENT');

const MAX_BODY = 2048;

export class FetchHookHttpClient implements HookHttpClient {
  async send(req: HookRequest, timeoutMs: number): Promise<{ status: number; body: string } | { error: string }> {
    try {
      const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
      const text = await res.text().catch(() => '');
      return { status: res.status, body: text.slice(0, MAX_BODY) };
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      if (e.name === 'TimeoutError' || e.name === 'AbortError') return { error: `timed out after ${timeoutMs} ms` };
      return { error: `network error: ${e.cause?.code ?? e.cause?.message ?? e.message}` };
    }
  }
}
