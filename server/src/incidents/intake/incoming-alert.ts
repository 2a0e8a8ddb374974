import type { Severity } from '../../common/signals';

/**
 * An alert from an outside tool, translated by its source (Alertmanager, PagerDuty Events v2)
 * into one shape by its receiver (an inbound adapter of incidents, in this folder) and handed to
 * AlertIngestService.
 */
export type AlertSource = 'alertmanager' | 'pagerduty';
export type AlertAction = 'trigger' | 'acknowledge' | 'resolve';

export interface IncomingAlert {
  source: AlertSource;
  /**
   * Identity of the alert at its source, used to dedup and to find it again for acknowledge and
   * resolve: Alertmanager's fingerprint, or `<integration id>/<dedup_key>` for PagerDuty (whose
   * dedup keys are scoped to one routing key).
   */
  key: string;
  action: AlertAction;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  title: string;
  /** Null when the source named none we understand; the route's default applies. */
  severity: Severity | null;
  service: string | null;
  startsAt: Date;
  endsAt: Date | null;
  generatorUrl: string | null;
  runbookUrl: string | null;
  description: string | null;
  /** The alert as received, kept as evidence. */
  payload: Record<string, unknown>;
  integration: { id: string; name: string };
}

export type AlertOutcomeKind =
  /** A new incident was opened and paged. */
  | 'opened'
  /** A new incident was opened but a silence or maintenance window muted it: nobody paged. */
  | 'opened-muted'
  /** Added to the open incident of its group without paging again. */
  | 'grouped'
  | 'acknowledged'
  /** The alert resolved at the source (the incident may stay open, see the route's autoResolve). */
  | 'resolved'
  /** Acknowledge or resolve for an alert with no open incident: dropped, as PagerDuty does. */
  | 'dropped';

export interface AlertOutcome {
  key: string;
  outcome: AlertOutcomeKind;
  incidentId: number | null;
}
