import { useQuery } from '@tanstack/react-query';
import { Chip, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { useDataProvider } from 'react-admin';
import type { HeadroomDataProvider } from '../data-provider';
import { DateTime } from '../fields';

/** A change shown with an incident (GET /api/changes/before): its service's and dependencies', the suspect first. */
export interface ChangeBefore {
  id: number;
  service: string;
  kind: string;
  summary: string;
  version: string | null;
  previousVersion: string | null;
  link: string | null;
  at: string;
  suspect: boolean;
  minutesBefore: number;
}

/** What changed before the incident started: the first thing a responder checks. */
export const ChangesBefore = ({ service, at }: { service: string; at: string }) => {
  const dataProvider = useDataProvider<HeadroomDataProvider>();
  const { data, isPending, error } = useQuery({ queryKey: ['changes-before', service, at], queryFn: async () => (await dataProvider.changesBefore(service, at)).data });
  if (isPending) return <Typography variant="body2">Loading…</Typography>;
  if (error) return <Typography variant="body2" color="error">Could not load the changes: {String((error as Error).message)}</Typography>;
  if (!data || data.length === 0) return <Typography variant="body2">No deploy, config change or experiment ramp of this service or its dependencies in the window before it started.</Typography>;
  return (
    <Table size="small" aria-label="Changes before the incident">
      <TableHead>
        <TableRow>
          <TableCell>When</TableCell>
          <TableCell>Service</TableCell>
          <TableCell>Change</TableCell>
          <TableCell>Version</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {data.map((c) => (
          <TableRow key={c.id}>
            <TableCell>
              <DateTime value={c.at} /> ({c.minutesBefore < 1 ? 'under a minute' : `${c.minutesBefore} min`} before)
            </TableCell>
            <TableCell>{c.service}</TableCell>
            <TableCell>
              {c.suspect && <Chip size="small" color="warning" label="Suspect" sx={{ mr: 1 }} />}
              {c.kind}: {c.link ? <a href={c.link} target="_blank" rel="noreferrer">{c.summary}</a> : c.summary}
            </TableCell>
            <TableCell>{c.version ? `${c.version}${c.previousVersion ? ` (was ${c.previousVersion})` : ''}` : '—'}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
};
