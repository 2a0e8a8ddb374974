import { DataTable, List } from 'react-admin';
import { BudgetBar } from '../slos/budget-bar';
import { stateColors } from '../slos/state-chip';
import { StatusChip } from '../fields';
import type { Service } from './types';

/** The SLO list narrowed to one service: where a click on a service row leads. */
export const sloListFor = (service: string): string => `/slos?filter=${encodeURIComponent(JSON.stringify({ service }))}`;

export const ServiceList = () => (
  <List<Service>
    title="Services"
    sort={{ field: 'name', order: 'ASC' }}
    perPage={50}
    queryOptions={{ refetchInterval: 30_000 }}
  >
    <DataTable<Service> bulkActionButtons={false} rowClick={(id) => sloListFor(String(id))}>
      <DataTable.Col source="name" label="Service" />
      <DataTable.Col source="slos" label="SLOs" align="right" disableSort />
      <DataTable.Col
        source="state"
        label="Worst state"
        render={(r) => <StatusChip value={r.state} colors={stateColors} />}
      />
      <DataTable.Col
        source="budgetRemaining"
        label="Lowest budget remaining"
        render={(r) => <BudgetBar value={r.budgetRemaining} />}
      />
    </DataTable>
  </List>
);
