import * as nodeIcal from 'node-ical';
import { scheduleSchema } from './schedule-definition';
import { scheduleToICal, userToICal } from './ical';

const d = (iso: string) => new Date(iso);

const rankingPrimary = scheduleSchema.parse({
  id: 'ranking-primary',
  name: 'Ranking primary',
  timeZone: 'Europe/London',
  layers: [{ name: 'weekly', start: '2026-01-05T09:00', rotation: { every: 1, unit: 'weeks' }, participants: ['alice', 'bob', 'carol'] }],
  overrides: [{ user: 'dave', start: '2026-03-28T18:00', end: '2026-03-30T09:00' }],
  swaps: [{ layer: 'weekly', shiftStart: '2026-04-06T09:00', from: 'bob', to: 'dave' }],
});

const featureStore = scheduleSchema.parse({
  id: 'feature-store',
  name: 'Feature store',
  timeZone: 'America/New_York',
  layers: [
    { name: 'daily', start: '2026-03-06T09:00', end: '2026-03-10T09:00', rotation: { unit: 'days' }, participants: ['dave', 'erin'] },
  ],
});

interface ParsedEvent {
  uid: string;
  summary: string;
  start: string;
  end: string;
}

/** Parses iCalendar text back with an independent parser and lists its VEVENTs by start. */
function events(text: string): ParsedEvent[] {
  const parsed = nodeIcal.sync.parseICS(text);
  return Object.values(parsed)
    .filter((c): c is nodeIcal.VEvent => c?.type === 'VEVENT')
    .map((e) => {
      if (!e.end) throw new Error(`event ${e.uid} has no DTEND`);
      return { uid: e.uid, summary: String(e.summary), start: e.start.toISOString(), end: e.end.toISOString() };
    })
    .sort((a, b) => a.start.localeCompare(b.start));
}

describe('scheduleToICal', () => {
  const text = scheduleToICal(rankingPrimary, d('2026-03-16T09:00Z'), d('2026-04-20T00:00Z'), {
    calendarName: 'Ranking primary on call',
    url: 'https://headroom.example/api/oncall/schedules/ranking-primary.ics',
  });

  it('writes one VEVENT per final shift with the right instants across the DST change', () => {
    expect(events(text).map(({ summary, start, end }) => `${start} → ${end} ${summary}`)).toEqual([
      '2026-03-16T09:00:00.000Z → 2026-03-23T09:00:00.000Z On call: Ranking primary (weekly): bob',
      '2026-03-23T09:00:00.000Z → 2026-03-28T18:00:00.000Z On call: Ranking primary (weekly): carol',
      '2026-03-28T18:00:00.000Z → 2026-03-30T08:00:00.000Z On call: Ranking primary (override): dave',
      '2026-03-30T08:00:00.000Z → 2026-04-06T08:00:00.000Z On call: Ranking primary (weekly): alice',
      '2026-04-06T08:00:00.000Z → 2026-04-13T08:00:00.000Z On call: Ranking primary (weekly, swap): dave',
      '2026-04-13T08:00:00.000Z → 2026-04-20T08:00:00.000Z On call: Ranking primary (weekly): carol',
    ]);
  });

  it('names the calendar, writes UTC times and a fixed DTSTAMP', () => {
    expect(text).toContain('X-WR-CALNAME:Ranking primary on call');
    expect(text).toContain('DTSTART:20260330T080000Z');
    expect(text).toContain('DTSTAMP:20260316T090000Z');
    expect(scheduleToICal(rankingPrimary, d('2026-03-16T09:00Z'), d('2026-04-20T00:00Z'), { calendarName: 'x' })).toBe(
      scheduleToICal(rankingPrimary, d('2026-03-16T09:00Z'), d('2026-04-20T00:00Z'), { calendarName: 'x' }),
    );
  });

  it('keeps UIDs unique, and stable when the window slides', () => {
    const first = events(text);
    expect(new Set(first.map((e) => e.uid)).size).toBe(first.length);
    const slid = events(scheduleToICal(rankingPrimary, d('2026-03-25T00:00Z'), d('2026-04-30T00:00Z'), { calendarName: 'x' }));
    const uidAt = (list: ParsedEvent[], start: string) => list.find((e) => e.start === start)?.uid;
    for (const start of ['2026-03-23T09:00:00.000Z', '2026-03-28T18:00:00.000Z', '2026-04-06T08:00:00.000Z']) {
      expect(uidAt(slid, start)).toBeDefined();
      expect(uidAt(slid, start)).toBe(uidAt(first, start));
    }
  });
});

describe('userToICal', () => {
  it('collects one person’s shifts across schedules and zones', () => {
    const text = userToICal('dave', [rankingPrimary, featureStore], d('2026-03-01T00:00Z'), d('2026-04-20T00:00Z'));
    expect(text).toContain('X-WR-CALNAME:On call: dave');
    expect(events(text).map(({ summary, start, end }) => `${start} → ${end} ${summary}`)).toEqual([
      '2026-03-06T14:00:00.000Z → 2026-03-07T14:00:00.000Z On call: Feature store (daily)', // 09:00 EST
      '2026-03-08T13:00:00.000Z → 2026-03-09T13:00:00.000Z On call: Feature store (daily)', // 09:00 EDT
      '2026-03-28T18:00:00.000Z → 2026-03-30T08:00:00.000Z On call: Ranking primary (override)',
      '2026-04-06T08:00:00.000Z → 2026-04-13T08:00:00.000Z On call: Ranking primary (weekly, swap)',
    ]);
  });

  it('gives an empty calendar to someone with no shifts', () => {
    expect(events(userToICal('nobody', [rankingPrimary], d('2026-03-01T00:00Z'), d('2026-04-01T00:00Z')))).toEqual([]);
  });
});
