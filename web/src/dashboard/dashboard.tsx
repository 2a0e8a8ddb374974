import type { ReactNode } from 'react';
import { Alert, Box, Card, CardContent, List, ListItem, ListItemText, Typography } from '@mui/material';
import CheckCircleIcon from '@mui/icons-material/CheckCircle';
import { Link, Title, useDataProvider, useGetList } from 'react-admin';
import { useQuery } from '@tanstack/react-query';
import { errorMessage, type HeadroomDataProvider } from '../data-provider';
import { DateTime, StatusChip } from '../fields';
import { sloListFor } from '../services/service-list';
import type { Service } from '../services/types';
import { BudgetBar } from '../slos/budget-bar';
import { BurnRateValue } from '../slos/burn-rate-value';
import { SloStateChip, stateColors } from '../slos/state-chip';
import type { Slo } from '../slos/types';
import { closestToExhaustion } from './dashboard-math';

const REFRESH = { refetchInterval: 30_000 };
const LOWEST_BUDGETS = 5;

const Panel = ({ title, action, children }: { title: string; action?: ReactNode; children: ReactNode }) => (
  <Card variant="outlined" component="section" aria-label={title}>
    <CardContent>
      <Box sx={{ display: 'flex', justifyContent: 'space-between', alignItems: 'baseline', gap: 1 }}>
        <Typography variant="h6" component="h2">
          {title}
        </Typography>
        {action}
      </Box>
      {children}
    </CardContent>
  </Card>
);

const sloPath = (slo: Slo) => `/slos/${encodeURIComponent(slo.id)}/show`;
const filtered = (filter: Record<string, string>) => `/slos?filter=${encodeURIComponent(JSON.stringify(filter))}`;

const PagingNow = ({ slos }: { slos: Slo[] }) => {
  const paging = slos.filter((s) => s.state === 'page');
  const ticketing = slos.filter((s) => s.state === 'ticket').length;
  return (
    <Panel title="Paging now" action={<Link to={filtered({ state: 'page' })}>all</Link>}>
      {paging.length === 0 ? (
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, py: 1 }}>
          <CheckCircleIcon color="success" fontSize="small" />
          <Typography variant="body2">No SLO is burning fast enough to page.</Typography>
        </Box>
      ) : (
        <List dense disablePadding>
          {paging.map((slo) => (
            <ListItem key={slo.id} disableGutters divider>
              <ListItemText
                primary={<Link to={sloPath(slo)}>{`${slo.service} ${slo.name}`}</Link>}
                secondary={
                  <>
                    since <DateTime value={slo.since} /> · 1h <BurnRateValue value={slo.burnRates['1h']} /> · 5m{' '}
                    <BurnRateValue value={slo.burnRates['5m']} />
                  </>
                }
              />
              <SloStateChip slo={slo} />
            </ListItem>
          ))}
        </List>
      )}
      {ticketing > 0 && (
        <Typography variant="body2" sx={{ mt: 1 }}>
          <Link to={filtered({ state: 'ticket' })}>{ticketing === 1 ? '1 SLO' : `${ticketing} SLOs`} at ticket level</Link>
        </Typography>
      )}
    </Panel>
  );
};

const LowestBudgets = ({ slos }: { slos: Slo[] }) => {
  const lowest = closestToExhaustion(slos, LOWEST_BUDGETS);
  return (
    <Panel title="Closest to exhausting their budget">
      {lowest.length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          No SLO has been evaluated yet.
        </Typography>
      ) : (
        <List dense disablePadding>
          {lowest.map((slo) => (
            <ListItem key={slo.id} disableGutters divider sx={{ gap: 2 }}>
              <ListItemText primary={<Link to={sloPath(slo)}>{`${slo.service} ${slo.name}`}</Link>} secondary={`${slo.period} period`} />
              <Box sx={{ width: 200 }}>
                <BudgetBar value={slo.budgetRemaining} />
              </Box>
            </ListItem>
          ))}
        </List>
      )}
    </Panel>
  );
};

const Services = () => {
  const { data, error } = useGetList<Service>('services', { pagination: { page: 1, perPage: 100 }, sort: { field: 'name', order: 'ASC' } }, REFRESH);
  return (
    <Panel title="Services" action={<Link to="/services">all</Link>}>
      {error ? (
        <Alert severity="error">{errorMessage(error)}</Alert>
      ) : (
        <List dense disablePadding>
          {(data ?? []).map((s) => (
            <ListItem key={s.id} disableGutters divider sx={{ gap: 2 }}>
              <ListItemText primary={<Link to={sloListFor(s.id)}>{s.name}</Link>} secondary={s.slos === 1 ? '1 SLO' : `${s.slos} SLOs`} />
              <StatusChip value={s.state} colors={stateColors} />
            </ListItem>
          ))}
        </List>
      )}
    </Panel>
  );
};

const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
const OPEN = ['triggered', 'acknowledged', 'snoozed'];
const incidentsFiltered = (filter: Record<string, unknown>) => `/incidents?filter=${encodeURIComponent(JSON.stringify(filter))}`;

/** How many incidents match a filter (the list's total; one row fetched). */
const useIncidentCount = (filter: Record<string, unknown>) =>
  useGetList('incidents', { pagination: { page: 1, perPage: 1 }, sort: { field: 'id', order: 'DESC' }, filter }, REFRESH).total;

const SeverityCount = ({ severity }: { severity: (typeof SEVERITIES)[number] }) => {
  const total = useIncidentCount({ status: OPEN, severity });
  return (
    <ListItem disableGutters divider sx={{ gap: 2 }}>
      <ListItemText primary={<Link to={incidentsFiltered({ status: OPEN, severity })}>{severity}</Link>} />
      <Typography variant="h6" component="span" aria-label={`open ${severity} incidents`}>
        {total ?? '…'}
      </Typography>
    </ListItem>
  );
};

const OpenIncidents = () => {
  // Pages in the last 24 hours: incidents opened since then that paged someone (not muted).
  const since = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 86_400_000).toISOString();
  const pages = useIncidentCount({ triggeredAt_gte: since, muted: false });
  return (
    <Panel title="Open incidents" action={<Link to={incidentsFiltered({ status: OPEN })}>all</Link>}>
      <List dense disablePadding>
        {SEVERITIES.map((s) => (
          <SeverityCount key={s} severity={s} />
        ))}
      </List>
      <Typography variant="body2" sx={{ mt: 1 }}>
        <Link to={incidentsFiltered({ triggeredAt_gte: since, muted: false })}>{pages === undefined ? '…' : pages} pages in the last 24 h</Link>
      </Typography>
    </Panel>
  );
};

interface ExperimentSummary {
  id: string;
  service: string;
  results: { srm: { state: string }; metrics: Array<{ role: string; state: string; metric: string; variant: string }> } | null;
}

const ExperimentsNeedingAttention = () => {
  const { data } = useGetList<ExperimentSummary>('experiments', { pagination: { page: 1, perPage: 200 }, sort: { field: 'id', order: 'ASC' }, filter: { status: 'running' } }, REFRESH);
  const flagged = (data ?? [])
    .map((e) => ({
      e,
      breaches: e.results?.metrics.filter((m) => m.role === 'guardrail' && m.state === 'breach') ?? [],
      srm: e.results?.srm.state === 'mismatch',
    }))
    .filter((x) => x.breaches.length > 0 || x.srm);
  return (
    <Panel title="Experiments needing attention" action={<Link to="/experiments">all</Link>}>
      {flagged.length === 0 ? (
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, py: 1 }}>
          <CheckCircleIcon color="success" fontSize="small" />
          <Typography variant="body2">No running experiment has a guardrail breach or a sample ratio mismatch.</Typography>
        </Box>
      ) : (
        <List dense disablePadding>
          {flagged.map(({ e, breaches, srm }) => (
            <ListItem key={e.id} disableGutters divider>
              <ListItemText
                primary={<Link to={`/experiments/${encodeURIComponent(e.id)}/show`}>{e.id}</Link>}
                secondary={[srm ? 'sample ratio mismatch' : null, ...breaches.map((b) => `${b.metric} breached in ${b.variant}`)].filter(Boolean).join(' · ')}
              />
            </ListItem>
          ))}
        </List>
      )}
    </Panel>
  );
};

const WhoIsOnCall = () => {
  const dataProvider = useDataProvider<HeadroomDataProvider>();
  const { data } = useQuery({ queryKey: ['oncall-now'], queryFn: async () => (await dataProvider.onCallNow()).data, refetchInterval: 60_000 });
  return (
    <Panel title="On call now" action={<Link to="/schedules">schedules</Link>}>
      {!data?.length ? (
        <Typography variant="body2" color="text.secondary">No schedule is defined (alerts/*.yaml, schedules:).</Typography>
      ) : (
        <List dense disablePadding>
          {data.map((s) => (
            <ListItem key={s.schedule.id} disableGutters divider>
              <ListItemText
                primary={<Link to={`/schedules/${encodeURIComponent(s.schedule.id)}/show`}>{s.schedule.name}</Link>}
                secondary={s.onCall ? <>{s.onCall.user.name} until <DateTime value={s.onCall.shiftEnd} /></> : 'nobody'}
              />
            </ListItem>
          ))}
        </List>
      )}
    </Panel>
  );
};

/** The first page after sign-in: what needs attention now, and what is running out of budget. */
export const Dashboard = () => {
  const { data, error, isPending } = useGetList<Slo>('slos', { pagination: { page: 1, perPage: 500 }, sort: { field: 'id', order: 'ASC' } }, REFRESH);
  return (
    <Box sx={{ display: 'grid', gap: 2, mt: 2, alignItems: 'start', gridTemplateColumns: { xs: '1fr', md: '1fr 1fr', xl: '2fr 2fr 1fr' } }}>
      <Title title="Dashboard" />
      {error ? (
        <Alert severity="error" sx={{ gridColumn: '1 / -1' }}>
          {errorMessage(error)}
        </Alert>
      ) : isPending ? null : (
        <>
          <PagingNow slos={data ?? []} />
          <LowestBudgets slos={data ?? []} />
        </>
      )}
      <OpenIncidents />
      <WhoIsOnCall />
      <ExperimentsNeedingAttention />
      <Services />
    </Box>
  );
};
