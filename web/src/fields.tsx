import { Chip, Tooltip, type ChipProps } from '@mui/material';

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

/** An instant for chart axes and tooltips: the viewer's local time, then UTC. */
export const localAndUtc = (ms: number): string => {
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return '—';
  return `${date.toLocaleString()} (${date.toISOString().slice(0, 16).replace('T', ' ')} UTC)`;
};

/** Axis ticks: local "14:05" for charts over hours, local "25 Nov" for charts over days. */
export const shortTime = (ms: number): string => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
export const shortDate = (ms: number): string => new Date(ms).toLocaleDateString([], { month: 'short', day: 'numeric' });

/** A small chip whose colour comes from a value → colour map; `title` shows on hover. */
export const StatusChip = ({
  value,
  colors,
  variant = 'filled',
  title,
}: {
  value: string | null | undefined;
  colors: Record<string, ChipColor>;
  variant?: ChipProps['variant'];
  title?: string | null;
}) => {
  if (!value) return <span>—</span>;
  const chip = <Chip size="small" label={value} color={colors[value] ?? 'default'} variant={variant} />;
  return title ? (
    <Tooltip title={title} describeChild>
      {/* Tooltip needs a child that holds a ref and receives hover events. */}
      <span style={{ display: 'inline-flex' }}>{chip}</span>
    </Tooltip>
  ) : (
    chip
  );
};

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
