import { Incident } from './incident.entity';
import {
  acknowledge, acknowledgeBySource, endSnooze, reassign, recordSignalRefired, recordSignalResolved, reopen, resolve, resolveBySource, snooze, unmute,
} from './incident-lifecycle';
import type { Actor } from './actor';

const alice: Actor = { type: 'user', id: 'u1', name: 'alice' };
const at = new Date('2026-11-25T03:00:00Z');

function triggered(): Incident {
  return Object.assign(new Incident(), { id: 7, status: 'triggered', evidence: {}, signalResolvedAt: null });
}

describe('incident lifecycle', () => {
  it('acknowledges a triggered incident and names the actor', () => {
    const incident = triggered();
    const event = acknowledge(incident, alice, at);
    expect(incident.status).toBe('acknowledged');
    expect(incident.acknowledgedAt).toEqual(at);
    expect(incident.acknowledgedBy).toBe('alice');
    expect(event).toEqual({ kind: 'incident.acknowledged', message: 'Acknowledged by alice' });
  });

  it('refuses to acknowledge twice or after resolution, with a 409', () => {
    const incident = triggered();
    acknowledge(incident, alice, at);
    expect(() => acknowledge(incident, alice, at)).toThrow('already acknowledged');
    resolve(incident, alice, at);
    expect(() => acknowledge(incident, alice, at)).toThrow('is resolved');
    try {
      resolve(incident, alice, at);
      throw new Error('resolve should have thrown');
    } catch (err) {
      expect((err as { getStatus(): number }).getStatus()).toBe(409);
    }
  });

  it('records the signal resolving once, and refiring clears it', () => {
    const incident = triggered();
    expect(recordSignalResolved(incident, at, { a: 1 })?.kind).toBe('incident.signal-resolved');
    expect(recordSignalResolved(incident, at, { a: 1 })).toBeNull();
    expect(recordSignalRefired(incident, { b: 2 })?.kind).toBe('incident.signal-refired');
    expect(incident.signalResolvedAt).toBeNull();
    expect(incident.evidence).toEqual({ b: 2 });
    expect(recordSignalRefired(incident, { c: 3 })).toBeNull();
  });
});

describe('incident lifecycle: snooze, reassign, re-open, source actions', () => {
  const hook: Actor = { type: 'integration', id: 'k1', name: 'prod-alertmanager' };
  const later = (ms: number) => new Date(at.getTime() + ms);

  it('snoozes a triggered or acknowledged incident and returns to triggered when the snooze ends', () => {
    const incident = triggered();
    const event = snooze(incident, alice, at, later(3_600_000));
    expect(incident).toMatchObject({ status: 'snoozed', snoozedUntil: later(3_600_000) });
    expect(event.kind).toBe('incident.snoozed');
    expect(endSnooze(incident, later(3_599_999))).toBeNull();
    expect(endSnooze(incident, later(3_600_000))?.kind).toBe('incident.unsnoozed');
    expect(incident).toMatchObject({ status: 'triggered', snoozedUntil: null });
  });

  it('refuses to snooze a resolved incident or into the past, with a 409', () => {
    const incident = triggered();
    expect(() => snooze(incident, alice, at, at)).toThrow(/must end in the future/);
    resolve(incident, alice, at);
    expect(() => snooze(incident, alice, at, later(1000))).toThrow(/is resolved; re-open it first/);
  });

  it('acknowledging a snoozed incident cancels the snooze', () => {
    const incident = triggered();
    snooze(incident, alice, at, later(60_000));
    expect(acknowledge(incident, alice, at).message).toContain('snooze cancelled');
    expect(incident).toMatchObject({ status: 'acknowledged', snoozedUntil: null });
  });

  it('reassigns, refusing a no-op and a resolved incident', () => {
    const incident = triggered();
    expect(reassign(incident, alice, 'bob').message).toBe('Assigned to bob by alice');
    expect(() => reassign(incident, alice, 'bob')).toThrow(/already assigned to bob/);
    expect(reassign(incident, alice, null).message).toBe('Unassigned by alice');
    resolve(incident, alice, at);
    expect(() => reassign(incident, alice, 'carol')).toThrow(/re-open it first/);
  });

  it('re-opens only a resolved incident, clearing the response times', () => {
    const incident = triggered();
    expect(() => reopen(incident, alice)).toThrow(/not resolved \(it is triggered\)/);
    acknowledge(incident, alice, at);
    resolve(incident, alice, later(1000));
    expect(reopen(incident, alice).kind).toBe('incident.reopened');
    expect(incident).toMatchObject({ status: 'triggered', acknowledgedAt: null, resolvedAt: null, resolvedBy: null });
  });

  it('source acknowledge and resolve never throw and say what they did', () => {
    const incident = triggered();
    expect(acknowledgeBySource(incident, hook, at)?.data).toEqual({ bySource: true });
    expect(acknowledgeBySource(incident, hook, at)).toBeNull();
    const resolved = resolveBySource(incident, hook, later(5000));
    expect(resolved?.message).toMatch(/^Resolved automatically: every alert resolved at the source/);
    expect(incident).toMatchObject({ status: 'resolved', resolvedBy: 'prod-alertmanager' });
    expect(resolveBySource(incident, hook, later(6000))).toBeNull();
  });

  it('un-mutes without notifying, and says whether it pages', () => {
    const incident = Object.assign(triggered(), { muted: true });
    expect(unmute(incident)).toMatchObject({ kind: 'incident.unmuted', notify: false, message: expect.stringContaining('paging now') });
    expect(unmute(incident)).toBeNull();
  });
});
