import { DataTable, List, SearchInput, SelectArrayInput, SelectInput, TextInput } from 'react-admin';
import { DateTime } from '../fields';
import { CauseChip, IncidentStatusChip, OPEN_STATUSES, SeverityChip, UrgencyChip, severityChoices, sourceChoices, statusChoices, urgencyChoices } from './chips';
import type { Incident } from './types';

const filters = [
  <SearchInput key="q" source="q" alwaysOn />,
  <SelectArrayInput key="status" source="status" choices={statusChoices} alwaysOn sx={{ minWidth: 220 }} />,
  <SelectInput key="severity" source="severity" choices={severityChoices} />,
  <SelectInput key="urgency" source="urgency" choices={urgencyChoices} />,
  <SelectInput key="source" source="source" choices={sourceChoices} />,
  <TextInput key="service" source="service" />,
];

export const IncidentList = () => (
  // Open incidents first; react-admin remembers the filters a user picks instead.
  <List<Incident> sort={{ field: 'id', order: 'DESC' }} perPage={25} filters={filters} filterDefaultValues={{ status: OPEN_STATUSES }}>
    <DataTable<Incident> rowClick="show" bulkActionButtons={false}>
      <DataTable.Col source="id" />
      <DataTable.Col source="title" />
      <DataTable.Col source="service" />
      <DataTable.Col source="severity" render={(r) => <SeverityChip value={r.severity} />} />
      <DataTable.Col source="urgency" render={(r) => <UrgencyChip value={r.urgency} />} />
      <DataTable.Col source="status" render={(r) => <IncidentStatusChip value={r.status} />} />
      <DataTable.Col source="source" />
      <DataTable.Col source="causedByIncidentId" label="Likely cause" disableSort render={(r) => <CauseChip causedBy={r.causedByIncidentId} held={r.heldByCause} />} />
      <DataTable.Col source="assignee" render={(r) => r.assignee ?? ''} />
      <DataTable.Col source="triggeredAt" label="Triggered" render={(r) => <DateTime value={r.triggeredAt} />} />
    </DataTable>
  </List>
);
