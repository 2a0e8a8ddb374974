import { classifySmtpError } from './smtp-errors';

describe('classifySmtpError', () => {
  it.each([421, 450, 451, 452, 503])('retries a %i reply', (code) => {
    const e = classifySmtpError({ code: 'EENVELOPE', responseCode: code, response: `${code} 4.3.0 try again later`, message: 'x' });
    expect(e).toMatchObject({ name: 'DeliveryError', retryable: true });
    expect(e.message).toContain(`smtp ${code}`);
  });

  it.each([550, 551, 552, 553, 554])('does not retry a %i reply', (code) => {
    expect(classifySmtpError({ code: 'EENVELOPE', responseCode: code, response: `${code} 5.1.1 no such user` })).toMatchObject({ retryable: false });
  });

  it('says bad credentials are bad credentials, and does not retry them', () => {
    const e = classifySmtpError({ code: 'EAUTH', responseCode: 535, response: '535 5.7.8 Error: authentication failed', message: 'Invalid login' });
    expect(e.retryable).toBe(false);
    expect(e.message).toBe('smtp 535: the SMTP server refused the credentials in SMTP_URL (535 5.7.8 Error: authentication failed)');
  });

  it.each(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', undefined])('retries %s, a failure of the network without a reply', (code) => {
    expect(classifySmtpError({ code, message: 'connect ECONNREFUSED 127.0.0.1:1' })).toMatchObject({ retryable: true });
  });

  it.each(['EAUTH', 'ENOAUTH', 'ECONFIG', 'EENVELOPE', 'EMESSAGE', 'ETLS'])('does not retry %s without a reply: the set-up must change', (code) => {
    expect(classifySmtpError({ code, message: 'x' })).toMatchObject({ retryable: false });
  });
});
