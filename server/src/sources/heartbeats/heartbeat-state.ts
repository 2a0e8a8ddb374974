import { formatDuration } from '../../common/duration';
import type { Severity, Signal } from '../../common/signals';

/**
 * Whether a heartbeat is on time, as pure functions. A heartbeat is *missed* once interval +
 * grace has passed since its last beat (or, before its first beat, since it was declared, so a
 * sender that never starts is caught too).
 */
export interface HeartbeatTimes {
  name: string;
  intervalSeconds: number;
  graceSeconds: number;
  declaredAt: Date;
  lastBeatAt: Date | null;
}

export type HeartbeatState = 'ok' | 'waiting' | 'missed';

/** When the next beat is due at the latest (interval + grace after the last one). */
export function dueAt(h: HeartbeatTimes): Date {
  const from = h.lastBeatAt ?? h.declaredAt;
  return new Date(from.getTime() + (h.intervalSeconds + h.graceSeconds) * 1000);
}

/** `waiting`: declared, not beaten yet, not yet due. */
export function heartbeatState(h: HeartbeatTimes, now: Date): HeartbeatState {
  if (now.getTime() > dueAt(h).getTime()) return 'missed';
  return h.lastBeatAt ? 'ok' : 'waiting';
}

/** A time in a title: to the second, in UTC. */
const shortTime = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** What the incident is called: the heartbeat and its last beat. */
export function missedTitle(h: HeartbeatTimes): string {
  return h.lastBeatAt
    ? `heartbeat ${h.name} missed (last beat at ${shortTime(h.lastBeatAt)})`
    : `heartbeat ${h.name} missed (no beat since it was declared at ${shortTime(h.declaredAt)})`;
}

export interface HeartbeatAlerting extends HeartbeatTimes {
  service: string;
  severity: 'page' | 'ticket';
  runbookId: string | null;
}

/** The incident's rule: one per heartbeat, whatever its settings. */
export const heartbeatFingerprint = (name: string) => `heartbeat:${name}`;

/**
 * The signal for a missed heartbeat (firing) or one that beat again (resolved). Its incident
 * resolves by itself on the next beat: a late beat leaves nothing for a person to do.
 */
export function heartbeatSignal(h: HeartbeatAlerting, status: Signal['status'], now: Date): Signal {
  const due = dueAt(h);
  // A page is as urgent as anything Headroom pages for; a ticket is a warning.
  const severity: Severity = h.severity === 'page' ? 'critical' : 'warning';
  return {
    fingerprint: heartbeatFingerprint(h.name),
    status,
    source: 'heartbeat',
    service: h.service,
    title: missedTitle(h),
    severity,
    urgency: h.severity,
    autoResolve: true,
    resolvedMessage: h.lastBeatAt ? `heartbeat ${h.name} beat again at ${shortTime(h.lastBeatAt)}` : `heartbeat ${h.name} is no longer expected`,
    runbookId: h.runbookId,
    labels: { heartbeat: h.name },
    evidence: {
      heartbeat: h.name,
      lastBeatAt: h.lastBeatAt?.toISOString() ?? null,
      declaredAt: h.declaredAt.toISOString(),
      interval: formatDuration(h.intervalSeconds),
      grace: formatDuration(h.graceSeconds),
      dueAt: due.toISOString(),
      checkedAt: now.toISOString(),
    },
    at: now,
  };
}
