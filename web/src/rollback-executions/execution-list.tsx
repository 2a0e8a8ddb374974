import { Box } from '@mui/material';
import { DataTable, Link, List, SelectInput, TextInput, usePermissions } from 'react-admin';
import type { Role } from '../auth-provider';
import { DateTime, StatusChip } from '../fields';
import { ActionButton, actionsFor, type RollbackExecution } from './rollbacks';

const statusColors = {
  pending_approval: 'warning',
  queued: 'info',
  running: 'info',
  succeeded: 'success',
  failed: 'error',
  dry_run: 'default',
  cancelled: 'default',
  skipped: 'default',
} as const;
const statusChoices = Object.keys(statusColors).map((id) => ({ id, name: id.replace('_', ' ') }));
const modeChoices = ['auto', 'approval', 'dry-run'].map((id) => ({ id, name: id }));

const Actions = ({ e }: { e: RollbackExecution }) => {
  const { permissions } = usePermissions<Role | null>();
  if (permissions !== 'responder' && permissions !== 'admin') return null;
  return (
    <Box sx={{ display: 'flex', gap: 1 }} onClick={(ev) => ev.stopPropagation()}>
      {actionsFor(e.status).map((a) => (
        <ActionButton key={a} execution={e} action={a} />
      ))}
    </Box>
  );
};

/** Every rollback execution, newest first: what fired, for which incident, and what came back. */
export const ExecutionList = () => (
  <List<RollbackExecution>
    title="Rollback executions"
    sort={{ field: 'id', order: 'DESC' }}
    filters={[
      <SelectInput key="status" source="status" choices={statusChoices} alwaysOn />,
      <SelectInput key="mode" source="mode" choices={modeChoices} alwaysOn />,
      <TextInput key="policy" source="policy" />,
      <TextInput key="hook" source="hook" />,
    ]}
  >
    <DataTable<RollbackExecution> bulkActionButtons={false}>
      <DataTable.Col source="id" />
      <DataTable.Col source="incidentId" label="Incident" render={(e) => (e.incidentId ? <Link to={`/incidents/${e.incidentId}/show`}>#{e.incidentId}</Link> : '—')} />
      <DataTable.Col source="hook" />
      <DataTable.Col source="policy" render={(e) => `${e.policy} (${e.mode})`} />
      <DataTable.Col source="status" render={(e) => <StatusChip value={e.status} colors={statusColors} title={e.reason} />} />
      <DataTable.Col label="Response" disableSort render={(e) => [e.responseStatus ?? '—', e.latencyMs !== null ? `${e.latencyMs} ms` : null, e.attempts ? `${e.attempts} attempt${e.attempts === 1 ? '' : 's'}` : null].filter(Boolean).join(' · ')} />
      <DataTable.Col source="createdAt" label="Created" render={(e) => <DateTime value={e.createdAt} />} />
      <DataTable.Col label="" disableSort render={(e) => <Actions e={e as RollbackExecution} />} />
    </DataTable>
  </List>
);
