import { StatusChip } from '../fields';
import type { Slo, SloState } from './types';

export const stateColors: Record<SloState, 'error' | 'warning' | 'success' | 'default'> = {
  page: 'error',
  ticket: 'warning',
  ok: 'success',
  'no-data': 'default',
};

export const stateChoices = (['page', 'ticket', 'ok', 'no-data'] as const).map((id) => ({ id, name: id }));

const since = (value: string | null): string | null => (value ? `since ${new Date(value).toLocaleString()}` : null);

/**
 * The SLO's state as a coloured badge. On hover: why there is no data (the reason matters
 * more than the time: "query failed" and "not evaluated yet" call for different actions),
 * otherwise since when the state holds.
 */
export const SloStateChip = ({ slo }: { slo: Pick<Slo, 'state' | 'noDataReason' | 'since'> }) => (
  <StatusChip
    value={slo.state}
    colors={stateColors}
    title={slo.state === 'no-data' ? (slo.noDataReason ?? 'no data') : since(slo.since)}
  />
);
