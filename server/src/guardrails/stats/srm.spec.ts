import { loadReferenceVectors } from '../../../../test/support/reference-vectors';
import { sampleRatioMismatch } from './srm';

describe('sampleRatioMismatch', () => {
  const vectors = loadReferenceVectors().sample_ratio_mismatch;

  it.each(vectors.cases)(
    'matches the reference for observed $observed',
    ({ observed, expected_share, want_chi2, want_p, threshold, want_flag }) => {
      const result = sampleRatioMismatch({ observed, expectedShares: expected_share, threshold });
      // The reference rounds to 7 significant digits.
      expect(result.chi2).toBeCloseTo(want_chi2, 4);
      expect(Math.abs(result.pValue - want_p) / want_p).toBeLessThan(1e-4);
      expect(result.df).toBe(observed.length - 1);
      // Both reference arms are far above the minimum units, so the flag alone decides.
      expect(result.state).toBe(want_flag ? 'mismatch' : 'ok');
    },
  );

  it('flags a split far off the configured one', () => {
    const result = sampleRatioMismatch({ observed: [50_000, 48_000], expectedShares: [0.5, 0.5] });
    expect(result.state).toBe('mismatch');
    expect(result.pValue).toBeLessThan(0.001);
  });

  it('uses df = variants - 1 and an exact survival function', () => {
    // With 2 degrees of freedom the chi-square survival is exactly exp(-x/2).
    const result = sampleRatioMismatch({
      observed: [1000, 1100, 900],
      expectedShares: [1 / 3, 1 / 3, 1 / 3],
    });
    expect(result.df).toBe(2);
    expect(result.chi2).toBeCloseTo(20, 10);
    expect(result.pValue).toBeCloseTo(Math.exp(-10), 15);
    expect(result.state).toBe('mismatch');
  });

  it('honours unequal configured splits', () => {
    const result = sampleRatioMismatch({ observed: [9_000, 1_000], expectedShares: [0.9, 0.1] });
    expect(result.chi2).toBe(0);
    expect(result.pValue).toBe(1);
    expect(result.state).toBe('ok');
  });

  it('never flags before every variant has the minimum units', () => {
    const result = sampleRatioMismatch({ observed: [5_000, 99], expectedShares: [0.5, 0.5] });
    expect(result.pValue).toBeLessThan(1e-100);
    expect(result.state).toBe('insufficient-data');
    expect(
      sampleRatioMismatch({ observed: [5_000, 99], expectedShares: [0.5, 0.5], minUnitsPerVariant: 50 })
        .state,
    ).toBe('mismatch');
  });

  it('treats an empty experiment as insufficient data, not as a number error', () => {
    expect(sampleRatioMismatch({ observed: [0, 0], expectedShares: [0.5, 0.5] })).toEqual({
      state: 'insufficient-data',
      chi2: 0,
      pValue: 1,
      df: 1,
    });
  });

  it.each([
    [{ observed: [1, 2, 3], expectedShares: [0.5, 0.5] }, /observed has 3 variants but expectedShares has 2/],
    [{ observed: [100], expectedShares: [1] }, /at least 2 variants/],
    [{ observed: [100, -1], expectedShares: [0.5, 0.5] }, /observed\[1\] must be a non-negative integer/],
    [{ observed: [100, 1.5], expectedShares: [0.5, 0.5] }, /observed\[1\] must be a non-negative integer/],
    [{ observed: [100, 100], expectedShares: [0.5, 0.49] }, /expectedShares must sum to 1/],
    [{ observed: [100, 100], expectedShares: [1, 0] }, /expectedShares\[0\] must be in \(0, 1\)/],
    [{ observed: [100, 100], expectedShares: [0.5, 0.5], threshold: 0 }, /threshold must be in/],
    [{ observed: [100, 100], expectedShares: [0.5, 0.5], minUnitsPerVariant: -1 }, /minUnitsPerVariant/],
  ])('rejects invalid input %#', (input, message) => {
    expect(() => sampleRatioMismatch(input)).toThrow(message);
  });

  it('accepts shares that sum to 1 up to floating-point rounding', () => {
    expect(() =>
      sampleRatioMismatch({ observed: [100, 100, 100], expectedShares: [0.1, 0.2, 0.7] }),
    ).not.toThrow();
  });
});
