import { z } from 'zod';
import { layerSchema, localDateTime, userId } from './layer-definition';
import { layerShiftAt } from './rotation';
import { formatWallTime, instantToWallTime, isValidTimeZone, parseLocalDateTime, wallTimeToInstant } from './wall-time';

/**
 * The on-call schedule schema, as written under `schedules:` in alerts/*.yaml and sent through
 * the API. Strict: an unknown field is an error, so a typo never silently leaves a gap in who
 * gets paged. Every local time is wall-clock time in the schedule's `timeZone`.
 *
 * A *layer* is one rotation (a list of participants taking turns); later layers sit on top of
 * earlier ones and win wherever they have someone. An *override* puts one person on call for a
 * stretch, over every layer. A *swap* hands one rotation shift to someone else.
 */


const scheduleId = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lowercase letters, digits and dashes');
const timeZone = z
  .string()
  .refine(isValidTimeZone, 'must be an IANA time zone such as Europe/London or America/New_York');


const overrideSchema = z.strictObject({
  user: userId,
  start: localDateTime,
  end: localDateTime,
});

const swapSchema = z.strictObject({
  layer: z.string().min(1),
  /** Wall time the swapped rotation shift starts, exactly as the rotation starts it. */
  shiftStart: localDateTime,
  from: userId,
  to: userId,
});

// Cross-field checks need well-formed times and a real zone, so they run once those pass
// (zod v4 would otherwise run them on a half-valid object).
const onceFieldsAreValid = { when: (payload: { issues: readonly unknown[] }) => payload.issues.length === 0 };

export const scheduleSchema = z
  .strictObject({
    id: scheduleId,
    name: z.string().trim().min(1, 'must give the schedule a name'),
    timeZone,
    layers: z.array(layerSchema).min(1, 'must have at least one layer'),
    overrides: z.array(overrideSchema).default([]),
    swaps: z.array(swapSchema).default([]),
  })
  .superRefine((schedule, ctx) => {
    const zone = schedule.timeZone;
    const at = (text: string) => wallTimeToInstant(parseLocalDateTime(text)!, zone);
    const layerIndex = new Map<string, number>();
    schedule.layers.forEach((layer, i) => {
      if (layerIndex.has(layer.name)) {
        ctx.addIssue({ code: 'custom', path: ['layers', i, 'name'], message: `duplicate layer name ${layer.name}` });
      } else layerIndex.set(layer.name, i);
      if (layer.end !== undefined && at(layer.end) <= at(layer.start)) {
        ctx.addIssue({ code: 'custom', path: ['layers', i, 'end'], message: 'must be after start' });
      }
      if (layer.handoff !== undefined && layer.rotation.unit === 'hours') {
        ctx.addIssue({
          code: 'custom',
          path: ['layers', i, 'handoff'],
          message: 'applies to days and weeks rotations only; an hourly rotation hands off every `every` hours from start',
        });
      }
    });
    schedule.overrides.forEach((o, i) => {
      if (at(o.end) <= at(o.start)) {
        ctx.addIssue({ code: 'custom', path: ['overrides', i, 'end'], message: 'must be after start' });
      }
    });
    const swapped = new Set<string>();
    schedule.swaps.forEach((swap, i) => {
      const li = layerIndex.get(swap.layer);
      if (li === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['swaps', i, 'layer'],
          message: `no layer named ${swap.layer} (layers: ${[...layerIndex.keys()].join(', ')})`,
        });
        return;
      }
      if (swap.from === swap.to) {
        ctx.addIssue({ code: 'custom', path: ['swaps', i, 'to'], message: 'must differ from `from`' });
      }
      const layer = schedule.layers[li];
      const instant = at(swap.shiftStart);
      const shift = layerShiftAt(layer, zone, instant);
      if (!shift || shift.start.getTime() !== instant.getTime()) {
        const hint = shift ? `; the shift around then starts at ${formatWallTime(instantToWallTime(shift.start, zone))} (${shift.user})` : '';
        ctx.addIssue({
          code: 'custom',
          path: ['swaps', i, 'shiftStart'],
          message: `no shift of layer ${swap.layer} starts at ${swap.shiftStart}${hint}`,
        });
        return;
      }
      if (shift.user !== swap.from) {
        ctx.addIssue({
          code: 'custom',
          path: ['swaps', i, 'from'],
          message: `the ${swap.layer} shift at ${swap.shiftStart} belongs to ${shift.user}, not ${swap.from}`,
        });
      }
      const key = `${swap.layer}\u0000${instant.getTime()}`;
      if (swapped.has(key)) {
        ctx.addIssue({ code: 'custom', path: ['swaps', i, 'shiftStart'], message: 'this shift is already swapped above' });
      }
      swapped.add(key);
    });
  }, onceFieldsAreValid);

/** The `schedules:` section of an alerts/*.yaml file. */
export const schedulesFileSchema = z
  .strictObject({ schedules: z.array(scheduleSchema) })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.schedules.forEach((s, i) => {
      if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: ['schedules', i, 'id'], message: `duplicate schedule id ${s.id}` });
      seen.add(s.id);
    });
  }, onceFieldsAreValid);

export type Schedule = z.output<typeof scheduleSchema>;
/** What a YAML file or API request may contain (defaults not yet filled in). */
export type ScheduleInput = z.input<typeof scheduleSchema>;
export type ScheduleOverride = z.output<typeof overrideSchema>;
export type ShiftSwap = z.output<typeof swapSchema>;
export type SchedulesFile = z.output<typeof schedulesFileSchema>;
