import PolicyIcon from '@mui/icons-material/Policy';
import { DataTable, List } from 'react-admin';
import { StatusChip } from '../fields';

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

export const rollbackPolicies = { list: PolicyList, icon: PolicyIcon, options: { label: 'Rollback policies' } };
