import { parse } from 'yaml';
import { scheduleSchema, schedulesFileSchema } from './schedule-definition';

const EXAMPLE = `
schedules:
  - id: ranking-primary
    name: Ranking primary
    timeZone: Europe/London
    layers:
      - name: weekly
        start: 2026-01-05T09:00
        rotation: { every: 1, unit: weeks }
        handoff: "09:00"
        participants: [alice, bob, carol]
      - name: business-hours
        start: 2026-01-05T09:00
        rotation: { unit: days }
        participants: [dave, erin]
        restrict: { days: [mon, tue, wed, thu, fri], from: "09:00", to: "17:00" }
    overrides:
      - { user: dave, start: 2026-03-28T18:00, end: 2026-03-30T09:00 }
    swaps:
      - { layer: weekly, shiftStart: 2026-04-06T09:00, from: bob, to: alice }
`;

const base = {
  id: 'ranking-primary',
  name: 'Ranking primary',
  timeZone: 'Europe/London',
  layers: [{ name: 'weekly', start: '2026-01-05T09:00', rotation: { every: 1, unit: 'weeks' }, participants: ['alice', 'bob', 'carol'] }],
};

/** `path: message` for every issue, to assert that errors name their field. */
function problems(input: unknown): string[] {
  const r = scheduleSchema.safeParse(input);
  if (r.success) return [];
  return r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('schedule definition', () => {
  it('accepts the documented YAML (local times stay strings in YAML 1.2) and fills defaults', () => {
    const file = schedulesFileSchema.parse(parse(EXAMPLE));
    const [s] = file.schedules;
    expect(s.layers[0].start).toBe('2026-01-05T09:00');
    expect(s.layers[1].rotation).toEqual({ every: 1, unit: 'days' });
    expect(s.overrides).toHaveLength(1);
    expect(scheduleSchema.parse(base)).toMatchObject({ overrides: [], swaps: [] });
  });

  it('rejects unknown fields, naming them', () => {
    const r = scheduleSchema.safeParse({ ...base, layers: [{ ...base.layers[0], handof: '09:00' }] });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['handof'], path: ['layers', 0] });
  });

  it('names the field of each malformed value', () => {
    expect(
      problems({
        ...base,
        timeZone: 'Europe/Londn',
        layers: [{ ...base.layers[0], start: '2026-01-05T09:00Z', rotation: { unit: 'months' }, handoff: '9am', participants: [] }],
      }),
    ).toEqual([
      'timeZone: must be an IANA time zone such as Europe/London or America/New_York',
      'layers.0.start: must be a local date and time without offset, e.g. 2026-01-05T09:00',
      'layers.0.rotation.unit: must be hours, days or weeks',
      'layers.0.handoff: must be a time of day such as "09:00"',
      'layers.0.participants: must list at least one participant',
    ]);
    expect(problems({ ...base, layers: [{ ...base.layers[0], restrict: {} }] })).toEqual([
      'layers.0.restrict: must set days, from/to, or both',
    ]);
    expect(problems({ ...base, layers: [{ ...base.layers[0], restrict: { days: ['monday'] } }] })).toEqual([
      'layers.0.restrict.days.0: must be one of mon, tue, wed, thu, fri, sat, sun',
    ]);
  });

  it('checks fields against each other once they are well-formed', () => {
    expect(
      problems({
        ...base,
        layers: [
          base.layers[0],
          { name: 'weekly', start: '2026-01-05T09:00', end: '2026-01-05T09:00', rotation: { unit: 'hours' }, handoff: '09:00', participants: ['x'] },
        ],
        overrides: [{ user: 'dave', start: '2026-03-30T09:00', end: '2026-03-28T18:00' }],
      }),
    ).toEqual([
      'layers.1.name: duplicate layer name weekly',
      'layers.1.end: must be after start',
      'layers.1.handoff: applies to days and weeks rotations only; an hourly rotation hands off every `every` hours from start',
      'overrides.0.end: must be after start',
    ]);
  });

  it('checks that a swap names a real shift of a real layer and its holder', () => {
    expect(problems({ ...base, swaps: [{ layer: 'daily', shiftStart: '2026-04-06T09:00', from: 'bob', to: 'alice' }] })).toEqual([
      'swaps.0.layer: no layer named daily (layers: weekly)',
    ]);
    expect(problems({ ...base, swaps: [{ layer: 'weekly', shiftStart: '2026-04-07T09:00', from: 'bob', to: 'alice' }] })).toEqual([
      'swaps.0.shiftStart: no shift of layer weekly starts at 2026-04-07T09:00; the shift around then starts at 2026-04-06T09:00 (bob)',
    ]);
    expect(problems({ ...base, swaps: [{ layer: 'weekly', shiftStart: '2026-04-06T09:00', from: 'alice', to: 'dave' }] })).toEqual([
      'swaps.0.from: the weekly shift at 2026-04-06T09:00 belongs to bob, not alice',
    ]);
    const twice = { layer: 'weekly', shiftStart: '2026-04-06T09:00', from: 'bob', to: 'dave' };
    expect(problems({ ...base, swaps: [twice, twice] })).toEqual(['swaps.1.shiftStart: this shift is already swapped above']);
    expect(problems({ ...base, swaps: [{ ...twice, to: 'bob' }] })).toEqual(['swaps.0.to: must differ from `from`']);
  });

  it('rejects duplicate schedule ids in a file', () => {
    const r = schedulesFileSchema.safeParse({ schedules: [base, base] });
    expect(r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(['schedules.1.id: duplicate schedule id ranking-primary']);
  });
});
