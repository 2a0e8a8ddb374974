// Which rollup rows answer a window: the one definition shared by the SQL store and the
// in-memory window cache, so both sum exactly the same buckets.
//
// Buckets are named by index: epoch minutes (start / 60 s) for minute rows, epoch hours
// (start / 3600 s) for hour rows.

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

/** Windows at least this long are answered from hour rollups (plus the current hour's minutes). */
export const HOUR_ROLLUP_MIN_WINDOW_SECONDS = 86_400;

/** An inclusive range of bucket indices; empty when `from > to`. */
export interface BucketRange {
  from: number;
  to: number;
}

export interface WindowPlan {
  minutes: BucketRange;
  /** Null when the window is answered from minute rows only. */
  hours: BucketRange | null;
}

export function minuteIndex(ms: number): number {
  return Math.floor(ms / MINUTE_MS);
}

export function hourIndex(ms: number): number {
  return Math.floor(ms / HOUR_MS);
}

/**
 * The buckets that make up the window of `windowSeconds` ending at `nowMs`.
 *
 * Short windows (under a day) take every minute bucket that starts at or after now - w and at
 * or before now: the oldest partial minute is left out rather than over-counted.
 *
 * Windows of a day and more take the full hours that start at or after now - w and end before
 * the current hour, plus the current hour's minute buckets up to now. The oldest partial hour
 * is left out, so such a window covers between w - 1h and w: less than 1/24 of a 1-day window,
 * 1/720 of a 30-day one. In exchange a 30-day window reads 720 hour rows per series instead of
 * 43,200 minute rows.
 */
export function windowPlan(nowMs: number, windowSeconds: number): WindowPlan {
  const nowMinute = minuteIndex(nowMs);
  const startMs = nowMs - windowSeconds * 1000;
  if (windowSeconds < HOUR_ROLLUP_MIN_WINDOW_SECONDS) {
    return { minutes: { from: Math.ceil(startMs / MINUTE_MS), to: nowMinute }, hours: null };
  }
  const currentHour = hourIndex(nowMs);
  return {
    minutes: { from: currentHour * 60, to: nowMinute },
    hours: { from: Math.ceil(startMs / HOUR_MS), to: currentHour - 1 },
  };
}
