import { DataTable, List, SearchInput } from 'react-admin';
import { Tags } from './tags';
import type { Runbook } from './types';

export const RunbookList = () => (
  <List<Runbook> sort={{ field: 'title', order: 'ASC' }} perPage={50} filters={[<SearchInput key="q" source="q" alwaysOn />]}>
    <DataTable<Runbook> rowClick="show" bulkActionButtons={false}>
      <DataTable.Col source="title" />
      <DataTable.Col source="services" disableSort render={(r) => <Tags values={r.services} />} />
      <DataTable.Col source="alerts" disableSort render={(r) => <Tags values={r.alerts} />} />
      <DataTable.Col source="path" />
    </DataTable>
  </List>
);
