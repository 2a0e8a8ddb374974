import { useId, useMemo, useState } from 'react';
import { Box, ToggleButton, ToggleButtonGroup, Typography } from '@mui/material';
import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { burnRate, localAndUtc, percent, shortDate, shortTime } from '../fields';
import {
  budgetSeries,
  burnRateSeries,
  clampForLog,
  formatLatency,
  hasBurnRateLine,
  histogramBars,
  niceCeil,
  type BudgetRow,
} from './slo-math';
import type { LatencyAnswer, SloHistory, WindowPair } from './types';

// Categorical colours that stay apart for the 4–6 windows an SLO has (Tableau 10).
const PALETTE = ['#e15759', '#f28e2b', '#4e79a7', '#76b7b2', '#59a14f', '#b07aa1', '#9c755f'];
const RED = '#d32f2f';
const GREEN = '#2e7d32';
const LOG_FLOOR = 0.01;

/** Log axes read best when they end on a power of ten. */
const niceLogCeil = (value: number): number => 10 ** Math.ceil(Math.log10(Math.max(value, LOG_FLOOR)));

const powersOfTen = (from: number, to: number): number[] => {
  const out: number[] = [];
  for (let e = Math.round(Math.log10(from)); 10 ** e <= to * (1 + 1e-9); e++) out.push(Number((10 ** e).toPrecision(1)));
  return out;
};
const compactPercent = new Intl.NumberFormat(undefined, { style: 'percent', notation: 'compact' });
/** "−22K%" rather than "−21,904%": a budget overspent a hundred times over must still fit the axis. */
const budgetTick = (value: number): string => (Math.abs(value) >= 10 ? compactPercent.format(value) : percent(value, 0));
const burnTick = (value: number): string => `${Number(value.toPrecision(3))}×`;

const numberOf = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const timeLabel = (label: unknown) => localAndUtc(Number(label));

const Empty = ({ children }: { children: string }) => (
  <Typography variant="body2" color="text.secondary" sx={{ py: 4, textAlign: 'center' }}>
    {children}
  </Typography>
);

/**
 * Burn rate per window over the last day, with the page thresholds as reference lines: a page
 * fires when both windows of a pair are above their line at the same time.
 */
export const BurnRateChart = ({ history, pairs }: { history: SloHistory; pairs: WindowPair[] }) => {
  // Log by default: burn rates span 0.01× to 1000×, and on a linear axis up to the page line
  // everything under 1× (the normal case) is a flat line at the bottom.
  const [scale, setScale] = useState<'linear' | 'log'>('log');
  const { windows, rows } = useMemo(() => burnRateSeries(history.burnRates), [history.burnRates]);
  const thresholds = useMemo(() => {
    const byValue = new Map<number, string[]>();
    for (const p of pairs.filter((p) => p.severity === 'page')) byValue.set(p.threshold, [...(byValue.get(p.threshold) ?? []), `${p.long}/${p.short}`]);
    return [...byValue].map(([value, names]) => ({ value, label: `page ${value}× (${names.join(', ')})` }));
  }, [pairs]);

  if (!hasBurnRateLine(rows, windows)) {
    return <Empty>Not enough history yet: the chart fills in as minutes are recorded.</Empty>;
  }
  // Room above the highest page line so its label stays readable.
  const top = Math.max(1, ...thresholds.map((t) => t.value)) * 1.15;
  const highest = Math.max(top, ...rows.flatMap((r) => windows.map((w) => r[w] ?? 0)));
  const yTop = scale === 'log' ? niceLogCeil(highest) : niceCeil(highest);
  const data = scale === 'log' ? clampForLog(rows, windows, LOG_FLOOR) : rows;
  return (
    <Box data-testid="burn-rate-chart">
      <Box sx={{ display: 'flex', justifyContent: 'flex-end' }}>
        <ToggleButtonGroup
          size="small"
          exclusive
          value={scale}
          onChange={(_, value: 'linear' | 'log' | null) => value && setScale(value)}
          aria-label="Burn-rate axis"
        >
          <ToggleButton value="linear">Linear</ToggleButton>
          <ToggleButton value="log">Log</ToggleButton>
        </ToggleButtonGroup>
      </Box>
      <ResponsiveContainer width="100%" height={300}>
        <LineChart data={data} margin={{ top: 8, right: 24, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="t" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={shortTime} minTickGap={40} />
          <YAxis
            scale={scale}
            domain={[scale === 'log' ? LOG_FLOOR : 0, yTop]}
            ticks={scale === 'log' ? powersOfTen(LOG_FLOOR, yTop) : undefined}
            allowDataOverflow
            tickFormatter={burnTick}
            width={56}
          />
          <Tooltip
            labelFormatter={timeLabel}
            formatter={(value) => {
              const n = numberOf(value);
              return n == null ? '—' : `${burnRate(n)}×`;
            }}
          />
          <Legend />
          {thresholds.map((t) => (
            <ReferenceLine
              key={t.value}
              y={t.value}
              stroke={RED}
              strokeDasharray="6 4"
              ifOverflow="extendDomain"
              label={{ value: t.label, position: 'insideTopRight', fill: RED, fontSize: 12 }}
            />
          ))}
          {windows.map((w, i) => (
            <Line
              key={w}
              dataKey={w}
              name={w}
              type="linear"
              stroke={PALETTE[i % PALETTE.length]}
              dot={false}
              strokeWidth={w === windows[0] ? 1.25 : 2}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </Box>
  );
};

/** Where the fill turns from green (budget left) to red (overspent): the zero line inside the area's box. */
function zeroOffset(rows: BudgetRow[]): number {
  const values = rows.map((r) => r.remaining).filter((v): v is number => v != null);
  const top = Math.max(0, ...values);
  const bottom = Math.min(0, ...values);
  return top - bottom === 0 ? 1 : top / (top - bottom);
}

/** Error budget remaining across the SLO period; below the 0 line the budget is overspent. */
export const BudgetChart = ({ history, period }: { history: SloHistory; period: string }) => {
  const gradient = useId().replace(/:/g, '');
  const rows = useMemo(() => budgetSeries(history.budget), [history.budget]);
  if (!rows.some((r) => r.remaining != null)) {
    return <Empty>{`No budget history yet for this ${period} period.`}</Empty>;
  }
  const offset = zeroOffset(rows);
  // An overspent budget goes far below 0 (−2 = spent three times over): a round bottom keeps the ticks readable.
  const lowest = Math.min(0, ...rows.map((r) => r.remaining ?? 0));
  const bottom = lowest < 0 ? -niceCeil(-lowest) : 0;
  return (
    <Box data-testid="budget-chart">
      <ResponsiveContainer width="100%" height={300}>
        <AreaChart data={rows} margin={{ top: 8, right: 24, bottom: 0, left: 0 }}>
          <defs>
            <linearGradient id={gradient} x1="0" y1="0" x2="0" y2="1">
              <stop offset={offset} stopColor={GREEN} stopOpacity={0.35} />
              <stop offset={offset} stopColor={RED} stopOpacity={0.45} />
            </linearGradient>
          </defs>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="t" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={shortDate} minTickGap={40} />
          <YAxis domain={[bottom, 1]} ticks={bottom < -2 ? [bottom, bottom / 2, 0] : undefined} tickFormatter={budgetTick} width={64} />
          <Tooltip labelFormatter={timeLabel} formatter={(value) => [percent(numberOf(value), 2), 'budget remaining']} />
          <ReferenceLine y={0} stroke={RED} label={{ value: 'budget exhausted', position: 'insideTopLeft', fill: RED, fontSize: 12 }} />
          <Area
            dataKey="remaining"
            name="budget remaining"
            type="linear"
            stroke={GREEN}
            fill={`url(#${gradient})`}
            connectNulls={false}
            // One point a day: dots keep a lone point (the first day of data) visible.
            dot={{ r: 2, fill: GREEN }}
            isAnimationActive={false}
          />
        </AreaChart>
      </ResponsiveContainer>
    </Box>
  );
};

/** Requests per latency bucket in the window; red buckets are slower than the SLO's threshold. */
export const LatencyHistogram = ({ buckets, thresholdSeconds }: { buckets: LatencyAnswer['buckets']; thresholdSeconds: number | null }) => {
  const bars = useMemo(() => histogramBars(buckets, thresholdSeconds), [buckets, thresholdSeconds]);
  if (!bars.some((b) => b.within + b.over > 0)) return <Empty>No requests in this window.</Empty>;
  const slow = thresholdSeconds != null ? `slower than ${formatLatency(thresholdSeconds)}` : 'slow';
  return (
    <Box data-testid="latency-histogram">
      <ResponsiveContainer width="100%" height={260}>
        <BarChart data={bars} margin={{ top: 8, right: 24, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" interval={0} tick={{ fontSize: 11 }} />
          <YAxis allowDecimals={false} width={64} tickFormatter={(v: number) => new Intl.NumberFormat(undefined, { notation: 'compact' }).format(v)} />
          <Tooltip formatter={(value) => new Intl.NumberFormat().format(numberOf(value) ?? 0)} />
          <Legend />
          <Bar dataKey="within" name="within threshold" stackId="requests" fill={GREEN} isAnimationActive={false} />
          <Bar dataKey="over" name={slow} stackId="requests" fill={RED} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </Box>
  );
};
