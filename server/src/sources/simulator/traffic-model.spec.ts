import {
  type Fault,
  type IntervalSample,
  type ServiceProfile,
  DAILY_MIN_FACTOR,
  DEFAULT_SERVICE_PROFILES,
  LATENCY_BUCKET_BOUNDS_SECONDS,
  SERVICE_NAMES,
  SIMULATION_SLOT_SECONDS,
  dailyTrafficFactor,
  expectedRequests,
  latencyBucketMeans,
  latencyBucketProbabilities,
  simulateInterval,
} from './traffic-model';

const SEED = 42;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
// 2026-03-02 is a Monday; times are UTC.
const at = (iso: string): Date => new Date(`2026-03-02T${iso}Z`);

function profile(name: string): ServiceProfile {
  const found = DEFAULT_SERVICE_PROFILES.find((p) => p.name === name);
  if (found === undefined) {
    throw new Error(`no profile ${name}`);
  }
  return found;
}

const ranker = profile('now-playing-ranker');
// Index of the first bucket above 250 ms (the default latency SLO threshold).
const ABOVE_250MS = LATENCY_BUCKET_BOUNDS_SECONDS.indexOf(0.25) + 1;

function above250ms(sample: IntervalSample): number {
  return sample.latencyBucketCounts.slice(ABOVE_250MS).reduce((a, b) => a + b, 0);
}

function add(a: IntervalSample, b: IntervalSample): IntervalSample {
  return {
    requests: a.requests + b.requests,
    errors: a.errors + b.errors,
    latencyBucketCounts: a.latencyBucketCounts.map((c, i) => c + b.latencyBucketCounts[i]),
    latencySumMicroseconds: a.latencySumMicroseconds + b.latencySumMicroseconds,
  };
}

function fault(kind: Fault['kind'], value: number, from: string, to: string, service = ranker.name): Fault {
  return { service, kind, value, startsAt: at(from), endsAt: at(to) };
}

function simulateDay(p: ServiceProfile): IntervalSample {
  return simulateInterval({ profile: p, from: at('00:00:00'), to: at('23:59:59'), faults: [], seed: SEED });
}

function simulateSplit(
  p: ServiceProfile,
  from: Date,
  to: Date,
  stepMs: number,
  faults: Fault[] = [],
): IntervalSample {
  let total: IntervalSample = {
    requests: 0,
    errors: 0,
    latencyBucketCounts: new Array<number>(LATENCY_BUCKET_BOUNDS_SECONDS.length + 1).fill(0),
    latencySumMicroseconds: 0,
  };
  for (let t = from.getTime(); t < to.getTime(); t += stepMs) {
    const end = new Date(Math.min(t + stepMs, to.getTime()));
    const piece = simulateInterval({ profile: p, from: new Date(t), to: end, faults, seed: SEED });
    total = add(total, piece);
  }
  return total;
}

function expectConsistent(sample: IntervalSample): void {
  expect(sample.latencyBucketCounts).toHaveLength(LATENCY_BUCKET_BOUNDS_SECONDS.length + 1);
  for (const value of [sample.requests, sample.errors, ...sample.latencyBucketCounts]) {
    expect(Number.isInteger(value)).toBe(true);
    expect(value).toBeGreaterThanOrEqual(0);
  }
  expect(sample.latencyBucketCounts.reduce((a, b) => a + b, 0)).toBe(sample.requests);
  expect(sample.errors).toBeLessThanOrEqual(sample.requests);
}

describe('default profiles', () => {
  it('cover the four personalization services', () => {
    expect(DEFAULT_SERVICE_PROFILES.map((p) => p.name)).toEqual([...SERVICE_NAMES]);
  });

  it.each(DEFAULT_SERVICE_PROFILES.map((p) => [p.name, p] as const))(
    '%s is healthy against a 99.9%% availability SLO and a 250 ms latency SLO',
    (_name, p) => {
      const day = simulateDay(p);
      expectConsistent(day);
      expect(day.errors / day.requests).toBeLessThan(0.001 * 0.6);
      expect(above250ms(day) / day.requests).toBeLessThan(0.001 * 0.5);
    },
  );

  it('have bucket probabilities that sum to 1', () => {
    for (const p of DEFAULT_SERVICE_PROFILES) {
      const probabilities = latencyBucketProbabilities(p);
      expect(probabilities).toHaveLength(LATENCY_BUCKET_BOUNDS_SECONDS.length + 1);
      expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    }
    // Half the requests are under the median: the ranker's 60 ms lies in (50, 100] ms.
    const ranks = latencyBucketProbabilities(ranker);
    expect(ranks.slice(0, 4).reduce((a, b) => a + b, 0)).toBeLessThan(0.5);
    expect(ranks.slice(0, 5).reduce((a, b) => a + b, 0)).toBeGreaterThan(0.5);
  });
});

describe('simulateInterval', () => {
  const hour = {
    profile: ranker,
    from: at('20:00:00'),
    to: at('21:00:00'),
    faults: [],
    seed: SEED,
  };

  it('is deterministic: same input, same output, regardless of what was asked before', () => {
    const first = simulateInterval(hour);
    simulateInterval({ ...hour, from: at('03:00:00'), to: at('03:07:13') });
    simulateInterval({ ...hour, profile: profile('feature-store') });
    expect(simulateInterval(hour)).toEqual(first);
    expect(simulateInterval({ ...hour, seed: SEED + 1 })).not.toEqual(first);
    const renamed = { ...ranker, name: 'other-ranker' };
    expect(simulateInterval({ ...hour, profile: renamed })).not.toEqual(first);
  });

  it('adds up exactly when calls are split on slot boundaries', () => {
    const whole = simulateInterval(hour);
    expect(simulateSplit(ranker, hour.from, hour.to, MINUTE)).toEqual(whole);
    const slotMs = SIMULATION_SLOT_SECONDS * 1000;
    expect(simulateSplit(ranker, hour.from, hour.to, slotMs)).toEqual(whole);
    expect(simulateSplit(ranker, hour.from, hour.to, 7 * MINUTE)).toEqual(whole);
  });

  it('keeps counts consistent for partial slots and odd intervals', () => {
    for (const p of DEFAULT_SERVICE_PROFILES) {
      for (const [from, to] of [
        ['20:00:00.000', '20:00:03.700'],
        ['04:00:05.250', '04:17:41.125'],
        ['12:00:00.000', '12:00:00.000'],
      ]) {
        const sample = simulateInterval({ ...hour, profile: p, from: at(from), to: at(to) });
        expectConsistent(sample);
      }
    }
    expect(simulateInterval({ ...hour, to: hour.from })).toEqual({
      requests: 0,
      errors: 0,
      latencyBucketCounts: new Array<number>(LATENCY_BUCKET_BOUNDS_SECONDS.length + 1).fill(0),
      latencySumMicroseconds: 0,
    });
  });

  it('draws request counts around rps * seconds', () => {
    const sample = simulateInterval(hour);
    const expected = expectedRequests(ranker, hour.from, hour.to);
    // Around the 20:00 peak the rate is close to baseRps.
    expect(expected).toBeGreaterThan(0.98 * ranker.baseRps * 3600);
    expect(Math.abs(sample.requests - expected)).toBeLessThan(5 * Math.sqrt(expected));
  });

  it('fails every request under an error-rate fault of 1.0', () => {
    const outage = fault('error-rate', 1, '19:00:00', '22:00:00');
    const sample = simulateInterval({ ...hour, faults: [outage] });
    expectConsistent(sample);
    expect(sample.requests).toBeGreaterThan(0);
    expect(sample.errors).toBe(sample.requests);
  });

  it('applies a fault only to the part of the interval it overlaps', () => {
    const halfOutage = fault('error-rate', 1, '20:30:00', '22:00:00');
    const sample = simulateInterval({ ...hour, faults: [halfOutage] });
    const secondHalf = expectedRequests(ranker, at('20:30:00'), at('21:00:00'));
    expect(Math.abs(sample.errors - secondHalf)).toBeLessThan(6 * Math.sqrt(secondHalf));
    expect(sample.errors).toBeLessThan(sample.requests);
    // Fault edges inside a slot (20:30:05 is mid-slot) are honoured too, and splits still add up.
    const midSlot = fault('error-rate', 1, '20:30:05', '20:30:07');
    const piece = simulateInterval({
      ...hour,
      from: at('20:30:00'),
      to: at('20:30:10'),
      faults: [midSlot],
    });
    expect(piece.errors).toBeGreaterThan(0);
    expect(piece.errors).toBeLessThan(piece.requests);
    expect(simulateSplit(ranker, hour.from, hour.to, MINUTE, [midSlot])).toEqual(
      simulateInterval({ ...hour, faults: [midSlot] }),
    );
  });

  it('treats a fault cleared before it started as never active', () => {
    const cancelled = fault('error-rate', 1, '20:30:00', '20:10:00');
    expect(simulateInterval({ ...hour, faults: [cancelled] })).toEqual(simulateInterval(hour));
  });

  it('ignores faults on other services', () => {
    const elsewhere = fault('error-rate', 1, '19:00:00', '22:00:00', 'feature-store');
    expect(simulateInterval({ ...hour, faults: [elsewhere] })).toEqual(simulateInterval(hour));
  });

  it('moves latency above 250 ms under a 5x latency fault', () => {
    const healthy = simulateInterval(hour);
    const slow = simulateInterval({
      ...hour,
      faults: [fault('latency', 5, '19:00:00', '22:00:00')],
    });
    expectConsistent(slow);
    expect(above250ms(healthy) / healthy.requests).toBeLessThan(0.001);
    // The median becomes 300 ms, so more than half the requests are slower than 250 ms.
    expect(above250ms(slow) / slow.requests).toBeGreaterThan(0.6);
    expect(slow.errors / slow.requests).toBeLessThan(0.002);
  });

  it('matches the log-normal bucket probabilities', () => {
    const p = profile('feature-store');
    const day = simulateDay(p);
    latencyBucketProbabilities(p).forEach((probability, i) => {
      const expected = probability * day.requests;
      const deviation = Math.abs(day.latencyBucketCounts[i] - expected);
      expect(deviation).toBeLessThan(6 * Math.sqrt(expected) + 3);
    });
  });

  it('rejects malformed input with a message that says what to fix', () => {
    expect(() => simulateInterval({ ...hour, from: hour.to, to: hour.from })).toThrow(
      /is before from/,
    );
    expect(() =>
      simulateInterval({
        ...hour,
        faults: [fault('error-rate', 5, '20:00:00', '21:00:00')],
      }),
    ).toThrow(/value is a fraction of requests, 0..1/);
    expect(() =>
      simulateInterval({
        ...hour,
        faults: [fault('latency', 0, '20:00:00', '21:00:00')],
      }),
    ).toThrow(/latency multiplier/);
    expect(() =>
      simulateInterval({
        ...hour,
        faults: [{ ...fault('latency', 2, '20:00:00', '21:00:00'), startsAt: new Date(Number.NaN) }],
      }),
    ).toThrow(/valid dates/);
    const flat = { ...ranker, latencySigma: 0 };
    expect(() => simulateInterval({ ...hour, profile: flat })).toThrow(/latencySigma/);
  });
});

describe('latency sum', () => {
  const hour = { profile: ranker, from: at('20:00:00'), to: at('21:00:00'), faults: [], seed: SEED };
  const bounds = [0, ...LATENCY_BUCKET_BOUNDS_SECONDS, Number.POSITIVE_INFINITY];

  it.each([1, 5, 100])('puts each bucket mean inside its bucket (latency x%s)', (multiplier) => {
    for (const p of DEFAULT_SERVICE_PROFILES) {
      latencyBucketMeans(p, multiplier).forEach((mean, i) => {
        expect(mean).toBeGreaterThanOrEqual(bounds[i]);
        expect(mean).toBeLessThanOrEqual(bounds[i + 1]);
      });
    }
  });

  it('weighs the bucket means into the log-normal mean, median * exp(sigma^2 / 2)', () => {
    for (const p of DEFAULT_SERVICE_PROFILES) {
      const probabilities = latencyBucketProbabilities(p);
      const mean = latencyBucketMeans(p).reduce((sum, m, i) => sum + m * probabilities[i], 0);
      expect(mean / (p.latencyMedianSeconds * Math.exp((p.latencySigma * p.latencySigma) / 2))).toBeCloseTo(1, 4);
    }
  });

  it('averages to the model mean over an hour, and grows with a latency fault', () => {
    const sample = simulateInterval(hour);
    const expectedMean = ranker.latencyMedianSeconds * Math.exp((ranker.latencySigma * ranker.latencySigma) / 2);
    expect(sample.latencySumMicroseconds / 1e6 / sample.requests / expectedMean).toBeCloseTo(1, 2);
    const slow = simulateInterval({ ...hour, faults: [fault('latency', 5, '20:00:00', '21:00:00')] });
    expect(slow.latencySumMicroseconds / 1e6 / slow.requests / expectedMean).toBeCloseTo(5, 1);
  });

  it('is whole microseconds and adds up exactly across calls split on slot boundaries', () => {
    const whole = simulateInterval(hour);
    expect(Number.isInteger(whole.latencySumMicroseconds)).toBe(true);
    expect(simulateSplit(ranker, hour.from, hour.to, MINUTE).latencySumMicroseconds).toBe(whole.latencySumMicroseconds);
  });
});

describe('daily traffic shape', () => {
  it('bottoms out at 04:00 UTC at 30% of peak and peaks at 20:00 UTC', () => {
    expect(dailyTrafficFactor(at('04:00:00'))).toBeCloseTo(DAILY_MIN_FACTOR, 12);
    expect(DAILY_MIN_FACTOR).toBe(0.3);
    expect(dailyTrafficFactor(at('20:00:00'))).toBeCloseTo(1, 12);
    let min = Infinity;
    let max = -Infinity;
    for (let t = at('00:00:00').getTime(); t < at('00:00:00').getTime() + 24 * HOUR; t += MINUTE) {
      const factor = dailyTrafficFactor(t);
      min = Math.min(min, factor);
      max = Math.max(max, factor);
    }
    expect(min).toBeCloseTo(0.3, 12);
    expect(max).toBeCloseTo(1, 12);
    // Continuous across midnight and from one day to the next.
    const nextTrough = at('04:00:00').getTime() + 24 * HOUR;
    expect(dailyTrafficFactor(nextTrough)).toBeCloseTo(DAILY_MIN_FACTOR, 12);
  });

  it('integrates the shape exactly', () => {
    // Closed-form integral against a midpoint sum over one day (one-second steps).
    const from = at('00:00:00');
    const to = new Date(from.getTime() + 24 * HOUR);
    let numeric = 0;
    for (let s = 0; s < 86_400; s++) {
      numeric += dailyTrafficFactor(from.getTime() + (s + 0.5) * 1000);
    }
    expect(expectedRequests(ranker, from, to) / ranker.baseRps).toBeCloseTo(numeric, 3);
    // (1 + 0.3) / 2 of the peak on average.
    expect(expectedRequests(ranker, from, to)).toBeCloseTo(ranker.baseRps * 86_400 * 0.65, 6);
    // Additive across an odd split point.
    const mid = at('13:37:11.5');
    expect(expectedRequests(ranker, from, mid) + expectedRequests(ranker, mid, to)).toBeCloseTo(
      expectedRequests(ranker, from, to),
      6,
    );
  });

  it('shows in simulated traffic: the 04:00 hour has about 30% of the 20:00 hour', () => {
    const base = { profile: ranker, faults: [], seed: SEED };
    const trough = simulateInterval({ ...base, from: at('03:30:00'), to: at('04:30:00') });
    const peak = simulateInterval({ ...base, from: at('19:30:00'), to: at('20:30:00') });
    expect(trough.requests / peak.requests).toBeGreaterThan(0.28);
    expect(trough.requests / peak.requests).toBeLessThan(0.33);
  });
});

describe('traffic-drop and partial-outage faults', () => {
  const profile = DEFAULT_SERVICE_PROFILES[0];
  const from = new Date('2026-11-25T20:00:00Z');
  const to = new Date('2026-11-25T20:10:00Z');
  const fault = (kind: 'traffic-drop' | 'partial-outage', value: number) => [{ service: profile.name, kind, value, startsAt: from, endsAt: to }];

  it('a full traffic drop leaves no data at all, a half drop about half', () => {
    const healthy = simulateInterval({ profile, from, to, faults: [], seed: 3 });
    expect(simulateInterval({ profile, from, to, faults: fault('traffic-drop', 1), seed: 3 })).toMatchObject({ requests: 0, errors: 0 });
    const half = simulateInterval({ profile, from, to, faults: fault('traffic-drop', 0.5), seed: 3 });
    expect(half.requests / healthy.requests).toBeGreaterThan(0.45);
    expect(half.requests / healthy.requests).toBeLessThan(0.55);
  });

  it('a partial outage fails its share of requests and slows the rest', () => {
    const out = simulateInterval({ profile, from, to, faults: fault('partial-outage', 0.3), seed: 3 });
    expect(out.errors / out.requests).toBeGreaterThan(0.27);
    expect(out.errors / out.requests).toBeLessThan(0.33);
    const healthy = simulateInterval({ profile, from, to, faults: [], seed: 3 });
    const slowShare = (s: { latencyBucketCounts: number[]; requests: number }) => s.latencyBucketCounts.slice(6).reduce((a, b) => a + b, 0) / s.requests;
    expect(slowShare(out)).toBeGreaterThan(slowShare(healthy) * 5);
  });
});
