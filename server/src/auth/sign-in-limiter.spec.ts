import { SignInLimiter } from './sign-in-limiter';

describe('SignInLimiter', () => {
  const limits = { maxFailures: 3, windowMs: 60_000 };

  it('allows failures up to the limit, then refuses until the oldest leaves the window', () => {
    const l = new SignInLimiter(limits);
    l.fail('a', 0);
    l.fail('a', 10_000);
    expect(l.retryAfterMs('a', 10_000)).toBe(0);
    l.fail('a', 20_000);
    expect(l.retryAfterMs('a', 20_000)).toBe(40_000);
    expect(l.retryAfterMs('a', 59_999)).toBe(1);
    expect(l.retryAfterMs('a', 60_000)).toBe(0);
  });

  it('keeps keys apart and forgets a key on success', () => {
    const l = new SignInLimiter(limits);
    for (let i = 0; i < 3; i++) l.fail('a', i);
    expect(l.retryAfterMs('b', 3)).toBe(0);
    expect(l.retryAfterMs('a', 3)).toBeGreaterThan(0);
    l.clear('a');
    expect(l.retryAfterMs('a', 3)).toBe(0);
  });
});
