// Durations as written in alert rules and SLO definitions ('5m', '1h', '30d', '4w'), kept as
// whole seconds so window lengths can be used as exact map keys and compared with ===.

const UNIT_SECONDS = {
  s: 1,
  m: 60,
  h: 3_600,
  d: 86_400,
  w: 604_800,
} as const;

type DurationUnit = keyof typeof UNIT_SECONDS;

// Largest unit first, so formatDuration picks the shortest exact spelling.
const UNITS_DESCENDING: readonly DurationUnit[] = ['w', 'd', 'h', 'm', 's'];

// One integer and one unit only: compound forms ('1h30m') and fractions ('1.5h') are rejected
// so that every rule file spells a window one way and formatDuration round-trips it.
const DURATION_PATTERN = /^(\d+)([smhdw])$/;

/**
 * Parses '30s', '5m', '1h', '1d', '4w' into whole seconds.
 * Throws an Error naming the bad value and the accepted form otherwise.
 */
export function parseDuration(value: string): number {
  const match = typeof value === 'string' ? DURATION_PATTERN.exec(value) : null;
  if (match === null) {
    throw new Error(
      `Invalid duration ${JSON.stringify(value)}: expected a whole number followed by one unit ` +
        '(s, m, h, d or w), e.g. "30s", "5m", "1h", "30d", "4w"',
    );
  }
  const amount = Number(match[1]);
  const seconds = amount * UNIT_SECONDS[match[2] as DurationUnit];
  if (!Number.isSafeInteger(seconds)) {
    throw new Error(`Invalid duration ${JSON.stringify(value)}: too large`);
  }
  return seconds;
}

/** Whether `value` is a duration parseDuration accepts (for schema refinements). */
export function isDuration(value: string): boolean {
  try {
    parseDuration(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * Formats whole seconds in the shortest exact form: 3600 -> '1h', 5400 -> '90m',
 * 2592000 -> '30d', 1209600 -> '2w', 0 -> '0s'. Throws on negative or fractional input,
 * which no window or rule duration can be.
 */
export function formatDuration(seconds: number): string {
  if (!Number.isSafeInteger(seconds) || seconds < 0) {
    throw new Error(
      `Cannot format duration ${String(seconds)}: expected a non-negative whole number of seconds`,
    );
  }
  if (seconds === 0) {
    return '0s';
  }
  for (const unit of UNITS_DESCENDING) {
    if (seconds % UNIT_SECONDS[unit] === 0) {
      return `${seconds / UNIT_SECONDS[unit]}${unit}`;
    }
  }
  // Unreachable: every integer is a multiple of one second.
  return `${seconds}s`;
}
