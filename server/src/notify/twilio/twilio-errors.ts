import { DeliveryError } from '../delivery-error';

/**
 * Twilio's answers classified once, as the outbox worker needs them: a 429 (Twilio's error 20429,
 * "too many requests") and 5xx are worth a retry, honouring Retry-After when Twilio sends one; any
 * other 4xx is not (21211 an invalid 'To' number, 21610 a number that replied STOP, 20003 bad
 * credentials): the same request would fail the same way. Twilio's code and message are kept in
 * the text, so the timeline and the log say what to fix.
 */
export function twilioError(what: string, status: number, bodyText: string, retryAfter: string | null, now: Date): DeliveryError {
  const { code, message } = twilioProblem(bodyText);
  const detail = [code !== undefined ? String(code) : null, message].filter(Boolean).join(' ') || 'no error body';
  const text = `twilio: ${what} failed: HTTP ${status}: ${detail}`;
  if (status === 429) return new DeliveryError(text, true, retryAfterMs(retryAfter, now));
  return new DeliveryError(text, status >= 500);
}

/** A request that got no answer (refused, reset, timed out): the message may or may not have been taken, so it is retried (and the retry looks first). */
export function twilioNetworkError(what: string, err: unknown): DeliveryError {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  const reason = e.name === 'TimeoutError' ? 'no answer in time' : e.cause?.message || e.cause?.code || e.message || String(err);
  return new DeliveryError(`twilio: ${what} failed: network error: ${reason}`, true);
}

function twilioProblem(bodyText: string): { code?: number; message?: string } {
  try {
    const body = JSON.parse(bodyText) as { code?: unknown; message?: unknown };
    return {
      code: typeof body.code === 'number' ? body.code : undefined,
      message: typeof body.message === 'string' ? body.message : undefined,
    };
  } catch {
    // A proxy's HTML error page, or nothing: show its start, not all of it.
    return { message: bodyText.trim().slice(0, 200) || undefined };
  }
}

/** Retry-After in seconds or as an HTTP date (RFC 9110), in milliseconds from `now`; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: Date): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}
