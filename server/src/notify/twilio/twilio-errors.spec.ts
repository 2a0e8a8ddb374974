import { retryAfterMs, twilioError, twilioNetworkError } from './twilio-errors';

describe('twilioError (what a retry can fix)', () => {
  const now = new Date('2026-12-08T03:00:00Z');
  const body = (code: number, message: string) => JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status: 400 });

  it('retries a 429 after the Retry-After Twilio sent, and a 429 without one at the caller\'s pace', () => {
    const err = twilioError('send SMS', 429, body(20429, 'Too Many Requests'), '3', now);
    expect(err).toMatchObject({ retryable: true, retryAfterMs: 3000, message: 'twilio: send SMS failed: HTTP 429: 20429 Too Many Requests' });
    expect(twilioError('send SMS', 429, body(20429, 'Too Many Requests'), null, now).retryAfterMs).toBeUndefined();
  });

  it('retries 5xx, whatever the body', () => {
    expect(twilioError('place call', 503, '<html>Service Unavailable</html>', null, now)).toMatchObject({
      retryable: true,
      message: 'twilio: place call failed: HTTP 503: <html>Service Unavailable</html>',
    });
  });

  it('never retries another 4xx, and names Twilio\'s code and message', () => {
    expect(twilioError('send SMS', 400, body(21211, "The 'To' number +1555 is not a valid phone number."), null, now)).toMatchObject({
      retryable: false,
      message: "twilio: send SMS failed: HTTP 400: 21211 The 'To' number +1555 is not a valid phone number.",
    });
    expect(twilioError('send SMS', 400, body(21610, 'Attempt to send to unsubscribed recipient'), null, now).retryable).toBe(false);
    expect(twilioError('send SMS', 401, body(20003, 'Authenticate'), null, now)).toMatchObject({ retryable: false, message: 'twilio: send SMS failed: HTTP 401: 20003 Authenticate' });
    expect(twilioError('send SMS', 404, '', null, now).message).toBe('twilio: send SMS failed: HTTP 404: no error body');
  });

  it('retries a request that got no answer, naming why', () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:9' } });
    expect(twilioNetworkError('send SMS', refused)).toMatchObject({ retryable: true, message: 'twilio: send SMS failed: network error: connect ECONNREFUSED 127.0.0.1:9' });
    expect(twilioNetworkError('place call', new DOMException('The operation timed out.', 'TimeoutError')).message).toBe('twilio: place call failed: network error: no answer in time');
  });
});

describe('retryAfterMs', () => {
  const now = new Date('2026-12-08T03:00:00Z');
  it('reads seconds and HTTP dates, and ignores what it cannot read', () => {
    expect(retryAfterMs('0', now)).toBe(0);
    expect(retryAfterMs(' 120 ', now)).toBe(120_000);
    expect(retryAfterMs('Tue, 08 Dec 2026 03:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Tue, 08 Dec 2026 02:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});
