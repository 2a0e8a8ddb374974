import { muteState, resolveWindow } from './mute-window';

const now = new Date('2026-11-25T03:00:00Z');
const issues = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as { issues: Array<{ field: string; message: string }> }).issues;
  }
  return [];
};

describe('silence and maintenance windows', () => {
  it('starts now by default and ends after the duration', () => {
    expect(resolveWindow({ duration: '2h' }, now)).toEqual({ startsAt: now, endsAt: new Date('2026-11-25T05:00:00Z') });
    expect(resolveWindow({ startsAt: '2026-11-25T04:00:00Z', endsAt: '2026-11-25T06:00:00+00:00' }, now).endsAt).toEqual(new Date('2026-11-25T06:00:00Z'));
  });

  it('names the field that is wrong', () => {
    expect(issues(() => resolveWindow({}, now))).toEqual([{ field: 'endsAt', message: 'required (or give duration, e.g. 2h)' }]);
    expect(issues(() => resolveWindow({ endsAt: '2026-11-25T04:00:00Z', duration: '1h' }, now))[0].field).toBe('duration');
    expect(issues(() => resolveWindow({ startsAt: '2026-11-25T04:00:00Z', endsAt: '2026-11-25T04:00:00Z' }, now))).toEqual([{ field: 'endsAt', message: 'must be after startsAt' }]);
    expect(issues(() => resolveWindow({ startsAt: '2026-11-25T01:00:00Z', endsAt: '2026-11-25T02:00:00Z' }, now))).toEqual([{ field: 'endsAt', message: 'must be in the future' }]);
  });

  it('is pending, active, then expired', () => {
    const w = { startsAt: new Date('2026-11-25T04:00:00Z'), endsAt: new Date('2026-11-25T05:00:00Z') };
    expect(muteState(w, now)).toBe('pending');
    expect(muteState(w, new Date('2026-11-25T04:00:00Z'))).toBe('active');
    expect(muteState(w, new Date('2026-11-25T05:00:00Z'))).toBe('expired');
  });
});
