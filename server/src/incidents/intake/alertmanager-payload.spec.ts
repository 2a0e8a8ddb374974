import * as fs from 'node:fs';
import * as path from 'node:path';
import { fingerprintOf, severityOf, toIncomingAlert, webhookSchema } from './alertmanager-payload';

const fixture = (name: string): unknown => JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../../test/fixtures/alertmanager', name), 'utf8'));
const hook = { id: 'k1', name: 'prod-alertmanager' };

describe('Alertmanager webhook v4 payloads', () => {
  it('reads a real firing notification: labels, annotations, runbook_url, summary, description', () => {
    const raw = fixture('grouped-firing.json') as { alerts: unknown[] };
    const payload = webhookSchema.parse(raw);
    const alert = toIncomingAlert(payload, payload.alerts[0], raw.alerts[0], hook);
    expect(alert).toMatchObject({
      source: 'alertmanager',
      key: 'k1/8e8c3f6a269c59c7', // per integration key: another key's alerts never share it
      action: 'trigger',
      title: 'now-playing-ranker is failing 7% of requests',
      severity: 'critical',
      service: 'now-playing-ranker',
      endsAt: null,
      runbookUrl: 'https://runbooks.example.com/now-playing-ranker/errors',
      description: '5xx ratio over 5m is 0.07 on ranker-0 (threshold 0.02).',
      integration: hook,
    });
    expect(alert.payload).toMatchObject({ fingerprint: '8e8c3f6a269c59c7', groupKey: payload.groupKey, receiver: 'headroom' });
  });

  it('keeps the raw alert as evidence as sent, in its key order, with the group context added (a "__proto__" key as data)', () => {
    const raw = JSON.parse('{"alerts":[{"__proto__":{"x":1},"status":"firing","groupKey":"own","labels":{"a":"b"},"startsAt":"2024-01-01T00:00:00Z"}],"groupKey":"g","receiver":"r"}');
    const payload = webhookSchema.parse(raw);
    const evidence = toIncomingAlert(payload, payload.alerts[0], raw.alerts[0], hook).payload;
    expect(JSON.stringify(evidence)).toBe(JSON.stringify({ ...raw.alerts[0], groupKey: 'g', receiver: 'r', externalURL: null }));
    expect(Object.getPrototypeOf(evidence)).toBe(Object.prototype);
  });

  it('handles firing and resolved alerts in one payload', () => {
    const payload = webhookSchema.parse(fixture('mixed.json'));
    const actions = payload.alerts.map((a) => toIncomingAlert(payload, a, a, hook)).map((a) => [a.action, a.endsAt !== null]);
    expect(actions).toEqual([['trigger', false], ['resolve', true]]);
  });

  it('tolerates fields a newer Alertmanager adds, and keeps them as evidence', () => {
    const raw = fixture('firing-newer-fields.json') as { alerts: unknown[] };
    const payload = webhookSchema.parse(raw);
    const alert = toIncomingAlert(payload, payload.alerts[0], raw.alerts[0], hook);
    expect(alert.payload).toMatchObject({ someFutureField: { x: 1 } });
    expect(alert.severity).toBe('warning');
  });

  it('names each invalid field', () => {
    const result = webhookSchema.safeParse({ alerts: [{ status: 'burning', labels: {}, startsAt: 'yesterday' }] });
    expect(result.success).toBe(false);
    const fields = result.error!.issues.map((i) => i.path.join('.')).sort();
    expect(fields).toEqual(['alerts.0.labels', 'alerts.0.startsAt', 'alerts.0.status']);
    expect(webhookSchema.safeParse({}).error!.issues[0]).toMatchObject({ path: ['alerts'], message: 'required: the list of alerts' });
  });

  it('maps severity spellings and computes a fingerprint when none is sent', () => {
    expect([severityOf('CRITICAL'), severityOf('page'), severityOf('major'), severityOf('minor'), severityOf('none'), severityOf('weird'), severityOf(undefined)])
      .toEqual(['critical', 'critical', 'error', 'warning', 'info', null, null]);
    expect(fingerprintOf({ labels: { b: '2', a: '1' } })).toBe(fingerprintOf({ labels: { a: '1', b: '2' } }));
  });

  it('caps what one alert may carry: 64 labels or annotations, values of 8,192 characters (a 400 naming the field)', () => {
    const labels = Object.fromEntries(Array.from({ length: 65 }, (_, k) => [`l${k}`, 'x']));
    const issues = (alert: Record<string, unknown>) => webhookSchema.safeParse({ alerts: [{ status: 'firing', startsAt: '2026-12-07T00:00:00Z', labels: { alertname: 'a' }, ...alert }] }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({ labels })).toEqual(['alerts.0.labels: must hold at most 64 entries']);
    expect(issues({ annotations: { description: 'x'.repeat(8193) } })).toEqual(['alerts.0.annotations.description: label values must be at most 8192 characters']);
    expect(issues({ labels: { alertname: 'a', service: 'x'.repeat(8192) } })).toBeUndefined();
  });
});
