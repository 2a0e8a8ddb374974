import { useState, type ReactElement } from 'react';
import { Dialog, DialogActions, DialogContent, DialogTitle, Menu, MenuItem, TextField } from '@mui/material';
import {
  Button,
  LinkBase,
  useDataProvider,
  useNotify,
  usePermissions,
  useRecordContext,
  useRefresh,
} from 'react-admin';
import CheckIcon from '@mui/icons-material/Check';
import DoneAllIcon from '@mui/icons-material/DoneAll';
import MenuBookIcon from '@mui/icons-material/MenuBook';
import NoteAddIcon from '@mui/icons-material/NoteAdd';
import PersonIcon from '@mui/icons-material/Person';
import ReplayIcon from '@mui/icons-material/Replay';
import SnoozeIcon from '@mui/icons-material/Snooze';
import TrendingUpIcon from '@mui/icons-material/TrendingUp';
import DescriptionIcon from '@mui/icons-material/Description';
import type { Role } from '../auth-provider';
import { API_URL, errorMessage, httpClient, type HeadroomDataProvider, type IncidentAction } from '../data-provider';
import type { Incident } from './types';

/** Runs one incident action with a notification and a refresh; null while the user may not act. */
export function useIncidentAction() {
  const record = useRecordContext<Incident>();
  const { permissions, isPending } = usePermissions<Role | null>();
  const dataProvider = useDataProvider<HeadroomDataProvider>();
  const notify = useNotify();
  const refresh = useRefresh();
  const [busy, setBusy] = useState(false);
  if (!record || isPending || permissions === 'viewer' || !permissions) return null;
  const run = async (action: IncidentAction, done: string, body?: Record<string, unknown>) => {
    setBusy(true);
    try {
      await dataProvider.incidentAction(record.id, action, body);
      notify(done, { type: 'success' });
      return true;
    } catch (error) {
      notify(errorMessage(error), { type: 'error' });
      return false;
    } finally {
      setBusy(false);
      refresh();
    }
  };
  return { record, busy, run };
}

const simple = {
  acknowledge: { label: 'Acknowledge', done: 'Incident acknowledged', icon: <CheckIcon />, allowed: (i: Incident) => i.status === 'triggered' || i.status === 'snoozed' },
  resolve: { label: 'Resolve', done: 'Incident resolved', icon: <DoneAllIcon />, allowed: (i: Incident) => i.status !== 'resolved' },
  reopen: { label: 'Re-open', done: 'Incident re-opened', icon: <ReplayIcon />, allowed: (i: Incident) => i.status === 'resolved' },
  // The server answers 409 (shown) when no escalation policy runs for the incident.
  escalate: { label: 'Escalate', done: 'Escalated to the next step', icon: <TrendingUpIcon />, allowed: (i: Incident) => i.status === 'triggered' },
} as const;

/** Acknowledge, resolve or re-open; shown only when the status allows it and the user may act. */
export const IncidentActionButton = ({ action }: { action: keyof typeof simple }) => {
  const act = useIncidentAction();
  if (!act || !simple[action].allowed(act.record)) return null;
  const { label, done, icon } = simple[action];
  return (
    <Button label={label} aria-label={label} variant={action === 'acknowledge' ? 'contained' : 'outlined'} disabled={act.busy} onClick={() => act.run(action, done)}>
      {icon}
    </Button>
  );
};

const SNOOZES = [
  { label: '30 minutes', duration: '30m' },
  { label: '1 hour', duration: '1h' },
  { label: '4 hours', duration: '4h' },
];

/** Snooze for 30 min, 1 h or 4 h: quiet until then, then triggered again. */
export const SnoozeButton = () => {
  const act = useIncidentAction();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  if (!act || act.record.status === 'resolved') return null;
  return (
    <>
      <Button label="Snooze" aria-label="Snooze" disabled={act.busy} onClick={(e) => setAnchor(e.currentTarget)}>
        <SnoozeIcon />
      </Button>
      <Menu anchorEl={anchor} open={Boolean(anchor)} onClose={() => setAnchor(null)}>
        {SNOOZES.map((s) => (
          <MenuItem
            key={s.duration}
            onClick={() => {
              setAnchor(null);
              void act.run('snooze', `Snoozed for ${s.label}`, { duration: s.duration });
            }}
          >
            {s.label}
          </MenuItem>
        ))}
      </Menu>
    </>
  );
};

/** A dialog with one text field that posts it as `field` (a note, or the new assignee). */
const TextActionButton = ({ action, field, label, fieldLabel, done, icon, when, multiline }: {
  action: IncidentAction;
  field: string;
  label: string;
  fieldLabel: string;
  done: string;
  icon: ReactElement;
  when: (i: Incident) => boolean;
  multiline?: boolean;
}) => {
  const act = useIncidentAction();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  if (!act || !when(act.record)) return null;
  const submit = async () => {
    if (await act.run(action, done, { [field]: text.trim() || null })) {
      setOpen(false);
      setText('');
    }
  };
  return (
    <>
      <Button label={label} aria-label={label} disabled={act.busy} onClick={() => setOpen(true)}>
        {icon}
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} fullWidth maxWidth="sm">
        <DialogTitle>{label}</DialogTitle>
        <DialogContent>
          <TextField autoFocus fullWidth multiline={multiline} minRows={multiline ? 3 : undefined} margin="dense" label={fieldLabel} value={text} onChange={(e) => setText(e.target.value)} />
        </DialogContent>
        <DialogActions>
          <Button label="Cancel" onClick={() => setOpen(false)} />
          <Button label="Save" variant="contained" disabled={act.busy || (multiline === true && !text.trim())} onClick={submit} />
        </DialogActions>
      </Dialog>
    </>
  );
};

export const NoteButton = () => (
  <TextActionButton action="notes" field="text" label="Add note" fieldLabel="Note (also posted to the Slack thread)" done="Note added" icon={<NoteAddIcon />} when={() => true} multiline />
);

export const ReassignButton = () => (
  <TextActionButton action="reassign" field="assignee" label="Reassign" fieldLabel="Assignee (empty: nobody)" done="Incident reassigned" icon={<PersonIcon />} when={(i) => i.status !== 'resolved'} />
);

/** Downloads the postmortem draft (markdown) with the viewer's credentials. */
export const PostmortemButton = () => {
  const record = useRecordContext<Incident>();
  const notify = useNotify();
  if (!record) return null;
  const download = async () => {
    try {
      const { body } = await httpClient(`${API_URL}/incidents/${record.id}/postmortem.md`, { headers: new Headers({ Accept: 'text/markdown' }) });
      const url = URL.createObjectURL(new Blob([body], { type: 'text/markdown' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `incident-${record.id}-postmortem.md`;
      a.click();
      URL.revokeObjectURL(url);
    } catch (error) {
      notify(errorMessage(error), { type: 'error' });
    }
  };
  return (
    <Button label="Postmortem" aria-label="Download postmortem draft" onClick={download}>
      <DescriptionIcon />
    </Button>
  );
};

export const RunbookButton = () => {
  const record = useRecordContext<Incident>();
  if (!record?.runbookId) return null;
  return (
    <Button
      component={LinkBase}
      label="Runbook"
      aria-label="Runbook"
      to={`/runbooks/${encodeURIComponent(record.runbookId)}/show`}
    >
      <MenuBookIcon />
    </Button>
  );
};
