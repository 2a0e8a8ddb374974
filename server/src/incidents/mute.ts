import type { EntityManager } from 'typeorm';
import { formatMatcher, matchesAll, type LabelMatcher } from '../rules/label-matcher';
import type { SilenceKind } from './silence.entity';

/**
 * One silence in force, Alertmanager's single kind of muter: it mutes an alert when every label
 * matcher matches and, for a maintenance window, the alert is of its service.
 */
export interface Muter {
  kind: SilenceKind;
  id: number;
  matchers: LabelMatcher[];
  /** The service a maintenance window covers; null for a label-matching silence. */
  service: string | null;
  comment: string;
  createdBy: string;
}

/** The silences in force at one instant, maintenance windows first, then by id (the first that matches is named). */
export interface ActiveMutes {
  muters: Muter[];
}

export interface MuteReason {
  kind: SilenceKind;
  id: number;
  /** For people: what muted it and why. */
  text: string;
}

export const NO_MUTES: ActiveMutes = { muters: [] };

export function mutes(muter: Muter, labels: Record<string, string>, service: string): boolean {
  return (muter.service === null || muter.service === service) && matchesAll(muter.matchers, labels);
}

function describeMuter(m: Muter): string {
  const what = m.kind === 'maintenance' ? `maintenance window #${m.id} on ${m.service}` : `silence #${m.id} {${m.matchers.map(formatMatcher).join(', ')}}`;
  return `${what} (${m.createdBy}: ${m.comment})`;
}

/** Which silence or maintenance window mutes an alert with these labels on this service, if any. */
export function muteReason(labels: Record<string, string>, service: string, active: ActiveMutes): MuteReason | null {
  const muter = active.muters.find((m) => mutes(m, labels, service));
  return muter ? { kind: muter.kind, id: muter.id, text: describeMuter(muter) } : null;
}

/**
 * The silences in force at `$<at>`, one row each, in a stable order ('maintenance' sorts before
 * 'silence', so a maintenance window is named before a silence that also matches). Silences are
 * immutable once created except for their end (expire), so this set changes only when one is
 * created, expired or starts or ends.
 */
const activeMutesSql = (at: string) => `
  SELECT kind, id, matchers, service, comment, created_by FROM silences WHERE starts_at <= ${at} AND ends_at > ${at}`;

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

/** One query, inside the caller's transaction. Silences in force are few; this stays cheap. */
export async function loadActiveMutes(m: EntityManager, at: Date): Promise<ActiveMutes> {
  return (await loadMuteSnapshot(m, at)).mutes;
}

export async function loadMuteSnapshot(m: Pick<EntityManager, 'query'>, at: Date): Promise<MuteSnapshot> {
  const [row]: Array<{ digest: string; rows: Array<{ kind: SilenceKind; id: number; matchers: LabelMatcher[]; service: string | null; comment: string; created_by: string }> }> = await m.query(
    `SELECT ${DIGEST} AS digest, coalesce(json_agg(m ORDER BY m.kind, m.id), '[]') AS rows
     FROM (${activeMutesSql('$1')}) m`,
    [at.toISOString()],
  );
  const muters = row.rows.map((r) => ({ kind: r.kind, id: Number(r.id), matchers: r.matchers, service: r.service, comment: r.comment, createdBy: r.created_by }));
  return { mutes: { muters }, digest: row.digest };
}
