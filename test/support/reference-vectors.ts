import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

// The reference values live outside the repository (in CI the repo is cloned next to a
// `shared/` folder), so every spec resolves them the same way from here instead of
// hard-coding an absolute path.
// test/support -> test -> <repo root> -> <repo root>/..
export const REFERENCE_VECTORS_PATH = path.resolve(
  __dirname,
  '../../../shared/reference/vectors.json',
);

/** A histogram bound as written in the vectors file: a number, or the string "+Inf". */
export type VectorBound = number | '+Inf';

export interface HistogramQuantileCase {
  buckets: Array<[VectorBound, number]>;
  q: number;
  /** A number, or "NaN" when Prometheus answers NaN. */
  want: number | 'NaN';
}

export interface BurnRateWindowPairVector {
  severity: 'page' | 'ticket';
  long: string;
  short: string;
  burn_rate: number;
  budget_consumed: number;
}

export interface SequentialCase {
  alpha: number;
  N_tune: number;
  z?: number;
  N?: number;
  want_rho?: number;
  want_p?: number;
}

export interface GroupSequentialCase {
  alpha: number;
  sides: 1 | 2;
  looks: number[];
  want_z: number[];
}

export interface NonInferiorityCase {
  metric: string;
  direction: 'lower_is_better' | 'higher_is_better';
  p_control: number;
  p_treatment: number;
  n_per_arm: number;
  nim: number;
  alpha: number;
  want_z: number;
  want_p: number;
  want_non_inferior: boolean;
}

export interface SampleRatioMismatchCase {
  observed: number[];
  expected_share: number[];
  want_chi2: number;
  want_p: number;
  threshold: number;
  want_flag: boolean;
}

export interface ReferenceVectors {
  histogram_quantile: {
    source: string;
    rules: string[];
    cases: HistogramQuantileCase[];
  };
  burn_rate: {
    source: string;
    formulas: Record<string, string>;
    page_and_ticket_windows_30d: BurnRateWindowPairVector[];
    combine: string;
    detection_seconds_full_outage_objective_0_999_constant_traffic: Record<string, number>;
    reset_seconds_after_full_outage_ends_14_4x_1h_5m: number;
  };
  sequential_confidence_sequence: {
    source: string;
    formulas: Record<string, string>;
    cases: SequentialCase[];
  };
  group_sequential_bounds: { source: string; cases: GroupSequentialCase[] };
  non_inferiority: { source: string; rule: string; cases: NonInferiorityCase[] };
  sample_ratio_mismatch: { source: string; cases: SampleRatioMismatchCase[] };
}

// The file uses keys with dots and slashes ("..._0.999_...", "14.4x_1h/5m"); they are
// renamed here so specs can use plain property access.
const DETECTION_KEY = 'detection_seconds_full_outage_objective_0.999_constant_traffic';
const RESET_KEY = 'reset_seconds_after_full_outage_ends_14.4x_1h/5m';

interface RawBurnRate extends Omit<
  ReferenceVectors['burn_rate'],
  | 'detection_seconds_full_outage_objective_0_999_constant_traffic'
  | 'reset_seconds_after_full_outage_ends_14_4x_1h_5m'
> {
  [DETECTION_KEY]: Record<string, number>;
  [RESET_KEY]: number;
}

interface RawVectors extends Omit<ReferenceVectors, 'burn_rate'> {
  burn_rate: RawBurnRate;
}

/** Converts a vectors-file bound ("+Inf" or a number) to a number. */
export function vectorBound(bound: VectorBound): number {
  return bound === '+Inf' ? Number.POSITIVE_INFINITY : bound;
}

export function loadReferenceVectors(file: string = REFERENCE_VECTORS_PATH): ReferenceVectors {
  if (!existsSync(file)) {
    throw new Error(
      `Reference vectors not found at ${file}: clone or copy the shared/ folder next to the ` +
        'repository (so that <repo>/../shared/reference/vectors.json exists).',
    );
  }
  const raw = JSON.parse(readFileSync(file, 'utf8')) as RawVectors;
  const { [DETECTION_KEY]: detection, [RESET_KEY]: reset, ...burnRest } = raw.burn_rate;
  if (detection === undefined || reset === undefined) {
    throw new Error(`${file}: burn_rate is missing "${DETECTION_KEY}" or "${RESET_KEY}"`);
  }
  return {
    ...raw,
    burn_rate: {
      ...burnRest,
      detection_seconds_full_outage_objective_0_999_constant_traffic: detection,
      reset_seconds_after_full_outage_ends_14_4x_1h_5m: reset,
    },
  };
}
