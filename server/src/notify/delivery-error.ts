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

/** Exponential backoff with full jitter, capped; Retry-After wins when the server sent one. */
export function retryDelayMs(attempt: number, err: DeliveryError, random: () => number = Math.random): number {
  if (err.retryAfterMs !== undefined) return err.retryAfterMs;
  const base = 500;
  const cap = 5 * 60_000;
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** After this many attempts a message is given up on and reported. */
export const MAX_ATTEMPTS = 12;
