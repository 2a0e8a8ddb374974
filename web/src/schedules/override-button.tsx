import { useState } from 'react';
import { Dialog, DialogActions, DialogContent, DialogTitle, MenuItem, TextField } from '@mui/material';
import EventAvailableIcon from '@mui/icons-material/EventAvailable';
import { useMutation } from '@tanstack/react-query';
import { Button, useDataProvider, useGetList, useNotify, usePermissions, useRefresh } from 'react-admin';
import type { Role } from '../auth-provider';
import { errorMessage, type HeadroomDataProvider } from '../data-provider';

/** `datetime-local` value for a Date, in the viewer's time zone. */
const localInput = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

/** Puts a person on call for a time range (responders and admins); shown in the shifts at once. */
export const CreateOverrideButton = ({ scheduleId }: { scheduleId: string }) => {
  const { permissions } = usePermissions<Role | null>();
  const { data: users } = useGetList<{ id: string; name: string; email: string }>('users', { pagination: { page: 1, perPage: 500 }, sort: { field: 'name', order: 'ASC' }, filter: { disabled: false } });
  const dataProvider = useDataProvider<HeadroomDataProvider>();
  const notify = useNotify();
  const refresh = useRefresh();
  const [open, setOpen] = useState(false);
  const [user, setUser] = useState('');
  const [start, setStart] = useState(() => localInput(new Date()));
  const [end, setEnd] = useState(() => localInput(new Date(Date.now() + 8 * 3_600_000)));
  const { mutate, isPending } = useMutation({
    mutationFn: () => dataProvider.createOverride(scheduleId, { user, start: new Date(start).toISOString(), end: new Date(end).toISOString() }),
    onSuccess: () => {
      notify('Override created', { type: 'success' });
      setOpen(false);
      refresh();
    },
    onError: (error) => notify(errorMessage(error), { type: 'error' }),
  });
  if (permissions !== 'responder' && permissions !== 'admin') return null;
  return (
    <>
      <Button label="Create override" onClick={() => setOpen(true)}>
        <EventAvailableIcon />
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} fullWidth maxWidth="xs">
        <DialogTitle>Create override</DialogTitle>
        <DialogContent sx={{ display: 'grid', gap: 2, pt: '8px !important' }}>
          <TextField select label="Who" value={user} onChange={(e) => setUser(e.target.value)} fullWidth>
            {(users ?? []).map((u) => (
              <MenuItem key={u.id} value={u.email}>{u.name} ({u.email})</MenuItem>
            ))}
          </TextField>
          <TextField type="datetime-local" label="From" value={start} onChange={(e) => setStart(e.target.value)} slotProps={{ inputLabel: { shrink: true } }} />
          <TextField type="datetime-local" label="Until" value={end} onChange={(e) => setEnd(e.target.value)} slotProps={{ inputLabel: { shrink: true } }} />
        </DialogContent>
        <DialogActions>
          <Button label="Cancel" onClick={() => setOpen(false)} />
          <Button label="Save" variant="contained" disabled={isPending || !user || !start || !end} onClick={() => mutate()} />
        </DialogActions>
      </Dialog>
    </>
  );
};
