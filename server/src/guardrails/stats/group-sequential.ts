// Group-sequential boundaries by Lan-DeMets alpha spending. When an experiment is analysed at a
// few planned looks, each look may only "spend" part of the false-positive budget alpha; the
// spending function alpha(t) = alpha * t^rho says how much may have been spent by the time a
// fraction t of the planned information (units) has arrived. The boundary at each look is the
// z the statistic must cross so that the chance of a first crossing there, under no effect, is
// exactly that look's share. rho = 2 (Spotify's default) spends little early, so early looks
// need overwhelming evidence and the last look's bound stays close to the fixed-horizon one.

import { normalCdf, normalPdf, normalQuantile, normalSurvival } from './distributions';

export interface GroupSequentialInput {
  /** Total false-positive rate over all looks (both tails together when sides = 2). */
  alpha: number;
  sides: 1 | 2;
  /** Information fractions of the looks: strictly increasing, in (0, 1], the last one 1. */
  looks: number[];
  /** Exponent of the spending function alpha * t^rho; default 2. */
  rho?: number;
}

export const GS_DEFAULT_RHO = 2;

// The numerical integration follows Armitage, McPherson and Rowe (1969) as used by ldbounds and
// gsDesign. On the information scale the unstandardized statistic is a Brownian motion B(t)
// (B(t) ~ N(0, t), independent increments), and Z_k = B(t_k) / sqrt(t_k). We carry the
// sub-density of B(t_k) over the paths that have not crossed any boundary yet, on a grid
// restricted to the continuation region, and push it through each Gaussian increment with
// Simpson's rule.

// Mass beyond this many standard deviations of B(t_k) is below 1e-18 and is dropped, which
// bounds the one-sided continuation region from below and any huge early boundary from above.
const TAIL_SDS = 9;
// Simpson nodes per standard deviation of the next increment, the width of the Gaussian
// convolution kernel. Bounds agree with a 40-node grid to ~1e-7 already at 4; 6 leaves room.
const NODES_PER_INCREMENT_SD = 6;
const MIN_NODES = 401;
// Caps the cost of a look (nodes times kernel neighbours) when looks are packed closer than the
// node budget would like; bounds there are then slightly less precise.
const MAX_NODES = 4001;
const MAX_Z = 40;

interface Grid {
  x: Float64Array;
  /** Simpson weight times the sub-density at each node. */
  weightedDensity: Float64Array;
}

function simpsonWeights(count: number, step: number): Float64Array {
  const weights = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const factor = i === 0 || i === count - 1 ? 1 : i % 2 === 1 ? 4 : 2;
    weights[i] = (factor * step) / 3;
  }
  return weights;
}

function nodeCount(width: number, resolution: number): number {
  let count = Math.ceil(width / resolution) + 1;
  count = Math.min(Math.max(count, MIN_NODES), MAX_NODES);
  return count % 2 === 1 ? count : count + 1; // Simpson's rule needs an odd count
}

/** Evenly spaced Simpson nodes on [lo, hi] with at least the given resolution. */
function nodes(lo: number, hi: number, resolution: number): { x: Float64Array; w: Float64Array } {
  const count = nodeCount(hi - lo, resolution);
  const step = (hi - lo) / (count - 1);
  const x = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    x[i] = lo + i * step;
  }
  return { x, w: simpsonWeights(count, step) };
}

/** Index range of the grid's nodes within `reach` of [from, to]; the grid is evenly spaced. */
function nodeRange(grid: Grid, from: number, to: number): [number, number] {
  const count = grid.x.length;
  const step = grid.x[1] - grid.x[0];
  const first = Math.max(0, Math.floor((from - grid.x[0]) / step));
  const last = Math.min(count - 1, Math.ceil((to - grid.x[0]) / step));
  return [first, last];
}

/** P(first crossing at this look) for a boundary c on the B scale, given the previous grid. */
function crossingProbability(grid: Grid, c: number, incrementSd: number, sides: 1 | 2): number {
  // Nodes more than TAIL_SDS increment sds inside the boundary cannot reach it.
  const reach = TAIL_SDS * incrementSd;
  let total = 0;
  const [firstUpper, lastUpper] = nodeRange(grid, c - reach, Number.POSITIVE_INFINITY);
  for (let j = firstUpper; j <= lastUpper; j++) {
    total += grid.weightedDensity[j] * normalSurvival((c - grid.x[j]) / incrementSd);
  }
  if (sides === 2) {
    const [firstLower, lastLower] = nodeRange(grid, Number.NEGATIVE_INFINITY, -c + reach);
    for (let j = firstLower; j <= lastLower; j++) {
      total += grid.weightedDensity[j] * normalCdf((-c - grid.x[j]) / incrementSd);
    }
  }
  return total;
}

/** Boundary z at a look, by bisection on the (decreasing) crossing probability. */
function solveBoundary(target: number, probabilityAtZ: (z: number) => number, sides: 1 | 2): number {
  let lo = sides === 2 ? 0 : -MAX_Z;
  let hi = MAX_Z;
  if (probabilityAtZ(hi) >= target) {
    return hi;
  }
  // 200 halvings of an 80-wide bracket reach double precision long before the loop ends.
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = 0.5 * (lo + hi);
    if (probabilityAtZ(mid) > target) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return 0.5 * (lo + hi);
}

function validate(input: GroupSequentialInput, rho: number): void {
  const { alpha, sides, looks } = input;
  // Above 0.5 a boundary could fall below zero and the continuation region collapse; no
  // guardrail design wants a false-positive rate that high anyway.
  if (!(alpha > 0 && alpha < 0.5)) {
    throw new Error(`alpha must be in (0, 0.5), got ${alpha}`);
  }
  if (sides !== 1 && sides !== 2) {
    throw new Error(`sides must be 1 or 2, got ${String(sides)}`);
  }
  if (!(Number.isFinite(rho) && rho > 0)) {
    throw new Error(`rho must be a positive number, got ${rho}`);
  }
  if (looks.length === 0) {
    throw new Error('looks must list at least one information fraction (the final look, 1)');
  }
  looks.forEach((t, i) => {
    if (!(t > 0 && t <= 1)) {
      throw new Error(`looks[${i}] must be in (0, 1], got ${t}`);
    }
    if (i > 0 && !(t > looks[i - 1])) {
      throw new Error(`looks must be strictly increasing: looks[${i}] = ${t} follows ${looks[i - 1]}`);
    }
  });
  if (looks[looks.length - 1] !== 1) {
    throw new Error(`the last look must be at information fraction 1, got ${looks[looks.length - 1]}`);
  }
}

/**
 * Boundary z per look for Lan-DeMets spending alpha * t^rho. For sides = 2 the bound is
 * symmetric (reject when |Z| >= b) and alpha covers both tails.
 */
export function groupSequentialBounds(input: GroupSequentialInput): number[] {
  const rho = input.rho ?? GS_DEFAULT_RHO;
  validate(input, rho);
  const { alpha, sides, looks } = input;
  const spent = (t: number): number => alpha * t ** rho;
  const bounds: number[] = [];

  // First look: B(t_1) is plain N(0, t_1), so the bound is a normal quantile.
  const first = spent(looks[0]);
  bounds.push(normalQuantile(1 - first / sides));

  let grid: Grid | null = null;
  for (let k = 0; k < looks.length; k++) {
    const t = looks[k];
    const sdB = Math.sqrt(t);
    if (k > 0 && grid !== null) {
      const incrementSd = Math.sqrt(t - looks[k - 1]);
      const previousGrid: Grid = grid;
      const target = spent(t) - spent(looks[k - 1]);
      bounds.push(
        solveBoundary(target, (z) => crossingProbability(previousGrid, z * sdB, incrementSd, sides), sides),
      );
    }
    if (k === looks.length - 1) {
      break;
    }
    // Sub-density of B(t_k) over paths still running, ready for the next increment.
    const c = bounds[k] * sdB;
    const hi = Math.min(c, TAIL_SDS * sdB);
    const lo = sides === 2 ? Math.max(-c, -TAIL_SDS * sdB) : -TAIL_SDS * sdB;
    const nextIncrementSd = Math.sqrt(looks[k + 1] - t);
    const { x, w } = nodes(lo, hi, Math.min(nextIncrementSd, sdB) / NODES_PER_INCREMENT_SD);
    const weightedDensity = new Float64Array(x.length);
    if (grid === null) {
      for (let i = 0; i < x.length; i++) {
        weightedDensity[i] = (w[i] * normalPdf(x[i] / sdB)) / sdB;
      }
    } else {
      const incrementSd = Math.sqrt(t - looks[k - 1]);
      // The Gaussian kernel is negligible beyond TAIL_SDS increment sds, so each node only
      // gathers from its neighbourhood: this is what keeps a hundred looks fast.
      const reach = TAIL_SDS * incrementSd;
      for (let i = 0; i < x.length; i++) {
        const [first, last] = nodeRange(grid, x[i] - reach, x[i] + reach);
        let density = 0;
        for (let j = first; j <= last; j++) {
          density += grid.weightedDensity[j] * normalPdf((x[i] - grid.x[j]) / incrementSd);
        }
        weightedDensity[i] = (w[i] * density) / incrementSd;
      }
    }
    grid = { x, weightedDensity };
  }
  return bounds;
}
