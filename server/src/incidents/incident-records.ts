import type { EntityManager } from 'typeorm';
import type { OutboxService } from '../outbox/outbox.service';
import type { LifecycleEvent } from './incident-lifecycle';
import type { Actor } from './actor';

/** A timeline line to write for one incident. */
export interface TimelineDraft {
  incidentId: number;
  at: Date;
  actor: Actor;
  event: LifecycleEvent;
}

/**
 * Writes timeline rows (several in one statement) and queues one outbox message per row whose
 * event notifies, so Slack edits the page and replies in its thread. Runs inside the caller's
 * transaction: the change, its timeline row and its notification commit together.
 */
export async function writeTimeline(m: EntityManager, outbox: OutboxService, drafts: TimelineDraft[]): Promise<number[]> {
  if (drafts.length === 0) return [];
  const rows = drafts.map((d, ord) => ({
    ord,
    incident_id: d.incidentId,
    at: d.at.toISOString(),
    kind: d.event.kind,
    actor_type: d.actor.type,
    actor_id: d.actor.id,
    actor_name: d.actor.name,
    message: d.event.message,
    data: d.event.data ?? {},
  }));
  const inserted: Array<{ id: number }> = await m.query(
    `INSERT INTO incident_timeline (incident_id, at, kind, actor_type, actor_id, actor_name, message, data)
     SELECT incident_id, at, kind, actor_type, actor_id, actor_name, message, data
     FROM jsonb_to_recordset($1::jsonb) AS x(ord int, incident_id int, at timestamptz, kind text, actor_type text, actor_id text,
                                             actor_name text, message text, data jsonb)
     ORDER BY ord
     RETURNING id`,
    [JSON.stringify(rows)],
  );
  // RETURNING follows the insertion order, which follows ORDER BY ord.
  const ids = inserted.map((r) => Number(r.id)).sort((a, b) => a - b);
  for (let i = 0; i < drafts.length; i++) {
    const d = drafts[i];
    if (d.event.notify === false) continue;
    await outbox.enqueue(m, {
      key: `incident:${d.incidentId}:timeline:${ids[i]}`,
      topic: d.event.kind,
      incidentId: d.incidentId,
      payload: { timelineId: ids[i] },
    });
  }
  return ids;
}

/** PostgreSQL error codes worth a retry (deadlock, serialization failure) or a 409 (unique violation). */
export function pgCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; driverError?: { code?: unknown } };
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' ? code : undefined;
}
