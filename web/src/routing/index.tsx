import AltRouteIcon from '@mui/icons-material/AltRoute';
import CampaignIcon from '@mui/icons-material/Campaign';
import { Box, Typography } from '@mui/material';
import { DataTable, List } from 'react-admin';

interface Step {
  notify: { schedule?: string; users?: string[]; channel?: string };
  waitSeconds: number;
}

interface Policy {
  id: string;
  name: string;
  steps: Step[];
  repeat: number;
  reminderAfterSeconds: number | null;
  file: string;
  line: number;
}

const minutes = (s: number) => (s % 3600 === 0 ? `${s / 3600} h` : `${Math.round(s / 60)} min`);

/** "the on-call of ranker-primary, alice@…, #ranker-oncall" */
const targets = (n: Step['notify']) =>
  [n.schedule ? `the on-call of ${n.schedule}` : null, ...(n.users ?? []), n.channel ? `#${n.channel.replace(/^#/, '')}` : null].filter(Boolean).join(', ');

const Steps = ({ p }: { p: Policy }) => (
  <Box component="ol" sx={{ m: 0, pl: 2.5 }}>
    {p.steps.map((s, i) => (
      <Typography component="li" variant="body2" key={i}>
        notify {targets(s.notify)}, then wait {minutes(s.waitSeconds)}
      </Typography>
    ))}
  </Box>
);

export const EscalationPolicyList = () => (
  <List<Policy> title="Escalation policies" pagination={false} perPage={500}>
    <DataTable<Policy> bulkActionButtons={false}>
      <DataTable.Col source="name" />
      <DataTable.Col label="Steps" disableSort render={(p) => <Steps p={p as Policy} />} />
      <DataTable.Col source="repeat" label="Repeats" disableSort />
      <DataTable.Col label="Reminder after acknowledge" disableSort render={(p) => (p.reminderAfterSeconds ? minutes(p.reminderAfterSeconds) : '—')} />
      <DataTable.Col label="Defined in" disableSort render={(p) => `${p.file}:${p.line}`} />
    </DataTable>
  </List>
);

interface Route {
  id: string;
  order: number;
  name: string;
  matchers: Array<{ name: string; value: string; isRegex?: boolean; isEqual?: boolean }>;
  sources: string[] | null;
  groupBy: string[];
  autoResolve: boolean;
  severity: string;
  escalationPolicy: string | null;
  file: string;
}

const matcher = (m: Route['matchers'][number]) => `${m.name}${m.isEqual === false ? '!' : '='}${m.isRegex ? '~' : ''}"${m.value}"`;

export const RouteList = () => (
  <List<Route> title="Alert routes (first match applies)" pagination={false} perPage={500}>
    <DataTable<Route> bulkActionButtons={false}>
      <DataTable.Col source="order" label="#" render={(r) => r.order + 1} />
      <DataTable.Col source="name" />
      <DataTable.Col label="Matches" disableSort render={(r) => <code>{[...(r.sources ? [`source in (${r.sources.join(', ')})`] : []), ...r.matchers.map(matcher)].join(', ') || 'everything'}</code>} />
      <DataTable.Col label="Groups by" disableSort render={(r) => r.groupBy.join(', ')} />
      <DataTable.Col label="Auto-resolve" disableSort render={(r) => (r.autoResolve ? 'yes' : 'no')} />
      <DataTable.Col label="Escalation policy" disableSort render={(r) => r.escalationPolicy ?? '—'} />
      <DataTable.Col source="file" disableSort render={(r) => r.file || '(built in)'} />
    </DataTable>
  </List>
);

export const escalationPolicies = { list: EscalationPolicyList, icon: CampaignIcon, options: { label: 'Escalation policies' } };
export const routes = { list: RouteList, icon: AltRouteIcon, options: { label: 'Routes' } };
