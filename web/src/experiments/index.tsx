import ScienceIcon from '@mui/icons-material/Science';
import { Alert, Box, Card, CardContent, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { DataTable, List, SearchInput, SelectInput, Show, useRecordContext } from 'react-admin';
import { DateTime, StatusChip } from '../fields';
import { Rollbacks } from '../rollback-executions/rollbacks';

type MetricState = 'no-data' | 'insufficient-units' | 'ok' | 'breach';

interface MetricResult {
  metric: string;
  role: 'guardrail' | 'success';
  variant: string;
  kind: 'proportion' | 'mean';
  direction: string;
  margin: number;
  alpha: number;
  state: MetricState;
  controlMean: number | null;
  treatmentMean: number | null;
  difference: number | null;
  relativeDifference: number | null;
  interval: { lower: number | null; upper: number | null } | null;
  pValue: number | null;
  units: { control: number; treatment: number };
  untrustworthy: boolean;
}

interface Experiment {
  id: string;
  service: string;
  status: 'running' | 'stopped' | 'rolled_back';
  origin: 'yaml' | 'api';
  startedAt: string;
  evaluatedAt: string | null;
  results: {
    snapshotAt: string | null;
    units: Record<string, number>;
    srm: { state: string; chi2: number | null; pValue: number | null; trustworthy: boolean; message: string };
    metrics: MetricResult[];
    ship: Record<string, { ship: boolean; reasons: string[]; final: boolean }>;
  } | null;
}

const stateColors = { breach: 'error', ok: 'success', 'no-data': 'default', 'insufficient-units': 'default', mismatch: 'error' } as const;
const statusColors = { running: 'primary', stopped: 'default', rolled_back: 'warning' } as const;

const num = (v: number | null | undefined, digits = 4) => (v === null || v === undefined ? '—' : Number(v.toPrecision(digits)).toString());
const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(2)}%`);
const bound = (v: number | null) => (v === null ? '∞' : num(v));

/** The worst guardrail state of the latest results, for the list. */
const worst = (e: Experiment): string => {
  const states = e.results?.metrics.filter((m) => m.role === 'guardrail').map((m) => m.state) ?? [];
  if (e.results?.srm.state === 'mismatch') return 'mismatch';
  return states.includes('breach') ? 'breach' : states.includes('ok') ? 'ok' : 'no-data';
};

export const ExperimentList = () => (
  <List<Experiment>
    sort={{ field: 'startedAt', order: 'DESC' }}
    filters={[<SearchInput key="q" source="q" alwaysOn />, <SelectInput key="status" source="status" choices={['running', 'stopped', 'rolled_back'].map((id) => ({ id, name: id }))} alwaysOn />]}
  >
    <DataTable<Experiment> rowClick="show" bulkActionButtons={false}>
      <DataTable.Col source="id" label="Experiment" />
      <DataTable.Col source="service" />
      <DataTable.Col source="status" render={(e) => <StatusChip value={e.status} colors={statusColors} />} />
      <DataTable.Col label="Guardrails" disableSort render={(e) => <StatusChip value={worst(e as Experiment)} colors={stateColors} />} />
      <DataTable.Col label="Units" disableSort render={(e) => Object.entries(e.results?.units ?? {}).map(([v, n]) => `${v} ${n}`).join(' · ')} />
      <DataTable.Col source="evaluatedAt" label="Evaluated" render={(e) => <DateTime value={e.evaluatedAt} />} />
    </DataTable>
  </List>
);

const Results = () => {
  const e = useRecordContext<Experiment>();
  if (!e) return null;
  const r = e.results;
  return (
    <Box sx={{ display: 'grid', gap: 2, p: 2 }}>
      <Typography variant="h5" component="h1">{e.id}</Typography>
      <Box sx={{ display: 'flex', gap: 3, flexWrap: 'wrap', alignItems: 'center' }}>
        <StatusChip value={e.status} colors={statusColors} />
        <span>Service {e.service}</span>
        <span>Started <DateTime value={e.startedAt} /></span>
        <span>Snapshot <DateTime value={r?.snapshotAt} /></span>
      </Box>
      {!r ? (
        <Alert severity="info">No observations yet: results appear after the first snapshot.</Alert>
      ) : (
        <>
          <Alert severity={r.srm.state === 'mismatch' ? 'error' : 'info'} aria-label="Sample ratio">
            Sample ratio: {r.srm.state}
            {r.srm.pValue !== null && ` (χ² ${num(r.srm.chi2)}, p ${num(r.srm.pValue, 3)})`} — {r.srm.message}
            {' '}Units: {Object.entries(r.units).map(([v, n]) => `${v} ${n}`).join(', ')}
          </Alert>
          <Card variant="outlined">
            <CardContent>
              <Typography variant="h6" component="h2" gutterBottom>Metrics</Typography>
              <Table size="small" aria-label="Metrics">
                <TableHead>
                  <TableRow>
                    <TableCell>Metric</TableCell>
                    <TableCell>Variant</TableCell>
                    <TableCell>State</TableCell>
                    <TableCell align="right">Control</TableCell>
                    <TableCell align="right">Treatment</TableCell>
                    <TableCell align="right">Difference</TableCell>
                    <TableCell>Interval (harm side)</TableCell>
                    <TableCell align="right">p (harm)</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {r.metrics.map((m) => (
                    <TableRow key={`${m.metric}:${m.variant}`}>
                      <TableCell>
                        {m.metric}
                        <Typography component="div" variant="caption" color="text.secondary">
                          {m.role}, {m.kind}, {m.direction.replace(/_/g, ' ')}{m.margin ? `, margin ${pct(m.margin)}` : ''}
                        </Typography>
                      </TableCell>
                      <TableCell>{m.variant}</TableCell>
                      <TableCell>
                        <StatusChip value={m.state} colors={stateColors} title={m.untrustworthy ? 'sample ratio mismatch: do not trust' : null} />
                      </TableCell>
                      <TableCell align="right">{num(m.controlMean)}</TableCell>
                      <TableCell align="right">{num(m.treatmentMean)}</TableCell>
                      <TableCell align="right">{num(m.difference)} ({pct(m.relativeDifference)})</TableCell>
                      <TableCell>{m.interval ? `[${bound(m.interval.lower)}, ${bound(m.interval.upper)}]` : '—'}</TableCell>
                      <TableCell align="right">{num(m.pValue, 3)}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </CardContent>
          </Card>
          <Card variant="outlined">
            <CardContent>
              <Typography variant="h6" component="h2" gutterBottom>Rollbacks</Typography>
              <Rollbacks experiment={e.id} />
            </CardContent>
          </Card>
          {Object.entries(r.ship).map(([variant, d]) => (
            <Alert key={variant} severity={d.ship ? 'success' : 'warning'}>
              {variant}: {d.ship ? 'ship' : "don't ship yet"}{d.final ? ' (final)' : ' (interim)'}
              {d.reasons.length > 0 && ` — ${d.reasons.join('; ')}`}
            </Alert>
          ))}
        </>
      )}
    </Box>
  );
};

export const ExperimentShow = () => (
  <Show<Experiment>>
    <Results />
  </Show>
);

export const experiments = { list: ExperimentList, show: ExperimentShow, icon: ScienceIcon, recordRepresentation: 'id' };
