import { Chip } from '@mui/material';
import { Link } from 'react-admin';
import { StatusChip } from '../fields';

export const SeverityChip = ({ value }: { value: string | null | undefined }) => (
  <StatusChip
    value={value}
    colors={{ critical: 'error', error: 'error', warning: 'warning', info: 'info' }}
    variant={value === 'error' ? 'outlined' : 'filled'}
  />
);

export const IncidentStatusChip = ({ value }: { value: string | null | undefined }) => (
  <StatusChip value={value} colors={{ triggered: 'error', acknowledged: 'warning', snoozed: 'info', resolved: 'success' }} />
);

/** Page or ticket: a ticket was never paged (posted to its route's ticket channel at most). */
export const UrgencyChip = ({ value }: { value: string | null | undefined }) => (
  <StatusChip value={value} colors={{ page: 'error', ticket: 'info' }} variant={value === 'ticket' ? 'outlined' : 'filled'} />
);

export const urgencyChoices = ['page', 'ticket'].map((id) => ({ id, name: id }));
export const severityChoices = ['critical', 'error', 'warning', 'info'].map((id) => ({ id, name: id }));
export const statusChoices = ['triggered', 'acknowledged', 'snoozed', 'resolved'].map((id) => ({ id, name: id }));
export const sourceChoices = ['slo', 'guardrail', 'heartbeat', 'alertmanager', 'pagerduty', 'manual'].map((id) => ({ id, name: id }));
/** What the list shows first: everything still open. */
export const OPEN_STATUSES = ['triggered', 'acknowledged', 'snoozed'];

/** "Caused by #N": the incident that likely caused this one; "held" while it keeps it from paging. */
export const CauseChip = ({ causedBy, held }: { causedBy: number | null | undefined; held?: boolean }) =>
  causedBy ? (
    <Chip
      size="small"
      variant="outlined"
      color={held ? 'default' : 'warning'}
      label={`caused by #${causedBy}${held ? ' (held)' : ''}`}
      component={Link}
      to={`/incidents/${causedBy}/show`}
      onClick={(e: { stopPropagation(): void }) => e.stopPropagation()}
      clickable
    />
  ) : null;
