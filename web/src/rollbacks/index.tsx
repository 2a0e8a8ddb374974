import SettingsBackupRestoreIcon from '@mui/icons-material/SettingsBackupRestore';
import WebhookIcon from '@mui/icons-material/Webhook';
import PolicyIcon from '@mui/icons-material/Policy';
import { Box } from '@mui/material';
import { DataTable, Link, List, SelectInput, TextInput, usePermissions } from 'react-admin';
import type { Role } from '../auth-provider';
import { DateTime, StatusChip } from '../fields';
import { ActionButton, actionsFor, type RollbackExecution } from '../incidents/rollbacks';

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

interface Hook {
  id: string;
  name: string;
  description: string | null;
  url: string;
  method: string;
  headerNames: string[];
  timeoutMs: number;
  retries: number;
  secretEnv?: string;
  secretSet: boolean;
  file: string;
}

export const HookList = () => (
  <List<Hook> title="Rollback hooks" pagination={false} perPage={500}>
    <DataTable<Hook> bulkActionButtons={false}>
      <DataTable.Col source="name" />
      <DataTable.Col source="method" disableSort />
      <DataTable.Col source="url" label="URL" />
      <DataTable.Col label="Signed" disableSort render={(h) => (h.secretEnv ? `${h.secretEnv} (${h.secretSet ? 'set' : 'NOT SET'})` : 'no')} />
      <DataTable.Col label="Timeout / retries" disableSort render={(h) => `${h.timeoutMs} ms / ${h.retries}`} />
      <DataTable.Col source="file" disableSort />
    </DataTable>
  </List>
);

interface Policy {
  id: string;
  name: string;
  hook: string;
  trigger: { kind: 'slo'; service: string; slo?: string } | { kind: 'guardrail'; experiment: string; variant?: string; metric?: string };
  mode: string;
  consecutiveEvaluations: number;
  cooldownSeconds: number;
  maxPerHour: number;
  file: string;
}

const triggerText = (t: Policy['trigger']) =>
  t.kind === 'slo' ? `SLO page on ${t.service}${t.slo ? ` ${t.slo}` : ''}` : `guardrail breach on ${t.experiment}${t.variant ? `/${t.variant}` : ''}${t.metric ? ` ${t.metric}` : ''}`;

export const PolicyList = () => (
  <List<Policy> title="Rollback policies" pagination={false} perPage={500}>
    <DataTable<Policy> bulkActionButtons={false}>
      <DataTable.Col source="name" />
      <DataTable.Col label="When" disableSort render={(p) => triggerText(p.trigger)} />
      <DataTable.Col source="hook" />
      <DataTable.Col source="mode" render={(p) => <StatusChip value={p.mode} colors={{ auto: 'error', approval: 'warning', 'dry-run': 'default' }} />} />
      <DataTable.Col label="Safety" disableSort render={(p) => `${p.consecutiveEvaluations} evaluations in a row · cooldown ${Math.round(p.cooldownSeconds / 60)} min · at most ${p.maxPerHour}/h`} />
      <DataTable.Col source="file" disableSort />
    </DataTable>
  </List>
);

export const rollbackExecutions = { list: ExecutionList, icon: SettingsBackupRestoreIcon, options: { label: 'Rollbacks' } };
export const rollbackHooks = { list: HookList, icon: WebhookIcon, options: { label: 'Rollback hooks' } };
export const rollbackPolicies = { list: PolicyList, icon: PolicyIcon, options: { label: 'Rollback policies' } };
