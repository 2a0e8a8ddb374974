import { Chip, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { StatusChip } from '../fields';
import { BurnRateValue } from './burn-rate-value';
import type { SloEvidence } from './types';

const number = new Intl.NumberFormat();

/**
 * The multi-window conditions as the evaluator last saw them. A pair fires when both its long
 * window (is it significant?) and its short window (is it still happening?) burn faster than
 * the threshold; the short window lets the alert stop soon after the problem does.
 */
export const WindowPairsTable = ({ evidence }: { evidence: SloEvidence }) => {
  const pairs = evidence.windowPairs ?? [];
  if (pairs.length === 0) {
    return (
      <Typography variant="body2" color="text.secondary">
        Not evaluated yet.
      </Typography>
    );
  }
  return (
    <Table size="small" aria-label="Window pairs" sx={{ '& td, & th': { fontVariantNumeric: 'tabular-nums' } }}>
      <TableHead>
        <TableRow>
          <TableCell>Severity</TableCell>
          <TableCell>Long / short window</TableCell>
          <TableCell align="right">Threshold</TableCell>
          <TableCell align="right">Long burn</TableCell>
          <TableCell align="right">Short burn</TableCell>
          <TableCell align="right">Events (long window)</TableCell>
          <TableCell>Firing</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {pairs.map((p) => {
          const events = evidence.events?.[p.long];
          return (
            <TableRow key={`${p.severity}-${p.long}-${p.short}`}>
              <TableCell>
                <StatusChip value={p.severity} colors={{ page: 'error', ticket: 'warning' }} variant="outlined" />
              </TableCell>
              <TableCell>
                {p.long} / {p.short}
              </TableCell>
              <TableCell align="right">{p.threshold}×</TableCell>
              <TableCell align="right">
                <BurnRateValue value={p.longBurn} alarm={p.threshold} />
              </TableCell>
              <TableCell align="right">
                <BurnRateValue value={p.shortBurn} alarm={p.threshold} />
              </TableCell>
              <TableCell align="right">
                {events ? `${number.format(events.total - events.good)} bad of ${number.format(events.total)}` : '—'}
              </TableCell>
              <TableCell>
                {p.firing ? <Chip size="small" color="error" label="firing" /> : <Chip size="small" variant="outlined" label="no" />}
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
};
