/**
 * A signal is what evaluation concludes about one alert rule: firing or resolved, with a
 * stable fingerprint and the evidence. The evaluators hand their signals to the next stage
 * (SIGNAL_HANDLER), which server/src/pipeline.ts composes: incidents, then rollback.
 */
export type Severity = 'critical' | 'error' | 'warning' | 'info';

/**
 * How urgently a signal wants people: a *page* notifies the on-call now and runs the route's
 * escalation policy; a *ticket* (a slow burn, blind monitoring) opens an incident nobody is paged
 * for, posted once to the route's ticket channel when it names one (docs/incidents.md, Tickets).
 */
export type Urgency = 'page' | 'ticket';

export interface Signal {
  /** Stable identity of the alert rule instance, e.g. `slo:now-playing-ranker/availability:page`. */
  fingerprint: string;
  status: 'firing' | 'resolved';
  source: 'slo' | 'guardrail' | 'heartbeat';
  service: string;
  title: string;
  severity: Severity;
  /**
   * Default page. Part of the alert rule, like the fingerprint: a rule that can ticket and page
   * uses one fingerprint per urgency (`slo:<id>:ticket`, `slo:<id>:page`), since an open
   * incident keeps the urgency it opened with.
   */
  urgency?: Urgency;
  /** What the incident's timeline says when this signal resolves; default the source's wording. */
  resolvedMessage?: string;
  /**
   * While an incident of this fingerprint is open, this signal opens (or refires) nothing:
   * Alertmanager's inhibition, so an SLO's open page holds back its ticket (the slow-burn
   * windows still hold the outage the page is about).
   */
  inhibitedBy?: string;
  /**
   * The incident resolves itself when this signal resolves (blind monitoring whose data came
   * back, a heartbeat that beat again): nothing is left for a person to check. Default false:
   * a burn's incident stays open for a person after the burn ends.
   */
  autoResolve?: boolean;
  /**
   * A resolved signal whose alert rule is gone (its experiment was stopped or deleted): nothing
   * can fire again to say it is still wrong, so the incident resolves whatever autoResolve says.
   */
  ends?: boolean;
  sloId?: string;
  runbookId?: string | null;
  /** Extra labels silences and routes can match (e.g. experiment, variant, metric). */
  labels?: Record<string, string>;
  evidence: Record<string, unknown>;
  at: Date;
}

/** The newest incident of each handled signal's alert rule, by fingerprint (rules without one are left out). */
export type IncidentsByFingerprint = Map<string, number>;

/** The stage after evaluation. Resolves once the batch is handled, so callers can await the effect. */
export interface SignalHandler {
  handleSignals(signals: Signal[]): Promise<IncidentsByFingerprint>;
}

/** Injection token of the SignalHandler that the evaluators hand their signals to. */
export const SIGNAL_HANDLER = Symbol('SIGNAL_HANDLER');
