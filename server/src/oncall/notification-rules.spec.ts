import { ackCode, addressProblem, describePlanned, expandRules, shownAddress, stopReason, urgencyOf, type MethodRef } from './notification-rules';

const now = new Date('2026-12-08T03:00:00Z');
const sms: MethodRef = { id: 7, kind: 'sms', address: '+14155555678', label: 'mobile' };
const voice: MethodRef = { id: 8, kind: 'voice', address: '+14155555678', label: 'mobile' };

describe('expandRules', () => {
  it('keeps the Slack DM at once for a person without rules', () => {
    expect(expandRules([], [sms], now)).toEqual([{ kind: 'slack', method: null, delaySeconds: 0, dueAt: now }]);
  });

  it('turns "Slack at once; SMS after 2 minutes; call after 5 minutes" into three sends due at those times', () => {
    const sends = expandRules(
      [{ contactMethodId: null, delaySeconds: 0 }, { contactMethodId: 7, delaySeconds: 120 }, { contactMethodId: 8, delaySeconds: 300 }],
      [sms, voice],
      now,
    );
    expect(sends.map((s) => [s.kind, s.dueAt.toISOString()])).toEqual([
      ['slack', '2026-12-08T03:00:00.000Z'],
      ['sms', '2026-12-08T03:02:00.000Z'],
      ['voice', '2026-12-08T03:05:00.000Z'],
    ]);
    expect(sends.map(describePlanned)).toEqual(['Slack DM at once', 'SMS (…5678) after 2 min', 'call (…5678) after 5 min']);
  });

  it('leaves out a line whose contact method is gone, and keeps a rule list without Slack as it is', () => {
    expect(expandRules([{ contactMethodId: 99, delaySeconds: 0 }, { contactMethodId: 7, delaySeconds: 60 }], [sms], now).map((s) => s.kind)).toEqual(['sms']);
  });
});

describe('urgencyOf', () => {
  it('pages critical and error pages as high urgency, warning and info as low', () => {
    expect(['critical', 'error', 'warning', 'info'].map(urgencyOf)).toEqual(['high', 'high', 'low', 'low']);
  });
});

describe('addressProblem', () => {
  it('accepts an email, an E.164 phone and an https URL, each for its kind only', () => {
    expect(addressProblem('email', 'alice@example.com')).toBeNull();
    expect(addressProblem('sms', '+14155550123')).toBeNull();
    expect(addressProblem('voice', '+447700900123')).toBeNull();
    expect(addressProblem('push', 'https://ntfy.example.com/alice')).toBeNull();
    expect(addressProblem('email', 'alice')).toMatch(/email address/);
    expect(addressProblem('sms', '0415 555 0123')).toMatch(/E\.164/);
    expect(addressProblem('voice', '+0123456789')).toMatch(/E\.164/);
    expect(addressProblem('push', 'http://ntfy.example.com/alice')).toMatch(/https URL/);
    expect(addressProblem('push', 'not a url')).toMatch(/https URL/);
  });
});

describe('ackCode', () => {
  it('has the digits asked for and never starts with 0', () => {
    expect(ackCode(() => 0)).toBe('1000');
    expect(ackCode(() => 0.999999)).toBe('9999');
    expect(ackCode(() => 0.5, 6)).toBe('550000');
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let i = 0; i < 200; i++) expect(ackCode(random)).toMatch(/^[1-9]\d{3}$/);
  });
});

describe('shownAddress', () => {
  it('shows the last four digits of a phone and the host of a push URL', () => {
    expect(shownAddress('sms', '+14155555678')).toBe('…5678');
    expect(shownAddress('push', 'https://ntfy.example.com/alice?x=1')).toBe('ntfy.example.com');
    expect(shownAddress('email', 'bob@example.com')).toBe('bob@example.com');
  });
});

describe('stopReason', () => {
  it('sends a page only while its incident is triggered', () => {
    expect(stopReason('page', 'triggered')).toBeNull();
    expect(['acknowledged', 'resolved', 'snoozed'].map((s) => stopReason('page', s))).toEqual(['acknowledged', 'resolved', 'snoozed']);
  });

  it('sends a reminder only while its incident stays acknowledged', () => {
    expect(stopReason('reminder', 'acknowledged')).toBeNull();
    expect(stopReason('reminder', 'resolved')).toBe('resolved');
    expect(stopReason('reminder', 'triggered')).toBe('triggered');
  });
});
