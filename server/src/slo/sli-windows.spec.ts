import { HOUR_MS, MINUTE_MS, windowPlan } from './sli-windows';

const at = (iso: string) => new Date(iso).getTime();
const minute = (iso: string) => at(iso) / MINUTE_MS;
const hour = (iso: string) => at(iso) / HOUR_MS;

describe('windowPlan', () => {
  it('answers a short window from the minutes that start inside it, up to now', () => {
    expect(windowPlan(at('2026-11-25T10:30:15Z'), 300)).toEqual({
      minutes: { from: minute('2026-11-25T10:26:00Z'), to: minute('2026-11-25T10:30:00Z') },
      hours: null,
    });
    // On a minute boundary the minute starting at now - w is whole and included.
    expect(windowPlan(at('2026-11-25T10:30:00Z'), 300).minutes).toEqual({
      from: minute('2026-11-25T10:25:00Z'),
      to: minute('2026-11-25T10:30:00Z'),
    });
  });

  it('answers a day and more from full hours plus the current hour in minutes', () => {
    expect(windowPlan(at('2026-11-25T10:30:15Z'), 86_400)).toEqual({
      minutes: { from: minute('2026-11-25T10:00:00Z'), to: minute('2026-11-25T10:30:00Z') },
      hours: { from: hour('2026-11-24T11:00:00Z'), to: hour('2026-11-25T09:00:00Z') },
    });
    const thirty = windowPlan(at('2026-11-25T10:30:15Z'), 30 * 86_400);
    expect(thirty.hours!.to - thirty.hours!.from + 1).toBe(30 * 24 - 1);
  });

  it('covers a whole day of hours when now is on an hour boundary', () => {
    const plan = windowPlan(at('2026-11-25T10:00:00Z'), 86_400);
    expect(plan.hours).toEqual({ from: hour('2026-11-24T10:00:00Z'), to: hour('2026-11-25T09:00:00Z') });
    expect(plan.minutes).toEqual({ from: minute('2026-11-25T10:00:00Z'), to: minute('2026-11-25T10:00:00Z') });
  });

  it('leaves out less than an hour of a long window, never more', () => {
    for (const offset of [0, 1, 59_999, 60_000, 1_799_999, 3_599_999]) {
      const now = at('2026-11-25T10:00:00Z') + offset;
      const plan = windowPlan(now, 86_400);
      const coveredFrom = plan.hours!.from * HOUR_MS;
      const coveredTo = (plan.minutes.to + 1) * MINUTE_MS;
      expect(coveredFrom - (now - 86_400_000)).toBeGreaterThanOrEqual(0);
      expect(coveredFrom - (now - 86_400_000)).toBeLessThan(HOUR_MS);
      expect(coveredTo).toBeGreaterThan(now);
      // Minutes and hours never overlap.
      expect(plan.hours!.to * 60 + 59).toBeLessThan(plan.minutes.from);
    }
  });
});
