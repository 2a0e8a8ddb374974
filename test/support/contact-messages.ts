import type { ContactMessage } from '../../server/src/notify/contact/contact-sender';

/** A page to Rae by e-mail, as the outbox worker would hand it to a sender; `over` changes parts. */
export function emailMessage(over: Partial<ContactMessage> = {}): ContactMessage {
  return {
    key: 'contact:12:step-1:rae@example.com:email',
    retried: false,
    kind: 'email',
    address: 'rae@example.com',
    user: { email: 'rae@example.com', name: 'Rae' },
    incident: {
      id: 12,
      title: 'p99 latency burn',
      service: 'now-playing-ranker',
      severity: 'critical',
      status: 'triggered',
      urgency: 'page',
      summary: 'burn rate 14.4 over 1h and 5m',
      openedAt: new Date('2026-12-08T03:00:00Z'),
    },
    reason: 'escalation step 1',
    ackCode: '4821',
    links: { incidentUrl: 'https://headroom.example.com/#/incidents/12/show', runbookUrl: 'https://runbooks.example.com/ranker', ackUrl: 'https://headroom.example.com/ack/a1.x.y' },
    ...over,
  };
}
