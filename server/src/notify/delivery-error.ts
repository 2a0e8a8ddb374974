/**
 * Every channel failure is classified once, the way Alertmanager's notifiers return
 * (retry, err): retry on rate limits, 5xx and network errors (honouring Retry-After); never on
 * errors a retry cannot fix (invalid_auth, channel_not_found, …).
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/**
 * Exponential backoff with jitter between half and the full ceiling, capped at a minute (a page
 * or its update should not wait five minutes behind a flaky minute of Slack); Retry-After wins
 * when the server sent one.
 */
export function retryDelayMs(attempt: number, err: DeliveryError, random: () => number = Math.random): number {
  if (err.retryAfterMs !== undefined) return err.retryAfterMs;
  const base = 500;
  const cap = 60_000;
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * The worker's claim on a message was taken over by another process (it lapsed while this one
 * waited): this process must not send it, nor mark it, nor count a failure. The owner sends it.
 */
export class ClaimLostError extends Error {
  constructor(readonly key: string) {
    super(`outbox message ${key} is now claimed by another worker`);
    this.name = 'ClaimLostError';
  }
}

/** A Retry-After header (seconds, or an HTTP date) in milliseconds; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * A provider's HTTP answer that is not a success, classified: 408, 429 and 5xx are retried
 * (after Retry-After when given); any other 4xx is a refusal a retry cannot fix.
 */
export function httpDeliveryError(provider: string, status: number, retryAfter: string | null | undefined, detail = '', now: number = Date.now()): DeliveryError {
  const retryable = status === 408 || status === 429 || status >= 500;
  const what = `${provider}: HTTP ${status}${detail ? ` ${detail}` : ''}`;
  return new DeliveryError(retryable ? what : `${what} (not retried: the receiver refused the request)`, retryable, retryable ? retryAfterMs(retryAfter, now) : undefined);
}
