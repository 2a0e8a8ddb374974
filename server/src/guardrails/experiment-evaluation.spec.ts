import { experimentSchema, toExperimentDefinition, type ExperimentDefinition } from '../rules/experiment-definition';
import { loadReferenceVectors } from '../../../test/support/reference-vectors';
import { breaches, evaluateExperiment } from './experiment-evaluation';
import { snapshotIssues, type ExperimentSnapshot, type VariantAggregate } from './experiment-snapshot';

const at = new Date('2026-11-25T10:00:00Z');

function experiment(overrides: Record<string, unknown> = {}): ExperimentDefinition {
  const spec = experimentSchema.parse({
    name: 'ranker-v42',
    service: 'now-playing-ranker',
    start: '2026-11-20T09:00:00Z',
    variants: [
      { name: 'control', control: true, share: 0.5 },
      { name: 'v42', share: 0.5 },
    ],
    guardrails: [
      { name: 'skip_rate', kind: 'proportion', direction: 'lower_is_better', margin: 0.02 },
      { name: 'minutes', kind: 'mean', direction: 'higher_is_better' },
    ],
    success: [{ name: 'stream_starts', kind: 'proportion', direction: 'higher_is_better' }],
    ...overrides,
  });
  return toExperimentDefinition(spec, null);
}

/** Per-variant aggregates: proportions as rates, means as mean and standard deviation. */
function variant(units: number, m: { skip?: number; starts?: number; minutes?: [number, number] }): VariantAggregate {
  const metrics: VariantAggregate['metrics'] = {};
  if (m.skip !== undefined) metrics.skip_rate = { successes: Math.round(m.skip * units) };
  if (m.starts !== undefined) metrics.stream_starts = { successes: Math.round(m.starts * units) };
  if (m.minutes) {
    const [mean, sd] = m.minutes;
    const sum = mean * units;
    metrics.minutes = { sum, sumSquares: sd * sd * (units - 1) + (sum * sum) / units };
  }
  return { units, metrics };
}

const snapshot = (control: VariantAggregate, treatment: VariantAggregate): ExperimentSnapshot => ({ at, variants: { control, v42: treatment } });
const metric = (r: ReturnType<typeof evaluateExperiment>, name: string) => r.metrics.find((m) => m.metric === name)!;

describe('evaluateExperiment', () => {
  it('with no observations every metric is no-data: neither a breach nor a pass', () => {
    const r = evaluateExperiment(experiment(), null);
    expect(r.srm.state).toBe('no-data');
    expect(r.metrics.map((m) => m.state)).toEqual(['no-data', 'no-data', 'no-data']);
    expect(breaches(r)).toEqual([]);
    expect(r.ship.v42.ship).toBe(false);
    expect(r.ship.v42.reasons).toContain('guardrail skip_rate has no data yet, so it is not shown non-inferior');
  });

  it('too few units is insufficient-units even for a huge difference', () => {
    const r = evaluateExperiment(experiment(), snapshot(variant(50, { skip: 0.1, minutes: [30, 5] }), variant(50, { skip: 0.9, minutes: [5, 5] })));
    expect(r.srm.state).toBe('insufficient-units');
    expect(metric(r, 'skip_rate').state).toBe('insufficient-units');
    expect(metric(r, 'minutes').state).toBe('insufficient-units');
    expect(breaches(r)).toEqual([]);
  });

  it('a metric missing from the snapshot is no-data', () => {
    const r = evaluateExperiment(experiment(), snapshot(variant(10_000, { skip: 0.3 }), variant(10_000, { skip: 0.3 })));
    expect(metric(r, 'minutes').state).toBe('no-data');
    expect(metric(r, 'skip_rate').state).toBe('ok');
  });

  it('flags a true harm beyond the margin with its one-sided interval and p-value', () => {
    const r = evaluateExperiment(experiment(), snapshot(variant(20_000, { skip: 0.3, minutes: [30, 10] }), variant(20_000, { skip: 0.33, minutes: [30, 10] })));
    const skip = metric(r, 'skip_rate');
    expect(skip.state).toBe('breach');
    expect(skip.difference).toBeCloseTo(0.03, 10);
    // lower_is_better: the bound is on the low side, and it clears the 2% margin (0.006).
    expect(skip.interval!.upper).toBeNull();
    expect(skip.interval!.lower!).toBeGreaterThan(0.02 * 0.3);
    expect(skip.pValue!).toBeLessThan(0.05);
    expect(metric(r, 'minutes').state).toBe('ok');
    expect(breaches(r).map((m) => [m.variant, m.metric])).toEqual([['v42', 'skip_rate']]);
    expect(r.ship.v42.ship).toBe(false);
  });

  it('a mean guardrail that drops (higher_is_better) breaches', () => {
    const r = evaluateExperiment(experiment(), snapshot(variant(5_000, { minutes: [30, 10] }), variant(5_000, { minutes: [28, 10] })));
    const minutes = metric(r, 'minutes');
    expect(minutes.state).toBe('breach');
    expect(minutes.interval!.lower).toBeNull();
    expect(minutes.interval!.upper!).toBeLessThan(0);
  });

  it('a harm within the margin is not a breach', () => {
    const r = evaluateExperiment(experiment(), snapshot(variant(100_000, { skip: 0.3 }), variant(100_000, { skip: 0.302 })));
    expect(metric(r, 'skip_rate').state).toBe('ok');
  });

  it('A/A data (no true effect) gives no breach', () => {
    const r = evaluateExperiment(experiment(), snapshot(variant(50_000, { skip: 0.3, minutes: [30, 10], starts: 0.5 }), variant(50_000, { skip: 0.3, minutes: [30, 10], starts: 0.5 })));
    expect(r.metrics.map((m) => m.state)).toEqual(['ok', 'ok', 'ok']);
    expect(breaches(r)).toEqual([]);
    expect(r.srm.state).toBe('ok');
  });

  describe('sample-ratio mismatch', () => {
    const { cases } = loadReferenceVectors().sample_ratio_mismatch;
    it.each(cases)('reference: $observed against $expected_share', ({ observed, want_chi2, want_p, want_flag }) => {
      const r = evaluateExperiment(experiment(), snapshot(variant(observed[0], { skip: 0.3 }), variant(observed[1], { skip: 0.3 })));
      expect(r.srm.chi2!).toBeCloseTo(want_chi2, 4);
      expect(Math.abs(r.srm.pValue! - want_p) / want_p).toBeLessThan(1e-3);
      expect(r.srm.state === 'mismatch').toBe(want_flag);
      expect(r.srm.trustworthy).toBe(!want_flag);
    });

    it('a flagged mismatch marks every result untrustworthy and blocks shipping', () => {
      const r = evaluateExperiment(experiment(), snapshot(variant(50_000, { skip: 0.3, starts: 0.5 }), variant(47_000, { skip: 0.3, starts: 0.6 })));
      expect(r.srm.state).toBe('mismatch');
      expect(r.metrics.every((m) => m.untrustworthy)).toBe(true);
      expect(r.ship.v42.ship).toBe(false);
      expect(r.ship.v42.reasons[0]).toMatch(/sample-ratio mismatch/);
    });
  });

  describe('ship decision', () => {
    const [ni] = loadReferenceVectors().non_inferiority.cases;
    const stopped = experiment({ status: 'stopped', guardrails: [{ name: 'skip_rate', kind: 'proportion', direction: ni.direction, margin: ni.nim, alpha: ni.alpha }] });

    it('uses the non-inferiority z-test of the reference vectors for a guardrail', () => {
      const n = ni.n_per_arm;
      const r = evaluateExperiment(stopped, snapshot(variant(n, { skip: ni.p_control, starts: 0.5 }), variant(n, { skip: ni.p_treatment, starts: 0.51 })));
      const skip = metric(r, 'skip_rate');
      expect(Math.abs(skip.zTest!.z - ni.want_z)).toBeLessThan(5e-5);
      expect(Math.abs(skip.zTest!.pValue - ni.want_p) / ni.want_p).toBeLessThan(1e-4);
      expect(skip.zTest!.passed).toBe(ni.want_non_inferior);
      expect(metric(r, 'stream_starts').zTest!.passed).toBe(true);
      expect(r.ship.v42).toEqual({ ship: true, reasons: [], final: true });
    });

    it('does not ship without a significant improvement of a success metric', () => {
      const n = ni.n_per_arm;
      const r = evaluateExperiment(stopped, snapshot(variant(n, { skip: ni.p_control, starts: 0.5 }), variant(n, { skip: ni.p_treatment, starts: 0.5 })));
      expect(r.ship.v42.ship).toBe(false);
      expect(r.ship.v42.reasons).toEqual(['none of the 1 success metrics improved significantly']);
    });
  });
});

describe('snapshotIssues', () => {
  const def = experiment();
  const good = () => ({ control: variant(1000, { skip: 0.3, minutes: [30, 10] }), v42: variant(1000, { skip: 0.3, minutes: [30, 10] }) });

  it('accepts a consistent snapshot', () => {
    expect(snapshotIssues(def, good())).toEqual([]);
  });

  it.each([
    ['negative units', (v: Record<string, VariantAggregate>) => (v.control.units = -1), 'variants.control.units'],
    ['fractional units', (v: Record<string, VariantAggregate>) => (v.control.units = 1.5), 'variants.control.units'],
    ['negative successes', (v: Record<string, VariantAggregate>) => (v.v42.metrics.skip_rate = { successes: -3 }), 'variants.v42.metrics.skip_rate.successes'],
    ['successes above units', (v: Record<string, VariantAggregate>) => (v.v42.metrics.skip_rate = { successes: 1001 }), 'variants.v42.metrics.skip_rate.successes'],
    ['impossible variance', (v: Record<string, VariantAggregate>) => (v.v42.metrics.minutes = { sum: 30_000, sumSquares: 100 }), 'variants.v42.metrics.minutes.sumSquares'],
    ['negative sumSquares', (v: Record<string, VariantAggregate>) => (v.v42.metrics.minutes = { sum: 0, sumSquares: -1 }), 'variants.v42.metrics.minutes.sumSquares'],
    ['an unknown variant', (v: Record<string, VariantAggregate>) => (v.v43 = variant(10, {})), 'variants.v43'],
    ['a missing variant', (v: Record<string, VariantAggregate>) => delete v.v42, 'variants.v42'],
    ['an unknown metric', (v: Record<string, VariantAggregate>) => (v.v42.metrics.crashes = { successes: 1 }), 'variants.v42.metrics.crashes'],
    ['sum for a proportion', (v: Record<string, VariantAggregate>) => (v.v42.metrics.skip_rate = { sum: 1, sumSquares: 1 }), 'variants.v42.metrics.skip_rate'],
    ['successes for a mean', (v: Record<string, VariantAggregate>) => (v.v42.metrics.minutes = { successes: 1 }), 'variants.v42.metrics.minutes'],
  ])('names the field for %s', (_what, spoil, field) => {
    const v = good();
    spoil(v);
    expect(snapshotIssues(def, v).map((i) => i.field)).toEqual([field]);
  });
});

describe('experimentSchema', () => {
  const base = {
    name: 'x', service: 'svc', start: '2026-11-20T09:00:00Z',
    variants: [{ name: 'a', control: true, share: 0.5 }, { name: 'b', share: 0.5 }],
    guardrails: [{ name: 'm', kind: 'mean', direction: 'lower_is_better' }],
  };
  const paths = (v: unknown) => {
    const r = experimentSchema.safeParse(v);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('accepts a minimal experiment and fills the defaults', () => {
    const def = toExperimentDefinition(experimentSchema.parse(base), null);
    expect(def).toMatchObject({ id: 'x', status: 'running', minUnitsPerVariant: 100, severity: 'critical' });
    expect(def.metrics[0]).toMatchObject({ margin: 0, alpha: 0.05, minUnits: 100, role: 'guardrail' });
  });

  it('needs one control, shares summing to 1 and unique names', () => {
    expect(paths({ ...base, variants: [{ name: 'a', share: 0.5 }, { name: 'a', share: 0.4 }], success: [{ name: 'm', kind: 'mean', direction: 'higher_is_better' }] })).toEqual([
      'variants: exactly one variant needs control: true (found 0)',
      'variants: the shares must sum to 1 (they sum to 0.9)',
      'variants.1.name: duplicate variant a',
      'success.0.name: duplicate metric m (metric names are unique across guardrails and success)',
    ]);
  });

  it('rejects unknown fields and bad kinds', () => {
    expect(paths({ ...base, colour: 'red', guardrails: [{ name: 'm', kind: 'ratio', direction: 'lower_is_better' }] })).toEqual([
      'guardrails.0.kind: must be proportion or mean',
      ': Unrecognized key: "colour"',
    ]);
  });
});
