import { DataTable, List } from 'react-admin';
import type { OnCall, Schedule } from './types';

const until = (iso: string) => new Date(iso).toLocaleString(undefined, { weekday: 'short', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

export const OnCallCell = ({ onCall }: { onCall: OnCall | null }) =>
  onCall ? (
    <span>
      <strong>{onCall.user.name}</strong> until {until(onCall.shiftEnd)} ({onCall.source === 'override' ? 'override' : onCall.layer})
    </span>
  ) : (
    <em>nobody</em>
  );

export const ScheduleList = () => (
  <List<Schedule> sort={{ field: 'id', order: 'ASC' }} perPage={50} pagination={false}>
    <DataTable<Schedule> rowClick="show" bulkActionButtons={false}>
      <DataTable.Col source="name" />
      <DataTable.Col label="On call now" disableSort render={(r) => <OnCallCell onCall={r.onCallNow} />} />
      <DataTable.Col source="timeZone" label="Time zone" />
      <DataTable.Col label="Problems" disableSort render={(r) => (r.problems.length ? `${r.problems.length} participant(s) are not users` : '')} />
    </DataTable>
  </List>
);
