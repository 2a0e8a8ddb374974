import { scheduleSchema, type ScheduleInput } from './schedule-definition';
import { SHIFT_EXTENT_HORIZON_MS, shiftsInRange, whoIsOnCall, type OnCallShift } from './schedule';

const HOUR = 3_600_000;
const d = (iso: string) => new Date(iso);
const hoursOf = (s: OnCallShift) => (s.end.getTime() - s.start.getTime()) / HOUR;
const row = (s: OnCallShift) => `${s.user} ${s.start.toISOString()} → ${s.end.toISOString()} ${s.layer ?? '-'} ${s.source}`;
const rows = (shifts: OnCallShift[]) => shifts.map(row);

type LayerInput = ScheduleInput['layers'][number];
function schedule(timeZone: string, layers: LayerInput[], extra: Partial<ScheduleInput> = {}) {
  return scheduleSchema.parse({ id: 'ranking-primary', name: 'Ranking primary', timeZone, layers, ...extra });
}
const trio = ['alice', 'bob', 'carol'];
const daily = (timeZone: string, start: string, extra: Partial<LayerInput> = {}) =>
  schedule(timeZone, [{ name: 'daily', start, rotation: { every: 1, unit: 'days' }, participants: trio, ...extra }]);
// Mondays 09:00, alice from 2026-01-05: … carol 03-23, alice 03-30, bob 04-06 … carol 10-19, alice 10-26.
const weeklyLayer: LayerInput = { name: 'weekly', start: '2026-01-05T09:00', rotation: { every: 1, unit: 'weeks' }, participants: trio };
const weekly = (timeZone: string, extra: Partial<ScheduleInput> = {}) => schedule(timeZone, [weeklyLayer], extra);

describe('rotations across DST in Europe/London', () => {
  it('keeps a daily 09:00 handoff at 09:00 local across the spring change (23 h shift)', () => {
    const shifts = shiftsInRange(daily('Europe/London', '2026-03-26T09:00'), d('2026-03-27T12:00Z'), d('2026-03-30T12:00Z'));
    expect(rows(shifts)).toEqual([
      'bob 2026-03-27T09:00:00.000Z → 2026-03-28T09:00:00.000Z daily rotation', // 09:00 GMT
      'carol 2026-03-28T09:00:00.000Z → 2026-03-29T08:00:00.000Z daily rotation', // to 09:00 BST
      'alice 2026-03-29T08:00:00.000Z → 2026-03-30T08:00:00.000Z daily rotation',
      'bob 2026-03-30T08:00:00.000Z → 2026-03-31T08:00:00.000Z daily rotation',
    ]);
    expect(shifts.map(hoursOf)).toEqual([24, 23, 24, 24]);
  });

  it('keeps a daily 09:00 handoff across the autumn change (25 h shift)', () => {
    const shifts = shiftsInRange(daily('Europe/London', '2026-10-23T09:00'), d('2026-10-24T12:00Z'), d('2026-10-25T12:00Z'));
    expect(rows(shifts)).toEqual([
      'bob 2026-10-24T08:00:00.000Z → 2026-10-25T09:00:00.000Z daily rotation',
      'carol 2026-10-25T09:00:00.000Z → 2026-10-26T09:00:00.000Z daily rotation',
    ]);
    expect(shifts.map(hoursOf)).toEqual([25, 24]);
  });

  it('keeps a weekly Monday 09:00 handoff: 167 h in the spring week, 169 h in the autumn week', () => {
    const s = weekly('Europe/London');
    const spring = shiftsInRange(s, d('2026-03-25T00:00Z'), d('2026-03-31T00:00Z'));
    expect(rows(spring)).toEqual([
      'carol 2026-03-23T09:00:00.000Z → 2026-03-30T08:00:00.000Z weekly rotation',
      'alice 2026-03-30T08:00:00.000Z → 2026-04-06T08:00:00.000Z weekly rotation',
    ]);
    expect(spring.map(hoursOf)).toEqual([167, 168]);
    const autumn = shiftsInRange(s, d('2026-10-20T00:00Z'), d('2026-10-27T00:00Z'));
    expect(rows(autumn)).toEqual([
      'carol 2026-10-19T08:00:00.000Z → 2026-10-26T09:00:00.000Z weekly rotation',
      'alice 2026-10-26T09:00:00.000Z → 2026-11-02T09:00:00.000Z weekly rotation',
    ]);
    expect(autumn.map(hoursOf)).toEqual([169, 168]);
  });

  it('counts an hourly rotation in real hours through both changes', () => {
    const hourly = (start: string, every: number) =>
      schedule('Europe/London', [{ name: 'hourly', start, rotation: { every, unit: 'hours' }, participants: ['alice', 'bob'] }]);
    // 00:00 GMT on the spring day; the next local hour after 00:59 is 02:00 BST.
    const spring = shiftsInRange(hourly('2026-03-29T00:00', 1), d('2026-03-29T00:00Z'), d('2026-03-29T04:00Z'));
    expect(spring.map((s) => s.start.toISOString())).toEqual([
      '2026-03-29T00:00:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-29T02:00:00.000Z',
      '2026-03-29T03:00:00.000Z',
    ]);
    expect(spring.map(hoursOf)).toEqual([1, 1, 1, 1]);
    expect(spring.map((s) => s.user)).toEqual(['alice', 'bob', 'alice', 'bob']);
    // 8-hour shifts from 22:00 BST: 22:00 BST, 05:00 GMT, 13:00 GMT — 8 real hours each.
    const autumn = shiftsInRange(hourly('2026-10-24T22:00', 8), d('2026-10-24T21:00Z'), d('2026-10-25T21:00Z'));
    expect(autumn.map((s) => s.start.toISOString())).toEqual([
      '2026-10-24T21:00:00.000Z',
      '2026-10-25T05:00:00.000Z',
      '2026-10-25T13:00:00.000Z',
    ]);
    expect(autumn.map(hoursOf)).toEqual([8, 8, 8]);
  });

  it('moves a handoff inside the spring gap forward by the gap, on that day only', () => {
    // 01:30 does not exist on 2026-03-29: that handoff happens at 02:30 BST (01:30Z).
    const s = daily('Europe/London', '2026-03-27T01:30');
    const shifts = shiftsInRange(s, d('2026-03-28T12:00Z'), d('2026-03-30T12:00Z'));
    expect(rows(shifts)).toEqual([
      'bob 2026-03-28T01:30:00.000Z → 2026-03-29T01:30:00.000Z daily rotation',
      'carol 2026-03-29T01:30:00.000Z → 2026-03-30T00:30:00.000Z daily rotation',
      'alice 2026-03-30T00:30:00.000Z → 2026-03-31T00:30:00.000Z daily rotation',
    ]);
    expect(shifts.map(hoursOf)).toEqual([24, 23, 24]);
  });

  it('puts an ambiguous autumn handoff at its first occurrence (still on summer time)', () => {
    // 01:30 happens twice on 2026-10-25; the handoff is the first one, 01:30 BST (00:30Z).
    const s = daily('Europe/London', '2026-10-23T01:30');
    const shifts = shiftsInRange(s, d('2026-10-24T12:00Z'), d('2026-10-26T00:00Z'));
    expect(rows(shifts)).toEqual([
      'bob 2026-10-24T00:30:00.000Z → 2026-10-25T00:30:00.000Z daily rotation',
      'carol 2026-10-25T00:30:00.000Z → 2026-10-26T01:30:00.000Z daily rotation',
    ]);
    expect(shifts.map(hoursOf)).toEqual([24, 25]);
  });
});

describe('rotations across DST in America/New_York', () => {
  it('keeps a daily 09:00 handoff: 23 h on the second Sunday of March, 25 h on the first Sunday of November', () => {
    const spring = shiftsInRange(daily('America/New_York', '2026-03-06T09:00'), d('2026-03-07T15:00Z'), d('2026-03-09T12:00Z'));
    expect(rows(spring)).toEqual([
      'bob 2026-03-07T14:00:00.000Z → 2026-03-08T13:00:00.000Z daily rotation', // 09:00 EST → 09:00 EDT
      'carol 2026-03-08T13:00:00.000Z → 2026-03-09T13:00:00.000Z daily rotation',
    ]);
    expect(spring.map(hoursOf)).toEqual([23, 24]);
    const autumn = shiftsInRange(daily('America/New_York', '2026-10-30T09:00'), d('2026-10-31T15:00Z'), d('2026-11-02T12:00Z'));
    expect(rows(autumn)).toEqual([
      'bob 2026-10-31T13:00:00.000Z → 2026-11-01T14:00:00.000Z daily rotation', // 09:00 EDT → 09:00 EST
      'carol 2026-11-01T14:00:00.000Z → 2026-11-02T14:00:00.000Z daily rotation',
    ]);
    expect(autumn.map(hoursOf)).toEqual([25, 24]);
  });

  it('keeps a weekly Monday 09:00 handoff across both changes', () => {
    const s = weekly('America/New_York');
    const spring = shiftsInRange(s, d('2026-03-04T00:00Z'), d('2026-03-10T00:00Z'));
    expect(rows(spring)).toEqual([
      'carol 2026-03-02T14:00:00.000Z → 2026-03-09T13:00:00.000Z weekly rotation',
      'alice 2026-03-09T13:00:00.000Z → 2026-03-16T13:00:00.000Z weekly rotation',
    ]);
    expect(spring.map(hoursOf)).toEqual([167, 168]);
    const autumn = shiftsInRange(s, d('2026-10-28T00:00Z'), d('2026-11-03T00:00Z'));
    expect(autumn.map((x) => x.start.toISOString())).toEqual(['2026-10-26T13:00:00.000Z', '2026-11-02T14:00:00.000Z']);
    expect(hoursOf(autumn[0])).toBe(169);
  });

  it('moves a 02:30 handoff in the March gap to 03:30 EDT and reads 01:30 in November as EDT', () => {
    const gap = shiftsInRange(daily('America/New_York', '2026-03-06T02:30'), d('2026-03-08T00:00Z'), d('2026-03-08T12:00Z'));
    expect(gap.map((s) => s.end.toISOString())).toEqual(['2026-03-08T07:30:00.000Z', '2026-03-09T06:30:00.000Z']);
    const overlap = shiftsInRange(daily('America/New_York', '2026-10-30T01:30'), d('2026-11-01T03:00Z'), d('2026-11-01T07:00Z'));
    expect(overlap.map((s) => s.end.toISOString())).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
  });
});

describe('rotation start and handoff', () => {
  it('runs the first shift from start to the first handoff one rotation later', () => {
    const s = schedule('Europe/London', [{ ...weeklyLayer, start: '2026-01-05T14:00', handoff: '09:00' }]);
    expect(rows(shiftsInRange(s, d('2026-01-01T00:00Z'), d('2026-01-13T00:00Z')))).toEqual([
      'alice 2026-01-05T14:00:00.000Z → 2026-01-12T09:00:00.000Z weekly rotation',
      'bob 2026-01-12T09:00:00.000Z → 2026-01-19T09:00:00.000Z weekly rotation',
    ]);
  });

  it('supports every N: a two-day rotation', () => {
    const s = schedule('Europe/London', [
      { name: 'pairs', start: '2026-03-27T09:00', rotation: { every: 2, unit: 'days' }, participants: ['alice', 'bob'] },
    ]);
    expect(rows(shiftsInRange(s, d('2026-03-27T09:00Z'), d('2026-03-31T00:00Z')))).toEqual([
      'alice 2026-03-27T09:00:00.000Z → 2026-03-29T08:00:00.000Z pairs rotation', // 47 h: crosses the change
      'bob 2026-03-29T08:00:00.000Z → 2026-03-31T08:00:00.000Z pairs rotation',
    ]);
  });

  it('has nobody before the first shift or after the layer ends', () => {
    const s = schedule('Europe/London', [{ ...weeklyLayer, end: '2026-01-19T09:00' }]);
    expect(whoIsOnCall(s, d('2026-01-05T08:59:59.999Z'))).toBeNull();
    expect(whoIsOnCall(s, d('2026-01-19T09:00Z'))).toBeNull();
    expect(shiftsInRange(s, d('2026-01-01T00:00Z'), d('2026-02-01T00:00Z')).map((x) => x.user)).toEqual(['alice', 'bob']);
  });
});

describe('layers', () => {
  // Weekdays 09:00–17:00 a support layer on top; outside those hours the weekly layer shows.
  const businessHours: LayerInput = {
    name: 'business-hours',
    start: '2026-01-05T09:00',
    rotation: { every: 1, unit: 'days' },
    participants: ['dave', 'erin'],
    restrict: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' },
  };

  it('lets a higher layer win only where it has someone; gaps fall through to the layer below', () => {
    const s = schedule('Europe/London', [weeklyLayer, businessHours]);
    // Friday 2026-03-27 → Monday 2026-03-30, across the spring change.
    expect(rows(shiftsInRange(s, d('2026-03-27T00:00Z'), d('2026-03-30T23:00Z')))).toEqual([
      'carol 2026-03-26T17:00:00.000Z → 2026-03-27T09:00:00.000Z weekly rotation', // Thursday night
      'erin 2026-03-27T09:00:00.000Z → 2026-03-27T17:00:00.000Z business-hours rotation', // Friday 09–17 GMT
      'carol 2026-03-27T17:00:00.000Z → 2026-03-30T08:00:00.000Z weekly rotation', // the weekend
      'dave 2026-03-30T08:00:00.000Z → 2026-03-30T16:00:00.000Z business-hours rotation', // Monday 09–17 BST
      'alice 2026-03-30T16:00:00.000Z → 2026-03-31T08:00:00.000Z weekly rotation',
    ]);
    expect(whoIsOnCall(s, d('2026-03-28T12:00Z'))).toMatchObject({ user: 'carol', layer: 'weekly' }); // Saturday
  });

  it('shows the lower layer before a higher layer starts and after it ends', () => {
    const cover: LayerInput = {
      name: 'cover',
      start: '2026-02-02T09:00',
      end: '2026-02-04T09:00',
      rotation: { every: 1, unit: 'days' },
      participants: ['frank'],
    };
    const s = schedule('Europe/London', [weeklyLayer, cover]);
    expect(rows(shiftsInRange(s, d('2026-02-02T00:00Z'), d('2026-02-05T00:00Z')))).toEqual([
      'alice 2026-01-26T09:00:00.000Z → 2026-02-02T09:00:00.000Z weekly rotation',
      'frank 2026-02-02T09:00:00.000Z → 2026-02-04T09:00:00.000Z cover rotation', // two days, merged
      'bob 2026-02-04T09:00:00.000Z → 2026-02-09T09:00:00.000Z weekly rotation',
    ]);
  });

  it('lets the later layer win where two layers both have someone', () => {
    const s = schedule('Europe/London', [weeklyLayer, { ...weeklyLayer, name: 'shadow', participants: ['zed'] }]);
    expect(whoIsOnCall(s, d('2026-03-10T12:00Z'))).toMatchObject({ user: 'zed', layer: 'shadow', source: 'rotation' });
  });

  it('handles a night restriction that runs past midnight on the listed start days', () => {
    const nights: LayerInput = {
      name: 'nights',
      start: '2026-01-05T09:00',
      rotation: { every: 1, unit: 'weeks' },
      participants: ['nina'],
      restrict: { days: ['sat'], from: '22:00', to: '06:00' },
    };
    const s = schedule('Europe/London', [weeklyLayer, nights]);
    // Saturday 2026-03-28 22:00 GMT → Sunday 06:00 BST (05:00Z): 7 h across the change.
    const shifts = shiftsInRange(s, d('2026-03-28T12:00Z'), d('2026-03-29T12:00Z'));
    expect(rows(shifts)[1]).toBe('nina 2026-03-28T22:00:00.000Z → 2026-03-29T05:00:00.000Z nights rotation');
    expect(hoursOf(shifts[1])).toBe(7);
  });
});

describe('overrides', () => {
  it('splits a shift it partly overlaps', () => {
    const s = daily('Europe/London', '2026-03-02T09:00', { participants: ['alice', 'bob'] });
    const withOverride = scheduleSchema.parse({ ...s, overrides: [{ user: 'dave', start: '2026-03-02T12:00', end: '2026-03-02T15:00' }] });
    expect(rows(shiftsInRange(withOverride, d('2026-03-02T09:00Z'), d('2026-03-03T09:00Z')))).toEqual([
      'alice 2026-03-02T09:00:00.000Z → 2026-03-02T12:00:00.000Z daily rotation',
      'dave 2026-03-02T12:00:00.000Z → 2026-03-02T15:00:00.000Z - override',
      'alice 2026-03-02T15:00:00.000Z → 2026-03-03T09:00:00.000Z daily rotation',
    ]);
  });

  it('covers a handoff and a DST change, and applies even where no layer has anyone', () => {
    const s = weekly('Europe/London', { overrides: [{ user: 'dave', start: '2026-03-28T18:00', end: '2026-03-30T09:00' }] });
    const shifts = shiftsInRange(s, d('2026-03-28T00:00Z'), d('2026-03-31T00:00Z'));
    expect(rows(shifts)).toEqual([
      'carol 2026-03-23T09:00:00.000Z → 2026-03-28T18:00:00.000Z weekly rotation',
      'dave 2026-03-28T18:00:00.000Z → 2026-03-30T08:00:00.000Z - override',
      'alice 2026-03-30T08:00:00.000Z → 2026-04-06T08:00:00.000Z weekly rotation',
    ]);
    expect(hoursOf(shifts[1])).toBe(38); // 39 wall-clock hours minus the hour lost
    const early = weekly('Europe/London', { overrides: [{ user: 'dave', start: '2025-12-31T09:00', end: '2026-01-01T09:00' }] });
    expect(whoIsOnCall(early, d('2025-12-31T12:00Z'))).toMatchObject({ user: 'dave', layer: null, source: 'override' });
  });

  it('lets the later-listed override win where overrides overlap, and merges back-to-back ones for one user', () => {
    const s = weekly('Europe/London', {
      overrides: [
        { user: 'dave', start: '2026-03-10T10:00', end: '2026-03-10T14:00' },
        { user: 'erin', start: '2026-03-10T12:00', end: '2026-03-10T13:00' },
        { user: 'dave', start: '2026-03-10T14:00', end: '2026-03-10T16:00' },
      ],
    });
    expect(rows(shiftsInRange(s, d('2026-03-10T10:00Z'), d('2026-03-10T16:00Z')))).toEqual([
      'dave 2026-03-10T10:00:00.000Z → 2026-03-10T12:00:00.000Z - override',
      'erin 2026-03-10T12:00:00.000Z → 2026-03-10T13:00:00.000Z - override',
      'dave 2026-03-10T13:00:00.000Z → 2026-03-10T16:00:00.000Z - override',
    ]);
  });
});

describe('swaps', () => {
  it('hands one whole shift to someone else', () => {
    const s = weekly('Europe/London', { swaps: [{ layer: 'weekly', shiftStart: '2026-04-06T09:00', from: 'bob', to: 'dave' }] });
    expect(rows(shiftsInRange(s, d('2026-04-01T00:00Z'), d('2026-04-14T00:00Z')))).toEqual([
      'alice 2026-03-30T08:00:00.000Z → 2026-04-06T08:00:00.000Z weekly rotation',
      'dave 2026-04-06T08:00:00.000Z → 2026-04-13T08:00:00.000Z weekly swap',
      'carol 2026-04-13T08:00:00.000Z → 2026-04-20T08:00:00.000Z weekly rotation',
    ]);
  });

  it('is applied before layer priority and overrides', () => {
    const s = weekly('Europe/London', {
      swaps: [{ layer: 'weekly', shiftStart: '2026-04-06T09:00', from: 'bob', to: 'dave' }],
      overrides: [{ user: 'erin', start: '2026-04-08T09:00', end: '2026-04-09T09:00' }],
    });
    expect(rows(shiftsInRange(s, d('2026-04-06T08:00Z'), d('2026-04-13T08:00Z')))).toEqual([
      'dave 2026-04-06T08:00:00.000Z → 2026-04-08T08:00:00.000Z weekly swap',
      'erin 2026-04-08T08:00:00.000Z → 2026-04-09T08:00:00.000Z - override',
      'dave 2026-04-09T08:00:00.000Z → 2026-04-13T08:00:00.000Z weekly swap',
    ]);
  });

  it('does not merge a swapped shift into the same user’s rotation shift next to it', () => {
    // carol has 03-23; swapping alice's 03-30 week to carol gives carol two weeks from two sources.
    const s = weekly('Europe/London', { swaps: [{ layer: 'weekly', shiftStart: '2026-03-30T09:00', from: 'alice', to: 'carol' }] });
    expect(rows(shiftsInRange(s, d('2026-03-29T00:00Z'), d('2026-03-31T00:00Z')))).toEqual([
      'carol 2026-03-23T09:00:00.000Z → 2026-03-30T08:00:00.000Z weekly rotation',
      'carol 2026-03-30T08:00:00.000Z → 2026-04-06T08:00:00.000Z weekly swap',
    ]);
  });
});

describe('whoIsOnCall', () => {
  const s = weekly('Europe/London');

  it('treats a shift start as inclusive and its end as exclusive', () => {
    const handoff = d('2026-03-30T08:00Z'); // Monday 09:00 BST
    expect(whoIsOnCall(s, new Date(handoff.getTime() - 1))).toEqual({
      user: 'carol',
      layer: 'weekly',
      source: 'rotation',
      shiftStart: d('2026-03-23T09:00Z'),
      shiftEnd: handoff,
    });
    expect(whoIsOnCall(s, handoff)).toEqual({
      user: 'alice',
      layer: 'weekly',
      source: 'rotation',
      shiftStart: handoff,
      shiftEnd: d('2026-04-06T08:00Z'),
    });
    expect(whoIsOnCall(s, d('2026-01-05T09:00Z'))?.user).toBe('alice'); // the very first instant
  });

  it('reports an override’s own bounds, and the rotation shift’s full bounds either side of it', () => {
    const o = weekly('Europe/London', { overrides: [{ user: 'dave', start: '2026-03-25T12:00', end: '2026-03-25T13:00' }] });
    expect(whoIsOnCall(o, d('2026-03-25T12:00Z'))).toMatchObject({ user: 'dave', shiftStart: d('2026-03-25T12:00Z'), shiftEnd: d('2026-03-25T13:00Z') });
    expect(whoIsOnCall(o, d('2026-03-25T13:00Z'))).toMatchObject({ user: 'carol', shiftStart: d('2026-03-25T13:00Z'), shiftEnd: d('2026-03-30T08:00Z') });
    expect(whoIsOnCall(o, d('2026-03-25T11:59:59.999Z'))).toMatchObject({ user: 'carol', shiftStart: d('2026-03-23T09:00Z'), shiftEnd: d('2026-03-25T12:00Z') });
  });
});

describe('shiftsInRange', () => {
  it('returns whole shifts whatever window is asked, so the same shift always has the same bounds', () => {
    const s = weekly('Europe/London');
    const a = shiftsInRange(s, d('2026-03-24T00:00Z'), d('2026-03-25T00:00Z'));
    const b = shiftsInRange(s, d('2026-03-29T00:00Z'), d('2026-03-29T01:00Z'));
    expect(rows(a)).toEqual(rows(b));
    expect(shiftsInRange(s, d('2026-03-25T00:00Z'), d('2026-03-25T00:00Z'))).toEqual([]);
  });

  it('merges consecutive shifts of one user in one layer', () => {
    const s = daily('Europe/London', '2026-03-02T09:00', { participants: ['alice', 'alice', 'bob'] });
    expect(rows(shiftsInRange(s, d('2026-03-02T09:00Z'), d('2026-03-06T09:00Z')))).toEqual([
      'alice 2026-03-02T09:00:00.000Z → 2026-03-04T09:00:00.000Z daily rotation',
      'bob 2026-03-04T09:00:00.000Z → 2026-03-05T09:00:00.000Z daily rotation',
      'alice 2026-03-05T09:00:00.000Z → 2026-03-07T09:00:00.000Z daily rotation',
    ]);
  });

  it('bounds an endless shift (a one-person layer) at the horizon past the range', () => {
    const s = schedule('Europe/London', [{ ...weeklyLayer, participants: ['solo'] }]);
    const [only, ...rest] = shiftsInRange(s, d('2026-03-10T00:00Z'), d('2026-03-11T00:00Z'));
    expect(rest).toEqual([]);
    expect(only.start).toEqual(d('2026-01-05T09:00Z')); // the layer's start is within the horizon
    expect(only.end).toEqual(new Date(d('2026-03-11T00:00Z').getTime() + SHIFT_EXTENT_HORIZON_MS));
  });

  it('covers a year of an hourly rotation, both DST changes included, in exact hours', () => {
    const s = schedule('America/New_York', [
      { name: 'hourly', start: '2026-01-01T00:00', rotation: { every: 1, unit: 'hours' }, participants: ['a', 'b', 'c'] },
    ]);
    const shifts = shiftsInRange(s, d('2026-01-01T05:00Z'), d('2027-01-01T05:00Z'));
    expect(shifts).toHaveLength(365 * 24);
    expect(shifts.every((x) => hoursOf(x) === 1)).toBe(true);
  });
});
