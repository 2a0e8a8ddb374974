import { SimulatorTotals, type SimulatedPiece } from './simulator-totals';
import { DEFAULT_SERVICE_PROFILES, LATENCY_BUCKET_BOUNDS_SECONDS, simulateInterval } from './traffic-model';

const START = new Date('2026-03-02T20:00:00Z');
const ranker = DEFAULT_SERVICE_PROFILES[0];
const minute = (i: number) => new Date(START.getTime() + i * 60_000);
const piece = (from: Date, to: Date, profile = ranker): SimulatedPiece => ({
  service: profile.name, from, to, sample: simulateInterval({ profile, from, to, faults: [], seed: 42 }),
});

describe('SimulatorTotals', () => {
  it('lists every service at zero before any traffic, with the point time at the start', () => {
    const s = new SimulatorTotals(START, DEFAULT_SERVICE_PROFILES.map((p) => p.name)).snapshot();
    expect(s.services.map((t) => t.service)).toEqual(DEFAULT_SERVICE_PROFILES.map((p) => p.name));
    expect(s.until).toEqual(START);
    for (const t of s.services) {
      expect([t.requests, t.errors, t.latencySumSeconds, ...t.latencyBucketCounts]).toEqual(new Array(LATENCY_BUCKET_BOUNDS_SECONDS.length + 4).fill(0));
    }
  });

  it('adds pieces up cumulatively, exactly what the pieces hold', () => {
    const totals = new SimulatorTotals(START, [ranker.name]);
    const pieces = [0, 1, 2].map((i) => piece(minute(i), minute(i + 1)));
    totals.add(pieces.slice(0, 2));
    totals.add(pieces.slice(2));
    const [t] = totals.snapshot().services;
    const whole = simulateInterval({ profile: ranker, from: minute(0), to: minute(3), faults: [], seed: 42 });
    expect(t.requests).toBe(whole.requests);
    expect(t.errors).toBe(whole.errors);
    expect(t.latencyBucketCounts).toEqual(whole.latencyBucketCounts);
    expect(t.latencySumSeconds).toBe(whole.latencySumMicroseconds / 1e6);
    expect(totals.snapshot().until).toEqual(minute(3));
  });

  it('leaves out history from before its start (backfill, catch-up) and unknown services', () => {
    const totals = new SimulatorTotals(START, [ranker.name]);
    totals.add([piece(minute(-60), minute(-59)), piece(minute(-1), minute(0)), piece(minute(0), minute(1), DEFAULT_SERVICE_PROFILES[1])]);
    expect(totals.snapshot().services[0].requests).toBe(0);
    expect(totals.snapshot().until).toEqual(START);
  });

  it('hands out copies: a snapshot does not move with later traffic', () => {
    const totals = new SimulatorTotals(START, [ranker.name]);
    totals.add([piece(minute(0), minute(1))]);
    const before = totals.snapshot();
    const buckets = [...before.services[0].latencyBucketCounts];
    totals.add([piece(minute(1), minute(2))]);
    expect(before.services[0].latencyBucketCounts).toEqual(buckets);
  });
});
