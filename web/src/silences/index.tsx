import NotificationsOffIcon from '@mui/icons-material/NotificationsOff';
import {
  ArrayInput,
  BooleanInput,
  Button,
  Create,
  CreateButton,
  DataTable,
  List,
  SearchInput,
  SelectInput,
  SimpleForm,
  SimpleFormIterator,
  TextInput,
  TopToolbar,
  required,
  useDelete,
  useNotify,
  usePermissions,
  useRecordContext,
  useRefresh,
} from 'react-admin';
import type { Role } from '../auth-provider';
import { errorMessage } from '../data-provider';
import { DateTime, StatusChip } from '../fields';

interface Matcher {
  name: string;
  value: string;
  isRegex?: boolean;
  isEqual?: boolean;
}

interface Silence {
  id: number;
  matchers: Matcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  status: 'pending' | 'active' | 'expired';
}

const statusColors = { pending: 'info', active: 'warning', expired: 'default' } as const;

/** `service="ranker"`, `alertname=~"High.*"`, `env!="staging"`: Alertmanager's notation. */
export const matcherText = (m: Matcher): string => `${m.name}${m.isEqual === false ? '!' : '='}${m.isRegex ? '~' : ''}"${m.value}"`;

const canAct = (permissions: Role | null | undefined) => permissions === 'responder' || permissions === 'admin';

const ExpireButton = () => {
  const record = useRecordContext<Silence>();
  const { permissions } = usePermissions<Role | null>();
  const [remove, { isPending }] = useDelete();
  const notify = useNotify();
  const refresh = useRefresh();
  if (!record || record.status === 'expired' || !canAct(permissions)) return null;
  return (
    <Button
      label="Expire"
      aria-label={`Expire silence ${record.id}`}
      disabled={isPending}
      onClick={(e) => {
        e.stopPropagation();
        remove('silences', { id: record.id, previousData: record }, {
          onSuccess: () => {
            notify('Silence expired', { type: 'success' });
            refresh();
          },
          onError: (error) => notify(errorMessage(error), { type: 'error' }),
        });
      }}
    />
  );
};

const ListActions = () => {
  const { permissions } = usePermissions<Role | null>();
  return <TopToolbar>{canAct(permissions) && <CreateButton label="New silence" />}</TopToolbar>;
};

const statusChoices = ['pending', 'active', 'expired'].map((id) => ({ id, name: id }));

export const SilenceList = () => (
  <List<Silence>
    title="Silences"
    sort={{ field: 'id', order: 'DESC' }}
    filters={[<SearchInput key="q" source="q" alwaysOn />, <SelectInput key="status" source="status" choices={statusChoices} alwaysOn />]}
    actions={<ListActions />}
  >
    <DataTable<Silence> bulkActionButtons={false}>
      <DataTable.Col source="id" />
      <DataTable.Col source="status" disableSort render={(s) => <StatusChip value={s.status} colors={statusColors} />} />
      <DataTable.Col source="matchers" disableSort render={(s) => <code>{s.matchers.map(matcherText).join(', ')}</code>} />
      <DataTable.Col source="startsAt" label="Starts" render={(s) => <DateTime value={s.startsAt} />} />
      <DataTable.Col source="endsAt" label="Ends" render={(s) => <DateTime value={s.endsAt} />} />
      <DataTable.Col source="createdBy" label="Created by" />
      <DataTable.Col source="comment" disableSort />
      <DataTable.Col label="" disableSort render={() => <ExpireButton />} />
    </DataTable>
  </List>
);

const durations = ['30m', '1h', '2h', '4h', '8h', '1d', '3d', '7d'].map((id) => ({ id, name: id }));

export const SilenceCreate = () => (
  <Create title="New silence" redirect="list">
    <SimpleForm defaultValues={{ matchers: [{ name: 'service', value: '', isRegex: false, isEqual: true }], duration: '1h' }}>
      <ArrayInput source="matchers" validate={required()}>
        <SimpleFormIterator inline disableReordering>
          <TextInput source="name" label="Label" validate={required()} helperText={false} />
          <TextInput source="value" label="Value" helperText={false} />
          <BooleanInput source="isRegex" label="Regex" helperText={false} />
          <BooleanInput source="isEqual" label="Equal" helperText={false} />
        </SimpleFormIterator>
      </ArrayInput>
      <SelectInput source="duration" label="For" choices={durations} validate={required()} />
      <TextInput source="comment" multiline fullWidth validate={required()} helperText="Why: it is shown to whoever wonders why nobody was paged" />
    </SimpleForm>
  </Create>
);

export const silences = { list: SilenceList, create: SilenceCreate, icon: NotificationsOffIcon, recordRepresentation: 'comment' };
