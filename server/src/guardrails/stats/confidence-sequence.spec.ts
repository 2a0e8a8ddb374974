import { loadReferenceVectors } from '../../../../test/support/reference-vectors';
import {
  csHalfWidth,
  csPValue,
  csRho,
  sequentialHarmTest,
  type SequentialHarmTestInput,
} from './confidence-sequence';

// The reference values are rounded to 7 significant digits.
const RELATIVE_TOLERANCE = 1e-5;

function expectRelativelyClose(actual: number, expected: number): void {
  expect(Math.abs(actual - expected) / Math.abs(expected)).toBeLessThan(RELATIVE_TOLERANCE);
}

describe('confidence sequence: reference vectors', () => {
  const { cases } = loadReferenceVectors().sequential_confidence_sequence;

  it.each(cases.filter((c) => c.want_rho !== undefined))(
    'rho for alpha $alpha, N_tune $N_tune',
    ({ alpha, N_tune, want_rho }) => {
      expectRelativelyClose(csRho(alpha, N_tune), want_rho as number);
    },
  );

  it.each(cases.filter((c) => c.want_p !== undefined))(
    'p-value for z $z, N $N',
    ({ alpha, N_tune, z, N, want_p }) => {
      expectRelativelyClose(
        csPValue({ z: z as number, n: N as number, alpha, nTune: N_tune }),
        want_p as number,
      );
    },
  );
});

describe('csRho', () => {
  it('uses 2*alpha for one-sided sequences', () => {
    expect(csRho(0.05, 5000, 1)).toBe(csRho(0.1, 5000, 2));
  });

  it('defaults to N_tune 5000 and two sides', () => {
    expect(csRho(0.05)).toBe(csRho(0.05, 5000, 2));
  });

  it.each([0, 1, -0.1, Number.NaN])('rejects alpha %p', (alpha) => {
    expect(() => csRho(alpha)).toThrow(/alpha must be in/);
  });

  it('rejects a one-sided alpha of 0.5 or more', () => {
    expect(() => csRho(0.5, 5000, 1)).toThrow(/alpha must be in \(0, 0.5\)/);
  });
});

describe('csHalfWidth and csPValue agree', () => {
  // The p-value is the alpha at which the interval's edge touches zero, so a z of exactly
  // halfWidth / se must give p = alpha, on both formulas.
  it.each([
    { n: 1_000, sides: 2 as const },
    { n: 40_000, sides: 2 as const },
    { n: 1_000, sides: 1 as const },
    { n: 40_000, sides: 1 as const },
  ])('at N = $n, sides = $sides', ({ n, sides }) => {
    const se = 0.0123;
    const alpha = 0.05;
    const z = csHalfWidth({ se, n, alpha, sides }) / se;
    expect(csPValue({ z, n, alpha, sides })).toBeCloseTo(alpha, 10);
    expect(csPValue({ z: z * 1.01, n, alpha, sides })).toBeLessThan(alpha);
    expect(csPValue({ z: z * 0.99, n, alpha, sides })).toBeGreaterThan(alpha);
  });

  it('matches the two-sided formula of the reference', () => {
    const se = 0.01;
    const n = 10_000;
    const alpha = 0.05;
    const rho2 = csRho(alpha) ** 2;
    const expected =
      se *
      Math.sqrt(n) *
      Math.sqrt(((2 * (n * rho2 + 1)) / (n * n * rho2)) * Math.log(Math.sqrt(n * rho2 + 1) / alpha));
    expect(csHalfWidth({ se, n, alpha, sides: 2 })).toBeCloseTo(expected, 14);
  });

  it('is wider than a fixed-horizon interval, the price of looking at any time', () => {
    const se = 0.01;
    // 1.96 * se is the fixed-horizon two-sided 95% half width.
    expect(csHalfWidth({ se, n: 10_000, alpha: 0.05, sides: 2 })).toBeGreaterThan(1.96 * se);
  });

  it('gives a one-sided p of 1 for an effect on the other side', () => {
    expect(csPValue({ z: -5, n: 10_000, alpha: 0.05, sides: 1 })).toBe(1);
    expect(csPValue({ z: 0, n: 10_000, alpha: 0.05, sides: 1 })).toBe(1);
  });
});

describe('sequentialHarmTest', () => {
  function proportion(units: number, successes: number): SequentialHarmTestInput['control'] {
    return { units, sum: successes, sumSquares: successes };
  }

  const base: SequentialHarmTestInput = {
    kind: 'proportion',
    direction: 'lower_is_better',
    control: proportion(50_000, 15_000),
    treatment: proportion(50_000, 15_000),
    alpha: 0.05,
  };

  it('declares harm when a lower-is-better rate rises clearly', () => {
    const result = sequentialHarmTest({ ...base, treatment: proportion(50_000, 16_000) });
    expect(result.state).toBe('harm');
    expect(result.difference).toBeCloseTo(0.02, 12);
    expect(result.relativeDifference).toBeCloseTo(0.02 / 0.3, 12);
    const [lower, upper] = result.interval as [number, number];
    expect(lower).toBeGreaterThan(0);
    expect(upper).toBe(Number.POSITIVE_INFINITY);
    expect(result.pValue).toBeLessThan(0.05);
    expect(result.units).toEqual({ control: 50_000, treatment: 50_000 });
  });

  it('does not call an improvement harm', () => {
    const result = sequentialHarmTest({ ...base, treatment: proportion(50_000, 14_000) });
    expect(result.state).toBe('no-harm-detected');
    expect(result.pValue).toBe(1);
  });

  it('does not declare harm on equal arms', () => {
    const result = sequentialHarmTest(base);
    expect(result.state).toBe('no-harm-detected');
    expect(result.difference).toBe(0);
  });

  it('reads harm as a decrease for higher-is-better metrics, with the bound above', () => {
    const input: SequentialHarmTestInput = {
      ...base,
      direction: 'higher_is_better',
      treatment: proportion(50_000, 14_000),
    };
    const result = sequentialHarmTest(input);
    expect(result.state).toBe('harm');
    const [lower, upper] = result.interval as [number, number];
    expect(lower).toBe(Number.NEGATIVE_INFINITY);
    expect(upper).toBeLessThan(0);
    expect(sequentialHarmTest({ ...input, treatment: proportion(50_000, 16_000) }).state).toBe(
      'no-harm-detected',
    );
  });

  it('decides exactly where the one-sided sequence excludes the margin', () => {
    // The p-value and the interval are two views of one boundary.
    for (let successes = 15_000; successes <= 15_800; successes += 20) {
      const result = sequentialHarmTest({ ...base, treatment: proportion(50_000, successes) });
      expect(result.state === 'harm').toBe((result.pValue as number) < base.alpha);
      expect(result.state === 'harm').toBe((result.interval as [number, number])[0] > 0);
    }
  });

  it('tolerates degradation within the non-inferiority margin', () => {
    // +1.5% relative on a 0.30 rate, with n so large the rise itself is unmistakable.
    const input: SequentialHarmTestInput = {
      ...base,
      control: proportion(2_000_000, 600_000),
      treatment: proportion(2_000_000, 609_000),
    };
    expect(sequentialHarmTest(input).state).toBe('harm');
    expect(sequentialHarmTest({ ...input, margin: 0.02 }).state).toBe('no-harm-detected');
    expect(sequentialHarmTest({ ...input, margin: 0.005 }).state).toBe('harm');
  });

  it('tests means from sums and sums of squares with the n-1 variance', () => {
    // Control values 1..100 (mean 50.5), treatment the same shifted by +10.
    const control = { units: 100, sum: 5050, sumSquares: 338_350 };
    const treatment = { units: 100, sum: 6050, sumSquares: 338_350 + 2 * 10 * 5050 + 100 * 100 };
    const result = sequentialHarmTest({
      kind: 'mean',
      direction: 'lower_is_better',
      control,
      treatment,
      alpha: 0.05,
    });
    expect(result.difference).toBeCloseTo(10, 10);
    // Both arms have sample variance 841.666... (n - 1 denominator).
    const se = Math.sqrt((2 * 841.6666666666666) / 100);
    const halfWidth = csHalfWidth({ se, n: 200, alpha: 0.05, sides: 1 });
    expect((result.interval as [number, number])[0]).toBeCloseTo(10 - halfWidth, 10);
  });

  it('reports insufficient data below the minimum units, whatever the data say', () => {
    const result = sequentialHarmTest({
      ...base,
      control: proportion(99, 10),
      treatment: proportion(99, 90),
    });
    expect(result.state).toBe('insufficient-data');
    // The numbers are still shown, so the console can say what is accruing.
    expect(result.pValue).toBeLessThan(0.05);
    expect(
      sequentialHarmTest({ ...base, control: proportion(99, 10), treatment: proportion(99, 90), minUnits: 50 })
        .state,
    ).toBe('harm');
  });

  it('reports insufficient data when the arms have zero variance', () => {
    const result = sequentialHarmTest({
      ...base,
      control: proportion(1_000, 0),
      treatment: proportion(1_000, 0),
    });
    expect(result).toEqual({
      state: 'insufficient-data',
      difference: 0,
      relativeDifference: null,
      interval: null,
      pValue: null,
      units: { control: 1_000, treatment: 1_000 },
    });
  });

  it('reports insufficient data for an empty arm without producing NaN', () => {
    const result = sequentialHarmTest({ ...base, treatment: proportion(0, 0) });
    expect(result.state).toBe('insufficient-data');
    expect(result.difference).toBeNull();
    expect(result.relativeDifference).toBeNull();
    expect(result.interval).toBeNull();
    expect(result.pValue).toBeNull();
  });

  it('accepts sums of squares a rounding error below sum^2/units', () => {
    // A constant metric (every value 0.1) summed in floating point.
    let sum = 0;
    let sumSquares = 0;
    for (let i = 0; i < 1000; i++) {
      sum += 0.1;
      sumSquares += 0.1 * 0.1;
    }
    const arm = { units: 1000, sum, sumSquares };
    expect(() =>
      sequentialHarmTest({ kind: 'mean', direction: 'lower_is_better', control: arm, treatment: arm, alpha: 0.05 }),
    ).not.toThrow();
  });

  it.each<[string, Partial<SequentialHarmTestInput>, RegExp]>([
    ['negative units', { control: { units: -1, sum: 0, sumSquares: 0 } }, /control\.units/],
    ['fractional units', { treatment: { units: 10.5, sum: 1, sumSquares: 1 } }, /treatment\.units/],
    ['successes above units', { treatment: proportion(100, 101) }, /treatment\.sum .*exceeds treatment\.units/],
    ['negative successes', { control: proportion(100, -1) }, /control\.sum/],
    [
      'proportion sumSquares differing from sum',
      { control: { units: 100, sum: 30, sumSquares: 20 } },
      /control\.sumSquares must equal control\.sum/,
    ],
    [
      'a negative variance',
      { kind: 'mean', control: { units: 100, sum: 1000, sumSquares: 9_000 } },
      /control\.sumSquares .*negative variance/,
    ],
    ['negative sumSquares', { kind: 'mean', treatment: { units: 10, sum: 0, sumSquares: -1 } }, /treatment\.sumSquares/],
    ['a sum without units', { kind: 'mean', control: { units: 0, sum: 5, sumSquares: 25 } }, /control\.sum/],
    ['alpha of 0.5', { alpha: 0.5 }, /alpha must be in \(0, 0\.5\)/],
    ['a negative margin', { margin: -0.01 }, /margin/],
    ['an unknown direction', { direction: 'sideways' as SequentialHarmTestInput['direction'] }, /direction/],
  ])('rejects %s, naming the field', (_label, override, message) => {
    expect(() => sequentialHarmTest({ ...base, ...override })).toThrow(message);
  });
});
