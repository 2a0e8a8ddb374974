import { Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { DateTime, StatusChip } from '../fields';
import type { IncidentAlert } from './types';

/** The alerts grouped into the incident (the 100 most recent), with how often each arrived. */
export const IncidentAlerts = ({ alerts }: { alerts: IncidentAlert[] | undefined }) => {
  if (!alerts?.length) return <Typography variant="body2" color="text.secondary">No alerts: the incident came from an SLO, a guardrail or a person.</Typography>;
  return (
    <Table size="small" aria-label="Alerts">
      <TableHead>
        <TableRow>
          <TableCell>Alert</TableCell>
          <TableCell>Status</TableCell>
          <TableCell>Labels</TableCell>
          <TableCell align="right">Received</TableCell>
          <TableCell>First</TableCell>
          <TableCell>Last</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {alerts.map((a) => (
          <TableRow key={a.id}>
            <TableCell>
              {a.generatorUrl ? <a href={a.generatorUrl} target="_blank" rel="noreferrer">{a.title}</a> : a.title}
              {a.mutedBy && <Typography variant="caption" color="text.secondary" component="div">muted by {a.mutedBy}</Typography>}
            </TableCell>
            <TableCell><StatusChip value={a.status} colors={{ firing: 'error', resolved: 'success' }} /></TableCell>
            <TableCell sx={{ fontFamily: 'monospace', fontSize: '0.8em' }}>{Object.entries(a.labels).map(([k, v]) => `${k}=${v}`).join(' ')}</TableCell>
            <TableCell align="right">{a.count}×</TableCell>
            <TableCell><DateTime value={a.firstReceivedAt} /></TableCell>
            <TableCell><DateTime value={a.lastReceivedAt} /></TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
};
