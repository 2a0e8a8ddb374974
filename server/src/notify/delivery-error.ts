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
