import KeyIcon from '@mui/icons-material/Key';
import { useState } from 'react';
import { Alert, Box, Dialog, DialogActions, DialogContent, DialogTitle, MenuItem, TextField, Typography } from '@mui/material';
import { Button, DataTable, List, TopToolbar, useCreate, useDelete, useNotify, useRecordContext, useRefresh } from 'react-admin';
import { errorMessage } from './data-provider';
import { DateTime, StatusChip } from './fields';

interface KeyRecord {
  id: string;
  name: string;
  role?: string;
  kind?: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** What sets one kind of key apart: API tokens have a role, integration keys a kind. */
export interface KeyKind {
  resource: 'tokens' | 'integrations';
  title: string;
  /** The create button's label and dialog title. */
  newLabel: string;
  description: string;
  field: 'role' | 'kind';
  label: string;
  values: string[];
}

/** Creates a key and shows its secret once: only its hash is kept, nobody can show it again. */
const CreateKeyButton = ({ kind: { resource, newLabel, field, label, values } }: { kind: KeyKind }) => {
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
      <Button label={newLabel} onClick={() => setOpen(true)}>
        <KeyIcon />
      </Button>
      <Dialog open={open} onClose={close} fullWidth maxWidth="sm">
        <DialogTitle>{newLabel}</DialogTitle>
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

const RevokeButton = ({ resource }: { resource: KeyKind['resource'] }) => {
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

/** The keys of one kind, newest first, with create (secret shown once) and revoke. */
export const KeyList = ({ kind }: { kind: KeyKind }) => (
  <List<KeyRecord> resource={kind.resource} title={kind.title} sort={{ field: 'createdAt', order: 'DESC' }} actions={<TopToolbar><CreateKeyButton kind={kind} /></TopToolbar>}>
    <Box sx={{ px: 2, pt: 1 }}>
      <Typography variant="body2" color="text.secondary">
        {kind.description}
      </Typography>
    </Box>
    <DataTable<KeyRecord> bulkActionButtons={false}>
      <DataTable.Col source="name" />
      <DataTable.Col source={kind.field} label={kind.label} />
      <DataTable.Col source="createdAt" label="Created" render={(k) => <DateTime value={k.createdAt} />} />
      <DataTable.Col source="lastUsedAt" label="Last used" render={(k) => <DateTime value={k.lastUsedAt} />} />
      <DataTable.Col label="State" disableSort render={(k) => <StatusChip value={k.revokedAt ? 'revoked' : 'active'} colors={{ active: 'success', revoked: 'default' }} />} />
      <DataTable.Col label="" disableSort render={() => <RevokeButton resource={kind.resource} />} />
    </DataTable>
  </List>
);
