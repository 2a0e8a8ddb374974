import KeyIcon from '@mui/icons-material/Key';
import CableIcon from '@mui/icons-material/Cable';
import { useState } from 'react';
import { Alert, Box, Dialog, DialogActions, DialogContent, DialogTitle, MenuItem, TextField, Typography } from '@mui/material';
import { Button, DataTable, List, TopToolbar, useCreate, useDelete, useNotify, useRecordContext, useRefresh } from 'react-admin';
import { errorMessage } from '../data-provider';
import { DateTime, StatusChip } from '../fields';

interface KeyRecord {
  id: string;
  name: string;
  role?: string;
  kind?: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

type Resource = 'tokens' | 'integrations';

const CHOICES: Record<Resource, { field: 'role' | 'kind'; label: string; values: string[] }> = {
  tokens: { field: 'role', label: 'Role', values: ['viewer', 'responder', 'admin'] },
  integrations: { field: 'kind', label: 'Kind', values: ['alertmanager', 'pagerduty', 'otlp', 'experiments'] },
};

/** Creates a key and shows its secret once: only its hash is kept, nobody can show it again. */
const CreateKeyButton = ({ resource }: { resource: Resource }) => {
  const { field, label, values } = CHOICES[resource];
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [choice, setChoice] = useState(values[0]);
  const [secret, setSecret] = useState<string | null>(null);
  const [create, { isPending }] = useCreate();
  const notify = useNotify();
  const refresh = useRefresh();
  const close = () => {
    setOpen(false);
    setSecret(null);
    setName('');
    refresh();
  };
  const submit = () =>
    create(resource, { data: { name, [field]: choice } }, {
      onSuccess: (data: Record<string, unknown>) => setSecret(String(data.token ?? data.key)),
      onError: (error) => notify(errorMessage(error), { type: 'error' }),
    });
  return (
    <>
      <Button label={resource === 'tokens' ? 'New API token' : 'New integration key'} onClick={() => setOpen(true)}>
        <KeyIcon />
      </Button>
      <Dialog open={open} onClose={close} fullWidth maxWidth="sm">
        <DialogTitle>{resource === 'tokens' ? 'New API token' : 'New integration key'}</DialogTitle>
        <DialogContent sx={{ display: 'grid', gap: 2, pt: '8px !important' }}>
          {secret ? (
            <>
              <Alert severity="warning">Copy it now: it is shown this once, and only a hash of it is stored.</Alert>
              <TextField label="Secret" value={secret} slotProps={{ input: { readOnly: true } }} fullWidth onFocus={(e) => e.target.select()} />
            </>
          ) : (
            <>
              <TextField autoFocus label="Name" value={name} onChange={(e) => setName(e.target.value)} fullWidth />
              <TextField select label={label} value={choice} onChange={(e) => setChoice(e.target.value)} fullWidth>
                {values.map((v) => (
                  <MenuItem key={v} value={v}>{v}</MenuItem>
                ))}
              </TextField>
            </>
          )}
        </DialogContent>
        <DialogActions>
          {secret ? <Button label="Done" variant="contained" onClick={close} /> : <Button label="Create" variant="contained" disabled={!name.trim() || isPending} onClick={submit} />}
        </DialogActions>
      </Dialog>
    </>
  );
};

const RevokeButton = ({ resource }: { resource: Resource }) => {
  const record = useRecordContext<KeyRecord>();
  const [remove, { isPending }] = useDelete();
  const notify = useNotify();
  const refresh = useRefresh();
  if (!record || record.revokedAt) return null;
  return (
    <Button
      label="Revoke"
      aria-label={`Revoke ${record.name}`}
      color="error"
      disabled={isPending}
      onClick={() =>
        remove(resource, { id: record.id, previousData: record }, {
          onSuccess: () => {
            notify(`${record.name} revoked`, { type: 'success' });
            refresh();
          },
          onError: (error) => notify(errorMessage(error), { type: 'error' }),
        })
      }
    />
  );
};

const KeyList = ({ resource, title }: { resource: Resource; title: string }) => (
  <List<KeyRecord> resource={resource} title={title} sort={{ field: 'createdAt', order: 'DESC' }} actions={<TopToolbar><CreateKeyButton resource={resource} /></TopToolbar>}>
    <Box sx={{ px: 2, pt: 1 }}>
      <Typography variant="body2" color="text.secondary">
        {resource === 'tokens'
          ? 'Bearer tokens for scripts and automation, each with a role.'
          : 'Keys that Alertmanager, PagerDuty-format senders, OTLP exporters and experiment platforms push with.'}
      </Typography>
    </Box>
    <DataTable<KeyRecord> bulkActionButtons={false}>
      <DataTable.Col source="name" />
      <DataTable.Col source={CHOICES[resource].field} label={CHOICES[resource].label} />
      <DataTable.Col source="createdAt" label="Created" render={(k) => <DateTime value={k.createdAt} />} />
      <DataTable.Col source="lastUsedAt" label="Last used" render={(k) => <DateTime value={k.lastUsedAt} />} />
      <DataTable.Col label="State" disableSort render={(k) => <StatusChip value={k.revokedAt ? 'revoked' : 'active'} colors={{ active: 'success', revoked: 'default' }} />} />
      <DataTable.Col label="" disableSort render={() => <RevokeButton resource={resource} />} />
    </DataTable>
  </List>
);

export const tokens = { list: () => <KeyList resource="tokens" title="API tokens" />, icon: KeyIcon, options: { label: 'API tokens' } };
export const integrations = { list: () => <KeyList resource="integrations" title="Integration keys" />, icon: CableIcon, options: { label: 'Integration keys' } };
