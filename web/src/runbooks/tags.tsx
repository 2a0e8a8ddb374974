import { Chip, Stack } from '@mui/material';

export const Tags = ({ values }: { values: string[] | undefined }) =>
  values?.length ? (
    <Stack direction="row" sx={{ gap: 0.5, flexWrap: 'wrap' }}>
      {values.map((value) => (
        <Chip key={value} size="small" variant="outlined" label={value} />
      ))}
    </Stack>
  ) : (
    <span>—</span>
  );
