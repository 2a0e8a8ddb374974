import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { returnedRows } from '../common/returned-rows';
import { OutboxMessage } from './outbox-message.entity';

export interface OutboxDraft {
  /** Idempotency key: the same key is never queued (or sent) twice. */
  key: string;
  topic: string;
  incidentId: number | null;
  payload?: Record<string, unknown>;
  /** Not sent before this time of the application's clock (a notification rule's delay). */
  notBefore?: Date;
  /**
   * False: the row keeps to no incident order (a personal send). It does not wait for the
   * incident's earlier rows, and later rows do not wait for it while it is not yet due.
   */
  inOrder?: boolean;
}

/**
 * The transactional outbox. Producers `enqueue` inside their own transaction; workers `claim`
 * due rows with FOR UPDATE SKIP LOCKED so several processes never take the same row. A row is
 * only claimable when no earlier row for the same incident is still unsent, so a page is always
 * posted before its updates.
 */
@Injectable()
export class OutboxService {
  private readonly wakers = new Set<() => void>();

  /** How long a worker owns a claimed row before another worker may take it over (HEADROOM_OUTBOX_CLAIM_SECONDS). */
  private readonly claimSeconds: number;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.claimSeconds = config.outboxClaimSeconds;
  }

  async enqueue(manager: EntityManager, draft: OutboxDraft): Promise<void> {
    await manager.query(
      `INSERT INTO outbox (key, topic, incident_id, payload, not_before, in_order) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (key) DO NOTHING`,
      [draft.key, draft.topic, draft.incidentId, JSON.stringify(draft.payload ?? {}), draft.notBefore?.toISOString() ?? null, draft.inOrder ?? true],
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

  /**
   * Claims up to `limit` due rows. Each claim adds one to the row's claim_version, the fencing
   * value every later write of this worker carries: once another worker has taken the row over,
   * the first worker's renewals and marks match nothing. `now` is the application's clock, which
   * a row's not_before is compared with (the database's clock when not given).
   */
  async claim(limit: number, now?: Date): Promise<OutboxMessage[]> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `UPDATE outbox SET status = 'sending', attempts = attempts + 1, claim_version = claim_version + 1,
              locked_until = now() + make_interval(secs => $2)
       WHERE id IN (
         SELECT o.id FROM outbox o
         WHERE ((o.status = 'pending' AND o.next_attempt_at <= now() AND (o.not_before IS NULL OR o.not_before <= coalesce($3::timestamptz, now())))
                OR (o.status = 'sending' AND o.locked_until < now()))
           AND (NOT o.in_order OR NOT EXISTS (
             SELECT 1 FROM outbox earlier
             WHERE earlier.incident_id = o.incident_id AND earlier.id < o.id AND earlier.in_order
               AND earlier.status IN ('pending', 'sending')))
         ORDER BY o.id
         FOR UPDATE SKIP LOCKED
         LIMIT $1)
       RETURNING *`,
      [limit, this.claimSeconds, now?.toISOString() ?? null],
    );
    const list = returnedRows<Record<string, unknown>>(rows);
    return list.map(toMessage).sort((a, b) => a.id - b.id);
  }

  /**
   * Checks that the claim is still ours and extends it, in one statement: called right before a
   * call to Slack, with `coverSeconds` at least the call's timeout, so nobody takes the row over
   * while the call may still land. False: another worker owns the row now; do not send.
   */
  renewClaim(message: OutboxMessage, coverSeconds: number): Promise<boolean> {
    return this.fenced(message, `locked_until = now() + make_interval(secs => greatest($3::float8, $4::float8))`, [coverSeconds, this.claimSeconds]);
  }

  /**
   * Renews the claims of messages a worker holds in a queue behind others (one statement), so
   * they do not lapse while the ones ahead are sent. Returns the ids still this worker's.
   */
  async renewClaims(messages: OutboxMessage[]): Promise<Set<number>> {
    if (messages.length === 0) return new Set();
    const result = await this.dataSource.query(
      `UPDATE outbox o SET locked_until = now() + make_interval(secs => $3)
       FROM unnest($1::int[], $2::int[]) AS mine(id, version)
       WHERE o.id = mine.id AND o.claim_version = mine.version AND o.status = 'sending'
       RETURNING o.id`,
      [messages.map((m) => m.id), messages.map((m) => m.claimVersion), this.claimSeconds],
    );
    return new Set(returnedRows<{ id: number }>(result).map((r) => Number(r.id)));
  }

  /** Keeps the claim ours until `at` plus the claim period (a send waiting for its channel's slot); false when it is no longer ours. */
  holdClaimUntil(message: OutboxMessage, at: Date): Promise<boolean> {
    return this.fenced(message, `locked_until = $3::timestamptz + make_interval(secs => $4)`, [at.toISOString(), this.claimSeconds]);
  }

  /** Gives a claimed, unsent row back (a worker shutting down); the attempt does not count. */
  release(message: OutboxMessage): Promise<boolean> {
    return this.fenced(message, `status = 'pending', locked_until = NULL, attempts = greatest(attempts - 1, 0)`, []);
  }

  markSent(message: OutboxMessage, result: Record<string, unknown>): Promise<boolean> {
    return this.fenced(message, `status = 'sent', sent_at = now(), locked_until = NULL, result = $3, last_error = NULL`, [JSON.stringify(result)]);
  }

  markRetry(message: OutboxMessage, error: string, delayMs: number): Promise<boolean> {
    return this.fenced(message, `status = 'pending', locked_until = NULL, last_error = $3, next_attempt_at = now() + make_interval(secs => $4)`, [error, delayMs / 1000]);
  }

  markFailed(message: OutboxMessage, error: string): Promise<boolean> {
    return this.fenced(message, `status = 'failed', locked_until = NULL, last_error = $3`, [error]);
  }

  /** An update of a row that applies only while `message`'s claim is the row's latest ($1 id, $2 version, then `params`). */
  private async fenced(message: OutboxMessage, set: string, params: unknown[]): Promise<boolean> {
    const result = await this.dataSource.query(
      `UPDATE outbox SET ${set} WHERE id = $1 AND status = 'sending' AND claim_version = $2 RETURNING id`,
      [message.id, message.claimVersion, ...params],
    );
    return returnedRows(result).length > 0;
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
  m.claimVersion = Number(r.claim_version);
  m.lastError = (r.last_error as string | null) ?? null;
  m.result = (r.result as Record<string, unknown> | null) ?? null;
  m.notBefore = r.not_before ? new Date(r.not_before as string) : null;
  m.inOrder = r.in_order === undefined ? true : Boolean(r.in_order);
  m.createdAt = new Date(r.created_at as string);
  m.sentAt = r.sent_at ? new Date(r.sent_at as string) : null;
  return m;
}
