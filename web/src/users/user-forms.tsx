import { BooleanInput, Create, Edit, PasswordInput, SelectInput, SimpleForm, TextInput, email, minLength, required } from 'react-admin';
import { ROLE_CHOICES, type User } from './types';

const timeZone = (value: string | undefined) => {
  if (!value) return undefined;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return undefined;
  } catch {
    return 'Not an IANA time zone (such as Europe/London)';
  }
};

const slackId = (value: string | null | undefined) => (value && !/^[UW][A-Z0-9]{2,}$/.test(value) ? 'A Slack user id looks like U012AB3CD' : undefined);

export const UserCreate = () => (
  <Create title="Add a person" redirect="list">
    <SimpleForm>
      <TextInput source="email" type="email" validate={[required(), email()]} />
      <TextInput source="name" validate={required()} />
      <SelectInput source="role" choices={ROLE_CHOICES} defaultValue="viewer" validate={required()} />
      <TextInput source="timeZone" label="Time zone" defaultValue={Intl.DateTimeFormat().resolvedOptions().timeZone} validate={timeZone} />
      <TextInput source="slackUserId" label="Slack user id" validate={slackId} parse={(v: string) => v || null} />
      <PasswordInput source="password" label="Initial password" autoComplete="new-password" validate={[required(), minLength(12)]} />
    </SimpleForm>
  </Create>
);

export const UserEdit = () => (
  <Edit
    title="Edit person"
    mutationMode="pessimistic"
    redirect="list"
    // The form edits a `disabled` switch; the server stores when it happened.
    queryOptions={{ select: (u: User) => ({ ...u, disabled: Boolean(u.disabledAt) }) }}
  >
    <SimpleForm>
      <TextInput source="email" disabled />
      <TextInput source="name" validate={required()} />
      <SelectInput source="role" choices={ROLE_CHOICES} validate={required()} />
      <TextInput source="timeZone" label="Time zone" validate={timeZone} />
      <TextInput source="slackUserId" label="Slack user id" validate={slackId} parse={(v: string) => v || null} />
      <PasswordInput source="password" label="New password (leave empty to keep)" autoComplete="new-password" validate={minLength(12)} parse={(v: string) => v || undefined} />
      <BooleanInput source="disabled" label="Disabled (cannot sign in; ends their sessions)" />
    </SimpleForm>
  </Edit>
);
