import { emailMessage } from '../../../../test/support/contact-messages';
import { composeIncidentEmail, domainOf, messageIdFor } from './incident-email';

describe('incident e-mail', () => {
  it('says severity, service, title and incident in the subject, and carries every link in both bodies', () => {
    const e = composeIncidentEmail(emailMessage(), 'Headroom <pager@example.com>');
    expect(e.subject).toBe('[CRITICAL] now-playing-ranker: p99 latency burn (incident #12)');
    for (const body of [e.text, e.html]) {
      expect(body).toContain('https://headroom.example.com/ack/a1.x.y');
      expect(body).toContain('https://headroom.example.com/#/incidents/12/show');
      expect(body).toContain('https://runbooks.example.com/ranker');
      expect(body).toContain('burn rate 14.4 over 1h and 5m');
      expect(body).toContain('escalation step 1');
    }
    expect(e.headers).toEqual({ 'X-Headroom-Incident': '12', 'Auto-Submitted': 'auto-generated' });
  });

  it('escapes everything people or alerts wrote in the HTML body, and keeps newlines out of the subject', () => {
    const hostile = '<script>alert(1)</script> & "quoted" \'single\'';
    const e = composeIncidentEmail(emailMessage({
      incident: { ...emailMessage().incident, title: `${hostile}\r\nBcc: victim@example.com`, service: '<b>svc</b>', summary: hostile },
      reason: '<img src=x onerror=alert(1)>',
      user: { email: 'rae@example.com', name: '<i>Rae</i>' },
    }), 'pager@example.com');
    expect(e.html).not.toMatch(/<script|<img|<b>svc|<i>Rae/);
    expect(e.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot; &#39;single&#39;');
    expect(e.subject).not.toMatch(/[\r\n]/);
    expect(e.subject).toContain('Bcc: victim@example.com');
  });

  it('makes only http(s) links clickable', () => {
    const e = composeIncidentEmail(emailMessage({ links: { incidentUrl: 'https://h.example.com/#/incidents/12/show', runbookUrl: 'javascript:alert(1)', ackUrl: null } }), 'pager@example.com');
    expect(e.html).not.toContain('href="javascript:');
    expect(e.html).toContain('Runbook: javascript:alert(1)');
    expect(e.html).not.toContain('>Acknowledge<');
    expect(e.text).not.toContain('Acknowledge:');
  });

  it('derives the Message-ID from the outbox key: the same key gives the same message, another key another', () => {
    const a = composeIncidentEmail(emailMessage(), 'Headroom <pager@Example.COM>');
    const again = composeIncidentEmail(emailMessage({ retried: true }), 'Headroom <pager@Example.COM>');
    expect(a.messageId).toMatch(/^<headroom\.[0-9a-f]{40}@example\.com>$/);
    expect(again.messageId).toBe(a.messageId);
    expect(messageIdFor('another key', 'pager@example.com')).not.toBe(a.messageId);
    expect(domainOf('pager@mail.example.org')).toBe('mail.example.org');
  });
});
