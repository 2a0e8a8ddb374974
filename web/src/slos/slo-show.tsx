import type { ReactNode } from 'react';
import { Alert, Box, Card, CardContent, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import MenuBookIcon from '@mui/icons-material/MenuBook';
import { Link, ListButton, RefreshButton, Show, TopToolbar, useRecordContext } from 'react-admin';
import { DateTime, percent } from '../fields';
import { BacktestForm } from './backtest-form';
import { BudgetBar } from './budget-bar';
import { LatencyHistory } from './latency-history';
import { LatencyPanel } from './latency-panel';
import { BudgetChart, BurnRateChart } from './slo-charts';
import { formatLatency, quantilesFor } from './slo-math';
import { SloStateChip } from './state-chip';
import type { PullProgress, SloDetail } from './types';
import { WindowPairsTable } from './window-pairs-table';

const SloTitle = () => {
  const record = useRecordContext<SloDetail>();
  return <span>{record ? `SLO: ${record.service} ${record.name}` : 'SLO'}</span>;
};

const Actions = () => (
  <TopToolbar>
    <ListButton />
    <RefreshButton />
  </TopToolbar>
);

const Item = ({ label, children }: { label: string; children: ReactNode }) => (
  <Box>
    <Typography variant="caption" color="text.secondary" component="div">
      {label}
    </Typography>
    <Typography variant="body2" component="div">
      {children}
    </Typography>
  </Box>
);

const Section = ({ title, subtitle, children }: { title: string; subtitle?: ReactNode; children: ReactNode }) => (
  <Card variant="outlined" component="section" aria-label={title}>
    <CardContent>
      <Typography variant="h6" component="h2">
        {title}
      </Typography>
      {subtitle && (
        <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
          {subtitle}
        </Typography>
      )}
      {children}
    </CardContent>
  </Card>
);

const PullTable = ({ pull }: { pull: PullProgress[] }) => (
  <Box sx={{ overflowX: 'auto' }}>
    <Table size="small" aria-label="Prometheus queries pulled">
      <TableHead>
        <TableRow>
          <TableCell>Query</TableCell>
          <TableCell>Pulled until</TableCell>
          <TableCell>Backfill</TableCell>
          <TableCell>Last error</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {pull.map((p) => (
          <TableRow key={p.series}>
            <TableCell sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>{p.query ?? 'not pulled yet'}</TableCell>
            <TableCell>{p.pulledUntil ? <DateTime value={p.pulledUntil} /> : '—'}</TableCell>
            <TableCell>{p.caughtUpAt ? 'done' : `${p.backfillPercent}%`}</TableCell>
            <TableCell>{p.lastError ?? '—'}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  </Box>
);

const kind = (slo: SloDetail): string =>
  slo.kind === 'latency' ? `latency: requests within ${formatLatency(slo.thresholdSeconds)}` : 'events: requests without a server error';

const SloDetails = () => {
  const slo = useRecordContext<SloDetail>();
  if (!slo) return null;
  const history = slo.history ?? { burnRates: [], budget: [] };
  const pairs = slo.evidence?.windowPairs ?? [];
  return (
    <Box sx={{ display: 'grid', gap: 2, p: 2 }}>
      <Typography variant="h5" component="h1">
        {slo.service} · {slo.name}
      </Typography>
      <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: 'repeat(auto-fill, minmax(180px, 1fr))' }}>
        <Item label="Service">{slo.service}</Item>
        <Item label="Objective">{percent(slo.objective)} over {slo.period}</Item>
        <Item label="Kind">{kind(slo)}</Item>
        <Item label="Source">{slo.source}</Item>
        <Item label="State">
          <Box sx={{ display: 'flex', gap: 1, alignItems: 'center', flexWrap: 'wrap' }}>
            <SloStateChip slo={slo} />
            {slo.since && (
              <span>
                since <DateTime value={slo.since} />
              </span>
            )}
          </Box>
        </Item>
        <Item label="Budget remaining">
          <BudgetBar value={slo.budgetRemaining} />
        </Item>
        <Item label="Evaluated">
          <DateTime value={slo.evaluatedAt} />
        </Item>
        <Item label="Runbook">
          {slo.runbookId ? (
            <Link to={`/runbooks/${encodeURIComponent(slo.runbookId)}/show`} sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.5 }}>
              <MenuBookIcon fontSize="small" />
              {slo.runbookId}
            </Link>
          ) : (
            '—'
          )}
        </Item>
      </Box>
      {slo.state === 'no-data' && slo.noDataReason && <Alert severity="info">No data: {slo.noDataReason}</Alert>}
      <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: '1fr', lg: '3fr 2fr' } }}>
        <Section title="Burn rate, last 24 h" subtitle="Times faster than on budget, per window; a page fires when both windows of a pair cross its line.">
          <BurnRateChart key={slo.id} history={history} pairs={pairs} />
        </Section>
        <Section title={`Error budget, ${slo.period} period`} subtitle="Share of the budget left, counted from the start of the period to each point.">
          <BudgetChart history={history} period={slo.period} />
        </Section>
      </Box>
      {slo.kind === 'latency' && (
        <Section title="Latency" subtitle="Quantiles and requests per bucket over the chosen window.">
          <LatencyPanel key={slo.id} slo={slo} />
        </Section>
      )}
      {slo.kind === 'latency' && (
        <Section title="Latency, last 6 h" subtitle="Quantiles per 5-minute step, and where the requests fell among the buckets.">
          <LatencyHistory key={slo.id} sloId={slo.id} quantiles={quantilesFor(slo.objective)} thresholdSeconds={slo.thresholdSeconds ?? null} />
        </Section>
      )}
      <Section title="Alert conditions" subtitle="Each window pair at the last evaluation.">
        <WindowPairsTable evidence={slo.evidence ?? {}} />
      </Section>
      <Section title="Back-test" subtitle="Replay the stored minutes through these rules, or through changed ones, and see what would have fired.">
        <BacktestForm key={slo.id} slo={slo} />
      </Section>
      {slo.pull && (
        <Section title="Pulled from Prometheus" subtitle="Each query is read once a minute into Headroom's rollups; a new one is first backfilled over the period.">
          <PullTable pull={slo.pull} />
        </Section>
      )}
    </Box>
  );
};

export const SloShow = () => (
  <Show<SloDetail>
    title={<SloTitle />}
    actions={<Actions />}
    // The evaluator runs every minute: keep the charts current while the page is open.
    queryOptions={{ refetchInterval: 30_000 }}
  >
    <SloDetails />
  </Show>
);
