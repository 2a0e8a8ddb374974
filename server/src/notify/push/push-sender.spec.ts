import type { ContactMessage } from '../contact/contact-sender';
import { pushBody } from './push-sender';

const message: ContactMessage = {
  key: 'escalation:7:r0:s0:contact:alice@example.com:3:0', retried: false, kind: 'push', address: 'https://push.example.com/alice',
  user: { email: 'alice@example.com', name: 'Alice' },
  incident: { id: 7, title: 'ranker availability burning', service: 'now-playing-ranker', severity: 'critical', status: 'triggered', urgency: 'page', summary: null, openedAt: new Date('2026-12-08T03:00:00Z') },
  reason: 'escalation step 1, push at once', ackCode: '4821',
  links: { incidentUrl: 'https://headroom.example.com/#/incidents/7/show', runbookUrl: null, ackUrl: null },
};

describe('pushBody', () => {
  it('is urgent for critical and error pages, default for warning and info', () => {
    expect(pushBody(message).priority).toBe('urgent');
    expect(pushBody({ ...message, incident: { ...message.incident, severity: 'error' } }).priority).toBe('urgent');
    expect(pushBody({ ...message, incident: { ...message.incident, severity: 'warning' } }).priority).toBe('default');
  });

  it('carries the title, the incident, its link and the acknowledge code', () => {
    const body = pushBody(message);
    expect(body.title).toBe('[CRITICAL] now-playing-ranker: ranker availability burning');
    expect(body).toMatchObject({ url: message.links.incidentUrl, ackUrl: null, ackCode: '4821', incident: { id: 7, openedAt: '2026-12-08T03:00:00.000Z' } });
  });
});
