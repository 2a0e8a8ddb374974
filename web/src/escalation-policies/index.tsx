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

export const escalationPolicies = { list: EscalationPolicyList, icon: CampaignIcon, options: { label: 'Escalation policies' } };
