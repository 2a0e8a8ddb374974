import { useState } from 'react';
import { Alert, Box, Paper, ToggleButton, ToggleButtonGroup, Typography } from '@mui/material';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useDataProvider } from 'react-admin';
import { errorMessage, type HeadroomDataProvider } from '../data-provider';
import { LatencyHistogram } from './slo-charts';
import { formatLatency, quantileLabel, quantilesFor } from './slo-math';
import type { Slo } from './types';

const WINDOWS = ['5m', '1h', '1d'] as const;
type LatencyWindow = (typeof WINDOWS)[number];

const Quantile = ({ q, value, threshold, isObjective }: { q: number; value: number | null; threshold: number | null; isObjective: boolean }) => {
  const over = value != null && threshold != null && value > threshold;
  return (
    <Paper variant="outlined" sx={{ px: 2, py: 1, minWidth: 110 }} data-testid={`quantile-${quantileLabel(q)}`}>
      <Typography variant="caption" color="text.secondary" component="div">
        {quantileLabel(q)}
        {isObjective && ' · objective'}
      </Typography>
      <Typography variant="h6" component="div" sx={{ fontVariantNumeric: 'tabular-nums', color: over ? 'error.main' : undefined }}>
        {formatLatency(value)}
      </Typography>
    </Paper>
  );
};

/**
 * Latency quantiles and the histogram over one window, computed on the server from the same
 * buckets. The quantile at the SLO's objective (p99.9 for 99.9 %) is the one to compare with
 * the threshold: above it, more requests in the window were slow than the objective allows.
 */
export const LatencyPanel = ({ slo }: { slo: Pick<Slo, 'id' | 'objective' | 'thresholdSeconds'> }) => {
  const [span, setSpan] = useState<LatencyWindow>('5m');
  const quantiles = quantilesFor(slo.objective);
  const objectiveQ = Number(slo.objective.toPrecision(6));
  const dataProvider = useDataProvider<HeadroomDataProvider>();
  const { data, error, isPending, isFetching } = useQuery({
    queryKey: ['slos', slo.id, 'latency', span, quantiles.join(',')],
    queryFn: async () => (await dataProvider.sloLatency(slo.id, span, quantiles)).data,
    placeholderData: keepPreviousData,
    refetchInterval: 30_000,
  });
  const total = data?.buckets.at(-1)?.count ?? 0;
  return (
    <Box sx={{ display: 'grid', gap: 2 }}>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, flexWrap: 'wrap' }}>
        <ToggleButtonGroup
          size="small"
          exclusive
          value={span}
          onChange={(_, value: LatencyWindow | null) => value && setSpan(value)}
          aria-label="Latency window"
        >
          {WINDOWS.map((w) => (
            <ToggleButton key={w} value={w}>
              {w}
            </ToggleButton>
          ))}
        </ToggleButtonGroup>
        <Typography variant="body2" color="text.secondary">
          {data && !isFetching
            ? `${new Intl.NumberFormat().format(total)} requests in the last ${data.window}; threshold ${formatLatency(slo.thresholdSeconds)}`
            : 'Loading…'}
        </Typography>
      </Box>
      {error ? (
        <Alert severity="error">{errorMessage(error)}</Alert>
      ) : isPending ? null : (
        <>
          <Box sx={{ display: 'flex', gap: 1.5, flexWrap: 'wrap' }} aria-label="Latency quantiles" role="group">
            {data?.quantiles.map((item) => (
              <Quantile key={item.q} q={item.q} value={item.value} threshold={slo.thresholdSeconds} isObjective={item.q === objectiveQ} />
            ))}
          </Box>
          {data && <LatencyHistogram buckets={data.buckets} thresholdSeconds={slo.thresholdSeconds} />}
        </>
      )}
    </Box>
  );
};
