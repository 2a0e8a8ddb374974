import type { ContactMessage } from '../../server/src/notify/contact/contact-sender';

/** A page to Alice about incident #12, as the outbox worker hands it to a contact sender; `over` changes parts. */
export function contactMessage(over: Partial<Omit<ContactMessage, 'incident'>> & { incident?: Partial<ContactMessage['incident']> } = {}): ContactMessage {
  const { incident, ...rest } = over;
  return {
    key: 'contact:12:alice:sms:1',
    retried: false,
    kind: 'sms',
    address: '+15005550006',
    user: { email: 'alice@example.com', name: 'Alice' },
    reason: 'escalation step 1',
    ackCode: '4821',
    links: { incidentUrl: 'https://headroom.example.com/#/incidents/12/show', runbookUrl: null, ackUrl: null },
    ...rest,
    incident: {
      id: 12,
      title: 'now-playing-ranker availability burning 14x budget',
      service: 'now-playing-ranker',
      severity: 'critical',
      status: 'triggered',
      urgency: 'page',
      summary: null,
      openedAt: new Date('2026-12-08T03:00:00Z'),
      ...incident,
    },
  };
}
