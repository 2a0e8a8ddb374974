import { CreateButton, DataTable, List, SearchInput, TopToolbar, usePermissions } from 'react-admin';
import { DateTime, StatusChip } from '../fields';
import type { Role } from '../auth-provider';
import type { User } from './types';

const roleColors = { admin: 'secondary', responder: 'primary', viewer: 'default' } as const;

const Actions = () => {
  const { permissions } = usePermissions<Role | null>();
  return <TopToolbar>{permissions === 'admin' && <CreateButton />}</TopToolbar>;
};

/** Everyone may see who is who; only admins add or change people (the server enforces it). A person's page has their notification rules. */
export const UserList = () => {
  return (
    <List<User> title="People" sort={{ field: 'name', order: 'ASC' }} perPage={50} filters={[<SearchInput key="q" source="q" alwaysOn />]} actions={<Actions />}>
      <DataTable<User> bulkActionButtons={false} rowClick="show">
        <DataTable.Col source="name" />
        <DataTable.Col source="email" />
        <DataTable.Col source="role" render={(u) => <StatusChip value={u.role} colors={roleColors} />} />
        <DataTable.Col source="timeZone" label="Time zone" disableSort />
        <DataTable.Col source="slackUserId" label="Slack" disableSort />
        <DataTable.Col source="disabledAt" label="Disabled" disableSort render={(u) => (u.disabledAt ? <DateTime value={u.disabledAt} /> : '')} />
        <DataTable.Col source="createdAt" label="Added" render={(u) => <DateTime value={u.createdAt} />} />
      </DataTable>
    </List>
  );
};
