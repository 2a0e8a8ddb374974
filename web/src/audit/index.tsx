import HistoryIcon from '@mui/icons-material/History';
import { Box, Typography } from '@mui/material';
import { DataTable, DateTimeInput, List, SearchInput, SelectInput, TextInput, useRecordContext } from 'react-admin';
import { DateTime } from '../fields';

interface AuditEntry {
  id: number;
  at: string;
  actorType: string;
  actorId: string | null;
  actorName: string;
  action: string;
  entityType: string;
  entityId: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

// The entity types the server writes (grep "entityType: '" server/src).
const entityTypes = ['incident', 'silence', 'maintenance-window', 'schedule', 'user', 'api_token', 'integration_key', 'experiment', 'rollback_execution', 'rules', 'simulator_fault'].map((id) => ({ id, name: id }));
const actorTypes = ['user', 'slack', 'system', 'integration'].map((id) => ({ id, name: id }));

const filters = [
  <SearchInput key="q" source="q" alwaysOn />,
  <TextInput key="actorName" source="actorName" label="Actor" alwaysOn />,
  <SelectInput key="entityType" source="entityType" label="Entity" choices={entityTypes} alwaysOn />,
  <SelectInput key="actorType" source="actorType" label="Actor type" choices={actorTypes} />,
  <TextInput key="entityId" source="entityId" label="Entity id" />,
  <DateTimeInput key="at_gte" source="at_gte" label="From" />,
  <DateTimeInput key="at_lte" source="at_lte" label="To" />,
];

/** The fields a change touched, before → after. */
const Change = () => {
  const record = useRecordContext<AuditEntry>();
  if (!record) return null;
  const keys = [...new Set([...Object.keys(record.before ?? {}), ...Object.keys(record.after ?? {})])].filter(
    (k) => JSON.stringify(record.before?.[k]) !== JSON.stringify(record.after?.[k]),
  );
  if (keys.length === 0) return <Typography variant="body2" color="text.secondary">No field changes recorded.</Typography>;
  return (
    <Box component="dl" sx={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: 0.5, m: 0 }}>
      {keys.map((k) => (
        <Box key={k} sx={{ display: 'contents' }}>
          <Typography component="dt" variant="body2" sx={{ fontWeight: 600 }}>{k}</Typography>
          <Typography component="dd" variant="body2" sx={{ m: 0, fontFamily: 'monospace' }}>
            {record.before ? JSON.stringify(record.before[k]) ?? '—' : '—'} → {record.after ? JSON.stringify(record.after[k]) ?? '—' : '—'}
          </Typography>
        </Box>
      ))}
    </Box>
  );
};

export const AuditList = () => (
  <List<AuditEntry> title="Audit log" sort={{ field: 'id', order: 'DESC' }} perPage={50} filters={filters}>
    <DataTable<AuditEntry> bulkActionButtons={false} expand={<Change />}>
      <DataTable.Col source="at" label="Time" render={(r) => <DateTime value={r.at} />} />
      <DataTable.Col source="actorName" label="Actor" render={(r) => `${r.actorName} (${r.actorType})`} />
      <DataTable.Col source="action" />
      <DataTable.Col source="entityType" label="Entity" render={(r) => `${r.entityType} ${r.entityId}`} />
    </DataTable>
  </List>
);

export const audit = { list: AuditList, icon: HistoryIcon, options: { label: 'Audit log' } };
