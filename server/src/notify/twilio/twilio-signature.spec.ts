import { twilioSignature, validTwilioSignature } from './twilio-signature';

describe('Twilio request signature', () => {
  // Twilio's documented example (Webhooks security: "Validating signatures from Twilio").
  const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
  const params = () => new URLSearchParams({ CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' });
  const documented = '0/KCTR6DLpKmkAf8muzZqo1nDgQ=';

  it('gives the signature of Twilio\'s documented example, whatever order the parameters came in', () => {
    expect(twilioSignature('12345', url, params())).toBe(documented);
    const shuffled = new URLSearchParams([...params()].reverse());
    expect(twilioSignature('12345', url, shuffled)).toBe(documented);
  });

  it('accepts the documented signature, and refuses one for another token, URL, query or parameter', () => {
    expect(validTwilioSignature('12345', documented, url, params())).toBe(true);
    expect(validTwilioSignature('54321', documented, url, params())).toBe(false);
    expect(validTwilioSignature('12345', documented, 'https://mycompany.com/myapp.php?foo=1&bar=3', params())).toBe(false);
    expect(validTwilioSignature('12345', documented, 'http://mycompany.com/myapp.php?foo=1&bar=2', params())).toBe(false);
    const tampered = params();
    tampered.set('Digits', '9999');
    expect(validTwilioSignature('12345', documented, url, tampered)).toBe(false);
    const added = params();
    added.append('Extra', '');
    expect(validTwilioSignature('12345', twilioSignature('12345', url, params()), url, added)).toBe(false);
  });

  it('refuses a missing, empty or truncated signature', () => {
    expect(validTwilioSignature('12345', undefined, url, params())).toBe(false);
    expect(validTwilioSignature('12345', '', url, params())).toBe(false);
    expect(validTwilioSignature('12345', documented.slice(0, -1), url, params())).toBe(false);
  });

  it('accepts the URL with or without the default port, as Twilio\'s libraries do', () => {
    expect(validTwilioSignature('12345', documented, 'https://mycompany.com:443/myapp.php?foo=1&bar=2', params())).toBe(true);
    const signedWithPort = twilioSignature('12345', 'https://mycompany.com:443/myapp.php?foo=1&bar=2', params());
    expect(validTwilioSignature('12345', signedWithPort, url, params())).toBe(true);
    expect(validTwilioSignature('12345', documented, 'https://mycompany.com:8443/myapp.php?foo=1&bar=2', params())).toBe(false);
  });

  it('signs every value of a name sent twice, sorted', () => {
    const twice = new URLSearchParams([['b', '2'], ['a', 'y'], ['a', 'x']]);
    expect(twilioSignature('t', 'https://h/p', twice)).toBe(twilioSignature('t', 'https://h/p', new URLSearchParams([['a', 'x'], ['a', 'y'], ['b', '2']])));
    expect(twilioSignature('t', 'https://h/p', twice)).not.toBe(twilioSignature('t', 'https://h/p', new URLSearchParams([['a', 'y'], ['b', '2']])));
  });
});
