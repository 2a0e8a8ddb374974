// A deterministic model of the personalization services' traffic, errors and latency, so
// Headroom has realistic data to evaluate without any real system attached. Everything here is
// a pure function of its inputs: the same seed, service and interval always give the same
// counts, whichever order intervals are asked for in and however often.

import type * as XoroshiroModule from 'pure-rand/lib/generator/xoroshiro128plus';

// pure-rand 8 publishes its entry points only through package.json "exports", which the
// server's `moduleResolution: node10` does not read, so the types come from the file path and
// the value from the exported subpath (the one Node and jest accept at run time).
const { xoroshiro128plusFromState } =
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('pure-rand/generator/xoroshiro128plus') as typeof XoroshiroModule;

type RandomGenerator = ReturnType<typeof xoroshiro128plusFromState>;

export const SERVICE_NAMES = [
  'now-playing-ranker',
  'candidate-retrieval',
  'feature-store',
  'model-serving',
] as const;

export type ServiceName = (typeof SERVICE_NAMES)[number];

/**
 * Upper bounds (seconds) of the simulated latency histogram, the Prometheus client defaults;
 * a final +Inf bucket is implicit, so histograms have LATENCY_BUCKET_BOUNDS_SECONDS.length + 1
 * buckets.
 */
export const LATENCY_BUCKET_BOUNDS_SECONDS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]);

export interface ServiceProfile {
  name: string;
  /** Request rate at the daily evening peak; the nightly trough is DAILY_MIN_FACTOR of it. */
  baseRps: number;
  /** Median latency in seconds. */
  latencyMedianSeconds: number;
  /** Spread of the log-normal latency: standard deviation of ln(latency). */
  latencySigma: number;
  /** Fraction of requests that fail when no fault is active. */
  baseErrorRate: number;
}

// Chosen so the default SLOs are healthy: error rates of 0.02–0.05% burn a 99.9% budget at
// 0.2–0.5x, and the log-normal tails put well under 0.1% of requests above 250 ms
// (ranker: ln(250/60)/0.4 = 3.6 sigma, so ~0.02%; p99 ~150 ms).
export const DEFAULT_SERVICE_PROFILES: ReadonlyArray<Readonly<ServiceProfile>> = Object.freeze(
  [
    {
      name: 'now-playing-ranker',
      baseRps: 120,
      latencyMedianSeconds: 0.06,
      latencySigma: 0.4,
      baseErrorRate: 0.0003,
    },
    {
      name: 'candidate-retrieval',
      baseRps: 120,
      latencyMedianSeconds: 0.035,
      latencySigma: 0.5,
      baseErrorRate: 0.0002,
    },
    {
      name: 'feature-store',
      baseRps: 500,
      latencyMedianSeconds: 0.004,
      latencySigma: 0.6,
      baseErrorRate: 0.0002,
    },
    {
      name: 'model-serving',
      baseRps: 120,
      latencyMedianSeconds: 0.045,
      latencySigma: 0.45,
      baseErrorRate: 0.0005,
    },
  ].map((profile) => Object.freeze(profile)),
);

/**
 * error-rate: `value` of requests fail (0..1). latency: latency × `value`.
 * traffic-drop: `value` of traffic disappears (0..1; 1 = no data at all).
 * partial-outage: one shard or zone is down: `value` of requests (0..1) fail, and the rest slow
 * down by 1 + 4 × value as retries and failovers pile onto the healthy part.
 */
export type FaultKind = 'error-rate' | 'latency' | 'traffic-drop' | 'partial-outage';
export const FAULT_KINDS: readonly FaultKind[] = ['error-rate', 'latency', 'traffic-drop', 'partial-outage'];

/** Something going wrong with one service for a while, injected at run time. */
export interface Fault {
  service: string;
  kind: FaultKind;
  /** error-rate: fraction (0..1) of requests that fail; latency: multiplier (e.g. 5). */
  value: number;
  startsAt: Date;
  /** Exclusive end; a fault with endsAt <= startsAt is never active. */
  endsAt: Date;
}

export interface SimulateIntervalInput {
  profile: ServiceProfile;
  from: Date;
  /** Exclusive end. */
  to: Date;
  faults: readonly Fault[];
  seed: number;
}

export interface IntervalSample {
  requests: number;
  errors: number;
  /** Requests per latency bucket, NOT cumulative; one more entry than the bounds (+Inf). */
  latencyBucketCounts: number[];
  /**
   * Sum of the requests' latencies (a histogram's `_sum`), in whole microseconds: each piece
   * of a slot adds count × the bucket's mean latency, rounded, so sums of calls split on slot
   * boundaries add up exactly, like the counts.
   */
  latencySumMicroseconds: number;
}

// Daily traffic shape: lowest at 04:00 UTC, highest at 20:00 UTC (evening listening), rising
// over 16 hours and falling over 8, each half a cosine so the rate changes smoothly.
export const DAILY_TROUGH_HOUR_UTC = 4;
export const DAILY_PEAK_HOUR_UTC = 20;
/** Trough rate as a fraction of the peak. */
export const DAILY_MIN_FACTOR = 0.3;

/**
 * Random draws are made per slot of this length, aligned to the Unix epoch. A slot asked for
 * whole always gives the same counts, so results add up exactly across calls split on slot
 * boundaries (ten 1-minute calls equal one 10-minute call); a piece of a slot is drawn on its
 * own and only agrees with the whole slot on average.
 */
export const SIMULATION_SLOT_SECONDS = 10;

const DAY_SECONDS = 86_400;
const RISE_SECONDS = (DAILY_PEAK_HOUR_UTC - DAILY_TROUGH_HOUR_UTC) * 3_600;
const FALL_SECONDS = DAY_SECONDS - RISE_SECONDS;
const SLOT_MS = SIMULATION_SLOT_SECONDS * 1_000;

function secondsSinceTrough(ms: number): number {
  const seconds = ms / 1_000 - DAILY_TROUGH_HOUR_UTC * 3_600;
  return ((seconds % DAY_SECONDS) + DAY_SECONDS) % DAY_SECONDS;
}

/** Traffic at `at` as a fraction of the peak rate: DAILY_MIN_FACTOR at 04:00 UTC, 1 at 20:00. */
export function dailyTrafficFactor(at: Date | number): number {
  const s = secondsSinceTrough(typeof at === 'number' ? at : at.getTime());
  const rising = s < RISE_SECONDS;
  const phase = rising ? s / RISE_SECONDS : (s - RISE_SECONDS) / FALL_SECONDS;
  const lift = rising ? (1 - Math.cos(Math.PI * phase)) / 2 : (1 + Math.cos(Math.PI * phase)) / 2;
  return DAILY_MIN_FACTOR + (1 - DAILY_MIN_FACTOR) * lift;
}

// Integral over [0, x) of (1 - direction * cos(pi * u / length)) / 2: the rising (direction 1)
// or falling (direction -1) half-cosine of the daily shape.
function halfCosineIntegral(x: number, length: number, direction: 1 | -1): number {
  return (x - direction * (length / Math.PI) * Math.sin((Math.PI * x) / length)) / 2;
}

// Integral of dailyTrafficFactor over [trough, trough + s) for s in [0, DAY_SECONDS].
function factorIntegralFromTrough(s: number): number {
  const m = DAILY_MIN_FACTOR;
  const rise = Math.min(s, RISE_SECONDS);
  let sum = m * rise + (1 - m) * halfCosineIntegral(rise, RISE_SECONDS, 1);
  if (s > RISE_SECONDS) {
    const fall = s - RISE_SECONDS;
    sum += m * fall + (1 - m) * halfCosineIntegral(fall, FALL_SECONDS, -1);
  }
  return sum;
}

const FACTOR_INTEGRAL_PER_DAY = factorIntegralFromTrough(DAY_SECONDS);

// Integral of dailyTrafficFactor over [fromMs, toMs), in seconds; closed form so long
// intervals cost nothing and split intervals add up.
function factorIntegral(fromMs: number, toMs: number): number {
  if (toMs <= fromMs) {
    return 0;
  }
  const start = secondsSinceTrough(fromMs);
  const span = (toMs - fromMs) / 1_000;
  const wholeDays = Math.floor((start + span) / DAY_SECONDS);
  const endInDay = start + span - wholeDays * DAY_SECONDS;
  return (
    wholeDays * FACTOR_INTEGRAL_PER_DAY +
    factorIntegralFromTrough(endInDay) -
    factorIntegralFromTrough(start)
  );
}

/** Mean number of requests the profile receives in [from, to), before any randomness. */
export function expectedRequests(profile: ServiceProfile, from: Date, to: Date): number {
  return profile.baseRps * factorIntegral(from.getTime(), to.getTime());
}

// ---------------------------------------------------------------------------------------------
// Seeded randomness

// Each slot gets its own generator, seeded from a 128-bit hash of (seed, service, slot start,
// slot end). 32 bits would not do: a month of slots for four services is ~10^6 keys, enough for
// the birthday bound to hand identical random streams to different slots. The string part is
// hashed once per call; the slot times are mixed in with integer arithmetic, which is what
// keeps a month-long backfill fast.
type Lanes = [number, number, number, number];

// murmur3's 32-bit finalizer: every input bit affects every output bit.
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

// Four FNV-style multiply-xor lanes with different constants, cross-mixed at the end.
function hashString(key: string): Lanes {
  let a = 0x811c9dc5;
  let b = 0x9e3779b9;
  let c = 0x7f4a7c15;
  let d = 0x243f6a88;
  for (let i = 0; i < key.length; i++) {
    const k = key.charCodeAt(i);
    a = Math.imul(a ^ k, 0x01000193);
    b = Math.imul(b ^ k, 0x5bd1e995);
    c = Math.imul(c ^ k, 0x27d4eb2f);
    d = Math.imul(d ^ k, 0x165667b1);
  }
  return mixLanes([a, b, c, d], key.length, 0);
}

function mixLanes(lanes: Lanes, x: number, y: number): Lanes {
  let [a, b, c, d] = lanes;
  a = fmix32(a ^ x);
  b = fmix32(b ^ y ^ a);
  c = fmix32(c ^ x ^ b);
  d = fmix32(d ^ y ^ c);
  a = fmix32(a ^ d);
  return [a, b, c, d];
}

function generatorFor(callLanes: Lanes, startMs: number, endMs: number): RandomGenerator {
  // Milliseconds since the epoch exceed 32 bits: mix in the low and high words separately.
  const HIGH = 2 ** 32;
  let lanes = mixLanes(callLanes, startMs >>> 0, Math.floor(startMs / HIGH));
  lanes = mixLanes(lanes, endMs >>> 0, Math.floor(endMs / HIGH));
  // xoroshiro's state must not be all zeros.
  if (lanes.every((lane) => lane === 0)) {
    lanes = [1, 0, 0, 0];
  }
  return xoroshiro128plusFromState(lanes);
}

// Uniform in [0, 1) with 53 random bits from two 32-bit outputs.
function uniform(rng: RandomGenerator): number {
  const high = rng.next() >>> 0;
  const low = rng.next() >>> 11;
  return (high * 2 ** 21 + low) / 2 ** 53;
}

// Standard normal by Box–Muller (one of the pair is discarded to keep draws stateless).
function standardNormal(rng: RandomGenerator): number {
  const u1 = 1 - uniform(rng); // (0, 1], so the log is finite
  const u2 = uniform(rng);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

// Below these means the normal approximation is visibly wrong (skewed, mass below zero), so
// the exact discrete samplers are used; their cost grows with the mean, which is small there.
const POISSON_EXACT_BELOW = 30;
const BINOMIAL_EXACT_BELOW = 10;

function poisson(rng: RandomGenerator, mean: number): number {
  if (!(mean > 0)) {
    return 0;
  }
  if (mean < POISSON_EXACT_BELOW) {
    // Knuth: count uniforms until their product drops below e^-mean.
    const limit = Math.exp(-mean);
    let k = 0;
    let product = uniform(rng);
    while (product > limit) {
      k++;
      product *= uniform(rng);
    }
    return k;
  }
  return Math.max(0, Math.round(mean + Math.sqrt(mean) * standardNormal(rng)));
}

function binomial(rng: RandomGenerator, n: number, p: number): number {
  if (n <= 0 || !(p > 0)) {
    return 0;
  }
  if (p >= 1) {
    return n;
  }
  if (p > 0.5) {
    return n - binomial(rng, n, 1 - p);
  }
  const mean = n * p;
  if (mean < BINOMIAL_EXACT_BELOW) {
    // Inversion of the CDF (BINV), walking up from 0 with the pmf recurrence.
    const q = 1 - p;
    const ratio = p / q;
    const a = (n + 1) * ratio;
    let pmf = Math.pow(q, n);
    let u = uniform(rng);
    let k = 0;
    while (u > pmf && k < n) {
      u -= pmf;
      k++;
      pmf *= a / k - ratio;
    }
    return k;
  }
  const draw = Math.round(mean + Math.sqrt(mean * (1 - p)) * standardNormal(rng));
  return Math.min(n, Math.max(0, draw));
}

// ---------------------------------------------------------------------------------------------
// Latency distribution

// Complementary error function (Numerical Recipes' erfcc, relative error < 1.2e-7), precise
// enough for bucket probabilities and free of dependencies. Coefficients lowest power first.
const ERFC_COEFFICIENTS: readonly number[] = [
  -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398,
  1.48851587, -0.82215223, 0.17087277,
];

function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  let polynomial = 0;
  for (let i = ERFC_COEFFICIENTS.length - 1; i >= 0; i--) {
    polynomial = ERFC_COEFFICIENTS[i] + t * polynomial;
  }
  const r = t * Math.exp(-z * z + polynomial);
  return x >= 0 ? r : 2 - r;
}

function standardNormalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

// P(z1 < Z <= z2) for a standard normal Z, read from the upper tail when the interval lies
// there: 1 - cdf would cancel away the small tail masses the bucket means are made of.
function standardNormalMass(z1: number, z2: number): number {
  if (z1 > 0) return 0.5 * erfc(z1 / Math.SQRT2) - 0.5 * erfc(z2 / Math.SQRT2);
  return standardNormalCdf(z2) - standardNormalCdf(z1);
}

/**
 * Probability of a request landing in each latency bucket (not cumulative; the last entry is
 * the +Inf bucket) for a log-normal latency with the profile's median times `multiplier`.
 */
export function latencyBucketProbabilities(profile: ServiceProfile, multiplier = 1): number[] {
  const logMedian = Math.log(profile.latencyMedianSeconds * multiplier);
  const probabilities: number[] = [];
  let previous = 0;
  for (const bound of LATENCY_BUCKET_BOUNDS_SECONDS) {
    const cdf = standardNormalCdf((Math.log(bound) - logMedian) / profile.latencySigma);
    probabilities.push(Math.max(0, cdf - previous));
    previous = Math.max(previous, cdf);
  }
  probabilities.push(Math.max(0, 1 - previous));
  return probabilities;
}

/**
 * Mean latency of the requests that land in each latency bucket (same layout as
 * latencyBucketProbabilities), for the histogram's sum. For a log-normal with parameters mu and
 * sigma, E[X; a < X <= b] = exp(mu + sigma^2 / 2) * P(a' < Z <= b') with the bounds' z-scores
 * shifted by sigma; divided by the bucket's probability, and kept inside the bucket (where a
 * bucket is too improbable for the ratio to be accurate, it is at least a bound of the bucket).
 */
export function latencyBucketMeans(profile: ServiceProfile, multiplier = 1): number[] {
  const mu = Math.log(profile.latencyMedianSeconds * multiplier);
  const sigma = profile.latencySigma;
  const lower = [0, ...LATENCY_BUCKET_BOUNDS_SECONDS];
  const upper = [...LATENCY_BUCKET_BOUNDS_SECONDS, Number.POSITIVE_INFINITY];
  return lower.map((a, i) => {
    const b = upper[i];
    const za = (Math.log(a) - mu) / sigma;
    const zb = (Math.log(b) - mu) / sigma;
    const mass = standardNormalMass(za, zb);
    const partial = Math.exp(mu + (sigma * sigma) / 2) * standardNormalMass(za - sigma, zb - sigma);
    const mean = mass > 0 ? partial / mass : Number.NaN;
    if (!Number.isFinite(mean)) return Number.isFinite(b) ? b : a;
    return Math.min(Math.max(mean, a), b);
  });
}

// Splits n requests over the buckets: a multinomial draw done as a chain of binomials, each
// bucket taking its share of what the buckets before it left over.
function multinomial(rng: RandomGenerator, n: number, probabilities: readonly number[]): number[] {
  const counts: number[] = new Array<number>(probabilities.length).fill(0);
  let remaining = n;
  let remainingProbability = 1;
  for (let i = 0; i < probabilities.length - 1 && remaining > 0; i++) {
    const share = remainingProbability > 0 ? probabilities[i] / remainingProbability : 1;
    const k = binomial(rng, remaining, Math.min(1, Math.max(0, share)));
    counts[i] = k;
    remaining -= k;
    remainingProbability -= probabilities[i];
  }
  counts[probabilities.length - 1] += remaining;
  return counts;
}

// ---------------------------------------------------------------------------------------------
// Simulation

function validateProfile(profile: ServiceProfile): void {
  const problems: string[] = [];
  if (!(profile.baseRps >= 0) || !Number.isFinite(profile.baseRps)) {
    problems.push(`baseRps must be a non-negative number, got ${profile.baseRps}`);
  }
  if (!(profile.latencyMedianSeconds > 0) || !Number.isFinite(profile.latencyMedianSeconds)) {
    problems.push(`latencyMedianSeconds must be positive, got ${profile.latencyMedianSeconds}`);
  }
  if (!(profile.latencySigma > 0) || !Number.isFinite(profile.latencySigma)) {
    problems.push(`latencySigma must be positive, got ${profile.latencySigma}`);
  }
  if (!(profile.baseErrorRate >= 0 && profile.baseErrorRate <= 1)) {
    problems.push(`baseErrorRate must be in [0, 1], got ${profile.baseErrorRate}`);
  }
  if (problems.length > 0) {
    throw new RangeError(`Invalid service profile "${profile.name}": ${problems.join('; ')}`);
  }
}

function validateFault(fault: Fault): void {
  const name = `${fault.kind} fault on "${fault.service}"`;
  if (!FAULT_KINDS.includes(fault.kind)) {
    throw new RangeError(
      `Unknown fault kind ${JSON.stringify(fault.kind)}: use one of ${FAULT_KINDS.join(', ')}`,
    );
  }
  if (fault.kind !== 'latency' && !(fault.value >= 0 && fault.value <= 1)) {
    throw new RangeError(
      `${name}: value is a fraction of requests, 0..1; got ${fault.value}`,
    );
  }
  if (fault.kind === 'latency' && !(fault.value > 0 && Number.isFinite(fault.value))) {
    throw new RangeError(
      `${name}: value is a latency multiplier (e.g. 5) and must be > 0; got ${fault.value}`,
    );
  }
  // An empty or reversed span (e.g. a scheduled fault cleared before it started) covers no
  // time and is simply never active; only unreadable dates are an error.
  if (!Number.isFinite(fault.startsAt.getTime()) || !Number.isFinite(fault.endsAt.getTime())) {
    throw new RangeError(`${name}: startsAt and endsAt must be valid dates`);
  }
}

interface Conditions {
  errorRate: number;
  latencyMultiplier: number;
  trafficMultiplier: number;
}

// Error rate and latency multiplier in force at `ms`. Independent failures combine:
// p = 1 - (1 - base) * product(1 - fault); latency multipliers multiply.
function conditionsAt(profile: ServiceProfile, faults: readonly Fault[], ms: number): Conditions {
  let survive = 1 - profile.baseErrorRate;
  let latencyMultiplier = 1;
  let trafficMultiplier = 1;
  for (const fault of faults) {
    if (fault.startsAt.getTime() <= ms && ms < fault.endsAt.getTime()) {
      switch (fault.kind) {
        case 'error-rate':
          survive *= 1 - fault.value;
          break;
        case 'latency':
          latencyMultiplier *= fault.value;
          break;
        case 'traffic-drop':
          trafficMultiplier *= 1 - fault.value;
          break;
        case 'partial-outage':
          survive *= 1 - fault.value;
          latencyMultiplier *= 1 + 4 * fault.value;
          break;
      }
    }
  }
  return { errorRate: 1 - survive, latencyMultiplier, trafficMultiplier };
}

interface PieceContext {
  profile: ServiceProfile;
  faults: readonly Fault[];
  lanes: Lanes;
  /** Bucket probabilities and mean latencies per latency multiplier, computed once per call. */
  probabilities: Map<number, number[]>;
  means: Map<number, number[]>;
}

// Draws one slot (or piece of a slot), split further wherever a fault starts or ends so each
// fault applies to exactly its overlap with the interval.
function simulatePiece(
  ctx: PieceContext,
  startMs: number,
  endMs: number,
  into: IntervalSample,
): void {
  const { profile, faults } = ctx;
  let edges = [startMs, endMs];
  for (const fault of faults) {
    for (const edge of [fault.startsAt.getTime(), fault.endsAt.getTime()]) {
      if (edge > startMs && edge < endMs && !edges.includes(edge)) {
        edges.push(edge);
      }
    }
  }
  if (edges.length > 2) {
    edges = edges.sort((a, b) => a - b);
  }
  const rng = generatorFor(ctx.lanes, startMs, endMs);
  for (let i = 0; i + 1 < edges.length; i++) {
    const { errorRate, latencyMultiplier, trafficMultiplier } = conditionsAt(profile, faults, edges[i]);
    let probabilities = ctx.probabilities.get(latencyMultiplier);
    if (probabilities === undefined) {
      probabilities = latencyBucketProbabilities(profile, latencyMultiplier);
      ctx.probabilities.set(latencyMultiplier, probabilities);
    }
    let means = ctx.means.get(latencyMultiplier);
    if (means === undefined) {
      means = latencyBucketMeans(profile, latencyMultiplier);
      ctx.means.set(latencyMultiplier, means);
    }
    const requests = poisson(rng, profile.baseRps * trafficMultiplier * factorIntegral(edges[i], edges[i + 1]));
    const errors = binomial(rng, requests, errorRate);
    const buckets = multinomial(rng, requests, probabilities);
    into.requests += requests;
    into.errors += errors;
    for (let b = 0; b < buckets.length; b++) {
      into.latencyBucketCounts[b] += buckets[b];
      into.latencySumMicroseconds += Math.round(buckets[b] * means[b] * 1e6);
    }
  }
}

/**
 * Requests, errors and latency histogram of one service over [from, to). A pure function of
 * its input: the random draws are seeded from (seed, service, slot start and end), so asking
 * again, or in another order, gives the same answer, and calls split on
 * SIMULATION_SLOT_SECONDS boundaries add up exactly to the unsplit call. Faults for other
 * services are ignored; a fault applies to the part of the interval it overlaps.
 */
export function simulateInterval(input: SimulateIntervalInput): IntervalSample {
  const { profile, seed } = input;
  const fromMs = input.from.getTime();
  const toMs = input.to.getTime();
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs)) {
    throw new RangeError('simulateInterval: from and to must be valid dates');
  }
  if (toMs < fromMs) {
    throw new RangeError(
      `simulateInterval: to (${input.to.toISOString()}) is before ` +
        `from (${input.from.toISOString()})`,
    );
  }
  if (!Number.isFinite(seed)) {
    throw new RangeError(`simulateInterval: seed must be a finite number, got ${seed}`);
  }
  validateProfile(profile);
  const ours = input.faults.filter((fault) => fault.service === profile.name);
  ours.forEach(validateFault);
  const faults = ours.filter((fault) => fault.endsAt.getTime() > fault.startsAt.getTime());

  const sample: IntervalSample = {
    requests: 0,
    errors: 0,
    latencyBucketCounts: new Array<number>(LATENCY_BUCKET_BOUNDS_SECONDS.length + 1).fill(0),
    latencySumMicroseconds: 0,
  };
  const ctx: PieceContext = {
    profile,
    faults,
    lanes: hashString(`${seed}\u0000${profile.name}`),
    probabilities: new Map(),
    means: new Map(),
  };
  let start = fromMs;
  while (start < toMs) {
    const slotEnd = (Math.floor(start / SLOT_MS) + 1) * SLOT_MS;
    const end = Math.min(slotEnd, toMs);
    simulatePiece(ctx, start, end, sample);
    start = end;
  }
  return sample;
}

/** Seeded draws for one key and slot, for other simulated sources (the demo experiment). */
export interface SeededDraws {
  normal(): number;
  poisson(mean: number): number;
  binomial(n: number, p: number): number;
}

export function seededDraws(key: string, startMs: number, endMs: number): SeededDraws {
  const rng = generatorFor(hashString(key), startMs, endMs);
  return { normal: () => standardNormal(rng), poisson: (mean) => poisson(rng, mean), binomial: (n, p) => binomial(rng, n, p) };
}
