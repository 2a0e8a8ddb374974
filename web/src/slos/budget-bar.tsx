import { Box, LinearProgress, Typography } from '@mui/material';
import { percent } from '../fields';

export const BudgetBar = ({ value }: { value: number | null | undefined }) => {
  if (value == null || !Number.isFinite(value)) return <span>—</span>;
  const shown = Math.max(0, Math.min(1, value)) * 100;
  const color = value < 0.1 ? 'error' : value < 0.5 ? 'warning' : 'success';
  return (
    <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, minWidth: 140 }}>
      <LinearProgress
        variant="determinate"
        value={shown}
        color={color}
        aria-label="Error budget remaining"
        sx={{ flex: 1, height: 6, borderRadius: 3 }}
      />
      <Typography variant="body2" sx={{ minWidth: 48, textAlign: 'right', fontVariantNumeric: 'tabular-nums' }}>
        {percent(value, 1)}
      </Typography>
    </Box>
  );
};
