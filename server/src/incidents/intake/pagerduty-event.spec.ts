import * as fs from 'node:fs';
import * as path from 'node:path';
import { eventErrors, eventSchema, toIncomingAlert } from './pagerduty-event';

const fixture = (name: string): Record<string, unknown> => JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../../test/fixtures/pagerduty', name), 'utf8'));
const hook = { id: 'k9', name: 'grafana' };
const now = new Date('2026-11-25T03:00:00Z');
const errors = (event: unknown) => {
  const r = eventSchema.safeParse(event);
  return r.success ? [] : eventErrors(r.error.issues);
};

describe('PagerDuty Events v2', () => {
  it('turns a trigger into an alert keyed by integration and dedup_key, without the routing key', () => {
    const event = eventSchema.parse(fixture('trigger.json'));
    const alert = toIncomingAlert(event, event.dedup_key!, hook, now);
    expect(alert).toMatchObject({
      source: 'pagerduty',
      key: 'k9/feature-store/latency/p99',
      action: 'trigger',
      title: 'feature-store p99 latency 480 ms on fs-2',
      severity: 'error',
      service: 'feature-store',
      labels: { alertname: 'latency', service: 'feature-store', source: 'fs-2.prod', component: 'feature-store', group: 'personalization', class: 'latency', dedup_key: 'feature-store/latency/p99' },
      runbookUrl: 'https://runbooks.example.com/feature-store/latency',
    });
    expect(JSON.stringify(alert.payload)).not.toContain('routing_key');
  });

  it('accepts acknowledge and resolve with just a dedup_key', () => {
    for (const name of ['acknowledge.json', 'resolve.json']) expect(errors(fixture(name))).toEqual([]);
  });

  it('reports invalid events the way PagerDuty does, field by field', () => {
    expect(errors({ routing_key: 'k', event_action: 'trigger' })).toEqual(['payload: is required for a trigger event']);
    expect(errors({ routing_key: 'k', event_action: 'resolve' })).toEqual(['dedup_key: is required for an resolve event']);
    expect(errors({ event_action: 'explode' }).sort()).toEqual(['event_action: must be trigger, acknowledge or resolve', 'routing_key: is missing or not a string']);
    const long = { ...fixture('trigger.json'), payload: { summary: 'x'.repeat(1025), source: 's', severity: 'urgent', timestamp: 'noon' } };
    expect(errors(long).sort()).toEqual([
      'payload.severity: must be one of critical, error, warning, info',
      'payload.summary: must be at most 1024 characters',
      'payload.timestamp: must be an ISO 8601 timestamp',
    ]);
    expect(errors({ ...fixture('trigger.json'), dedup_key: 'k'.repeat(256) })).toEqual(['dedup_key: must be at most 255 characters']);
    expect(errors([1, 2])).toEqual(['(event): the event must be a JSON object']);
  });

  it("accepts PagerDuty's own timestamp style (+0000)", () => {
    const event = eventSchema.parse({ ...fixture('trigger.json'), payload: { ...(fixture('trigger.json').payload as object), timestamp: '2015-07-17T08:42:58.315+0000' } });
    expect(toIncomingAlert(event, 'd', hook, now).startsAt.toISOString()).toBe('2015-07-17T08:42:58.315Z');
  });
});
