import { Alert, Box, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { Show, useRecordContext } from 'react-admin';
import { CreateOverrideButton } from './override-button';
import { OnCallCell } from './schedule-list';
import { ShiftTimeline } from './shift-timeline';
import { SubscribeButton } from './subscribe-button';
import type { Schedule } from './types';

const ScheduleTitle = () => {
  const record = useRecordContext<Schedule>();
  return <span>{record ? `Schedule: ${record.name}` : 'Schedule'}</span>;
};

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { weekday: 'short', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

const ScheduleBody = () => {
  const record = useRecordContext<Schedule>();
  if (!record) return null;
  return (
    <Box sx={{ p: 2, display: 'flex', flexDirection: 'column', gap: 2 }}>
      <Typography variant="body2">
        On call now: <OnCallCell onCall={record.onCallNow} /> · {record.timeZone} · defined in {record.file} ·{' '}
        <a href={`/api/schedules/${record.id}/calendar.ics`}>iCal feed</a>
      </Typography>
      <Box>
        <CreateOverrideButton scheduleId={record.id} />
        <SubscribeButton scheduleId={record.id} />
      </Box>
      {record.problems.map((p) => (
        <Alert key={p.field} severity="warning">
          {p.message}
        </Alert>
      ))}
      <Typography variant="subtitle1">Shifts, next 14 days</Typography>
      {(record.shifts ?? []).length > 0 && (
        <ShiftTimeline
          shifts={record.shifts!}
          from={Date.parse(record.shifts![0].start)}
          to={Math.max(Date.parse(record.shifts![0].start) + 14 * 86_400_000, Date.parse(record.shifts!.at(-1)!.end))}
        />
      )}
      <Table size="small">
        <TableHead>
          <TableRow>
            <TableCell>Who</TableCell>
            <TableCell>From</TableCell>
            <TableCell>Until</TableCell>
            <TableCell>Layer</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {(record.shifts ?? []).map((s) => (
            <TableRow key={`${s.start}-${s.user.email}`} sx={s.override ? { bgcolor: 'action.hover' } : undefined}>
              <TableCell>{s.user.name}</TableCell>
              <TableCell>{when(s.start)}</TableCell>
              <TableCell>{when(s.end)}</TableCell>
              <TableCell>{s.override ? 'override' : s.source === 'swap' ? `${s.layer} (swap)` : s.layer}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
};

export const ScheduleShow = () => (
  <Show<Schedule> title={<ScheduleTitle />}>
    <ScheduleBody />
  </Show>
);
