import { useState, type ReactElement } from 'react';
import { useMutation } from '@tanstack/react-query';
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
import { errorMessage, type HeadroomDataProvider, type IncidentAction } from '../data-provider';
import type { Incident } from './types';

interface ActionCall {
  id: Incident['id'];
  action: IncidentAction;
  /** The notification on success. */
  done: string;
  body?: Record<string, unknown>;
}

/** Runs one incident action with a notification and a refresh; null while the user may not act. */
export function useIncidentAction() {
  const record = useRecordContext<Incident>();
  const { permissions, isPending: permissionsPending } = usePermissions<Role | null>();
  const dataProvider = useDataProvider<HeadroomDataProvider>();
  const notify = useNotify();
  const refresh = useRefresh();
  // Notified here rather than in mutate()'s callbacks, which do not run once the button unmounts
  // (an acknowledged incident no longer shows Acknowledge).
  const { mutate, isPending } = useMutation({
    mutationFn: ({ id, action, body }: ActionCall) => dataProvider.incidentAction(id, action, body),
    onSuccess: (_data, { done }) => notify(done, { type: 'success' }),
    onError: (error) => notify(errorMessage(error), { type: 'error' }),
    onSettled: () => refresh(),
  });
  if (!record || permissionsPending || permissions === 'viewer' || !permissions) return null;
  const run = (action: IncidentAction, done: string, body?: Record<string, unknown>, onSuccess?: () => void) =>
    mutate({ id: record.id, action, done, body }, { onSuccess });
  return { record, isPending, run };
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
    <Button label={label} aria-label={label} variant={action === 'acknowledge' ? 'contained' : 'outlined'} disabled={act.isPending} onClick={() => act.run(action, done)}>
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
      <Button label="Snooze" aria-label="Snooze" disabled={act.isPending} onClick={(e) => setAnchor(e.currentTarget)}>
        <SnoozeIcon />
      </Button>
      <Menu anchorEl={anchor} open={Boolean(anchor)} onClose={() => setAnchor(null)}>
        {SNOOZES.map((s) => (
          <MenuItem
            key={s.duration}
            onClick={() => {
              setAnchor(null);
              act.run('snooze', `Snoozed for ${s.label}`, { duration: s.duration });
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
  const submit = () =>
    act.run(action, done, { [field]: text.trim() || null }, () => {
      setOpen(false);
      setText('');
    });
  return (
    <>
      <Button label={label} aria-label={label} disabled={act.isPending} onClick={() => setOpen(true)}>
        {icon}
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} fullWidth maxWidth="sm">
        <DialogTitle>{label}</DialogTitle>
        <DialogContent>
          <TextField autoFocus fullWidth multiline={multiline} minRows={multiline ? 3 : undefined} margin="dense" label={fieldLabel} value={text} onChange={(e) => setText(e.target.value)} />
        </DialogContent>
        <DialogActions>
          <Button label="Cancel" onClick={() => setOpen(false)} />
          <Button label="Save" variant="contained" disabled={act.isPending || (multiline === true && !text.trim())} onClick={submit} />
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

/** Hands a markdown text to the browser as a file download. */
const downloadMarkdown = (text: string, name: string) => {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/markdown' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  URL.revokeObjectURL(url);
};

/** Downloads the postmortem draft (markdown) with the viewer's credentials. */
export const PostmortemButton = () => {
  const record = useRecordContext<Incident>();
  const dataProvider = useDataProvider<HeadroomDataProvider>();
  const notify = useNotify();
  // A read, but on a click and with a side effect (the download): a mutation, not a cached query.
  const { mutate, isPending } = useMutation({
    mutationFn: (id: Incident['id']) => dataProvider.postmortem(id),
    onSuccess: ({ data }, id) => downloadMarkdown(data, `incident-${id}-postmortem.md`),
    onError: (error) => notify(errorMessage(error), { type: 'error' }),
  });
  if (!record) return null;
  return (
    <Button label="Postmortem" aria-label="Download postmortem draft" disabled={isPending} onClick={() => mutate(record.id)}>
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
