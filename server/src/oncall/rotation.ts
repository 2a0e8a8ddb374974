import type { ScheduleLayer } from './layer-definition';
import {
  addCalendarDays,
  atTimeOfDay,
  calendarDayNumber,
  instantToWallTime,
  parseLocalDateTime,
  parseTimeOfDay,
  wallTimeToInstant,
  type TimeOfDay,
} from './wall-time';

/**
 * One layer's raw rotation: who holds shift k, and when it starts and ends, before swaps,
 * restrictions, other layers and overrides are applied.
 *
 * Shift k (k = 0, 1, …) belongs to participants[k mod n]. Shift boundaries:
 * - hours: `start + k·every` real hours (elapsed time; a DST change does not move them);
 * - days/weeks: the `handoff` time of day (default: the time of `start`) on the calendar day
 *   `k·every` days (or weeks) after `start`'s date, in wall time, so a 09:00 handoff stays at
 *   09:00 local and the shift spanning a DST change lasts 23 or 25 hours. Shift 0 starts at
 *   `start` itself and runs to the first handoff one rotation later.
 * A boundary falling in a DST gap or overlap is resolved by the rule in wall-time.ts.
 */
export interface RotationShift {
  /** Index of the shift in the rotation, counted from the layer's start. */
  index: number;
  user: string;
  start: Date;
  end: Date;
}

const HOUR_MS = 3_600_000;

interface Compiled {
  end: Date | null;
  boundary: (k: number) => Date;
  /** A shift index no later than the one containing `at` (a lower bound to scan from). */
  firstIndexNear: (at: Date) => number;
}

function compile(layer: ScheduleLayer, zone: string): Compiled {
  const startWall = parseLocalDateTime(layer.start);
  if (!startWall) throw new Error(`layer ${layer.name}: bad start ${layer.start}`);
  const start = wallTimeToInstant(startWall, zone);
  const endWall = layer.end === undefined ? null : parseLocalDateTime(layer.end);
  const end = endWall ? wallTimeToInstant(endWall, zone) : null;
  const every = layer.rotation.every;
  if (layer.rotation.unit === 'hours') {
    const period = every * HOUR_MS;
    return {
      end,
      boundary: (k) => new Date(start.getTime() + k * period),
      firstIndexNear: (at) => Math.max(0, Math.floor((at.getTime() - start.getTime()) / period)),
    };
  }
  const stepDays = every * (layer.rotation.unit === 'weeks' ? 7 : 1);
  const handoff: TimeOfDay =
    (layer.handoff !== undefined ? parseTimeOfDay(layer.handoff) : null) ??
    { hour: startWall.hour, minute: startWall.minute, second: startWall.second };
  const startDay = calendarDayNumber(startWall);
  return {
    end,
    boundary: (k) => (k === 0 ? start : wallTimeToInstant(atTimeOfDay(addCalendarDays(startWall, k * stepDays), handoff), zone)),
    // One shift of slack: the handoff time of day may put `at` in the previous shift.
    firstIndexNear: (at) =>
      Math.max(0, Math.floor((calendarDayNumber(instantToWallTime(at, zone)) - startDay) / stepDays) - 1),
  };
}

/** Raw rotation shifts overlapping [from, to), cut at the layer's end. */
export function rotationShifts(layer: ScheduleLayer, zone: string, from: Date, to: Date): RotationShift[] {
  const c = compile(layer, zone);
  const limit = c.end && c.end < to ? c.end : to;
  const shifts: RotationShift[] = [];
  const n = layer.participants.length;
  const first = c.firstIndexNear(from);
  let start = c.boundary(first);
  for (let k = first; start < limit; k++) {
    const next = c.boundary(k + 1);
    const end = c.end && next > c.end ? c.end : next;
    // Skips a shift of no length (two handoffs resolving to one instant in an odd zone).
    if (end > start && end > from) shifts.push({ index: k, user: layer.participants[k % n], start, end });
    start = next;
  }
  return shifts;
}

/** The raw rotation shift containing `at`, or null before the layer starts / after it ends. */
export function layerShiftAt(layer: ScheduleLayer, zone: string, at: Date): RotationShift | null {
  return rotationShifts(layer, zone, at, new Date(at.getTime() + 1))[0] ?? null;
}
