import { useState } from 'react';
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
import type { Role } from '../auth-provider';
import { errorMessage, type HeadroomDataProvider, type IncidentAction } from '../data-provider';
import type { Incident } from './types';

const labels: Record<IncidentAction, { label: string; done: string }> = {
  acknowledge: { label: 'Acknowledge', done: 'Incident acknowledged' },
  resolve: { label: 'Resolve', done: 'Incident resolved' },
};

const allowed = (action: IncidentAction, incident: Incident): boolean =>
  action === 'acknowledge' ? incident.status === 'triggered' : incident.status !== 'resolved';

/** Acknowledge or resolve; shown only when the status allows it and the user may act. */
export const IncidentActionButton = ({ action }: { action: IncidentAction }) => {
  const record = useRecordContext<Incident>();
  const { permissions, isPending } = usePermissions<Role | null>();
  const dataProvider = useDataProvider<HeadroomDataProvider>();
  const notify = useNotify();
  const refresh = useRefresh();
  const [busy, setBusy] = useState(false);

  if (!record || isPending || permissions === 'viewer' || !allowed(action, record)) return null;
  const { label, done } = labels[action];

  const run = async () => {
    setBusy(true);
    try {
      await dataProvider.incidentAction(record.id, action);
      notify(done, { type: 'success' });
    } catch (error) {
      notify(errorMessage(error), { type: 'error' });
    } finally {
      setBusy(false);
      refresh();
    }
  };

  return (
    <Button
      label={label}
      aria-label={label}
      variant={action === 'acknowledge' ? 'contained' : 'outlined'}
      disabled={busy}
      onClick={run}
    >
      {action === 'acknowledge' ? <CheckIcon /> : <DoneAllIcon />}
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
