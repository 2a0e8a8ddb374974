import { z } from 'zod';
import { parseLocalDateTime, parseTimeOfDay } from './wall-time';

/**
 * One layer of an on-call schedule (a rotation of participants), as written under a schedule's
 * `layers:`; schedule-definition.ts holds the rest of the schedule. A file of its own so that
 * rotation.ts, which turns a layer into shifts, and the schedule schema, which checks swaps
 * against those shifts, do not import each other.
 */

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export const userId = z.string().trim().min(1, 'must be a user id (a Headroom user name or email)');
export const localDateTime = z
  .string()
  .refine((v) => parseLocalDateTime(v) !== null, 'must be a local date and time without offset, e.g. 2026-01-05T09:00');
export const timeOfDay = z.string().refine((v) => parseTimeOfDay(v) !== null, 'must be a time of day such as "09:00"');
const rotationSchema = z.strictObject({
  every: z.number().int().positive().default(1),
  unit: z.enum(['hours', 'days', 'weeks'], { error: 'must be hours, days or weeks' }),
});

/** Limits a layer to some days and/or a daily window; outside it the layers below apply. */
const restrictionSchema = z
  .strictObject({
    // The day a window *starts* on: `days: [fri]` with 18:00–09:00 covers Friday night.
    days: z.array(z.enum(WEEKDAYS, { error: `must be one of ${WEEKDAYS.join(', ')}` })).min(1).optional(),
    from: timeOfDay.optional(),
    // Equal to `from` (the default for both is 00:00) means the whole day; earlier than
    // `from` means the window runs past midnight.
    to: timeOfDay.optional(),
  })
  .refine((r) => r.days !== undefined || r.from !== undefined || r.to !== undefined, 'must set days, from/to, or both');

export const layerSchema = z.strictObject({
  name: z.string().trim().min(1, 'must name the layer'),
  /** Wall time the first shift starts; the rotation counts from here. */
  start: localDateTime,
  /** Optional wall time the layer stops (exclusive), to retire a rotation. */
  end: localDateTime.optional(),
  rotation: rotationSchema,
  /** Time of day shifts change hands (days/weeks rotations); default: the time of `start`. */
  handoff: timeOfDay.optional(),
  participants: z.array(userId).min(1, 'must list at least one participant'),
  restrict: restrictionSchema.optional(),
});

export type Weekday = (typeof WEEKDAYS)[number];
export type ScheduleLayer = z.output<typeof layerSchema>;
export type Rotation = z.output<typeof rotationSchema>;
export type LayerRestriction = z.output<typeof restrictionSchema>;
