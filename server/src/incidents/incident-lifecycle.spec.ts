import { Incident } from './incident.entity';
import { acknowledge, recordSignalRefired, recordSignalResolved, resolve } from './incident-lifecycle';
import type { Actor } from './timeline-entry.entity';

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
