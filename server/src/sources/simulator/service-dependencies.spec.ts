import { propagatedFaults, SERVICE_DEPENDENCIES } from './service-dependencies';
import { DEFAULT_SERVICE_PROFILES, simulateInterval, type Fault } from './traffic-model';

const T0 = new Date('2026-12-01T12:00:00Z');
const T1 = new Date('2026-12-01T12:30:00Z');
const fault = (service: string, kind: Fault['kind'], value: number): Fault => ({ service, kind, value, startsAt: T0, endsAt: T1 });

describe('simulated service dependencies', () => {
  it('passes a feature-store outage on to the ranker, failing and slower in proportion', () => {
    const derived = propagatedFaults([fault('feature-store', 'error-rate', 0.5)]);
    const share = SERVICE_DEPENDENCIES.find((d) => d.dependsOn === 'feature-store')!;
    expect(derived).toEqual([
      { service: 'now-playing-ranker', kind: 'error-rate', value: 0.5 * share.errorShare, startsAt: T0, endsAt: T1 },
      { service: 'now-playing-ranker', kind: 'latency', value: 1 + share.latencyShare * 0.5, startsAt: T0, endsAt: T1 },
    ]);
  });

  it('passes a slowdown on as a smaller slowdown, and a traffic drop or a ranker fault not at all', () => {
    const derived = propagatedFaults([fault('model-serving', 'latency', 5), fault('feature-store', 'traffic-drop', 1), fault('now-playing-ranker', 'error-rate', 1)]);
    expect(derived).toEqual([{ service: 'now-playing-ranker', kind: 'latency', value: 1 + 0.4 * 4, startsAt: T0, endsAt: T1 }]);
  });

  it('makes the ranker fail less than the feature store it depends on: its burn stays below its cause\'s', () => {
    const faults = [fault('feature-store', 'error-rate', 0.5)];
    const all = [...faults, ...propagatedFaults(faults)];
    const rate = (name: string) => {
      const profile = DEFAULT_SERVICE_PROFILES.find((p) => p.name === name)!;
      const s = simulateInterval({ profile, from: T0, to: T1, faults: all, seed: 1 });
      return s.errors / s.requests;
    };
    expect(rate('feature-store')).toBeCloseTo(0.5, 1);
    expect(rate('now-playing-ranker')).toBeCloseTo(0.4, 1);
    expect(rate('now-playing-ranker')).toBeLessThan(rate('feature-store'));
  });
});
