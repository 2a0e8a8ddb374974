import { clientAddress } from './auth.controller';
import { MAX_SIGN_IN_DELAY_MS, signInDelayMs } from './sign-in-limiter';

describe('signInDelayMs', () => {
  it('waits nothing for the free failures, then 1 s doubling, capped at 15 minutes', () => {
    expect([0, 4].map((n) => signInDelayMs(n, 5))).toEqual([0, 0]);
    expect([5, 6, 7, 10].map((n) => signInDelayMs(n, 5))).toEqual([1000, 2000, 4000, 32_000]);
    expect(signInDelayMs(20, 5)).toBe(MAX_SIGN_IN_DELAY_MS);
    expect(signInDelayMs(10_000, 5)).toBe(MAX_SIGN_IN_DELAY_MS);
  });
});

describe('clientAddress', () => {
  const req = (headers: Record<string, string | string[]>) => ({ headers, socket: { remoteAddress: '10.0.0.2' } }) as unknown as Parameters<typeof clientAddress>[0];

  it('takes the connection address unless a trusted proxy header is configured', () => {
    expect(clientAddress(req({ 'x-forwarded-for': '203.0.113.9' }), undefined)).toBe('10.0.0.2');
    expect(clientAddress(req({ 'x-forwarded-for': '198.51.100.1, 203.0.113.9' }), 'X-Forwarded-For')).toBe('203.0.113.9');
    expect(clientAddress(req({ 'x-real-ip': '203.0.113.7' }), 'x-real-ip')).toBe('203.0.113.7');
    expect(clientAddress(req({}), 'x-real-ip')).toBe('10.0.0.2');
  });
});
