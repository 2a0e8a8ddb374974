import { DeliveryError, retryDelayMs } from './delivery-error';

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
