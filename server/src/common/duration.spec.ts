import { formatDuration, parseDuration } from './duration';

describe('parseDuration', () => {
  it.each([
    ['30s', 30],
    ['5m', 300],
    ['1h', 3_600],
    ['6h', 21_600],
    ['1d', 86_400],
    ['3d', 259_200],
    ['30d', 2_592_000],
    ['4w', 2_419_200],
    ['0s', 0],
  ])('parses %s as %d seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['', '5', 'm', '1.5h', '-5m', '1h30m', '5M', '5 m', ' 5m', '10y', '5ms'])(
    'rejects %j with an error naming the value',
    (text) => {
      expect(() => parseDuration(text)).toThrow(`Invalid duration ${JSON.stringify(text)}`);
    },
  );

  it('rejects values too large to be exact', () => {
    expect(() => parseDuration('99999999999999999w')).toThrow(/too large/);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [45, '45s'],
    [300, '5m'],
    [3_600, '1h'],
    [5_400, '90m'],
    [86_400, '1d'],
    [259_200, '3d'],
    [1_209_600, '2w'],
    [2_592_000, '30d'],
    [90_061, '90061s'],
  ])('formats %d seconds as %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('round-trips through parseDuration', () => {
    for (const seconds of [1, 59, 60, 61, 3_599, 3_600, 7_200, 86_400, 604_800, 2_592_000]) {
      expect(parseDuration(formatDuration(seconds))).toBe(seconds);
    }
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects %p', (seconds) => {
    expect(() => formatDuration(seconds)).toThrow(/Cannot format duration/);
  });
});
