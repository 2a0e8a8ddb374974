export type Severity = 'critical' | 'error' | 'warning' | 'info';
export type IncidentStatus = 'triggered' | 'acknowledged' | 'snoozed' | 'resolved';
export type ActorType = 'user' | 'slack' | 'system' | 'integration';

export interface TimelineEntry {
  id: number | string;
  at: string;
  kind: string;
  actorType: ActorType;
  actorName: string | null;
  message: string;
}

export interface Incident {
  id: number;
  title: string;
  service: string;
  source: string;
  severity: Severity;
  /** Page, or ticket (never paged; posted to its route's ticket channel at most). */
  urgency: 'page' | 'ticket';
  status: IncidentStatus;
  sloId?: string | null;
  runbookId?: string | null;
  evidence?: Record<string, unknown> | null;
  triggeredAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  acknowledgedBy: string | null;
  resolvedBy: string | null;
  signalResolvedAt?: string | null;
  snoozedUntil?: string | null;
  assignee?: string | null;
  muted?: boolean;
  mutedReason?: string | null;
  timeline?: TimelineEntry[];
  alerts?: IncidentAlert[];
  alertCount?: number;
  /** The incident that likely caused this one (a dependency's, or an inhibit rule's source). */
  causedByIncidentId?: number | null;
  /** Held back by that cause: nobody paged yet. */
  heldByCause?: boolean;
  /** The detail only: the links both ways. */
  causedBy?: IncidentLink | null;
  causes?: IncidentLink[];
}

export interface IncidentLink {
  id: number;
  title: string;
  service: string;
  status: IncidentStatus;
}

export interface IncidentAlert {
  id: number;
  alertKey: string;
  source: string;
  status: 'firing' | 'resolved';
  title: string;
  labels: Record<string, string>;
  count: number;
  mutedBy: string | null;
  generatorUrl: string | null;
  firstReceivedAt: string;
  lastReceivedAt: string;
  resolvedAt: string | null;
}
