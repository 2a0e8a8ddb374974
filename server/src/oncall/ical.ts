import { createHash } from 'node:crypto';
import ical, { type ICalCalendar } from 'ical-generator';
import type { Schedule } from './schedule-definition';
import { shiftsInRange, type OnCallShift } from './schedule';

/**
 * iCalendar feeds of on-call shifts, for subscribing from Google Calendar, Outlook or Apple
 * Calendar. One VEVENT per final shift (after layers, swaps and overrides).
 *
 * Times are written in UTC: a shift is a pair of instants, and a TZID would need a VTIMEZONE
 * block that every client then has to interpret; clients show UTC in the reader's own zone.
 * UIDs hash the schedule, layer, source, user and start instant, so refreshing a subscription
 * over a sliding window updates events instead of duplicating them (shiftsInRange reports whole
 * shifts, not shifts cut at the window's edges).
 */

export interface ScheduleICalOptions {
  calendarName: string;
  /** Where the feed is served, written as the calendar's URL. */
  url?: string;
  /** DTSTAMP of every event; pass the clock's now. Defaults to `from` so output is a pure function. */
  stamp?: Date;
}

export interface UserICalOptions {
  /** Default: "On call: <userId>". */
  calendarName?: string;
  url?: string;
  stamp?: Date;
}

const PROD_ID = { company: 'Headroom', product: 'On-call', language: 'EN' };

/** Every shift of one schedule overlapping [from, to), whoever holds it. */
export function scheduleToICal(schedule: Schedule, from: Date, to: Date, options: ScheduleICalOptions): string {
  const cal = calendar(options.calendarName, options.url);
  for (const shift of shiftsInRange(schedule, from, to)) {
    addShift(cal, schedule, shift, options.stamp ?? from, true);
  }
  return cal.toString();
}

/** One person's shifts overlapping [from, to) across several schedules. */
export function userToICal(
  userId: string,
  schedules: readonly Schedule[],
  from: Date,
  to: Date,
  options: UserICalOptions = {},
): string {
  const cal = calendar(options.calendarName ?? `On call: ${userId}`, options.url);
  const mine = schedules.flatMap((schedule) =>
    shiftsInRange(schedule, from, to)
      .filter((shift) => shift.user === userId)
      .map((shift) => ({ schedule, shift })),
  );
  mine.sort((a, b) => a.shift.start.getTime() - b.shift.start.getTime() || a.schedule.id.localeCompare(b.schedule.id));
  for (const { schedule, shift } of mine) addShift(cal, schedule, shift, options.stamp ?? from, false);
  return cal.toString();
}

/** The summary line of a shift's event, e.g. "On call: Ranking primary (weekly)". */
export function shiftSummary(schedule: Schedule, shift: OnCallShift, withUser: boolean): string {
  const what = shift.source === 'override' ? 'override' : shift.source === 'swap' ? `${shift.layer}, swap` : shift.layer;
  const base = `On call: ${schedule.name} (${what})`;
  return withUser ? `${base}: ${shift.user}` : base;
}

/** Stable event UID for a shift of a schedule. */
export function shiftUid(scheduleId: string, shift: OnCallShift): string {
  const key = [scheduleId, shift.layer ?? '', shift.source, shift.user, shift.start.toISOString()].join('\u0000');
  return `oncall-${scheduleId}-${createHash('sha256').update(key).digest('hex').slice(0, 24)}@headroom`;
}

function calendar(name: string, url: string | undefined): ICalCalendar {
  return ical({ name, prodId: PROD_ID, url: url ?? null });
}

function addShift(cal: ICalCalendar, schedule: Schedule, shift: OnCallShift, stamp: Date, withUser: boolean): void {
  const how =
    shift.source === 'override' ? 'an override' : shift.source === 'swap' ? `a swap in layer ${shift.layer}` : `layer ${shift.layer}`;
  cal.createEvent({
    id: shiftUid(schedule.id, shift),
    start: shift.start,
    end: shift.end,
    stamp,
    summary: shiftSummary(schedule, shift, withUser),
    description: `${shift.user} is on call for ${schedule.name} (${schedule.id}) by ${how}.`,
  });
}
