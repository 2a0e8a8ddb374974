import { useState, type FormEvent, type ReactNode } from 'react';
import {
  Alert,
  Box,
  Button,
  FormControlLabel,
  Paper,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import { useMutation } from '@tanstack/react-query';
import { useDataProvider } from 'react-admin';
import { DateTime, StatusChip } from '../fields';
import { errorMessage, type HeadroomDataProvider } from '../data-provider';
import { defaultBacktestRange, formatDuration, fromLocalInput, latestKnownTime } from './slo-math';
import type { BacktestRequest, BacktestResult, SloDetail } from './types';

const Figure = ({ label, value, alarm }: { label: string; value: ReactNode; alarm?: boolean }) => (
  <Paper variant="outlined" sx={{ px: 2, py: 1, minWidth: 120 }}>
    <Typography variant="caption" color="text.secondary" component="div">
      {label}
    </Typography>
    <Typography variant="h6" component="div" sx={{ fontVariantNumeric: 'tabular-nums', color: alarm ? 'error.main' : undefined }}>
      {value}
    </Typography>
  </Paper>
);

const Summary = ({ result }: { result: BacktestResult }) => {
  const s = result.summary;
  return (
    <Box sx={{ display: 'flex', gap: 1.5, flexWrap: 'wrap' }} role="group" aria-label="Back-test summary">
      <Figure label="Pages" value={s.pages} />
      <Figure label="Paged for" value={formatDuration(s.pagedSeconds)} />
      <Figure label="Tickets" value={s.tickets} />
      <Figure label="Ticketed for" value={formatDuration(s.ticketedSeconds)} />
      <Figure label="Breaches" value={s.breaches} />
      <Figure label="Undetected breaches" value={s.undetected} alarm={s.undetected > 0} />
    </Box>
  );
};

const cell = { fontVariantNumeric: 'tabular-nums' } as const;

const Alerts = ({ alerts }: { alerts: BacktestResult['alerts'] }) =>
  alerts.length === 0 ? (
    <Typography variant="body2" color="text.secondary">
      No page or ticket would have fired in this range.
    </Typography>
  ) : (
    <Table size="small" aria-label="Back-test alerts">
      <TableHead>
        <TableRow>
          <TableCell>Severity</TableCell>
          <TableCell>Start</TableCell>
          <TableCell>End</TableCell>
          <TableCell align="right">Duration</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {alerts.map((a) => (
          <TableRow key={`${a.severity}-${a.start}`}>
            <TableCell>
              <StatusChip value={a.severity} colors={{ page: 'error', ticket: 'warning' }} />
            </TableCell>
            <TableCell sx={cell}><DateTime value={a.start} /></TableCell>
            <TableCell sx={cell}><DateTime value={a.end} /></TableCell>
            <TableCell sx={cell} align="right">{formatDuration(a.durationSeconds)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );

const Breaches = ({ breaches }: { breaches: BacktestResult['breaches'] }) =>
  breaches.length === 0 ? (
    <Typography variant="body2" color="text.secondary">
      No breach: no minute burned budget as fast as the fastest page threshold.
    </Typography>
  ) : (
    <Table size="small" aria-label="Back-test breaches">
      <TableHead>
        <TableRow>
          <TableCell>Start</TableCell>
          <TableCell>End</TableCell>
          <TableCell align="right">Duration</TableCell>
          <TableCell align="right">Paged after</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {breaches.map((b) => (
          <TableRow key={b.start}>
            <TableCell sx={cell}><DateTime value={b.start} /></TableCell>
            <TableCell sx={cell}><DateTime value={b.end} /></TableCell>
            <TableCell sx={cell} align="right">{formatDuration(b.durationSeconds)}</TableCell>
            <TableCell sx={{ ...cell, color: b.detectionSeconds == null ? 'error.main' : undefined }} align="right">
              {b.detectionSeconds == null ? 'not paged' : formatDuration(b.detectionSeconds)}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );

/** What the form holds, turned into a request, or the reason it cannot be sent yet. */
function toRequest(from: string, to: string, page: boolean, ticket: boolean, minEvents: string): BacktestRequest | string {
  const fromIso = fromLocalInput(from);
  const toIso = fromLocalInput(to);
  if (!fromIso || !toIso) return 'Enter both times.';
  if (toIso <= fromIso) return '"To" must be after "from".';
  if (!page && !ticket) return 'Turn on pages, tickets or both.';
  const alerting: BacktestRequest['alerting'] = { page, ticket };
  if (minEvents.trim() !== '') {
    const n = Number(minEvents);
    if (!Number.isInteger(n) || n < 0) return 'Minimum events must be a whole number, 0 or more.';
    alerting.minEvents = n;
  }
  return { from: fromIso, to: toIso, alerting };
}

/**
 * Replays the stored per-minute history through this SLO's alert rules — or with pages,
 * tickets or the minimum event count changed — to see what would have fired before changing
 * the rules for real.
 */
export const BacktestForm = ({ slo }: { slo: SloDetail }) => {
  // Until the user edits the range it follows the newest data (the record refreshes every
  // 30 s); once edited, it stays as typed.
  const [edited, setEdited] = useState<{ from: string; to: string } | null>(null);
  const { from, to } = edited ?? defaultBacktestRange(latestKnownTime(slo, Date.now()));
  const [page, setPage] = useState(true);
  const [ticket, setTicket] = useState(true);
  const [minEvents, setMinEvents] = useState('');
  const dataProvider = useDataProvider<HeadroomDataProvider>();
  const mutation = useMutation({ mutationFn: async (request: BacktestRequest) => (await dataProvider.sloBacktest(slo.id, request)).data });

  const request = toRequest(from, to, page, ticket, minEvents);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (typeof request !== 'string') mutation.mutate(request);
  };

  return (
    <Box sx={{ display: 'grid', gap: 2 }}>
      <Box component="form" onSubmit={submit} aria-label="Back-test" sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', alignItems: 'center' }}>
        <TextField
          label="From"
          type="datetime-local"
          size="small"
          value={from}
          sx={{ width: 240 }}
          onChange={(e) => setEdited({ from: e.target.value, to })}
          slotProps={{ inputLabel: { shrink: true }, htmlInput: { name: 'from' } }}
        />
        <TextField
          label="To"
          type="datetime-local"
          size="small"
          value={to}
          sx={{ width: 240 }}
          onChange={(e) => setEdited({ from, to: e.target.value })}
          slotProps={{ inputLabel: { shrink: true }, htmlInput: { name: 'to' } }}
        />
        <FormControlLabel control={<Switch checked={page} onChange={(e) => setPage(e.target.checked)} name="page" />} label="Pages" />
        <FormControlLabel control={<Switch checked={ticket} onChange={(e) => setTicket(e.target.checked)} name="ticket" />} label="Tickets" />
        <TextField
          label="Minimum events"
          type="number"
          size="small"
          value={minEvents}
          onChange={(e) => setMinEvents(e.target.value)}
          placeholder="SLO's own"
          helperText="per window, to fire"
          sx={{ width: 150 }}
          slotProps={{ inputLabel: { shrink: true }, htmlInput: { min: 0, step: 1, name: 'minEvents' } }}
        />
        <Button type="submit" variant="contained" startIcon={<PlayArrowIcon />} disabled={typeof request === 'string' || mutation.isPending}>
          {mutation.isPending ? 'Running…' : 'Run back-test'}
        </Button>
      </Box>
      {typeof request === 'string' && (
        <Typography variant="body2" color="text.secondary">
          {request}
        </Typography>
      )}
      {mutation.error && <Alert severity="error">{errorMessage(mutation.error)}</Alert>}
      {mutation.data && (
        <Box sx={{ display: 'grid', gap: 2 }} data-testid="backtest-result">
          <Typography variant="body2" color="text.secondary">
            <DateTime value={mutation.data.from} /> to <DateTime value={mutation.data.to} />
          </Typography>
          <Summary result={mutation.data} />
          <Typography variant="subtitle2" component="h3">
            Alerts
          </Typography>
          <Alerts alerts={mutation.data.alerts} />
          <Typography variant="subtitle2" component="h3">
            Breaches
          </Typography>
          <Breaches breaches={mutation.data.breaches} />
        </Box>
      )}
    </Box>
  );
};
