import type { IncomingHttpHeaders } from 'node:http';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Why a change sent with the console's session cookie may have come from another site, or
 * null when it may not. The cookie is SameSite=Strict, but a same-site application (another
 * port of the same host) can still send it with a form. So a cookie-authenticated change must
 * (1) come from Headroom's own origin when the browser says where it came from (Origin), and
 * (2) be JSON or carry X-Requested-With — neither of which a form or an image can send without
 * a CORS preflight, which Headroom never grants. Bearer-token requests are not affected.
 */
export function csrfProblem(method: string, headers: IncomingHttpHeaders, publicUrl: string): string | null {
  if (SAFE_METHODS.has(method.toUpperCase())) return null;
  const foreign = foreignOrigin(headers, publicUrl);
  if (foreign) return foreign;
  if (method.toUpperCase() === 'DELETE') return null;
  const type = String(headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json' && headers['x-requested-with'] === undefined) {
    return 'a change made with a session cookie must be sent as application/json (or with X-Requested-With)';
  }
  return null;
}

/**
 * Why a request's Origin (when the browser sent one) is not Headroom's own, or null. Also used
 * by routes reached without a session whose form is Headroom's own page (acknowledge links).
 */
export function foreignOrigin(headers: IncomingHttpHeaders, publicUrl: string): string | null {
  const origin = headers.origin;
  if (origin === undefined) return null;
  if (origin === 'null') return 'a change from an opaque origin is refused';
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return `Origin ${origin} is not a URL`;
  }
  if (host !== headers.host && origin !== new URL(publicUrl).origin) return `a change from ${origin} is refused: only Headroom's own pages (${new URL(publicUrl).origin}) may change things with a session cookie`;
  return null;
}
