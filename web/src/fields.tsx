import { Chip, type ChipProps } from '@mui/material';

type ChipColor = ChipProps['color'];

/** A local date-time, with the exact UTC instant on hover. */
export const DateTime = ({ value }: { value: string | null | undefined }) => {
  if (!value) return <span>—</span>;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return <span>{value}</span>;
  return (
    <time dateTime={date.toISOString()} title={date.toISOString()}>
      {date.toLocaleString()}
    </time>
  );
};

/** A small chip whose colour comes from a value → colour map. */
export const StatusChip = ({
  value,
  colors,
  variant = 'filled',
}: {
  value: string | null | undefined;
  colors: Record<string, ChipColor>;
  variant?: ChipProps['variant'];
}) =>
  value ? (
    <Chip size="small" label={value} color={colors[value] ?? 'default'} variant={variant} />
  ) : (
    <span>—</span>
  );

export const percent = (value: number | null | undefined, digits = 3): string =>
  value == null || !Number.isFinite(value)
    ? '—'
    : new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: digits }).format(value);

export const burnRate = (value: number | null | undefined): string =>
  value == null || !Number.isFinite(value)
    ? '—'
    : value >= 100
      ? value.toFixed(0)
      : value.toFixed(2);
