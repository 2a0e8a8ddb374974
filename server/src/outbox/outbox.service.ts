import { Inject, Injectable, Optional } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { returnedRows } from '../database/returned-rows';
import { OutboxMessage } from './outbox-message.entity';

export interface OutboxDraft {
  /** Idempotency key: the same key is never queued (or sent) twice. */
  key: string;
  topic: string;
  incidentId: number | null;
  payload?: Record<string, unknown>;
}

/** How long a worker owns a claimed row before another worker may take it over (HEADROOM_OUTBOX_CLAIM_SECONDS). */
const DEFAULT_CLAIM_SECONDS = 30;

/**
 * The transactional outbox. Producers `enqueue` inside their own transaction; workers `claim`
 * due rows with FOR UPDATE SKIP LOCKED so several processes never take the same row. A row is
 * only claimable when no earlier row for the same incident is still unsent, so a page is always
 * posted before its updates.
 */
@Injectable()
export class OutboxService {
  private readonly wakers = new Set<() => void>();

  private readonly claimSeconds: number;

  constructor(
    private readonly dataSource: DataSource,
    @Optional() @Inject(APP_CONFIG) config?: AppConfig,
  ) {
    this.claimSeconds = config?.outboxClaimSeconds ?? DEFAULT_CLAIM_SECONDS;
  }

  async enqueue(manager: EntityManager, draft: OutboxDraft): Promise<void> {
    await manager.query(
      `INSERT INTO outbox (key, topic, incident_id, payload) VALUES ($1, $2, $3, $4)
       ON CONFLICT (key) DO NOTHING`,
      [draft.key, draft.topic, draft.incidentId, JSON.stringify(draft.payload ?? {})],
    );
  }

  /** Call after the producing transaction commits, so an in-process worker sends at once. */
  wake(): void {
    for (const w of this.wakers) w();
  }

  onWake(waker: () => void): () => void {
    this.wakers.add(waker);
    return () => this.wakers.delete(waker);
  }

  async claim(limit: number): Promise<OutboxMessage[]> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `UPDATE outbox SET status = 'sending', attempts = attempts + 1,
              locked_until = now() + make_interval(secs => $2)
       WHERE id IN (
         SELECT o.id FROM outbox o
         WHERE ((o.status = 'pending' AND o.next_attempt_at <= now())
                OR (o.status = 'sending' AND o.locked_until < now()))
           AND NOT EXISTS (
             SELECT 1 FROM outbox earlier
             WHERE earlier.incident_id = o.incident_id AND earlier.id < o.id
               AND earlier.status IN ('pending', 'sending'))
         ORDER BY o.id
         FOR UPDATE SKIP LOCKED
         LIMIT $1)
       RETURNING *`,
      [limit, this.claimSeconds],
    );
    const list = returnedRows<Record<string, unknown>>(rows);
    return list.map(toMessage).sort((a, b) => a.id - b.id);
  }

  /** Keeps a claimed row ours until `at` plus the claim period (a send waiting for its channel's slot). */
  async extendClaim(id: number, at: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE outbox SET locked_until = $2::timestamptz + make_interval(secs => $3) WHERE id = $1 AND status = 'sending'`,
      [id, at.toISOString(), this.claimSeconds],
    );
  }

  /** Gives a claimed, unsent row back (a worker shutting down); the attempt does not count. */
  async release(id: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE outbox SET status = 'pending', locked_until = NULL, attempts = greatest(attempts - 1, 0) WHERE id = $1 AND status = 'sending'`,
      [id],
    );
  }

  async markSent(id: number, result: Record<string, unknown>): Promise<void> {
    await this.dataSource.query(
      `UPDATE outbox SET status = 'sent', sent_at = now(), locked_until = NULL, result = $2, last_error = NULL WHERE id = $1`,
      [id, JSON.stringify(result)],
    );
  }

  async markRetry(id: number, error: string, delayMs: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE outbox SET status = 'pending', locked_until = NULL, last_error = $2,
              next_attempt_at = now() + make_interval(secs => $3) WHERE id = $1`,
      [id, error, delayMs / 1000],
    );
  }

  async markFailed(id: number, error: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE outbox SET status = 'failed', locked_until = NULL, last_error = $2 WHERE id = $1`,
      [id, error],
    );
  }

  async pendingCount(): Promise<number> {
    const [row] = await this.dataSource.query(`SELECT count(*)::int AS n FROM outbox WHERE status IN ('pending', 'sending')`);
    return Number(row.n);
  }
}

function toMessage(r: Record<string, unknown>): OutboxMessage {
  const m = new OutboxMessage();
  m.id = Number(r.id);
  m.key = String(r.key);
  m.topic = String(r.topic);
  m.incidentId = r.incident_id === null ? null : Number(r.incident_id);
  m.payload = (r.payload ?? {}) as Record<string, unknown>;
  m.status = r.status as OutboxMessage['status'];
  m.attempts = Number(r.attempts);
  m.nextAttemptAt = new Date(r.next_attempt_at as string);
  m.lockedUntil = r.locked_until ? new Date(r.locked_until as string) : null;
  m.lastError = (r.last_error as string | null) ?? null;
  m.result = (r.result as Record<string, unknown> | null) ?? null;
  m.createdAt = new Date(r.created_at as string);
  m.sentAt = r.sent_at ? new Date(r.sent_at as string) : null;
  return m;
}
