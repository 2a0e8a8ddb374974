import { Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { DateTime } from '../fields';
import type { TimelineEntry } from './types';

export const Timeline = ({ entries }: { entries: TimelineEntry[] | undefined }) => {
  if (!entries?.length) {
    return <Typography variant="body2" color="text.secondary">No timeline entries.</Typography>;
  }
  const rows = [...entries].sort(
    (a, b) => Date.parse(a.at) - Date.parse(b.at) || String(a.id).localeCompare(String(b.id), undefined, { numeric: true }),
  );
  return (
    <Table size="small" aria-label="Timeline">
      <TableHead>
        <TableRow>
          <TableCell sx={{ width: 200 }}>Time</TableCell>
          <TableCell sx={{ width: 200 }}>Actor</TableCell>
          <TableCell>Message</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {rows.map((entry) => (
          <TableRow key={entry.id} data-kind={entry.kind}>
            <TableCell sx={{ whiteSpace: 'nowrap' }}>
              <DateTime value={entry.at} />
            </TableCell>
            <TableCell>
              {entry.actorName ?? entry.actorType}
              {entry.actorName && (
                <Typography component="span" variant="caption" color="text.secondary">
                  {' '}
                  ({entry.actorType})
                </Typography>
              )}
            </TableCell>
            <TableCell>{entry.message}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
};
