// Monte Carlo check that the sequential harm test keeps its promise when it is looked at over and
// over, as Headroom does after every ingest batch: under no effect it declares harm at most
// alpha of the time over a whole experiment, and a real harm is caught in most experiments.

import type * as XoroshiroModule from 'pure-rand/lib/generator/xoroshiro128plus';

import { sequentialHarmTest } from './confidence-sequence';

// pure-rand publishes its entry points only through package.json "exports", which the server's
// `moduleResolution: node10` does not read: the types come from the file path and the value from
// the exported subpath (see sources/simulator/traffic-model.ts).
const { xoroshiro128plus } =
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('pure-rand/generator/xoroshiro128plus') as typeof XoroshiroModule;

type RandomGenerator = ReturnType<typeof xoroshiro128plus>;

function uniform(rng: RandomGenerator): number {
  const high = rng.next() >>> 0;
  const low = rng.next() >>> 11;
  return (high * 2 ** 21 + low) / 2 ** 53;
}

function standardNormal(rng: RandomGenerator): number {
  const u1 = 1 - uniform(rng); // (0, 1], so the log is finite
  const u2 = uniform(rng);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

// Successes in a batch of units, by the normal approximation to the binomial: a batch here has
// n p(1-p) >= 40, where the approximation is good, and one draw per batch instead of one per
// unit keeps thousands of simulated experiments within a couple of seconds.
function binomialBatch(rng: RandomGenerator, n: number, p: number): number {
  const draw = Math.round(n * p + Math.sqrt(n * p * (1 - p)) * standardNormal(rng));
  return Math.min(n, Math.max(0, draw));
}

interface Scenario {
  runs: number;
  looks: number;
  unitsPerArm: number;
  pControl: number;
  pTreatment: number;
  alpha: number;
  seed: number;
}

/** Share of simulated experiments in which any look declared harm. */
function harmRate(scenario: Scenario): number {
  const { runs, looks, unitsPerArm, pControl, pTreatment, alpha, seed } = scenario;
  const rng = xoroshiro128plus(seed);
  const batch = unitsPerArm / looks;
  let harmed = 0;
  for (let run = 0; run < runs; run++) {
    let controlSuccesses = 0;
    let treatmentSuccesses = 0;
    for (let look = 1; look <= looks; look++) {
      controlSuccesses += binomialBatch(rng, batch, pControl);
      treatmentSuccesses += binomialBatch(rng, batch, pTreatment);
      const units = batch * look;
      const result = sequentialHarmTest({
        kind: 'proportion',
        direction: 'lower_is_better',
        control: { units, sum: controlSuccesses, sumSquares: controlSuccesses },
        treatment: { units, sum: treatmentSuccesses, sumSquares: treatmentSuccesses },
        alpha,
      });
      if (result.state === 'harm') {
        harmed++;
        break; // a guardrail that fired stops the experiment
      }
    }
  }
  return harmed / runs;
}

describe('sequentialHarmTest under continuous monitoring (Monte Carlo, seeded)', () => {
  const alpha = 0.05;

  it('keeps the false-harm rate of an A/A experiment at or under alpha over 100 looks', () => {
    const runs = 4000;
    const rate = harmRate({
      runs,
      looks: 100,
      unitsPerArm: 20_000,
      pControl: 0.3,
      pTreatment: 0.3,
      alpha,
      seed: 20240611,
    });
    console.log(`A/A false-harm rate over ${runs} runs: ${rate}`);
    expect(rate).toBeLessThanOrEqual(alpha + 3 * Math.sqrt((alpha * (1 - alpha)) / runs));
  });

  // Anytime validity has a price: against a 5% relative rise (0.300 -> 0.315) the sequence
  // needs more units than a single fixed-horizon test would. 20,000 units per arm catch it in
  // about three experiments out of four, 50,000 in nearly all.
  it.each([
    { unitsPerArm: 20_000, atLeast: 0.65 },
    { unitsPerArm: 50_000, atLeast: 0.95 },
  ])(
    'detects a 5% relative rise in skip rate by $unitsPerArm units per arm',
    ({ unitsPerArm, atLeast }) => {
      const runs = 1000;
      const rate = harmRate({
        runs,
        looks: 100,
        unitsPerArm,
        pControl: 0.3,
        pTreatment: 0.315,
        alpha,
        seed: 7,
      });
      console.log(`power against +5% relative skip rate, ${unitsPerArm}/arm, ${runs} runs: ${rate}`);
      expect(rate).toBeGreaterThanOrEqual(atLeast);
    },
  );
});
