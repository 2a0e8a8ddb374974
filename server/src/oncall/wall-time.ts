import { DateTime, IANAZone } from 'luxon';

/**
 * Wall-clock ("local") times in a schedule's IANA time zone, and the one rule that turns them
 * into instants. Schedules are written the way people think about them ("handoff at 09:00
 * London time"), so the calendar arithmetic happens on wall times and only the final step
 * picks an instant.
 *
 * The DST rule (RFC 5545 §3.3.5, also Temporal's `disambiguation: 'compatible'`):
 * - a wall time that does not exist (the spring-forward gap, e.g. 01:30 in London on the last
 *   Sunday of March) is read with the UTC offset in force before the gap, so it lands as far
 *   past the gap's start as it was written: 01:30 becomes 02:30 BST;
 * - a wall time that happens twice (the autumn fall-back, e.g. 01:30 in London on the last
 *   Sunday of October) means the first occurrence, still on summer time: 01:30 BST.
 * luxon alone shifts gaps forward the same way but picks the *second* occurrence of an
 * ambiguous time, so the rule is applied here explicitly rather than inherited.
 */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export interface TimeOfDay {
  hour: number;
  minute: number;
  second: number;
}

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;
const TIME_OF_DAY = /^(\d{2}):(\d{2})(?::(\d{2}))?$/;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
// Wider than any real offset change (the largest, Samoa skipping a day in 2011, is 24 h), so
// the offsets either side of the wall time always include the ones before and after a change.
const PROBE_MS = 36 * 3_600_000;

/** Parses `2026-01-05T09:00` or `2026-01-05T09:00:30` (no offset: it is wall time). */
export function parseLocalDateTime(text: string): WallTime | null {
  const m = LOCAL_DATE_TIME.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute] = [1, 2, 3, 4, 5].map((i) => Number(m[i]));
  const second = m[6] === undefined ? 0 : Number(m[6]);
  // Date.UTC reads years below 100 as 19xx; nothing on call predates 1970 anyway.
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  return { year, month, day, hour, minute, second };
}

/** Parses `09:00` or `09:00:30`. */
export function parseTimeOfDay(text: string): TimeOfDay | null {
  const m = TIME_OF_DAY.exec(text);
  if (!m) return null;
  const hour = Number(m[1]);
  const minute = Number(m[2]);
  const second = m[3] === undefined ? 0 : Number(m[3]);
  if (hour > 23 || minute > 59 || second > 59) return null;
  return { hour, minute, second };
}

export function isValidTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/** The instant a wall time denotes in `zone`, by the DST rule above. */
export function wallTimeToInstant(wall: WallTime, zone: string): Date {
  const tz = IANAZone.create(zone);
  if (!tz.isValid) throw new Error(`unknown time zone ${zone}`);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  const before = tz.offset(asUtc - PROBE_MS);
  const offsets = new Set([before, tz.offset(asUtc), tz.offset(asUtc + PROBE_MS)]);
  let earliest: number | null = null;
  for (const offset of offsets) {
    const instant = asUtc - offset * MINUTE_MS;
    // A candidate is real only if the zone agrees it is on that offset at that instant.
    if (tz.offset(instant) === offset && (earliest === null || instant < earliest)) earliest = instant;
  }
  return new Date(earliest ?? asUtc - before * MINUTE_MS);
}

/** The wall time at `instant` in `zone`. */
export function instantToWallTime(instant: Date, zone: string): WallTime {
  const dt = DateTime.fromJSDate(instant, { zone });
  return { year: dt.year, month: dt.month, day: dt.day, hour: dt.hour, minute: dt.minute, second: dt.second };
}

/** Calendar arithmetic: the same time of day `days` calendar days later (no zone involved). */
export function addCalendarDays(wall: WallTime, days: number): WallTime {
  const d = new Date(Date.UTC(wall.year, wall.month - 1, wall.day + days));
  return { ...wall, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Same calendar day, another time of day. */
export function atTimeOfDay(wall: WallTime, time: TimeOfDay): WallTime {
  return { ...wall, hour: time.hour, minute: time.minute, second: time.second };
}

/** Days since 1970-01-01 of the wall time's calendar date; differences count calendar days. */
export function calendarDayNumber(wall: WallTime): number {
  return Math.floor(Date.UTC(wall.year, wall.month - 1, wall.day) / DAY_MS);
}

/** 0 = Monday … 6 = Sunday (ISO order, matching how schedules list days). */
export function isoWeekdayIndex(wall: WallTime): number {
  return (new Date(Date.UTC(wall.year, wall.month - 1, wall.day)).getUTCDay() + 6) % 7;
}

export function formatWallTime(wall: WallTime): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const base = `${p(wall.year, 4)}-${p(wall.month)}-${p(wall.day)}T${p(wall.hour)}:${p(wall.minute)}`;
  return wall.second === 0 ? base : `${base}:${p(wall.second)}`;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
