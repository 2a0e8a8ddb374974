import { useState } from 'react';
import { Alert, Dialog, DialogActions, DialogContent, DialogTitle, TextField, Typography } from '@mui/material';
import CalendarMonthIcon from '@mui/icons-material/CalendarMonth';
import { Button, useNotify, usePermissions } from 'react-admin';
import type { Role } from '../auth-provider';
import { API_URL, errorMessage, httpClient } from '../data-provider';

interface LinkInfo {
  createdBy: string;
  createdAt: string;
}

/**
 * A secret calendar feed URL for calendar apps (which cannot sign in): made here by a responder,
 * shown once, replaced by the next one, revocable. See docs/oncall.md.
 */
export const SubscribeButton = ({ scheduleId }: { scheduleId: string }) => {
  const { permissions } = usePermissions<Role | null>();
  const notify = useNotify();
  const [open, setOpen] = useState(false);
  const [existing, setExisting] = useState<LinkInfo | null>(null);
  const [url, setUrl] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (permissions !== 'responder' && permissions !== 'admin') return null;
  const base = `${API_URL}/schedules/${encodeURIComponent(scheduleId)}/calendar-link`;
  const call = async (what: () => Promise<void>) => {
    setBusy(true);
    try {
      await what();
    } catch (error) {
      notify(errorMessage(error), { type: 'error' });
    } finally {
      setBusy(false);
    }
  };
  const show = () =>
    call(async () => {
      setUrl(null);
      setExisting(((await httpClient(base)).json as { link: LinkInfo | null }).link);
      setOpen(true);
    });
  const create = () =>
    call(async () => {
      const made = (await httpClient(base, { method: 'POST' })).json as LinkInfo & { url: string };
      setUrl(made.url);
      setExisting(made);
    });
  const revoke = () =>
    call(async () => {
      await httpClient(base, { method: 'DELETE' });
      setExisting(null);
      setUrl(null);
      notify('Calendar link revoked', { type: 'success' });
    });
  return (
    <>
      <Button label="Subscribe" onClick={show} disabled={busy}>
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
          ) : null}
        </DialogContent>
        <DialogActions>
          {existing && <Button label="Revoke" color="error" disabled={busy} onClick={revoke} />}
          <Button label={existing ? 'New link' : 'Create link'} variant="contained" disabled={busy} onClick={create} />
          <Button label="Close" onClick={() => setOpen(false)} />
        </DialogActions>
      </Dialog>
    </>
  );
};
