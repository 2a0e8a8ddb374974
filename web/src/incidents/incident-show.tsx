import type { ReactNode } from 'react';
import { Box, Card, CardContent, Typography } from '@mui/material';
import { ListButton, Show, TopToolbar, useRecordContext } from 'react-admin';
import { DateTime } from '../fields';
import { IncidentStatusChip, SeverityChip } from './chips';
import { Evidence } from './evidence';
import { IncidentActionButton, RunbookButton } from './incident-actions';
import { Timeline } from './timeline';
import type { Incident } from './types';

const IncidentTitle = () => {
  const record = useRecordContext<Incident>();
  return <span>{record ? `Incident #${record.id}: ${record.title}` : 'Incident'}</span>;
};

const Actions = () => (
  <TopToolbar>
    <ListButton />
    <RunbookButton />
    <IncidentActionButton action="acknowledge" />
    <IncidentActionButton action="resolve" />
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
        <Item label="Service">{record.service}</Item>
        <Item label="Source">{record.source}</Item>
        <Item label="SLO">{record.sloId ?? '—'}</Item>
        <Item label="Triggered"><DateTime value={record.triggeredAt} /></Item>
        <Item label="Acknowledged"><By at={record.acknowledgedAt} by={record.acknowledgedBy} /></Item>
        <Item label="Resolved"><By at={record.resolvedAt} by={record.resolvedBy} /></Item>
        <Item label="Signal resolved"><DateTime value={record.signalResolvedAt} /></Item>
      </Box>
      <Section title="Evidence">
        <Evidence evidence={record.evidence} />
      </Section>
      <Section title="Timeline">
        <Timeline entries={record.timeline} />
      </Section>
    </Box>
  );
};

export const IncidentShow = () => (
  <Show<Incident> title={<IncidentTitle />} actions={<Actions />}>
    <IncidentDetails />
  </Show>
);
