import type { EntityManager } from 'typeorm';
import { formatMatcher, matchesAll, type LabelMatcher } from '../routing/label-matcher';

/** The silences and maintenance windows in force at one instant. */
export interface ActiveMutes {
  silences: Array<{ id: number; matchers: LabelMatcher[]; comment: string; createdBy: string }>;
  maintenance: Array<{ id: number; service: string; comment: string; createdBy: string }>;
}

export interface MuteReason {
  kind: 'silence' | 'maintenance';
  id: number;
  /** For people: what muted it and why. */
  text: string;
}

export const NO_MUTES: ActiveMutes = { silences: [], maintenance: [] };

/** Which silence or maintenance window mutes an alert with these labels on this service, if any. */
export function muteReason(labels: Record<string, string>, service: string, mutes: ActiveMutes): MuteReason | null {
  const window = mutes.maintenance.find((w) => w.service === service);
  if (window) {
    return { kind: 'maintenance', id: window.id, text: `maintenance window #${window.id} on ${service} (${window.createdBy}: ${window.comment})` };
  }
  const silence = mutes.silences.find((s) => matchesAll(s.matchers, labels));
  if (silence) {
    return { kind: 'silence', id: silence.id, text: `silence #${silence.id} {${silence.matchers.map(formatMatcher).join(', ')}} (${silence.createdBy}: ${silence.comment})` };
  }
  return null;
}

/** One query for both, inside the caller's transaction. Silences and windows are few; this stays cheap. */
export async function loadActiveMutes(m: EntityManager, at: Date): Promise<ActiveMutes> {
  const rows: Array<{ kind: string; id: number; matchers: LabelMatcher[] | null; service: string | null; comment: string; created_by: string }> = await m.query(
    `SELECT 'silence' AS kind, id, matchers, NULL AS service, comment, created_by FROM silences WHERE starts_at <= $1 AND ends_at > $1
     UNION ALL
     SELECT 'maintenance', id, NULL, service, comment, created_by FROM maintenance_windows WHERE starts_at <= $1 AND ends_at > $1`,
    [at.toISOString()],
  );
  const mutes: ActiveMutes = { silences: [], maintenance: [] };
  for (const r of rows) {
    if (r.kind === 'silence') mutes.silences.push({ id: Number(r.id), matchers: r.matchers ?? [], comment: r.comment, createdBy: r.created_by });
    else mutes.maintenance.push({ id: Number(r.id), service: r.service ?? '', comment: r.comment, createdBy: r.created_by });
  }
  return mutes;
}
