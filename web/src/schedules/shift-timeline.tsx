import { Box } from '@mui/material';
import type { Shift } from './types';

const PALETTE = ['#1976d2', '#2e7d32', '#ef6c00', '#6a1b9a', '#00838f', '#ad1457', '#5d4037', '#455a64'];
const DAY = 86_400_000;
const WIDTH = 1000;

/**
 * The next two weeks of a schedule as a timeline: one bar, a segment per shift coloured by
 * person and labelled with the layer; overrides are outlined and striped. Day ticks are in the
 * viewer's time zone; each segment's exact times are on hover.
 */
export const ShiftTimeline = ({ shifts, from, to }: { shifts: Shift[]; from: number; to: number }) => {
  const x = (t: number) => ((Math.min(Math.max(t, from), to) - from) / (to - from)) * WIDTH;
  const people = [...new Set(shifts.map((s) => s.user.email))];
  const color = (email: string) => PALETTE[people.indexOf(email) % PALETTE.length];
  const days: number[] = [];
  const firstMidnight = new Date(from);
  firstMidnight.setHours(24, 0, 0, 0);
  for (let d = firstMidnight.getTime(); d < to; d += DAY) days.push(d);
  return (
    <Box sx={{ overflowX: 'auto' }}>
      <svg role="img" aria-label="Shifts timeline" viewBox={`0 0 ${WIDTH} 74`} width="100%" style={{ minWidth: 640 }}>
        <defs>
          <pattern id="override-stripes" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
            <rect width="3" height="6" fill="rgba(255,255,255,0.35)" />
          </pattern>
        </defs>
        {shifts.map((s) => {
          const x0 = x(Date.parse(s.start));
          const w = Math.max(1, x(Date.parse(s.end)) - x0);
          return (
            <g key={`${s.start}-${s.user.email}`} data-override={s.override || undefined}>
              <rect x={x0} y={8} width={w} height={34} fill={color(s.user.email)} stroke={s.override ? '#000' : 'none'} strokeWidth={s.override ? 1.5 : 0} />
              {s.override && <rect x={x0} y={8} width={w} height={34} fill="url(#override-stripes)" />}
              {w > 60 && (
                <text x={x0 + 4} y={22} fontSize={10} fill="#fff">
                  {s.user.name}
                </text>
              )}
              {w > 60 && (
                <text x={x0 + 4} y={36} fontSize={9} fill="#fff" opacity={0.85}>
                  {s.override ? 'override' : (s.layer ?? '')}
                </text>
              )}
              <title>{`${s.user.name} (${s.override ? 'override' : s.layer}): ${new Date(s.start).toLocaleString()} – ${new Date(s.end).toLocaleString()}`}</title>
            </g>
          );
        })}
        {days.map((d) => (
          <g key={d}>
            <line x1={x(d)} x2={x(d)} y1={4} y2={46} stroke="currentColor" strokeOpacity={0.25} />
            <text x={x(d) + 2} y={60} fontSize={9} fill="currentColor">
              {new Date(d).toLocaleDateString(undefined, { weekday: 'short', day: 'numeric' })}
            </text>
          </g>
        ))}
      </svg>
    </Box>
  );
};
