import { Alert, AlertTitle } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { Link, useDataProvider } from 'react-admin';
import type { HeadroomDataProvider } from '../data-provider';

const MAX_NAMED = 8;

/**
 * Says, on every page, that some SLOs cannot receive data in this configuration (their source
 * is off): otherwise they sit in no-data and look like a monitoring outage, or like calm.
 * The same list is in /readyz (`checks.sources`) and in the log at start.
 */
export const IdleSourcesBanner = () => {
  const dataProvider = useDataProvider<HeadroomDataProvider>();
  const { data } = useQuery({ queryKey: ['rules-status'], queryFn: async () => (await dataProvider.rulesStatus()).data, refetchInterval: 60_000 });
  const idle = data?.idleSlos ?? [];
  if (idle.length === 0) return null;
  const reasons = [...new Set(idle.map((i) => i.reason))];
  const named = idle.slice(0, MAX_NAMED);
  return (
    <Alert severity="warning" role="alert" aria-label="SLOs without data" sx={{ mb: 1 }}>
      <AlertTitle>
        {idle.length === 1 ? '1 SLO cannot receive data' : `${idle.length} SLOs cannot receive data`} in this configuration
      </AlertTitle>
      {named.map((i, n) => (
        <span key={i.slo}>
          {n > 0 && ', '}
          <Link to={`/slos/${encodeURIComponent(i.slo)}/show`}>{i.slo}</Link>
        </span>
      ))}
      {idle.length > MAX_NAMED && ` and ${idle.length - MAX_NAMED} more`}
      {reasons.map((r) => (
        <div key={r}>{r.charAt(0).toUpperCase() + r.slice(1)}.</div>
      ))}
    </Alert>
  );
};
