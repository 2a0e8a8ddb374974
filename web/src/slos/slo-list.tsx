import { DataTable, List, SearchInput, SelectInput, useGetList } from 'react-admin';
import { DateTime, percent } from '../fields';
import type { Service } from '../services/types';
import { BudgetBar } from './budget-bar';
import { BurnRateValue } from './burn-rate-value';
import { SloStateChip, stateChoices } from './state-chip';
import type { Slo } from './types';

/** Services come from the API, so a new service in alerts/*.yaml shows up without a deploy. */
const ServiceFilter = ({ source }: { source: string; alwaysOn?: boolean }) => {
  const { data } = useGetList<Service>('services', { pagination: { page: 1, perPage: 200 }, sort: { field: 'name', order: 'ASC' } });
  return <SelectInput source={source} choices={(data ?? []).map((s) => ({ id: s.id, name: s.name }))} />;
};

const filters = [
  <SearchInput key="q" source="q" alwaysOn />,
  <ServiceFilter key="service" source="service" alwaysOn />,
  <SelectInput key="state" source="state" choices={stateChoices} alwaysOn />,
];

// The fastest default page threshold (SRE workbook, 30-day SLO): at or above it, the cell turns red.
const PAGE_BURN_RATE = 14.4;

const kindLabel = (slo: Slo): string =>
  slo.kind === 'latency' && slo.thresholdSeconds != null ? `latency ≤ ${Math.round(slo.thresholdSeconds * 1000)} ms` : slo.kind;

export const SloList = () => (
  <List<Slo>
    title="SLOs"
    sort={{ field: 'service', order: 'ASC' }}
    perPage={50}
    filters={filters}
    // The evaluator runs every minute; a console left open should not show stale states.
    queryOptions={{ refetchInterval: 30_000 }}
  >
    <DataTable<Slo> bulkActionButtons={false} rowClick="show">
      <DataTable.Col source="service" />
      <DataTable.Col source="name" />
      <DataTable.Col source="kind" disableSort render={kindLabel} />
      <DataTable.Col source="objective" align="right" render={(r) => percent(r.objective)} />
      <DataTable.Col<Slo> source="state" render={(r) => <SloStateChip slo={r} />} />
      <DataTable.Col source="budgetRemaining" label="Budget remaining" render={(r) => <BudgetBar value={r.budgetRemaining} />} />
      <DataTable.Col label="Burn 1h" align="right" disableSort render={(r) => <BurnRateValue value={r.burnRates?.['1h']} alarm={PAGE_BURN_RATE} />} />
      <DataTable.Col label="Burn 5m" align="right" disableSort render={(r) => <BurnRateValue value={r.burnRates?.['5m']} alarm={PAGE_BURN_RATE} />} />
      <DataTable.Col source="evaluatedAt" label="Evaluated" disableSort render={(r) => <DateTime value={r.evaluatedAt} />} />
    </DataTable>
  </List>
);
