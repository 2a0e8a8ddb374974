import type { Severity } from '../../common/signals';
import type { IncomingAlert } from './incoming-alert';
import { groupFingerprint, groupLabels, matchLabels, type Route } from '../../rules/route-definition';
import type { ActiveMutes, MuteReason } from '../mute';
import { muteReason } from '../mute';

/** An incoming alert with everything decided that does not need the database. */
export interface PlannedAlert {
  index: number;
  alert: IncomingAlert;
  /** `<source>:<key>`: unique across sources. */
  alertKey: string;
  route: Route;
  labels: Record<string, string>;
  groupLabels: Record<string, string>;
  /** The incident fingerprint of its group; an open incident already holding the alert overrides it. */
  fingerprint: string;
  severity: Severity;
  service: string;
  muted: MuteReason | null;
  /** Joined an incident another group opened on its route less than groupWait ago (joinWithinGroupWait). */
  joinedWithinGroupWait?: boolean;
}

/** An alert's identity across sources (`<source>:<key>`): the key stored on its incident_alerts row. */
export const alertKeyOf = (a: Pick<IncomingAlert, 'source' | 'key'>): string => `${a.source}:${a.key}`;

export function planAlert(alert: IncomingAlert, index: number, route: Route): PlannedAlert {
  const labels = matchLabels(alert);
  return {
    index,
    alert,
    alertKey: alertKeyOf(alert),
    route,
    labels,
    groupLabels: groupLabels(route, labels),
    fingerprint: groupFingerprint(route, labels),
    severity: alert.severity ?? route.severity,
    service: alert.service ?? 'unknown',
    muted: null,
  };
}

/** An open incident of a route, as joinWithinGroupWait looks at it. */
export interface OpenRouteIncident {
  route: string;
  service: string;
  fingerprint: string;
  triggeredAt: Date;
}

/**
 * groupWait: an alert that would open a new incident on its route, less than the route's
 * groupWait after another incident of the same service opened there, joins that incident (the
 * earliest such, the one that paged) instead, so a burst pages once as one incident with several
 * alerts. Other services' alerts are not joined even on a shared route: their owners, runbooks and
 * titles differ, and a cause in another service is what dependencies (dependsOn) link. Groups new
 * in the same batch join the first of them in arrival order. An alert whose own group has an
 * open incident goes there as before. Sets each joining alert's fingerprint; returns those moved.
 */
export function joinWithinGroupWait(triggers: PlannedAlert[], openIncidents: readonly OpenRouteIncident[], at: Date): PlannedAlert[] {
  const open = [...openIncidents];
  const moved: PlannedAlert[] = [];
  for (const t of triggers) {
    const waitMs = t.route.groupWaitSeconds * 1000;
    if (waitMs <= 0 || open.some((o) => o.fingerprint === t.fingerprint)) continue;
    const recent = open
      .filter((o) => o.route === t.route.name && o.service === t.service && at.getTime() - o.triggeredAt.getTime() < waitMs)
      .sort((a, b) => a.triggeredAt.getTime() - b.triggeredAt.getTime())[0];
    if (!recent) {
      // This group opens an incident; later new groups of the route join it.
      open.push({ route: t.route.name, service: t.service, fingerprint: t.fingerprint, triggeredAt: at });
      continue;
    }
    t.fingerprint = recent.fingerprint;
    t.joinedWithinGroupWait = true;
    moved.push(t);
  }
  return moved;
}

export function applyMutes(planned: PlannedAlert[], mutes: ActiveMutes): void {
  for (const p of planned) p.muted = muteReason(p.labels, p.service, mutes);
}

export interface AlertGroup {
  fingerprint: string;
  /** The first alert decides the incident's title, severity and evidence when it opens. */
  first: PlannedAlert;
  alerts: PlannedAlert[];
  /** Some alert in the group is not muted: the incident pages (or is un-muted). */
  anyUnmuted: boolean;
}

/** Groups firing alerts by incident fingerprint, in fingerprint order (a stable lock order). */
export function groupByIncident(triggers: PlannedAlert[]): AlertGroup[] {
  const groups = new Map<string, AlertGroup>();
  for (const p of triggers) {
    const g = groups.get(p.fingerprint);
    if (g) {
      g.alerts.push(p);
      g.anyUnmuted ||= !p.muted;
    } else {
      groups.set(p.fingerprint, { fingerprint: p.fingerprint, first: p, alerts: [p], anyUnmuted: !p.muted });
    }
  }
  return [...groups.values()].sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0));
}

/** Deliveries of the same alert to the same incident collapse into one row with a count. */
export interface AlertRowDraft {
  incidentId: number;
  last: PlannedAlert;
  count: number;
}

export function collapseDeliveries(items: Array<{ incidentId: number; planned: PlannedAlert }>): AlertRowDraft[] {
  const rows = new Map<string, AlertRowDraft>();
  for (const { incidentId, planned } of items) {
    const key = `${incidentId}\u0000${planned.alertKey}`;
    const row = rows.get(key);
    if (row) {
      row.count += 1;
      row.last = planned;
    } else rows.set(key, { incidentId, last: planned, count: 1 });
  }
  return [...rows.values()].sort((a, b) => a.incidentId - b.incidentId || (a.last.alertKey < b.last.alertKey ? -1 : 1));
}

/**
 * Takes the next requests to commit together (group commit): as many as fit in `maxAlerts`,
 * stopping before a request that touches an alert already in the batch with an acknowledge or
 * resolve on either side, since a batch applies triggers before follow-ups and merging would
 * reorder them. Removes the taken requests from the queue.
 */
export function takeBatch<T extends { alerts: readonly Pick<IncomingAlert, 'source' | 'key' | 'action'>[] }>(queue: T[], maxAlerts: number): T[] {
  const taken: T[] = [];
  const seen = new Map<string, boolean>(); // alert key -> only triggers so far
  let count = 0;
  while (queue.length > 0) {
    const next = queue[0];
    if (taken.length > 0) {
      if (count + next.alerts.length > maxAlerts) break;
      const clash = next.alerts.some((a) => {
        const onlyTriggers = seen.get(alertKeyOf(a));
        return onlyTriggers !== undefined && (!onlyTriggers || a.action !== 'trigger');
      });
      if (clash) break;
    }
    queue.shift();
    taken.push(next);
    count += next.alerts.length;
    for (const a of next.alerts) {
      const k = alertKeyOf(a);
      seen.set(k, (seen.get(k) ?? true) && a.action === 'trigger');
    }
  }
  return taken;
}

/**
 * Takes the next batch of plain repeats to commit while other batches are in flight. A request
 * qualifies when `homesOf` knows the open incident of each of its alerts (null: it needs the
 * general path). One whose incidents are `busy` (in a batch in flight) is left for later, and so
 * is any later request sharing an incident with one left, so the deliveries of an alert commit
 * in the order they came and batches in flight never wait for each other's row locks. Stops at
 * the first request that does not qualify: the general path runs alone and in queue order.
 * Removes the taken requests from the queue and adds their incidents to `busy`.
 */
export function takeRepeats<T extends { alerts: readonly unknown[] }>(
  queue: T[],
  homesOf: (request: T) => number[] | null,
  busy: Set<number>,
  maxAlerts: number,
): { taken: T[]; incidents: number[] } {
  const taken: T[] = [];
  const incidents = new Set<number>();
  const waiting = new Set<number>();
  let count = 0;
  for (let i = 0; i < queue.length; ) {
    const next = queue[i];
    const ids = homesOf(next);
    if (!ids || (taken.length > 0 && count + next.alerts.length > maxAlerts)) break;
    if (ids.some((id) => busy.has(id) || waiting.has(id))) {
      for (const id of ids) waiting.add(id);
      i++;
      continue;
    }
    queue.splice(i, 1);
    taken.push(next);
    count += next.alerts.length;
    for (const id of ids) incidents.add(id);
  }
  for (const id of incidents) busy.add(id);
  return { taken, incidents: [...incidents] };
}
