import { useState } from 'react';
import { Alert, Dialog, DialogActions, DialogContent, DialogTitle, TextField, Typography } from '@mui/material';
import CalendarMonthIcon from '@mui/icons-material/CalendarMonth';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, useDataProvider, useNotify, usePermissions } from 'react-admin';
import type { Role } from '../auth-provider';
import { errorMessage, type HeadroomDataProvider } from '../data-provider';
import type { CalendarLink } from './types';

/**
 * A secret calendar feed URL for calendar apps (which cannot sign in): made here by a responder,
 * shown once, replaced by the next one, revocable. See docs/oncall.md.
 */
export const SubscribeButton = ({ scheduleId }: { scheduleId: string }) => {
  const { permissions } = usePermissions<Role | null>();
  const dataProvider = useDataProvider<HeadroomDataProvider>();
  const queryClient = useQueryClient();
  const notify = useNotify();
  const [open, setOpen] = useState(false);
  const [url, setUrl] = useState<string | null>(null);
  const queryKey = ['schedules', scheduleId, 'calendar-link'];
  // Asked only with the dialog open: most visits to a schedule never subscribe.
  const link = useQuery({ queryKey, queryFn: async () => (await dataProvider.calendarLink(scheduleId)).data, enabled: open });
  const setLink = (value: CalendarLink | null) => queryClient.setQueryData(queryKey, value);
  const onError = (error: unknown) => notify(errorMessage(error), { type: 'error' });
  const create = useMutation({
    mutationFn: () => dataProvider.createCalendarLink(scheduleId),
    onSuccess: ({ data: { url: made, ...info } }) => {
      setUrl(made);
      // The URL stays out of the query cache: shown once, from this component only.
      setLink(info);
    },
    onError,
  });
  const revoke = useMutation({
    mutationFn: () => dataProvider.revokeCalendarLink(scheduleId),
    onSuccess: () => {
      setLink(null);
      setUrl(null);
      notify('Calendar link revoked', { type: 'success' });
    },
    onError,
  });
  if (permissions !== 'responder' && permissions !== 'admin') return null;
  const existing = link.data ?? null;
  const pending = link.isFetching || create.isPending || revoke.isPending;
  const show = () => {
    setUrl(null);
    setOpen(true);
  };
  return (
    <>
      <Button label="Subscribe" onClick={show}>
        <CalendarMonthIcon />
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} fullWidth maxWidth="sm">
        <DialogTitle>Subscribe in a calendar app</DialogTitle>
        <DialogContent sx={{ display: 'grid', gap: 2 }}>
          <Typography variant="body2">
            A secret link to this schedule's shifts that a calendar app can subscribe to without signing in. Anyone with the link can
            read the shifts: share it like a password.
          </Typography>
          {url ? (
            <>
              <TextField label="Calendar link (shown only now)" value={url} fullWidth slotProps={{ htmlInput: { readOnly: true } }} onFocus={(e) => e.target.select()} />
              <Alert severity="info">Paste it into your calendar app's "subscribe from URL" (Google Calendar: Other calendars → From URL).</Alert>
            </>
          ) : existing ? (
            <Alert severity="info">
              A link made by {existing.createdBy} on {new Date(existing.createdAt).toLocaleString()} works. Its URL was shown once; a new link replaces it.
            </Alert>
          ) : link.error ? (
            <Alert severity="error">{errorMessage(link.error)}</Alert>
          ) : null}
        </DialogContent>
        <DialogActions>
          {existing && <Button label="Revoke" color="error" disabled={pending} onClick={() => revoke.mutate()} />}
          <Button label={existing ? 'New link' : 'Create link'} variant="contained" disabled={pending || Boolean(link.error)} onClick={() => create.mutate()} />
          <Button label="Close" onClick={() => setOpen(false)} />
        </DialogActions>
      </Dialog>
    </>
  );
};
