import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { returnedRows } from '../common/returned-rows';
import { RollbackExecution } from './rollback-execution.entity';

/**
 * Claiming due executions for the worker: `FOR UPDATE SKIP LOCKED`, so several processes never
 * take the same row, with a lock expiry so a crashed worker's row is taken over. Also the
 * in-process wake-up after a commit that queued something.
 */
@Injectable()
export class RollbackStore {
  private readonly wakers = new Set<() => void>();

  constructor(private readonly dataSource: DataSource) {}

  wake(): void {
    for (const w of this.wakers) w();
  }

  onWake(waker: () => void): () => void {
    this.wakers.add(waker);
    return () => this.wakers.delete(waker);
  }

  /**
   * Checks that `e` is still claimed by the caller (its claim_version unchanged) and extends the
   * claim to cover a request of `seconds`, in one statement, right before the request is sent.
   */
  async renewClaim(e: RollbackExecution, seconds: number): Promise<boolean> {
    const result = await this.dataSource.query(
      `UPDATE rollback_executions SET locked_until = now() + make_interval(secs => $3)
       WHERE id = $1 AND claim_version = $2 AND status = 'running' RETURNING id`,
      [e.id, e.claimVersion, seconds],
    );
    return returnedRows(result).length > 0;
  }

  /**
   * Claims up to `limit` due rows: each becomes running with one more attempt, owned for
   * `lockSeconds`, and a claim_version one higher, the fencing value its worker's writes carry.
   */
  async claim(limit: number, lockSeconds: number): Promise<RollbackExecution[]> {
    const result: unknown[] = await this.dataSource.query(
      `UPDATE rollback_executions SET status = 'running', attempts = attempts + 1, claim_version = claim_version + 1, updated_at = now(),
              locked_until = now() + make_interval(secs => $2)
       WHERE id IN (
         SELECT id FROM rollback_executions
         WHERE (status = 'queued' AND next_attempt_at <= now()) OR (status = 'running' AND locked_until < now())
         ORDER BY id
         FOR UPDATE SKIP LOCKED
         LIMIT $1)
       RETURNING id`,
      [limit, lockSeconds],
    );
    const rows = returnedRows<{ id: number }>(result);
    if (rows.length === 0) return [];
    const ids = rows.map((r) => Number(r.id));
    const found = await this.dataSource.getRepository(RollbackExecution).createQueryBuilder('e').where('e.id IN (:...ids)', { ids }).orderBy('e.id').getMany();
    return found;
  }
}
