import { z } from 'zod';
import { parseDuration } from '../common/duration';
import { ValidationError } from '../common/errors';

/** When a silence or maintenance window applies: `startsAt` (default now) and `endsAt` or `duration`. */
export const windowFields = {
  startsAt: z.iso.datetime({ offset: true, error: 'must be an ISO time such as 2026-11-25T03:00:00Z' }).optional(),
  endsAt: z.iso.datetime({ offset: true, error: 'must be an ISO time such as 2026-11-25T05:00:00Z' }).optional(),
  duration: z.string().refine((v) => {
    try {
      return parseDuration(v) > 0;
    } catch {
      return false;
    }
  }, 'must be a duration such as 30m, 2h or 1d').optional(),
};

/** Schema-level checks, so they are reported together with every other field problem. */
export function refineWindow(w: WindowInput, ctx: { addIssue(issue: { code: 'custom'; path: string[]; message: string }): void }): void {
  if (!w.endsAt && !w.duration) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'required (or give duration, e.g. 2h)' });
  if (w.endsAt && w.duration) ctx.addIssue({ code: 'custom', path: ['duration'], message: 'give endsAt or duration, not both' });
}

export interface WindowInput {
  startsAt?: string;
  endsAt?: string;
  duration?: string;
}

export type MuteState = 'pending' | 'active' | 'expired';

/** Resolves the window against now; every problem names its field. */
export function resolveWindow(input: WindowInput, now: Date): { startsAt: Date; endsAt: Date } {
  const problems: Array<{ field: string; message: string }> = [];
  if (input.endsAt && input.duration) problems.push({ field: 'duration', message: 'give endsAt or duration, not both' });
  if (!input.endsAt && !input.duration) problems.push({ field: 'endsAt', message: 'required (or give duration, e.g. 2h)' });
  const startsAt = input.startsAt ? new Date(input.startsAt) : now;
  if (problems.length) throw new ValidationError(problems);
  const endsAt = input.endsAt ? new Date(input.endsAt) : new Date(startsAt.getTime() + parseDuration(input.duration!) * 1000);
  if (endsAt.getTime() <= startsAt.getTime()) problems.push({ field: 'endsAt', message: 'must be after startsAt' });
  else if (endsAt.getTime() <= now.getTime()) problems.push({ field: 'endsAt', message: 'must be in the future' });
  if (problems.length) throw new ValidationError(problems);
  return { startsAt, endsAt };
}

export function muteState(w: { startsAt: Date; endsAt: Date }, now: Date): MuteState {
  if (w.endsAt.getTime() <= now.getTime()) return 'expired';
  return w.startsAt.getTime() > now.getTime() ? 'pending' : 'active';
}

/** SQL condition for a state, given the name of the parameter holding now. */
export function stateCondition(alias: string, state: MuteState): string {
  switch (state) {
    case 'expired':
      return `${alias}.ends_at <= :now`;
    case 'pending':
      return `(${alias}.starts_at > :now AND ${alias}.ends_at > :now)`;
    default:
      return `(${alias}.starts_at <= :now AND ${alias}.ends_at > :now)`;
  }
}
