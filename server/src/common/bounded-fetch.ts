/** A response read by boundedFetch: its status and its body, whole. */
export interface BoundedResponse {
  status: number;
  ok: boolean;
  /** The answer's headers (Retry-After on a 429, …). */
  headers: Headers;
  text(): Promise<string>;
}

/** Redirects followed at most, and only within the origin first asked. */
const MAX_REDIRECTS = 3;

export class BoundedFetchError extends Error {}

/**
 * fetch for servers named in configuration (Prometheus, an experiment platform), as a client
 * that does not trust their answers: a redirect is followed only to the same origin (the
 * credentials sent must not reach another host), and the body is read up to `maxBytes` (a
 * misconfigured or hostile server cannot fill the memory).
 */
export async function boundedFetch(url: string, init: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal }, maxBytes: number): Promise<BoundedResponse> {
  let current = new URL(url);
  for (let hop = 0; ; hop++) {
    const res = await fetch(current, { ...init, redirect: 'manual' });
    if (res.status >= 300 && res.status < 400 && res.headers.has('location')) {
      await res.body?.cancel();
      const next = new URL(res.headers.get('location')!, current);
      if (next.origin !== current.origin) throw new BoundedFetchError(`redirected to another host (${next.origin}); not followed`);
      if (hop >= MAX_REDIRECTS) throw new BoundedFetchError(`more than ${MAX_REDIRECTS} redirects`);
      current = next;
      continue;
    }
    const body = await readLimited(res, maxBytes);
    return { status: res.status, ok: res.ok, headers: res.headers, text: async () => body };
  }
}

async function readLimited(res: Response, maxBytes: number): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel();
    throw new BoundedFetchError(`answer of ${declared} bytes is over the ${maxBytes}-byte limit`);
  }
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new BoundedFetchError(`answer over the ${maxBytes}-byte limit`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
