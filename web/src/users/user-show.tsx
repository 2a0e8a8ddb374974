import { EditButton, Show, SimpleShowLayout, TextField, TopToolbar, useGetIdentity, usePermissions, useRecordContext } from 'react-admin';
import { Typography } from '@mui/material';
import type { Role } from '../auth-provider';
import { NotificationSettings } from './notification-settings';
import type { User } from './types';

const Actions = () => {
  const { permissions } = usePermissions<Role | null>();
  return <TopToolbar>{permissions === 'admin' && <EditButton />}</TopToolbar>;
};

/** Contact methods and rules are the person's own business (and an admin's): others do not see them. */
const Notifications = () => {
  const user = useRecordContext<User>();
  const { identity } = useGetIdentity();
  const { permissions } = usePermissions<Role | null>();
  if (!user) return null;
  if (identity?.id !== user.id && permissions !== 'admin') {
    return <Typography variant="body2" color="text.secondary">Only {user.name} and admins see {user.name}&apos;s contact methods and notification rules.</Typography>;
  }
  return <NotificationSettings userId={user.id} />;
};

/** A person's page: who they are, and how pages reach them. */
export const UserShow = () => (
  <Show<User> title="Person" actions={<Actions />}>
    <SimpleShowLayout>
      <TextField source="name" />
      <TextField source="email" />
      <TextField source="role" />
      <TextField source="timeZone" label="Time zone" />
      <TextField source="slackUserId" label="Slack user id" emptyText="not linked" />
      <Notifications />
    </SimpleShowLayout>
  </Show>
);
