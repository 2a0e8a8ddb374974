import { Alert, Box, Typography } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useDataProvider } from 'react-admin';
import { errorMessage, type HeadroomDataProvider } from '../data-provider';
import { localAndUtc, shortTime } from '../fields';
import { formatLatency, quantileLabel } from './slo-math';

const COLORS = ['#1976d2', '#ef6c00', '#c62828', '#6a1b9a'];
const SPAN = '6h';
const STEP = '5m';

/** The share of a step's requests in a bucket, as a colour: light for few, dark for most. */
const shade = (share: number) => `rgba(25, 118, 210, ${share <= 0 ? 0.04 : Math.min(1, 0.15 + 0.85 * Math.sqrt(share))})`;

/**
 * Latency over the last 6 hours in 5-minute steps: the quantiles as lines (with the SLO's
 * threshold), and a heatmap of where requests fell among the buckets, so a shift of the whole
 * distribution and a new slow tail look different.
 */
export const LatencyHistory = ({ sloId, quantiles, thresholdSeconds }: { sloId: string; quantiles: number[]; thresholdSeconds: number | null }) => {
  const dataProvider = useDataProvider<HeadroomDataProvider>();
  const { data, error } = useQuery({
    queryKey: ['slos', sloId, 'latency-history', quantiles.join(',')],
    queryFn: async () => (await dataProvider.sloLatencyHistory(sloId, { span: SPAN, step: STEP, quantiles })).data,
    refetchInterval: 60_000,
  });
  if (error) return <Alert severity="error">{errorMessage(error)}</Alert>;
  if (!data) return null;
  const rows = data.points.map((p) => ({ t: Date.parse(p.at), ...Object.fromEntries(p.quantiles.map((q) => [quantileLabel(q.q), q.value])) }));
  const bounds = data.points.find((p) => p.buckets.length)?.buckets.map((b) => b.le) ?? [];
  return (
    <Box sx={{ display: 'grid', gap: 2 }}>
      <Box role="img" aria-label="Latency quantiles over time" sx={{ height: 240 }}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="t" type="number" domain={['dataMin', 'dataMax']} tickFormatter={shortTime} scale="time" />
            <YAxis tickFormatter={(v: number) => formatLatency(v)} width={64} />
            <Tooltip labelFormatter={(t) => localAndUtc(Number(t))} formatter={(v) => formatLatency(v as number)} />
            <Legend />
            {thresholdSeconds !== null && <ReferenceLine y={thresholdSeconds} stroke="#c62828" strokeDasharray="4 4" label="threshold" />}
            {quantiles.map((q, i) => (
              <Line key={q} type="monotone" dataKey={quantileLabel(q)} stroke={COLORS[i % COLORS.length]} dot={false} isAnimationActive={false} connectNulls />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </Box>
      {bounds.length > 0 && (
        <Box>
          <Typography variant="caption" color="text.secondary">Requests per bucket (share of each 5-minute step; darker is more)</Typography>
          <svg role="img" aria-label="Latency heatmap" viewBox={`0 0 ${data.points.length * 10 + 70} ${bounds.length * 14}`} width="100%" preserveAspectRatio="none" style={{ maxHeight: bounds.length * 18 }}>
            {bounds.map((le, row) => (
              <text key={String(le)} x={0} y={(bounds.length - row) * 14 - 4} fontSize={9} fill="currentColor">
                ≤ {le === '+Inf' ? '∞' : formatLatency(le)}
              </text>
            ))}
            {data.points.map((p, col) =>
              p.buckets.map((b, row) => (
                <rect key={`${col}-${row}`} x={70 + col * 10} y={(bounds.length - 1 - row) * 14} width={9.5} height={13.5} fill={shade(p.total ? b.count / p.total : 0)}>
                  <title>{`${localAndUtc(Date.parse(p.at))}: ${b.count} requests ≤ ${b.le === '+Inf' ? '∞' : formatLatency(b.le)}`}</title>
                </rect>
              )),
            )}
          </svg>
        </Box>
      )}
    </Box>
  );
};
