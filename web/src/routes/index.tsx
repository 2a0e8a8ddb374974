import AltRouteIcon from '@mui/icons-material/AltRoute';
import { DataTable, List } from 'react-admin';

interface Route {
  id: string;
  order: number;
  name: string;
  matchers: Array<{ name: string; value: string; isRegex?: boolean; isEqual?: boolean }>;
  sources: string[] | null;
  groupBy: string[];
  autoResolve: boolean;
  groupWaitSeconds: number;
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
      <DataTable.Col label="Group wait" disableSort render={(r) => (r.groupWaitSeconds > 0 ? `${r.groupWaitSeconds} s` : 'off')} />
      <DataTable.Col label="Auto-resolve" disableSort render={(r) => (r.autoResolve ? 'yes' : 'no')} />
      <DataTable.Col label="Escalation policy" disableSort render={(r) => r.escalationPolicy ?? '—'} />
      <DataTable.Col source="file" disableSort render={(r) => r.file || '(built in)'} />
    </DataTable>
  </List>
);

export const routes = { list: RouteList, icon: AltRouteIcon, options: { label: 'Routes' } };
