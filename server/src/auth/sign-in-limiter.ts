/**
 * Failed sign-ins allowed per key (an email, a client address) within a sliding window; past
 * that, sign-in is refused until the oldest failure leaves the window. A success clears the
 * email's failures. Pure bookkeeping over a clock in milliseconds, kept per process.
 */
export interface SignInLimits {
  maxFailures: number;
  windowMs: number;
}

export class SignInLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly limits: SignInLimits) {}

  /** Milliseconds until the key may try again, or 0 when it may now. */
  retryAfterMs(key: string, nowMs: number): number {
    const recent = this.recent(key, nowMs);
    if (recent.length < this.limits.maxFailures) return 0;
    return recent[recent.length - this.limits.maxFailures] + this.limits.windowMs - nowMs;
  }

  fail(key: string, nowMs: number): void {
    const recent = this.recent(key, nowMs);
    recent.push(nowMs);
    this.failures.set(key, recent);
    // Bounded memory under a spray of made-up emails: forget keys whose failures are all old.
    if (this.failures.size > 50_000) for (const k of this.failures.keys()) if (this.recent(k, nowMs).length === 0) this.failures.delete(k);
  }

  clear(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, nowMs: number): number[] {
    const list = this.failures.get(key) ?? [];
    const from = nowMs - this.limits.windowMs;
    let i = 0;
    while (i < list.length && list[i] <= from) i++;
    return i === 0 ? list : list.slice(i);
  }
}
