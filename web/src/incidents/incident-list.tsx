import { DataTable, List, SearchInput, SelectInput, TextInput } from 'react-admin';
import { DateTime } from '../fields';
import { IncidentStatusChip, SeverityChip, severityChoices, statusChoices } from './chips';
import type { Incident } from './types';

const filters = [
  <SearchInput key="q" source="q" alwaysOn />,
  <SelectInput key="status" source="status" choices={statusChoices} alwaysOn />,
  <SelectInput key="severity" source="severity" choices={severityChoices} />,
  <TextInput key="service" source="service" />,
];

export const IncidentList = () => (
  <List<Incident> sort={{ field: 'id', order: 'DESC' }} perPage={25} filters={filters}>
    <DataTable<Incident> rowClick="show" bulkActionButtons={false}>
      <DataTable.Col source="id" />
      <DataTable.Col source="title" />
      <DataTable.Col source="service" />
      <DataTable.Col source="severity" render={(r) => <SeverityChip value={r.severity} />} />
      <DataTable.Col source="status" render={(r) => <IncidentStatusChip value={r.status} />} />
      <DataTable.Col source="triggeredAt" label="Triggered" render={(r) => <DateTime value={r.triggeredAt} />} />
    </DataTable>
  </List>
);
