import {
  addCalendarDays,
  formatWallTime,
  instantToWallTime,
  isoWeekdayIndex,
  parseLocalDateTime,
  parseTimeOfDay,
  wallTimeToInstant,
} from './wall-time';

const wall = (text: string) => {
  const w = parseLocalDateTime(text);
  if (!w) throw new Error(`bad wall time ${text}`);
  return w;
};
const at = (text: string, zone: string) => wallTimeToInstant(wall(text), zone).toISOString();

describe('wall-time', () => {
  it('parses local date-times without offset and rejects the rest', () => {
    expect(parseLocalDateTime('2026-01-05T09:00')).toEqual({ year: 2026, month: 1, day: 5, hour: 9, minute: 0, second: 0 });
    expect(parseLocalDateTime('2026-01-05T09:00:30')?.second).toBe(30);
    for (const bad of ['2026-01-05T09:00Z', '2026-01-05T09:00+01:00', '2026-02-29T09:00', '2026-01-05 09:00', '2026-01-05T24:00', '0026-01-05T09:00']) {
      expect(parseLocalDateTime(bad)).toBeNull();
    }
    expect(parseTimeOfDay('09:00')).toEqual({ hour: 9, minute: 0, second: 0 });
    expect(parseTimeOfDay('9:00')).toBeNull();
    expect(parseTimeOfDay('25:00')).toBeNull();
  });

  it('reads ordinary wall times with the offset in force', () => {
    expect(at('2026-01-05T09:00', 'Europe/London')).toBe('2026-01-05T09:00:00.000Z');
    expect(at('2026-07-05T09:00', 'Europe/London')).toBe('2026-07-05T08:00:00.000Z');
    expect(at('2026-01-05T09:00', 'America/New_York')).toBe('2026-01-05T14:00:00.000Z');
    expect(at('2026-07-05T09:00', 'America/New_York')).toBe('2026-07-05T13:00:00.000Z');
  });

  it('moves a wall time in the spring-forward gap forward by the gap (offset before the gap)', () => {
    // London 2026-03-29: 01:00 GMT jumps to 02:00 BST; 01:30 does not exist.
    expect(at('2026-03-29T01:30', 'Europe/London')).toBe('2026-03-29T01:30:00.000Z'); // 02:30 BST
    expect(at('2026-03-29T01:00', 'Europe/London')).toBe('2026-03-29T01:00:00.000Z'); // 02:00 BST
    // New York 2026-03-08: 02:00 EST jumps to 03:00 EDT.
    expect(at('2026-03-08T02:30', 'America/New_York')).toBe('2026-03-08T07:30:00.000Z'); // 03:30 EDT
  });

  it('reads an ambiguous fall-back wall time as its first occurrence', () => {
    // London 2026-10-25: 02:00 BST falls back to 01:00 GMT; 01:30 happens twice.
    expect(at('2026-10-25T01:30', 'Europe/London')).toBe('2026-10-25T00:30:00.000Z'); // 01:30 BST
    expect(at('2026-10-25T02:00', 'Europe/London')).toBe('2026-10-25T02:00:00.000Z'); // after the overlap
    // New York 2026-11-01: 02:00 EDT falls back to 01:00 EST.
    expect(at('2026-11-01T01:30', 'America/New_York')).toBe('2026-11-01T05:30:00.000Z'); // 01:30 EDT
  });

  it('round-trips instants to wall times and does calendar arithmetic without a zone', () => {
    expect(formatWallTime(instantToWallTime(new Date('2026-03-29T01:30:00Z'), 'Europe/London'))).toBe('2026-03-29T02:30');
    expect(formatWallTime(addCalendarDays(wall('2026-02-27T09:00'), 2))).toBe('2026-03-01T09:00');
    expect(formatWallTime(addCalendarDays(wall('2026-12-31T23:59:30'), 1))).toBe('2027-01-01T23:59:30');
    expect(isoWeekdayIndex(wall('2026-03-29T00:00'))).toBe(6); // a Sunday
    expect(isoWeekdayIndex(wall('2026-03-30T00:00'))).toBe(0); // a Monday
  });
});
