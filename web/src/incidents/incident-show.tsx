import type { ReactNode } from 'react';
import { Box, Card, CardContent, Typography } from '@mui/material';
import { Link, ListButton, Show, TopToolbar, useRecordContext } from 'react-admin';
import { DateTime } from '../fields';
import { IncidentStatusChip, SeverityChip, UrgencyChip } from './chips';
import { Evidence } from './evidence';
import { IncidentActionButton, NoteButton, PostmortemButton, ReassignButton, RunbookButton, SnoozeButton } from './incident-actions';
import { InlineRunbook } from './inline-runbook';
import { IncidentAlerts } from './incident-alerts';
import { Rollbacks } from '../rollback-executions/rollbacks';
import { Timeline } from './timeline';
import { ChangesBefore } from './changes-before';
import type { Incident, IncidentLink } from './types';

const IncidentTitle = () => {
  const record = useRecordContext<Incident>();
  return <span>{record ? `Incident #${record.id}: ${record.title}` : 'Incident'}</span>;
};

const Actions = () => (
  <TopToolbar>
    <ListButton />
    <RunbookButton />
    <IncidentActionButton action="acknowledge" />
    <SnoozeButton />
    <IncidentActionButton action="escalate" />
    <IncidentActionButton action="resolve" />
    <IncidentActionButton action="reopen" />
    <ReassignButton />
    <NoteButton />
    <PostmortemButton />
  </TopToolbar>
);

const Item = ({ label, children }: { label: string; children: ReactNode }) => (
  <Box>
    <Typography variant="caption" color="text.secondary" component="div">
      {label}
    </Typography>
    <Typography variant="body2" component="div">
      {children}
    </Typography>
  </Box>
);

const By = ({ at, by }: { at: string | null; by: string | null }) =>
  at ? (
    <>
      <DateTime value={at} />
      {by && ` by ${by}`}
    </>
  ) : (
    <>—</>
  );

/** "12 min", "3 h 05 min" between two instants, or "—" while the second has not happened. */
export function elapsed(from: string | null | undefined, to: string | null | undefined): string {
  if (!from || !to) return '—';
  const minutes = Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h ${String(minutes % 60).padStart(2, '0')} min` : `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

const Section = ({ title, children }: { title: string; children: ReactNode }) => (
  <Card variant="outlined">
    <CardContent>
      <Typography variant="h6" component="h2" gutterBottom>
        {title}
      </Typography>
      {children}
    </CardContent>
  </Card>
);

/** `#N` linking to incident N, its title on hover. */
const IncidentRef = ({ link }: { link: IncidentLink }) => (
  <Link to={`/incidents/${link.id}/show`} title={`${link.title} (${link.service}, ${link.status})`}>
    #{link.id}
  </Link>
);

const IncidentDetails = () => {
  const record = useRecordContext<Incident>();
  if (!record) return null;
  return (
    <Box sx={{ display: 'grid', gap: 2, p: 2 }}>
      <Typography variant="h5" component="h1">
        {record.title}
      </Typography>
      <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: 'repeat(auto-fill, minmax(200px, 1fr))' }}>
        <Item label="Status"><IncidentStatusChip value={record.status} /></Item>
        <Item label="Severity"><SeverityChip value={record.severity} /></Item>
        <Item label="Urgency"><UrgencyChip value={record.urgency} /></Item>
        <Item label="Service">{record.service}</Item>
        <Item label="Source">{record.source}</Item>
        <Item label="SLO">{record.sloId ?? '—'}</Item>
        <Item label="Triggered"><DateTime value={record.triggeredAt} /></Item>
        <Item label="Acknowledged"><By at={record.acknowledgedAt} by={record.acknowledgedBy} /></Item>
        <Item label="Resolved"><By at={record.resolvedAt} by={record.resolvedBy} /></Item>
        <Item label="Signal resolved"><DateTime value={record.signalResolvedAt} /></Item>
        <Item label="Assignee">{record.assignee ?? '—'}</Item>
        {record.status === 'snoozed' && <Item label="Snoozed until"><DateTime value={record.snoozedUntil} /></Item>}
        <Item label="Time to acknowledge">{elapsed(record.triggeredAt, record.acknowledgedAt)}</Item>
        <Item label="Time to resolve">{elapsed(record.triggeredAt, record.resolvedAt)}</Item>
        {record.muted && <Item label="Muted">{record.mutedReason ?? 'yes'} (nobody was paged)</Item>}
        {record.causedBy && (
          <Item label="Likely caused by">
            <IncidentRef link={record.causedBy} /> {record.causedBy.title}
            {record.heldByCause ? ' (held back: not paged while it fires)' : ''}
          </Item>
        )}
        {record.causes && record.causes.length > 0 && (
          <Item label="Likely caused this">
            {record.causes.map((c, i) => (
              <span key={c.id}>
                {i > 0 && ', '}
                <IncidentRef link={c} />
              </span>
            ))}
          </Item>
        )}
      </Box>
      <Section title="Evidence">
        <Evidence evidence={record.evidence} />
      </Section>
      <Section title="Changes before">
        <ChangesBefore service={record.service} at={record.triggeredAt} />
      </Section>
      <Section title={`Alerts (${record.alertCount ?? record.alerts?.length ?? 0} deliveries)`}>
        <IncidentAlerts alerts={record.alerts} />
      </Section>
      <Section title="Rollbacks">
        <Rollbacks incidentId={record.id} />
      </Section>
      <Section title="Timeline">
        <Timeline entries={record.timeline} />
      </Section>
      {record.runbookId && (
        <Section title="Runbook">
          <InlineRunbook id={record.runbookId} />
        </Section>
      )}
    </Box>
  );
};

export const IncidentShow = () => (
  <Show<Incident> title={<IncidentTitle />} actions={<Actions />}>
    <IncidentDetails />
  </Show>
);
