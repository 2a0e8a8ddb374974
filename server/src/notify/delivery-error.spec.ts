import { DeliveryError, httpDeliveryError, retryAfterMs, retryDelayMs } from './delivery-error';

describe('retryDelayMs', () => {
  const err = new DeliveryError('boom', true);

  it('grows exponentially with jitter between half and the full ceiling', () => {
    expect(retryDelayMs(1, err, () => 0)).toBe(250);
    expect(retryDelayMs(1, err, () => 1)).toBe(500);
    expect(retryDelayMs(4, err, () => 1)).toBe(4000);
    expect(retryDelayMs(4, err, () => 0)).toBe(2000);
  });

  it('is capped at a minute', () => {
    expect(retryDelayMs(7, err, () => 1)).toBe(32_000);
    expect(retryDelayMs(8, err, () => 1)).toBe(60_000);
    expect(retryDelayMs(40, err, () => 1)).toBe(60_000);
  });

  it('honours Retry-After exactly', () => {
    expect(retryDelayMs(3, new DeliveryError('ratelimited', true, 7000), () => 1)).toBe(7000);
  });
});

describe('retryAfterMs and httpDeliveryError', () => {
  const now = Date.parse('2026-12-08T03:00:00Z');

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs('7', now)).toBe(7000);
    expect(retryAfterMs('Tue, 08 Dec 2026 03:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });

  it('retries 429 and 5xx (after Retry-After), never another 4xx', () => {
    const limited = httpDeliveryError('push', 429, '3', '', now);
    expect([limited.retryable, limited.retryAfterMs]).toEqual([true, 3000]);
    expect(httpDeliveryError('push', 503, null, '', now).retryable).toBe(true);
    const refused = httpDeliveryError('push', 404, '3', 'not found', now);
    expect([refused.retryable, refused.retryAfterMs, refused.message]).toEqual([false, undefined, 'push: HTTP 404 not found (not retried: the receiver refused the request)']);
  });
});
