import type * as XoroshiroModule from 'pure-rand/lib/generator/xoroshiro128plus';

import { loadReferenceVectors } from '../../../../test/support/reference-vectors';
import { normalQuantile } from './distributions';
import { groupSequentialBounds } from './group-sequential';

// See sources/simulator/traffic-model.ts for why pure-rand is loaded this way.
const { xoroshiro128plus } =
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('pure-rand/generator/xoroshiro128plus') as typeof XoroshiroModule;

describe('groupSequentialBounds: reference vectors', () => {
  const { cases } = loadReferenceVectors().group_sequential_bounds;
  const TOLERANCE = 2e-3; // stated by the vectors file

  it.each(cases)('alpha $alpha, $sides-sided, looks $looks', ({ alpha, sides, looks, want_z }) => {
    const bounds = groupSequentialBounds({ alpha, sides, looks });
    expect(bounds).toHaveLength(want_z.length);
    bounds.forEach((z, i) => {
      expect(Math.abs(z - want_z[i])).toBeLessThan(TOLERANCE);
    });
  });
});

describe('groupSequentialBounds', () => {
  it('with one look is the fixed-horizon test', () => {
    expect(groupSequentialBounds({ alpha: 0.05, sides: 1, looks: [1] })[0]).toBeCloseTo(
      normalQuantile(0.95),
      12,
    );
    expect(groupSequentialBounds({ alpha: 0.05, sides: 2, looks: [1] })[0]).toBeCloseTo(
      normalQuantile(0.975),
      12,
    );
  });

  it('spends exactly alpha * t1^rho at the first look', () => {
    const [first] = groupSequentialBounds({ alpha: 0.05, sides: 1, looks: [0.3, 1], rho: 3 });
    expect(first).toBeCloseTo(normalQuantile(1 - 0.05 * 0.3 ** 3), 12);
  });

  it('stays above the fixed-horizon bound at the end and falls as information grows', () => {
    const looks = Array.from({ length: 20 }, (_, i) => (i + 1) / 20);
    const bounds = groupSequentialBounds({ alpha: 0.05, sides: 1, looks });
    for (let i = 1; i < bounds.length; i++) {
      expect(bounds[i]).toBeLessThan(bounds[i - 1]);
    }
    expect(bounds[bounds.length - 1]).toBeGreaterThan(normalQuantile(0.95));
  });

  // An independent check of the numerical integration: simulate the statistic at the looks (a
  // Brownian motion observed at the information fractions) and count first crossings. The
  // cumulative crossing rate must follow the spending function alpha * t^2.
  it.each([1, 2] as const)('spends alpha * t^2 by each look (%i-sided, Monte Carlo)', (sides) => {
    const alpha = 0.05;
    const looks = [0.2, 0.45, 0.7, 1];
    const bounds = groupSequentialBounds({ alpha, sides, looks });
    const rng = xoroshiro128plus(sides === 1 ? 11 : 22);
    const uniform = (): number => ((rng.next() >>> 0) * 2 ** 21 + (rng.next() >>> 11)) / 2 ** 53;
    const runs = 100_000;
    const crossedBy = new Array<number>(looks.length).fill(0);
    for (let run = 0; run < runs; run++) {
      let b = 0;
      let previous = 0;
      for (let k = 0; k < looks.length; k++) {
        // Box-Muller; one of the pair is enough here.
        const normal = Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
        b += Math.sqrt(looks[k] - previous) * normal;
        previous = looks[k];
        const z = b / Math.sqrt(looks[k]);
        if ((sides === 1 ? z : Math.abs(z)) >= bounds[k]) {
          for (let later = k; later < looks.length; later++) {
            crossedBy[later]++;
          }
          break;
        }
      }
    }
    looks.forEach((t, k) => {
      const expected = alpha * t ** 2;
      const monteCarloSd = Math.sqrt((expected * (1 - expected)) / runs);
      expect(Math.abs(crossedBy[k] / runs - expected)).toBeLessThan(4 * monteCarloSd);
    });
  });

  it.each([
    [{ alpha: 0, sides: 1 as const, looks: [1] }, /alpha must be in/],
    [{ alpha: 0.5, sides: 2 as const, looks: [0.5, 1] }, /alpha must be in \(0, 0\.5\)/],
    [{ alpha: 0.05, sides: 3 as unknown as 1, looks: [1] }, /sides must be 1 or 2/],
    [{ alpha: 0.05, sides: 1 as const, looks: [] }, /at least one/],
    [{ alpha: 0.05, sides: 1 as const, looks: [0.5, 0.5, 1] }, /strictly increasing/],
    [{ alpha: 0.05, sides: 1 as const, looks: [0, 1] }, /looks\[0\] must be in \(0, 1\]/],
    [{ alpha: 0.05, sides: 1 as const, looks: [0.5, 0.9] }, /last look must be at information fraction 1/],
    [{ alpha: 0.05, sides: 1 as const, looks: [1], rho: 0 }, /rho must be a positive number/],
  ])('rejects invalid input %#', (input, message) => {
    expect(() => groupSequentialBounds(input)).toThrow(message);
  });
});
