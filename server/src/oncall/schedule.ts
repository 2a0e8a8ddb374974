import { rotationShifts } from './rotation';
import { WEEKDAYS, type LayerRestriction, type ScheduleLayer } from './layer-definition';
import type { Schedule } from './schedule-definition';
import {
  addCalendarDays,
  atTimeOfDay,
  instantToWallTime,
  isoWeekdayIndex,
  parseLocalDateTime,
  parseTimeOfDay,
  wallTimeToInstant,
  type TimeOfDay,
} from './wall-time';

/**
 * Who is on call, as pure functions of a schedule and instants. The final timeline is built in
 * three steps:
 * 1. each layer's rotation (rotation.ts), with swaps applied to whole shifts and then cut to
 *    the layer's restriction windows;
 * 2. layers stacked: at every instant the highest (last-listed) layer that has someone wins;
 *    where it has nobody (a restriction, before its start, after its end) the layers below
 *    show through;
 * 3. overrides on top of everything; where overrides overlap, the later-listed one wins.
 * Adjacent pieces with the same user, source and layer are merged into one shift.
 */

export type ShiftSource = 'rotation' | 'override' | 'swap';

export interface OnCallShift {
  user: string;
  start: Date;
  /** Exclusive. */
  end: Date;
  /** The layer the shift comes from; null for an override. */
  layer: string | null;
  source: ShiftSource;
}

/**
 * An override held as instants (those made through the API are stored so): exact even in the
 * repeated hour of a daylight-saving change, which a wall time cannot name. They count as listed
 * after the schedule's own overrides, so they win where they overlap.
 */
export interface InstantOverride {
  user: string;
  start: Date;
  end: Date;
}

export type ScheduleWithOverrides = Schedule & { instantOverrides?: readonly InstantOverride[] };

export interface OnCallNow {
  user: string;
  layer: string | null;
  source: ShiftSource;
  shiftStart: Date;
  shiftEnd: Date;
}

const DAY_MS = 86_400_000;
/**
 * How far past the asked range a shift's true start or end is looked for. A shift that goes on
 * longer (a one-person layer) is reported as starting or ending at this horizon.
 */
export const SHIFT_EXTENT_HORIZON_MS = 366 * DAY_MS;

/**
 * Final shifts overlapping [from, to), sorted by start. Each is reported with its full extent
 * (not cut at `from`/`to`), so the same shift keeps the same start and end whatever window a
 * caller asks for; see SHIFT_EXTENT_HORIZON_MS for the limit.
 */
export function shiftsInRange(schedule: Schedule, from: Date, to: Date): OnCallShift[] {
  if (!(to.getTime() > from.getTime())) return [];
  const shifts = compose(schedule, from, to);
  if (shifts.length === 0) return shifts;
  const first = shifts[0];
  if (first.start.getTime() === from.getTime()) first.start = extendBackward(schedule, first, from);
  const last = shifts[shifts.length - 1];
  if (last.end.getTime() === to.getTime()) last.end = extendForward(schedule, last, to);
  return shifts;
}

/** Who is on call at `at` (a shift's start is inclusive, its end exclusive), or null. */
export function whoIsOnCall(schedule: Schedule, at: Date): OnCallNow | null {
  const [shift] = shiftsInRange(schedule, at, new Date(at.getTime() + 1));
  if (!shift) return null;
  return { user: shift.user, layer: shift.layer, source: shift.source, shiftStart: shift.start, shiftEnd: shift.end };
}

interface Piece {
  user: string;
  start: number;
  end: number;
  layer: string | null;
  source: ShiftSource;
}

/** The final timeline inside [from, to), cut at both ends and merged. */
function compose(schedule: Schedule, from: Date, to: Date): OnCallShift[] {
  const lo = from.getTime();
  const hi = to.getTime();
  const zone = schedule.timeZone;
  const layers = schedule.layers.map((layer) => layerPieces(schedule, layer, from, to));
  const overrides: Piece[] = schedule.overrides
    .map((o) => ({
      user: o.user,
      start: Math.max(lo, wallTimeToInstant(parseLocalDateTime(o.start)!, zone).getTime()),
      end: Math.min(hi, wallTimeToInstant(parseLocalDateTime(o.end)!, zone).getTime()),
      layer: null,
      source: 'override' as const,
    }))
    .concat(
      ((schedule as ScheduleWithOverrides).instantOverrides ?? []).map((o) => ({
        user: o.user,
        start: Math.max(lo, o.start.getTime()),
        end: Math.min(hi, o.end.getTime()),
        layer: null,
        source: 'override' as const,
      })),
    )
    .filter((o) => o.end > o.start);

  const cuts = new Set<number>([lo, hi]);
  for (const p of [...layers.flat(), ...overrides]) {
    if (p.start > lo) cuts.add(p.start);
    if (p.end < hi) cuts.add(p.end);
  }
  const times = [...cuts].sort((a, b) => a - b);
  // Pieces within a layer are sorted and disjoint, so one cursor per layer sweeps them.
  const cursor = layers.map(() => 0);
  const out: Piece[] = [];
  for (let t = 0; t + 1 < times.length; t++) {
    const a = times[t];
    const b = times[t + 1];
    const winner = topPiece(a, layers, cursor, overrides);
    if (!winner) continue;
    const prev = out[out.length - 1];
    if (prev && prev.end === a && sameHolder(prev, winner)) prev.end = b;
    else out.push({ user: winner.user, start: a, end: b, layer: winner.layer, source: winner.source });
  }
  return out.map((p) => ({ user: p.user, start: new Date(p.start), end: new Date(p.end), layer: p.layer, source: p.source }));
}

function topPiece(at: number, layers: Piece[][], cursor: number[], overrides: Piece[]): Piece | null {
  for (let i = overrides.length - 1; i >= 0; i--) {
    if (overrides[i].start <= at && at < overrides[i].end) return overrides[i];
  }
  for (let i = layers.length - 1; i >= 0; i--) {
    const pieces = layers[i];
    while (cursor[i] < pieces.length && pieces[cursor[i]].end <= at) cursor[i] += 1;
    const p = pieces[cursor[i]];
    if (p && p.start <= at) return p;
  }
  return null;
}

function sameHolder(a: Pick<Piece, 'user' | 'layer' | 'source'>, b: Pick<Piece, 'user' | 'layer' | 'source'>): boolean {
  return a.user === b.user && a.layer === b.layer && a.source === b.source;
}

/** One layer's shifts overlapping [from, to) after swaps and restrictions, sorted, disjoint. */
function layerPieces(schedule: Schedule, layer: ScheduleLayer, from: Date, to: Date): Piece[] {
  const zone = schedule.timeZone;
  const swaps = new Map<number, { from: string; to: string }>();
  for (const s of schedule.swaps) {
    if (s.layer === layer.name) swaps.set(wallTimeToInstant(parseLocalDateTime(s.shiftStart)!, zone).getTime(), s);
  }
  const pieces: Piece[] = [];
  for (const shift of rotationShifts(layer, zone, from, to)) {
    const swap = swaps.get(shift.start.getTime());
    // A swap that no longer matches (the rotation was edited) is ignored; the schema reports it.
    const swapped = swap !== undefined && swap.from === shift.user;
    const base = {
      user: swapped ? swap.to : shift.user,
      layer: layer.name,
      source: swapped ? ('swap' as const) : ('rotation' as const),
    };
    const spans = layer.restrict
      ? restrictionWindows(layer.restrict, zone, shift.start, shift.end)
      : [[shift.start.getTime(), shift.end.getTime()] as const];
    for (const [s, e] of spans) {
      const start = Math.max(s, from.getTime());
      const end = Math.min(e, to.getTime());
      if (end > start) pieces.push({ ...base, start, end });
    }
  }
  return pieces;
}

/**
 * The parts of [start, end) inside a restriction's windows. Each allowed day opens a window at
 * `from` (wall time) that closes at `to` the same day, or the next day when `to` is not after
 * `from`; equal times mean the whole day. Restrictions cut shifts, they never move the rotation.
 */
function restrictionWindows(r: LayerRestriction, zone: string, start: Date, end: Date): Array<readonly [number, number]> {
  const open: TimeOfDay = parseTimeOfDay(r.from ?? '00:00')!;
  const close: TimeOfDay = parseTimeOfDay(r.to ?? r.from ?? '00:00')!;
  const closesNextDay = close.hour * 3600 + close.minute * 60 + close.second <= open.hour * 3600 + open.minute * 60 + open.second;
  const days = new Set((r.days ?? WEEKDAYS).map((d) => WEEKDAYS.indexOf(d)));
  const out: Array<readonly [number, number]> = [];
  // Start a day early: yesterday's window may run past midnight into the shift.
  let day = addCalendarDays(instantToWallTime(start, zone), -1);
  for (;;) {
    const ws = wallTimeToInstant(atTimeOfDay(day, open), zone).getTime();
    if (ws >= end.getTime()) break;
    if (days.has(isoWeekdayIndex(day))) {
      const we = wallTimeToInstant(atTimeOfDay(closesNextDay ? addCalendarDays(day, 1) : day, close), zone).getTime();
      const s = Math.max(ws, start.getTime());
      const e = Math.min(we, end.getTime());
      if (e > s) {
        const last = out[out.length - 1];
        // Back-to-back windows (whole days) are one stretch of the same shift.
        if (last && last[1] >= s) out[out.length - 1] = [last[0], Math.max(last[1], e)];
        else out.push([s, e]);
      }
    }
    day = addCalendarDays(day, 1);
  }
  return out;
}

/** Walks back from `edge` while the timeline keeps the same holder as `shift`. */
function extendBackward(schedule: Schedule, shift: OnCallShift, edge: Date): Date {
  const limit = edge.getTime() - SHIFT_EXTENT_HORIZON_MS;
  let cursor = edge.getTime();
  let window = DAY_MS;
  while (cursor > limit) {
    const lo = Math.max(limit, cursor - window);
    const before = compose(schedule, new Date(lo), new Date(cursor));
    const adjacent = before[before.length - 1];
    if (!adjacent || adjacent.end.getTime() !== cursor || !sameHolder(adjacent, shift)) break;
    if (adjacent.start.getTime() > lo) return adjacent.start;
    cursor = lo;
    window *= 2;
  }
  return new Date(cursor);
}

/** Walks forward from `edge` while the timeline keeps the same holder as `shift`. */
function extendForward(schedule: Schedule, shift: OnCallShift, edge: Date): Date {
  const limit = edge.getTime() + SHIFT_EXTENT_HORIZON_MS;
  let cursor = edge.getTime();
  let window = DAY_MS;
  while (cursor < limit) {
    const hi = Math.min(limit, cursor + window);
    const after = compose(schedule, new Date(cursor), new Date(hi));
    const adjacent = after[0];
    if (!adjacent || adjacent.start.getTime() !== cursor || !sameHolder(adjacent, shift)) break;
    if (adjacent.end.getTime() < hi) return adjacent.end;
    cursor = hi;
    window *= 2;
  }
  return new Date(cursor);
}
