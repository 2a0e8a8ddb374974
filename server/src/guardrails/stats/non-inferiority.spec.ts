import { loadReferenceVectors } from '../../../../test/support/reference-vectors';
import { nonInferiorityTest, shipDecision, type NonInferiorityInput } from './non-inferiority';

describe('nonInferiorityTest: reference vectors', () => {
  const { cases } = loadReferenceVectors().non_inferiority;

  it.each(cases)(
    '$metric ($direction, NIM $nim)',
    ({ direction, p_control, p_treatment, n_per_arm, nim, alpha, want_z, want_p, want_non_inferior }) => {
      const result = nonInferiorityTest({
        direction,
        meanControl: p_control,
        meanTreatment: p_treatment,
        // Binary metric: per-unit variance p(1 - p), as the reference's SE definition says.
        varianceControl: p_control * (1 - p_control),
        varianceTreatment: p_treatment * (1 - p_treatment),
        nControl: n_per_arm,
        nTreatment: n_per_arm,
        nim,
        alpha,
      });
      // Reference values carry 6 significant digits.
      expect(Math.abs(result.z - want_z)).toBeLessThan(5e-5);
      expect(Math.abs(result.pValue - want_p) / want_p).toBeLessThan(1e-4);
      expect(result.nonInferior).toBe(want_non_inferior);
    },
  );
});

describe('nonInferiorityTest', () => {
  const base: NonInferiorityInput = {
    direction: 'higher_is_better',
    meanControl: 0.5,
    meanTreatment: 0.5,
    varianceControl: 0.25,
    varianceTreatment: 0.25,
    nControl: 100_000,
    nTreatment: 100_000,
    nim: 0.02,
    alpha: 0.05,
  };

  it('mirrors the rule for higher-is-better metrics', () => {
    const result = nonInferiorityTest(base);
    const se = Math.sqrt(0.25 / 100_000 + 0.25 / 100_000);
    expect(result.z).toBeCloseTo((0 + 0.02 * 0.5) / se, 12);
    expect(result.nonInferior).toBe(true);
    // A drop larger than the margin is not non-inferior.
    expect(nonInferiorityTest({ ...base, meanTreatment: 0.488 }).nonInferior).toBe(false);
  });

  it('is the same test seen from either direction', () => {
    const lower = nonInferiorityTest({ ...base, direction: 'lower_is_better', meanTreatment: 0.503 });
    const higher = nonInferiorityTest({ ...base, direction: 'higher_is_better', meanTreatment: 0.497 });
    expect(lower.z).toBeCloseTo(-higher.z, 12);
    expect(lower.pValue).toBeCloseTo(higher.pValue, 15);
  });

  it('with no margin, equal arms are never shown non-inferior', () => {
    const result = nonInferiorityTest({ ...base, nim: 0 });
    expect(result.z).toBe(0);
    expect(result.pValue).toBeCloseTo(0.5, 15);
    expect(result.nonInferior).toBe(false);
  });

  it.each<[string, Partial<NonInferiorityInput>, RegExp]>([
    ['zero units', { nControl: 0 }, /nControl/],
    ['a negative variance', { varianceTreatment: -1 }, /varianceTreatment/],
    ['both variances zero', { varianceControl: 0, varianceTreatment: 0 }, /standard error is 0/],
    ['a negative margin', { nim: -0.1 }, /nim/],
    ['alpha out of range', { alpha: 1 }, /alpha/],
    ['a non-finite mean', { meanTreatment: Number.NaN }, /meanTreatment/],
  ])('rejects %s', (_label, override, message) => {
    expect(() => nonInferiorityTest({ ...base, ...override })).toThrow(message);
  });
});

describe('shipDecision', () => {
  it('ships when a success metric improved and every guardrail is non-inferior', () => {
    expect(
      shipDecision({
        successMetrics: [{ significantImprovement: false }, { significantImprovement: true }],
        guardrails: [{ nonInferior: true }, { nonInferior: true }],
      }),
    ).toEqual({ ship: true, reasons: [] });
  });

  it('does not ship without a significant improvement', () => {
    const decision = shipDecision({
      successMetrics: [{ significantImprovement: false }],
      guardrails: [{ nonInferior: true }],
    });
    expect(decision.ship).toBe(false);
    expect(decision.reasons).toEqual(['none of the 1 success metrics improved significantly']);
  });

  it('does not ship with no success metric at all', () => {
    const decision = shipDecision({ successMetrics: [], guardrails: [] });
    expect(decision.ship).toBe(false);
    expect(decision.reasons[0]).toMatch(/no success metric/);
  });

  it('treats a guardrail without data as blocking, and names it', () => {
    const decision = shipDecision({
      successMetrics: [{ significantImprovement: true }],
      guardrails: [
        { nonInferior: true, name: 'skip_rate' },
        { nonInferior: null, name: 'p99_latency' },
        { nonInferior: false },
      ],
    });
    expect(decision.ship).toBe(false);
    expect(decision.reasons).toEqual([
      'guardrail p99_latency has no data yet, so it is not shown non-inferior',
      'guardrail #3 is not shown non-inferior: it may be worse than its margin',
    ]);
  });
});
