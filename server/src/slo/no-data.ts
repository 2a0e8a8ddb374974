import { formatDuration } from '../common/duration';
import type { NoDataAlerting } from '../rules/slo-definition';
import type { SloState } from './slo-status.entity';

/**
 * Alerting on silence, as pure functions: an SLO that stays `no-data` (the exporter died,
 * Prometheus is down, a relabel broke the series) is monitoring nothing, and someone should know.
 */

/** The stored status the pass compares with (absent for an SLO never evaluated). */
export interface NoDataPrevious {
  state: SloState;
  since: Date;
}

/**
 * How long the SLO has been `no-data` at `now`, in seconds, or null when it has data. An SLO
 * already `no-data` counts from its stored `since`; one entering `no-data` in this pass (or
 * never evaluated before) counts from this pass, so a fresh start does not alert at once.
 */
export function noDataSeconds(state: SloState, previous: NoDataPrevious | undefined, now: Date): number | null {
  if (state !== 'no-data') return null;
  if (!previous || previous.state !== 'no-data') return 0;
  return Math.max(0, (now.getTime() - previous.since.getTime()) / 1000);
}

export type NoDataDecision = 'firing' | 'resolved' | null;

/**
 * What the blind-monitoring alert does this pass: firing on every pass while the SLO has been
 * `no-data` for at least `after` (like the burn signal, so a lost signal is sent again next pass);
 * resolved on the pass the SLO has data again. `firstPassOfRule` is true on the first pass over
 * a definition (after a start or a reload): an SLO still `no-data` that the rule no longer covers
 * (turned off, `after` raised) is resolved once, so an incident it opened does not stay open until
 * data returns.
 */
export function noDataDecision(input: {
  state: SloState;
  previous: NoDataPrevious | undefined;
  now: Date;
  rule: NoDataAlerting | null;
  firstPassOfRule: boolean;
}): NoDataDecision {
  const seconds = noDataSeconds(input.state, input.previous, input.now);
  if (seconds === null) return input.previous?.state === 'no-data' ? 'resolved' : null;
  if (input.rule && seconds >= input.rule.afterSeconds) return 'firing';
  return input.firstPassOfRule && input.previous?.state === 'no-data' ? 'resolved' : null;
}

/** Why the SLO has no data: the source's error, else the store held no events in any window. */
export function noDataReason(error: string | undefined): string {
  return error ?? 'no events in any window (is the source sending data?)';
}

/** Titles stay one line; a source's error message can be long (a Prometheus error body). */
const TITLE_REASON_CHARS = 160;

export function blindTitle(sloId: string, reason: string): string {
  const oneLine = reason.replace(/\s+/g, ' ').trim();
  const short = oneLine.length > TITLE_REASON_CHARS ? `${oneLine.slice(0, TITLE_REASON_CHARS - 1)}…` : oneLine;
  return `monitoring of ${sloId} is blind: ${short}`;
}

/** The evidence of a blind-monitoring signal: the reason and since when. */
export function blindEvidence(input: { reason: string; since: Date; now: Date; rule: NoDataAlerting | null; source: string }): Record<string, unknown> {
  const seconds = Math.max(0, Math.round((input.now.getTime() - input.since.getTime()) / 1000));
  // Whole minutes past the first (603 seconds reads "10m", not "603s").
  const shown = seconds >= 60 ? seconds - (seconds % 60) : seconds;
  return {
    reason: input.reason,
    noDataSince: input.since.toISOString(),
    noDataFor: formatDuration(shown),
    after: input.rule ? formatDuration(input.rule.afterSeconds) : null,
    source: input.source,
    evaluatedAt: input.now.toISOString(),
  };
}
