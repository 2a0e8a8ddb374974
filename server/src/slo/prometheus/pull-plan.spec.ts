import type { SloDefinition } from '../../rules/slo-definition';
import { histogramQuantile } from '../histogram-quantile';
import {
  backfillPercent,
  counterIncreases,
  histogramIncreases,
  HOUR_MS,
  MINUTE_MS,
  newCursor,
  nextRange,
  prometheusSeriesForSlo,
  pulledSeriesOf,
  pullNoDataReason,
  rangeQuery,
  tailDeltas,
  tailMinutes,
  type PullCursor,
  type PullSettings,
  type PullState,
} from './pull-plan';
import type { QueryResult } from './prometheus-response';

const settings: PullSettings = { rateWindowSeconds: 120, minuteRetentionSeconds: 8 * 86_400 };
const T = Date.parse('2026-12-07T12:00:00Z');
const DAY = 86_400_000;

function slo(id: string, sli: SloDefinition['sli'], periodSeconds = 30 * 86_400): SloDefinition {
  return { id, service: 'ranker', name: id, sli, periodSeconds } as unknown as SloDefinition;
}
const events = (id: string, errorQuery: string, totalQuery = 'sum(rate(http_requests_total{job="ranker"}[{{window}}]))', periodSeconds?: number) =>
  slo(id, { kind: 'events', source: 'prometheus', server: 'main', errorQuery, totalQuery }, periodSeconds);
const latency = (id: string) =>
  slo(id, { kind: 'latency', source: 'prometheus', server: 'main', thresholdSeconds: 0.25, histogramMetric: 'http_request_duration_seconds', selector: '{job="ranker"}' });

const matrix = (series: Array<{ metric?: Record<string, string>; points: Array<[number, number]> }>): QueryResult => ({
  resultType: 'matrix',
  series: series.map((s) => ({ metric: s.metric ?? {}, points: s.points.map(([timestamp, value]) => ({ timestamp, value })) })),
});

describe('pulledSeriesOf', () => {
  it('pulls a query shared by several SLOs once, back over the longest period, and reads errors as zero only when every SLO reads them as errors', () => {
    const errors = 'sum(rate(http_requests_total{job="ranker",code=~"5.."}[{{window}}]))';
    const pulled = pulledSeriesOf([events('a', errors, undefined, 7 * 86_400), events('b', errors), latency('c')]);
    expect(pulled).toHaveLength(3);
    const byTemplate = new Map(pulled.map((p) => [p.template, p]));
    expect(byTemplate.get(errors)).toMatchObject({ kind: 'counter', periodSeconds: 30 * 86_400, emptyMeansZero: true });
    expect(byTemplate.get('sum(rate(http_requests_total{job="ranker"}[{{window}}]))')).toMatchObject({ emptyMeansZero: false });
    expect(byTemplate.get('sum by (le) (rate(http_request_duration_seconds_bucket{job="ranker"}[{{window}}]))')).toMatchObject({ kind: 'histogram' });
  });

  it('names the SLO series after the pulled queries', () => {
    const a = events('a', 'errs[{{window}}]');
    const [errors, total] = pulledSeriesOf([a]);
    expect(prometheusSeriesForSlo(a)).toEqual({ kind: 'events', total: [total.series], bad: [errors.series] });
    expect(prometheusSeriesForSlo(slo('sim', { kind: 'events', source: 'simulator' }))).toBeUndefined();
    // An edited query is a new series (pulled afresh), not the old one's continuation.
    expect(pulledSeriesOf([events('a', 'errs2[{{window}}]')])[0].series).not.toBe(errors.series);
  });
});

describe('nextRange', () => {
  it('backfills whole hours where minute rollups are not kept, in bounded chunks, then minutes', () => {
    const cursor = newCursor(T, 30 * 86_400, settings);
    expect(cursor.backfillFrom).toBe(T - 30 * DAY);
    expect(cursor.minuteFrom).toBe(T - 8 * DAY);
    const first = nextRange(cursor, T, settings)!;
    expect(first).toMatchObject({ from: T - 30 * DAY, until: T - 8 * DAY, stepSeconds: 3600, start: T - 30 * DAY + HOUR_MS, end: T - 8 * DAY });
    const second = nextRange({ ...cursor, pulledUntil: first.until }, T, settings)!;
    expect(second).toMatchObject({ stepSeconds: 60, from: T - 8 * DAY, until: T - 8 * DAY + 720 * MINUTE_MS });
    expect((second.end - second.start) / MINUTE_MS + 1).toBe(720);
  });

  it('re-reads the tail before the cursor and stops at the last whole minute', () => {
    const cursor: PullCursor = { ...newCursor(T - DAY, 86_400, settings), pulledUntil: T - 3 * MINUTE_MS, caughtUpAt: T - HOUR_MS };
    const now = T + 30_000;
    const range = nextRange(cursor, now, settings)!;
    expect(tailMinutes(settings)).toBe(4);
    expect(range).toMatchObject({ from: T - 7 * MINUTE_MS, until: T, stepSeconds: 60, start: T - 6 * MINUTE_MS, end: T });
    expect(nextRange({ ...cursor, pulledUntil: T }, now, settings)).toBeNull();
  });

  it('renders the rate window per step: the server rate window for minutes, an hour for hours', () => {
    expect(rangeQuery({ template: 'sum(rate(x[{{window}}]))' }, 60, settings)).toBe('sum(rate(x[2m]))');
    expect(rangeQuery({ template: 'sum(rate(x[{{window}}]))' }, 3600, settings)).toBe('sum(rate(x[1h]))');
  });
});

describe('counterIncreases and histogramIncreases', () => {
  it('turns rates at step ends into increases of the buckets that end there, summing series', () => {
    const t = T / 1000;
    const inc = counterIncreases(matrix([{ points: [[t, 2], [t + 60, 3]] }, { points: [[t, 0.5], [t + 60, Number.NaN]] }]), 60);
    expect([...inc]).toEqual([
      [T - MINUTE_MS, 150],
      [T, 180],
    ]);
  });

  it('turns cumulative bucket rates into per-bucket counts, whose quantile is histogram_quantile on the same buckets', () => {
    const t = T / 1000;
    const result = matrix([
      { metric: { le: '0.1' }, points: [[t, 1]] },
      { metric: { le: '0.25' }, points: [[t, 1.5]] },
      { metric: { le: '+Inf' }, points: [[t, 2]] },
    ]);
    const perBucket = histogramIncreases(result, 60).get(T - MINUTE_MS)!;
    expect([...perBucket]).toEqual([
      [0.1, 60],
      [0.25, 30],
      [Infinity, 30],
    ]);
    // Prometheus: histogram_quantile(0.5, …) on cumulative 60/90/120 is inside the first bucket.
    expect(histogramQuantile(0.5, [{ le: 0.1, count: 60 }, { le: 0.25, count: 90 }, { le: Infinity, count: 120 }])).toBeCloseTo(0.1, 10);
  });

  it('refuses a series without an le label', () => {
    expect(() => histogramIncreases(matrix([{ metric: { job: 'x' }, points: [[1, 1]] }]), 60)).toThrow(/not a classic histogram/);
  });
});

describe('tailDeltas', () => {
  const range = { from: T - 4 * MINUTE_MS, until: T };
  it('stores new minutes whole and re-read minutes as the difference, so a restart or a re-read never counts twice', () => {
    const previous = { [String(T - 4 * MINUTE_MS)]: 10, [String(T - 3 * MINUTE_MS)]: 20 };
    const values = new Map([
      [T - 4 * MINUTE_MS, 10],
      [T - 3 * MINUTE_MS, 25],
      [T - 2 * MINUTE_MS, 7],
      [T + MINUTE_MS, 99],
    ]);
    const write = tailDeltas('s', 'counter', values, previous, range, T - 3 * MINUTE_MS);
    expect(write.counters.map((c) => [c.at.getTime(), c.value])).toEqual([
      [T - 3 * MINUTE_MS, 5],
      [T - 2 * MINUTE_MS, 7],
    ]);
    expect(write.tail).toEqual({ [String(T - 3 * MINUTE_MS)]: 25, [String(T - 2 * MINUTE_MS)]: 7 });
  });

  it('adds per-bound differences for histograms and keeps bounds Prometheus stopped answering', () => {
    const at = String(T - MINUTE_MS);
    const previous = { [at]: { '0.1': 5, '+Inf': 1 } };
    const values = new Map([[T - MINUTE_MS, new Map([[0.1, 6], [0.25, 0]])]]);
    const write = tailDeltas('h', 'histogram', values, previous, range, T - 4 * MINUTE_MS);
    expect(write.histograms).toEqual([{ series: 'h', at: new Date(T - MINUTE_MS), buckets: [{ le: 0.1, count: 1 }, { le: 0.25, count: 0 }] }]);
    expect(write.tail[at]).toEqual({ '0.1': 6, '0.25': 0, '+Inf': 1 });
  });
});

describe('pullNoDataReason', () => {
  const state = (s: Partial<PullState>): PullState => ({ series: 's', server: 'main', backfillFrom: T - 10 * HOUR_MS, pulledUntil: T, caughtUpAt: T, lastError: null, ...s });
  const reason = (s: PullState | undefined) => pullNoDataReason(['s'], new Map(s ? [['s', s]] : []), T, 'main');

  it('is null while the data is current', () => {
    expect(reason(state({ pulledUntil: T - 2 * MINUTE_MS }))).toBeNull();
  });
  it('says what the SLO waits for: the first pull, the backfill, Prometheus, or a catch-up', () => {
    expect(reason(undefined)).toBe('waiting for the first pull from Prometheus server main');
    expect(reason(state({ caughtUpAt: null, pulledUntil: T - 6 * HOUR_MS }))).toBe('backfilling 40% from Prometheus server main');
    expect(reason(state({ lastError: 'ECONNREFUSED' }))).toBe('main: ECONNREFUSED');
    expect(reason(state({ lastError: 'ECONNREFUSED', caughtUpAt: null, pulledUntil: T - 5 * HOUR_MS }))).toBe('main: ECONNREFUSED (backfilling 50%)');
    expect(reason(state({ pulledUntil: T - 6 * MINUTE_MS }))).toMatch(/^catching up: Prometheus server main pulled until /);
  });
  it('rounds progress down, so 100% means done', () => {
    expect(backfillPercent({ backfillFrom: 0, pulledUntil: 999 }, 1000)).toBe(99);
  });
});
