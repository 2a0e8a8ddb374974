import { Box } from '@mui/material';
import { burnRate } from '../fields';

/**
 * A burn rate: how many times faster than "exactly on budget" the error budget is being spent
 * (1× would use it all up in exactly the SLO period). Above 1× it is emphasised; at or above
 * `alarm` (a page threshold) it is red.
 */
export const BurnRateValue = ({ value, alarm }: { value: number | null | undefined; alarm?: number }) => {
  if (value == null || !Number.isFinite(value)) return <span title="too few events in this window">—</span>;
  const hot = alarm != null && value >= alarm;
  return (
    <Box
      component="span"
      sx={{ fontVariantNumeric: 'tabular-nums', fontWeight: value > 1 ? 600 : undefined, color: hot ? 'error.main' : undefined }}
    >
      {burnRate(value)}×
    </Box>
  );
};
