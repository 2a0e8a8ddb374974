import type { SloDefinition } from './slo-definition';

/**
 * An SLO whose source cannot produce data in the running configuration: it will stay `no-data`
 * forever, which without a word looks like a monitoring outage (or, worse, like nothing to see).
 */
export interface IdleSlo {
  slo: string;
  source: SloDefinition['sli']['source'];
  /** Why no data can come, and what to do about it. */
  reason: string;
}

/** What of the configuration decides whether a source can produce data. */
export interface SourceSwitches {
  /** The built-in simulator writes data (HEADROOM_SIMULATOR; off by default with DATABASE_URL). */
  simulator: boolean;
  /** Whether DATABASE_URL is set: the usual reason the simulator is off. */
  databaseUrlSet: boolean;
}

/**
 * The SLOs that cannot receive data. Today that is `source: simulator` while the simulator is
 * off; OTLP (always accepted at /v1/metrics) and Prometheus (queried, and failing visibly with
 * a reason per SLO) have no switch that silences them.
 */
export function idleSlos(slos: readonly SloDefinition[], switches: SourceSwitches): IdleSlo[] {
  if (switches.simulator) return [];
  const why = switches.databaseUrlSet ? 'the simulator is off (the default when DATABASE_URL is set)' : 'the simulator is off (HEADROOM_SIMULATOR=false)';
  const reason = `${why}: read the SLO from Prometheus or OTLP (alerts/examples/, npm run headroom -- slo init), or set HEADROOM_SIMULATOR=true for a demo`;
  return slos.filter((s) => s.sli.source === 'simulator').map((s) => ({ slo: s.id, source: s.sli.source, reason }));
}

/** One line naming them all, for the log and /readyz. */
export function describeIdleSlos(idle: readonly IdleSlo[]): string {
  if (idle.length === 0) return 'ok';
  const reasons = [...new Set(idle.map((i) => i.reason))];
  return `${idle.length} SLO${idle.length === 1 ? '' : 's'} cannot receive data: ${idle.map((i) => i.slo).join(', ')}; ${reasons.join('; ')}`;
}
