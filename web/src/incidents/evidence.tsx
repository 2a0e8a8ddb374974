import { Box, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { burnRate, percent } from '../fields';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** "5m" → 300, so windows sort by length; unknown formats sort last, by name. */
const windowSeconds = (window: string): number => {
  const match = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(window.trim());
  return match ? Number(match[1]) * UNIT_SECONDS[match[2]] : Number.POSITIVE_INFINITY;
};

type Scalar = string | number | boolean | null;
type Flat = Record<string, Scalar>;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isScalar = (value: unknown): value is Scalar => value === null || ['string', 'number', 'boolean'].includes(typeof value);
const isFlat = (value: unknown): value is Flat => isRecord(value) && Object.values(value).every(isScalar);

/** "windowPairs" → "Window pairs" */
const humanize = (key: string): string => {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

const Json = ({ value }: { value: unknown }) => (
  <Box
    component="pre"
    sx={{ m: 0, p: 1.5, bgcolor: 'action.hover', borderRadius: 1, fontSize: 12, overflowX: 'auto' }}
  >
    {JSON.stringify(value, null, 2)}
  </Box>
);

const cellSx = { fontVariantNumeric: 'tabular-nums' } as const;

/** An array of flat objects as a table with one column per key. */
const RowsTable = ({ rows, label }: { rows: Flat[]; label: string }) => {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  return (
    <Table size="small" aria-label={label} sx={{ width: 'auto' }}>
      <TableHead>
        <TableRow>
          {columns.map((column) => (
            <TableCell key={column}>{humanize(column)}</TableCell>
          ))}
        </TableRow>
      </TableHead>
      <TableBody>
        {rows.map((row, index) => (
          <TableRow key={index}>
            {columns.map((column) => (
              <TableCell key={column} sx={cellSx}>
                {String(row[column] ?? '—')}
              </TableCell>
            ))}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
};

const Value = ({ name, value }: { name: string; value: unknown }) => {
  if (Array.isArray(value) && value.every(isScalar)) return <>{value.join(', ')}</>;
  if (Array.isArray(value) && value.length > 0 && value.every(isFlat)) return <RowsTable rows={value} label={humanize(name)} />;
  if (isFlat(value)) return <RowsTable rows={[value]} label={humanize(name)} />;
  return <Json value={value} />;
};

const BurnRates = ({ burnRates }: { burnRates: Record<string, unknown> }) => {
  const rows = Object.entries(burnRates)
    .map(([window, value]) => ({ window, value: typeof value === 'number' ? value : null }))
    .sort((a, b) => windowSeconds(a.window) - windowSeconds(b.window) || a.window.localeCompare(b.window));
  return (
    <Table size="small" aria-label="Burn rates" sx={{ maxWidth: 360 }}>
      <TableHead>
        <TableRow>
          <TableCell>Window</TableCell>
          <TableCell align="right">Burn rate</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {rows.map(({ window, value }) => (
          <TableRow key={window}>
            <TableCell>{window}</TableCell>
            <TableCell align="right" sx={{ ...cellSx, fontWeight: value != null && value > 1 ? 600 : undefined }}>
              {value == null ? '—' : `${burnRate(value)}×`}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
};

/**
 * What the evaluator saw when it opened the incident. Burn rate: how many times faster than
 * "exactly on budget" the error budget is being spent over a window (1 = lasts the SLO period).
 */
export const Evidence = ({ evidence }: { evidence: unknown }) => {
  if (evidence == null || (isRecord(evidence) && Object.keys(evidence).length === 0)) {
    return (
      <Typography variant="body2" color="text.secondary">
        No evidence recorded.
      </Typography>
    );
  }
  if (!isRecord(evidence)) return <Json value={evidence} />;

  const { burnRates, objective, ...rest } = evidence;
  const entries = Object.entries(rest);
  const scalars = entries.filter((entry): entry is [string, Scalar] => isScalar(entry[1]));
  const nested = entries.filter(([, value]) => !isScalar(value));
  return (
    <Box sx={{ display: 'grid', gap: 2 }}>
      {typeof objective === 'number' && (
        <Typography variant="body2">
          Objective: <strong>{percent(objective)}</strong>
        </Typography>
      )}
      {isRecord(burnRates) && <BurnRates burnRates={burnRates} />}
      {scalars.length > 0 && (
        <Table size="small" aria-label="Evidence values" sx={{ width: 'auto', justifySelf: 'start' }}>
          <TableBody>
            {scalars.map(([key, value]) => (
              <TableRow key={key}>
                <TableCell component="th" scope="row" sx={{ color: 'text.secondary' }}>
                  {humanize(key)}
                </TableCell>
                <TableCell sx={cellSx}>{String(value ?? '—')}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {nested.map(([key, value]) => (
        <Box key={key}>
          <Typography variant="subtitle2" component="h3" gutterBottom>
            {humanize(key)}
          </Typography>
          <Typography variant="body2" component="div">
            <Value name={key} value={value} />
          </Typography>
        </Box>
      ))}
    </Box>
  );
};
