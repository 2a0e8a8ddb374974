import type { EntityManager } from 'typeorm';
import { formatMatcher, matchesAll, type LabelMatcher } from '../rules/label-matcher';

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

/**
 * The silences and maintenance windows in force at `$<at>`, one row each, in a stable order. Both
 * are immutable once created except for their end (expire), so this set changes only when one is
 * created, expired or starts or ends.
 */
const activeMutesSql = (at: string) => `
  SELECT 'silence' AS kind, id, matchers, NULL::text AS service, comment, created_by FROM silences WHERE starts_at <= ${at} AND ends_at > ${at}
  UNION ALL
  SELECT 'maintenance', id, NULL, service, comment, created_by FROM maintenance_windows WHERE starts_at <= ${at} AND ends_at > ${at}`;

/**
 * A digest of that set, computed by the database, so a statement can check that the mutes a
 * caller applied from memory are still the ones in force (see alert-repeats.ts).
 */
const DIGEST = `md5(coalesce(string_agg(m::text, '|' ORDER BY m.kind, m.id), ''))`;
export const activeMutesDigestSql = (at: string) => `SELECT ${DIGEST} AS digest FROM (${activeMutesSql(at)}) m`;

/** The mutes in force and their digest. */
export interface MuteSnapshot {
  mutes: ActiveMutes;
  digest: string;
}

/** One query for both, inside the caller's transaction. Silences and windows are few; this stays cheap. */
export async function loadActiveMutes(m: EntityManager, at: Date): Promise<ActiveMutes> {
  return (await loadMuteSnapshot(m, at)).mutes;
}

export async function loadMuteSnapshot(m: Pick<EntityManager, 'query'>, at: Date): Promise<MuteSnapshot> {
  const [row]: Array<{ digest: string; rows: Array<{ kind: string; id: number; matchers: LabelMatcher[] | null; service: string | null; comment: string; created_by: string }> }> = await m.query(
    `SELECT ${DIGEST} AS digest, coalesce(json_agg(m ORDER BY m.kind, m.id), '[]') AS rows
     FROM (${activeMutesSql('$1')}) m`,
    [at.toISOString()],
  );
  const mutes: ActiveMutes = { silences: [], maintenance: [] };
  for (const r of row.rows) {
    if (r.kind === 'silence') mutes.silences.push({ id: Number(r.id), matchers: r.matchers ?? [], comment: r.comment, createdBy: r.created_by });
    else mutes.maintenance.push({ id: Number(r.id), service: r.service ?? '', comment: r.comment, createdBy: r.created_by });
  }
  return { mutes, digest: row.digest };
}
