import { reportStart, toResponseTimeRow, weekStart } from './response-times';

describe('response-time weeks', () => {
  it('starts weeks on Monday 00:00 UTC', () => {
    expect(weekStart(new Date('2026-11-25T03:00:00Z')).toISOString()).toBe('2026-11-23T00:00:00.000Z'); // a Wednesday
    expect(weekStart(new Date('2026-11-23T00:00:00Z')).toISOString()).toBe('2026-11-23T00:00:00.000Z');
    expect(weekStart(new Date('2026-11-29T23:59:59Z')).toISOString()).toBe('2026-11-23T00:00:00.000Z'); // Sunday
  });

  it('covers whole weeks back from the current one', () => {
    expect(reportStart(new Date('2026-11-25T03:00:00Z'), 1).toISOString()).toBe('2026-11-23T00:00:00.000Z');
    expect(reportStart(new Date('2026-11-25T03:00:00Z'), 4).toISOString()).toBe('2026-11-02T00:00:00.000Z');
  });

  it('rounds to tenths and keeps missing times null', () => {
    expect(toResponseTimeRow({ service: 's', week: '2026-11-23', incidents: '3', acknowledged: 2, resolved: 0, mtta: '90.04', median_tta: 60, mttr: null, median_ttr: null }))
      .toEqual({ id: 's@2026-11-23', service: 's', week: '2026-11-23', incidents: 3, acknowledged: 2, resolved: 0, mttaSeconds: 90, medianTtaSeconds: 60, mttrSeconds: null, medianTtrSeconds: null });
  });
});
