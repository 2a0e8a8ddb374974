import WebhookIcon from '@mui/icons-material/Webhook';
import { DataTable, List } from 'react-admin';

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

export const rollbackHooks = { list: HookList, icon: WebhookIcon, options: { label: 'Rollback hooks' } };
