import { Box, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { useMutation } from '@tanstack/react-query';
import { Button, useDataProvider, useGetList, useNotify, usePermissions, useRefresh } from 'react-admin';
import type { Role } from '../auth-provider';
import { errorMessage, type HeadroomDataProvider, type RollbackAction } from '../data-provider';
import { DateTime } from '../fields';

/** One rollback hook execution for the incident (GET /api/rollback-executions, docs/rollback.md). */
export interface RollbackExecution {
  id: number;
  hook: string;
  policy: string;
  mode: string;
  status: string;
  reason: string | null;
  responseStatus: number | null;
  latencyMs: number | null;
  attempts: number;
  lastError: string | null;
  requestedBy: string | null;
  createdAt: string;
  incidentId?: number;
  trigger?: Record<string, string | null>;
}

export const actionsFor = (status: string): RollbackAction[] => {
  if (status === 'pending_approval') return ['approve', 'cancel'];
  if (status === 'queued') return ['cancel'];
  if (['failed', 'cancelled', 'skipped', 'dry_run'].includes(status)) return ['retry'];
  return [];
};

const LABEL: Record<RollbackAction, string> = { approve: 'Roll back', retry: 'Retry', cancel: 'Cancel' };
const DONE: Record<RollbackAction, string> = { approve: 'Rollback approved', retry: 'Rollback retried', cancel: 'Rollback cancelled' };

export const ActionButton = ({ execution, action }: { execution: RollbackExecution; action: RollbackAction }) => {
  const dataProvider = useDataProvider<HeadroomDataProvider>();
  const notify = useNotify();
  const refresh = useRefresh();
  const { mutate, isPending } = useMutation({
    mutationFn: () => dataProvider.rollbackAction(execution.id, action),
    onSuccess: () => notify(DONE[action], { type: 'success' }),
    onError: (error) => notify(errorMessage(error), { type: 'error' }),
    onSettled: () => refresh(),
  });
  return (
    <Button
      label={LABEL[action]}
      aria-label={`${LABEL[action]} ${execution.hook}`}
      variant={action === 'approve' ? 'contained' : 'outlined'}
      color={action === 'approve' ? 'error' : 'primary'}
      disabled={isPending}
      onClick={() => mutate()}
    />
  );
};

/** The incident's rollback executions, with approve, retry and cancel for responders. */
export const Rollbacks = ({ incidentId, experiment }: { incidentId?: number | string; experiment?: string }) => {
  const { data, isPending } = useGetList<RollbackExecution>('rollback-executions', {
    filter: incidentId !== undefined ? { incidentId } : { experiment },
    sort: { field: 'id', order: 'ASC' },
    pagination: { page: 1, perPage: 50 },
  });
  const { permissions } = usePermissions<Role | null>();
  if (isPending) return null;
  if (!data?.length) return <Typography variant="body2" color="text.secondary">No rollback hook fired for this {incidentId !== undefined ? 'incident' : 'experiment'}.</Typography>;
  const canAct = permissions === 'responder' || permissions === 'admin';
  return (
    <Table size="small" aria-label="Rollbacks">
      <TableHead>
        <TableRow>
          <TableCell>Hook</TableCell>
          <TableCell>Policy</TableCell>
          <TableCell>Status</TableCell>
          <TableCell>Response</TableCell>
          <TableCell>Since</TableCell>
          <TableCell />
        </TableRow>
      </TableHead>
      <TableBody>
        {data.map((e) => (
          <TableRow key={e.id} data-status={e.status}>
            <TableCell>{e.hook}</TableCell>
            <TableCell>{e.policy} ({e.mode})</TableCell>
            <TableCell>
              {e.status.replace('_', ' ')}
              {e.reason && <Typography variant="caption" color="text.secondary" component="div">{e.reason}</Typography>}
            </TableCell>
            <TableCell>
              {e.responseStatus ?? '—'}
              {e.latencyMs !== null && ` in ${e.latencyMs} ms`}
              {e.attempts > 0 && ` · ${e.attempts} attempt${e.attempts === 1 ? '' : 's'}`}
              {e.lastError && <Typography variant="caption" color="error" component="div">{e.lastError}</Typography>}
            </TableCell>
            <TableCell><DateTime value={e.createdAt} /></TableCell>
            <TableCell>
              {canAct && (
                <Box sx={{ display: 'flex', gap: 1 }}>
                  {actionsFor(e.status).map((a) => <ActionButton key={a} execution={e} action={a} />)}
                </Box>
              )}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
};
