import { DataTable, List, SelectInput, TextInput } from 'react-admin';
import { burnRate, percent, StatusChip } from '../fields';
import { BudgetBar } from './budget-bar';
import type { Slo } from './types';

const stateColors = { ok: 'success', ticket: 'warning', page: 'error', 'no-data': 'default' } as const;

const filters = [
  <TextInput key="service" source="service" alwaysOn />,
  <SelectInput key="state" source="state" choices={Object.keys(stateColors).map((id) => ({ id, name: id }))} />,
];

export const SloList = () => (
  <List<Slo> title="SLOs" sort={{ field: 'service', order: 'ASC' }} perPage={50} filters={filters}>
    <DataTable<Slo> bulkActionButtons={false} rowClick={false}>
      <DataTable.Col source="service" />
      <DataTable.Col source="name" />
      <DataTable.Col source="kind" />
      <DataTable.Col source="objective" align="right" render={(r) => percent(r.objective)} />
      <DataTable.Col source="state" render={(r) => <StatusChip value={r.state} colors={stateColors} />} />
      <DataTable.Col source="budgetRemaining" label="Budget remaining" render={(r) => <BudgetBar value={r.budgetRemaining} />} />
      <DataTable.Col
        label="Burn rate (1h)"
        align="right"
        disableSort
        render={(r) => burnRate(r.burnRates?.['1h'])}
      />
    </DataTable>
  </List>
);
